package access

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// Demo BIMData invitations (see fake/bimdata.go): 123
// user@example.com, 124 admin@example.com and 126 the demo person are
// pending, 127 architect@example.com is accepted, 128
// contractor@example.com is denied.
func bimTestRecord(id, email, level string, state State) Record {
	return Record{Email: email, Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: id, ScopeName: bimTestClouds[id], Level: level}, State: state, ID: id}
}

// bimTestClouds are the clouds of the demo invitations, by id: the
// grants carry their names.
var bimTestClouds = map[string]string{
	"123": "Awesome Cloud", "124": "Awesome Cloud", "125": "Awesome Cloud",
	"126": "Harbour Works", "127": "Harbour Works", "128": "Harbour Works",
}

func TestBIMDataRead(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	accept := &BIMDataAccess{Accept: true}
	people := []Person{
		{Email: "User001@example.com", BIMData: accept},
		{Email: invitationstest.BIMDataDemoUserEmail},      // asks for nothing: had, not wanted
		{Email: "architect@example.com", BIMData: accept},  // accepted already
		{Email: "contractor@example.com", BIMData: accept}, // denied only
		{Email: "nobody@example.com", BIMData: accept},     // no invitation at all
		{Email: "admin@example.com"},
		{Email: "guest@example.com", BIMData: &BIMDataAccess{}}, // Accept false: nothing wanted
	}
	view, err := asTest(newBIMDataConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Equal(t, []Record{
		bimTestRecord("126", invitationstest.DemoPersonEmail, "pending", StatePending),
		bimTestRecord("123", invitationstest.BIMDataDemoUserEmail, "pending", StatePending),
		bimTestRecord("127", "architect@example.com", "accepted", StateAccepted),
		bimTestRecord("124", "admin@example.com", "pending", StatePending),
		bimTestRecord("125", "guest@example.com", "pending", StatePending),
	}, view.Have, "denied invitations are not access")
	acceptedGrant := func(id string) Grant {
		return Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: id, ScopeName: bimTestClouds[id], Level: "accepted"}
	}
	assert.Equal(t, map[string][]Grant{
		"user001@example.com":   {acceptedGrant("126")},
		"architect@example.com": {acceptedGrant("127")},
	}, view.Want)
	assert.Equal(t, []Problem{
		{Email: "contractor@example.com", Vendor: invitations.BIMData, Reason: "no pending BIMData invitation for contractor@example.com (1 denied, left as they are)"},
		{Email: "nobody@example.com", Vendor: invitations.BIMData, Reason: "no pending BIMData invitation for nobody@example.com"},
	}, view.Problems)
	assert.Empty(t, view.Scopes)
	assert.Empty(t, view.Subjects)
	assert.Equal(t, []invitationstest.Operation{invitationstest.BIMDataGetInvitations}, loggedOps(srv), "nobody names a cloud or is absent: the clouds are not read")
	assert.Empty(t, srv.Requests()[0].RawQuery, "one unfiltered list")
}

func TestBIMDataExecute(t *testing.T) {
	t.Parallel()
	status := func(t *testing.T, ctx context.Context, c *invitations.Client, id int64) models.BIMDataInvitationStatus {
		inv, err := c.SSO.GetInvitation(ctx, id)
		require.NoError(t, err)
		return inv.Status
	}
	tests := []struct {
		name   string
		change Change
		ops    []invitationstest.Operation
		check  func(t *testing.T, ctx context.Context, srv *invitationstest.TestServer, c *invitations.Client)
	}{{
		name: "update to accepted accepts",
		change: Change{Action: Update, Email: invitationstest.DemoPersonEmail, Target: "126",
			Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "126", Level: "accepted"},
			From:  &Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "126", Level: "pending"}},
		ops: []invitationstest.Operation{invitationstest.BIMDataAcceptInvitation},
		check: func(t *testing.T, ctx context.Context, _ *invitationstest.TestServer, c *invitations.Client) {
			assert.Equal(t, models.BIMDataInvitationStatusAccepted, status(t, ctx, c, 126))
		},
	}, {
		name: "removing a pending invitation denies it",
		change: Change{Action: Remove, Email: "admin@example.com", Target: "124",
			Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "124", Level: "pending"}},
		ops: []invitationstest.Operation{invitationstest.BIMDataDenyInvitation},
		check: func(t *testing.T, ctx context.Context, _ *invitationstest.TestServer, c *invitations.Client) {
			assert.Equal(t, models.BIMDataInvitationStatusDenied, status(t, ctx, c, 124))
		},
	}, {
		name: "removing an accepted invitation deletes the user",
		change: Change{Action: Remove, Email: "architect@example.com", Target: "127",
			Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "127", Level: "accepted"}},
		ops: []invitationstest.Operation{invitationstest.BIMDataDeleteUser},
		check: func(t *testing.T, _ context.Context, srv *invitationstest.TestServer, _ *invitations.Client) {
			assert.JSONEq(t, `{"email":"architect@example.com"}`, string(srv.Requests()[0].Body))
			assert.False(t, srv.BIMDataUserExists("architect@example.com"))
			assert.True(t, srv.BIMDataUserExists(invitationstest.DemoPersonEmail))
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoFake(t)
			id, err := asTest(newBIMDataConnector(c)).execute(t.Context(), tt.change, &stateView{snap: NewSnapshot()})
			require.NoError(t, err)
			assert.Empty(t, id)
			assert.Equal(t, tt.ops, loggedOps(srv))
			tt.check(t, t.Context(), srv, c)
		})
	}
}

