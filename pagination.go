package invitations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Pager lists a collection page by page. A list method returns it at once,
// without I/O. Ranging over All or Pages fetches pages lazily as the loop
// advances, stops fetching as soon as the loop breaks, and yields an error
// at most once, as the last element. A Pager can be ranged again: each
// range starts afresh from the options the list method was given.
//
// Prefetch returns a copy that fetches the next page while the loop works
// on the current one.
type Pager[T any] struct {
	ctx      context.Context
	err      error // invalid input, yielded by the first range without any I/O
	start    position
	fetch    fetchFunc[T]
	opts     []RequestOption // the list call's request options, given to every fetch
	prefetch bool
}

// Page is one page of a list, with what the API said about the rest.
type Page[T any] struct {
	// Items are the page's items, in the order the API sent them.
	Items []T
	// Total is the size of the whole list when the API reports it, else -1.
	Total int64
	// HasMore reports whether another page follows.
	HasMore bool
	// NextCursor is the cursor of the next page (GitGuardian), "" at the end.
	NextCursor string
	// NextOffset is the offset of the next page (Box, Freestyle).
	NextOffset int64
	// NextPage is the number of the next page (Portworx).
	NextPage int64
	// Response is the metadata of the response that carried the page.
	Response *Response
}

// position says where a page starts, in whichever style the API uses.
type position struct {
	cursor string
	offset int64
	page   int64
	stop   error // the next page exists but cannot be fetched; yielded instead
}

// fetchFunc fetches the page at pos, sending opts with the request, and
// returns where the next one starts, or nil after the last page.
type fetchFunc[T any] func(ctx context.Context, pos position, opts []RequestOption) (*Page[T], *position, error)

// Pages yields whole pages, for callers who want page boundaries, totals or
// cursors.
func (p *Pager[T]) Pages() iter.Seq2[*Page[T], error] {
	if p.prefetch && p.err == nil && p.ctx != nil {
		return p.prefetchedPages()
	}
	return func(yield func(*Page[T], error) bool) {
		if p.err != nil {
			yield(nil, p.err)
			return
		}
		pos := p.start
		for {
			if pos.stop != nil {
				yield(nil, pos.stop)
				return
			}
			page, next, err := p.fetch(p.ctx, pos, p.opts)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(page, nil) || next == nil {
				return
			}
			pos = *next
		}
	}
}

// Prefetch returns a copy of p that, while the loop works on one page,
// already fetches the next, so that the wait for page n+1 overlaps the
// caller's work on page n:
//
//	for m, err := range client.Memberships.GetGroupMemberships(ctx, groupID, nil).Prefetch().All() {
//
// It never runs more than one page ahead, so at most two pages are held at
// once. When the loop breaks, the fetch in flight is cancelled and waited
// for before the loop statement returns: no goroutine outlives the loop.
// Everything else is as without prefetch: items come in order, an error is
// yielded once, as the last element, and each range starts afresh. A
// CaptureResponse destination is written on the ranging goroutine, when
// the page it describes (or the error) is handed to the loop. p itself is
// unchanged.
//
// The request for the next page is sent before the loop has finished with
// the current one, so a loop that breaks early may have cost one request
// more than without prefetch (its answer is discarded). Prefetch pays off
// when handling a page takes about as long as fetching one.
func (p *Pager[T]) Prefetch() *Pager[T] {
	cp := *p
	cp.prefetch = true
	return &cp
}

// fetched is the outcome of one background page fetch.
type fetched[T any] struct {
	page     *Page[T]
	next     *position
	err      error
	captures []captured
}

// captured is a CaptureResponse destination of a prefetching pager: the
// fetching goroutine writes got, and the ranging goroutine copies it into
// dst, so the caller never sees a write racing with its loop.
type captured struct {
	dst, got *Response
}

