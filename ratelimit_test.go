package invitations

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestRateLimitDefaultsFollowThePublishedBudgets(t *testing.T) {
	t.Parallel()
	c, err := NewClient()
	require.NoError(t, err)
	assert.Equal(t, rate.Limit(1000.0/60), c.limitsOf(Box).limiter.Limit(), "Box: about 1000 per minute per user")
	assert.Equal(t, rate.Limit(50.0/60), c.limitsOf(GitGuardian).limiter.Limit(), "GitGuardian: the lowest published budget")
	for _, api := range []API{BIMData, Freestyle, Portworx} {
		assert.Nil(t, c.limitsOf(api).limiter, "%s publishes no budget", api)
	}

	selfHosted, err := NewClient(WithGitGuardianBaseURL("https://gitguardian.example.com/exposed"))
	require.NoError(t, err)
	assert.Nil(t, selfHosted.limitsOf(GitGuardian).limiter, "self-hosted GitGuardian has no default limit")

	set, err := NewClient(WithRateLimit(GitGuardian, GitGuardianServiceAccountBusiness, 0), WithRateLimit(Box, 0, 0))
	require.NoError(t, err)
	assert.Equal(t, rate.Limit(1000.0/60), set.limitsOf(GitGuardian).limiter.Limit())
	assert.Equal(t, 16, set.limitsOf(GitGuardian).limiter.Burst(), "a default burst is one second's worth")
	assert.Nil(t, set.limitsOf(Box).limiter, "0, 0 turns it off")
}

func TestRateLimitRejectsBadSettings(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"negative rate":       WithRateLimit(Box, -1, 1),
		"negative burst":      WithRateLimit(Box, 10, -1),
		"burst without rate":  WithRateLimit(Box, 0, 5),
		"unknown API":         WithRateLimit(API("acme"), 10, 1),
		"negative concurrent": WithMaxConcurrency(Box, -1),
		"unknown API cap":     WithMaxConcurrency(API(""), 1),
	} {
		_, err := NewClient(opt)
		assert.ErrorIs(t, err, ErrInvalidParameter, name)
	}
}

func TestRateLimitPacesCallsAndNamesTheWait(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithRateLimit(Box, 60, 1))
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	for range 3 {
		require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	}
	assert.Equal(t, 3, rec.count())
	turns := env.turnWaits()
	require.Len(t, turns, 2, "the first call had a token; the next two waited for theirs")
	assert.InDelta(t, float64(time.Second), float64(turns[0]), float64(100*time.Millisecond))
	assert.InDelta(t, float64(2*time.Second), float64(turns[1]), float64(100*time.Millisecond))
}

func TestRateLimitWaitPastTheDeadlineFailsAtOnceWithoutSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithRateLimit(Box, 1, 1)) // one a minute
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err := env.client.Memberships.DeleteGroupMembershipByID(ctx, "1")
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrNotSent)
	var wait *RateLimitWaitError
	require.ErrorAs(t, err, &wait)
	assert.Greater(t, wait.Wait, 50*time.Second)
	assert.Equal(t, 1, rec.count(), "the second call was never sent")
	assert.Empty(t, env.turnWaits(), "and did not wait")
	assert.Nil(t, ctx.Err(), "it returned at once, well before its deadline")
}

func TestOne429PausesTheAPIForEveryone(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
		jsonReply(429, `{"message":"slow down"}`, "Retry-After", "30"),
		jsonReply(200, `{"identities":[],"offset":0,"total":0}`))
	_, err := env.client.Identity.ListIdentities(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	// Another call to the same API, from anywhere, waits out the pause too.
	other := env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities", jsonReply(200, `{"id":"i-1"}`))
	_, err = env.client.Identity.CreateIdentity(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, rec.count())
	assert.Equal(t, 1, other.count())
	turns := env.turnWaits()
	require.Len(t, turns, 2, "the retry and the other call both waited at the gate")
	for _, d := range turns {
		assert.InDelta(t, float64(30*time.Second), float64(d), float64(time.Second))
	}

	// Another API is not paused.
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Len(t, env.turnWaits(), 2)
}

func TestPauseIsCappedByMaxRetryAfterAndEndsAtTheDeadline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetryAfter(10*time.Second))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(429, `{"type":"error","status":429,"code":"rate_limit_exceeded"}`, "Retry-After", "100"))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.ErrorIs(t, err, ErrRateLimited, "beyond the cap: returned at once")

	del := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	turns := env.turnWaits()
	require.Len(t, turns, 1)
	assert.Equal(t, 10*time.Second, turns[0], "the pause is waited for at most WithMaxRetryAfter")

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	err = env.client.Memberships.DeleteGroupMembershipByID(ctx, "1")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrNotSent)
	assert.Equal(t, 1, del.count())
}

