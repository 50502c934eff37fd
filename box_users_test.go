package invitations

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

func TestUsersGetUserByID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users/11446498",
		jsonReply(200, `{"type":"user","id":"11446498","name":"Aaron Levie","login":"ceo@example.com","status":"inactive","space_used":1048576,`+
			`"is_sync_enabled":false,"tracking_codes":[{"type":"tracking_code","name":"department","value":"Sales"}],"enterprise":{"id":"11446498","type":"enterprise","name":"Acme Inc."}}`))
	u, err := env.client.Users.GetUserByID(t.Context(), "11446498", &UserOptions{Fields: []string{"status", "space_used", "is_sync_enabled"}}, WithBoxAsUser("999"))
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/2.0/users/11446498", req.Path)
	assert.Equal(t, "fields=status%2Cspace_used%2Cis_sync_enabled", req.Query)
	assert.Empty(t, req.Body)
	assert.Equal(t, "999", req.Header.Get("As-User"))
	assertCommonHeaders(t, req, boxAuth)

	assert.Equal(t, models.UserStatusInactive, u.Status)
	require.NotNil(t, u.SpaceUsed)
	assert.Equal(t, int64(1<<20), *u.SpaceUsed)
	require.NotNil(t, u.IsSyncEnabled, "false is present, not absent")
	assert.False(t, *u.IsSyncEnabled)
	assert.Nil(t, u.CanSeeManagedUsers)
	assert.Equal(t, []models.TrackingCode{{Type: "tracking_code", Name: "department", Value: "Sales"}}, u.TrackingCodes)
	assert.Equal(t, &models.UserEnterprise{ID: "11446498", Type: "enterprise", Name: "Acme Inc."}, u.Enterprise)
}

func TestUsersUpdateUserByID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPut, testBoxBase+"/users/11446498",
		jsonReply(200, `{"type":"user","id":"11446498","status":"inactive"}`))
	no, title := false, ""
	u, err := env.client.Users.UpdateUserByID(t.Context(), "11446498", &models.UpdateUserRequest{
		Status: models.UserStatusInactive, IsSyncEnabled: &no, JobTitle: &title,
		TrackingCodes:     []models.TrackingCode{},
		NotificationEmail: models.Null[models.NotificationEmailUpdate](),
	}, &UserOptions{Fields: []string{"status"}})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "/2.0/users/11446498", req.Path)
	assert.Equal(t, "fields=status", req.Query)
	assert.JSONEq(t, `{"status":"inactive","is_sync_enabled":false,"job_title":"","tracking_codes":[],"notification_email":null}`, string(req.Body),
		"set fields only: false and empty strings sent, null and an empty list kept")
	assertCommonHeaders(t, req, boxAuth)
	assert.Equal(t, models.UserStatusInactive, u.Status)

	// The zero request sends an empty object; Enterprise null rolls out.
	_, err = env.client.Users.UpdateUserByID(t.Context(), "11446498", &models.UpdateUserRequest{}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(rec.all()[1].Body))
	notify := true
	_, err = env.client.Users.UpdateUserByID(t.Context(), "11446498", &models.UpdateUserRequest{Enterprise: models.Null[string](), Notify: &notify}, nil)
	require.NoError(t, err)
	assert.JSONEq(t, `{"enterprise":null,"notify":true}`, string(rec.all()[2].Body))
}

func TestUsersDeleteUserByID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	rec := env.route(http.MethodDelete, testBoxBase+"/users/11446498",
		reply{status: 204},
		jsonReply(400, `{"type":"error","status":400,"code":"bad_request","message":"User has managed content","request_id":"r1"}`))
	force, notify := true, false
	require.NoError(t, env.client.Users.DeleteUserByID(t.Context(), "11446498", &DeleteUserOptions{Force: &force, Notify: &notify}))
	req := rec.all()[0]
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, "/2.0/users/11446498", req.Path)
	assert.Equal(t, "force=true&notify=false", req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, boxAuth)

	err := env.client.Users.DeleteUserByID(t.Context(), "11446498", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "User has managed content", apiErr.Message)
	assert.Empty(t, rec.all()[1].Query, "no force sent unless asked")
}

