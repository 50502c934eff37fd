package access

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// Demo Box memberships (see invitationstest/box.go): the demo person
// (user001, user id 11446000) is a member of Contractors (57645) through
// 434534 and an admin of Support (119720) through 434535; user002 is a
// member of Contractors through 434536. Support has 26 members, Contractors
// 260, Engineering (119721) none.
const (
	boxSupportID     = "119720"
	boxEngineeringID = "119721"
)

func boxTestGrant(group string, role models.GroupMembershipRole) Grant {
	return Grant{Vendor: Box, Kind: KindGroup, Scope: group, Level: string(role)}
}

func TestBoxRead(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		{Email: "User001@Example.com", Box: []BoxMembership{
			{GroupName: "Support"}, // empty role: member
			{GroupID: boxEngineeringID, Role: models.GroupMembershipRoleAdmin},
		}},
		{Email: "nobody@example.com", Box: []BoxMembership{{GroupName: "Nope"}}},
		{Email: "user002@example.com", Absent: true, Box: []BoxMembership{{GroupID: "1"}}},
		{Email: "user003@example.com"}, // asks for nothing on Box: not read
	}
	view, err := newBoxConnector(c).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)

	assert.Equal(t, map[string]string{
		"user001@example.com": invitationstest.BoxDemoPersonUserID,
		"user002@example.com": "11446001",
	}, view.Subjects)
	assert.Equal(t, map[string][]Grant{
		"user001@example.com": {boxTestGrant(boxSupportID, models.GroupMembershipRoleMember), boxTestGrant(boxEngineeringID, models.GroupMembershipRoleAdmin)},
	}, view.Want)
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true, "group|" + boxEngineeringID: true}, view.Scopes)
	assert.Equal(t, []Problem{
		{Email: "nobody@example.com", Vendor: Box, Field: "people[1].Box[0].GroupName", Reason: `no Box group named "Nope"`},
		{Email: "nobody@example.com", Vendor: Box, Field: "people[1].Email", Reason: "no Box user with login nobody@example.com"},
	}, view.Problems)

	// The people's memberships first, then the other members of the
	// groups the desired state names, each membership once.
	require.Len(t, view.Have, 3+25)
	assert.Equal(t, []Record{
		{Email: invitationstest.DemoPersonEmail, Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember), State: StateMember, ID: "434534"},
		{Email: invitationstest.DemoPersonEmail, Grant: boxTestGrant(boxSupportID, models.GroupMembershipRoleAdmin), State: StateMember, ID: "434535"},
		{Email: "user002@example.com", Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember), State: StateMember, ID: "434536"},
		{Email: "user011@example.com", Grant: boxTestGrant(boxSupportID, models.GroupMembershipRoleAdmin), State: StateMember, ID: "434546"},
	}, view.Have[:4])
	ids := map[string]bool{}
	for _, r := range view.Have[3:] {
		assert.Equal(t, boxSupportID, r.Grant.Scope, r.ID)
		assert.NotEmpty(t, r.Email, r.ID)
		ids[r.ID] = true
	}
	assert.Len(t, ids, 25)

	assert.Equal(t, []invitationstest.Operation{
		invitationstest.BoxGetGroups, invitationstest.BoxGetUsers, invitationstest.BoxGetUserMemberships, // user001
		invitationstest.BoxGetGroups, invitationstest.BoxGetUsers, // nobody
		invitationstest.BoxGetUsers, invitationstest.BoxGetUserMemberships, // user002, absent
		invitationstest.BoxGetGroupMemberships, invitationstest.BoxGetGroupMemberships, // Support, Engineering
	}, loggedOps(srv))
	reqs := srv.Requests()
	query := func(i int) url.Values {
		q, err := url.ParseQuery(reqs[i].RawQuery)
		require.NoError(t, err)
		return q
	}
	assert.Equal(t, "Support", query(0).Get("filter_term"))
	assert.Equal(t, "User001@Example.com", query(1).Get("filter_term"))
	assert.Equal(t, "/box/2.0/users/11446000/memberships", reqs[2].Path)
	assert.Equal(t, "/box/2.0/groups/119720/memberships", reqs[7].Path)
	assert.Equal(t, "/box/2.0/groups/119721/memberships", reqs[8].Path)
}

