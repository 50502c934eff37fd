package invitations

import (
	"context"
	"net/http"

	"github.com/invitesdk/invitations/models"
)

// GitGuardian's team operations, the rows TeamsService builds its requests
// from. The document writes the one-team routes as /v1/teams/{teams_id}
// (with a parameter it declares as team_id); the rows keep its template.
var (
	gitGuardianListTeams = &Operation{API: GitGuardian, Service: "Teams", Method: "ListTeams",
		HTTPMethod: http.MethodGet, Path: "/v1/teams", Retry: Idempotent, DocOperationID: "list-teams"}
	gitGuardianCreateTeams = &Operation{API: GitGuardian, Service: "Teams", Method: "CreateTeams",
		HTTPMethod: http.MethodPost, Path: "/v1/teams", Retry: Unsafe, Success: []int{http.StatusCreated}, DocOperationID: "create-teams"}
	gitGuardianGetTeam = &Operation{API: GitGuardian, Service: "Teams", Method: "GetTeam",
		HTTPMethod: http.MethodGet, Path: "/v1/teams/{teams_id}", Retry: Idempotent, DocOperationID: "retrieve-team"}
	gitGuardianUpdateTeam = &Operation{API: GitGuardian, Service: "Teams", Method: "UpdateTeam",
		HTTPMethod: http.MethodPatch, Path: "/v1/teams/{teams_id}", Retry: Idempotent, DocOperationID: "update-team"}
	gitGuardianDeleteTeam = &Operation{API: GitGuardian, Service: "Teams", Method: "DeleteTeam",
		HTTPMethod: http.MethodDelete, Path: "/v1/teams/{teams_id}", Retry: Idempotent, DocOperationID: "delete-team"}

	gitGuardianListTeamMemberships = &Operation{API: GitGuardian, Service: "Teams", Method: "ListTeamMemberships",
		HTTPMethod: http.MethodGet, Path: "/v1/teams/{team_id}/team_memberships", Retry: Idempotent, DocOperationID: "list-team-memberships"}
	gitGuardianCreateTeamMembership = &Operation{API: GitGuardian, Service: "Teams", Method: "CreateTeamMembership",
		HTTPMethod: http.MethodPost, Path: "/v1/teams/{team_id}/team_memberships", Retry: Unsafe, Success: []int{http.StatusCreated}, DocOperationID: "create-team-membership"}
	gitGuardianUpdateTeamMembership = &Operation{API: GitGuardian, Service: "Teams", Method: "UpdateTeamMembership",
		HTTPMethod: http.MethodPatch, Path: "/v1/teams/{team_id}/team_memberships/{team_membership_id}", Retry: Idempotent, DocOperationID: "update-team-membership"}
	gitGuardianDeleteTeamMembership = &Operation{API: GitGuardian, Service: "Teams", Method: "DeleteTeamMembership",
		HTTPMethod: http.MethodDelete, Path: "/v1/teams/{team_id}/team_memberships/{team_membership_id}", Retry: Idempotent, DocOperationID: "delete-team-membership"}
	gitGuardianListMemberTeamMemberships = &Operation{API: GitGuardian, Service: "Teams", Method: "ListMemberTeamMemberships",
		HTTPMethod: http.MethodGet, Path: "/v1/members/{member_id}/team_memberships", Retry: Idempotent, DocOperationID: "list-member-team-memberships"}

	gitGuardianListTeamInvitations = &Operation{API: GitGuardian, Service: "Teams", Method: "ListTeamInvitations",
		HTTPMethod: http.MethodGet, Path: "/v1/teams/{team_id}/team_invitations", Retry: Idempotent, DocOperationID: "list-team-invitation"}
	gitGuardianCreateTeamInvitations = &Operation{API: GitGuardian, Service: "Teams", Method: "CreateTeamInvitations",
		HTTPMethod: http.MethodPost, Path: "/v1/teams/{team_id}/team_invitations", Retry: Unsafe, Success: []int{http.StatusCreated}, DocOperationID: "create-team-invitations"}
	gitGuardianUpdateTeamInvitation = &Operation{API: GitGuardian, Service: "Teams", Method: "UpdateTeamInvitation",
		HTTPMethod: http.MethodPatch, Path: "/v1/teams/{team_id}/team_invitations/{team_invitation_id}", Retry: Idempotent, DocOperationID: "update-team-invitation"}
	gitGuardianDeleteTeamInvitation = &Operation{API: GitGuardian, Service: "Teams", Method: "DeleteTeamInvitation",
		HTTPMethod: http.MethodDelete, Path: "/v1/teams/{team_id}/team_invitations/{team_invitation_id}", Retry: Idempotent, DocOperationID: "delete-team-invitation"}

	gitGuardianTeamOperations = operationTable(
		gitGuardianListTeams, gitGuardianCreateTeams, gitGuardianGetTeam, gitGuardianUpdateTeam, gitGuardianDeleteTeam,
		gitGuardianListTeamMemberships, gitGuardianCreateTeamMembership, gitGuardianUpdateTeamMembership,
		gitGuardianDeleteTeamMembership, gitGuardianListMemberTeamMemberships,
		gitGuardianListTeamInvitations, gitGuardianCreateTeamInvitations, gitGuardianUpdateTeamInvitation,
		gitGuardianDeleteTeamInvitation)
)

