package invitations

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

func TestNewClientRejectsBadOptions(t *testing.T) {
	t.Parallel()
	cases := map[string]Option{
		"WithHTTPClient":         WithHTTPClient(nil),
		"WithGitGuardianAPIKey":  WithGitGuardianAPIKey(""),
		"WithBoxAccessToken":     WithBoxAccessToken("abc\r\nX-Evil: 1"),
		"WithFreestyleAPIKey":    WithFreestyleAPIKey("has space"),
		"WithBIMDataAPIKey":      WithBIMDataAPIKey("clé"),
		"WithGitGuardianBaseURL": WithGitGuardianBaseURL("api.gitguardian.com"),
		"WithBoxBaseURL":         WithBoxBaseURL("http://api.box.com/2.0"),
		"WithPortworxBaseURL":    WithPortworxBaseURL("https://user:pw@px.example.com"),
		"WithMaxRetries":         WithMaxRetries(-1),
		"WithRetryWait":          WithRetryWait(2, 1),
		"WithMaxRetryAfter":      WithMaxRetryAfter(-1),
		"WithUserAgent":          WithUserAgent("bad\nagent"),
		"WithMaxResponseBytes":   WithMaxResponseBytes(0),
	}
	for name, opt := range cases {
		_, err := NewClient(opt)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, name)
		assert.Equal(t, name, verr.Param)
		assert.NotContains(t, err.Error(), "X-Evil", "the secret is never echoed")
		assert.NotContains(t, err.Error(), "clé")
	}
}

func TestNewClientAcceptsLoopbackHTTPAndSelfHostedBase(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithGitGuardianBaseURL("https://gitguardian.corp.example/exposed/"))
	rec := env.route(http.MethodDelete, "https://gitguardian.corp.example/exposed/v1/invitations/3", reply{status: 204})
	require.NoError(t, env.client.Invitations.DeleteInvitation(t.Context(), 3))
	assert.Equal(t, "/exposed/v1/invitations/3", rec.only(t).Path)

	for _, base := range []string{"http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80/x"} {
		_, err := NewClient(WithBoxBaseURL(base))
		assert.NoError(t, err, base)
	}
}

func TestUserAgentCarriesApplicationSuffix(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithUserAgent("onboarder/1.2"))
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, "invitations-go/"+Version+" onboarder/1.2", rec.only(t).Header.Get("User-Agent"))
}

func TestClientWrapsCallersHTTPClient(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodDelete, testBoxBase+"/group_memberships/1", httpmock.NewStringResponder(204, ""))
	hc := &http.Client{Transport: mock}
	c, err := NewClient(WithHTTPClient(hc), WithBoxAccessToken("t"))
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Same(t, mock, hc.Transport, "the caller's client is left as it was")
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestClientNeverPrintsCredentials(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", env.client)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "c", env.client)
	out := fmt.Sprintf("%v %+v %#v %s", env.client, env.client, env.client, env.client) + logs.String()
	for _, secret := range []string{testGitGuardianKey, testBoxToken, testFreestyleKey, testBIMDataToken, testPortworxToken} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "credential set")

	// Nor in errors: every API's error, whatever the status.
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", jsonReply(401, `{"type":"error","status":401,"code":"unauthorized","message":"Unauthorized"}`))
	err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	require.ErrorIs(t, err, ErrUnauthorized)
	assert.NotContains(t, err.Error(), testBoxToken)
}

// secBaseURLOptions are the options that set an API's base URL.
var secBaseURLOptions = map[string]func(string) Option{
	"WithGitGuardianBaseURL": WithGitGuardianBaseURL,
	"WithBoxBaseURL":         WithBoxBaseURL,
	"WithFreestyleBaseURL":   WithFreestyleBaseURL,
	"WithBIMDataBaseURL":     WithBIMDataBaseURL,
	"WithPortworxBaseURL":    WithPortworxBaseURL,
}

func TestPlainHTTPBaseURLOnlyForLoopback(t *testing.T) {
	t.Parallel()
	refused := []string{
		"http://api.box.com/2.0",
		"http://example.com",
		"HTTP://example.com",
		"http://10.0.0.1:8080",
		"http://192.168.1.10",
		"http://[2001:db8::1]:80",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
		"http://0.0.0.0:8080",
		"ftp://127.0.0.1",
		"//api.box.com",
		"api.box.com",
		"https://user:pw@api.box.com",
		"https://api.box.com/?access_token=x",
		"https://api.box.com/#x",
	}
	accepted := []string{
		"http://127.0.0.1",
		"http://127.0.0.1:8080/box/2.0",
		"http://127.1.2.3:9",
		"http://localhost",
		"http://localhost:9/base/",
		"http://[::1]",
		"http://[::1]:8080/x",
		"https://api.box.com/2.0",
		"https://px-central.example.com:8443/api",
	}
	for option, build := range secBaseURLOptions {
		for _, raw := range refused {
			_, err := NewClient(build(raw))
			var verr *ValidationError
			if assert.ErrorAs(t, err, &verr, "%s(%q)", option, raw) {
				assert.Equal(t, option, verr.Param)
				assert.ErrorIs(t, err, ErrInvalidParameter)
			}
		}
		for _, raw := range accepted {
			_, err := NewClient(build(raw))
			assert.NoError(t, err, "%s(%q)", option, raw)
		}
	}
	_, err := NewClient(WithBoxBaseURL("http://api.box.com/2.0"))
	assert.ErrorContains(t, err, "plain http is only allowed for loopback hosts")
}

