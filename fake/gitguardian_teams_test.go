package fake

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// ggStatus is the status of err, an *invitations.APIError, or 0.
func ggStatus(t *testing.T, err error) int {
	t.Helper()
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	return apiErr.StatusCode
}

func TestFakeGitGuardianDemoPersonIsInTheDemoTeam(t *testing.T) {
	t.Parallel()
	_, c := ggServe(t, NewFake(WithDemoData()))
	ctx := context.Background()

	mine, err := c.Teams.ListMemberTeamMemberships(ctx, GitGuardianDemoMemberID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, models.TeamMembership{ID: GitGuardianDemoTeamMembershipID, TeamID: GitGuardianDemoTeamID, MemberID: GitGuardianDemoMemberID,
		TeamPermission: models.TeamPermissionCannotManage, IncidentPermission: models.IncidentPermissionCanView}, mine[0])

	member, err := c.Members.GetMember(ctx, GitGuardianDemoMemberID)
	require.NoError(t, err)
	assert.Equal(t, DemoPersonEmail, member.Email)

	team, err := c.Teams.GetTeam(ctx, GitGuardianDemoTeamID)
	require.NoError(t, err)
	assert.Equal(t, "Demo Team", team.Name)
	assert.False(t, team.IsGlobal)

	// The demo person's pending invitation (1) is in the demo team too.
	invs, err := c.Teams.ListTeamInvitations(ctx, GitGuardianDemoTeamID, &invitations.ListTeamInvitationsOptions{InvitationID: 1}).Collect(0)
	require.NoError(t, err)
	require.Len(t, invs, 1)
	assert.Equal(t, GitGuardianDemoTeamInvitationID, invs[0].ID)
	inv, err := c.Invitations.GetInvitation(ctx, invs[0].InvitationID)
	require.NoError(t, err)
	assert.Equal(t, DemoPersonEmail, inv.Email)

	global, err := c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{IsGlobal: ggPtr(true)}).Collect(0)
	require.NoError(t, err)
	require.Len(t, global, 1)
	assert.Equal(t, GitGuardianDemoGlobalTeamID, global[0].ID)
	assert.Nil(t, global[0].Description, "the global team's description is null")
}

func ggPtr[T any](v T) *T { return &v }

func TestFakeGitGuardianTeamMembershipLifecycle(t *testing.T) {
	t.Parallel()
	_, c := ggServe(t, NewFake(WithDemoData()))
	ctx := context.Background()
	newcomer := GitGuardianDemoOwnerID + 40

	m, err := c.Teams.CreateTeamMembership(ctx, GitGuardianDemoTeamID, &models.CreateTeamMembershipRequest{MemberID: newcomer, IsTeamLeader: ggPtr(true)}, nil)
	require.NoError(t, err)
	assert.Equal(t, models.TeamMembership{ID: m.ID, TeamID: GitGuardianDemoTeamID, MemberID: newcomer, IsTeamLeader: true,
		TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionCanView}, *m, "a leader can manage; incidents default to can_view")

	_, err = c.Teams.CreateTeamMembership(ctx, GitGuardianDemoTeamID, &models.CreateTeamMembershipRequest{MemberID: newcomer}, nil)
	assert.ErrorIs(t, err, invitations.ErrConflict, "already in the team")
	_, err = c.Teams.CreateTeamMembership(ctx, GitGuardianDemoTeamID, &models.CreateTeamMembershipRequest{MemberID: 1}, nil)
	assert.Equal(t, http.StatusBadRequest, ggStatus(t, err), "1 is an invitation id, not a member's")
	_, err = c.Teams.CreateTeamMembership(ctx, 999, &models.CreateTeamMembershipRequest{MemberID: newcomer}, nil)
	assert.ErrorIs(t, err, invitations.ErrNotFound)

	m, err = c.Teams.UpdateTeamMembership(ctx, GitGuardianDemoTeamID, m.ID, &models.UpdateTeamMembershipRequest{TeamPermission: models.TeamPermissionCannotManage, IncidentPermission: models.IncidentPermissionFullAccess})
	require.NoError(t, err)
	assert.False(t, m.IsTeamLeader, "team_permission sets leadership")
	assert.Equal(t, models.IncidentPermissionFullAccess, m.IncidentPermission)

	leaders, err := c.Teams.ListTeamMemberships(ctx, GitGuardianDemoTeamID, &invitations.ListTeamMembershipsOptions{IsTeamLeader: ggPtr(true)}).Collect(0)
	require.NoError(t, err)
	require.Len(t, leaders, 1)
	assert.Equal(t, GitGuardianDemoOwnerID, leaders[0].MemberID)

	// A membership is only found under its own team.
	assert.ErrorIs(t, c.Teams.DeleteTeamMembership(ctx, GitGuardianDemoGlobalTeamID, m.ID), invitations.ErrNotFound)
	require.NoError(t, c.Teams.DeleteTeamMembership(ctx, GitGuardianDemoTeamID, m.ID))
	assert.ErrorIs(t, c.Teams.DeleteTeamMembership(ctx, GitGuardianDemoTeamID, m.ID), invitations.ErrNotFound, "already removed")
}

