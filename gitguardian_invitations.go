package invitations

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/invitesdk/invitations/models"
)

// GitGuardian base URLs. The default is the US SaaS; self-hosted instances
// serve the API under https://<dashboard-host>/exposed.
const (
	GitGuardianUSBaseURL = "https://api.gitguardian.com"
	GitGuardianEUBaseURL = "https://api.eu1.gitguardian.com"
)

// Published request budgets of GitGuardian's public API, in requests per
// minute per API key, by key type and plan ("Usage and quotas" in
// GitGuardian's documentation). Pass the one that matches your key to
// WithRateLimit(GitGuardian, ...). Self-hosted instances apply none by
// default.
const (
	GitGuardianPersonalTokenFree        = 50
	GitGuardianPersonalTokenBusiness    = 200
	GitGuardianPersonalTokenEnterprise  = 2000
	GitGuardianServiceAccountBusiness   = 1000
	GitGuardianServiceAccountEnterprise = 10000
)

// gitGuardianVendor is what the SDK knows about GitGuardian's API.
var gitGuardianVendor = vendor{
	VendorInfo: VendorInfo{
		API:                      GitGuardian,
		Name:                     "GitGuardian",
		DefaultBaseURL:           GitGuardianUSBaseURL,
		BaseURLOption:            "WithGitGuardianBaseURL",
		CredentialOption:         "WithGitGuardianAPIKey",
		DefaultRequestsPerMinute: GitGuardianPersonalTokenFree, // the lowest published budget
	},
	env: []envSetting{
		{EnvVar: EnvVar{Name: EnvGitGuardianAPIURL, Note: "EU or self-hosted; a trailing /v1 is dropped"},
			transform: func(v string) string { return strings.TrimSuffix(strings.TrimRight(v, "/"), "/v1") }},
		{EnvVar: EnvVar{Name: EnvGitGuardianAPIKey}, credential: &gitGuardianAPIKey},
	},
	rateApplies: gitGuardianHosted, // self-hosted instances apply no published budget
	decodeError: decodeDRFError,
	operations:  slices.Concat(gitGuardianInvitationOperations, gitGuardianMemberOperations, gitGuardianTeamOperations),
}

var gitGuardianAPIKey = credentialKind{option: "WithGitGuardianAPIKey", scheme: "Token"}

// gitGuardianHosted reports whether baseURL is GitGuardian's hosted API,
// where its published budgets apply.
func gitGuardianHosted(baseURL string) bool {
	return baseURL == GitGuardianUSBaseURL || baseURL == GitGuardianEUBaseURL
}

// WithGitGuardianAPIKey sets the GitGuardian API key (a service account
// token or personal access token), sent as "Authorization: Token <key>".
func WithGitGuardianAPIKey(key string) Option {
	return withStaticCredential(GitGuardian, gitGuardianAPIKey, key)
}

// WithGitGuardianBaseURL points the Invitations service at another
// GitGuardian API: GitGuardianEUBaseURL, or a self-hosted
// "https://<dashboard-host>/exposed".
func WithGitGuardianBaseURL(baseURL string) Option {
	return withBaseURL(GitGuardian, baseURL)
}