// secTLSServer is a TLS server whose certificate nothing trusts, counting
// the connections made to it and the requests it handled.
func secTLSServer(t *testing.T) (srv *httptest.Server, conns, handled *atomic.Int32) {
	t.Helper()
	conns, handled = &atomic.Int32{}, &atomic.Int32{}
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, conns, handled
}

func TestUntrustedCertificateFailsAndIsNotRetried(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *Client) error{
		"safe read": func(c *Client) error {
			_, err := c.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			return err
		},
		"safe delete": func(c *Client) error {
			return c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
		},
		"create": func(c *Client) error {
			_, err := c.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{User: models.Ref{ID: "1"}, Group: models.Ref{ID: "2"}}, nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, conns, handled := secTLSServer(t)
			c, err := NewClient(WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0), WithMaxRetries(4))
			require.NoError(t, err)
			defer c.CloseIdleConnections()

			err = call(c)
			require.Error(t, err)
			var certErr *tls.CertificateVerificationError
			assert.ErrorAs(t, err, &certErr)
			var unknown x509.UnknownAuthorityError
			assert.ErrorAs(t, err, &unknown)
			assert.ErrorContains(t, err, "certificate")
			assert.NotContains(t, err.Error(), testBoxToken)
			assert.Equal(t, int32(1), conns.Load(), "one connection, not retried")
			assert.Zero(t, handled.Load(), "no request was served")
		})
	}
}

func TestDefaultTransportVerifiesCertificates(t *testing.T) {
	t.Parallel()
	tr := defaultTransport()
	if tr.TLSClientConfig != nil {
		assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
		assert.Nil(t, tr.TLSClientConfig.VerifyPeerCertificate)
	}
	c, err := NewClient()
	require.NoError(t, err)
	wrapped, ok := c.transport.(*http.Transport)
	require.True(t, ok)
	if wrapped.TLSClientConfig != nil {
		assert.False(t, wrapped.TLSClientConfig.InsecureSkipVerify)
	}

	// A caller's client is used as given: trusting the server's
	// certificate there makes the same server reachable.
	srv, _, handled := secTLSServer(t)
	c, err = NewClient(WithHTTPClient(srv.Client()), WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken))
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, int32(1), handled.Load())
	c.CloseIdleConnections()
}

func TestClientValueNeverPrintsCredentials(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("c", "client", *env.client)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("c", "client", *env.client)
	out := fmt.Sprintf("%+v %#v %v", *env.client, struct{ c Client }{*env.client}, env.client.cfg) + logs.String()
	for _, secret := range []string{testGitGuardianKey, testBoxToken, testFreestyleKey, testBIMDataToken, testPortworxToken} {
		assert.NotContains(t, out, secret)
	}
}

func TestRedirectThatChangesTheMethodIsNotFollowed(t *testing.T) {
	t.Parallel()
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusFound)
	}))
	defer origin.Close()
	c, err := NewClient(WithBoxBaseURL(origin.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0))
	require.NoError(t, err)
	err = c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "a DELETE turned into a GET must not report success")
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.Zero(t, targetHits.Load())
	c.CloseIdleConnections()
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

func TestRedirectToAnotherPortDropsCredential(t *testing.T) {
	t.Parallel()
	var seen []string
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer origin.Close()

	c, err := NewClient(WithBoxBaseURL(origin.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0))
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 1)
	assert.Empty(t, seen[0], "the token never reaches another host:port")
	c.CloseIdleConnections()
}

func TestRedirectFromHTTPSToHTTPIsRefused(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the plain-http server must not be reached")
	}))
	defer plain.Close()
	var hits int
	var mu sync.Mutex
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	defer secure.Close()

	c, err := NewClient(WithHTTPClient(secure.Client()), WithBoxBaseURL(secure.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0))
	require.NoError(t, err)
	_, err = c.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.ErrorIs(t, err, ErrNotSent, "the redirected request was never sent")
	assert.NotContains(t, err.Error(), testBoxToken)
	mu.Lock()
	assert.Equal(t, 1, hits, "a refused redirect is not retried")
	mu.Unlock()
	c.CloseIdleConnections()
}

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