func TestFakeGitGuardianRemovalsCascade(t *testing.T) {
	t.Parallel()
	_, c := ggServe(t, NewFake(WithDemoData()))
	ctx := context.Background()

	// Removing the member removes their team memberships.
	require.NoError(t, c.Members.DeleteMember(ctx, GitGuardianDemoMemberID, nil))
	all, err := c.Teams.ListTeamMemberships(ctx, GitGuardianDemoTeamID, &invitations.ListTeamMembershipsOptions{MemberID: GitGuardianDemoMemberID}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, all)
	_, err = c.Teams.ListMemberTeamMemberships(ctx, GitGuardianDemoMemberID, nil).Collect(0)
	assert.ErrorIs(t, err, invitations.ErrNotFound, "the member is gone")

	// Deleting the invitation removes its team invitations.
	require.NoError(t, c.Invitations.DeleteInvitation(ctx, 1))
	invs, err := c.Teams.ListTeamInvitations(ctx, GitGuardianDemoTeamID, &invitations.ListTeamInvitationsOptions{InvitationID: 1}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, invs)
	_, err = c.Teams.CreateTeamInvitations(ctx, GitGuardianDemoTeamID, &models.CreateTeamInvitationsRequest{InvitationID: 1})
	assert.Equal(t, http.StatusBadRequest, ggStatus(t, err), "the invitation no longer exists")

	// Deleting a team removes its memberships and team invitations; the
	// global team cannot be deleted.
	require.NoError(t, c.Teams.DeleteTeam(ctx, GitGuardianDemoTeamID))
	_, err = c.Teams.ListTeamMemberships(ctx, GitGuardianDemoTeamID, nil).Collect(0)
	assert.ErrorIs(t, err, invitations.ErrNotFound)
	owner, err := c.Teams.ListMemberTeamMemberships(ctx, GitGuardianDemoOwnerID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, owner, 1, "only the global team is left")
	assert.Equal(t, GitGuardianDemoGlobalTeamID, owner[0].TeamID)
	assert.ErrorIs(t, c.Teams.DeleteTeam(ctx, GitGuardianDemoGlobalTeamID), invitations.ErrForbidden)
}

func TestFakeGitGuardianTeams(t *testing.T) {
	t.Parallel()
	_, c := ggServe(t, NewFake(WithDemoData()))
	ctx := context.Background()

	team, err := c.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "Security"})
	require.NoError(t, err)
	require.NotNil(t, team.Description)
	assert.Empty(t, *team.Description)
	_, err = c.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "SECURITY"})
	assert.ErrorIs(t, err, invitations.ErrConflict, "names compare without case")

	found, err := c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{Search: "secur"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, found, 1)
	assert.Equal(t, team.ID, found[0].ID)

	_, err = c.Teams.UpdateTeam(ctx, team.ID, &models.UpdateTeamRequest{Name: ggPtr("demo team")})
	assert.ErrorIs(t, err, invitations.ErrConflict)
	updated, err := c.Teams.UpdateTeam(ctx, team.ID, &models.UpdateTeamRequest{Description: ggPtr("Triage")})
	require.NoError(t, err)
	assert.Equal(t, "Security", updated.Name, "a field left out is kept")
	assert.Equal(t, "Triage", *updated.Description)

	_, err = c.Teams.GetTeam(ctx, GitGuardianDemoMemberID)
	assert.ErrorIs(t, err, invitations.ErrNotFound, "a member id is not a team's")

	ti, err := c.Teams.CreateTeamInvitations(ctx, team.ID, &models.CreateTeamInvitationsRequest{InvitationID: 9, TeamPermission: models.TeamPermissionCanManage})
	require.NoError(t, err)
	assert.True(t, ti.IsTeamLeader)
	_, err = c.Teams.CreateTeamInvitations(ctx, team.ID, &models.CreateTeamInvitationsRequest{InvitationID: 9})
	assert.ErrorIs(t, err, invitations.ErrConflict)
	ti, err = c.Teams.UpdateTeamInvitation(ctx, team.ID, ti.ID, &models.UpdateTeamInvitationRequest{IncidentPermission: models.IncidentPermissionCanEdit})
	require.NoError(t, err)
	assert.Equal(t, models.IncidentPermissionCanEdit, ti.IncidentPermission)
	assert.True(t, ti.IsTeamLeader, "leadership is kept")
	require.NoError(t, c.Teams.DeleteTeamInvitation(ctx, team.ID, ti.ID))
	assert.ErrorIs(t, c.Teams.DeleteTeamInvitation(ctx, team.ID, ti.ID), invitations.ErrNotFound)
}
