package invitations

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/invitesdk/invitations/models"
)

// cursorPages answers GitGuardian list requests with pages of one
// invitation each, linking page n to page n+1 until last; failAt (when > 0)
// answers that page with a 500.
func cursorPages(t *testing.T, env *testEnv, last, failAt int) *recorder {
	t.Helper()
	rec := &recorder{}
	env.mock.RegisterResponder(http.MethodGet, testGitGuardianBase+"/v1/invitations", func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		n := 1
		if c := req.URL.Query().Get("cursor"); c != "" {
			n, _ = strconv.Atoi(c)
		}
		if n == failAt {
			return jsonResponse(req, 500, `{"detail":"Server error."}`), nil
		}
		body := fmt.Sprintf(`[{"id":%d,"email":"u%d@example.com","access_level":"member","date":"2024-01-01T00:00:00Z"}]`, n, n)
		if n < last {
			return jsonResponse(req, 200, body, "Link", fmt.Sprintf(`<https://api.gitguardian.com/v1/invitations?cursor=%d>; rel="next"`, n+1)), nil
		}
		return jsonResponse(req, 200, body, "Link", ""), nil
	})
	return rec
}

func ids(t *testing.T, pager *Pager[models.Invitation]) []int64 {
	t.Helper()
	var out []int64
	for inv, err := range pager.All() {
		require.NoError(t, err)
		out = append(out, inv.ID)
	}
	return out
}

func TestPagerIsLazy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 3, 0)
	pager := env.client.Invitations.ListInvitations(t.Context(), nil)
	assert.Zero(t, rec.count(), "no request before the pager is ranged")
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	assert.Equal(t, 3, rec.count())
}

func TestPagerEarlyBreakSendsNoFurtherRequest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 10, 0)
	for inv, err := range env.client.Invitations.ListInvitations(t.Context(), nil).All() {
		require.NoError(t, err)
		if inv.ID == 2 {
			break
		}
	}
	assert.Equal(t, 2, rec.count())
}

func TestPagerRangedTwiceStartsOver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 3, 0)
	opts := &ListInvitationsOptions{PerPage: 1}
	pager := env.client.Invitations.ListInvitations(t.Context(), opts)
	opts.PerPage = 99 // the pager keeps the options it was given
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	reqs := rec.all()
	require.Len(t, reqs, 6)
	assert.Equal(t, "per_page=1", reqs[0].Query)
	assert.Equal(t, "per_page=1", reqs[3].Query, "the second range starts from the first page")
}

func TestPagerYieldsErrorOnceAndStops(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	rec := cursorPages(t, env, 5, 3)
	var got []int64
	var errs []error
	for inv, err := range env.client.Invitations.ListInvitations(t.Context(), nil).All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, inv.ID)
	}
	assert.Equal(t, []int64{1, 2}, got)
	require.Len(t, errs, 1)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, 3, rec.count())
}

func TestPagerStopsOnRepeatedCursor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, `[]`, "Link", `<https://api.gitguardian.com/v1/invitations?cursor=same>; rel="next"`))
	_, err := env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{Cursor: "same"}).Collect(0)
	require.ErrorContains(t, err, "same cursor")
	assert.Equal(t, 1, rec.count())
}

func TestPagerCollectStopsAtMax(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 10, 0)
	got, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(2)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 2, rec.count())
}

func TestOffsetPagerEndsOnShortPageWithoutTotal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/groups/1/memberships",
		jsonReply(200, `{"entries":[{"id":"a"},{"id":"b"}]}`),
		jsonReply(200, `{"entries":[{"id":"c"}]}`))
	r := newRequest(Box, http.MethodGet, "groups/1/memberships", Idempotent).withQuery(&ListMembershipsOptions{Limit: 2})
	pager := newOffsetPager(t.Context(), env.client, r, nil, offsetStyle{limitKey: "limit", offsetKey: "offset"},
		func(p *models.GroupMemberships) offsetPage[models.GroupMembership] {
			return offsetPage[models.GroupMembership]{items: p.Entries, total: -1}
		})
	got, err := pager.Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 3)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=2&offset=2", reqs[1].Query)
}

