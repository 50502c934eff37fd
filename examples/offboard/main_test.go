package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// onTheFake clears the vendor variables, so that run uses the embedded fake.
func onTheFake(t *testing.T) {
	for _, name := range []string{
		invitations.EnvGitGuardianAPIKey, invitations.EnvGitGuardianAPIURL, invitations.EnvBoxAccessToken,
		invitations.EnvBIMDataAPIKey, invitations.EnvBIMDataAccessToken, invitations.EnvFreestyleAPIKey,
		invitations.EnvPortworxCentralURL, invitations.EnvPortworxAccessToken,
	} {
		t.Setenv(name, "")
	}
}

// On the fake, an email the demo data does not know finds nothing: no
// demo identity, no BIMData user "if it exists".
func TestOffboardUnknownEmailFindsNothing(t *testing.T) {
	onTheFake(t)
	var out bytes.Buffer
	require.NoError(t, run(flags{email: "ada@example.com", dryRun: true, timeout: time.Minute}, &out))
	got := out.String()
	assert.Contains(t, got, "0 item(s) would be revoked (dry run) for ada@example.com")
	assert.NotContains(t, got, "would revoke")
	assert.NotContains(t, got, invitationstest.FreestyleDemoIdentityID)
	assert.NotContains(t, got, "if it exists")
	assert.Contains(t, got, "demo person, known to every API, is "+invitationstest.DemoPersonEmail)
}

// The demo person is the default on the fake and has something in every
// API; a real run revokes it all, and a second run finds nothing left.
func TestOffboardDemoPerson(t *testing.T) {
	onTheFake(t)
	var out bytes.Buffer
	require.NoError(t, run(flags{dryRun: true, timeout: time.Minute}, &out))
	got := out.String()
	for _, want := range []string{
		"GitGuardian  would revoke pending invitation",
		"Box          would revoke membership 434534 in group Contractors",
		"Box          would revoke membership 434535 in group Support",
		"Freestyle    would revoke identity " + invitationstest.FreestyleDemoIdentityID,
		"BIMData      would revoke pending invitation 126 (denied)",
		"BIMData      would revoke user " + invitationstest.DemoPersonEmail + "\n",
		"Portworx     would revoke invitation " + invitationstest.PortworxDemoInvitationUID,
		"7 item(s) would be revoked (dry run) for " + invitationstest.DemoPersonEmail,
	} {
		assert.Contains(t, got, want)
	}

	out.Reset()
	require.NoError(t, run(flags{timeout: time.Minute}, &out))
	assert.Contains(t, out.String(), "7 item(s) revoked for "+invitationstest.DemoPersonEmail)
}
