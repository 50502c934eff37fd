package access

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// Demo Box memberships (see fake/box.go): the demo person
// (user001, user id 11446000) is a member of Contractors (57645) through
// 434534 and an admin of Support (119720) through 434535; user002 is a
// member of Contractors through 434536. Support has 26 members, Contractors
// 260, Engineering (119721) none.
const (
	boxSupportID     = "119720"
	boxEngineeringID = "119721"
)

func boxTestGrant(group string, role models.GroupMembershipRole) Grant {
	return Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: group, Level: string(role)}
}

// boxNamedGrant is boxTestGrant with the group's name, which a grant
// carries when the desired state or a read told it.
func boxNamedGrant(group, name string, role models.GroupMembershipRole) Grant {
	g := boxTestGrant(group, role)
	g.ScopeName = name
	return g
}

// boxCalls returns the requests the fake Box received, in order, as
// "METHOD /path?query" with the API prefix left out and the query in
// key order.
func boxCalls(t *testing.T, srv *invitationstest.TestServer) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		call := r.Method + " " + strings.TrimPrefix(r.Path, invitationstest.BoxPrefix)
		if len(q) > 0 {
			call += "?" + q.Encode()
		}
		out = append(out, call)
	}
	return out
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
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)

	assert.Equal(t, map[string]string{
		"user001@example.com": invitationstest.BoxDemoPersonUserID,
		"user002@example.com": "11446001",
	}, view.Subjects)
	assert.Equal(t, map[string][]Grant{
		"user001@example.com": {boxNamedGrant(boxSupportID, "Support", models.GroupMembershipRoleMember), boxTestGrant(boxEngineeringID, models.GroupMembershipRoleAdmin)},
		"user002@example.com": {boxAccountGrant(models.UserStatusInactive)}, // absent: deactivated
	}, view.Want)
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true, "group|" + boxEngineeringID: true}, view.Scopes)
	assert.Equal(t, []Problem{
		{Email: "nobody@example.com", Vendor: invitations.Box, Field: "people[1].Box[0].GroupName", Reason: `no Box group named "Nope"`},
		{Email: "nobody@example.com", Vendor: invitations.Box, Field: "people[1].Email", Reason: "no Box user with login nobody@example.com"},
	}, view.Problems)

	// Everyone in the groups the desired state names (Support's 26,
	// Engineering has nobody), then the absent person's memberships, each
	// once, their account and its sessions. user001's membership of
	// Contractors, a group the desired state does not name, is not read:
	// no plan uses it.
	require.Len(t, view.Have, 26+1+2)
	assert.Equal(t, Record{Email: invitationstest.DemoPersonEmail, Grant: boxNamedGrant(boxSupportID, "Support", models.GroupMembershipRoleAdmin), State: StateMember, ID: "434535"}, view.Have[0])
	assert.Equal(t, Record{Email: "user002@example.com", Grant: boxNamedGrant(invitationstest.BoxDemoGroupID, "Contractors", models.GroupMembershipRoleMember), State: StateMember, ID: "434536"}, view.Have[26])
	ids := map[string]bool{}
	for _, r := range view.Have[:26] {
		assert.Equal(t, boxSupportID, r.Grant.Scope, r.ID)
		assert.NotEmpty(t, r.Email, r.ID)
		ids[r.ID] = true
	}
	assert.Len(t, ids, 26)

	// Two names: one page of the group list. The two groups' members,
	// which show user001. The two others on one page of the user list;
	// nobody@, whom it does not show, looked up (an external user would be
	// found so). The absent person's memberships.
	assert.Equal(t, []string{
		"GET /groups?fields=name&limit=1000&offset=0",
		"GET /groups/119720/memberships?limit=1000&offset=0",
		"GET /groups/119721/memberships?limit=1000&offset=0",
		"GET /users?fields=login&limit=1000&offset=0",
		"GET /users?fields=login&filter_term=nobody%40example.com&limit=10&offset=0",
		"GET /users/11446001/memberships?limit=1000&offset=0",
		"GET /users/11446001?fields=login%2Cstatus%2Cspace_used",
	}, boxCalls(t, srv))
}

func TestBoxReadNamesAndLogins(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		// A prefix of user001's login is not user001.
		{Email: "user001@example.co", Box: []BoxMembership{{GroupName: "Support"}}},
		// "Support" is resolved once per read; "Eng" is only a prefix.
		{Email: "user002@example.com", Box: []BoxMembership{{GroupName: "Support"}, {GroupName: "Eng"}}},
		// One group asked for with two roles is a problem, not a guess.
		{Email: "user003@example.com", Box: []BoxMembership{
			{GroupID: invitationstest.BoxDemoGroupID},
			{GroupName: "Contractors", Role: models.GroupMembershipRoleAdmin},
			{GroupID: invitationstest.BoxDemoGroupID, Role: models.GroupMembershipRoleMember},
		}},
		{Email: "user004@example.com", Box: []BoxMembership{{Role: models.GroupMembershipRoleAdmin}}},
	}
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Equal(t, []Problem{
		{Email: "user001@example.co", Vendor: invitations.Box, Field: "people[0].Email", Reason: "no Box user with login user001@example.co"},
		{Email: "user002@example.com", Vendor: invitations.Box, Field: "people[1].Box[1].GroupName", Reason: `no Box group named "Eng"`},
		{Email: "user003@example.com", Vendor: invitations.Box, Field: "people[2].Box[1].Role", Reason: "Box group 57645 is asked for as both member and admin"},
		{Email: "user004@example.com", Vendor: invitations.Box, Field: "people[3].Box[0].GroupName", Reason: "a Box membership names neither a group id nor a group name"},
	}, view.Problems)
	assert.Equal(t, map[string][]Grant{
		"user002@example.com": {boxNamedGrant(boxSupportID, "Support", models.GroupMembershipRoleMember)},
	}, view.Want, "user003's conflicting group is not planned")
	assert.NotContains(t, view.Subjects, "user001@example.co")
	assert.Equal(t, "11446002", view.Subjects["user003@example.com"])
	// Support, Eng and Contractors: one page of the group list.
	assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxGetGroups))
}

