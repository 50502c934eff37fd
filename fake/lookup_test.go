package fake_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

// The demo person is a GitGuardian member: found by email, their access
// level changed, then removed, after which they are gone everywhere.
func TestFakeGitGuardianDemoPersonIsAMemberFoundAndRemoved(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	var found []models.Member
	for m, err := range c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Search: fake.DemoPersonEmail}).All() {
		require.NoError(t, err)
		if strings.EqualFold(m.Email, fake.DemoPersonEmail) {
			found = append(found, m)
		}
	}
	require.Len(t, found, 1)
	person := found[0]
	assert.Equal(t, fake.GitGuardianDemoMemberID, person.ID)
	assert.Equal(t, models.AccessLevelMember, person.AccessLevel)
	assert.True(t, person.Active)

	got, err := c.Members.GetMember(ctx, person.ID)
	require.NoError(t, err)
	assert.Equal(t, person, *got)

	updated, err := c.Members.UpdateMember(ctx, person.ID, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelRestricted}, nil)
	require.NoError(t, err)
	assert.Equal(t, models.AccessLevelRestricted, updated.AccessLevel)
	assert.Equal(t, models.AccessLevelRestricted, updated.Role, "the legacy field follows")
	restricted, err := c.Members.ListMembers(ctx, &invitations.ListMembersOptions{AccessLevel: models.AccessLevelRestricted, PerPage: 100}).Collect(0)
	require.NoError(t, err)
	assert.Contains(t, ids(restricted), person.ID, "the change is what the list shows")

	require.NoError(t, c.Members.DeleteMember(ctx, person.ID, nil))
	_, err = c.Members.GetMember(ctx, person.ID)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	require.ErrorIs(t, c.Members.DeleteMember(ctx, person.ID, nil), invitations.ErrNotFound, "a second removal is already done")
	left, err := c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Search: fake.DemoPersonEmail}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, left)

	var ops []string
	for _, r := range srv.Requests() {
		ops = append(ops, r.Method+" "+string(r.Operation))
	}
	assert.Equal(t, []string{
		"GET gitguardian.ListMembers", "GET gitguardian.GetMember", "PATCH gitguardian.UpdateMember", "GET gitguardian.ListMembers",
		"DELETE gitguardian.DeleteMember", "GET gitguardian.GetMember", "DELETE gitguardian.DeleteMember", "GET gitguardian.ListMembers",
	}, ops)
}

func ids(ms []models.Member) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func TestFakeGitGuardianMembersListPagesAndFilters(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	var pages []*invitations.Page[models.Member]
	for p, err := range c.Members.ListMembers(ctx, nil).Pages() {
		require.NoError(t, err)
		pages = append(pages, p)
	}
	require.Len(t, pages, 3, "45 members, 20 per page")
	assert.Len(t, pages[2].Items, 5)
	assert.Equal(t, 20, pages[0].Response.PerPage)
	all := append(append(pages[0].Items, pages[1].Items...), pages[2].Items...)
	for i := 1; i < len(all); i++ {
		assert.Less(t, all[i-1].ID, all[i].ID, "ordered by id, no member twice")
	}
	assert.Equal(t, models.AccessLevelOwner, all[0].AccessLevel)

	inactive := false
	off, err := c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Active: &inactive}).Collect(0)
	require.NoError(t, err)
	require.NotEmpty(t, off)
	for _, m := range off {
		assert.False(t, m.Active)
	}
	byName, err := c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Search: "team member 4"}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, byName, 5, "search matches names too: 4 and 40..43")

	sorted, err := c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Ordering: models.ListMembersOrderingLastLoginDesc, PerPage: 100}).Collect(0)
	require.NoError(t, err)
	assert.Nil(t, sorted[0].LastLogin, "never-logged-in members first when descending")
	assert.NotNil(t, sorted[len(sorted)-1].LastLogin)

	// Wire: unknown ordering and a non-boolean are DRF field errors.
	resp, body := rawGet(t, srv.BaseURLs.GitGuardian+"/v1/members?ordering=name", "Token "+fake.GitGuardianAPIKey)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, "ordering")
	resp, _ = rawGet(t, srv.BaseURLs.GitGuardian+"/v1/members?active=maybe", "Token "+fake.GitGuardianAPIKey)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestFakeGitGuardianOwnerCannotBeRemovedOrChanged(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	err := c.Members.DeleteMember(ctx, fake.GitGuardianDemoOwnerID, nil)
	require.ErrorIs(t, err, invitations.ErrForbidden)
	_, err = c.Members.UpdateMember(ctx, fake.GitGuardianDemoOwnerID, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelMember}, nil)
	require.ErrorIs(t, err, invitations.ErrForbidden)
	owner, err := c.Members.GetMember(ctx, fake.GitGuardianDemoOwnerID)
	require.NoError(t, err)
	assert.Equal(t, models.AccessLevelOwner, owner.AccessLevel)
}

func TestFakeGitGuardianGetInvitationAndMembersAreConsistent(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	inv, err := c.Invitations.GetInvitation(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, fake.DemoPersonEmail, inv.Email)
	require.NoError(t, c.Invitations.DeleteInvitation(ctx, 1))
	_, err = c.Invitations.GetInvitation(ctx, 1)
	require.ErrorIs(t, err, invitations.ErrNotFound)

	// Inviting someone who is already a member gets the 2023 document's
	// "already in the workspace" answer: no invitation is created.
	_, err = c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "member01@example.com"}, nil)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusOK, apiErr.StatusCode)
	assert.Equal(t, "User already in the workspace", apiErr.Message)
	pending, err := c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: "member01@example.com"}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, pending)
}