func TestBoxReadNamesAndLogins(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		// A prefix of user001's login is not user001.
		{Email: "user001@example.co", Box: []BoxMembership{{GroupName: "Support"}}},
		// "Support" is looked up once per read; "Eng" is only a prefix.
		{Email: "user002@example.com", Box: []BoxMembership{{GroupName: "Support"}, {GroupName: "Eng"}}},
		// One group asked for with two roles is a problem, not a guess.
		{Email: "user003@example.com", Box: []BoxMembership{
			{GroupID: invitationstest.BoxDemoGroupID},
			{GroupName: "Contractors", Role: models.GroupMembershipRoleAdmin},
			{GroupID: invitationstest.BoxDemoGroupID, Role: models.GroupMembershipRoleMember},
		}},
		{Email: "user004@example.com", Box: []BoxMembership{{Role: models.GroupMembershipRoleAdmin}}},
	}
	view, err := newBoxConnector(c).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Equal(t, []Problem{
		{Email: "user001@example.co", Vendor: Box, Field: "people[0].Email", Reason: "no Box user with login user001@example.co"},
		{Email: "user002@example.com", Vendor: Box, Field: "people[1].Box[1].GroupName", Reason: `no Box group named "Eng"`},
		{Email: "user003@example.com", Vendor: Box, Field: "people[2].Box[1].Role", Reason: "Box group 57645 is asked for as both member and admin"},
		{Email: "user004@example.com", Vendor: Box, Field: "people[3].Box[0].GroupName", Reason: "a Box membership names neither a group id nor a group name"},
	}, view.Problems)
	assert.Equal(t, map[string][]Grant{
		"user002@example.com": {boxTestGrant(boxSupportID, models.GroupMembershipRoleMember)},
	}, view.Want, "user003's conflicting group is not planned")
	assert.NotContains(t, view.Subjects, "user001@example.co")
	assert.Equal(t, "11446002", view.Subjects["user003@example.com"])
	// Support, Contractors and Eng: one lookup each.
	assert.Equal(t, 3, srv.RequestCount(invitationstest.BoxGetGroups))
}

func TestBoxExecute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change Change
		newID  bool
		ops    []invitationstest.Operation
		check  func(t *testing.T, ctx context.Context, c *invitations.Client, id string, body []byte)
	}{{
		name: "create adds the user to the group",
		change: Change{Action: Create, Email: "sean@example.com", Target: invitationstest.BoxDemoUserID,
			Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleAdmin)},
		newID: true,
		ops:   []invitationstest.Operation{invitationstest.BoxCreateGroupMembership},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client, id string, body []byte) {
			assert.JSONEq(t, `{"user":{"id":"1434325"},"group":{"id":"119721"},"role":"admin"}`, string(body))
			m, err := c.Memberships.GetGroupMembershipByID(ctx, id, nil)
			require.NoError(t, err)
			assert.Equal(t, invitationstest.BoxDemoUserID, m.User.ID)
			assert.Equal(t, boxEngineeringID, m.Group.ID)
			assert.Equal(t, models.GroupMembershipRoleAdmin, m.Role)
		},
	}, {
		name:   "update changes the role",
		change: Change{Action: Update, Email: invitationstest.DemoPersonEmail, Target: "434534", Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleAdmin)},
		ops:    []invitationstest.Operation{invitationstest.BoxUpdateGroupMembershipByID},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client, _ string, body []byte) {
			assert.JSONEq(t, `{"role":"admin"}`, string(body))
			m, err := c.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
			require.NoError(t, err)
			assert.Equal(t, models.GroupMembershipRoleAdmin, m.Role)
		},
	}, {
		name:   "remove deletes the membership",
		change: Change{Action: Remove, Email: invitationstest.DemoPersonEmail, Target: "434535", Grant: boxTestGrant(boxSupportID, models.GroupMembershipRoleAdmin)},
		ops:    []invitationstest.Operation{invitationstest.BoxDeleteGroupMembershipByID},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client, _ string, _ []byte) {
			_, err := c.Memberships.GetGroupMembershipByID(ctx, "434535", nil)
			assert.ErrorIs(t, err, invitations.ErrNotFound)
			_, err = c.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
			assert.NoError(t, err, "the person's other membership stays")
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoFake(t)
			id, err := newBoxConnector(c).execute(t.Context(), tt.change, &stateView{snap: NewSnapshot()})
			require.NoError(t, err)
			if tt.newID {
				assert.NotEmpty(t, id)
			} else {
				assert.Empty(t, id)
			}
			assert.Equal(t, tt.ops, loggedOps(srv))
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			srv.ClearRequests()
			tt.check(t, t.Context(), c, id, reqs[0].Body)
		})
	}
}