// One group name is looked up; two or more, and the group list's first
// page is read (then the rest of it when that is cheaper than the
// lookups: see TestBoxListOrLookUp).
func TestBoxReadResolvesGroupNamesTheCheaperWay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		names []string
		calls []string
	}{
		{[]string{"Support"}, []string{"GET /groups?fields=name&filter_term=Support&limit=1000&offset=0"}},
		{[]string{"Support", "Engineering", "Contractors"}, []string{"GET /groups?fields=name&limit=1000&offset=0"}},
	} {
		t.Run(strings.Join(tt.names, ","), func(t *testing.T) {
			t.Parallel()
			srv, c := demoFake(t)
			var box []BoxMembership
			for _, n := range tt.names {
				box = append(box, BoxMembership{GroupName: n})
			}
			view, err := asTest(newBoxConnector(c)).read(t.Context(), []Person{{Email: invitationstest.DemoPersonEmail, Box: box}}, &stateView{snap: NewSnapshot()})
			require.NoError(t, err)
			assert.Len(t, view.Scopes, len(tt.names))
			assert.Empty(t, view.Problems)
			var lookups []string
			for _, call := range boxCalls(t, srv) {
				if strings.HasPrefix(call, "GET /groups?") {
					lookups = append(lookups, call)
				}
			}
			assert.Equal(t, tt.calls, lookups)
		})
	}
}

// The rules that choose between the rest of a list and lookups.
func TestBoxListOrLookUp(t *testing.T) {
	t.Parallel()
	// Users: the rest of the list when its pages are no more than the
	// people still unresolved.
	assert.True(t, boxListUsersOn(2761, 1, 2), "two pages left, two people")
	assert.False(t, boxListUsersOn(2761, 1, 1), "two pages left, one person")
	assert.True(t, boxListUsersOn(2761, 2, 1))
	assert.True(t, boxListUsersOn(50_000, 0, 50), "by marker, from the start")
	assert.False(t, boxListUsersOn(50_000, 0, 49))
	// Group names: the whole list or nothing (a name may be taken twice),
	// when it takes no more requests than the lookups.
	assert.True(t, boxListGroupsOn(3000, 1, 2))
	assert.False(t, boxListGroupsOn(3001, 1, 2))
	assert.True(t, boxListGroupsOn(10_000, 1, 9))
	assert.False(t, boxListGroupsOn(10_001, 1, 50), "Box cannot show it all")
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
			id, err := asTest(newBoxConnector(c)).execute(t.Context(), tt.change, &stateView{snap: NewSnapshot()})
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
		_, err := asTest(newBoxConnector(c)).execute(t.Context(), Change{Action: Create, Email: invitationstest.DemoPersonEmail,
			Target: invitationstest.BoxDemoPersonUserID, Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrConflict)
	})
	t.Run("removal of something gone", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := asTest(newBoxConnector(c)).execute(t.Context(), Change{Action: Remove, Email: "x@example.com", Target: "1",
			Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
	t.Run("create in doubt", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 503, RetryAfter: "0"})
		_, err := asTest(newBoxConnector(c)).execute(t.Context(), Change{Action: Create, Email: "sean@example.com",
			Target: invitationstest.BoxDemoUserID, Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxCreateGroupMembership), "an unsafe create is sent once")
	})
	t.Run("create without a user", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		_, err := asTest(newBoxConnector(c)).execute(t.Context(), Change{Action: Create, Email: "sean@example.com",
			Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleMember)}, st)
		assert.ErrorIs(t, err, invitations.ErrInvalidParameter)
		assert.Empty(t, srv.Requests())
	})
}

func TestBoxAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	recs := collectAudit(t, asTest(newBoxConnector(c)), 0)
	// The memberships, then the accounts of the 261 demo users.
	require.Len(t, recs, 260+26+261)
	assert.Equal(t, Record{Email: invitationstest.DemoPersonEmail, Grant: boxNamedGrant(invitationstest.BoxDemoGroupID, "Contractors", models.GroupMembershipRoleMember), State: StateMember, ID: "434534"}, recs[0])
	for _, r := range recs[286:] {
		assert.Equal(t, KindAccount, r.Grant.Kind)
		assert.Equal(t, "active", r.Grant.Level)
	}
	recs = recs[:286]
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
	// One page of groups, one of members per group (1,000 a page).
	assert.Equal(t, []string{
		"GET /groups?limit=1000&offset=0",
		"GET /groups/57645/memberships?limit=1000&offset=0",
		"GET /groups/119720/memberships?limit=1000&offset=0",
		"GET /groups/119721/memberships?limit=1000&offset=0",
		"GET /users?fields=login%2Cstatus&limit=1000&usemarker=true",
	}, boxCalls(t, srv))
}