func TestBIMDataExecuteRefuses(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	conn := asTest(newBIMDataConnector(c))
	st := &stateView{snap: NewSnapshot()}
	for _, ch := range []Change{
		{Action: Create, Email: "a@example.com", Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "126", Level: "accepted"}},
		{Action: Update, Email: "a@example.com", Target: "126", Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "126", Level: "denied"}},
		{Action: Remove, Email: "a@example.com", Target: "128", Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "128", Level: "denied"}},
		{Action: Update, Email: "a@example.com", Target: "x", Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "x", Level: "accepted"}},
	} {
		_, err := conn.execute(t.Context(), ch, st)
		assert.Error(t, err, ch)
	}
	assert.Empty(t, srv.Requests(), "nothing the connector cannot do is sent")

	// An accept the server answered with a 5xx is in doubt, and not
	// repeated by the SDK.
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BIMDataAcceptInvitation, Status: 502, RetryAfter: "0"})
	_, err := conn.execute(t.Context(), Change{Action: Update, Email: invitationstest.DemoPersonEmail, Target: "126",
		Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: "126", Level: "accepted"}}, st)
	assert.ErrorIs(t, err, invitations.ErrOutcomeUnknown)
	assert.Equal(t, 1, srv.RequestCount(invitationstest.BIMDataAcceptInvitation))
}

func TestBIMDataAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	conn := asTest(newBIMDataConnector(c))
	seq := conn.audit(t.Context(), &stateView{snap: NewSnapshot()})
	assert.Empty(t, srv.Requests(), "nothing is asked before the loop")
	cloud := func(id, email, role string, state State, target string) Record {
		return Record{Email: email, Grant: Grant{Vendor: invitations.BIMData, Kind: KindCloud, Scope: id, ScopeName: map[string]string{"12": "Awesome Cloud", "31": "Harbour Works"}[id], Level: role}, State: state, ID: target}
	}
	project := func(scope, email, role string, state State, target string) Record {
		return Record{Email: email, Grant: Grant{Vendor: invitations.BIMData, Kind: KindProject, Scope: scope, Level: role}, State: state, ID: target}
	}
	const owner, person, user = "owner@example.com", invitationstest.DemoPersonEmail, invitationstest.BIMDataDemoUserEmail
	assert.Equal(t, []Record{
		bimTestRecord("123", user, "pending", StatePending),
		bimTestRecord("124", "admin@example.com", "pending", StatePending),
		bimTestRecord("125", "guest@example.com", "pending", StatePending),
		bimTestRecord("126", person, "pending", StatePending),
		bimTestRecord("127", "architect@example.com", "accepted", StateAccepted),
		bimTestRecord("128", "contractor@example.com", "denied", StateDenied),
		cloud("12", owner, "admin", StateMember, "user:1"),
		cloud("12", person, "user", StateMember, "user:2"),
		cloud("12", "admin@example.com", "admin", StatePending, "invitation:501"),
		cloud("12", user, "user", StatePending, "invitation:502"),
		cloud("12", "guest@example.com", "user", StatePending, "invitation:503"),
		cloud("31", owner, "admin", StateMember, "user:1"),
		cloud("31", "architect@example.com", "user", StateMember, "user:3"),
		cloud("31", person, "user", StatePending, "invitation:504"),
		// The projects the invitations' links open: BIMData lists none.
		project("12/15", owner, "admin", StateMember, "member:301"),
		project("12/15", person, "user", StateMember, "member:302"),
		project("12/15", user, "admin", StatePending, "invitation:601"),
		project("12/16", owner, "admin", StateMember, "member:303"),
		project("12/16", person, "guest", StateMember, "member:304"),
		project("12/16", "guest@example.com", "guest", StatePending, "invitation:602"),
		project("31/40", owner, "admin", StateMember, "member:305"),
		project("31/40", person, "user", StatePending, "invitation:603"),
		project("31/41", owner, "admin", StateMember, "member:306"),
		project("31/41", "architect@example.com", "user", StateMember, "member:307"),
	}, collectAudit(t, conn, 0))

	srv.ClearRequests()
	var n int
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 7 {
			break
		}
	}
	assert.Equal(t, []invitationstest.Operation{invitationstest.BIMDataGetInvitations, invitationstest.BIMDataGetClouds, invitationstest.BIMDataGetCloudUsers},
		loggedOps(srv), "the audit reads as the loop asks")
}