// prefetchedPages is Pages with the next page fetched in the background
// while the current one is yielded.
func (p *Pager[T]) prefetchedPages() iter.Seq2[*Page[T], error] {
	return func(yield func(*Page[T], error) bool) {
		ctx, cancel := context.WithCancel(p.ctx)
		var inFlight sync.WaitGroup
		defer func() {
			// Stop the fetch still running (if any) and wait for it, so
			// that nothing is left behind when the loop ends or breaks.
			cancel()
			inFlight.Wait()
		}()
		pending := p.startFetch(ctx, &inFlight, p.start)
		for {
			f := <-pending
			for _, c := range f.captures {
				if c.got.StatusCode != 0 { // a response arrived
					*c.dst = *c.got
				}
			}
			if f.err != nil {
				yield(nil, f.err)
				return
			}
			pending = nil
			if f.next != nil {
				// Only now, with page n in hand, may page n+1 be fetched:
				// never more than one page ahead of the loop.
				pending = p.startFetch(ctx, &inFlight, *f.next)
			}
			if !yield(f.page, nil) || pending == nil {
				return
			}
		}
	}
}

// startFetch fetches the page at pos on a new goroutine and returns the
// channel its outcome will be sent on (buffered: the goroutine never
// blocks, even when nobody receives).
func (p *Pager[T]) startFetch(ctx context.Context, inFlight *sync.WaitGroup, pos position) <-chan fetched[T] {
	out := make(chan fetched[T], 1)
	if pos.stop != nil {
		out <- fetched[T]{err: pos.stop}
		return out
	}
	opts, captures := detachCaptures(p.opts)
	inFlight.Add(1)
	go func() {
		defer inFlight.Done()
		page, next, err := p.fetch(ctx, pos, opts)
		out <- fetched[T]{page: page, next: next, err: err, captures: captures}
	}()
	return out
}

// detachCaptures returns opts with each CaptureResponse pointed at a fresh
// Response of its own, and the destinations to copy those into. opts is
// returned as it is when it captures nothing.
func detachCaptures(opts []RequestOption) ([]RequestOption, []captured) {
	var out []RequestOption
	var captures []captured
	for i, opt := range opts {
		if opt == nil {
			continue
		}
		var ro requestOptions
		if opt(&ro) != nil || ro.response == nil {
			continue // not a capture; an invalid option fails in do as usual
		}
		if out == nil {
			out = slices.Clone(opts)
		}
		c := captured{dst: ro.response, got: new(Response)}
		captures = append(captures, c)
		out[i] = CaptureResponse(c.got)
	}
	if out == nil {
		return opts, nil
	}
	return out, captures
}

// All yields every item of every page. On failure it yields the zero value
// with the error, once, and stops.
func (p *Pager[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for page, err := range p.Pages() {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
		}
	}
}

// Collect gathers up to max items (all of them when max <= 0) into a slice.
// It returns the items gathered so far along with any error.
func (p *Pager[T]) Collect(max int) ([]T, error) {
	var out []T
	for item, err := range p.All() {
		if err != nil {
			return out, err
		}
		out = append(out, item)
		if max > 0 && len(out) >= max {
			break
		}
	}
	return out, nil
}

// failedPager is a Pager whose every range yields err, for list calls whose
// input is invalid: the error surfaces where the caller ranges, and no
// request is ever sent.
func failedPager[T any](err error) *Pager[T] {
	return &Pager[T]{err: err}
}

// newPager returns a pager over fetch starting at start, or a failed pager
// when building r went wrong.
func newPager[T any](ctx context.Context, r *request, opts []RequestOption, start position, fetch fetchFunc[T]) *Pager[T] {
	if r.err != nil {
		return failedPager[T](r.err)
	}
	return &Pager[T]{ctx: ctx, start: start, fetch: fetch, opts: opts}
}

// pagedRequest returns a copy of r whose query is a copy of r's with set
// applied, so each page request leaves the original untouched.
func pagedRequest(r *request, set func(q url.Values)) *request {
	page := *r
	page.query = make(url.Values, len(r.query)+2)
	for k, v := range r.query {
		page.query[k] = v
	}
	set(page.query)
	return &page
}

