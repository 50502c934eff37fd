package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
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

// demoFake is a fake with demo data the test can look into, and the
// backend run would make of the embedded one.
func demoFake(t *testing.T) (*invitationstest.TestServer, backend) {
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return srv, backend{client: c, fake: true, demoOwners: srv.DemoFreestyleOwners()}
}

// writesFrom returns the operations of the write requests (not GET) srv
// received from the from-th request on, by vendor ("box"), in order, as
// "METHOD operation"; and the requests themselves.
func writesFrom(srv *invitationstest.TestServer, from int) (map[string][]string, map[string][]invitationstest.Request) {
	ops, reqs := map[string][]string{}, map[string][]invitationstest.Request{}
	for _, r := range srv.Requests()[from:] {
		if r.Method == http.MethodGet {
			continue
		}
		vendor, _, _ := strings.Cut(string(r.Operation), ".")
		ops[vendor] = append(ops[vendor], r.Method+" "+string(r.Operation))
		reqs[vendor] = append(reqs[vendor], r)
	}
	return ops, reqs
}

// repeat is n times s.
func repeat(n int, s string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// On the fake, an email the demo data does not know finds nothing, and
// an offboarding of it sends nothing.
func TestOffboardUnknownEmailFindsNothing(t *testing.T) {
	onTheFake(t)
	var out bytes.Buffer
	require.NoError(t, run(flags{email: "ada@example.com", dryRun: true, boxAccount: "deactivate", timeout: time.Minute}, &out))
	got := out.String()
	assert.Contains(t, got, "demo person, known to every API, is "+invitationstest.DemoPersonEmail)
	assert.Contains(t, got, "Read: gitguardian, box, freestyle, bimdata, portworx.\n")
	assert.Contains(t, got, "Nothing found for ada@example.com on GitGuardian, Box, Freestyle, BIMData, Portworx\n")
	assert.NotContains(t, got, "Plan to offboard")
	assert.NotContains(t, got, "would be made")

	srv, b := demoFake(t)
	from := len(srv.Requests())
	out.Reset()
	require.NoError(t, offboard(context.Background(), b, flags{email: "ada@example.com"}, &out))
	assert.Contains(t, out.String(), "Nothing found for ada@example.com on GitGuardian, Box, Freestyle, BIMData, Portworx\n")
	ops, _ := writesFrom(srv, from)
	assert.Empty(t, ops, "nothing to remove: no write")
}

// The demo person is the default on the fake and has something in every
// API: the dry run lists it all, on every vendor, and removes nothing.
func TestOffboardDemoPersonDryRun(t *testing.T) {
	onTheFake(t)
	var out bytes.Buffer
	require.NoError(t, run(flags{dryRun: true, timeout: time.Minute}, &out))
	got := out.String()
	for _, want := range []string{
		"Plan to offboard " + invitationstest.DemoPersonEmail + ": 32 change(s)\n",
		"GitGuardian  remove their gitguardian team 2002 (cannot_manage) [team-membership:5002]\n",
		"GitGuardian  remove their gitguardian workspace (member) [invitation:1]\n",
		"Box          remove their box sessions\n",
		"Box          remove their box group 57645 (member)\n",
		"Box          offboarding sets their box account to inactive (was active)\n",
		"Freestyle    remove their freestyle token ",
		"Freestyle    remove their freestyle identity\n",
		"BIMData      remove their bimdata cloud 12 (user) [user:2]\n",
		"BIMData      remove their bimdata idp-invitation 126 (pending)\n",
		"Portworx     remove their portworx role-binding tenant:" + invitationstest.PortworxDemoTenantID + " (tenant-admin)\n",
		"Portworx     remove their portworx invitation tenant:" + invitationstest.PortworxDemoTenantID,
		"32 change(s) would be made for " + invitationstest.DemoPersonEmail + " (dry run: nothing was changed)\n",
	} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "done:")

	srv, b := demoFake(t)
	from := len(srv.Requests())
	out.Reset()
	require.NoError(t, offboard(context.Background(), b, flags{dryRun: true}, &out))
	assert.Contains(t, out.String(), "32 change(s) would be made")
	ops, _ := writesFrom(srv, from)
	assert.Empty(t, ops, "a dry run sends no write")
}

