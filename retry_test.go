package invitations

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/invitesdk/invitations/models"
)

// unsafeCalls are the operations of this package that create or send
// something; each must reach the server once when the outcome is unknown.
func unsafeCalls(env *testEnv) map[string]struct {
	method, url string
	call        func(ctx context.Context) error
} {
	c := env.client
	return map[string]struct {
		method, url string
		call        func(ctx context.Context) error
	}{
		"CreateInvitations": {http.MethodPost, testGitGuardianBase + "/v1/invitations", func(ctx context.Context) error {
			_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "a@example.com"}, nil)
			return err
		}},
		"ResendInvitation": {http.MethodPost, testGitGuardianBase + "/v1/invitations/7/resend", func(ctx context.Context) error {
			_, err := c.Invitations.ResendInvitation(ctx, 7)
			return err
		}},
		"CreateGroupMembership": {http.MethodPost, testBoxBase + "/group_memberships", func(ctx context.Context) error {
			_, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: "1"}, Group: models.Ref{ID: "2"}}, nil)
			return err
		}},
	}
}

func TestRetryUnsafeOperationsReachServerOnceOnServerError(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		env := newTestEnv(t)
		for name, op := range unsafeCalls(env) {
			rec := env.route(op.method, op.url, jsonReply(status, `{"detail":"boom"}`))
			err := op.call(t.Context())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, name)
			assert.Equal(t, status, apiErr.StatusCode, name)
			assert.Equal(t, 1, rec.count(), "%s answered %d", name, status)
		}
	}
}

func TestRetryUnsafeOperationsNotRetriedAfterConnectionReset(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for name, op := range unsafeCalls(env) {
		rec := &recorder{}
		env.mock.RegisterResponder(op.method, op.url, func(req *http.Request) (*http.Response, error) {
			rec.add(req)
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		})
		err := op.call(t.Context())
		require.ErrorIs(t, err, syscall.ECONNRESET, name)
		assert.Equal(t, 1, rec.count(), name)
	}
}

func TestRetryUnsafeOperationsRetriedWhenNeverConnectedOrRateLimited(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for name, op := range unsafeCalls(env) {
		rec := &recorder{}
		n := 0
		env.mock.RegisterResponder(op.method, op.url, func(req *http.Request) (*http.Response, error) {
			rec.add(req)
			n++
			switch n {
			case 1:
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
			case 2:
				return jsonResponse(req, 429, `{"detail":"slow down"}`, "Retry-After", "1"), nil
			}
			return jsonResponse(req, 201, `{}`), nil
		})
		require.NoError(t, op.call(t.Context()), name)
		reqs := rec.all()
		require.Len(t, reqs, 3, name)
		assert.Equal(t, reqs[0].Body, reqs[2].Body, "%s: the same body on every attempt", name)
	}
}

func TestRetrySafeGetRetriedOn503ThenSucceeds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(503, `{"type":"error","status":503,"code":"unavailable"}`),
		jsonReply(200, `{"id":"1"}`))
	m, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, "1", m.ID)
	assert.Equal(t, 2, rec.count())
}

func TestRetrySafeOperationsRetriedOnNetworkError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	n := 0
	env.mock.RegisterResponder(http.MethodDelete, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
		}
		return jsonResponse(req, 204, ""), nil
	})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, 2, n)
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	date := time.Now().Add(42 * time.Second).UTC().Format(http.TimeFormat)
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(429, `{"detail":"Too many requests."}`, "Retry-After", "7"),
		jsonReply(429, `{"detail":"Too many requests."}`, "Retry-After", date),
		jsonReply(200, `[]`))
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, 3, rec.count())
	waits := env.retryWaits()
	require.Len(t, waits, 2)
	assert.Equal(t, 7*time.Second, waits[0])
	assert.InDelta(t, float64(42*time.Second), float64(waits[1]), float64(2*time.Second), "HTTP-date Retry-After")
}

func TestRetryAfterAboveCapReturnsAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetryAfter(time.Minute))
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(429, `{"detail":"Too many requests."}`, "Retry-After", "3600"))
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.ErrorIs(t, err, ErrRateLimited)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Hour, apiErr.RetryAfter)
	assert.Equal(t, 1, rec.count())
	assert.Empty(t, env.retryWaits())
}

func TestRetryAfterBeyondDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(429, `{"detail":"Too many requests."}`, "Retry-After", "60"))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := env.client.Invitations.ListInvitations(ctx, nil).Collect(0)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 1, rec.count())
}

func TestRetryGivesUpWithLastResponse(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(2))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(502, `{"type":"error","status":502,"code":"bad_gateway","message":"first"}`),
		jsonReply(503, `{"type":"error","status":503,"code":"unavailable","message":"last"}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, "last", apiErr.Message)
	assert.Contains(t, string(apiErr.Body), `"last"`)
	assert.Equal(t, 3, rec.count())
	assert.NotContains(t, err.Error(), "giving up")
}

func TestCancelledWhileTheAnswerArrivesKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	// Real waits: the hook passes the hour-long Retry-After through.
	env := newTestEnv(t, WithMaxRetryAfter(2*time.Hour), withBackoffHook(func(d time.Duration) time.Duration { return d }))
	n := 0
	env.mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		n++
		cancel() // the caller gives up as the answer comes
		return jsonResponse(req, 429, `{}`, "Retry-After", "3600"), nil
	})
	start := time.Now()
	_, err := env.client.Memberships.GetGroupMembershipByID(ctx, "1", nil)
	require.ErrorIs(t, err, ErrRateLimited, "the server's answer, not a cancellation it never saw")
	assert.Equal(t, 1, n, "no retry once the context is done")
	assert.Less(t, time.Since(start), time.Hour, "no wait started")

	// A create answered as the caller cancels is the server's success:
	// reporting it as not sent would have it sent again.
	ctx, cancel = context.WithCancel(t.Context())
	env.mock.RegisterResponder(http.MethodPost, testFreestyleBase+"/identity/v1/identities", func(req *http.Request) (*http.Response, error) {
		cancel()
		return jsonResponse(req, 200, `{"id":"i-1"}`), nil
	})
	_, err = env.client.Identity.CreateIdentity(ctx)
	assert.NotErrorIs(t, err, ErrNotSent)
}

func TestRetryNoneWhenDisabled(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(503, `{}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.Error(t, err)
	assert.Equal(t, 1, rec.count())
}