// newLinkCursorPager pages GitGuardian-style: the body is a bare JSON array
// and the next page is named by the cursor in the Link header's rel="next"
// URL. The cursor is taken out of that URL and put on the original request,
// so the host, scheme and filters always stay the caller's.
func newLinkCursorPager[T any](ctx context.Context, c *Client, r *request, opts []RequestOption) *Pager[T] {
	start := position{cursor: r.query.Get("cursor")}
	fetch := func(ctx context.Context, pos position, opts []RequestOption) (*Page[T], *position, error) {
		req := pagedRequest(r, func(q url.Values) {
			if pos.cursor != "" {
				q.Set("cursor", pos.cursor)
			}
		})
		var items []T
		resp, err := c.do(ctx, req, &items, opts)
		if err != nil {
			return nil, nil, err
		}
		next := nextLinkCursor(resp.Header)
		page := &Page[T]{Items: items, Total: -1, NextCursor: next, HasMore: next != "", Response: resp}
		switch {
		case next == "":
			return page, nil, nil
		case next == pos.cursor:
			// A server that names the same page again would loop forever.
			return page, &position{stop: fmt.Errorf("invitations: %s returned the same cursor twice; stopping", r.api.Name())}, nil
		}
		return page, &position{cursor: next}, nil
	}
	return newPager(ctx, r, opts, start, fetch)
}

// nextLinkCursor returns the cursor query value of the rel="next" link in
// the Link header(s), or "" when there is none (empty or missing header).
func nextLinkCursor(h http.Header) string {
	for _, link := range parseLinkHeader(h.Values("Link")) {
		if link.rel != "next" {
			continue
		}
		u, err := url.Parse(link.target)
		if err != nil {
			return ""
		}
		return u.Query().Get("cursor")
	}
	return ""
}

type webLink struct {
	target string
	rel    string
}

// parseLinkHeader parses RFC 8288 Link header values: comma-separated
// "<uri>; param=value" entries, where the URI may itself contain commas and
// semicolons (they are inside the angle brackets).
func parseLinkHeader(values []string) []webLink {
	var links []webLink
	for _, v := range values {
		for {
			open := strings.IndexByte(v, '<')
			if open < 0 {
				break
			}
			end := strings.IndexByte(v[open:], '>')
			if end < 0 {
				break
			}
			link := webLink{target: v[open+1 : open+end]}
			v = v[open+end+1:]
			// Parameters run to the next comma outside quotes.
			params, rest := v, ""
			inQuote := false
			for i := 0; i < len(v); i++ {
				if v[i] == '"' {
					inQuote = !inQuote
				} else if v[i] == ',' && !inQuote {
					params, rest = v[:i], v[i+1:]
					break
				}
			}
			v = rest
			for _, param := range strings.Split(params, ";") {
				name, value, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.EqualFold(strings.TrimSpace(name), "rel") {
					// rel may hold several space-separated types.
					for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
						if strings.EqualFold(rel, "next") {
							link.rel = "next"
						} else if link.rel == "" {
							link.rel = strings.ToLower(rel)
						}
					}
				}
			}
			links = append(links, link)
		}
	}
	return links
}

// offsetPage is what an offset-paged response says about itself.
type offsetPage[T any] struct {
	items []T
	total int64 // -1 when the API does not report it
	limit int64 // page size the server applied; 0 when not reported
}

// offsetStyle names the query parameters of an offset-paged API and its
// largest accepted offset (0 for none).
type offsetStyle struct {
	limitKey, offsetKey string
	maxOffset           int64
	// offsetRejected, when set, reports whether err, the answer to the
	// page at offset, means the API refuses that offset; advanced says
	// the pager moved there itself (only the offset differs from a page
	// that succeeded). The pager then yields ErrOffsetLimit wrapping err.
	offsetRejected func(err error, offset int64, advanced bool) bool
}

