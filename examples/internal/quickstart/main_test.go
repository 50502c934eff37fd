package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// The Quick start runs as written with only GitGuardian's variables set
// (pointed at the fake): the other four APIs, unconfigured, are no
// obstacle.
func TestQuickStartRunsWithOneVendorConfigured(t *testing.T) {
	for _, name := range []string{
		invitations.EnvBoxAccessToken, invitations.EnvBIMDataAPIKey, invitations.EnvBIMDataAccessToken,
		invitations.EnvFreestyleAPIKey, invitations.EnvPortworxCentralURL, invitations.EnvPortworxAccessToken,
	} {
		t.Setenv(name, "")
	}
	srv := invitationstest.NewTestServer(t)
	t.Setenv(invitations.EnvGitGuardianAPIURL, srv.BaseURLs.GitGuardian)
	t.Setenv(invitations.EnvGitGuardianAPIKey, invitationstest.GitGuardianAPIKey)

	main()

	require.Len(t, srv.Requests(), 1)
	r := srv.Requests()[0]
	assert.Equal(t, invitationstest.GitGuardianCreateInvitations, r.Operation)
	assert.JSONEq(t, `{"email":"ada@example.com","access_level":"member"}`, string(r.Body))
	assert.Contains(t, r.Header.Get("User-Agent"), "quickstart/1.0")
}