// GitGuardian's invitation operations, the rows InvitationsService builds
// its requests from.
var (
	gitGuardianListInvitations = &Operation{API: GitGuardian, Service: "Invitations", Method: "ListInvitations",
		HTTPMethod: http.MethodGet, Path: "/v1/invitations", Retry: Idempotent, DocOperationID: "list-invitations"}
	gitGuardianGetInvitation = &Operation{API: GitGuardian, Service: "Invitations", Method: "GetInvitation",
		HTTPMethod: http.MethodGet, Path: "/v1/invitations/{invitation_id}", Retry: Idempotent, DocOperationID: "retrieve-invitation"}
	gitGuardianCreateInvitations = &Operation{API: GitGuardian, Service: "Invitations", Method: "CreateInvitations",
		HTTPMethod: http.MethodPost, Path: "/v1/invitations", Retry: Unsafe, Success: []int{http.StatusCreated}, DocOperationID: "create-invitations"}
	gitGuardianDeleteInvitation = &Operation{API: GitGuardian, Service: "Invitations", Method: "DeleteInvitation",
		HTTPMethod: http.MethodDelete, Path: "/v1/invitations/{invitation_id}", Retry: Idempotent, DocOperationID: "delete-invitation"}
	gitGuardianResendInvitation = &Operation{API: GitGuardian, Service: "Invitations", Method: "ResendInvitation",
		HTTPMethod: http.MethodPost, Path: "/v1/invitations/{invitation_id}/resend", Retry: Unsafe, DocOperationID: "resend-invitation"}
	gitGuardianGetInvitationResourceAccess = &Operation{API: GitGuardian, Service: "Invitations", Method: "GetInvitationResourceAccess",
		HTTPMethod: http.MethodGet, Path: "/v1/invitations/{invitation_id}/{resource_type}/{resource_id}", Retry: Idempotent, DocOperationID: "retrieve-invitation-resource-access"}
	gitGuardianSetInvitationResourceAccess = &Operation{API: GitGuardian, Service: "Invitations", Method: "SetInvitationResourceAccess",
		HTTPMethod: http.MethodPut, Path: "/v1/invitations/{invitation_id}/{resource_type}/{resource_id}", Retry: Idempotent, DocOperationID: "update-invitation-resource-access"}
	gitGuardianRevokeInvitationResourceAccess = &Operation{API: GitGuardian, Service: "Invitations", Method: "RevokeInvitationResourceAccess",
		HTTPMethod: http.MethodDelete, Path: "/v1/invitations/{invitation_id}/{resource_type}/{resource_id}", Retry: Idempotent, DocOperationID: "delete-invitation-resource-access"}
	gitGuardianListInvitationSecretIncidentAccess = &Operation{API: GitGuardian, Service: "Invitations", Method: "ListInvitationSecretIncidentAccess",
		HTTPMethod: http.MethodGet, Path: "/v1/invitations/{invitation_id}/secret-incidents", Retry: Idempotent, DocOperationID: "list-invitation-secret-incidents"}

	gitGuardianInvitationOperations = operationTable(gitGuardianListInvitations, gitGuardianGetInvitation, gitGuardianCreateInvitations,
		gitGuardianDeleteInvitation, gitGuardianResendInvitation, gitGuardianGetInvitationResourceAccess, gitGuardianSetInvitationResourceAccess,
		gitGuardianRevokeInvitationResourceAccess, gitGuardianListInvitationSecretIncidentAccess)
)

// InvitationsService calls GitGuardian's workspace invitation endpoints.
type InvitationsService struct {
	client *Client
}

// ListInvitationsOptions filters GET /v1/invitations. The zero value lists
// every pending invitation in the server's default order.
type ListInvitationsOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage int `url:"per_page,omitempty"`
	// Search matches on the invitee's email.
	Search string `url:"search,omitempty"`
	// Ordering sorts the list.
	Ordering models.ListInvitationsOrdering `url:"ordering,omitempty"`
}

// ListInvitations lists pending invitations, following the Link cursor.
//
// GitGuardian API: GET /v1/invitations
func (s *InvitationsService) ListInvitations(ctx context.Context, opts *ListInvitationsOptions, reqOpts ...RequestOption) *Pager[models.Invitation] {
	r := gitGuardianListInvitations.request().withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage))
	}
	return newLinkCursorPager[models.Invitation](ctx, s.client, r, reqOpts)
}