func TestPageNumberPager(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/things",
		jsonReply(200, `{"items":["a"],"nextPage":"2"}`),
		jsonReply(200, `{"items":["b"],"nextPage":-1}`))
	// nextPage arrives as a string (protojson int64) on the first page.
	rec2 := env.route(http.MethodGet, testPortworxBase+"/core/v1/others",
		jsonReply(200, `{"items":["x"]}`))
	unpack := func(e *struct {
		Items    []string     `json:"items"`
		NextPage numberString `json:"nextPage"`
	}) numberedPage[string] {
		return numberedPage[string]{items: e.Items, nextPage: int64(e.NextPage), total: -1}
	}
	r := newRequest(Portworx, http.MethodGet, "core/v1/things", Idempotent)
	got, err := newPageNumberPager(t.Context(), env.client, r, nil, "pagination.pageNumber", 1, unpack).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "pagination.pageNumber=1", reqs[0].Query)
	assert.Equal(t, "pagination.pageNumber=2", reqs[1].Query)

	got, err = newPageNumberPager(t.Context(), env.client, newRequest(Portworx, http.MethodGet, "core/v1/others", Idempotent), nil, "pagination.pageNumber", 1, unpack).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, got)
	assert.Equal(t, 1, rec2.count(), "an absent nextPage ends the list")
}

// numberString decodes a JSON number or a numeric string.
type numberString int64

func (n *numberString) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) > 1 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = numberString(v)
	return err
}

func TestParseLinkHeader(t *testing.T) {
	t.Parallel()
	h := func(values ...string) http.Header { return http.Header{"Link": values} }
	cases := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"missing", http.Header{}, ""},
		{"empty", h(""), ""},
		{"next only", h(`<https://api.gitguardian.com/v1/invitations?cursor=cD0xNA%3D%3D&per_page=2>; rel="next"`), "cD0xNA=="},
		{"prev then next without space", h(`<http://api.gitguardian.com/v1/members?cursor=prev>; rel="prev",<http://api.gitguardian.com/v1/members?cursor=cD0xNTA%3D>; rel="next"`), "cD0xNTA="},
		{"separate headers", h(`<https://x/v1/i?cursor=p>; rel="prev"`, `<https://x/v1/i?cursor=n>; rel="next"`), "n"},
		{"comma inside URL", h(`<https://x/v1/i?tags=A,B&cursor=c1>; rel="next"`), "c1"},
		{"unquoted rel and extra params", h(`<https://x/v1/i?cursor=c2>; title="a, b"; rel=next`), "c2"},
		{"only prev", h(`<https://x/v1/i?cursor=p>; rel="prev"`), ""},
		{"garbage", h(`not a link`), ""},
		{"unterminated", h(`<https://x/v1/i?cursor=c3; rel="next"`), ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, nextLinkCursor(tc.header), tc.name)
	}
}

// pageServer is a loopback GitGuardian server listing pages invitations
// in pages of perPage, linked by cursor (the page number). It counts the
// page requests it received and answers page failAt (when > 0) with 500;
// block, when set, runs before a page is answered and can hold it.
type pageServer struct {
	srv     *httptest.Server
	client  *Client
	pages   int
	perPage int
	failAt  int
	block   func(r *http.Request, page int)

	started atomic.Int64 // page requests received
}

func newPageServer(t *testing.T, pages, perPage int, opts ...Option) *pageServer {
	t.Helper()
	ps := &pageServer{pages: pages, perPage: perPage}
	ps.srv = httptest.NewServer(http.HandlerFunc(ps.serve))
	c, err := NewClient(append([]Option{
		WithGitGuardianBaseURL(ps.srv.URL),
		WithGitGuardianAPIKey(testGitGuardianKey),
		WithRetryWait(0, 0),
	}, opts...)...)
	require.NoError(t, err)
	ps.client = c
	t.Cleanup(ps.close)
	return ps
}

// close shuts the server and the client's idle connections, so that no
// goroutine of either is left.
func (ps *pageServer) close() {
	ps.srv.Close()
	closeIdleConnections(ps.client)
}

