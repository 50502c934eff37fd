package invitations

import (
	"context"
	"net/http"
	"time"

	"github.com/invitesdk/invitations/models"
)

// Box's user operations, the rows UsersService builds its requests from.
var (
	boxGetUserByID = &Operation{API: Box, Service: "Users", Method: "GetUserByID",
		HTTPMethod: http.MethodGet, Path: "/users/{user_id}", Retry: Idempotent, DocOperationID: "get_users_id"}
	boxUpdateUserByID = &Operation{API: Box, Service: "Users", Method: "UpdateUserByID",
		HTTPMethod: http.MethodPut, Path: "/users/{user_id}", Retry: Idempotent, DocOperationID: "put_users_id"}
	// A repeated delete finds no user (404): it never deletes twice.
	boxDeleteUserByID = &Operation{API: Box, Service: "Users", Method: "DeleteUserByID",
		HTTPMethod: http.MethodDelete, Path: "/users/{user_id}", Retry: Idempotent, DocOperationID: "delete_users_id"}
	// A PUT, but not idempotent: each transfer that succeeds creates a
	// new destination folder, and one Box is still running (past its ten
	// minutes) would race a second. After an unknown outcome the caller
	// reads the user's content before sending it again.
	boxTransferOwnedFolder = &Operation{API: Box, Service: "Users", Method: "TransferOwnedFolder",
		HTTPMethod: http.MethodPut, Path: "/users/{user_id}/folders/0", Retry: Unsafe, DocOperationID: "put_users_id_folders_0"}
	// A POST that queues jobs, yet safe to repeat: ending sessions again
	// leaves the same state (the users logged out), and nothing is sent
	// or granted to anyone.
	boxTerminateUsersSessions = &Operation{API: Box, Service: "Users", Method: "TerminateUsersSessions",
		HTTPMethod: http.MethodPost, Path: "/users/terminate_sessions", Retry: Idempotent, DocOperationID: "post_users_terminate_sessions"}

	boxUserOperations = operationTable(boxGetUserByID, boxUpdateUserByID, boxDeleteUserByID, boxTransferOwnedFolder, boxTerminateUsersSessions)
)

// BoxTransferTimeout bounds TransferOwnedFolder unless its options say
// otherwise. Box moves the content before it answers; for a large
// account it answers 200 after ten minutes and finishes in the
// background, so the default leaves it those ten minutes and a margin.
const BoxTransferTimeout = 15 * time.Minute

// UsersService calls Box's user endpoints: read, update (deactivate),
// delete a user, move their content to another user and end their
// sessions. The user list that finds a user's id by login is
// MembershipsService.GetUsers. It uses the Box base URL and credential
// (WithBoxBaseURL, WithBoxAccessToken); the token must be an admin's or
// a service account's allowed to manage users.
type UsersService struct {
	client *Client
}

// UserOptions are the query options of GetUserByID and UpdateUserByID.
type UserOptions struct {
	// Fields asks for these fields (sent as one comma-separated value);
	// Box then returns them plus the mini fields (id, type, name, login).
	Fields []string `url:"fields,comma,omitempty"`
}

// GetUserByID returns one user of the enterprise, with its status. An
// unknown id is ErrNotFound.
//
// Box API: GET /users/{user_id}
func (s *UsersService) GetUserByID(ctx context.Context, userID string, opts *UserOptions, reqOpts ...RequestOption) (*models.User, error) {
	r := boxGetUserByID.request().withParams(idParam("userID", userID)).withQuery(opts)
	return doJSON[models.User](ctx, s.client, r, reqOpts)
}

// UpdateUserByID changes a managed or app user and returns the user as
// updated. Status models.UserStatusInactive deactivates the account, the
// reversible alternative to DeleteUserByID:
//
//	client.Users.UpdateUserByID(ctx, id, &models.UpdateUserRequest{Status: models.UserStatusInactive}, nil)
//
// Box API: PUT /users/{user_id}
func (s *UsersService) UpdateUserByID(ctx context.Context, userID string, body *models.UpdateUserRequest, opts *UserOptions, reqOpts ...RequestOption) (*models.User, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := boxUpdateUserByID.request().withParams(idParam("userID", userID)).withQuery(opts).withBody(body)
	return doJSON[models.User](ctx, s.client, r, reqOpts)
}