func TestBoxAuditIsLazy(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	seq := asTest(newBoxConnector(c)).audit(t.Context(), &stateView{snap: NewSnapshot()})
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
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err, "an unknown group does not end the plan")
	assert.Equal(t, []Problem{
		{Email: "user001@example.com", Vendor: invitations.Box, Field: "people[0].Box[1].GroupID", Reason: "no Box group with id 999999",
			Key: Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: "999999"}.Key("user001@example.com")},
		{Email: "user002@example.com", Vendor: invitations.Box, Field: "people[1].Box[0].GroupID", Reason: "no Box group with id 999999",
			Key: Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: "999999"}.Key("user002@example.com")},
	}, view.Problems)
	assert.Equal(t, map[string][]Grant{
		"user001@example.com": {boxNamedGrant(boxSupportID, "Support", models.GroupMembershipRoleMember)},
	}, view.Want, "nothing is planned for the unknown group")
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true}, view.Scopes)
	assert.Equal(t, []string{
		"GET /groups?fields=name&filter_term=Support&limit=1000&offset=0",
		"GET /groups/119720/memberships?limit=1000&offset=0",
		"GET /groups/999999/memberships?limit=1000&offset=0", // 404
		"GET /users?fields=login&filter_term=user002%40example.com&limit=10&offset=0",
	}, boxCalls(t, srv))
}

func TestBoxReadFailsOnAListError(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxGetUserMemberships, Status: 403})
	_, err := asTest(newBoxConnector(c)).read(t.Context(), []Person{{Email: invitationstest.DemoPersonEmail, Absent: true}}, &stateView{snap: NewSnapshot()})
	assert.ErrorIs(t, err, invitations.ErrForbidden)
	assert.ErrorContains(t, err, "box user "+invitationstest.BoxDemoPersonUserID+" memberships")
}

// boxFake is a fake with the demo data and opts.
func boxFake(t *testing.T, opts ...invitationstest.Option) (*invitationstest.TestServer, *invitations.Client) {
	t.Helper()
	srv := invitationstest.NewTestServer(t, append([]invitationstest.Option{invitationstest.WithDemoData()}, opts...)...)
	c, err := srv.Client()
	require.NoError(t, err)
	return srv, c
}

// 300 people in three groups: a plan reads one page of groups (the names),
// one page of members per group and one page of users (those in no group
// yet), not two requests per person; once they are in their groups, the
// group pages alone.
func TestBoxReadListsRatherThanReadingEachPerson(t *testing.T) {
	t.Parallel()
	srv, c := boxFake(t, invitationstest.WithGeneratedPeople(300))
	people := make([]Person, 300)
	for i := range people {
		people[i] = Person{Email: fmt.Sprintf("person%06d@example.com", i+1), Box: []BoxMembership{{GroupName: fmt.Sprintf("Team %02d", i%3+1)}}}
	}
	box := asTest(newBoxConnector(c))
	st := &stateView{snap: NewSnapshot()}
	view, err := box.read(t.Context(), people, st)
	require.NoError(t, err)
	assert.Empty(t, view.Problems)
	assert.Empty(t, view.Have)
	assert.Len(t, view.Subjects, 300)
	assert.Equal(t, []string{
		"GET /groups?fields=name&limit=1000&offset=0",
		"GET /groups/880001/memberships?limit=1000&offset=0",
		"GET /groups/880002/memberships?limit=1000&offset=0",
		"GET /groups/880003/memberships?limit=1000&offset=0",
		"GET /users?fields=login&limit=1000&offset=0",
	}, boxCalls(t, srv))

	changes, _ := diff(shipped(invitations.Box), people, view, st.snap, PlanOptions{Prune: true})
	require.Len(t, changes, 300)
	for _, ch := range changes {
		require.Equal(t, Create, ch.Action)
		_, err := box.execute(t.Context(), ch, st)
		require.NoError(t, err)
	}

	srv.ClearRequests()
	again, err := box.read(t.Context(), people, st)
	require.NoError(t, err)
	assert.Len(t, again.Have, 300)
	assert.Equal(t, view.Subjects, again.Subjects, "the user ids, from the group lists")
	assert.Equal(t, view.Want, again.Want)
	assert.Equal(t, []string{
		"GET /groups?fields=name&limit=1000&offset=0",
		"GET /groups/880001/memberships?limit=1000&offset=0",
		"GET /groups/880002/memberships?limit=1000&offset=0",
		"GET /groups/880003/memberships?limit=1000&offset=0",
	}, boxCalls(t, srv))
	changes, _ = diff(shipped(invitations.Box), people, again, st.snap, PlanOptions{Prune: true, PruneAll: true})
	assert.Empty(t, changes)
}

