package invitations

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithEnvConfiguresWhatIsSet(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		EnvGitGuardianAPIKey:  "gg-env-key",
		EnvGitGuardianAPIURL:  "https://gitguardian.corp.example/exposed/v1/",
		EnvBoxAccessToken:     "box-env",
		EnvBIMDataAPIKey:      "bim-key",
		EnvBIMDataAccessToken: "bim-token",
	}
	env := newTestEnv(t, withEnvLookup(func(k string) string { return vars[k] }))
	gg := env.route(http.MethodDelete, "https://gitguardian.corp.example/exposed/v1/invitations/1", reply{status: 204})
	require.NoError(t, env.client.Invitations.DeleteInvitation(t.Context(), 1))
	assert.Equal(t, "Token gg-env-key", gg.only(t).Header.Get("Authorization"))

	bim := env.route(http.MethodPost, testBIMDataBase+"/identity-provider/invitation/3/accept", reply{status: 204})
	require.NoError(t, env.client.SSO.AcceptInvitation(t.Context(), 3))
	assert.Equal(t, "Bearer bim-token", bim.only(t).Header.Get("Authorization"), "the access token wins over the API key")

	// Unset variables leave earlier options alone.
	fs := env.route(http.MethodDelete, testFreestyleBase+"/identity/v1/identities/i1", reply{status: 200, body: "{}"})
	require.NoError(t, env.client.Identity.DeleteIdentity(t.Context(), "i1"))
	assert.Equal(t, "Bearer "+testFreestyleKey, fs.only(t).Header.Get("Authorization"))
}

func TestWithEnvNamesTheBadVariable(t *testing.T) {
	t.Parallel()
	_, err := NewClient(withEnvLookup(func(k string) string {
		if k == EnvPortworxCentralURL {
			return "px-central.example.com"
		}
		return ""
	}))
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, EnvPortworxCentralURL, verr.Param)
}
