package invitations

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// These tests hold behaviours the rest of the suite could lose without a
// failure: each breaks when the line it names is changed.

func TestRetryWaitEndsWhenContextCancelledDuringWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var asked atomic.Int64
	// Real waits: the hook passes the 30 s through, and arms the cancel
	// only once the wait is about to start, so it lands during the wait.
	env := newTestEnv(t, WithMaxRetries(1), withBackoffHook(func(d time.Duration) time.Duration {
		asked.Store(int64(d))
		time.AfterFunc(50*time.Millisecond, cancel)
		return d
	}))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(429, `{"type":"error","status":429,"code":"rate_limit_exceeded"}`, "Retry-After", "30"))

	start := time.Now()
	_, err := env.client.Memberships.GetGroupMembershipByID(ctx, "1", nil)
	elapsed := time.Since(start)

	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, rec.count(), "no attempt after the cancel")
	assert.Equal(t, 30*time.Second, time.Duration(asked.Load()), "a 30 s wait had started")
	assert.Less(t, elapsed, 10*time.Second, "the wait ended with the context, not after 30 s")
}

func TestCheckRetryStopsOnceContextDone(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	base := withRetryClass(t.Context(), Idempotent)
	resp := func(status int) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{}}
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	outcomes := map[string]struct {
		resp *http.Response
		err  error
	}{
		"429":          {resp(429), nil},
		"503":          {resp(503), nil},
		"dial refused": {nil, refused},
		"read reset":   {nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}},
		"500":          {resp(500), nil},
	}

	// With a live context every one of these is retried...
	for name, o := range outcomes {
		retry, err := env.client.checkRetry(base, o.resp, o.err)
		require.NoError(t, err, name)
		require.True(t, retry, "%s is retried while the context lives", name)
	}

	// ...and none once the context is done, whichever way it ended.
	cancelled, cancel := context.WithCancel(base)
	cancel()
	expired, cancel2 := context.WithDeadline(base, time.Now().Add(-time.Second))
	defer cancel2()
	for ctxName, c := range map[string]struct {
		ctx  context.Context
		want error
	}{"cancelled": {cancelled, context.Canceled}, "deadline": {expired, context.DeadlineExceeded}} {
		for name, o := range outcomes {
			retry, err := env.client.checkRetry(c.ctx, o.resp, o.err)
			assert.False(t, retry, "%s after the context is %s", name, ctxName)
			if o.resp != nil {
				// An answer that arrived is kept: the server may have acted
				// on the request, and the caller must see what it said.
				assert.NoError(t, err, "%s after the context is %s", name, ctxName)
			} else {
				assert.ErrorIs(t, err, c.want, "%s after the context is %s", name, ctxName)
			}
		}
	}
}

func TestRetryAfterHonouredOn503(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t) // zero backoff of its own: any wait seen is the server's
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(503, `{"type":"error","status":503,"code":"unavailable"}`, "Retry-After", "7"),
		jsonReply(200, `{"type":"group_membership","id":"1"}`))
	m, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, "1", m.ID)
	assert.Equal(t, 2, rec.count())
	assert.Equal(t, []time.Duration{7 * time.Second}, env.retryWaits(), "the wait is the 503's Retry-After")
}

func TestJitteredBackoffVariesBetweenDraws(t *testing.T) {
	t.Parallel()
	for _, attempt := range []int{0, 3, 40} { // first wait, a middle one, one at the ceiling
		seen := map[time.Duration]bool{}
		for range 20 {
			seen[jitteredBackoff(time.Second, time.Minute, attempt)] = true
		}
		// 20 draws from more than half a second of nanoseconds: the same
		// value every time means there is no jitter.
		assert.Greater(t, len(seen), 1, "attempt %d: every draw gave the same wait", attempt)
	}
}

