package fake_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

// WithGeneratedPeople adds users person000001@example.com and on, after
// the others, and ten empty groups, "Team 01" to "Team 10"; no id is
// another's.
func TestFakeBoxGeneratedPeople(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData(), fake.WithBoxLargeGroup(30), fake.WithGeneratedPeople(1200))
	ctx := t.Context()
	users, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000}).Collect(0)
	require.NoError(t, err)
	require.Len(t, users, 261+30+1200)
	ids := map[string]bool{}
	for _, u := range users {
		ids[u.ID] = true
	}
	assert.Len(t, ids, len(users), "user ids are unique")
	for i, u := range users[261+30:] {
		assert.Equal(t, fmt.Sprintf("person%06d@example.com", i+1), u.Login)
		assert.Equal(t, fmt.Sprintf("Person %d", i+1), u.Name)
	}

	groups, err := c.Memberships.GetGroups(ctx, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, groups, 3+1+10)
	names := map[string]string{}
	for _, g := range groups {
		require.NotContains(t, names, g.ID, "group ids are unique")
		names[g.ID] = g.Name
	}
	for j, g := range groups[4:] {
		assert.Equal(t, fmt.Sprintf("Team %02d", j+1), g.Name)
		members, err := c.Memberships.GetGroupMemberships(ctx, g.ID, nil).Collect(0)
		require.NoError(t, err)
		assert.Empty(t, members)
	}

	found, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: "person001200@example.com"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, users[len(users)-1].ID, found[0].ID)
}

// The membership lists, by group and by user, stay in creation order
// through deletes and creates; a user is in a group once.
func TestFakeBoxListsKeepCreationOrder(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	ids := func(ms []models.GroupMembership) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	groupIDs := func(group string) []string {
		ms, err := c.Memberships.GetGroupMemberships(ctx, group, &invitations.ListMembershipsOptions{Limit: 1000}).Collect(0)
		require.NoError(t, err)
		return ids(ms)
	}
	userIDs := func(user string) []string {
		ms, err := c.Memberships.GetUserMemberships(ctx, user, nil).Collect(0)
		require.NoError(t, err)
		return ids(ms)
	}
	create := func(user, group string) (*models.GroupMembership, error) {
		return c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: user}, Group: models.Ref{ID: group}}, nil)
	}

	support := groupIDs("119720")
	require.Len(t, support, 26)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(ctx, support[1]))
	added, err := create(fake.BoxDemoUserID, "119720")
	require.NoError(t, err)
	want := append(append([]string{support[0]}, support[2:]...), added.ID)
	assert.Equal(t, want, groupIDs("119720"))
	assert.Equal(t, []string{added.ID}, userIDs(fake.BoxDemoUserID))

	person := fake.BoxDemoPersonUserID
	assert.Equal(t, []string{"434534", "434535"}, userIDs(person))
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(ctx, "434534"))
	_, err = c.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	require.ErrorIs(t, c.Memberships.DeleteGroupMembershipByID(ctx, "434534"), invitations.ErrNotFound)
	assert.Equal(t, []string{"434535"}, userIDs(person))
	assert.NotContains(t, groupIDs(fake.BoxDemoGroupID), "434534")

	_, err = create(person, "119720")
	require.ErrorIs(t, err, invitations.ErrConflict, "already a member")
	again, err := create(person, fake.BoxDemoGroupID)
	require.NoError(t, err, "a member again once removed")
	assert.Equal(t, []string{"434535", again.ID}, userIDs(person))
	contractors := groupIDs(fake.BoxDemoGroupID)
	assert.Len(t, contractors, 260)
	assert.Equal(t, again.ID, contractors[len(contractors)-1])
	got, err := c.Memberships.GetGroupMembershipByID(ctx, again.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, person, got.User.ID)
}