func TestDerivedClientsShareLimitsUnlessTheySetTheirOwn(t *testing.T) {
	t.Parallel()
	parent, err := NewClient(WithMaxConcurrency(Box, 4))
	require.NoError(t, err)
	same, err := parent.With(WithBoxAccessToken("box-tenant-token"))
	require.NoError(t, err)
	own, err := parent.With(WithRateLimit(Box, 10, 1), WithMaxConcurrency(Box, 2))
	require.NoError(t, err)

	assert.Same(t, parent.limitsOf(Box).limiter, same.limitsOf(Box).limiter)
	assert.Same(t, parent.limitsOf(Box).gate, same.limitsOf(Box).gate)
	assert.Equal(t, parent.limitsOf(Box).slots, same.limitsOf(Box).slots)
	assert.NotSame(t, parent.limitsOf(Box).limiter, own.limitsOf(Box).limiter)
	assert.Same(t, parent.limitsOf(Box).gate, own.limitsOf(Box).gate, "a 429 pauses the vendor for every client")
	assert.NotEqual(t, parent.limitsOf(Box).slots, own.limitsOf(Box).slots)
}

func TestMaxConcurrencyHoldsASlotUntilTheBodyIsDone(t *testing.T) {
	t.Parallel()
	l := apiLimits{gate: &pauseGate{}, slots: make(chan struct{}, 2)}
	_, release1, err := l.awaitTurn(t.Context(), "Box", time.Minute, nil)
	require.NoError(t, err)
	_, release2, err := l.awaitTurn(t.Context(), "Box", time.Minute, nil)
	require.NoError(t, err)

	full, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = l.awaitTurn(full, "Box", time.Minute, nil)
	assert.ErrorIs(t, err, context.Canceled, "a third request waits while two are in flight")

	body := &releasingBody{ReadCloser: io.NopCloser(strings.NewReader("x")), release: release1}
	_, _ = io.ReadAll(body) // read to its end: the slot is free, even before Close
	_, release3, err := l.awaitTurn(full, "Box", time.Minute, nil)
	require.NoError(t, err, "a slot came free")
	require.NoError(t, body.Close())
	release2()
	release3()
	release3() // releasing twice frees one slot only
	assert.Empty(t, l.slots)
}

func TestMaxConcurrencyReleasesSlotsOfFinishedCalls(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"1"}`)
	}))
	defer srv.Close()
	c, err := NewClient(WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken), WithMaxConcurrency(Box, 1))
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 3 { // with the one slot never given back, the second call would wait for ever
		_, err := c.Memberships.GetGroupMembershipByID(ctx, "1", nil)
		require.NoError(t, err)
	}
	assert.Empty(t, c.limitsOf(Box).slots)
}

func TestRequestInfoShowsTheWaitForATurn(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var waited []time.Duration
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	c, err := NewClient(WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken), WithRateLimit(Box, 600, 1),
		WithRequestHook(func(info RequestInfo) {
			mu.Lock()
			defer mu.Unlock()
			waited = append(waited, info.Waited)
		}))
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, waited, 2)
	assert.Zero(t, waited[0])
	assert.Greater(t, waited[1], 50*time.Millisecond, "600 a minute: the second waited about 100ms for its token")
}

func TestResponseCarriesRateLimitHeaders(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	rl := parseRateLimit(http.Header{"X-Ratelimit-Limit": {"200"}, "X-Ratelimit-Remaining": {"17"}, "X-Ratelimit-Reset": {"1800000042"}}, now)
	assert.Equal(t, &RateLimit{Limit: 200, Remaining: 17, Reset: 42 * time.Second}, rl, "a reset above a billion is a Unix time")
	rl = parseRateLimit(http.Header{"Ratelimit-Limit": {"100, 100;w=60"}, "Ratelimit-Remaining": {"3"}, "Ratelimit-Reset": {"9"}}, now)
	assert.Equal(t, &RateLimit{Limit: 100, Remaining: 3, Reset: 9 * time.Second}, rl)
	assert.Nil(t, parseRateLimit(http.Header{}, now))

	env := newTestEnv(t)
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(200, `{"id":"1"}`, "X-RateLimit-Remaining", "5"))
	var resp Response
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil, CaptureResponse(&resp))
	require.NoError(t, err)
	require.NotNil(t, resp.RateLimit)
	assert.Equal(t, 5, resp.RateLimit.Remaining)
}