func TestBoxExecuteErrorsAsTheSDKGivesThem(t *testing.T) {
	t.Parallel()
	st := &stateView{snap: NewSnapshot()}
	t.Run("membership exists", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := newBoxConnector(c).execute(t.Context(), Change{Action: Create, Email: invitationstest.DemoPersonEmail,
			Target: invitationstest.BoxDemoPersonUserID, Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrConflict)
	})
	t.Run("removal of something gone", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := newBoxConnector(c).execute(t.Context(), Change{Action: Remove, Email: "x@example.com", Target: "1",
			Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
	t.Run("create in doubt", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 503, RetryAfter: "0"})
		_, err := newBoxConnector(c).execute(t.Context(), Change{Action: Create, Email: "sean@example.com",
			Target: invitationstest.BoxDemoUserID, Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxCreateGroupMembership), "an unsafe create is sent once")
	})
	t.Run("create without a user", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		_, err := newBoxConnector(c).execute(t.Context(), Change{Action: Create, Email: "sean@example.com",
			Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrInvalidParameter)
		assert.Empty(t, srv.Requests())
	})
}

func TestBoxAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	recs := collectAudit(t, newBoxConnector(c), 0)
	require.Len(t, recs, 260+26)
	assert.Equal(t, Record{Email: invitationstest.DemoPersonEmail, Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember), State: StateMember, ID: "434534"}, recs[0])
	perGroup := map[string]int{}
	ids := map[string]bool{}
	for _, r := range recs {
		assert.Equal(t, StateMember, r.State)
		assert.NotEmpty(t, r.Email, r.ID)
		perGroup[r.Grant.Scope]++
		ids[r.ID] = true
	}
	assert.Equal(t, map[string]int{invitationstest.BoxDemoGroupID: 260, boxSupportID: 26}, perGroup)
	assert.Len(t, ids, 286)
	// One page of groups; Contractors on three pages, Support and
	// Engineering on one each.
	assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxGetGroups))
	assert.Equal(t, 5, srv.RequestCount(invitationstest.BoxGetGroupMemberships))
}

func TestBoxAuditIsLazy(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	seq := newBoxConnector(c).audit(t.Context(), &stateView{snap: NewSnapshot()})
	assert.Empty(t, srv.Requests(), "nothing is asked before the loop")
	var n int
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 5 {
			break
		}
	}
	assert.Equal(t, []invitationstest.Operation{invitationstest.BoxGetGroups, invitationstest.BoxGetGroupMemberships}, loggedOps(srv))
}

// A group id Box does not know is a problem of each person asking for
// it, naming their field; the rest of the plan goes on.
func TestBoxReadUnknownGroupIDIsAProblem(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		{Email: "user001@example.com", Box: []BoxMembership{{GroupName: "Support"}, {GroupID: "999999"}}},
		{Email: "user002@example.com", Box: []BoxMembership{{GroupID: "999999", Role: models.GroupMembershipRoleAdmin}}},
	}
	view, err := newBoxConnector(c).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err, "an unknown group does not end the plan")
	assert.Equal(t, []Problem{
		{Email: "user001@example.com", Vendor: Box, Field: "people[0].Box[1].GroupID", Reason: "no Box group with id 999999",
			Key: Grant{Vendor: Box, Kind: KindGroup, Scope: "999999"}.Key("user001@example.com")},
		{Email: "user002@example.com", Vendor: Box, Field: "people[1].Box[0].GroupID", Reason: "no Box group with id 999999",
			Key: Grant{Vendor: Box, Kind: KindGroup, Scope: "999999"}.Key("user002@example.com")},
	}, view.Problems)
	assert.Equal(t, map[string][]Grant{
		"user001@example.com": {boxTestGrant(boxSupportID, models.GroupMembershipRoleMember)},
	}, view.Want, "nothing is planned for the unknown group")
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true}, view.Scopes)
	assert.Positive(t, srv.RequestCount(invitationstest.BoxGetGroupMemberships))
}

func TestBoxReadFailsOnAListError(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxGetUserMemberships, Status: 403})
	_, err := newBoxConnector(c).read(t.Context(), []Person{{Email: invitationstest.DemoPersonEmail, Absent: true}}, &stateView{snap: NewSnapshot()})
	assert.ErrorIs(t, err, invitations.ErrForbidden)
	assert.ErrorContains(t, err, "box user "+invitationstest.BoxDemoPersonUserID+" memberships")
}