// newOffsetPager pages by limit and offset. The next offset is this offset
// plus the limit the server applied (Box's rule: not the item count). The
// list ends at the reported total, on an empty page, or, when no total is
// reported, on a short page. An offset past the API's maximum is not sent:
// the pager yields ErrOffsetLimit instead of stopping silently, as it does
// when the API refuses an offset (style.offsetRejected).
func newOffsetPager[T, E any](ctx context.Context, c *Client, r *request, opts []RequestOption, style offsetStyle, unpack func(*E) offsetPage[T]) *Pager[T] {
	startOffset, _ := strconv.ParseInt(r.query.Get(style.offsetKey), 10, 64)
	requested, _ := strconv.ParseInt(r.query.Get(style.limitKey), 10, 64)
	fetch := func(ctx context.Context, pos position, opts []RequestOption) (*Page[T], *position, error) {
		req := pagedRequest(r, func(q url.Values) {
			q.Set(style.offsetKey, strconv.FormatInt(pos.offset, 10))
		})
		var envelope E
		resp, err := c.do(ctx, req, &envelope, opts)
		if err != nil {
			if style.offsetRejected != nil && style.offsetRejected(err, pos.offset, pos.offset != startOffset) {
				return nil, nil, fmt.Errorf("%w: %s refused offset %d: %w", ErrOffsetLimit, r.api.Name(), pos.offset, err)
			}
			return nil, nil, err
		}
		got := unpack(&envelope)
		limit := got.limit
		if limit <= 0 {
			limit = requested
		}
		if limit <= 0 {
			limit = int64(len(got.items))
		}
		nextOffset := pos.offset + limit
		more := len(got.items) > 0 && limit > 0
		if got.total >= 0 {
			more = more && nextOffset < got.total
		} else {
			more = more && int64(len(got.items)) >= limit
		}
		page := &Page[T]{Items: got.items, Total: got.total, HasMore: more, Response: resp}
		if !more {
			return page, nil, nil
		}
		page.NextOffset = nextOffset
		if style.maxOffset > 0 && nextOffset > style.maxOffset {
			return page, &position{stop: fmt.Errorf("%w: %s accepts offsets up to %d; the next page starts at %d of %s",
				ErrOffsetLimit, r.api.Name(), style.maxOffset, nextOffset, totalText(got.total))}, nil
		}
		return page, &position{offset: nextOffset}, nil
	}
	return newPager(ctx, r, opts, position{offset: startOffset}, fetch)
}

func totalText(total int64) string {
	if total < 0 {
		return "an unknown total"
	}
	return strconv.FormatInt(total, 10) + " items"
}

// numberedPage is what a page-number-paged response says about itself.
type numberedPage[T any] struct {
	items    []T
	nextPage int64 // the next page number; <= 0 or absent ends the list
	total    int64 // -1 when not reported
}

// newPageNumberPager pages by page number: pageKey carries the number of
// the page to fetch, starting at firstPage, and each response names the
// next page (Portworx: -1 or absent at the end).
func newPageNumberPager[T, E any](ctx context.Context, c *Client, r *request, opts []RequestOption, pageKey string, firstPage int64, unpack func(*E) numberedPage[T]) *Pager[T] {
	start := firstPage
	if v, err := strconv.ParseInt(r.query.Get(pageKey), 10, 64); err == nil {
		start = v
	}
	fetch := func(ctx context.Context, pos position, opts []RequestOption) (*Page[T], *position, error) {
		req := pagedRequest(r, func(q url.Values) {
			q.Set(pageKey, strconv.FormatInt(pos.page, 10))
		})
		var envelope E
		resp, err := c.do(ctx, req, &envelope, opts)
		if err != nil {
			return nil, nil, err
		}
		got := unpack(&envelope)
		// Only a later page continues the list: a server naming the same
		// or an earlier page would otherwise loop forever.
		more := got.nextPage > 0 && got.nextPage > pos.page
		page := &Page[T]{Items: got.items, Total: got.total, HasMore: more, Response: resp}
		if !more {
			return page, nil, nil
		}
		page.NextPage = got.nextPage
		return page, &position{page: got.nextPage}, nil
	}
	return newPager(ctx, r, opts, position{page: start}, fetch)
}