// TeamsService calls GitGuardian's team endpoints: teams, the members in
// them (team memberships) and the pending invitations that will join them
// (team invitations). It uses the GitGuardian base URL and API key
// (WithGitGuardianBaseURL, WithGitGuardianAPIKey); the key needs the
// teams:read and teams:write scopes (members:read for
// ListMemberTeamMemberships).
type TeamsService struct {
	client *Client
}

// ListTeamsOptions filters GET /v1/teams. The zero value lists every team,
// the global one included.
type ListTeamsOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// IsGlobal keeps the global team (true) or the other teams (false);
	// nil keeps both.
	IsGlobal *bool `url:"is_global,omitempty"`
	// Search matches on the team's name and description.
	Search string `url:"search,omitempty"`
}

// ListTeams lists the workspace's teams, following the Link cursor.
//
// GitGuardian API: GET /v1/teams
func (s *TeamsService) ListTeams(ctx context.Context, opts *ListTeamsOptions, reqOpts ...RequestOption) *Pager[models.Team] {
	r := gitGuardianListTeams.request().withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage))
	}
	return newLinkCursorPager[models.Team](ctx, s.client, r, reqOpts)
}

// CreateTeams creates a team and returns it. It is not retried after a
// server error, so that the team is not created twice; a name already
// taken is ErrConflict.
//
// GitGuardian API: POST /v1/teams
func (s *TeamsService) CreateTeams(ctx context.Context, body *models.CreateTeamsRequest, reqOpts ...RequestOption) (*models.Team, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianCreateTeams.request().withBody(body).
		check(checkRequired("body.Name", body.Name), checkText("body.Description", body.Description))
	return doJSON[models.Team](ctx, s.client, r, reqOpts)
}

// GetTeam returns one team; an unknown id is ErrNotFound.
//
// GitGuardian API: GET /v1/teams/{teams_id}
func (s *TeamsService) GetTeam(ctx context.Context, teamID int64, reqOpts ...RequestOption) (*models.Team, error) {
	r := gitGuardianGetTeam.request().withParams(intParam("teamID", teamID))
	return doJSON[models.Team](ctx, s.client, r, reqOpts)
}

// UpdateTeam renames a team or changes its description, and returns the
// team as updated. Setting values is safe to repeat, so it is retried
// like a read.
//
// GitGuardian API: PATCH /v1/teams/{teams_id}
func (s *TeamsService) UpdateTeam(ctx context.Context, teamID int64, body *models.UpdateTeamRequest, reqOpts ...RequestOption) (*models.Team, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianUpdateTeam.request().withParams(intParam("teamID", teamID)).withBody(body).
		check(checkGGTeamUpdate(body))
	return doJSON[models.Team](ctx, s.client, r, reqOpts)
}

// DeleteTeam deletes a team; the workspace members and invitations in it
// stay. The global team (IsGlobal) cannot be deleted. A personal access
// token needs can_manage on the team or the manager access level. An
// unknown or already deleted team is ErrNotFound.
//
// GitGuardian API: DELETE /v1/teams/{teams_id}
func (s *TeamsService) DeleteTeam(ctx context.Context, teamID int64, reqOpts ...RequestOption) error {
	r := gitGuardianDeleteTeam.request().withParams(intParam("teamID", teamID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// ListTeamMembershipsOptions filters GET /v1/teams/{team_id}/team_memberships.
type ListTeamMembershipsOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// MemberID keeps the membership of this workspace member.
	MemberID int64 `url:"member_id,omitempty"`
	// TeamPermission keeps the memberships with this team permission.
	TeamPermission models.TeamPermission `url:"team_permission,omitempty"`
	// IsTeamLeader is the live API's filter on leadership, the one
	// GitGuardian's client sends; nil leaves it unsent.
	IsTeamLeader *bool `url:"is_team_leader,omitempty"`
	// IncidentPermission keeps the memberships with this incident
	// permission.
	IncidentPermission models.IncidentPermissionEnum `url:"incident_permission,omitempty"`
}

// ListTeamMemberships lists a team's members, following the Link cursor.
// An unknown team is ErrNotFound.
//
// GitGuardian API: GET /v1/teams/{team_id}/team_memberships
func (s *TeamsService) ListTeamMemberships(ctx context.Context, teamID int64, opts *ListTeamMembershipsOptions, reqOpts ...RequestOption) *Pager[models.TeamMembership] {
	r := gitGuardianListTeamMemberships.request().withParams(intParam("teamID", teamID)).withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage), checkGGOptionalID("MemberID", opts.MemberID))
	}
	return newLinkCursorPager[models.TeamMembership](ctx, s.client, r, reqOpts)
}

