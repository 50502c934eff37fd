package invitations

import (
	"context"
	"net/http"

	"github.com/invitesdk/invitations/models"
)

// BIMData's collaboration operations, the rows CollaborationService builds
// its requests from. The names are the operation ids of BIMData's document
// (tag "collaboration"). The single-user GETs of the 2021 document
// (getCloudUser, getProjectUser) are not among them: BIMData has removed
// both routes since (python-api-client 10.x lists neither), so a user is
// found in the list, filtered by email.
var (
	bimDataGetClouds = &Operation{API: BIMData, Service: "Collaboration", Method: "GetClouds",
		HTTPMethod: http.MethodGet, Path: "/cloud", Retry: Idempotent, DocOperationID: "getClouds"}
	bimDataGetCloudUsers = &Operation{API: BIMData, Service: "Collaboration", Method: "GetCloudUsers",
		HTTPMethod: http.MethodGet, Path: "/cloud/{cloud_pk}/user", Retry: Idempotent, DocOperationID: "getCloudUsers"}
	bimDataUpdateCloudUser = &Operation{API: BIMData, Service: "Collaboration", Method: "UpdateCloudUser",
		HTTPMethod: http.MethodPatch, Path: "/cloud/{cloud_pk}/user/{id}", Retry: Idempotent, DocOperationID: "updateCloudUser"}
	bimDataDeleteCloudUser = &Operation{API: BIMData, Service: "Collaboration", Method: "DeleteCloudUser",
		HTTPMethod: http.MethodDelete, Path: "/cloud/{cloud_pk}/user/{id}", Retry: Idempotent, DocOperationID: "deleteCloudUser"}
	bimDataGetCloudInvitations = &Operation{API: BIMData, Service: "Collaboration", Method: "GetCloudInvitations",
		HTTPMethod: http.MethodGet, Path: "/cloud/{cloud_pk}/invitation", Retry: Idempotent, DocOperationID: "getCloudInvitations"}
	bimDataInviteCloudUser = &Operation{API: BIMData, Service: "Collaboration", Method: "InviteCloudUser",
		HTTPMethod: http.MethodPost, Path: "/cloud/{cloud_pk}/invitation", Retry: Unsafe, DocOperationID: "inviteCloudUser"}
	bimDataCancelCloudUserInvitation = &Operation{API: BIMData, Service: "Collaboration", Method: "CancelCloudUserInvitation",
		HTTPMethod: http.MethodDelete, Path: "/cloud/{cloud_pk}/invitation/{id}", Retry: Idempotent, DocOperationID: "cancelCloudUserInvitation"}
	bimDataGetProjectUsers = &Operation{API: BIMData, Service: "Collaboration", Method: "GetProjectUsers",
		HTTPMethod: http.MethodGet, Path: "/cloud/{cloud_pk}/project/{project_pk}/user", Retry: Idempotent, DocOperationID: "getProjectUsers"}
	bimDataUpdateProjectUser = &Operation{API: BIMData, Service: "Collaboration", Method: "UpdateProjectUser",
		HTTPMethod: http.MethodPatch, Path: "/cloud/{cloud_pk}/project/{project_pk}/user/{id}", Retry: Idempotent, DocOperationID: "updateProjectUser"}
	bimDataDeleteProjectUser = &Operation{API: BIMData, Service: "Collaboration", Method: "DeleteProjectUser",
		HTTPMethod: http.MethodDelete, Path: "/cloud/{cloud_pk}/project/{project_pk}/user/{id}", Retry: Idempotent, DocOperationID: "deleteProjectUser"}
	bimDataGetProjectInvitations = &Operation{API: BIMData, Service: "Collaboration", Method: "GetProjectInvitations",
		HTTPMethod: http.MethodGet, Path: "/cloud/{cloud_pk}/project/{project_pk}/invitation", Retry: Idempotent, DocOperationID: "getProjectInvitations"}
	bimDataInviteProjectUser = &Operation{API: BIMData, Service: "Collaboration", Method: "InviteProjectUser",
		HTTPMethod: http.MethodPost, Path: "/cloud/{cloud_pk}/project/{project_pk}/invitation", Retry: Unsafe, DocOperationID: "inviteProjectUser"}
	bimDataCancelProjectUserInvitation = &Operation{API: BIMData, Service: "Collaboration", Method: "CancelProjectUserInvitation",
		HTTPMethod: http.MethodDelete, Path: "/cloud/{cloud_pk}/project/{project_pk}/invitation/{id}", Retry: Idempotent, DocOperationID: "cancelProjectUserInvitation"}

	bimDataCollaborationOperations = operationTable(
		bimDataGetClouds,
		bimDataGetCloudUsers, bimDataUpdateCloudUser, bimDataDeleteCloudUser,
		bimDataGetCloudInvitations, bimDataInviteCloudUser, bimDataCancelCloudUserInvitation,
		bimDataGetProjectUsers, bimDataUpdateProjectUser, bimDataDeleteProjectUser,
		bimDataGetProjectInvitations, bimDataInviteProjectUser, bimDataCancelProjectUserInvitation,
	)
)

