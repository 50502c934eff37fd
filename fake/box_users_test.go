package fake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

// Offboarding the demo person on the fake Box: deactivate, end the
// sessions, transfer the content, and only then delete; the store follows.
func TestFakeBoxUserOffboarding(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	person, admin := fake.BoxDemoPersonUserID, fake.BoxDemoUserID

	u, err := c.Users.GetUserByID(ctx, person, nil)
	require.NoError(t, err)
	assert.Equal(t, fake.DemoPersonEmail, u.Login)
	assert.Equal(t, models.UserStatusActive, u.Status)
	require.NotNil(t, u.SpaceUsed)
	assert.Equal(t, int64(19<<20), *u.SpaceUsed, "one 1 MiB item per character of the login")
	items, ok := srv.BoxUserOwnedItems(person)
	require.True(t, ok)
	assert.Equal(t, int64(19), items)

	u, err = c.Users.UpdateUserByID(ctx, person, &models.UpdateUserRequest{Status: models.UserStatusInactive}, &invitations.UserOptions{Fields: []string{"status"}})
	require.NoError(t, err)
	assert.Equal(t, models.UserStatusInactive, u.Status)
	assert.Empty(t, u.Language, "fields: the mini fields and status only")
	u, err = c.Users.GetUserByID(ctx, person, nil)
	require.NoError(t, err)
	assert.Equal(t, models.UserStatusInactive, u.Status, "the status is kept")

	sessions, _ := srv.BoxUserSessions(person)
	assert.Equal(t, 1, sessions)
	msg, err := c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserLogins: []string{"USER001@example.com"}})
	require.NoError(t, err)
	assert.Contains(t, msg.Message, "admin events")
	sessions, _ = srv.BoxUserSessions(person)
	assert.Zero(t, sessions)

	// Box refuses to delete a user who owns content.
	err = c.Users.DeleteUserByID(ctx, person, nil)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "bad_request", apiErr.Code)
	assert.Equal(t, "User has managed content", apiErr.Message)

	adminBefore, _ := srv.BoxUserOwnedItems(admin)
	folder, err := c.Users.TransferOwnedFolder(ctx, person, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: admin}}, nil)
	require.NoError(t, err)
	assert.Equal(t, "Demo User 1's Files and Folders", folder.Name)
	assert.Equal(t, admin, folder.OwnedBy.ID)
	assert.Equal(t, "0", folder.Parent.ID)
	require.NotNil(t, folder.Size)
	assert.Equal(t, int64(19<<20), *folder.Size)
	items, _ = srv.BoxUserOwnedItems(person)
	assert.Zero(t, items)
	adminAfter, _ := srv.BoxUserOwnedItems(admin)
	assert.Equal(t, adminBefore+19, adminAfter)
	u, err = c.Users.GetUserByID(ctx, person, &invitations.UserOptions{Fields: []string{"space_used"}})
	require.NoError(t, err)
	assert.Equal(t, int64(0), *u.SpaceUsed, "space_used tells a transfer done")

	// A second transfer creates another (empty) folder: why it is Unsafe.
	again, err := c.Users.TransferOwnedFolder(ctx, person, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: admin}}, nil)
	require.NoError(t, err)
	assert.NotEqual(t, folder.ID, again.ID)
	assert.Equal(t, int64(0), *again.Size)

	memberships, err := c.Memberships.GetUserMemberships(ctx, person, nil).Collect(0)
	require.NoError(t, err)
	require.NotEmpty(t, memberships)
	require.NoError(t, c.Users.DeleteUserByID(ctx, person, nil))
	_, err = c.Users.GetUserByID(ctx, person, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	group, err := c.Memberships.GetGroupMemberships(ctx, fake.BoxDemoGroupID, &invitations.ListMembershipsOptions{Limit: 1000}).Collect(0)
	require.NoError(t, err)
	for _, m := range group {
		assert.NotEqual(t, person, m.User.ID, "the user's memberships went with them")
	}
	found, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: fake.DemoPersonEmail}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, found, "gone from the user list and its login index")
	all, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1000}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, all, 260)
	err = c.Users.DeleteUserByID(ctx, person, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound, "a second delete finds nobody")
	_, ok = srv.BoxUserSessions(person)
	assert.False(t, ok)
}

// force deletes a user who owns content, and the content with them.
func TestFakeBoxDeleteUserForced(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	force := true
	require.NoError(t, c.Users.DeleteUserByID(t.Context(), fake.BoxDemoUserID, &invitations.DeleteUserOptions{Force: &force}))
	_, ok := srv.BoxUserOwnedItems(fake.BoxDemoUserID)
	assert.False(t, ok)
}

