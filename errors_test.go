package invitations

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

func TestEchoedCredentialIsScrubbedFromEveryPartOfAnAPIError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(401,
		`{"type":"error","status":401,"code":"unauthorized","message":"Invalid credentials: Bearer `+testBoxToken+`",`+
			`"help_url":"https://help.example/?t=`+testBoxToken+`","context_info":{"sent":"`+testBoxToken+`"}}`,
		"WWW-Authenticate", `Bearer error="invalid_token", token="`+testBoxToken+`"`,
		"X-Request-Id", "rid-"+testBoxToken))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	for _, out := range []string{err.Error(), fmt.Sprintf("%#v", apiErr), fmt.Sprintf("%+v", *apiErr), string(apiErr.Body), apiErr.Message, apiErr.HelpURL, string(apiErr.Details)} {
		assert.NotContains(t, out, testBoxToken)
	}
	for _, vs := range apiErr.Header {
		for _, v := range vs {
			assert.NotContains(t, v, testBoxToken)
		}
	}
	assert.Contains(t, apiErr.Message, "Invalid credentials: Bearer [REDACTED]", "the message stays readable")
	assert.Equal(t, "unauthorized", apiErr.Code)
}

func TestEchoedCredentialIsScrubbedWhenJSONEscaped(t *testing.T) {
	t.Parallel()
	const key = "gg<key>&1"
	env := newTestEnv(t, WithGitGuardianAPIKey(key))
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(401, `{"detail":"Invalid token: Token gg\u003ckey\u003e\u00261"}`))
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, err.Error(), key)
	assert.NotContains(t, string(apiErr.Body), `gg\u003ckey\u003e\u00261`)
}

func TestNullBodyOfAnOperationReturningOneObjectIsADecodeError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, fsIdentityURL+"/tokens", jsonReply(200, `null`))
	env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations", jsonReply(201, `null`))

	tok, err := env.client.Identity.CreateGitToken(t.Context(), fsIdentity)
	var de *DecodeError
	require.ErrorAs(t, err, &de, "a lost one-time token is never a silent success")
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, errNullBody)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)

	inv, err := env.client.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}, nil)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 201, de.StatusCode)
	assert.Nil(t, inv)
}

func TestBodyCutShortAfterACompleteValueIsATruncation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, 200, "")
		// What net/http gives when the connection closes before
		// Content-Length bytes arrived, here after a whole value.
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"id":"1"}`), iotest.ErrReader(io.ErrUnexpectedEOF)))
		return resp, nil
	})
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotContains(t, err.Error(), "unexpected data after")
}

func TestSensitiveQueryKeysByWholeNameOrLastWord(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "apiKey", "key",
		"client_secret", "clientSecret", "password", "signature", "X-Amz-Signature", "sig", "code", "auth",
		"authorization", "jwt", "assertion", "session", "session_id", "private_key", "credential", "credentials"} {
		assert.True(t, sensitiveQueryKey(k), "%s must be redacted", k)
	}
	for _, k := range []string{"assignee_email", "assignee_id", "ignorer_api_token_id", "page", "per_page", "cursor",
		"search", "filter_term", "access_level", "member_id", "ordering", "fields", "offset", "limit", "status",
		"pagination.pageNumber", "tenantUid", "design", "signup_date"} {
		assert.False(t, sensitiveQueryKey(k), "%s must stay readable", k)
	}
	assert.Equal(t, "https://h/p?assignee_email=a%40b.c&key=REDACTED",
		redactURL("https://h/p?assignee_email=a%40b.c&key=s3cret"))
}

func TestWithHeaderOwnsFramingAgentAndContentTypeButNotAccept(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, key := range []string{"Authorization", "user-agent", "Content-Type", "Host", "Content-Length", "Transfer-Encoding", "Connection"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "x"))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, key)
		assert.Equal(t, "WithHeader "+http.CanonicalHeaderKey(key), ve.Param)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())

	rec := env.route(http.MethodGet, testBoxBase+"/users/me", reply{status: 200, body: "x", header: http.Header{}})
	var raw []byte
	_, err := env.client.Do(t.Context(), &RawRequest{API: Box, Method: http.MethodGet, Path: "users/me", Retry: Idempotent}, &raw, WithHeader("Accept", "text/plain"))
	require.NoError(t, err)
	assert.Equal(t, "text/plain", rec.only(t).Header.Get("Accept"))
}
