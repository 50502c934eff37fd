package invitations

import (
	"context"
	"net/http"

	"github.com/invitesdk/invitations/models"
)

// GitGuardian's member operations, the rows MembersService builds its
// requests from.
var (
	gitGuardianListMembers = &Operation{API: GitGuardian, Service: "Members", Method: "ListMembers",
		HTTPMethod: http.MethodGet, Path: "/v1/members", Retry: Idempotent, DocOperationID: "list-members"}
	gitGuardianGetMember = &Operation{API: GitGuardian, Service: "Members", Method: "GetMember",
		HTTPMethod: http.MethodGet, Path: "/v1/members/{member_id}", Retry: Idempotent, DocOperationID: "retrieve-member"}
	// UpdateMember and DeleteMember are Unsafe when they ask for an email
	// (memberEmailClass).
	gitGuardianUpdateMember = &Operation{API: GitGuardian, Service: "Members", Method: "UpdateMember",
		HTTPMethod: http.MethodPatch, Path: "/v1/members/{member_id}", Retry: Idempotent, DocOperationID: "update-member"}
	gitGuardianDeleteMember = &Operation{API: GitGuardian, Service: "Members", Method: "DeleteMember",
		HTTPMethod: http.MethodDelete, Path: "/v1/members/{member_id}", Retry: Idempotent, DocOperationID: "delete-member"}

	gitGuardianMemberOperations = operationTable(gitGuardianListMembers, gitGuardianGetMember, gitGuardianUpdateMember, gitGuardianDeleteMember)
)

// MembersService calls GitGuardian's workspace member endpoints. A member
// is a person who accepted an invitation: once accepted, the invitation
// is gone from InvitationsService and the person is listed here. It uses
// the GitGuardian base URL and API key (WithGitGuardianBaseURL,
// WithGitGuardianAPIKey).
type MembersService struct {
	client *Client
}

// ListMembersOptions filters GET /v1/members. The zero value lists every
// member in the server's default order.
type ListMembersOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// Search matches on the member's name or email.
	Search string `url:"search,omitempty"`
	// AccessLevel keeps the members with this access level.
	AccessLevel models.AccessLevel `url:"access_level,omitempty"`
	// Role is the 2023 name of the AccessLevel filter, still accepted.
	Role models.AccessLevel `url:"role,omitempty"`
	// Active keeps active (true) or deactivated (false) members; nil
	// keeps both.
	Active *bool `url:"active,omitempty"`
	// Ordering sorts the list.
	Ordering models.ListMembersOrdering `url:"ordering,omitempty"`
}

// ListMembers lists the workspace members, following the Link cursor. To
// find a person by email, set Search and compare Email: the search also
// matches names and parts of addresses.
//
// GitGuardian API: GET /v1/members
func (s *MembersService) ListMembers(ctx context.Context, opts *ListMembersOptions, reqOpts ...RequestOption) *Pager[models.Member] {
	r := gitGuardianListMembers.request().withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage))
	}
	return newLinkCursorPager[models.Member](ctx, s.client, r, reqOpts)
}

// GetMember returns one member; an unknown id is ErrNotFound.
//
// GitGuardian API: GET /v1/members/{member_id}
func (s *MembersService) GetMember(ctx context.Context, memberID int64, reqOpts ...RequestOption) (*models.Member, error) {
	r := gitGuardianGetMember.request().
		withParams(intParam("memberID", memberID))
	return doJSON[models.Member](ctx, s.client, r, reqOpts)
}

// MemberEmailOptions are the query options of UpdateMember and
// DeleteMember.
type MemberEmailOptions struct {
	// SendEmail says whether GitGuardian emails the member about the
	// change; nil leaves the server default.
	SendEmail *bool `url:"send_email,omitempty"`
}

// UpdateMember changes a member's access level or deactivates them, and
// returns the member as updated. Setting a level is safe to repeat, so
// the call is retried like a read, unless opts asks GitGuardian to email
// the member: then it is not repeated after a server error, so the email
// is not sent twice. The owner's level cannot be changed here.
//
// GitGuardian API: PATCH /v1/members/{member_id}
func (s *MembersService) UpdateMember(ctx context.Context, memberID int64, body *models.UpdateMemberRequest, opts *MemberEmailOptions, reqOpts ...RequestOption) (*models.Member, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianUpdateMember.request().withClass(memberEmailClass(opts)).
		withParams(intParam("memberID", memberID)).withQuery(opts).withBody(body).
		check(checkMemberUpdate(body))
	return doJSON[models.Member](ctx, s.client, r, reqOpts)
}

// DeleteMember removes a member from the workspace. The workspace owner
// cannot be removed: GitGuardian answers 403 (ErrForbidden). An unknown or
// already removed member is ErrNotFound. Retried like UpdateMember.
//
// GitGuardian API: DELETE /v1/members/{member_id}
func (s *MembersService) DeleteMember(ctx context.Context, memberID int64, opts *MemberEmailOptions, reqOpts ...RequestOption) error {
	r := gitGuardianDeleteMember.request().withClass(memberEmailClass(opts)).
		withParams(intParam("memberID", memberID)).withQuery(opts)
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// memberEmailClass is Unsafe when the call asks GitGuardian to send an
// email, which a repeat would send again.
func memberEmailClass(opts *MemberEmailOptions) RetryClass {
	if opts != nil && opts.SendEmail != nil && *opts.SendEmail {
		return Unsafe
	}
	return Idempotent
}

// checkMemberUpdate requires a change, and refuses owner: the document
// allows only the non-owner levels in this body.
func checkMemberUpdate(body *models.UpdateMemberRequest) error {
	switch {
	case body.AccessLevel == "" && body.Active == nil:
		return &ValidationError{Param: "body", Reason: "must set AccessLevel or Active"}
	case body.AccessLevel == models.AccessLevelOwner:
		return &ValidationError{Param: "body.AccessLevel", Reason: "cannot be owner: ownership is transferred in the dashboard"}
	}
	return nil
}