// CollaborationService calls BIMData's collaboration endpoints: the clouds
// the caller belongs to, their members and pending invitations, and those
// of their projects. A cloud administrator's token (or an application's,
// for the clouds it was given) reads and changes them; the invitation
// routes require the org:manage scope, the user routes cloud:read and
// cloud:manage.
//
// None of these lists is paginated: each answer is one JSON array, returned
// whole as a slice. An empty list is an empty non-nil slice.
type CollaborationService struct {
	client *Client
}

// CollaborationUsersOptions filters the user lists of a cloud or a project
// by email. The zero value (or nil) lists every user. Filters combine.
type CollaborationUsersOptions struct {
	// Email keeps the user with exactly this address.
	Email string `url:"email,omitempty"`
	// EmailContains keeps the users whose address contains it.
	EmailContains string `url:"email__contains,omitempty"`
	// EmailStartsWith keeps the users whose address starts with it.
	EmailStartsWith string `url:"email__startswith,omitempty"`
	// EmailEndsWith keeps the users whose address ends with it, such as
	// "@example.com".
	EmailEndsWith string `url:"email__endswith,omitempty"`
}

func (o *CollaborationUsersOptions) validate() error {
	if o == nil {
		return nil
	}
	return firstError(
		checkText("Email", o.Email),
		checkText("EmailContains", o.EmailContains),
		checkText("EmailStartsWith", o.EmailStartsWith),
		checkText("EmailEndsWith", o.EmailEndsWith),
	)
}

// GetClouds lists the clouds the caller belongs to (a user's clouds, or
// those an application was given), whose ids the other methods take.
//
// BIMData API: GET /cloud
func (s *CollaborationService) GetClouds(ctx context.Context, reqOpts ...RequestOption) ([]models.BIMDataCloud, error) {
	return bimDataList[models.BIMDataCloud](ctx, s.client, bimDataGetClouds.request(), reqOpts)
}

// GetCloudUsers lists the members of a cloud, optionally filtered by
// email: Email finds one person's user id, which UpdateCloudUser and
// DeleteCloudUser take. Only a cloud administrator may list them.
//
// BIMData API: GET /cloud/{cloud_pk}/user
func (s *CollaborationService) GetCloudUsers(ctx context.Context, cloudID int64, opts *CollaborationUsersOptions, reqOpts ...RequestOption) ([]models.BIMDataCloudUser, error) {
	r := bimDataGetCloudUsers.request().withParams(intParam("cloudID", cloudID)).withQuery(opts).check(opts.validate())
	return bimDataList[models.BIMDataCloudUser](ctx, s.client, r, reqOpts)
}

// UpdateCloudUser changes a member's role in a cloud and returns the
// member. Setting a role twice leaves the same state, so the call is
// retried like any idempotent one.
//
// BIMData API: PATCH /cloud/{cloud_pk}/user/{id}
func (s *CollaborationService) UpdateCloudUser(ctx context.Context, cloudID, userID int64, body *models.BIMDataUpdateCloudUserRequest, reqOpts ...RequestOption) (*models.BIMDataCloudUser, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := bimDataUpdateCloudUser.request().
		withParams(intParam("cloudID", cloudID), intParam("userID", userID)).
		withBody(body).check(checkCloudRole("body.CloudRole", body.CloudRole))
	return doJSON[models.BIMDataCloudUser](ctx, s.client, r, reqOpts)
}