func TestBoxNextOffsetUsesLimitTheServerApplied(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Asked for 5, Box applied 3 and sent only 2 entries: the next page
	// starts at 0+3, neither at 5 (the request) nor at 2 (the count).
	rec := env.route(http.MethodGet, testBoxBase+"/groups/57645/memberships",
		jsonReply(200, `{"total_count":6,"limit":3,"offset":0,"entries":[
			{"type":"group_membership","id":"m1"},{"type":"group_membership","id":"m2"}]}`),
		jsonReply(200, `{"total_count":6,"limit":3,"offset":3,"entries":[
			{"type":"group_membership","id":"m4"},{"type":"group_membership","id":"m5"},{"type":"group_membership","id":"m6"}]}`))

	var pages []*Page[models.GroupMembership]
	for page, err := range env.client.Memberships.GetGroupMemberships(t.Context(), "57645", &ListMembershipsOptions{Limit: 5}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=5&offset=0", reqs[0].Query)
	assert.Equal(t, "limit=5&offset=3", reqs[1].Query)
	require.Len(t, pages, 2)
	assert.Equal(t, int64(3), pages[0].NextOffset)
	assert.False(t, pages[1].HasMore, "offset 3 + limit 3 reaches total_count 6")
}

func TestCallersHTTPClientIsLeftUnchanged(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, http.StatusFound, "")
		resp.Header.Set("Location", testBoxBase+"/group_memberships/2")
		return resp, nil
	})
	mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/2",
		httpmock.NewStringResponder(200, `{"type":"group_membership","id":"2"}`))
	var callerPolicyCalls atomic.Int32
	callerPolicy := func(*http.Request, []*http.Request) error {
		callerPolicyCalls.Add(1)
		return nil
	}
	hc := &http.Client{Transport: mock, CheckRedirect: callerPolicy, Timeout: 42 * time.Second}

	unchanged := func(when string) {
		t.Helper()
		assert.Same(t, mock, hc.Transport, "Transport %s", when)
		assert.Equal(t, reflect.ValueOf(callerPolicy).Pointer(), reflect.ValueOf(hc.CheckRedirect).Pointer(), "CheckRedirect %s", when)
		assert.Nil(t, hc.Jar, "Jar %s", when)
		assert.Equal(t, 42*time.Second, hc.Timeout, "Timeout %s", when)
		// The caller's policy is still only theirs: it allows what the
		// SDK's guard would refuse (https to http).
		from := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "https", Host: "api.box.com"}}
		to := &http.Request{Method: http.MethodGet, URL: &url.URL{Scheme: "http", Host: "api.box.com"}, Header: http.Header{}}
		assert.NoError(t, hc.CheckRedirect(to, []*http.Request{from}), "CheckRedirect %s", when)
	}

	// A hook makes the Client wrap the transport as well as the redirect policy.
	c, err := NewClient(WithHTTPClient(hc), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0),
		WithRequestHook(func(RequestInfo) {}))
	require.NoError(t, err)
	unchanged("after NewClient")
	callerPolicyCalls.Store(0)

	m, err := c.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, "2", m.ID, "the redirect was followed")
	assert.Equal(t, int32(1), callerPolicyCalls.Load(), "the caller's policy ran on the redirect, after the SDK's")
	unchanged("after a redirected call")
}

func TestRedirectLoopStopsAtTen(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0)) // one attempt: the count is the redirect chain alone
	var hops atomic.Int32
	env.mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		if hops.Add(1) > 50 {
			// A bound for the test itself: without the cap the loop would
			// end here, in a success.
			return jsonResponse(req, 200, `{"type":"group_membership","id":"1"}`), nil
		}
		resp := jsonResponse(req, http.StatusFound, "")
		resp.Header.Set("Location", testBoxBase+"/group_memberships/1")
		return resp, nil
	})
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.Error(t, err)
	// net/http's own rule: a chain of at most 10 requests (the
	// first and 9 redirects), then "stopped after 10 redirects".
	assert.Equal(t, int32(10), hops.Load(), "requests in the redirect chain")
}

func TestListGitTokensEmptyIsAlwaysEmptySlice(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty array": `{"tokens": []}`,
		"null":        `{"tokens": null}`,
		"absent":      `{}`,
	} {
		env := newTestEnv(t)
		env.route(http.MethodGet, fsIdentityURL+"/tokens", jsonReply(200, body))
		got, err := env.client.Identity.ListGitTokens(t.Context(), fsIdentity)
		require.NoError(t, err, name)
		assert.NotNil(t, got, "%s: an empty list is [], not nil", name)
		assert.Empty(t, got, name)
		enc, err := json.Marshal(got)
		require.NoError(t, err)
		assert.JSONEq(t, `[]`, string(enc), name)
	}
}