// The people no group list shows: one is looked up; two or more, and the
// user list's first page is read, then its next pages while they are no
// more than the people still unresolved, who are otherwise looked up.
// Never both for one person.
func TestBoxReadFindsUsersTheCheaperWay(t *testing.T) {
	t.Parallel()
	// 2,761 users: three pages. The demo users and staff00001 to
	// staff00739 on the first.
	for _, tt := range []struct {
		name   string
		people []string
		calls  []string
	}{{
		name:   "one person is looked up",
		people: []string{"user005@example.com"},
		calls:  []string{"GET /users?fields=login&filter_term=user005%40example.com&limit=10&offset=0"},
	}, {
		name:   "two on the first page",
		people: []string{"user005@example.com", "staff00700@example.com"},
		calls:  []string{"GET /users?fields=login&limit=1000&offset=0"},
	}, {
		name:   "one left, two pages to go: a lookup",
		people: []string{"user005@example.com", "staff02500@example.com"},
		calls: []string{
			"GET /users?fields=login&limit=1000&offset=0",
			"GET /users?fields=login&filter_term=staff02500%40example.com&limit=10&offset=0",
		},
	}, {
		name:   "three left, two pages to go: the list",
		people: []string{"staff01000@example.com", "staff01800@example.com", "staff02400@example.com"},
		calls: []string{
			"GET /users?fields=login&limit=1000&offset=0",
			"GET /users?fields=login&limit=1000&offset=1000",
			"GET /users?fields=login&limit=1000&offset=2000",
		},
	}, {
		name:   "nobody left: the list stops",
		people: []string{"staff01000@example.com", "staff01001@example.com", "user001@example.com"},
		calls: []string{
			"GET /users?fields=login&limit=1000&offset=0",
			"GET /users?fields=login&limit=1000&offset=1000",
		},
	}, {
		// Box lists its managed users; an external user is found only by
		// an exact filter_term.
		name:   "people the whole list did not show are looked up",
		people: []string{"nobody@example.com", "staff02400@example.com", "nobody2@example.com"},
		calls: []string{
			"GET /users?fields=login&limit=1000&offset=0",
			"GET /users?fields=login&limit=1000&offset=1000",
			"GET /users?fields=login&limit=1000&offset=2000",
			"GET /users?fields=login&filter_term=nobody%40example.com&limit=10&offset=0",
			"GET /users?fields=login&filter_term=nobody2%40example.com&limit=10&offset=0",
		},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := boxFake(t, invitationstest.WithBoxLargeGroup(2500))
			var people []Person
			for _, e := range tt.people {
				people = append(people, Person{Email: e, Box: []BoxMembership{{GroupID: boxEngineeringID}}})
			}
			view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
			require.NoError(t, err)
			calls := boxCalls(t, srv)
			require.Equal(t, "GET /groups/119721/memberships?limit=1000&offset=0", calls[0])
			assert.Equal(t, tt.calls, calls[1:])
			for _, p := range people {
				if strings.HasPrefix(p.Email, "nobody") {
					assert.NotContains(t, view.Subjects, p.Email)
					continue
				}
				assert.NotEmpty(t, view.Subjects[p.Email], p.Email)
				assert.Len(t, view.Want[p.Email], 1, p.Email)
			}
		})
	}
}

// Past 10,000 users, which offsets do not reach, the user list starts
// again by marker when the whole of it takes no more requests than the
// lookups.
func TestBoxReadFindsUsersPastTheOffsetCeiling(t *testing.T) {
	t.Parallel()
	// 10,261 users, eleven pages; staff09740 and on are past the ceiling.
	srv, c := boxFake(t, invitationstest.WithBoxLargeGroup(10_000))
	for _, n := range []int{10, 11} {
		var people []Person
		for i := range n {
			people = append(people, Person{Email: fmt.Sprintf("staff%05d@example.com", 9800+i), Box: []BoxMembership{{GroupID: boxEngineeringID}}})
		}
		srv.ClearRequests()
		view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
		require.NoError(t, err)
		assert.Len(t, view.Subjects, n)
		assert.Empty(t, view.Problems)
		calls := boxCalls(t, srv)
		require.Len(t, calls, 2+min(n, 11), n)
		assert.Equal(t, "GET /users?fields=login&limit=1000&offset=0", calls[1])
		if n == 10 {
			assert.Equal(t, "GET /users?fields=login&filter_term=staff09800%40example.com&limit=10&offset=0", calls[2], "ten people: lookups")
			continue
		}
		assert.Equal(t, "GET /users?fields=login&limit=1000&usemarker=true", calls[2], "eleven people: the list by marker")
		assert.Equal(t, "GET /users?fields=login&limit=1000&marker=fakemarker-10000&usemarker=true", calls[12])
	}
}