func TestFakeBoxUpdateUser(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	name, login, title, yes := "Ada Lovelace", "ada@example.com", "Engineer", true
	u, err := c.Users.UpdateUserByID(ctx, fake.BoxDemoUserID, &models.UpdateUserRequest{
		Name: &name, Login: &login, JobTitle: &title, Role: models.UserRoleCoadmin, IsSyncEnabled: &yes,
		TrackingCodes:     []models.TrackingCode{{Name: "department", Value: "R&D"}},
		NotificationEmail: models.Value(models.NotificationEmailUpdate{Email: "ada.notify@example.com"}),
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, name, u.Name)
	assert.Equal(t, login, u.Login)
	assert.Equal(t, title, u.JobTitle)
	assert.Equal(t, "coadmin", u.Role)
	assert.Equal(t, &yes, u.IsSyncEnabled)
	assert.Equal(t, []models.TrackingCode{{Type: "tracking_code", Name: "department", Value: "R&D"}}, u.TrackingCodes)
	assert.Equal(t, &models.UserNotificationEmail{Email: "ada.notify@example.com"}, u.NotificationEmail)

	found, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: "ada@"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, found, 1, "the new login is searchable")
	assert.Equal(t, fake.BoxDemoUserID, found[0].ID)
	old, err := c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: "sean@"}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, old, "the old one is not")

	u, err = c.Users.UpdateUserByID(ctx, fake.BoxDemoUserID, &models.UpdateUserRequest{NotificationEmail: models.Null[models.NotificationEmailUpdate]()}, nil)
	require.NoError(t, err)
	assert.Nil(t, u.NotificationEmail, "null removes it")

	taken := fake.DemoPersonEmail
	_, err = c.Users.UpdateUserByID(ctx, fake.BoxDemoUserID, &models.UpdateUserRequest{Login: &taken}, nil)
	require.ErrorIs(t, err, invitations.ErrConflict)
	var apiErr *invitations.APIError
	_, err = c.Users.UpdateUserByID(ctx, fake.BoxDemoUserID, &models.UpdateUserRequest{Status: "suspended"}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.JSONEq(t, `{"errors":[{"reason":"invalid_parameter","name":"status","message":"Invalid value 'suspended'."}]}`, string(apiErr.Details))

	_, err = c.Users.UpdateUserByID(ctx, "999", &models.UpdateUserRequest{Status: models.UserStatusInactive}, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound)

	// Rolled out of the enterprise: no longer one of its users.
	_, err = c.Users.UpdateUserByID(ctx, fake.BoxDemoUserID, &models.UpdateUserRequest{Enterprise: models.Null[string]()}, nil)
	require.NoError(t, err)
	_, err = c.Users.GetUserByID(ctx, fake.BoxDemoUserID, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound)
}

func TestFakeBoxTransferAndSessionErrors(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	_, err := c.Users.TransferOwnedFolder(ctx, "999", &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: fake.BoxDemoUserID}}, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound, "unknown source")
	_, err = c.Users.TransferOwnedFolder(ctx, fake.BoxDemoPersonUserID, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: "999"}}, nil)
	require.ErrorIs(t, err, invitations.ErrNotFound, "unknown destination")
	items, _ := srv.BoxUserOwnedItems(fake.BoxDemoPersonUserID)
	assert.Equal(t, int64(19), items, "nothing moved")

	_, err = c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserIDs: []string{fake.BoxDemoPersonUserID, "999"}})
	require.ErrorIs(t, err, invitations.ErrNotFound)
	sessions, _ := srv.BoxUserSessions(fake.BoxDemoPersonUserID)
	assert.Equal(t, 1, sessions, "nothing ends when a user is unknown")

	// Bodies the SDK would not send, over raw HTTP.
	auth := "Bearer " + fake.BoxAccessToken
	base := srv.BaseURLs.Box
	resp, body := rawDo(t, http.MethodPost, base+"/users/terminate_sessions", auth, `{"user_ids":[],"user_logins":[]}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var e struct{ Message string }
	require.NoError(t, json.Unmarshal([]byte(body), &e))
	assert.Equal(t, "Users can not be NULL or EMPTY", e.Message)
	resp, _ = rawDo(t, http.MethodPut, base+"/users/"+fake.BoxDemoPersonUserID+"/folders/0", auth, `{}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = rawDo(t, http.MethodDelete, base+"/users/"+fake.BoxDemoPersonUserID+"?force=yes", auth, "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, _ = rawDo(t, http.MethodPut, base+"/users/"+fake.BoxDemoPersonUserID+"/folders/0", auth, `{"owned_by":{"id":"`+fake.BoxDemoPersonUserID+`"}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "to oneself")
}