func TestBIMDataStatuses(t *testing.T) {
	t.Parallel()
	for status, want := range map[models.BIMDataInvitationStatus]State{
		models.BIMDataInvitationStatusPending:  StatePending,
		models.BIMDataInvitationStatusAccepted: StateAccepted,
		"W":                                    StateAccepted, // 2019 servers' accepted
		models.BIMDataInvitationStatusDenied:   StateDenied,
	} {
		r, ok := bimRecord(models.BIMDataInvitation{ID: 9, Email: "a@example.com", Status: status})
		assert.True(t, ok, status)
		assert.Equal(t, want, r.State, status)
		assert.Equal(t, string(want), r.Grant.Level, status)
	}
	for _, status := range []models.BIMDataInvitationStatus{"", "X"} {
		_, ok := bimRecord(models.BIMDataInvitation{ID: 9, Email: "a@example.com", Status: status})
		assert.False(t, ok, "status %q is no known grant", status)
	}
}

func TestBIMDataReadRequests(t *testing.T) {
	t.Parallel()
	// 1,000 pending invitations, person000001@example.com and on.
	srv := invitationstest.NewTestServer(t, invitationstest.WithGeneratedPeople(1000))
	c, err := srv.Client()
	require.NoError(t, err)
	conn := asTest(newBIMDataConnector(c))
	for _, n := range []int{1, 1000} {
		people := make([]Person, n)
		for i := range people {
			people[i] = Person{Email: fmt.Sprintf("person%06d@example.com", i+1), BIMData: &BIMDataAccess{Accept: true}}
		}
		srv.ClearRequests()
		view, err := conn.read(t.Context(), people, &stateView{snap: NewSnapshot()})
		require.NoError(t, err)
		assert.Len(t, view.Have, n)
		assert.Len(t, view.Want, n)
		assert.Empty(t, view.Problems)
		// The whole list in one unfiltered request, for any number of
		// people: the API does not page it.
		assert.Equal(t, []string{"bimdata.GetInvitations status="}, pagedRequests(t, srv, "status"), "%d people", n)
		assert.Empty(t, srv.Requests()[0].RawQuery)
	}
	srv.ClearRequests()
	assert.Len(t, collectAudit(t, conn, 0), 1000)
	assert.Equal(t, []string{"bimdata.GetInvitations status=", "bimdata.GetClouds status="}, pagedRequests(t, srv, "status"), "the audit too, then the clouds (none here)")
}

// bimWrites describes the writes the fake received, oldest first, as
// "operation path body" (the path without the API prefix).
func bimWrites(srv *invitationstest.TestServer) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		line := string(r.Operation) + " " + strings.TrimPrefix(r.Path, invitationstest.BIMDataPrefix)
		if len(r.Body) > 0 {
			line += " " + string(r.Body)
		}
		out = append(out, line)
	}
	return out
}

// bimManager is a Manager of BIMData alone, on c, with a state of its
// own. It runs one change at a time, so that the fake's log is in the
// plan's order across people too.
func bimManager(t *testing.T, c *invitations.Client) *Manager {
	t.Helper()
	m, err := New(c, NewFileStore(filepath.Join(t.TempDir(), "state.json")), WithVendors(invitations.BIMData), WithConcurrency(1))
	require.NoError(t, err)
	return m
}