// DeleteCloudUser removes a user from a cloud, and with it from every
// project of the cloud. The user's BIMData account stays.
//
// Removing a user twice leaves the same state, so the call is retried
// after a 5xx; a retry that follows a removal whose answer was lost is
// then answered 404 (ErrNotFound) although the user is gone.
//
// BIMData API: DELETE /cloud/{cloud_pk}/user/{id}
func (s *CollaborationService) DeleteCloudUser(ctx context.Context, cloudID, userID int64, reqOpts ...RequestOption) error {
	r := bimDataDeleteCloudUser.request().withParams(intParam("cloudID", cloudID), intParam("userID", userID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetCloudInvitations lists the pending invitations to a cloud that the
// caller's application sent (BIMData returns no other application's).
//
// BIMData API: GET /cloud/{cloud_pk}/invitation
func (s *CollaborationService) GetCloudInvitations(ctx context.Context, cloudID int64, reqOpts ...RequestOption) ([]models.BIMDataCloudInvitation, error) {
	r := bimDataGetCloudInvitations.request().withParams(intParam("cloudID", cloudID))
	return bimDataList[models.BIMDataCloudInvitation](ctx, s.client, r, reqOpts)
}

// InviteCloudUser invites a person into a cloud by email and returns the
// invitation; BIMData emails them. A person already in the cloud cannot
// be invited. Inviting an address already invited sends another email but
// keeps the one invitation.
//
// Role is required (BIMData would make an invitee without one an
// administrator); ProjectRole is required with InAllProjects.
//
// The call sends an email, so it is not repeated after an answer that
// leaves its effect unknown (a 5xx or a dropped connection); it is retried
// only on 429 or when the connection was never made. GetCloudInvitations
// then tells whether the invitation exists.
//
// BIMData API: POST /cloud/{cloud_pk}/invitation
func (s *CollaborationService) InviteCloudUser(ctx context.Context, cloudID int64, body *models.BIMDataCloudInvitationRequest, reqOpts ...RequestOption) (*models.BIMDataCloudInvitation, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	var projectRole error
	switch {
	case body.ProjectRole != nil:
		projectRole = checkProjectRole("body.ProjectRole", *body.ProjectRole)
	case body.InAllProjects:
		projectRole = &ValidationError{Param: "body.ProjectRole", Reason: "is required with InAllProjects"}
	}
	r := bimDataInviteCloudUser.request().withParams(intParam("cloudID", cloudID)).withBody(body).check(
		checkEmail("body.Email", body.Email),
		checkRequired("body.RedirectURI", body.RedirectURI),
		checkCloudRole("body.Role", body.Role),
		projectRole,
	)
	return doJSON[models.BIMDataCloudInvitation](ctx, s.client, r, reqOpts)
}

// CancelCloudUserInvitation cancels a pending invitation to a cloud. An
// invitation already accepted, or cancelled, is answered 404
// (ErrNotFound).
//
// BIMData API: DELETE /cloud/{cloud_pk}/invitation/{id}
func (s *CollaborationService) CancelCloudUserInvitation(ctx context.Context, cloudID, invitationID int64, reqOpts ...RequestOption) error {
	r := bimDataCancelCloudUserInvitation.request().withParams(intParam("cloudID", cloudID), intParam("invitationID", invitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetProjectUsers lists the members of a project, optionally filtered by
// email. Each element's ID is the membership's id, which
// UpdateProjectUser and DeleteProjectUser take; UserID is the user's.
//
// BIMData API: GET /cloud/{cloud_pk}/project/{project_pk}/user
func (s *CollaborationService) GetProjectUsers(ctx context.Context, cloudID, projectID int64, opts *CollaborationUsersOptions, reqOpts ...RequestOption) ([]models.BIMDataProjectUser, error) {
	r := bimDataGetProjectUsers.request().
		withParams(intParam("cloudID", cloudID), intParam("projectID", projectID)).
		withQuery(opts).check(opts.validate())
	return bimDataList[models.BIMDataProjectUser](ctx, s.client, r, reqOpts)
}

// UpdateProjectUser changes a member's role in a project and returns the
// membership. projectUserID is BIMDataProjectUser.ID, not the user's id.
//
// BIMData API: PATCH /cloud/{cloud_pk}/project/{project_pk}/user/{id}
func (s *CollaborationService) UpdateProjectUser(ctx context.Context, cloudID, projectID, projectUserID int64, body *models.BIMDataUpdateProjectUserRequest, reqOpts ...RequestOption) (*models.BIMDataProjectUser, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := bimDataUpdateProjectUser.request().
		withParams(intParam("cloudID", cloudID), intParam("projectID", projectID), intParam("projectUserID", projectUserID)).
		withBody(body).check(checkProjectRole("body.Role", body.Role))
	return doJSON[models.BIMDataProjectUser](ctx, s.client, r, reqOpts)
}

// DeleteProjectUser removes a member from a project; they stay in the
// cloud. projectUserID is BIMDataProjectUser.ID, not the user's id.
//
// BIMData API: DELETE /cloud/{cloud_pk}/project/{project_pk}/user/{id}
func (s *CollaborationService) DeleteProjectUser(ctx context.Context, cloudID, projectID, projectUserID int64, reqOpts ...RequestOption) error {
	r := bimDataDeleteProjectUser.request().
		withParams(intParam("cloudID", cloudID), intParam("projectID", projectID), intParam("projectUserID", projectUserID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetProjectInvitations lists the pending invitations to a project that
// the caller's application sent.
//
// BIMData API: GET /cloud/{cloud_pk}/project/{project_pk}/invitation
func (s *CollaborationService) GetProjectInvitations(ctx context.Context, cloudID, projectID int64, reqOpts ...RequestOption) ([]models.BIMDataProjectInvitation, error) {
	r := bimDataGetProjectInvitations.request().withParams(intParam("cloudID", cloudID), intParam("projectID", projectID))
	return bimDataList[models.BIMDataProjectInvitation](ctx, s.client, r, reqOpts)
}

// InviteProjectUser invites a person into a project by email and returns
// the invitation; BIMData emails them. A person not yet in the project's
// cloud is invited into it too, as a user.
//
// Like InviteCloudUser it sends an email and is not repeated after a 5xx
// or a dropped connection; GetProjectInvitations tells whether it exists.
//
// BIMData API: POST /cloud/{cloud_pk}/project/{project_pk}/invitation
func (s *CollaborationService) InviteProjectUser(ctx context.Context, cloudID, projectID int64, body *models.BIMDataProjectInvitationRequest, reqOpts ...RequestOption) (*models.BIMDataProjectInvitation, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := bimDataInviteProjectUser.request().
		withParams(intParam("cloudID", cloudID), intParam("projectID", projectID)).withBody(body).check(
		checkEmail("body.Email", body.Email),
		checkRequired("body.RedirectURI", body.RedirectURI),
		checkProjectRole("body.Role", body.Role),
	)
	return doJSON[models.BIMDataProjectInvitation](ctx, s.client, r, reqOpts)
}

// CancelProjectUserInvitation cancels a pending invitation to a project.
//
// BIMData API: DELETE /cloud/{cloud_pk}/project/{project_pk}/invitation/{id}
func (s *CollaborationService) CancelProjectUserInvitation(ctx context.Context, cloudID, projectID, invitationID int64, reqOpts ...RequestOption) error {
	r := bimDataCancelProjectUserInvitation.request().
		withParams(intParam("cloudID", cloudID), intParam("projectID", projectID), intParam("invitationID", invitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// bimDataList makes a list request whose answer is one bare JSON array,
// and returns it as a non-nil slice (a body of null included).
func bimDataList[T any](ctx context.Context, c *Client, r *request, reqOpts []RequestOption) ([]T, error) {
	out, err := doJSON[[]T](ctx, c, r.nullAsEmpty(), reqOpts)
	if err != nil {
		return nil, err
	}
	if *out == nil {
		return []T{}, nil
	}
	return *out, nil
}

// checkCloudRole allows the two cloud roles, admin and user.
func checkCloudRole(param string, role models.BIMDataRole) error {
	if role != models.BIMDataRoleAdmin && role != models.BIMDataRoleUser {
		return &ValidationError{Param: param, Reason: "must be 100 (admin) or 50 (user)"}
	}
	return nil
}

// checkProjectRole allows the three project roles, admin, user and guest.
func checkProjectRole(param string, role models.BIMDataRole) error {
	if role != models.BIMDataRoleAdmin && role != models.BIMDataRoleUser && role != models.BIMDataRoleGuest {
		return &ValidationError{Param: param, Reason: "must be 100 (admin), 50 (user) or 25 (guest)"}
	}
	return nil
}
