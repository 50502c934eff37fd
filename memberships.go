package invitations

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/invitesdk/invitations/models"
)

// BoxBaseURL is the production Box API.
const BoxBaseURL = "https://api.box.com/2.0"

// boxMaxOffset is the largest offset Box's membership lists accept; larger
// ones are rejected with 400.
const boxMaxOffset = 10000

func boxAPI() apiConfig {
	return apiConfig{
		name:             "Box",
		baseURL:          BoxBaseURL,
		baseURLOption:    "WithBoxBaseURL",
		credentialOption: "WithBoxAccessToken",
		decodeError:      decodeBoxError,
	}
}

// WithBoxAccessToken sets the Box access token (OAuth 2.0, JWT, client
// credentials or developer token), sent as "Authorization: Bearer <token>".
func WithBoxAccessToken(token string) Option {
	return withStaticCredential(box, "WithBoxAccessToken", "Bearer", token)
}

// WithBoxBaseURL points the Memberships service at another Box API base
// (a proxy or a test server); the default is BoxBaseURL.
func WithBoxBaseURL(baseURL string) Option {
	return withBaseURL(box, "WithBoxBaseURL", baseURL)
}

// WithBoxAsUser makes one Box call on behalf of another user (the "As-User"
// header); the token must belong to an admin or a service account allowed
// to act as users.
func WithBoxAsUser(userID string) RequestOption {
	return WithHeader("As-User", userID)
}

// WithBoxNotificationsSuppressed turns off the emails and notifications
// Box would send about one call ("Box-Notifications: off"); approved
// applications only.
func WithBoxNotificationsSuppressed() RequestOption {
	return WithHeader("Box-Notifications", "off")
}

// boxClientError is Box's error body (ClientError).
type boxClientError struct {
	Type        string          `json:"type"`
	Status      int             `json:"status"`
	Code        string          `json:"code"`
	Message     string          `json:"message"`
	ContextInfo json.RawMessage `json:"context_info"`
	HelpURL     string          `json:"help_url"`
	RequestID   string          `json:"request_id"`
}

func decodeBoxError(e *APIError, body []byte) {
	var ce boxClientError
	if !decodeLenientJSON(body, &ce) {
		return
	}
	e.Code, e.Message, e.HelpURL = ce.Code, ce.Message, ce.HelpURL
	if ce.RequestID != "" {
		e.RequestID = ce.RequestID
	}
	if len(ce.ContextInfo) > 0 && string(ce.ContextInfo) != "null" {
		e.Details = ce.ContextInfo
	}
}

// MembershipsService calls Box's group membership endpoints.
type MembershipsService struct {
	client *Client
}

// ListMembershipsOptions pages Box membership lists.
type ListMembershipsOptions struct {
	// Limit is the page size, 1 to 1000 (Box's default is 100).
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts, 0 to 10000.
	Offset int64 `url:"offset,omitempty"`
}

func (o *ListMembershipsOptions) validate() error {
	if o == nil {
		return nil
	}
	return firstError(
		checkRange("Limit", o.Limit, 0, 1000),
		checkRange("Offset", o.Offset, 0, boxMaxOffset),
	)
}

// GroupMembershipOptions are the query options of the single-membership
// calls.
type GroupMembershipOptions struct {
	// Fields asks for these fields only (sent as one comma-separated
	// "fields" value); Box then returns them plus id and type.
	Fields []string `url:"fields,comma,omitempty"`
}

// GetUserMemberships lists the groups a user belongs to.
//
// Box API: GET /users/{user_id}/memberships
func (s *MembershipsService) GetUserMemberships(ctx context.Context, userID string, opts *ListMembershipsOptions, reqOpts ...RequestOption) *Pager[models.GroupMembership] {
	return s.list(ctx, "users/{}/memberships", idParam("userID", userID), opts, reqOpts)
}

// GetGroupMemberships lists the members of a group. Box cannot list past
// offset 10,000: the pager then yields ErrOffsetLimit rather than stopping
// silently.
//
// Box API: GET /groups/{group_id}/memberships
func (s *MembershipsService) GetGroupMemberships(ctx context.Context, groupID string, opts *ListMembershipsOptions, reqOpts ...RequestOption) *Pager[models.GroupMembership] {
	return s.list(ctx, "groups/{}/memberships", idParam("groupID", groupID), opts, reqOpts)
}

func (s *MembershipsService) list(ctx context.Context, path string, id pathParam, opts *ListMembershipsOptions, reqOpts []RequestOption) *Pager[models.GroupMembership] {
	r := newRequest(box, http.MethodGet, path, Idempotent).withParams(id).withQuery(opts).check(opts.validate())
	style := offsetStyle{limitKey: "limit", offsetKey: "offset", maxOffset: boxMaxOffset}
	return newOffsetPager(ctx, s.client, r, reqOpts, style, func(page *models.GroupMemberships) offsetPage[models.GroupMembership] {
		return offsetPage[models.GroupMembership]{items: page.Entries, total: page.TotalCount, limit: page.Limit}
	})
}

// CreateGroupMembership adds a user to a group and returns the membership.
// It is not retried after a server error, so a user is never added twice.
//
// Box API: POST /group_memberships
func (s *MembershipsService) CreateGroupMembership(ctx context.Context, body *models.CreateGroupMembershipRequest, opts *GroupMembershipOptions, reqOpts ...RequestOption) (*models.GroupMembership, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := newRequest(box, http.MethodPost, "group_memberships", Unsafe).withQuery(opts).withBody(body).
		check(checkRequired("user.id", body.User.ID), checkRequired("group.id", body.Group.ID))
	return doJSON[models.GroupMembership](ctx, s.client, r, reqOpts)
}

// GetGroupMembershipByID returns one membership.
//
// Box API: GET /group_memberships/{group_membership_id}
func (s *MembershipsService) GetGroupMembershipByID(ctx context.Context, groupMembershipID string, opts *GroupMembershipOptions, reqOpts ...RequestOption) (*models.GroupMembership, error) {
	return doJSON[models.GroupMembership](ctx, s.client, groupMembershipRequest(http.MethodGet, groupMembershipID, opts), reqOpts)
}

// UpdateGroupMembershipByID changes a member's role or configurable
// permissions and returns the updated membership.
//
// Box API: PUT /group_memberships/{group_membership_id}
func (s *MembershipsService) UpdateGroupMembershipByID(ctx context.Context, groupMembershipID string, body *models.UpdateGroupMembershipRequest, opts *GroupMembershipOptions, reqOpts ...RequestOption) (*models.GroupMembership, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	return doJSON[models.GroupMembership](ctx, s.client, groupMembershipRequest(http.MethodPut, groupMembershipID, opts).withBody(body), reqOpts)
}

// DeleteGroupMembershipByID removes a user from a group.
//
// Box API: DELETE /group_memberships/{group_membership_id}
func (s *MembershipsService) DeleteGroupMembershipByID(ctx context.Context, groupMembershipID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, groupMembershipRequest(http.MethodDelete, groupMembershipID, nil), nil, reqOpts)
	return err
}

// groupMembershipRequest builds a request on /group_memberships/{id}; all three methods on
// that route are safe to repeat.
func groupMembershipRequest(method, groupMembershipID string, opts *GroupMembershipOptions) *request {
	return newRequest(box, method, "group_memberships/{}", Idempotent).
		withParams(idParam("groupMembershipID", groupMembershipID)).withQuery(opts)
}