func TestUsersTransferOwnedFolder(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPut, testBoxBase+"/users/11446498/folders/0",
		jsonReply(200, `{"type":"folder","id":"12345","name":"Aaron Levie's Files and Folders","size":2097152,"item_status":"active",`+
			`"owned_by":{"type":"user","id":"1434325","name":"Sean Rose","login":"sean@example.com"},"parent":{"type":"folder","id":"0","name":"All Files"},`+
			`"path_collection":{"total_count":1,"entries":[{"type":"folder","id":"0","name":"All Files"}]}}`))
	notify := false
	folder, err := env.client.Users.TransferOwnedFolder(t.Context(), "11446498", &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: "1434325"}},
		&TransferOwnedFolderOptions{Notify: &notify, Fields: []string{"name", "owned_by"}, Timeout: time.Minute})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPut, req.Method)
	assert.Equal(t, "/2.0/users/11446498/folders/0", req.Path)
	assert.Equal(t, "fields=name%2Cowned_by&notify=false", req.Query, "the timeout is not sent")
	assert.JSONEq(t, `{"owned_by":{"id":"1434325"}}`, string(req.Body))
	assertCommonHeaders(t, req, boxAuth)

	assert.Equal(t, "12345", folder.ID)
	assert.Equal(t, "Aaron Levie's Files and Folders", folder.Name)
	require.NotNil(t, folder.Size)
	assert.Equal(t, int64(2<<20), *folder.Size)
	assert.Equal(t, &models.UserMini{ID: "1434325", Type: "user", Name: "Sean Rose", Login: "sean@example.com"}, folder.OwnedBy)
	assert.Equal(t, &models.FolderMini{ID: "0", Type: "folder", Name: "All Files"}, folder.Parent)
	assert.Equal(t, &models.FolderPath{TotalCount: 1, Entries: []models.FolderMini{{ID: "0", Type: "folder", Name: "All Files"}}}, folder.PathCollection)
}

// A transfer is Unsafe: a 503 after the request reached Box is not
// retried, since a second transfer would create a second folder.
func TestUsersTransferOwnedFolderIsNotRetriedAfterServerError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPut, testBoxBase+"/users/11446498/folders/0",
		jsonReply(503, `{"type":"error","status":503,"code":"unavailable","message":"Unavailable"}`),
		jsonReply(200, `{"type":"folder","id":"1"}`))
	_, err := env.client.Users.TransferOwnedFolder(t.Context(), "11446498", &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: "1434325"}}, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.Equal(t, 1, rec.count())

	// A read is retried on the same answer.
	get := env.route(http.MethodGet, testBoxBase+"/users/1",
		jsonReply(503, `{"type":"error","status":503,"code":"unavailable","message":"Unavailable"}`),
		jsonReply(200, `{"type":"user","id":"1"}`))
	_, err = env.client.Users.GetUserByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, 2, get.count())
}

// The transfer runs under its own timeout: a Box that has not answered
// when it ends leaves the outcome unknown, whatever the caller's
// context allows.
func TestUsersTransferOwnedFolderTimeout(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 2), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived <- struct{}{}
		select { // never answers: the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := NewClient(WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0))
	require.NoError(t, err)

	start := time.Now()
	_, err = c.Users.TransferOwnedFolder(context.Background(), "11446498", &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: "1434325"}},
		&TransferOwnedFolderOptions{Timeout: 50 * time.Millisecond})
	require.Error(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "sent, no answer: the transfer may have run")
	assert.Len(t, arrived, 1, "not resent")
}