// Offboarding the demo person removes everything they have on all five
// APIs, in each vendor's order, the Box account deactivated; run again on
// the same fake and state, it finds nothing and sends no write.
func TestOffboardDemoPerson(t *testing.T) {
	srv, b := demoFake(t)
	f := flags{state: filepath.Join(t.TempDir(), "state.json"), boxAccount: "deactivate"}
	from := len(srv.Requests())
	var out bytes.Buffer
	require.NoError(t, offboard(context.Background(), b, f, &out))
	got := out.String()
	assert.Contains(t, got, "Plan to offboard "+invitationstest.DemoPersonEmail+": 32 change(s)\n")
	assert.Contains(t, got, "Box          done: offboarding sets their box account to inactive (was active)\n")
	assert.Contains(t, got, "Freestyle    done: remove their freestyle identity\n")
	assert.Contains(t, got, "Offboarded "+invitationstest.DemoPersonEmail+": 32 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\n")
	assert.Contains(t, got, "Verified: nothing left for "+invitationstest.DemoPersonEmail+" on GitGuardian, Box, Freestyle, BIMData, Portworx\n")
	assert.Equal(t, 32, strings.Count(got, " done: "), "one outcome per change")

	ops, reqs := writesFrom(srv, from)
	assert.Equal(t, []string{
		"DELETE gitguardian.DeleteTeamMembership", "DELETE gitguardian.DeleteTeamInvitation",
		"DELETE gitguardian.DeleteMember", "DELETE gitguardian.DeleteInvitation",
	}, ops["gitguardian"])
	assert.Equal(t, []string{
		"POST box.TerminateUsersSessions",
		"DELETE box.DeleteGroupMembershipByID", "DELETE box.DeleteGroupMembershipByID",
		"PUT box.UpdateUserByID",
	}, ops["box"])
	assert.Equal(t, slices.Concat(
		repeat(2, "DELETE freestyle.RevokeGitToken"),
		repeat(7, "DELETE freestyle.RevokeGitPermission"),
		repeat(5, "DELETE freestyle.RevokeVMPermission"),
		[]string{"DELETE freestyle.DeleteIdentity"},
	), ops["freestyle"])
	assert.Equal(t, []string{
		"DELETE bimdata.DeleteProjectUser", "DELETE bimdata.DeleteProjectUser", "DELETE bimdata.CancelProjectUserInvitation",
		"DELETE bimdata.DeleteCloudUser", "DELETE bimdata.CancelCloudUserInvitation",
		"POST bimdata.DenyInvitation",
	}, ops["bimdata"])
	assert.Equal(t, []string{
		"POST portworx.RevokeIAM", "POST portworx.RevokeIAM", "DELETE portworx.DeleteInvitation",
	}, ops["portworx"])
	if box := reqs["box"]; assert.Len(t, box, 4) {
		var update struct{ Status string }
		require.NoError(t, json.Unmarshal(box[3].Body, &update))
		assert.Equal(t, "inactive", update.Status, "the account deactivated, not deleted")
	}

	from = len(srv.Requests())
	out.Reset()
	require.NoError(t, offboard(context.Background(), b, f, &out))
	assert.Contains(t, out.String(), "Nothing found for "+invitationstest.DemoPersonEmail+" on GitGuardian, Box, Freestyle, BIMData, Portworx\n")
	ops, _ = writesFrom(srv, from)
	assert.Empty(t, ops, "a second run sends no write")
}