// From an email to the Box user (login) to their memberships, and from a
// group's name to its id and members.
func TestFakeBoxEmailToUserToMembershipsAndGroupNameToID(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	var user *models.User
	for u, err := range c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: fake.DemoPersonEmail}).All() {
		require.NoError(t, err)
		if strings.EqualFold(u.Login, fake.DemoPersonEmail) {
			user = &u
		}
	}
	require.NotNil(t, user)
	assert.Equal(t, fake.BoxDemoPersonUserID, user.ID)
	assert.Equal(t, "Demo User 1", user.Name)
	assert.Equal(t, models.UserStatusActive, user.Status)
	memberships, err := c.Memberships.GetUserMemberships(ctx, user.ID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, memberships, 2, "the demo group and one admin group")
	for _, m := range memberships {
		assert.Equal(t, user.Mini(), *m.User, "the membership carries the user the list found")
	}

	groups, err := c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{FilterTerm: "contr"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, groups, 1, "a case-insensitive prefix of the name")
	assert.Equal(t, fake.BoxDemoGroupID, groups[0].ID)
	assert.Equal(t, "Contractors", groups[0].Name)
	members, err := c.Memberships.GetGroupMemberships(ctx, groups[0].ID, &invitations.ListMembershipsOptions{Limit: 1000}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, members, 260)
	for _, m := range members {
		assert.Equal(t, groups[0].Mini(), *m.Group)
	}

	// Every user and group a membership names is in the lists.
	users, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, users, 261)
	allGroups, err := c.Memberships.GetGroups(ctx, nil).Collect(0)
	require.NoError(t, err)
	assert.Len(t, allGroups, 3)
	known := map[string]bool{}
	for _, u := range users {
		known["user "+u.ID] = true
	}
	for _, g := range allGroups {
		known["group "+g.ID] = true
	}
	for _, g := range allGroups {
		ms, err := c.Memberships.GetGroupMemberships(ctx, g.ID, &invitations.ListMembershipsOptions{Limit: 1000}).Collect(0)
		require.NoError(t, err)
		for _, m := range ms {
			assert.True(t, known["user "+m.User.ID], "user %s", m.User.ID)
		}
	}

	// filter_term matches names as well as logins; fields trims entries.
	byName, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: "sean"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, byName, 1)
	assert.Equal(t, fake.BoxDemoUserID, byName[0].ID)
	_, body := rawGet(t, srv.BaseURLs.Box+"/users?filter_term=sean&fields=job_title", "Bearer "+fake.BoxAccessToken)
	assert.JSONEq(t, `{"total_count":1,"limit":100,"offset":0,"order":[{"by":"type","direction":"ASC"}],"entries":[`+
		`{"type":"user","id":"1434325","name":"Sean Rose","login":"sean@example.com","job_title":"Admin"}]}`, body)
	external, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{UserType: models.UserTypeExternal, FilterTerm: "sean"}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, external, "every fake user is managed")
	resp, _ := rawGet(t, srv.BaseURLs.Box+"/users?user_type=robots", "Bearer "+fake.BoxAccessToken)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// Box's two readings of its offset ceiling, each served by the fake: the
// pager stops with ErrOffsetLimit before either would refuse a page, and
// a fake stricter than both still ends in ErrOffsetLimit.
func TestFakeBoxOffsetCeilingEitherWay(t *testing.T) {
	t.Parallel()
	const members = 10050 // past 10000: the list goes on beyond the ceiling
	for _, tc := range []struct {
		name      string
		maxOffset int64
		limit     int64
		// lastOffset is the last offset sent, refused by the fake when
		// refused is set.
		lastOffset int64
		refused    bool
	}{
		{"guide: 9999", 9999, 1000, 9000, false},
		{"OpenAPI: 10000", 10000, 1000, 9000, false},
		{"stricter than documented: 9500, pages of 300", 9500, 300, 9600, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := newServer(t, fake.WithBoxLargeGroup(members), fake.WithBoxMaxOffset(tc.maxOffset))
			n := 0
			var gotErr error
			for _, err := range c.Memberships.GetGroupMemberships(t.Context(), fake.BoxDemoLargeGroupID, &invitations.ListMembershipsOptions{Limit: tc.limit}).All() {
				if err != nil {
					gotErr = err
					break
				}
				n++
			}
			require.ErrorIs(t, gotErr, invitations.ErrOffsetLimit)
			var apiErr *invitations.APIError
			assert.Equal(t, tc.refused, errors.As(gotErr, &apiErr), "%v", gotErr)
			reqs := srv.Requests()
			last := reqs[len(reqs)-1]
			assert.Contains(t, last.RawQuery, "offset="+strconv.FormatInt(tc.lastOffset, 10))
			for _, r := range reqs {
				assert.NotContains(t, r.RawQuery, "offset=10000", "never past Box's guide")
			}
			want := int(tc.lastOffset + tc.limit)
			if tc.refused {
				want = int(tc.lastOffset)
			}
			assert.Equal(t, want, n, "every member before the ceiling was listed")
		})
	}
}