func (ps *pageServer) serve(w http.ResponseWriter, r *http.Request) {
	ps.started.Add(1)
	page := 1
	if c := r.URL.Query().Get("cursor"); c != "" {
		page, _ = strconv.Atoi(c)
	}
	if ps.block != nil {
		ps.block(r, page)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Page", strconv.Itoa(page))
	if page == ps.failAt {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"detail":"Server error."}`))
		return
	}
	if page < ps.pages {
		w.Header().Set("Link", fmt.Sprintf(`<%s/v1/invitations?cursor=%d>; rel="next"`, ps.srv.URL, page+1))
	}
	b := []byte{'['}
	for i := range ps.perPage {
		if i > 0 {
			b = append(b, ',')
		}
		id := (page-1)*ps.perPage + i + 1
		b = fmt.Appendf(b, `{"id":%d,"email":"u%d@example.com","access_level":"member","date":"2024-01-01T00:00:00Z"}`, id, id)
	}
	b = append(b, ']')
	_, _ = w.Write(b)
}

func (ps *pageServer) pager(ctx context.Context, reqOpts ...RequestOption) *Pager[models.Invitation] {
	return ps.client.Invitations.ListInvitations(ctx, nil, reqOpts...)
}

// closeIdleConnections closes the idle keep-alive connections of c's
// transport (the SDK default one), ending their goroutines.
func closeIdleConnections(c *Client) {
	c.CloseIdleConnections()
}

func TestPrefetchPreservesOrder(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 7, 3)
	got := ids(t, ps.pager(t.Context()).Prefetch())
	want := make([]int64, 21)
	for i := range want {
		want[i] = int64(i + 1)
	}
	assert.Equal(t, want, got)
	assert.EqualValues(t, 7, ps.started.Load(), "each page fetched once")
}

func TestPrefetchRunsAtMostOnePageAhead(t *testing.T) {
	t.Parallel()
	const pages = 6
	ps := newPageServer(t, pages, 2)
	var finished atomic.Int64 // pages the loop is done with
	var mu sync.Mutex
	var violations []string
	ps.block = func(_ *http.Request, page int) {
		// While the loop works on page n (n-1 finished), only page n+1
		// may be requested.
		if done := finished.Load(); int64(page) > done+2 {
			mu.Lock()
			violations = append(violations, fmt.Sprintf("page %d requested with %d pages finished", page, done))
			mu.Unlock()
		}
	}
	n := 0
	for page, err := range ps.pager(t.Context()).Prefetch().Pages() {
		require.NoError(t, err)
		n++
		require.Len(t, page.Items, 2)
		assert.EqualValues(t, 2*n-1, page.Items[0].ID)
		// The next page is being fetched while this one is handled...
		want := int64(min(n+1, pages))
		require.Eventually(t, func() bool { return ps.started.Load() >= want }, 5*time.Second, time.Millisecond,
			"page %d was not prefetched while page %d was handled", n+1, n)
		// ...and none after it, however long the loop takes.
		time.Sleep(10 * time.Millisecond)
		assert.Equal(t, want, ps.started.Load(), "requests while handling page %d", n)
		finished.Add(1)
	}
	assert.Equal(t, pages, n)
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, violations)
}

// The early-break test is not parallel: it checks that no goroutine is left
// behind once the loop has returned.
func TestPrefetchEarlyBreakCancelsInFlightFetch(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ps := newPageServer(t, 10, 2)
	page2Started := make(chan struct{})
	page2Cancelled := make(chan bool, 1)
	ps.block = func(r *http.Request, page int) {
		if page != 2 {
			return
		}
		close(page2Started)
		select {
		case <-r.Context().Done():
			page2Cancelled <- true
		case <-time.After(10 * time.Second):
			page2Cancelled <- false // the client never gave up on it
		}
	}
	var got []int64
	for inv, err := range ps.pager(t.Context()).Prefetch().All() {
		require.NoError(t, err)
		got = append(got, inv.ID)
		<-page2Started // the prefetch of page 2 is in flight
		break
	}
	assert.Equal(t, []int64{1}, got)
	assert.True(t, <-page2Cancelled, "the in-flight fetch of page 2 was cancelled when the loop broke")
	assert.EqualValues(t, 2, ps.started.Load(), "no page after the in-flight one was requested")
	ps.close()
}

func TestPrefetchYieldsErrorOnceAndStops(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 5, 2, WithMaxRetries(0))
	ps.failAt = 3
	var got []int64
	var errs []error
	for inv, err := range ps.pager(t.Context()).Prefetch().All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, inv.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4}, got)
	require.Len(t, errs, 1)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.EqualValues(t, 3, ps.started.Load(), "nothing is fetched after the failed page")
}

func TestPrefetchRangedTwiceStartsOver(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 3, 2)
	pager := ps.pager(t.Context()).Prefetch()
	first := ids(t, pager)
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, first)
	assert.Equal(t, first, ids(t, pager))
	assert.EqualValues(t, 6, ps.started.Load())
}

func TestPrefetchLeavesOriginalSequential(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 5, 1)
	pager := ps.pager(t.Context())
	_ = pager.Prefetch()
	got, err := pager.Collect(2)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.EqualValues(t, 2, ps.started.Load(), "the original pager does not fetch ahead")
}

func TestPrefetchCapturesResponseOfThePageInHand(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 4, 1)
	var resp Response
	n := 0
	for page, err := range ps.pager(t.Context(), CaptureResponse(&resp)).Prefetch().Pages() {
		require.NoError(t, err)
		n++
		// Wait for the next page to be fetched: resp must still describe
		// this one (and the race detector sees no concurrent write).
		want := int64(min(n+1, 4))
		require.Eventually(t, func() bool { return ps.started.Load() >= want }, 5*time.Second, time.Millisecond)
		time.Sleep(5 * time.Millisecond)
		assert.Equal(t, strconv.Itoa(n), resp.Header.Get("X-Page"))
		assert.Equal(t, page.Response.Header.Get("X-Page"), resp.Header.Get("X-Page"))
	}
	assert.Equal(t, 4, n)
}

func TestPrefetchStopPositionYieldedOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, `[{"id":1,"email":"a@example.com","access_level":"member","date":"2024-01-01T00:00:00Z"}]`,
			"Link", `<https://api.gitguardian.com/v1/invitations?cursor=same>; rel="next"`))
	var got []int64
	var errs []error
	for inv, err := range env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{Cursor: "same"}).Prefetch().All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, inv.ID)
	}
	assert.Equal(t, []int64{1}, got)
	require.Len(t, errs, 1)
	assert.ErrorContains(t, errs[0], "same cursor")
	assert.Equal(t, 1, rec.count())
}