// An absent person's memberships are read, in every group; the others'
// only through the groups the desired state names.
func TestBoxReadAbsentPersonMemberships(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		{Email: invitationstest.DemoPersonEmail, Absent: true},
		{Email: "user002@example.com", Box: []BoxMembership{{GroupID: boxEngineeringID}}}, // and in Contractors
	}
	st := &stateView{snap: NewSnapshot()}
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, st)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /groups/119721/memberships?limit=1000&offset=0",
		"GET /users?fields=login&limit=1000&offset=0",
		"GET /users/11446000/memberships?limit=1000&offset=0",
		"GET /users/11446000?fields=login%2Cstatus%2Cspace_used",
	}, boxCalls(t, srv))
	assert.Equal(t, []Record{
		{Email: invitationstest.DemoPersonEmail, Grant: boxNamedGrant(invitationstest.BoxDemoGroupID, "Contractors", models.GroupMembershipRoleMember), State: StateMember, ID: "434534"},
		{Email: invitationstest.DemoPersonEmail, Grant: boxNamedGrant(boxSupportID, "Support", models.GroupMembershipRoleAdmin), State: StateMember, ID: "434535"},
		{Email: invitationstest.DemoPersonEmail, Grant: boxAccountGrant(models.UserStatusActive), State: StateMember, ID: "11446000"},
		{Email: invitationstest.DemoPersonEmail, Grant: Grant{Vendor: invitations.Box, Kind: KindSessions}, State: StateMember, ID: "11446000"},
	}, view.Have)
	assert.Equal(t, []Grant{boxAccountGrant(models.UserStatusInactive)}, view.Want[invitationstest.DemoPersonEmail], "deactivated by default")
	changes, _ := diff(shipped(invitations.Box), people, view, st.snap, PlanOptions{})
	sortChanges(changes, changeRank(newBoxConnector(c)))
	var got []string
	for _, ch := range changes {
		got = append(got, strings.Join(strings.Fields(string(ch.Action)+" "+ch.Email+" "+string(ch.Grant.Kind)+" "+ch.Grant.Scope+" "+ch.Target), " "))
	}
	assert.Equal(t, []string{
		"remove user001@example.com sessions 11446000",
		"remove user001@example.com group 119720 434535",
		"remove user001@example.com group 57645 434534",
		"update user001@example.com account 11446000",
		"create user002@example.com group 119721 11446001",
	}, got)
}

// A group whose members Box cannot all list (more than 10,000: here a
// fake that refuses offsets past 50, and 1,200 members) does not end
// the plan: the people asking for it that its listable part does not
// show are read through their memberships, and it is left out of prune,
// as a problem.
func TestBoxReadLargeGroup(t *testing.T) {
	t.Parallel()
	srv, c := boxFake(t, invitationstest.WithBoxLargeGroup(1200), invitationstest.WithBoxMaxOffset(50))
	large := invitationstest.BoxDemoLargeGroupID
	people := []Person{
		{Email: "staff00001@example.com", Box: []BoxMembership{{GroupID: large, Role: models.GroupMembershipRoleAdmin}}}, // on the first page
		{Email: "staff01150@example.com", Box: []BoxMembership{{GroupID: large}}},                                        // beyond it
		{Email: invitationstest.DemoPersonEmail, Box: []BoxMembership{{GroupID: large}, {GroupName: "Support", Role: models.GroupMembershipRoleAdmin}}},
	}
	st := &stateView{snap: NewSnapshot()}
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, st)
	require.NoError(t, err, "a group too large to list does not end the plan")
	assert.Equal(t, []Problem{{Email: "staff00001@example.com", Vendor: invitations.Box, Field: "people[0].Box[0].GroupID",
		Reason: "Box group 990001 has more than 10,000 members: its other members cannot be listed; prune skipped there"}}, view.Problems)
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true}, view.Scopes, "no prune in the large group")
	assert.Equal(t, []string{
		"GET /groups?fields=name&filter_term=Support&limit=1000&offset=0",
		"GET /groups/119720/memberships?limit=1000&offset=0",
		"GET /groups/990001/memberships?limit=1000&offset=0",
		"GET /groups/990001/memberships?limit=1000&offset=1000", // refused
		"GET /users?fields=login&filter_term=staff01150%40example.com&limit=10&offset=0",
		"GET /users/20001149/memberships?limit=1000&offset=0",
		"GET /users/11446000/memberships?limit=1000&offset=0",
	}, boxCalls(t, srv))
	for _, r := range view.Have {
		if r.Grant.Scope == large {
			assert.Contains(t, []string{"staff00001@example.com", "staff01150@example.com"}, r.Email, "only the people's memberships of the large group")
		}
	}
	changes, _ := diff(shipped(invitations.Box), people, view, st.snap, PlanOptions{Prune: true, PruneAll: true})
	var got []string
	for _, ch := range changes {
		if ch.Grant.Scope == large {
			got = append(got, string(ch.Action)+" "+ch.Email)
		}
	}
	assert.Equal(t, []string{"update staff00001@example.com", "create user001@example.com"}, got)
}

// A group too large to list that only PlanOptions.ScopesOf names (a
// role's, held by nobody) is left out of prune as what the read left out,
// not as a problem, which would hold the plan back: nobody asks for it.
// Nobody is read for it beyond its members.
func TestBoxReadLargeGroupOnlyScopesOfName(t *testing.T) {
	t.Parallel()
	srv, c := boxFake(t, invitationstest.WithBoxLargeGroup(1200), invitationstest.WithBoxMaxOffset(50))
	large := invitationstest.BoxDemoLargeGroupID
	people := []Person{{Email: invitationstest.DemoPersonEmail}}
	opts := PlanOptions{Prune: true, ScopesOf: []Person{{Box: []BoxMembership{{GroupID: large}, {GroupName: "Support"}, {GroupName: "No Such Group"}}}}}
	view, err := newBoxConnector(c).Read(t.Context(), people, opts, &ConnectorState{sv: &stateView{snap: NewSnapshot()}, api: invitations.Box})
	require.NoError(t, err)
	assert.Empty(t, view.Problems, "a name Box does not know is nobody's problem either")
	assert.Equal(t, []string{"Box group 990001 has more than 10,000 members: its other members cannot be listed; prune skipped there"}, view.Partial)
	assert.Equal(t, map[string]bool{"group|" + boxSupportID: true}, view.Scopes)
	assert.Empty(t, view.Want)
	assert.Equal(t, []string{
		"GET /groups?fields=name&limit=1000&offset=0", // two names: the list of groups, one page
		"GET /groups/119720/memberships?limit=1000&offset=0",
		"GET /groups/990001/memberships?limit=1000&offset=0",
		"GET /groups/990001/memberships?limit=1000&offset=1000", // refused
	}, boxCalls(t, srv))
	for _, r := range view.Have {
		assert.Equal(t, boxSupportID, r.Grant.Scope, "Support's members, for prune; none of the large group's")
	}
	assert.NotEmpty(t, view.Have)
}