func TestJitteredBackoffStaysInBounds(t *testing.T) {
	t.Parallel()
	for attempt := range 40 {
		d := jitteredBackoff(100*time.Millisecond, 5*time.Second, attempt)
		ceiling := min(100*time.Millisecond<<min(attempt, 30), 5*time.Second)
		assert.GreaterOrEqual(t, d, ceiling/2, attempt)
		assert.LessOrEqual(t, d, ceiling, attempt)
	}
	assert.Zero(t, jitteredBackoff(0, 0, 3))
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		want time.Duration
		ok   bool
	}{
		"":                              {0, false},
		"5":                             {5 * time.Second, true},
		"1.5":                           {1500 * time.Millisecond, true},
		"-1":                            {0, false},
		"NaN":                           {0, false},
		"soon":                          {0, false},
		"Thu, 01 Jan 2026 00:00:30 GMT": {30 * time.Second, true},
		"Wed, 31 Dec 2025 23:00:00 GMT": {0, true},
		"31536001":                      {31536001 * time.Second, true},
		"999999999":                     {999999999 * time.Second, true},
		"1e10":                          {longestRetryAfter, true},
		"Thu, 01 Jan 2299 00:00:00 GMT": {longestRetryAfter, true},
	}
	for in, want := range cases {
		got, ok := parseRetryAfter(in, now)
		assert.Equal(t, want.ok, ok, in)
		assert.Equal(t, want.want, got, in)
	}
}

func TestNeverConnected(t *testing.T) {
	t.Parallel()
	assert.True(t, neverConnected(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}))
	assert.True(t, neverConnected(&net.DNSError{Err: "no such host", Name: "x"}))
	assert.False(t, neverConnected(&net.OpError{Op: "read", Err: syscall.ECONNRESET}))
	assert.False(t, neverConnected(errors.New("EOF")))
}

func TestRetryAfterHonouredOnEveryRetriedStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
				jsonReply(status, `{"type":"error"}`, "Retry-After", "7"),
				jsonReply(200, `{"type":"group_membership","id":"1"}`))
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			require.NoError(t, err)
			assert.Equal(t, 2, rec.count())
			assert.Equal(t, []time.Duration{7 * time.Second}, env.retryWaits(), "the server's wait, not the backoff")
		})
	}
}

func TestRetryAfterAboveCapReturnsAtOnceOnEveryRetriedStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
				jsonReply(status, `{"type":"error"}`, "Retry-After", "3600"))
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, status, apiErr.StatusCode)
			assert.Equal(t, time.Hour, apiErr.RetryAfter)
			assert.Equal(t, 1, rec.count())
		})
	}
}

func TestRetryAfterBeyondAYearIsStillAWaitBeyondTheCap(t *testing.T) {
	t.Parallel()
	for _, ra := range []string{"999999999", "31536001", "1e10", "1e400"} {
		t.Run(ra, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
				jsonReply(429, `{"type":"error","status":429,"code":"rate_limit_exceeded"}`, "Retry-After", ra))
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			require.ErrorIs(t, err, ErrRateLimited)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.GreaterOrEqual(t, apiErr.RetryAfter, 365*24*time.Hour)
			assert.Equal(t, 1, rec.count(), "not retried at once")
			assert.Empty(t, env.retryWaits())
		})
	}
}

// expiringTokens hands out a new token on every call, each already
// expired, as a token source does when a token lapses between attempts.
type expiringTokens struct {
	mu sync.Mutex
	n  int
}

func (s *expiringTokens) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return &oauth2.Token{AccessToken: "box-token-" + strconv.Itoa(s.n), Expiry: time.Now().Add(-time.Second)}, nil
}

func TestCredentialResolvedAgainForEveryAttempt(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithBoxTokenSource(&expiringTokens{}))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(429, `{"type":"error"}`, "Retry-After", "120"),
		jsonReply(200, `{"type":"group_membership","id":"1"}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer box-token-1", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "Bearer box-token-2", reqs[1].Header.Get("Authorization"), "the token that expired during the wait is not sent again")
}

// failingAfterFirst gives one token, then fails.
type failingAfterFirst struct{ calls atomic.Int32 }

func (s *failingAfterFirst) Token() (*oauth2.Token, error) {
	if s.calls.Add(1) == 1 {
		return &oauth2.Token{AccessToken: "only-token", Expiry: time.Now().Add(-time.Second)}, nil
	}
	return nil, errors.New("token endpoint down")
}

func TestCredentialFailureBeforeARetryStopsTheCall(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithBoxTokenSource(&failingAfterFirst{}))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(503, `{"type":"error"}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "token endpoint down")
	assert.Equal(t, 1, rec.count(), "no attempt without a credential")
}

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