// DeleteUserOptions are the query options of DeleteUserByID.
type DeleteUserOptions struct {
	// Force deletes the user even if they own content, and the content
	// with them. Without it Box refuses (400) to delete a user who owns
	// anything: move it first with TransferOwnedFolder.
	Force *bool `url:"force,omitempty"`
	// Notify says whether the user is emailed about the deletion.
	Notify *bool `url:"notify,omitempty"`
}

// DeleteUserByID deletes a user. Unless opts.Force is set, Box refuses
// to delete a user who still owns content (a 400): transfer it first
// with TransferOwnedFolder. Deleting cannot be undone; UpdateUserByID
// with status inactive can.
//
// Box API: DELETE /users/{user_id}
func (s *UsersService) DeleteUserByID(ctx context.Context, userID string, opts *DeleteUserOptions, reqOpts ...RequestOption) error {
	r := boxDeleteUserByID.request().withParams(idParam("userID", userID)).withQuery(opts)
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// TransferOwnedFolderOptions are the options of TransferOwnedFolder.
type TransferOwnedFolderOptions struct {
	// Fields asks for these fields of the returned folder (sent as one
	// comma-separated value); Box then returns them plus the mini fields.
	Fields []string `url:"fields,comma,omitempty"`
	// Notify says whether the users are emailed about the transfer.
	Notify *bool `url:"notify,omitempty"`
	// Timeout bounds the call, retries included, instead of
	// BoxTransferTimeout; ctx's own deadline still applies when it is
	// sooner. It is not sent.
	Timeout time.Duration `url:"-"`
}

// TransferOwnedFolder moves everything userID owns (the root folder,
// "0", the only one Box transfers) into a new folder of body.OwnedBy's
// account, named "<name>'s Files and Folders", and returns that folder.
// Shared links and folder collaborations move with the content.
//
// The call is synchronous and slow for large accounts: Box answers once
// the content has moved or, after ten minutes, answers 200 and goes on
// in the background. It therefore runs under its own timeout,
// BoxTransferTimeout (15 minutes) unless opts.Timeout says otherwise,
// rather than a short deadline meant for ordinary calls; a Timeout on
// the http.Client given to WithHTTPClient still bounds each attempt, so
// give such a client none, or a longer one.
//
// It is not retried after an error whose outcome is unknown (a 5xx, a
// lost connection, the timeout): a second transfer would create another
// destination folder. On ErrOutcomeUnknown, read the user
// (GetUserByID with fields space_used) before sending it again.
//
// Box API: PUT /users/{user_id}/folders/0
func (s *UsersService) TransferOwnedFolder(ctx context.Context, userID string, body *models.TransferOwnedFolderRequest, opts *TransferOwnedFolderOptions, reqOpts ...RequestOption) (*models.Folder, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	timeout := BoxTransferTimeout
	var invalid error
	if opts != nil && opts.Timeout != 0 {
		timeout = opts.Timeout
		if timeout < 0 {
			invalid = &ValidationError{Param: "Timeout", Reason: "must not be negative"}
		}
	}
	var same error
	if body.OwnedBy.ID != "" && body.OwnedBy.ID == userID {
		same = &ValidationError{Param: "owned_by.id", Reason: "must be another user than userID"}
	}
	r := boxTransferOwnedFolder.request().withParams(idParam("userID", userID)).withQuery(opts).withBody(body).
		check(checkRequired("owned_by.id", body.OwnedBy.ID), same, invalid)
	if r.err != nil {
		return nil, r.err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return doJSON[models.Folder](ctx, s.client, r, reqOpts)
}

// TerminateUsersSessions ends every session of the users named by id or
// by login (at least one of either), logging them out of every Box app
// and device. Box queues the work and answers 202 at once; the jobs'
// outcome shows in the enterprise's admin events. Repeating it is
// harmless, so it is retried like a read.
//
// Box API: POST /users/terminate_sessions
func (s *UsersService) TerminateUsersSessions(ctx context.Context, body *models.TerminateUsersSessionsRequest, reqOpts ...RequestOption) (*models.SessionTerminationMessage, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	var none error
	if len(body.UserIDs) == 0 && len(body.UserLogins) == 0 {
		none = &ValidationError{Param: "user_ids", Reason: "or user_logins must name at least one user"}
	}
	errs := []error{none}
	for _, id := range body.UserIDs {
		errs = append(errs, checkRequired("user_ids", id))
	}
	for _, login := range body.UserLogins {
		errs = append(errs, checkRequired("user_logins", login))
	}
	r := boxTerminateUsersSessions.request().withBody(body).check(errs...)
	return doJSON[models.SessionTerminationMessage](ctx, s.client, r, reqOpts)
}
