package invitations

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const testBIMDataCloudURL = testBIMDataBase + "/cloud"

func TestCollaborationGetClouds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataCloudURL, jsonReply(http.StatusOK,
		`[{"id": 12, "name": "Awesome Cloud", "is_default": true, "creator_app": null, "image": null,
		  "created_at": "2026-01-02T03:04:05Z", "features": [], "organization": {"id": 1}}]`))

	got, err := env.client.Collaboration.GetClouds(context.Background())
	require.NoError(t, err)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	assert.Equal(t, []models.BIMDataCloud{{ID: 12, Name: "Awesome Cloud", IsDefault: true, CreatedAt: &created}}, got)

	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/cloud", req.Path)
	assert.Empty(t, req.Query)
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestCollaborationGetCloudUsers(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataCloudURL+"/12/user", jsonReply(http.StatusOK,
		`[{"id": 2, "email": "user001@example.com", "firstname": "Demo", "lastname": null, "profile_picture": null,
		  "sub": "abc", "provider": "bimdataconnect", "cloud_role": 50, "in_all_projects": true}]`))

	got, err := env.client.Collaboration.GetCloudUsers(context.Background(), 12, &CollaborationUsersOptions{
		Email: "user001@example.com", EmailContains: "001", EmailStartsWith: "user", EmailEndsWith: "@example.com"})
	require.NoError(t, err)
	first, sub := "Demo", "abc"
	assert.Equal(t, []models.BIMDataCloudUser{{ID: 2, Email: "user001@example.com", Firstname: &first, Sub: &sub,
		Provider: "bimdataconnect", CloudRole: models.BIMDataRoleUser, InAllProjects: true}}, got)

	req := rec.only(t)
	assert.Equal(t, "/cloud/12/user", req.Path)
	assert.Equal(t, "email=user001%40example.com&email__contains=001&email__endswith=%40example.com&email__startswith=user", req.Query)
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestCollaborationEmptyListIsNonNil(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBIMDataCloudURL+"/12/project/15/invitation", jsonReply(http.StatusOK, `null`))

	got, err := env.client.Collaboration.GetProjectInvitations(context.Background(), 12, 15)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestCollaborationUpdateCloudUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPatch, testBIMDataCloudURL+"/12/user/2",
		jsonReply(http.StatusOK, `{"id": 2, "email": "user001@example.com", "cloud_role": 100, "project_role": null}`))

	got, err := env.client.Collaboration.UpdateCloudUser(context.Background(), 12, 2, &models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleAdmin})
	require.NoError(t, err)
	assert.Equal(t, &models.BIMDataCloudUser{ID: 2, Email: "user001@example.com", CloudRole: models.BIMDataRoleAdmin}, got)

	req := rec.only(t)
	assert.Equal(t, http.MethodPatch, req.Method)
	assert.Equal(t, "/cloud/12/user/2", req.Path)
	// cloud_role, as BIMData's current clients send it, not the 2021 "role".
	assert.JSONEq(t, `{"cloud_role": 100}`, string(req.Body))
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestCollaborationDeletes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		path string
		call func(*CollaborationService) error
	}{
		{"cloud user", "/cloud/12/user/2", func(s *CollaborationService) error { return s.DeleteCloudUser(context.Background(), 12, 2) }},
		{"cloud invitation", "/cloud/12/invitation/501", func(s *CollaborationService) error {
			return s.CancelCloudUserInvitation(context.Background(), 12, 501)
		}},
		{"project user", "/cloud/12/project/15/user/302", func(s *CollaborationService) error {
			return s.DeleteProjectUser(context.Background(), 12, 15, 302)
		}},
		{"project invitation", "/cloud/12/project/15/invitation/601", func(s *CollaborationService) error {
			return s.CancelProjectUserInvitation(context.Background(), 12, 15, 601)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			// A DELETE is idempotent: retried after a 503.
			rec := env.route(http.MethodDelete, testBIMDataBase+tc.path, jsonReply(http.StatusServiceUnavailable, ""), jsonReply(http.StatusNoContent, ""))

			require.NoError(t, tc.call(env.client.Collaboration))
			reqs := rec.all()
			require.Len(t, reqs, 2)
			assert.Equal(t, tc.path, reqs[1].Path)
			assert.Empty(t, reqs[1].Body)
			assertCommonHeaders(t, reqs[1], "Bearer "+testBIMDataToken)
		})
	}
}

func TestCollaborationInviteCloudUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBIMDataCloudURL+"/12/invitation", jsonReply(http.StatusCreated,
		`{"id": 1001, "email": "new@example.com", "redirect_uri": "https://platform.bimdata.io/cloud/12", "role": 50, "project_role": 25, "in_all_projects": true}`))

	guest := models.BIMDataRoleGuest
	got, err := env.client.Collaboration.InviteCloudUser(context.Background(), 12, &models.BIMDataCloudInvitationRequest{
		Email: "new@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12", Role: models.BIMDataRoleUser,
		ProjectRole: &guest, InAllProjects: true})
	require.NoError(t, err)
	assert.Equal(t, &models.BIMDataCloudInvitation{ID: 1001, Email: "new@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12",
		Role: models.BIMDataRoleUser, ProjectRole: &guest, InAllProjects: true}, got)

	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/cloud/12/invitation", req.Path)
	assert.JSONEq(t, `{"email": "new@example.com", "redirect_uri": "https://platform.bimdata.io/cloud/12", "role": 50, "project_role": 25, "in_all_projects": true}`, string(req.Body))
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestCollaborationInviteProjectUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBIMDataCloudURL+"/12/project/15/invitation", jsonReply(http.StatusCreated,
		`{"id": 1002, "email": "new@example.com", "redirect_uri": "https://platform.bimdata.io/cloud/12/project/15", "role": 25}`))

	got, err := env.client.Collaboration.InviteProjectUser(context.Background(), 12, 15, &models.BIMDataProjectInvitationRequest{
		Email: "new@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12/project/15", Role: models.BIMDataRoleGuest})
	require.NoError(t, err)
	assert.Equal(t, &models.BIMDataProjectInvitation{ID: 1002, Email: "new@example.com",
		RedirectURI: "https://platform.bimdata.io/cloud/12/project/15", Role: models.BIMDataRoleGuest}, got)

	req := rec.only(t)
	assert.Equal(t, "/cloud/12/project/15/invitation", req.Path)
	assert.JSONEq(t, `{"email": "new@example.com", "redirect_uri": "https://platform.bimdata.io/cloud/12/project/15", "role": 25}`, string(req.Body))
}

func TestCollaborationUpdateProjectUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPatch, testBIMDataCloudURL+"/12/project/15/user/302", jsonReply(http.StatusOK,
		`{"id": 302, "user_id": 2, "invitation_id": null, "email": "user001@example.com", "role": 25, "cloud_role": 50}`))

	got, err := env.client.Collaboration.UpdateProjectUser(context.Background(), 12, 15, 302, &models.BIMDataUpdateProjectUserRequest{Role: models.BIMDataRoleGuest})
	require.NoError(t, err)
	userID := int64(2)
	assert.Equal(t, &models.BIMDataProjectUser{ID: 302, UserID: &userID, Email: "user001@example.com",
		Role: models.BIMDataRoleGuest, CloudRole: models.BIMDataRoleUser}, got)

	req := rec.only(t)
	assert.Equal(t, http.MethodPatch, req.Method)
	assert.JSONEq(t, `{"role": 25}`, string(req.Body))
}

func TestCollaborationInviteNotRetriedOnServerError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBIMDataCloudURL+"/12/project/15/invitation",
		jsonReply(http.StatusBadGateway, ""), jsonReply(http.StatusCreated, `{"id": 1}`))

	_, err := env.client.Collaboration.InviteProjectUser(context.Background(), 12, 15, &models.BIMDataProjectInvitationRequest{
		Email: "new@example.com", RedirectURI: "https://platform.bimdata.io", Role: models.BIMDataRoleUser})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Equal(t, 1, rec.count(), "the invitation email may have gone: no second attempt")
}

func TestCollaborationErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodDelete, testBIMDataCloudURL+"/12/user/999", jsonReply(http.StatusNotFound, `{"detail": "Not found."}`))
	env.route(http.MethodPatch, testBIMDataCloudURL+"/12/user/2", jsonReply(http.StatusBadRequest, `{"cloud_role": ["\"7\" is not a valid choice."]}`))

	err := env.client.Collaboration.DeleteCloudUser(context.Background(), 12, 999)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Not found.", apiErr.Message)

	// The server's own validation, reached with a role the SDK allows.
	_, err = env.client.Collaboration.UpdateCloudUser(context.Background(), 12, 2, &models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleUser})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, []string{`"7" is not a valid choice.`}, apiErr.FieldErrors["cloud_role"])
}

func TestCollaborationValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	s := env.client.Collaboration
	ctx := context.Background()
	admin, bad := models.BIMDataRoleAdmin, models.BIMDataRole(7)
	valid := func() *models.BIMDataCloudInvitationRequest {
		return &models.BIMDataCloudInvitationRequest{Email: "a@example.com", RedirectURI: "https://platform.bimdata.io", Role: models.BIMDataRoleUser}
	}
	with := func(f func(*models.BIMDataCloudInvitationRequest)) *models.BIMDataCloudInvitationRequest {
		b := valid()
		f(b)
		return b
	}
	cases := []struct {
		name  string
		param string
		call  func() error
	}{
		{"cloud id", "cloudID", func() error { _, err := s.GetCloudUsers(ctx, 0, nil); return err }},
		{"email filter", "EmailEndsWith", func() error {
			_, err := s.GetCloudUsers(ctx, 12, &CollaborationUsersOptions{EmailEndsWith: "x\ny"})
			return err
		}},
		{"user id", "userID", func() error { return s.DeleteCloudUser(ctx, 12, -1) }},
		{"update body", "body", func() error { _, err := s.UpdateCloudUser(ctx, 12, 2, nil); return err }},
		{"cloud role", "body.CloudRole", func() error {
			_, err := s.UpdateCloudUser(ctx, 12, 2, &models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleGuest})
			return err
		}},
		{"invite body", "body", func() error { _, err := s.InviteCloudUser(ctx, 12, nil); return err }},
		{"invite email", "body.Email", func() error {
			_, err := s.InviteCloudUser(ctx, 12, with(func(b *models.BIMDataCloudInvitationRequest) { b.Email = "Ada <a@example.com>" }))
			return err
		}},
		{"invite redirect", "body.RedirectURI", func() error {
			_, err := s.InviteCloudUser(ctx, 12, with(func(b *models.BIMDataCloudInvitationRequest) { b.RedirectURI = "" }))
			return err
		}},
		{"invite without role", "body.Role", func() error {
			_, err := s.InviteCloudUser(ctx, 12, with(func(b *models.BIMDataCloudInvitationRequest) { b.Role = 0 }))
			return err
		}},
		{"all projects without project role", "body.ProjectRole", func() error {
			_, err := s.InviteCloudUser(ctx, 12, with(func(b *models.BIMDataCloudInvitationRequest) { b.InAllProjects = true }))
			return err
		}},
		{"bad project role", "body.ProjectRole", func() error {
			_, err := s.InviteCloudUser(ctx, 12, with(func(b *models.BIMDataCloudInvitationRequest) { b.ProjectRole = &bad }))
			return err
		}},
		{"project id", "projectID", func() error { _, err := s.GetProjectInvitations(ctx, 12, 0); return err }},
		{"project user id", "projectUserID", func() error {
			_, err := s.UpdateProjectUser(ctx, 12, 15, 0, &models.BIMDataUpdateProjectUserRequest{Role: admin})
			return err
		}},
		{"project role", "body.Role", func() error {
			_, err := s.InviteProjectUser(ctx, 12, 15, &models.BIMDataProjectInvitationRequest{Email: "a@example.com", RedirectURI: "https://x.example"})
			return err
		}},
		{"invitation id", "invitationID", func() error { return s.CancelProjectUserInvitation(ctx, 12, 15, 0) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var vErr *ValidationError
			require.True(t, errors.As(err, &vErr), "got %v", err)
			assert.Equal(t, tc.param, vErr.Param)
		})
	}
	assert.Zero(t, env.mock.GetTotalCallCount(), "nothing is sent")
}
