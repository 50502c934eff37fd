package invitations

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Pager lists a collection page by page. A list method returns it at once,
// without I/O. Ranging over All or Pages fetches pages lazily as the loop
// advances, stops fetching as soon as the loop breaks, and yields an error
// at most once, as the last element. A Pager can be ranged again: each
// range starts afresh from the options the list method was given.
type Pager[T any] struct {
	ctx   context.Context
	err   error // invalid input, yielded by the first range without any I/O
	start position
	fetch fetchFunc[T]
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

// fetchFunc fetches the page at pos and returns where the next one starts,
// or nil after the last page.
type fetchFunc[T any] func(ctx context.Context, pos position) (*Page[T], *position, error)

// Pages yields whole pages, for callers who want page boundaries, totals or
// cursors.
func (p *Pager[T]) Pages() iter.Seq2[*Page[T], error] {
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
			page, next, err := p.fetch(p.ctx, pos)
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
func newPager[T any](ctx context.Context, r *request, start position, fetch fetchFunc[T]) *Pager[T] {
	if r.err != nil {
		return failedPager[T](r.err)
	}
	return &Pager[T]{ctx: ctx, start: start, fetch: fetch}
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
	fetch := func(ctx context.Context, pos position) (*Page[T], *position, error) {
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
			return page, &position{stop: fmt.Errorf("invitations: %s returned the same cursor twice; stopping", c.cfg.apis[r.api].name)}, nil
		}
		return page, &position{cursor: next}, nil
	}
	return newPager(ctx, r, start, fetch)
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
}

// newOffsetPager pages by limit and offset. The next offset is this offset
// plus the limit the server applied (Box's rule: not the item count). The
// list ends at the reported total, on an empty page, or, when no total is
// reported, on a short page. An offset past the API's maximum is not sent:
// the pager yields ErrOffsetLimit instead of stopping silently.
func newOffsetPager[T, E any](ctx context.Context, c *Client, r *request, opts []RequestOption, style offsetStyle, unpack func(*E) offsetPage[T]) *Pager[T] {
	startOffset, _ := strconv.ParseInt(r.query.Get(style.offsetKey), 10, 64)
	requested, _ := strconv.ParseInt(r.query.Get(style.limitKey), 10, 64)
	fetch := func(ctx context.Context, pos position) (*Page[T], *position, error) {
		req := pagedRequest(r, func(q url.Values) {
			q.Set(style.offsetKey, strconv.FormatInt(pos.offset, 10))
		})
		var envelope E
		resp, err := c.do(ctx, req, &envelope, opts)
		if err != nil {
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
				ErrOffsetLimit, c.cfg.apis[r.api].name, style.maxOffset, nextOffset, totalText(got.total))}, nil
		}
		return page, &position{offset: nextOffset}, nil
	}
	return newPager(ctx, r, position{offset: startOffset}, fetch)
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
	fetch := func(ctx context.Context, pos position) (*Page[T], *position, error) {
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
	return newPager(ctx, r, position{page: start}, fetch)
}