// bimLines is a plan's changes as "action kind scope level (target) note".
func bimLines(plan *Plan) []string {
	var out []string
	for _, c := range plan.Changes {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s (%s) %s", c.Action, c.Email, c.Grant.Kind, c.Grant.Scope, c.Grant.Level, c.Target, c.Note)))
	}
	return out
}

// The demo person is a user of cloud 12 and of its projects 15 (user) and
// 16 (guest), and invited into cloud 31 and its project 40 (user).
func TestBIMDataReadCloudsAndProjects(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		{Email: invitationstest.DemoPersonEmail, BIMData: &BIMDataAccess{
			Clouds: []BIMDataCloudAccess{{CloudID: 12, Role: BIMDataUser}, {CloudID: 99, Role: BIMDataUser}},
			Projects: []BIMDataProjectAccess{
				{CloudID: 12, ProjectID: 15, Role: BIMDataAdmin}, {CloudID: 12, ProjectID: 99, Role: BIMDataUser},
				{CloudID: 98, ProjectID: 1, Role: BIMDataUser}, {CloudID: 31, ProjectID: 40, Role: BIMDataGuest},
			},
		}},
		{Email: "architect@example.com", Absent: true},
	}
	view, err := asTest(newBIMDataConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Equal(t, map[string][]Grant{invitationstest.DemoPersonEmail: {
		{Vendor: invitations.BIMData, Kind: KindCloud, Scope: "12", ScopeName: "Awesome Cloud", Level: "user"},
		{Vendor: invitations.BIMData, Kind: KindProject, Scope: "12/15", Level: "admin"},
		{Vendor: invitations.BIMData, Kind: KindProject, Scope: "31/40", Level: "guest"},
	}}, view.Want)
	assert.Equal(t, []Problem{
		{Email: invitationstest.DemoPersonEmail, Vendor: invitations.BIMData, Field: "people[0].BIMData.Clouds[1].CloudID", Reason: "BIMData cloud 99 is not one of the clouds the token reaches"},
		{Email: invitationstest.DemoPersonEmail, Vendor: invitations.BIMData, Field: "people[0].BIMData.Projects[1].ProjectID", Reason: "BIMData cloud 12 has no project 99"},
		{Email: invitationstest.DemoPersonEmail, Vendor: invitations.BIMData, Field: "people[0].BIMData.Projects[2].CloudID", Reason: "BIMData cloud 98 is not one of the clouds the token reaches"},
	}, view.Problems)
	assert.Equal(t, map[string]bool{"cloud|12": true, "project|12/15": true, "project|31/40": true}, view.Scopes)

	var have []string
	for _, r := range view.Have {
		have = append(have, fmt.Sprintf("%s %s %s %s %s %s", r.Email, r.Grant.Kind, r.Grant.Scope, r.Grant.Level, r.State, r.ID))
	}
	assert.Equal(t, []string{
		"user001@example.com idp-invitation 126 pending pending 126",
		"architect@example.com idp-invitation 127 accepted accepted 127",
		// The clouds: the people's records and anyone's in a named scope.
		"owner@example.com cloud 12 admin member user:1",
		"user001@example.com cloud 12 user member user:2",
		"admin@example.com cloud 12 admin pending invitation:501",
		"user@example.com cloud 12 user pending invitation:502",
		"guest@example.com cloud 12 user pending invitation:503",
		"architect@example.com cloud 31 user member user:3",
		"user001@example.com cloud 31 user pending invitation:504",
		"owner@example.com project 12/15 admin member member:301",
		"user001@example.com project 12/15 user member member:302",
		"user@example.com project 12/15 admin pending invitation:601",
		"user001@example.com project 12/16 guest member member:304",
		"owner@example.com project 31/40 admin member member:305",
		"user001@example.com project 31/40 user pending invitation:603",
		"architect@example.com project 31/41 user member member:307",
	}, have)
	require.NotNil(t, view.Reissue)
	assert.True(t, view.Reissue(Record{Grant: Grant{Kind: KindProject}, State: StatePending}), "a pending project invitation is re-invited")
	assert.False(t, view.Reissue(Record{Grant: Grant{Kind: KindCloud}, State: StateMember}), "a member's role is updated")
	assert.False(t, view.Reissue(Record{Grant: Grant{Kind: KindIDPInvitation}, State: StatePending}), "an identity-provider invitation is accepted")

	// Every list once, whatever the number of people; the unknown project
	// is asked for its users only (404).
	assert.Equal(t, map[invitationstest.Operation]int{
		invitationstest.BIMDataGetInvitations: 1, invitationstest.BIMDataGetClouds: 1,
		invitationstest.BIMDataGetCloudUsers: 2, invitationstest.BIMDataGetCloudInvitations: 2,
		invitationstest.BIMDataGetProjectUsers: 5, invitationstest.BIMDataGetProjectInvitations: 4,
	}, opCounts(srv))
}