// GetInvitation returns one pending invitation. An unknown id, or an
// invitation that was accepted (its person is now a member, see
// MembersService) or deleted, is ErrNotFound.
//
// GitGuardian API: GET /v1/invitations/{invitation_id}
func (s *InvitationsService) GetInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) (*models.Invitation, error) {
	r := gitGuardianGetInvitation.request().
		withParams(intParam("invitationID", invitationID))
	return doJSON[models.Invitation](ctx, s.client, r, reqOpts)
}

// CreateInvitationsOptions are the query options of POST /v1/invitations.
type CreateInvitationsOptions struct {
	// SendEmail says whether GitGuardian emails the invitee an accept
	// link; nil leaves the server default.
	SendEmail *bool `url:"send_email,omitempty"`
}

// CreateInvitations invites a person to the workspace and returns the
// invitation. It is not retried after a server error, so that nobody is
// invited twice; only 201 Created counts as success (an already-member 200
// comes back as an *APIError with its message).
//
// GitGuardian API: POST /v1/invitations
func (s *InvitationsService) CreateInvitations(ctx context.Context, body *models.CreateInvitationsRequest, opts *CreateInvitationsOptions, reqOpts ...RequestOption) (*models.Invitation, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitGuardianCreateInvitations.request().
		withQuery(opts).withBody(body).
		check(checkEmail("email", body.Email))
	return doJSON[models.Invitation](ctx, s.client, r, reqOpts)
}

