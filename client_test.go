package invitations

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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

func TestMissingCredentialSendsNothing(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mock}), WithGitGuardianAPIKey("k"))
	require.NoError(t, err)

	err = c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	require.ErrorIs(t, err, ErrNoCredential)
	assert.Contains(t, err.Error(), "WithBoxAccessToken")

	_, err = c.AccountInvitations.client.do(t.Context(), newRequest(Portworx, http.MethodGet, "core/v1/invite", Idempotent), nil, nil)
	require.ErrorIs(t, err, ErrNoBaseURL)
	assert.Contains(t, err.Error(), "WithPortworxBaseURL")
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestUserAgentCarriesApplicationSuffix(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithUserAgent("onboarder/1.2"))
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, "invitations-go/"+Version+" onboarder/1.2", rec.only(t).Header.Get("User-Agent"))
}

func TestRequestOptionsCannotReplaceCredential(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	for _, key := range []string{"Authorization", "authorization", "Host", "Content-Length"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "Bearer stolen"))
		require.ErrorIs(t, err, ErrInvalidParameter, key)
	}
	assert.Zero(t, rec.count())

	// Extra headers override defaults such as Accept, but never the credential.
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader("Accept", "application/vnd.custom+json"), WithHeader("X-Trace", "t1")))
	req := rec.only(t)
	assert.Equal(t, boxAuth, req.Header.Get("Authorization"))
	assert.Equal(t, "application/vnd.custom+json", req.Header.Get("Accept"))
	assert.Equal(t, "t1", req.Header.Get("X-Trace"))
}

func TestCaptureResponse(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{"Box-Request-Id": {"rid-9"}}})
	var resp Response
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", CaptureResponse(&resp)))
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, "rid-9", resp.RequestID)
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

func TestRedactURL(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://h/p?access_token=REDACTED&page=2", redactURL("https://u:pw@h/p?access_token=abc&page=2"))
	assert.Equal(t, "https://h/p?api_key=REDACTED", redactURL("https://h/p?api_key=zzz"))
}

func TestModelsDecodeUnknownFieldsAndValues(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(200, `{"id":"1","role":"owner","brand_new_field":{"x":[1,2]},"group":{"id":"2","group_type":"future_group"}}`))
	m, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, models.GroupMembershipRole("owner"), m.Role)
	assert.Equal(t, "future_group", m.Group.GroupType)
}

func TestSuccessBodyThatIsNotJSONIsADecodeError(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"html":      `<html>oops</html>`,
		"empty":     ``,
		"truncated": `{"id":"1","role":"adm`,
		"shape":     `["not","an","object"]`,
		"too large": `{"id":"` + string(bytes.Repeat([]byte("x"), 2048)) + `"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxResponseBytes(1024))
			env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(200, body))
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			var derr *DecodeError
			require.ErrorAs(t, err, &derr)
			assert.Equal(t, 200, derr.StatusCode)
			assert.False(t, errors.Is(err, ErrNotFound))
			if name == "too large" {
				assert.ErrorIs(t, err, errBodyTooLarge)
			}
		})
	}
}

func TestResponseCarriesRateAndPagingHeaders(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations", jsonReply(200, `[]`, "X-Per-Page", "20", "X-Request-ID", "r7"))
	var resp Response
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil, CaptureResponse(&resp)).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, 20, resp.PerPage)
	assert.Equal(t, "r7", resp.RequestID)

	env = newTestEnv(t, WithMaxRetries(0))
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", jsonReply(429, `{}`, "Retry-After", "100"))
	err = env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", CaptureResponse(&resp))
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, 100*time.Second, resp.RetryAfter)
}