func TestPrefetchInvalidInputYieldsErrorWithoutRequest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations", jsonReply(200, `[]`))
	var errs []error
	for _, err := range env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{PerPage: 1000}).Prefetch().All() {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var verr *ValidationError
	assert.ErrorAs(t, errs[0], &verr)
	errs = nil
	//lint:ignore SA1012 a nil context is the input under test
	for _, err := range env.client.Invitations.ListInvitations(nil, nil).Prefetch().All() {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorAs(t, errs[0], &verr)
	assert.Zero(t, rec.count())
}

func TestPrefetchCallerCancellation(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, 10, 1)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range ps.pager(ctx).Prefetch().All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	require.Len(t, errs, 1)
	assert.True(t, errors.Is(errs[0], context.Canceled), "got %v", errs[0])
	assert.LessOrEqual(t, n, 3, "at most the page fetched before the cancellation is still handed over")
}

func TestPrefetchRunsHooksOnTheFetchingGoroutineWhileTheLoopRuns(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex // the hook's state is shared with the loop body: hooks must be safe for concurrent use
	var pagesHooked []int
	ps := newPageServer(t, 5, 2, WithRequestHook(func(info RequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		pagesHooked = append(pagesHooked, info.StatusCode)
	}))
	n := 0
	for _, err := range ps.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{PerPage: 2}).Prefetch().All() {
		require.NoError(t, err)
		mu.Lock()
		_ = len(pagesHooked) // read while the next page's hook may be running
		mu.Unlock()
		n++
	}
	assert.Equal(t, 10, n)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []int{200, 200, 200, 200, 200}, pagesHooked, "one hook call per page fetched")
}
