package invitations

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithDerivesAClientWithOtherCredentialsAndLeavesTheParent(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite:accept", jsonReply(200, `{}`))
	invitee, err := env.client.With(WithPortworxAccessToken("invitee-token-1f"))
	require.NoError(t, err)

	_, err = invitee.AccountInvitations.AcceptInvitation(t.Context(), "acct-1")
	require.NoError(t, err)
	_, err = env.client.AccountInvitations.AcceptInvitation(t.Context(), "acct-1")
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer invitee-token-1f", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "Bearer "+testPortworxToken, reqs[1].Header.Get("Authorization"), "the parent keeps its own token")
	assert.NotContains(t, invitee.String(), "invitee-token-1f")
}

func TestWithDerivesOtherBaseURLsSideBySide(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	us := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations", jsonReply(200, `[]`))
	eu := env.route(http.MethodGet, GitGuardianEUBaseURL+"/v1/invitations", jsonReply(200, `[]`))
	euClient, err := env.client.With(WithGitGuardianBaseURL(GitGuardianEUBaseURL), WithGitGuardianAPIKey("gg-eu-key-93"))
	require.NoError(t, err)

	_, err = euClient.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	_, err = env.client.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, "Token gg-eu-key-93", eu.only(t).Header.Get("Authorization"))
	assert.Equal(t, "Token "+testGitGuardianKey, us.only(t).Header.Get("Authorization"))
}

// countingTransport counts round trips and idle-connection closes.
type countingTransport struct {
	next       http.RoundTripper
	trips      atomic.Int32
	closedIdle atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.trips.Add(1)
	return c.next.RoundTrip(r)
}

func (c *countingTransport) CloseIdleConnections() { c.closedIdle.Add(1) }

func TestWithSharesTheParentsConnectionPool(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	pool := &countingTransport{next: env.mock}
	parent, err := env.client.With(WithHTTPClient(&http.Client{Transport: pool}))
	require.NoError(t, err)
	child, err := parent.With(WithBoxAccessToken("box-child-token-5"))
	require.NoError(t, err)

	require.NoError(t, parent.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	require.NoError(t, child.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, int32(2), pool.trips.Load(), "both went through the one pool")

	child.CloseIdleConnections()
	assert.Equal(t, int32(1), pool.closedIdle.Load(), "CloseIdleConnections reaches the pool")

	def, err := NewClient()
	require.NoError(t, err)
	derived, err := def.With(WithBoxAccessToken("t-1"))
	require.NoError(t, err)
	assert.Same(t, def.transport, derived.transport, "the SDK's own pool is shared too")
}

func TestWithDoesNotWriteIntoTheParentsHooksOrHeaders(t *testing.T) {
	t.Parallel()
	var parentHook, childHook atomic.Int32
	hooks := make([]Option, 0, 4)
	hooks = append(hooks, WithRequestHook(func(RequestInfo) { parentHook.Add(1) }))
	env := newTestEnv(t, append(hooks, WithPortworxAccountID("acct-parent"))...)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/u1", jsonReply(200, `{"invitation":{}}`))
	child, err := env.client.With(WithRequestHook(func(RequestInfo) { childHook.Add(1) }), WithPortworxAccountID("acct-child"))
	require.NoError(t, err)

	_, err = env.client.AccountInvitations.GetInvitation(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, int32(1), parentHook.Load())
	assert.Zero(t, childHook.Load(), "the child's hook is not the parent's")
	_, err = child.AccountInvitations.GetInvitation(t.Context(), "u1")
	require.NoError(t, err)
	assert.Equal(t, int32(2), parentHook.Load(), "the child keeps the parent's hooks")
	assert.Equal(t, int32(1), childHook.Load())

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "acct-parent", reqs[0].Header.Get("px-account-id"))
	assert.Equal(t, "acct-child", reqs[1].Header.Get("px-account-id"))
}

func TestWithRejectsBadOptionsAndIsSafeConcurrently(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	_, err := env.client.With(WithBoxAccessToken(""))
	require.ErrorIs(t, err, ErrInvalidParameter)

	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := env.client
			if i%2 == 1 {
				var err error
				c, err = env.client.With(WithBoxAccessToken("box-derived-token"))
				if err != nil {
					t.Error(err)
					return
				}
			}
			if err := c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestWithGivesEachDerivedClientItsOwnHooks(t *testing.T) {
	t.Parallel()
	var a, b atomic.Int32
	noop := WithRequestHook(func(RequestInfo) {})
	env := newTestEnv(t, noop, noop, noop) // three hooks: room for a fourth in the parent's slice
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{}})
	childA, err := env.client.With(WithRequestHook(func(RequestInfo) { a.Add(1) }))
	require.NoError(t, err)
	childB, err := env.client.With(WithRequestHook(func(RequestInfo) { b.Add(1) }))
	require.NoError(t, err)
	require.NoError(t, childA.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, int32(1), a.Load(), "a sibling's option never lands in another client")
	assert.Zero(t, b.Load())
	_ = childB
}