// CreateTeamMembershipOptions are the query options of
// POST /v1/teams/{team_id}/team_memberships.
type CreateTeamMembershipOptions struct {
	// SendEmail says whether GitGuardian emails the member about the new
	// team; nil leaves the server default.
	SendEmail *bool `url:"send_email,omitempty"`
}

// CreateTeamMembership adds a workspace member to a team and returns the
// membership. It is not retried after a server error (it may send an
// email); a member already in the team is ErrConflict. GitGuardian refuses
// to add an owner or manager without full permissions.
//
// GitGuardian API: POST /v1/teams/{team_id}/team_memberships
func (s *TeamsService) CreateTeamMembership(ctx context.Context, teamID int64, body *models.CreateTeamMembershipRequest, opts *CreateTeamMembershipOptions, reqOpts ...RequestOption) (*models.TeamMembership, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianCreateTeamMembership.request().withParams(intParam("teamID", teamID)).withQuery(opts).withBody(body).
		check(checkGGBodyID("body.MemberID", body.MemberID), checkGGLeadership(body.TeamPermission, body.IsTeamLeader))
	return doJSON[models.TeamMembership](ctx, s.client, r, reqOpts)
}

// UpdateTeamMembership changes a member's team or incident permission and
// returns the membership as updated. Retried like a read: setting values
// is safe to repeat.
//
// GitGuardian API: PATCH /v1/teams/{team_id}/team_memberships/{team_membership_id}
func (s *TeamsService) UpdateTeamMembership(ctx context.Context, teamID, teamMembershipID int64, body *models.UpdateTeamMembershipRequest, reqOpts ...RequestOption) (*models.TeamMembership, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianUpdateTeamMembership.request().
		withParams(intParam("teamID", teamID), intParam("teamMembershipID", teamMembershipID)).withBody(body).
		check(checkGGPermissionUpdate(body.TeamPermission, body.IncidentPermission))
	return doJSON[models.TeamMembership](ctx, s.client, r, reqOpts)
}

// DeleteTeamMembership removes a member from a team (the member stays in
// the workspace). An unknown or already removed membership is ErrNotFound.
//
// GitGuardian API: DELETE /v1/teams/{team_id}/team_memberships/{team_membership_id}
func (s *TeamsService) DeleteTeamMembership(ctx context.Context, teamID, teamMembershipID int64, reqOpts ...RequestOption) error {
	r := gitGuardianDeleteTeamMembership.request().
		withParams(intParam("teamID", teamID), intParam("teamMembershipID", teamMembershipID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// ListMemberTeamMembershipsOptions filters
// GET /v1/members/{member_id}/team_memberships.
type ListMemberTeamMembershipsOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// TeamID keeps the membership in this team.
	TeamID int64 `url:"team_id,omitempty"`
}

// ListMemberTeamMemberships lists the teams a workspace member is in, as
// memberships, following the Link cursor: what an offboarding removes. An
// unknown member is ErrNotFound.
//
// GitGuardian API: GET /v1/members/{member_id}/team_memberships
func (s *TeamsService) ListMemberTeamMemberships(ctx context.Context, memberID int64, opts *ListMemberTeamMembershipsOptions, reqOpts ...RequestOption) *Pager[models.TeamMembership] {
	r := gitGuardianListMemberTeamMemberships.request().withParams(intParam("memberID", memberID)).withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage), checkGGOptionalID("TeamID", opts.TeamID))
	}
	return newLinkCursorPager[models.TeamMembership](ctx, s.client, r, reqOpts)
}

// ListTeamInvitationsOptions filters GET /v1/teams/{team_id}/team_invitations.
type ListTeamInvitationsOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// InvitationID keeps the team invitation of this workspace invitation.
	InvitationID int64 `url:"invitation_id,omitempty"`
	// TeamPermission keeps the team invitations with this team permission.
	TeamPermission models.TeamPermission `url:"team_permission,omitempty"`
	// IsTeamLeader is the live API's filter on leadership, as in
	// ListTeamMembershipsOptions.
	IsTeamLeader *bool `url:"is_team_leader,omitempty"`
	// IncidentPermission keeps the team invitations with this incident
	// permission.
	IncidentPermission models.IncidentPermissionEnum `url:"incident_permission,omitempty"`
}

