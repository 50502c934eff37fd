package access

import (
	"context"
	"fmt"
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
		{Email: "admin@example.com", Absent: true, BIMData: accept},
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
	assert.Equal(t, []invitationstest.Operation{invitationstest.BIMDataGetInvitations}, loggedOps(srv))
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
	assert.Equal(t, []Record{
		bimTestRecord("123", invitationstest.BIMDataDemoUserEmail, "pending", StatePending),
		bimTestRecord("124", "admin@example.com", "pending", StatePending),
		bimTestRecord("125", "guest@example.com", "pending", StatePending),
		bimTestRecord("126", invitationstest.DemoPersonEmail, "pending", StatePending),
		bimTestRecord("127", "architect@example.com", "accepted", StateAccepted),
		bimTestRecord("128", "contractor@example.com", "denied", StateDenied),
	}, collectAudit(t, conn, 0))

	srv.ClearRequests()
	var n int
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 2 {
			break
		}
	}
	assert.Equal(t, []invitationstest.Operation{invitationstest.BIMDataGetInvitations}, loggedOps(srv), "the list is one answer")
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
	assert.Equal(t, []string{"bimdata.GetInvitations status="}, pagedRequests(t, srv, "status"), "the audit too")
}