func opCounts(srv *invitationstest.TestServer) map[invitationstest.Operation]int {
	out := map[invitationstest.Operation]int{}
	for _, op := range loggedOps(srv) {
		out[op]++
	}
	return out
}

// Movers: a member's role is updated, a pending invitation's is changed by
// a re-invite, a cloud is invited into before its projects; applied, the
// next plan is empty.
func TestBIMDataPlanApplyRoles(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := bimManager(t, c)
	people := []Person{
		{Email: invitationstest.DemoPersonEmail, BIMData: &BIMDataAccess{
			Clouds: []BIMDataCloudAccess{{CloudID: 12, Role: BIMDataAdmin}, {CloudID: 31, Role: BIMDataAdmin}},
			Projects: []BIMDataProjectAccess{
				{CloudID: 12, ProjectID: 15, Role: BIMDataUser}, {CloudID: 12, ProjectID: 16, Role: BIMDataUser},
				{CloudID: 31, ProjectID: 40, Role: BIMDataAdmin},
			},
		}},
		{Email: "new@example.com", BIMData: &BIMDataAccess{
			Projects: []BIMDataProjectAccess{{CloudID: 31, ProjectID: 41, Role: BIMDataGuest}},
			Clouds:   []BIMDataCloudAccess{{CloudID: 31, Role: BIMDataAdmin}},
		}},
	}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Problems)
	assert.Equal(t, []string{
		"create new@example.com cloud 31 admin ()",
		"create new@example.com project 31/41 guest ()",
		"update user001@example.com cloud 12 admin (user:2)",
		"update user001@example.com cloud 31 admin (invitation:504) re-invite",
		"update user001@example.com project 12/16 user (member:304)",
		"update user001@example.com project 31/40 admin (invitation:603) re-invite",
	}, bimLines(plan))
	srv.ClearRequests()
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	assert.Equal(t, []string{
		`bimdata.InviteCloudUser /cloud/31/invitation {"email":"new@example.com","redirect_uri":"https://platform.bimdata.io/cloud/31","role":100}`,
		`bimdata.InviteProjectUser /cloud/31/project/41/invitation {"email":"new@example.com","redirect_uri":"https://platform.bimdata.io/cloud/31/project/41","role":25}`,
		`bimdata.UpdateCloudUser /cloud/12/user/2 {"cloud_role":100}`,
		`bimdata.CancelCloudUserInvitation /cloud/31/invitation/504`,
		`bimdata.InviteCloudUser /cloud/31/invitation {"email":"user001@example.com","redirect_uri":"https://platform.bimdata.io/cloud/31","role":100}`,
		`bimdata.UpdateProjectUser /cloud/12/project/16/user/304 {"role":50}`,
		`bimdata.CancelProjectUserInvitation /cloud/31/project/40/invitation/603`,
		`bimdata.InviteProjectUser /cloud/31/project/40/invitation {"email":"user001@example.com","redirect_uri":"https://platform.bimdata.io/cloud/31/project/40","role":100}`,
	}, bimWrites(srv))

	again, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, bimLines(again), "the cloud invitations kept their roles: the project invitations added none")
}

// A project invitation waits for the invitation into its cloud: sent
// alone it would invite the person into the cloud as a plain user.
func TestBIMDataProjectInviteNeedsItsCloud(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := bimManager(t, c)
	people := []Person{{Email: "new@example.com", BIMData: &BIMDataAccess{
		Clouds:   []BIMDataCloudAccess{{CloudID: 31, Role: BIMDataAdmin}},
		Projects: []BIMDataProjectAccess{{CloudID: 31, ProjectID: 41, Role: BIMDataGuest}, {CloudID: 12, ProjectID: 15, Role: BIMDataGuest}},
	}}}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BIMDataInviteCloudUser, Status: http.StatusForbidden})
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	outcomes := map[string]Outcome{}
	for _, r := range results {
		outcomes[r.Change.Grant.Scope] = r.Outcome
	}
	assert.Equal(t, map[string]Outcome{"31": Failed, "31/41": Skipped, "12/15": Done}, outcomes, "the project of another cloud does not wait")
	assert.Equal(t, 1, srv.RequestCount(invitationstest.BIMDataInviteProjectUser))
}