func TestUsersTerminateUsersSessions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBoxBase+"/users/terminate_sessions",
		jsonReply(202, `{"message":"Request is successful, please check the admin events for the status of the job"}`))
	msg, err := env.client.Users.TerminateUsersSessions(t.Context(), &models.TerminateUsersSessionsRequest{UserIDs: []string{"11446498"}})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/2.0/users/terminate_sessions", req.Path)
	assert.Empty(t, req.Query)
	assert.JSONEq(t, `{"user_ids":["11446498"],"user_logins":[]}`, string(req.Body), "both lists sent, the unset one empty")
	assertCommonHeaders(t, req, boxAuth)
	assert.Equal(t, "Request is successful, please check the admin events for the status of the job", msg.Message)
}

func TestUsersValidateBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	transfer := func(userID, to string, opts *TransferOwnedFolderOptions) error {
		_, err := env.client.Users.TransferOwnedFolder(ctx, userID, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: to}}, opts)
		return err
	}
	for _, c := range []struct {
		param string
		err   error
	}{
		{"userID", func() error { _, err := env.client.Users.GetUserByID(ctx, "", nil); return err }()},
		{"userID", func() error {
			_, err := env.client.Users.UpdateUserByID(ctx, " ", &models.UpdateUserRequest{}, nil)
			return err
		}()},
		{"body", func() error { _, err := env.client.Users.UpdateUserByID(ctx, "1", nil, nil); return err }()},
		{"userID", env.client.Users.DeleteUserByID(ctx, "", nil)},
		{"body", func() error { _, err := env.client.Users.TransferOwnedFolder(ctx, "1", nil, nil); return err }()},
		{"owned_by.id", transfer("1", "", nil)},
		{"owned_by.id", transfer("1", "1", nil)},
		{"userID", transfer("", "2", nil)},
		{"Timeout", transfer("1", "2", &TransferOwnedFolderOptions{Timeout: -time.Second})},
		{"body", func() error { _, err := env.client.Users.TerminateUsersSessions(ctx, nil); return err }()},
		{"user_ids", func() error {
			_, err := env.client.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{})
			return err
		}()},
		{"user_logins", func() error {
			_, err := env.client.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserIDs: []string{"1"}, UserLogins: []string{""}})
			return err
		}()},
	} {
		var verr *ValidationError
		if assert.ErrorAs(t, c.err, &verr, c.param) {
			assert.Equal(t, c.param, verr.Param)
		}
	}
	assert.Zero(t, env.mock.GetTotalCallCount(), "invalid input sends nothing")
}

func TestUsersErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	env.route(http.MethodGet, testBoxBase+"/users/404", jsonReply(404, fixture(t, "box/error_404.json")))
	_, err := env.client.Users.GetUserByID(t.Context(), "404", nil)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "not_found", apiErr.Code)

	env.route(http.MethodPut, testBoxBase+"/users/1/folders/0",
		jsonReply(403, `{"type":"error","status":403,"code":"forbidden_by_policy","message":"Forbidden by information barrier"}`))
	_, err = env.client.Users.TransferOwnedFolder(t.Context(), "1", &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: "2"}}, nil)
	require.ErrorIs(t, err, ErrForbidden)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "forbidden_by_policy", apiErr.Code)
	assert.False(t, errors.Is(err, ErrOutcomeUnknown), "Box answered: nothing moved")
}

// GetUsers with UseMarker fetches a page only as the loop asks for it.
func TestUsersGetUsersByMarkerIsLazy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(200, `{"limit":1,"next_marker":"m2","entries":[{"type":"user","id":"1"}]}`),
		jsonReply(200, `{"limit":1,"next_marker":"m3","entries":[{"type":"user","id":"2"}]}`))
	p := env.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{UseMarker: true, Limit: 1})
	assert.Zero(t, rec.count(), "no request before the loop")
	for u, err := range p.All() {
		require.NoError(t, err)
		assert.Equal(t, "1", u.ID)
		break
	}
	assert.Equal(t, 1, rec.count(), "breaking the loop fetches no further page")
}
