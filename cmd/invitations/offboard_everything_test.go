package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/fake"
)

// fakeWritesFrom returns the write requests (not GET) the shell's fake
// received from the from-th request on, by vendor ("box"), in order.
func (sh *shell) fakeWritesFrom(from int) map[string][]loggedRequest {
	sh.t.Helper()
	out := map[string][]loggedRequest{}
	for _, r := range sh.fakeRequests(from) {
		if r.Method != http.MethodGet {
			vendor, _, _ := strings.Cut(r.Operation, ".")
			out[vendor] = append(out[vendor], r)
		}
	}
	return out
}

// operations names each write as "METHOD operation".
func operations(ws []loggedRequest) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Method+" "+w.Operation)
	}
	return out
}

// Offboarding the demo person, whom every vendor knows, removes
// everything they have on all five, in each vendor's order: GitGuardian
// team access, then the member and the invitation; Box sessions, group
// memberships, their content handed to the user the file names, then the
// account deleted; Freestyle git tokens, permissions, then the identity;
// BIMData project, then cloud access, then the identity-provider
// invitation; Portworx role bindings, then invitations. A second offboard
// sends no write: nothing is left.
func TestOffboardRemovesEverythingOfAPersonPresentEverywhere(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `people:
  - email: user002@example.com
portworx_tenants: [` + fake.PortworxDemoTenantID + `]
offboarding:
  box: {account: delete, transfer_to: user002@example.com}
`})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	offboard := []string{"offboard", fake.DemoPersonEmail, "-auto-approve", "-f", "people.yaml", "--max-removals", "-1"}

	from := len(sh.fakeOperations(0))
	out := sh.run(0, offboard...)
	assert.Contains(t, out.stdout, "Apply: 33 done, 0 already done, 0 failed, 0 in doubt, 0 skipped.")
	assert.Contains(t, out.stderr, "Verified: nothing left for "+fake.DemoPersonEmail+" on gitguardian, box, freestyle, bimdata, portworx.")
	w := sh.fakeWritesFrom(from)

	assert.Equal(t, []string{
		"DELETE gitguardian.DeleteTeamMembership", "DELETE gitguardian.DeleteTeamInvitation",
		"DELETE gitguardian.DeleteMember", "DELETE gitguardian.DeleteInvitation",
	}, operations(w["gitguardian"]))
	assert.Equal(t, []string{
		"POST box.TerminateUsersSessions",
		"DELETE box.DeleteGroupMembershipByID", "DELETE box.DeleteGroupMembershipByID",
		"PUT box.TransferOwnedFolder", "DELETE box.DeleteUserByID",
	}, operations(w["box"]))
	assert.Equal(t, slices.Concat(
		slices.Repeat([]string{"DELETE freestyle.RevokeGitToken"}, 2),
		slices.Repeat([]string{"DELETE freestyle.RevokeGitPermission"}, 7),
		slices.Repeat([]string{"DELETE freestyle.RevokeVMPermission"}, 5),
		[]string{"DELETE freestyle.DeleteIdentity"},
	), operations(w["freestyle"]))
	assert.Equal(t, []string{
		"DELETE bimdata.DeleteProjectUser", "DELETE bimdata.DeleteProjectUser", "DELETE bimdata.CancelProjectUserInvitation",
		"DELETE bimdata.DeleteCloudUser", "DELETE bimdata.CancelCloudUserInvitation",
		"POST bimdata.DenyInvitation",
	}, operations(w["bimdata"]))
	assert.Equal(t, []string{
		"POST portworx.RevokeIAM", "POST portworx.RevokeIAM", "DELETE portworx.DeleteInvitation",
	}, operations(w["portworx"]))

	// The content went to user002 (Box user 11446001), and the account was
	// deleted without force: Box deletes only an account that owns nothing.
	if box := w["box"]; assert.Len(t, box, 5) {
		var transfer struct {
			OwnedBy struct{ ID string } `json:"owned_by"`
		}
		require.NoError(t, json.Unmarshal([]byte(box[3].Body), &transfer))
		assert.Equal(t, "11446001", transfer.OwnedBy.ID)
		assert.NotContains(t, box[4].RawQuery, "force=true")
	}

	from = len(sh.fakeOperations(0))
	again := sh.run(0, offboard...)
	assert.Equal(t, "No grants found for "+fake.DemoPersonEmail+" on: gitguardian, box, freestyle, bimdata, portworx.\n", again.stdout)
	assert.Empty(t, sh.fakeWritesFrom(from), "a second offboard sends no write")
}