func TestBIMDataClassify(t *testing.T) {
	t.Parallel()
	conn := newBIMDataConnector(nil).(*bimDataConnector)
	member := &invitations.APIError{StatusCode: http.StatusBadRequest, Message: "This user is already a member of this cloud."}
	cloud := Grant{Vendor: invitations.BIMData, Kind: KindCloud, Scope: "12", Level: "user"}
	assert.Equal(t, AlreadyDone, conn.Classify(Change{Action: Create, Grant: cloud}, member))
	project := Grant{Vendor: invitations.BIMData, Kind: KindProject, Scope: "12/15", Level: "user"}
	assert.Equal(t, AlreadyDone, conn.Classify(Change{Action: Create, Grant: project}, fmt.Errorf("wrapped: %w", member)))
	assert.Equal(t, Outcome(""), conn.Classify(Change{Action: Create, Grant: cloud}, &invitations.APIError{StatusCode: http.StatusBadRequest, Message: "Invalid input."}))
	assert.Equal(t, Outcome(""), conn.Classify(Change{Action: Update, Grant: cloud}, member), "a re-invite that found a member is in doubt, not done: the role may differ")
}

// Offboarding removes project access, then cloud access, then the
// identity-provider user; a second offboard finds nothing and sends no
// write.
func TestBIMDataOffboard(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := bimManager(t, c)

	// The architect's invitation was accepted: their user goes last.
	plan, err := m.Offboard(t.Context(), "architect@example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{
		"remove architect@example.com project 31/41 user (member:307) absent",
		"remove architect@example.com cloud 31 user (user:3) absent",
		"remove architect@example.com idp-invitation 127 accepted (127) absent",
	}, bimLines(plan))
	srv.ClearRequests()
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	assert.Equal(t, []string{
		"bimdata.DeleteProjectUser /cloud/31/project/41/user/307",
		"bimdata.DeleteCloudUser /cloud/31/user/3",
		`bimdata.DeleteUser /identity-provider/user {"email":"architect@example.com"}`,
	}, bimWrites(srv))

	// The demo person: two projects and a cloud as a user, a cloud and a
	// project invitation, a pending identity-provider invitation.
	plan, err = m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"remove user001@example.com project 12/15 user (member:302) absent",
		"remove user001@example.com project 12/16 guest (member:304) absent",
		"remove user001@example.com project 31/40 user (invitation:603) absent",
		"remove user001@example.com cloud 12 user (user:2) absent",
		"remove user001@example.com cloud 31 user (invitation:504) absent",
		"remove user001@example.com idp-invitation 126 pending (126) absent",
	}, bimLines(plan))
	srv.ClearRequests()
	results, err = m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	assert.Equal(t, []string{
		"bimdata.DeleteProjectUser /cloud/12/project/15/user/302",
		"bimdata.DeleteProjectUser /cloud/12/project/16/user/304",
		"bimdata.CancelProjectUserInvitation /cloud/31/project/40/invitation/603",
		"bimdata.DeleteCloudUser /cloud/12/user/2",
		"bimdata.CancelCloudUserInvitation /cloud/31/invitation/504",
		"bimdata.DenyInvitation /identity-provider/invitation/126/deny",
	}, bimWrites(srv))

	srv.ClearRequests()
	for _, email := range []string{"architect@example.com", invitationstest.DemoPersonEmail} {
		again, err := m.Offboard(t.Context(), email)
		require.NoError(t, err)
		assert.Empty(t, bimLines(again), "nothing left for %s", email)
	}
	assert.Empty(t, bimWrites(srv), "a second offboard sends no write")
	for r, err := range m.Audit(t.Context()) {
		require.NoError(t, err)
		if r.State != StateDenied && r.Grant.Kind != KindIDPInvitation {
			assert.NotContains(t, []string{"architect@example.com", invitationstest.DemoPersonEmail}, r.Email, "left: %+v", r)
		}
	}
}

// A removal BIMData answers 404 (gone since the read) is already done.
func TestBIMDataRemovalAlreadyGone(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := bimManager(t, c)
	plan, err := m.Offboard(t.Context(), "architect@example.com")
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BIMDataDeleteProjectUser, Status: http.StatusNotFound})
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, 3)
	assert.Equal(t, []Outcome{AlreadyDone, Done, Done}, []Outcome{results[0].Outcome, results[1].Outcome, results[2].Outcome})
}