// A group whose first page says it has more than Box can list is not
// listed further when reading the people it does not show is cheaper.
func TestBoxReadLargeGroupStopsAtItsFirstPage(t *testing.T) {
	t.Parallel()
	srv, c := boxFake(t, invitationstest.WithBoxLargeGroup(10_001))
	people := []Person{{Email: "staff10001@example.com", Box: []BoxMembership{{GroupID: invitationstest.BoxDemoLargeGroupID}}}}
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /groups/990001/memberships?limit=1000&offset=0",
		"GET /users?fields=login&filter_term=staff10001%40example.com&limit=10&offset=0",
		"GET /users/20010000/memberships?limit=1000&offset=0",
	}, boxCalls(t, srv))
	require.Len(t, view.Problems, 1)
	assert.Contains(t, view.Problems[0].Reason, "Box group 990001 has more than 10,000 members")
	assert.Equal(t, []Record{{Email: "staff10001@example.com", Grant: boxNamedGrant(invitationstest.BoxDemoLargeGroupID, "All Staff", models.GroupMembershipRoleMember), State: StateMember, ID: view.Have[0].ID}}, view.Have)
}

// An earlier in-doubt change in a group the desired state no longer
// names is read alone, so that the plan settles it as before.
func TestBoxReadSettlesDoubtsItWouldNotRead(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	doubt := func(ch Change) (string, DoubtfulChange) { return ch.Key(), DoubtfulChange{Change: ch} }
	snap := NewSnapshot()
	for _, ch := range []Change{
		// Made: user001 is an admin of Support (434535).
		{Action: Create, Email: invitationstest.DemoPersonEmail, Target: invitationstest.BoxDemoPersonUserID, Grant: boxTestGrant(boxSupportID, models.GroupMembershipRoleAdmin)},
		// Not made: user002 is still in Contractors (434536).
		{Action: Remove, Email: "user002@example.com", Target: "434536", Grant: boxTestGrant(invitationstest.BoxDemoGroupID, models.GroupMembershipRoleMember)},
		// In a group the read lists: no read of its own.
		{Action: Create, Email: "user003@example.com", Target: "11446002", Grant: boxTestGrant(boxEngineeringID, models.GroupMembershipRoleMember)},
	} {
		k, d := doubt(ch)
		snap.InDoubt[k] = d
	}
	people := []Person{
		{Email: invitationstest.DemoPersonEmail, Box: []BoxMembership{{GroupID: boxEngineeringID}}},
		{Email: "user002@example.com", Box: []BoxMembership{{GroupID: boxEngineeringID}}},
	}
	view, err := asTest(newBoxConnector(c)).read(t.Context(), people, &stateView{snap: snap})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"GET /groups/119721/memberships?limit=1000&offset=0",
		"GET /users?fields=login&limit=1000&offset=0",
		"GET /users/11446000/memberships?limit=1000&offset=0",
		"GET /group_memberships/434536",
	}, boxCalls(t, srv))
	_, settled := diff(shipped(invitations.Box), people, view, snap, PlanOptions{})
	assert.Equal(t, []string{
		Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: boxSupportID}.Key(invitationstest.DemoPersonEmail),
	}, settled, "user001's create happened; user002's removal and user003's create did not")
}

// boxWrites returns the writes the fake Box received, in order, as
// "METHOD /path?query body", after its first skip requests.
func boxWrites(t *testing.T, srv *invitationstest.TestServer, skip int) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests()[skip:] {
		if r.Method == http.MethodGet {
			continue
		}
		call := r.Method + " " + strings.TrimPrefix(r.Path, invitationstest.BoxPrefix)
		if r.RawQuery != "" {
			call += "?" + r.RawQuery
		}
		if len(r.Body) > 0 {
			call += " " + string(r.Body)
		}
		out = append(out, call)
	}
	return out
}

// boxManager is a Manager of Box alone, on c, with a state of its own and
// policies, one change at a time.
func boxManager(t *testing.T, c *invitations.Client, policies ...OffboardingPolicy) *Manager {
	t.Helper()
	m, err := New(c, NewFileStore(filepath.Join(t.TempDir(), "state.json")), WithVendors(invitations.Box), WithConcurrency(1), WithOffboarding(policies...))
	require.NoError(t, err)
	return m
}

// boxLines is a plan's changes as "action kind scope scope-name level
// (target) note".
func boxLines(plan *Plan) []string {
	var out []string
	for _, c := range plan.Changes {
		out = append(out, strings.Join(strings.Fields(fmt.Sprintf("%s %s %s %s %s (%s) %s", c.Action, c.Grant.Kind, c.Grant.Scope, c.Grant.ScopeName, c.Grant.Level, c.Target, c.Note)), " "))
	}
	return out
}

