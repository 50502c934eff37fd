package fake_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

func cloudUserEmails(users []models.BIMDataCloudUser) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.Email)
	}
	return out
}

func TestFakeBIMDataDemoCloud(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	clouds, err := c.Collaboration.GetClouds(ctx)
	require.NoError(t, err)
	require.Len(t, clouds, 2)
	assert.Equal(t, int64(fake.BIMDataDemoCloudID), clouds[0].ID)
	assert.Equal(t, "Awesome Cloud", clouds[0].Name)

	me, err := c.Collaboration.GetCloudUsers(ctx, fake.BIMDataDemoCloudID, &invitations.CollaborationUsersOptions{Email: fake.DemoPersonEmail})
	require.NoError(t, err)
	require.Len(t, me, 1)
	assert.Equal(t, int64(fake.BIMDataDemoPersonUserID), me[0].ID)
	assert.Equal(t, models.BIMDataRoleUser, me[0].CloudRole)

	members, err := c.Collaboration.GetProjectUsers(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoProjectID, &invitations.CollaborationUsersOptions{EmailStartsWith: "user001"})
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, int64(fake.BIMDataDemoPersonProjectUserID), members[0].ID)
	require.NotNil(t, members[0].UserID)
	assert.Equal(t, int64(fake.BIMDataDemoPersonUserID), *members[0].UserID)

	invs, err := c.Collaboration.GetCloudInvitations(ctx, fake.BIMDataDemoCloudID)
	require.NoError(t, err)
	assert.Equal(t, int64(fake.BIMDataDemoCloudUserInvitationID), invs[0].ID)
	pinvs, err := c.Collaboration.GetProjectInvitations(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoProjectID)
	require.NoError(t, err)
	require.Len(t, pinvs, 1)
	assert.Equal(t, int64(fake.BIMDataDemoProjectUserInvitationID), pinvs[0].ID)

	// Unknown clouds, projects and ids are DRF's 404.
	_, err = c.Collaboration.GetCloudUsers(ctx, 999, nil)
	assert.ErrorIs(t, err, invitations.ErrNotFound)
	_, err = c.Collaboration.GetProjectUsers(ctx, fake.BIMDataDemoCloudID, 999, nil)
	assert.ErrorIs(t, err, invitations.ErrNotFound)
	assert.ErrorIs(t, c.Collaboration.CancelCloudUserInvitation(ctx, fake.BIMDataDemoCloudID, 999), invitations.ErrNotFound)
}

func TestFakeBIMDataDeleteCloudUserLeavesProjects(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	require.NoError(t, c.Collaboration.DeleteCloudUser(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoPersonUserID))
	users, err := c.Collaboration.GetCloudUsers(ctx, fake.BIMDataDemoCloudID, nil)
	require.NoError(t, err)
	assert.NotContains(t, cloudUserEmails(users), fake.DemoPersonEmail)
	for _, project := range []int64{fake.BIMDataDemoProjectID, 16} {
		members, err := c.Collaboration.GetProjectUsers(ctx, fake.BIMDataDemoCloudID, project, &invitations.CollaborationUsersOptions{Email: fake.DemoPersonEmail})
		require.NoError(t, err)
		assert.Empty(t, members, "project %d", project)
	}
	// Removed already: 404, as the live API answers a repeat.
	assert.ErrorIs(t, c.Collaboration.DeleteCloudUser(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoPersonUserID), invitations.ErrNotFound)
}

func TestFakeBIMDataDeleteUserLeavesClouds(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	require.NoError(t, c.SSO.DeleteUser(ctx, fake.DemoPersonEmail))
	users, err := c.Collaboration.GetCloudUsers(ctx, fake.BIMDataDemoCloudID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"owner@example.com"}, cloudUserEmails(users))
}