// filter_term keeps the users whose name or login starts with it,
// ignoring case, in creation order, each once.
func TestFakeBoxUserFilter(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData(), fake.WithGeneratedPeople(120))
	ctx := t.Context()
	logins := func(opts *invitations.GetUsersOptions) []string {
		users, err := c.Memberships.GetUsers(ctx, opts).Collect(0)
		require.NoError(t, err)
		var out []string
		for _, u := range users {
			out = append(out, u.Login)
		}
		return out
	}
	var want []string
	for _, i := range append([]int{1}, append(seq(10, 19), seq(100, 120)...)...) {
		want = append(want, fmt.Sprintf("person%06d@example.com", i))
	}
	assert.Equal(t, want, logins(&invitations.GetUsersOptions{FilterTerm: "Person 1"}), "by name")
	assert.Equal(t, want, logins(&invitations.GetUsersOptions{FilterTerm: "pERSON 1", Limit: 5}), "ignoring case, page by page")
	assert.Equal(t, want[1:11], logins(&invitations.GetUsersOptions{FilterTerm: "PERSON00001"}), "by login")
	assert.Equal(t, []string{"sean@example.com"}, logins(&invitations.GetUsersOptions{FilterTerm: "sea"}), "by name and login, once")
	assert.Empty(t, logins(&invitations.GetUsersOptions{FilterTerm: "person000121"}))
	assert.Empty(t, logins(&invitations.GetUsersOptions{FilterTerm: "person000001@example.com", UserType: models.UserTypeExternal}))

	var tail []string
	for _, i := range seq(111, 120) {
		tail = append(tail, fmt.Sprintf("person%06d@example.com", i))
	}
	assert.Equal(t, tail, logins(&invitations.GetUsersOptions{FilterTerm: "person", Limit: 5, Offset: 110}), "from an offset")
}

// By marker, the users list goes past the offsets' ceiling, in the same
// order, with no total.
func TestFakeBoxUsersByMarker(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData(), fake.WithBoxLargeGroup(10_000))
	ctx := t.Context()
	_, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000}).Collect(0)
	require.ErrorIs(t, err, invitations.ErrOffsetLimit)
	byOffset, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000}).Collect(10_000)
	require.NoError(t, err)

	var users []models.User
	pages := 0
	for page, err := range c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000, UseMarker: true}).Pages() {
		require.NoError(t, err)
		assert.Equal(t, int64(-1), page.Total)
		users = append(users, page.Items...)
		pages++
	}
	assert.Equal(t, 11, pages)
	require.Len(t, users, 10_261)
	assert.Equal(t, byOffset, users[:10_000])
	assert.Equal(t, "staff10000@example.com", users[10_260].Login)

	auth := "Bearer " + fake.BoxAccessToken
	resp, body := rawGet(t, srv.BaseURLs.Box+"/users?usemarker=true&offset=0", auth)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"name":"offset"`)
	resp, body = rawGet(t, srv.BaseURLs.Box+"/users?marker=fakemarker-1000", auth)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"name":"marker"`)
	resp, body = rawGet(t, srv.BaseURLs.Box+"/users?usemarker=true&marker=x", auth)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"name":"marker"`)
	_, body = rawGet(t, srv.BaseURLs.Box+"/users?usemarker=true&marker=fakemarker-10260&filter_term=staff", auth)
	assert.JSONEq(t, `{"limit":100,"next_marker":null,"entries":[]}`, body, "a marker past the filtered list")
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// BenchmarkFakeBoxAtScale makes, in an enterprise of 10,000 users who are
// all in one group, the requests a plan and an apply make for one person:
// a lookup by login, the person's memberships, a create and a delete.
// Their cost does not grow with the enterprise.
func BenchmarkFakeBoxAtScale(b *testing.B) {
	srv := mustStart(b, fake.WithBoxLargeGroup(10_000), fake.WithDemoData())
	defer srv.Close()
	c, err := srv.Client()
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := b.Context()
	b.ResetTimer()
	for i := range b.N {
		login := fmt.Sprintf("staff%05d@example.com", i%10_000+1)
		users, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: login, Limit: 10}).Collect(0)
		if err != nil || len(users) != 1 {
			b.Fatal(err, len(users))
		}
		if _, err := c.Memberships.GetUserMemberships(ctx, users[0].ID, nil).Collect(0); err != nil {
			b.Fatal(err)
		}
		m, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: users[0].ID}, Group: models.Ref{ID: "119721"}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Memberships.DeleteGroupMembershipByID(ctx, m.ID); err != nil {
			b.Fatal(err)
		}
		srv.ClearRequests()
	}
}