// -box-account delete with -transfer-to hands the person's content to
// that user before the account is deleted, never forced.
func TestOffboardBoxDeleteTransfersContent(t *testing.T) {
	srv, b := demoFake(t)
	from := len(srv.Requests())
	var out bytes.Buffer
	f := flags{email: invitationstest.DemoPersonEmail, boxAccount: "delete", transferTo: "user002@example.com"}
	require.NoError(t, offboard(context.Background(), b, f, &out))
	assert.Contains(t, out.String(), "Verified: nothing left for "+invitationstest.DemoPersonEmail)
	ops, reqs := writesFrom(srv, from)
	assert.Equal(t, []string{
		"POST box.TerminateUsersSessions",
		"DELETE box.DeleteGroupMembershipByID", "DELETE box.DeleteGroupMembershipByID",
		"PUT box.TransferOwnedFolder", "DELETE box.DeleteUserByID",
	}, ops["box"])
	if box := reqs["box"]; assert.Len(t, box, 5) {
		var transfer struct {
			OwnedBy struct{ ID string } `json:"owned_by"`
		}
		require.NoError(t, json.Unmarshal(box[3].Body, &transfer))
		assert.Equal(t, "11446001", transfer.OwnedBy.ID, "user002's Box user")
		assert.NotContains(t, box[4].RawQuery, "force=true")
	}
}

// A vendor without credentials is not read, and the output says so.
func TestOffboardSaysWhatWasNotRead(t *testing.T) {
	_, b := demoFake(t)
	b.notRead = map[invitations.API]string{invitations.Freestyle: "no credentials in the environment"}
	var out bytes.Buffer
	require.NoError(t, offboard(context.Background(), b, flags{dryRun: true}, &out))
	got := out.String()
	assert.Contains(t, got, "Read: gitguardian, box, bimdata, portworx. Not read: freestyle (no credentials in the environment).\n")
	assert.NotContains(t, got, "Freestyle    remove")
	assert.Contains(t, got, "17 change(s) would be made")
}

// Bad policies are refused before anything is read, naming the flag.
func TestOffboardRejectsBadFlags(t *testing.T) {
	_, b := demoFake(t)
	for _, tc := range []struct {
		f    flags
		want string
	}{
		{flags{boxAccount: "archive"}, "-box-account"},
		{flags{transferTo: "not an email"}, "-transfer-to"},
		{flags{ggMember: "suspend"}, "-gitguardian-member"},
	} {
		err := offboard(context.Background(), b, tc.f, &bytes.Buffer{})
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
}

// Freestyle identities carry no email: without a state that says whose
// each is (as on the real API), the read is partial and finds nothing of
// the person's; -freestyle-identity records theirs in the state.
func TestOffboardFreestyleIdentityFlag(t *testing.T) {
	_, b := demoFake(t)
	b.fake, b.demoOwners = false, nil
	f := flags{email: invitationstest.DemoPersonEmail, pxTenant: invitationstest.PortworxDemoTenantID, dryRun: true,
		state: filepath.Join(t.TempDir(), "state.json")}
	var out bytes.Buffer
	require.NoError(t, offboard(context.Background(), b, f, &out))
	assert.Contains(t, out.String(), "Partly read: freestyle (")
	assert.NotContains(t, out.String(), "Freestyle    remove")

	f.identity = invitationstest.FreestyleDemoIdentityID
	out.Reset()
	require.NoError(t, offboard(context.Background(), b, f, &out))
	assert.Contains(t, out.String(), "Freestyle    remove their freestyle identity\n")

	err := offboard(context.Background(), b, flags{email: "ada@example.com", identity: f.identity, state: f.state, dryRun: true}, &out)
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "the state says it is "+invitationstest.DemoPersonEmail+"'s")
	}
}

// -box-account delete without -transfer-to deletes no account that owns
// content: the delete is not planned, the rest is done, and the run says
// what is left and fails.
func TestOffboardBoxDeleteWithoutTransferIsNotPlanned(t *testing.T) {
	srv, b := demoFake(t)
	from := len(srv.Requests())
	var out bytes.Buffer
	err := offboard(context.Background(), b, flags{boxAccount: "delete"}, &out)
	if assert.Error(t, err) {
		assert.Contains(t, err.Error(), "is not fully offboarded")
	}
	got := out.String()
	assert.Contains(t, got, "Box          not planned: "+invitationstest.DemoPersonEmail+"'s Box account owns content")
	assert.Contains(t, got, "Not verified: ")
	ops, _ := writesFrom(srv, from)
	assert.NotContains(t, ops["box"], "DELETE box.DeleteUserByID")
	assert.Contains(t, ops["box"], "DELETE box.DeleteGroupMembershipByID")
	assert.Len(t, ops["portworx"], 3, "the other vendors are offboarded all the same")
}