// DeleteInvitation cancels a pending invitation.
//
// GitGuardian API: DELETE /v1/invitations/{invitation_id}
func (s *InvitationsService) DeleteInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) error {
	r := gitGuardianDeleteInvitation.request().
		withParams(intParam("invitationID", invitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// ResendInvitation emails the invitation again. It sends an email, so it is
// never retried after a server error; GitGuardian throttles it with 429.
//
// GitGuardian API: POST /v1/invitations/{invitation_id}/resend
func (s *InvitationsService) ResendInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) (*models.ResendInvitationOkResponse, error) {
	r := gitGuardianResendInvitation.request().
		withParams(intParam("invitationID", invitationID)).withBody(struct{}{})
	return doJSON[models.ResendInvitationOkResponse](ctx, s.client, r, reqOpts)
}

// resourceAccessRequest is a call on an invitation's access to one resource.
func resourceAccessRequest(op *Operation, invitationID int64, resourceType models.ResourceType, resourceID int64) *request {
	return op.request().withParams(
		intParam("invitationID", invitationID),
		idParam("resourceType", string(resourceType)),
		intParam("resourceID", resourceID))
}

// GetInvitationResourceAccess returns the invitation's access to one
// resource (for admins, the highest level).
//
// GitGuardian API: GET /v1/invitations/{invitation_id}/{resource_type}/{resource_id}
func (s *InvitationsService) GetInvitationResourceAccess(ctx context.Context, invitationID int64, resourceType models.ResourceType, resourceID int64, reqOpts ...RequestOption) (*models.ResourceInvitationAccess, error) {
	r := resourceAccessRequest(gitGuardianGetInvitationResourceAccess, invitationID, resourceType, resourceID)
	return doJSON[models.ResourceInvitationAccess](ctx, s.client, r, reqOpts)
}

// SetInvitationResourceAccess creates or updates the invitation's direct
// access to a resource. The route is built from access's ids, and the whole
// of access is sent as the body, so path and body always agree.
//
// GitGuardian API: PUT /v1/invitations/{invitation_id}/{resource_type}/{resource_id}
func (s *InvitationsService) SetInvitationResourceAccess(ctx context.Context, access *models.ResourceInvitationAccess, reqOpts ...RequestOption) (*models.ResourceInvitationAccess, error) {
	if access == nil {
		return nil, &ValidationError{Param: "access", Reason: "is required"}
	}
	r := resourceAccessRequest(gitGuardianSetInvitationResourceAccess, access.InvitationID, access.ResourceType, access.ResourceID).
		withBody(access).check(checkRequired("access.Permission", string(access.Permission)))
	return doJSON[models.ResourceInvitationAccess](ctx, s.client, r, reqOpts)
}

// RevokeInvitationResourceAccess removes the invitation's direct access to
// a resource. Access that comes from the invitation's admin level cannot be
// revoked: the API answers 404 (errors.Is(err, ErrNotFound)).
//
// GitGuardian API: DELETE /v1/invitations/{invitation_id}/{resource_type}/{resource_id}
func (s *InvitationsService) RevokeInvitationResourceAccess(ctx context.Context, access *models.ResourceInvitationAccess, reqOpts ...RequestOption) error {
	if access == nil {
		return &ValidationError{Param: "access", Reason: "is required"}
	}
	// The documented operation carries the access as a JSON body, unusual
	// for a DELETE; it is sent as documented.
	r := resourceAccessRequest(gitGuardianRevokeInvitationResourceAccess, access.InvitationID, access.ResourceType, access.ResourceID).withBody(access)
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// ListInvitationSecretIncidentAccessOptions filters
// GET /v1/invitations/{id}/secret-incidents. Zero fields are not sent.
type ListInvitationSecretIncidentAccessOptions struct {
	// Cursor starts the listing at a page cursor from an earlier Page.
	Cursor string `url:"cursor,omitempty"`
	// PerPage is the page size, 1 to 100 (server default 20).
	PerPage       int                 `url:"per_page,omitempty"`
	DateBefore    *time.Time          `url:"date_before,omitempty"`
	DateAfter     *time.Time          `url:"date_after,omitempty"`
	AssigneeEmail string              `url:"assignee_email,omitempty"`
	AssigneeID    *int64              `url:"assignee_id,omitempty"`
	Status        models.StatusEnum   `url:"status,omitempty"`
	Severity      models.SeverityEnum `url:"severity,omitempty"`
	Validity      models.ValidityEnum `url:"validity,omitempty"`
	// Tags filters by tag, sent comma-separated; models.TagNone matches
	// incidents without tags.
	Tags               []models.TagEnum                                  `url:"tags,comma,omitempty"`
	Ordering           models.ListInvitationSecretIncidentAccessOrdering `url:"ordering,omitempty"`
	DetectorGroupName  string                                            `url:"detector_group_name,omitempty"`
	IgnorerID          *int64                                            `url:"ignorer_id,omitempty"`
	IgnorerAPITokenID  string                                            `url:"ignorer_api_token_id,omitempty"`
	ResolverID         *int64                                            `url:"resolver_id,omitempty"`
	ResolverAPITokenID string                                            `url:"resolver_api_token_id,omitempty"`
	// Feedback and OnlyOnProviderArchivedSources are newer filters; nil
	// leaves them unsent.
	Feedback                      *bool `url:"feedback,omitempty"`
	OnlyOnProviderArchivedSources *bool `url:"only_on_provider_archived_sources,omitempty"`
}

// ListInvitationSecretIncidentAccess lists the secret incidents an
// invitation can access, following the Link cursor.
//
// GitGuardian API: GET /v1/invitations/{invitation_id}/secret-incidents
func (s *InvitationsService) ListInvitationSecretIncidentAccess(ctx context.Context, invitationID int64, opts *ListInvitationSecretIncidentAccessOptions, reqOpts ...RequestOption) *Pager[models.IncidentWithoutOccurrences] {
	r := gitGuardianListInvitationSecretIncidentAccess.request().
		withParams(intParam("invitationID", invitationID)).withQuery(opts)
	if opts != nil {
		r.check(checkPerPage(opts.PerPage))
	}
	return newLinkCursorPager[models.IncidentWithoutOccurrences](ctx, s.client, r, reqOpts)
}

// checkPerPage allows GitGuardian's 1..100, or 0 for the server default.
func checkPerPage(perPage int) error {
	if perPage == 0 {
		return nil
	}
	return checkRange("PerPage", int64(perPage), 1, 100)
}
