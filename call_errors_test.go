package invitations

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