// boxOutcomes is an apply's outcomes, as "kind scope: outcome".
func boxOutcomes(results []Result) []string {
	var out []string
	for _, r := range results {
		out = append(out, strings.TrimSpace(string(r.Change.Grant.Kind)+" "+r.Change.Grant.Scope)+": "+string(r.Outcome))
	}
	return out
}

// boxUser reads the fake's user id with its status.
func boxUser(t *testing.T, c *invitations.Client, id string) (*models.User, error) {
	t.Helper()
	return c.Users.GetUserByID(t.Context(), id, &invitations.UserOptions{Fields: []string{"status", "space_used"}})
}

// By default offboarding ends the person's sessions, removes their
// memberships and deactivates their account, in that order, and keeps
// their content; a second offboarding sends nothing.
func TestBoxOffboardDeactivatesByDefault(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := boxManager(t, c)
	person := invitationstest.BoxDemoPersonUserID

	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	require.Empty(t, plan.Problems)
	assert.Equal(t, []string{
		"remove sessions (" + person + ") absent",
		"remove group 119720 Support admin (434535) absent",
		"remove group 57645 Contractors member (434534) absent",
		"update account inactive (" + person + ") absent",
	}, boxLines(plan))
	assert.Equal(t, &Grant{Vendor: invitations.Box, Kind: KindAccount, Level: "active"}, plan.Changes[3].From)

	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"sessions: done", "group 119720: done", "group 57645: done", "account: done"}, boxOutcomes(results))
	assert.Equal(t, []string{
		`POST /users/terminate_sessions {"user_ids":["` + person + `"],"user_logins":[]}`,
		"DELETE /group_memberships/434535",
		"DELETE /group_memberships/434534",
		"PUT /users/" + person + ` {"status":"inactive"}`,
	}, boxWrites(t, srv, 0))
	sessions, _ := srv.BoxUserSessions(person)
	assert.Zero(t, sessions)
	u, err := boxUser(t, c, person)
	require.NoError(t, err)
	assert.Equal(t, models.UserStatusInactive, u.Status)
	items, _ := srv.BoxUserOwnedItems(person)
	assert.EqualValues(t, 19, items, "deactivating keeps the content")

	seen := len(srv.Requests())
	again, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.Empty(t, again.Changes, "an inactive account has no sessions and is not deactivated again")
	_, err = m.Apply(t.Context(), again)
	require.NoError(t, err)
	assert.Empty(t, boxWrites(t, srv, seen))
}

// Deleting moves the content to the user TransferTo names first, then
// deletes the account (without force); a second offboarding finds no
// user and sends nothing.
func TestBoxOffboardTransfersThenDeletes(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := boxManager(t, c, &BoxOffboarding{Account: BoxAccountDelete, TransferTo: "User002@example.com"})
	person, boss := invitationstest.BoxDemoPersonUserID, "11446001"
	before, _ := srv.BoxUserOwnedItems(boss)

	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	require.Empty(t, plan.Problems)
	assert.Equal(t, []string{
		"remove sessions (" + person + ") absent",
		"remove group 119720 Support admin (434535) absent",
		"remove group 57645 Contractors member (434534) absent",
		"create content " + boss + " user002@example.com (" + person + ") absent",
		"remove account active (" + person + ") absent",
	}, boxLines(plan))

	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"sessions: done", "group 119720: done", "group 57645: done", "content " + boss + ": done", "account: done"}, boxOutcomes(results))
	writes := boxWrites(t, srv, 0)
	require.Len(t, writes, 5)
	assert.Equal(t, []string{
		"PUT /users/" + person + `/folders/0 {"owned_by":{"id":"` + boss + `"}}`,
		"DELETE /users/" + person,
	}, writes[3:])
	_, exists := srv.BoxUserOwnedItems(person)
	assert.False(t, exists, "the account is deleted")
	after, _ := srv.BoxUserOwnedItems(boss)
	assert.Equal(t, before+19, after, "the receiving user owns the content")

	seen := len(srv.Requests())
	again, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.Empty(t, again.Changes)
	_, err = m.Apply(t.Context(), again)
	require.NoError(t, err)
	assert.Empty(t, boxWrites(t, srv, seen))
}

// A delete of an account that owns content, with nobody named to receive
// it, is not planned: Box would delete the content with it.
func TestBoxOffboardRefusesToDeleteContentWithoutTransferTo(t *testing.T) {
	t.Parallel()
	_, c := demoFake(t)
	m := boxManager(t, c, BoxOffboarding{Account: BoxAccountDelete})
	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	require.Len(t, plan.Problems, 1)
	assert.Equal(t, "offboarding.box.transfer_to", plan.Problems[0].Field)
	assert.Contains(t, plan.Problems[0].Reason, "owns content")
	for _, ch := range plan.Changes {
		assert.NotEqual(t, KindAccount, ch.Grant.Kind, "no account change is planned")
	}
	assert.Len(t, plan.Changes, 3, "sessions and memberships still go")
}

// A transfer Box refuses leaves the account: its delete is skipped.
func TestBoxOffboardSkipsTheDeleteAfterAFailedTransfer(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	m := boxManager(t, c, BoxOffboarding{Account: BoxAccountDelete, TransferTo: "user002@example.com"})
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxTransferOwnedFolder, Status: http.StatusForbidden})
	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, []string{"sessions: done", "group 119720: done", "group 57645: done", "content 11446001: failed", "account: skipped"}, boxOutcomes(results))
	assert.Zero(t, srv.RequestCount(invitationstest.BoxDeleteUserByID))
	items, exists := srv.BoxUserOwnedItems(invitationstest.BoxDemoPersonUserID)
	assert.True(t, exists)
	assert.EqualValues(t, 19, items)
}

