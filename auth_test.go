package invitations

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// tokenServer is an OAuth2 token endpoint that issues tok-1, tok-2, ...
// with the given lifetime, and records the forms it received.
type tokenServer struct {
	*httptest.Server
	mu        sync.Mutex
	forms     []url.Values
	ctypes    []string
	expiresIn int
	fail      bool
}

func newTokenServer(t *testing.T, expiresIn int) *tokenServer {
	ts := &tokenServer{expiresIn: expiresIn}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		ts.mu.Lock()
		ts.forms = append(ts.forms, r.PostForm)
		ts.ctypes = append(ts.ctypes, r.Header.Get("Content-Type"))
		n, fail := len(ts.forms), ts.fail
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if fail {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad secret %s"}`, r.PostForm.Get("client_secret"))
			return
		}
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"bearer","expires_in":%d}`, n, ts.expiresIn)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) received() ([]url.Values, []string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]url.Values(nil), ts.forms...), append([]string(nil), ts.ctypes...)
}

func TestTokenSourceRefreshesExpiredTokens(t *testing.T) {
	t.Parallel()
	// A lifetime inside oauth2's expiry margin makes every token stale at once.
	ts := newTokenServer(t, 1)
	src, err := BIMDataClientCredentials(t.Context(), "app", "s3cret", ts.URL+"/realms/bimdata/protocol/openid-connect/token")
	require.NoError(t, err)
	env := newTestEnv(t, WithBIMDataTokenSource(src))
	rec := env.route(http.MethodGet, testBIMDataBase+"/identity-provider/invitation", jsonReply(200, `[]`))
	for range 2 {
		_, err := env.client.SSO.GetInvitations(t.Context(), nil)
		require.NoError(t, err)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer tok-1", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "Bearer tok-2", reqs[1].Header.Get("Authorization"))
	forms, _ := ts.received()
	assert.Equal(t, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}}, forms[0])
}

func TestUnauthorizedAfterRefreshIsReturnedNotLooped(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, 1)
	src, err := BoxClientCredentials(t.Context(), "cid", "csecret", BoxSubjectUser, "42", ts.URL)
	require.NoError(t, err)
	env := newTestEnv(t, WithBoxTokenSource(src))
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(401, `{"type":"error","status":401,"code":"unauthorized"}`))
	_, err = env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, 1, rec.count())
}

func TestTokenEndpointFailureHidesSecrets(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, 3600)
	ts.fail = true
	src, err := BoxClientCredentials(t.Context(), "cid", "very-secret-value", BoxSubjectEnterprise, "1", ts.URL)
	require.NoError(t, err)
	env := newTestEnv(t, WithBoxTokenSource(src))
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	err = env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
	assert.NotContains(t, err.Error(), "very-secret-value")
	assert.Zero(t, rec.count(), "no API request without a token")
}

func TestTokenSourceOptionsValidate(t *testing.T) {
	t.Parallel()
	_, err := NewClient(WithBoxTokenSource(nil))
	assert.ErrorIs(t, err, ErrInvalidParameter)
	_, err = BoxClientCredentials(t.Context(), "", "s", BoxSubjectEnterprise, "1", "")
	assert.ErrorContains(t, err, "clientID")
	_, err = BoxClientCredentials(t.Context(), "c", "s", "admin", "1", "")
	assert.ErrorContains(t, err, "subject")
	_, err = BIMDataClientCredentials(t.Context(), "c", "s", "http://iam.example.com/token")
	assert.ErrorContains(t, err, "tokenURL")

	// A token with a line break can never reach a header.
	bad := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "abc\r\nX-Evil: 1"})
	env := newTestEnv(t, WithPortworxTokenSource(bad))
	err = env.client.AccountInvitations.NotifyUser(t.Context(), "u1")
	require.ErrorIs(t, err, ErrInvalidParameter)
	assert.NotContains(t, err.Error(), "X-Evil")
	assert.Zero(t, env.mock.GetTotalCallCount())
	assert.Equal(t, "invitations.Client{GitGuardian: https://api.gitguardian.com (credential set), Box: https://api.box.com/2.0 (credential set), Freestyle: https://api.freestyle.sh (credential set), BIMData: https://api.bimdata.io (credential set), Portworx: https://px-central.example.com (credential set)}", fmt.Sprint(env.client))
}