// ListTeamInvitations lists the pending invitations that will join a team,
// following the Link cursor. An unknown team is ErrNotFound.
//
// GitGuardian API: GET /v1/teams/{team_id}/team_invitations
func (s *TeamsService) ListTeamInvitations(ctx context.Context, teamID int64, opts *ListTeamInvitationsOptions, reqOpts ...RequestOption) *Pager[models.TeamInvitation] {
	r := gitGuardianListTeamInvitations.request().withParams(intParam("teamID", teamID)).withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage), checkGGOptionalID("InvitationID", opts.InvitationID))
	}
	return newLinkCursorPager[models.TeamInvitation](ctx, s.client, r, reqOpts)
}

// CreateTeamInvitations puts a pending workspace invitation in a team, so
// the invitee joins it on acceptance, and returns the team invitation. It
// is not retried after a server error; an invitation already in the team
// is ErrConflict.
//
// GitGuardian API: POST /v1/teams/{team_id}/team_invitations
func (s *TeamsService) CreateTeamInvitations(ctx context.Context, teamID int64, body *models.CreateTeamInvitationsRequest, reqOpts ...RequestOption) (*models.TeamInvitation, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianCreateTeamInvitations.request().withParams(intParam("teamID", teamID)).withBody(body).
		check(checkGGBodyID("body.InvitationID", body.InvitationID), checkGGLeadership(body.TeamPermission, body.IsTeamLeader))
	return doJSON[models.TeamInvitation](ctx, s.client, r, reqOpts)
}

// UpdateTeamInvitation changes the team or incident permission a pending
// invitation will have in a team, and returns it as updated. Retried like
// a read.
//
// GitGuardian API: PATCH /v1/teams/{team_id}/team_invitations/{team_invitation_id}
func (s *TeamsService) UpdateTeamInvitation(ctx context.Context, teamID, teamInvitationID int64, body *models.UpdateTeamInvitationRequest, reqOpts ...RequestOption) (*models.TeamInvitation, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianUpdateTeamInvitation.request().
		withParams(intParam("teamID", teamID), intParam("teamInvitationID", teamInvitationID)).withBody(body).
		check(checkGGPermissionUpdate(body.TeamPermission, body.IncidentPermission))
	return doJSON[models.TeamInvitation](ctx, s.client, r, reqOpts)
}

// DeleteTeamInvitation takes a pending invitation out of a team (the
// workspace invitation stays). An unknown team invitation is ErrNotFound.
//
// GitGuardian API: DELETE /v1/teams/{team_id}/team_invitations/{team_invitation_id}
func (s *TeamsService) DeleteTeamInvitation(ctx context.Context, teamID, teamInvitationID int64, reqOpts ...RequestOption) error {
	r := gitGuardianDeleteTeamInvitation.request().
		withParams(intParam("teamID", teamID), intParam("teamInvitationID", teamInvitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// checkGGTeamUpdate requires a change and a usable name.
func checkGGTeamUpdate(body *models.UpdateTeamRequest) error {
	switch {
	case body.Name == nil && body.Description == nil:
		return &ValidationError{Param: "body", Reason: "must set Name or Description"}
	case body.Name != nil:
		if err := checkRequired("body.Name", *body.Name); err != nil {
			return err
		}
	}
	if body.Description != nil {
		return checkText("body.Description", *body.Description)
	}
	return nil
}

// checkGGBodyID requires a positive id in a body.
func checkGGBodyID(param string, id int64) error {
	if id <= 0 {
		return &ValidationError{Param: param, Reason: "must be a positive integer"}
	}
	return nil
}

// checkGGOptionalID allows an unset (zero) id filter, or a positive one.
func checkGGOptionalID(param string, id int64) error {
	if id < 0 {
		return &ValidationError{Param: param, Reason: "must be a positive integer"}
	}
	return nil
}

// checkGGLeadership refuses a TeamPermission and an IsTeamLeader that
// contradict each other: the API answers both, can_manage exactly for
// team leaders, and which one it would honour is not documented.
func checkGGLeadership(perm models.TeamPermission, leader *bool) error {
	if leader == nil || (perm != models.TeamPermissionCanManage && perm != models.TeamPermissionCannotManage) {
		return nil
	}
	if (perm == models.TeamPermissionCanManage) != *leader {
		return &ValidationError{Param: "body.IsTeamLeader", Reason: "contradicts body.TeamPermission"}
	}
	return nil
}

// checkGGPermissionUpdate requires a change.
func checkGGPermissionUpdate(team models.TeamPermission, incident models.IncidentPermissionEnum) error {
	if team == "" && incident == "" {
		return &ValidationError{Param: "body", Reason: "must set TeamPermission or IncidentPermission"}
	}
	return nil
}