// A transfer in doubt is not sent again blindly: the next plan reads the
// account, and plans it again only if the content is still there.
func TestBoxOffboardSettlesATransferInDoubt(t *testing.T) {
	t.Parallel()
	policy := BoxOffboarding{Account: BoxAccountDelete, TransferTo: "user002@example.com"}
	t.Run("it happened", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		m := boxManager(t, c, policy)
		// The transfer runs; its answer is cut short.
		srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxTransferOwnedFolder, Truncate: true})
		plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
		require.NoError(t, err)
		results, err := m.Apply(t.Context(), plan)
		require.NoError(t, err)
		assert.Equal(t, []string{"content 11446001: in doubt", "account: skipped"}, boxOutcomes(results)[3:])

		next, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
		require.NoError(t, err)
		assert.Equal(t, 1, next.Settled(), "the read settles the transfer")
		// The account is still active: sessions it may have opened
		// since are ended again.
		assert.Equal(t, []string{
			"remove sessions (" + invitationstest.BoxDemoPersonUserID + ") absent",
			"remove account active (" + invitationstest.BoxDemoPersonUserID + ") absent",
		}, boxLines(next))
		results, err = m.Apply(t.Context(), next)
		require.NoError(t, err)
		assert.Equal(t, []string{"sessions: done", "account: done"}, boxOutcomes(results))
		assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxTransferOwnedFolder), "sent once")
	})
	t.Run("it did not", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		m := boxManager(t, c, policy)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxTransferOwnedFolder, Status: http.StatusBadGateway})
		plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
		require.NoError(t, err)
		results, err := m.Apply(t.Context(), plan)
		require.NoError(t, err)
		assert.Equal(t, []string{"content 11446001: in doubt", "account: skipped"}, boxOutcomes(results)[3:])

		next, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
		require.NoError(t, err)
		assert.Equal(t, []string{
			"remove sessions (" + invitationstest.BoxDemoPersonUserID + ") absent",
			"create content 11446001 user002@example.com (" + invitationstest.BoxDemoPersonUserID + ") an earlier create was in doubt and did not happen",
			"remove account active (" + invitationstest.BoxDemoPersonUserID + ") absent",
		}, boxLines(next))
	})
}

// Keep leaves the account; without ending sessions, only the
// memberships go.
func TestBoxOffboardKeep(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	no := false
	m := boxManager(t, c, BoxOffboarding{Account: BoxAccountKeep, TransferTo: "user002@example.com", EndSessions: &no})
	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"remove group 119720 Support admin (434535) absent",
		"remove group 57645 Contractors member (434534) absent",
		"create content 11446001 user002@example.com (" + invitationstest.BoxDemoPersonUserID + ") absent",
	}, boxLines(plan))
	_, err = m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Zero(t, srv.RequestCount(invitationstest.BoxTerminateUsersSessions))
	u, err := boxUser(t, c, invitationstest.BoxDemoPersonUserID)
	require.NoError(t, err)
	assert.Equal(t, models.UserStatusActive, u.Status)
	assert.EqualValues(t, 0, *u.SpaceUsed)
}

// A policy Box cannot follow is refused before any request, naming its
// field as the desired-state file does.
func TestBoxOffboardingValidate(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	for _, tc := range []struct {
		policy BoxOffboarding
		field  string
	}{
		{BoxOffboarding{Account: "archive"}, "offboarding.box.account"},
		{BoxOffboarding{TransferTo: "Boss <boss@example.com>"}, "offboarding.box.transfer_to"},
	} {
		_, err := boxManager(t, c, tc.policy).Offboard(t.Context(), invitationstest.DemoPersonEmail)
		var inv *InvalidPersonError
		require.ErrorAs(t, err, &inv)
		assert.Equal(t, tc.field, inv.Field)
	}
	assert.Empty(t, srv.Requests())
	assert.NoError(t, BoxOffboarding{Account: BoxAccountDelete, TransferTo: "boss@example.com"}.Validate())
}

// Audit lists every user's account with its status.
func TestBoxAuditListsAccounts(t *testing.T) {
	t.Parallel()
	_, c := demoFake(t)
	_, err := c.Users.UpdateUserByID(t.Context(), "11446001", &models.UpdateUserRequest{Status: models.UserStatusInactive}, nil)
	require.NoError(t, err)
	accounts := map[string]Record{}
	for rec, err := range asTest(newBoxConnector(c)).audit(t.Context(), &stateView{snap: NewSnapshot()}) {
		require.NoError(t, err)
		if rec.Grant.Kind == KindAccount {
			accounts[rec.Email] = rec
		}
	}
	assert.Equal(t, Record{Email: invitationstest.DemoPersonEmail, Grant: boxAccountGrant(models.UserStatusActive), State: StateMember, ID: invitationstest.BoxDemoPersonUserID}, accounts[invitationstest.DemoPersonEmail])
	assert.Equal(t, Record{Email: "user002@example.com", Grant: boxAccountGrant(models.UserStatusInactive), State: StateInactive, ID: "11446001"}, accounts["user002@example.com"])
}
