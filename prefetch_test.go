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