func TestFakeBIMDataUpdateRoles(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	u, err := c.Collaboration.UpdateCloudUser(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoPersonUserID, &models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleAdmin})
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataRoleAdmin, u.CloudRole)
	users, err := c.Collaboration.GetCloudUsers(ctx, fake.BIMDataDemoCloudID, &invitations.CollaborationUsersOptions{Email: fake.DemoPersonEmail})
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataRoleAdmin, users[0].CloudRole, "stored")

	p, err := c.Collaboration.UpdateProjectUser(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoProjectID, fake.BIMDataDemoPersonProjectUserID, &models.BIMDataUpdateProjectUserRequest{Role: models.BIMDataRoleGuest})
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataRoleGuest, p.Role)
	assert.Equal(t, models.BIMDataRoleAdmin, p.CloudRole)

	// A project user id is not a user id.
	_, err = c.Collaboration.UpdateProjectUser(ctx, fake.BIMDataDemoCloudID, fake.BIMDataDemoProjectID, fake.BIMDataDemoPersonUserID, &models.BIMDataUpdateProjectUserRequest{Role: models.BIMDataRoleGuest})
	assert.ErrorIs(t, err, invitations.ErrNotFound)
}

func TestFakeBIMDataInvitations(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	const cloud, project = fake.BIMDataDemoCloudID, fake.BIMDataDemoProjectID

	// A project invitation of someone outside the cloud invites them into
	// the cloud too, as a user.
	inv, err := c.Collaboration.InviteProjectUser(ctx, cloud, project, &models.BIMDataProjectInvitationRequest{
		Email: "New.Person@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12/project/15", Role: models.BIMDataRoleGuest})
	require.NoError(t, err)
	assert.Equal(t, "new.person@example.com", inv.Email)
	cloudInvs, err := c.Collaboration.GetCloudInvitations(ctx, cloud)
	require.NoError(t, err)
	last := cloudInvs[len(cloudInvs)-1]
	assert.Equal(t, "new.person@example.com", last.Email)
	assert.Equal(t, models.BIMDataRoleUser, last.Role)

	// Inviting the same address again keeps one invitation.
	again, err := c.Collaboration.InviteCloudUser(ctx, cloud, &models.BIMDataCloudInvitationRequest{
		Email: "new.person@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12", Role: models.BIMDataRoleUser})
	require.NoError(t, err)
	assert.Equal(t, last.ID, again.ID)

	// A member cannot be invited.
	_, err = c.Collaboration.InviteCloudUser(ctx, cloud, &models.BIMDataCloudInvitationRequest{
		Email: fake.DemoPersonEmail, RedirectURI: "https://platform.bimdata.io/cloud/12", Role: models.BIMDataRoleUser})
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)

	// Cancelling removes the invitation; a second cancel is a 404.
	require.NoError(t, c.Collaboration.CancelProjectUserInvitation(ctx, cloud, project, inv.ID))
	assert.ErrorIs(t, c.Collaboration.CancelProjectUserInvitation(ctx, cloud, project, inv.ID), invitations.ErrNotFound)
	pinvs, err := c.Collaboration.GetProjectInvitations(ctx, cloud, project)
	require.NoError(t, err)
	for _, p := range pinvs {
		assert.NotEqual(t, inv.ID, p.ID)
	}
}

func TestFakeBIMDataCollaborationFieldErrors(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	// A raw request past the SDK's own checks: the fake answers DRF's
	// field errors.
	var apiErr *invitations.APIError
	_, err := c.Do(ctx, &invitations.RawRequest{API: invitations.BIMData, Method: http.MethodPost, Path: "cloud/12/invitation",
		Body: map[string]any{"email": "nope", "role": 7}, Retry: invitations.Unsafe}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, []string{"Enter a valid email address."}, apiErr.FieldErrors["email"])
	assert.Equal(t, []string{"This field is required."}, apiErr.FieldErrors["redirect_uri"])

	_, err = c.Do(ctx, &invitations.RawRequest{API: invitations.BIMData, Method: http.MethodPatch, Path: "cloud/12/user/2",
		Body: map[string]any{"cloud_role": 7}, Retry: invitations.Idempotent}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []string{`"7" is not a valid choice.`}, apiErr.FieldErrors["cloud_role"])
}
