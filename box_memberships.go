package invitations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/invitesdk/invitations/models"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// BoxBaseURL is the production Box API.
const BoxBaseURL = "https://api.box.com/2.0"

// boxMaxOffset is the largest offset the SDK sends to Box. Box's
// pagination guide says the maximum offset is 9999; its OpenAPI document
// says offsets exceeding 10000 are rejected. The stricter reading is kept,
// so a pager stops with ErrOffsetLimit before Box can refuse a page,
// whichever is true (at the cost, if 10000 is accepted, of that one page).
const boxMaxOffset = 9999

// boxMaxLimit is the largest page Box serves.
const boxMaxLimit = 1000

// boxOffsetStyle is the offset/limit paging of every Box collection.
var boxOffsetStyle = offsetStyle{limitKey: "limit", offsetKey: "offset", maxOffset: boxMaxOffset, offsetRejected: boxOffsetRejected}

// boxOffsetRejected reports whether err is Box refusing the page's offset:
// a 400 whose context_info names the offset parameter, or a bare 400 for
// a page the pager moved to within one largest page of the ceiling (where
// only the offset differs from a page Box served).
func boxOffsetRejected(err error, offset int64, advanced bool) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		return false
	}
	var info struct {
		Errors []struct {
			Name string `json:"name"`
		} `json:"errors"`
	}
	if len(apiErr.Details) > 0 && json.Unmarshal(apiErr.Details, &info) == nil {
		for _, e := range info.Errors {
			if e.Name == "offset" {
				return true
			}
		}
	}
	return advanced && offset > boxMaxOffset-boxMaxLimit
}

// boxVendor is what the SDK knows about Box's API.
var boxVendor = vendor{
	VendorInfo: VendorInfo{
		API:                      Box,
		Name:                     "Box",
		DefaultBaseURL:           BoxBaseURL,
		BaseURLOption:            "WithBoxBaseURL",
		CredentialOption:         "WithBoxAccessToken",
		DefaultRequestsPerMinute: 1000, // Box's rate-limit guide: about 1000 requests per minute per user
	},
	env: []envSetting{
		{EnvVar: EnvVar{Name: EnvBoxAccessToken}, credential: &boxAccessToken},
	},
	decodeError: decodeBoxError,
	operations:  slices.Concat(boxOperations, boxUserOperations),
}

var boxAccessToken = credentialKind{option: "WithBoxAccessToken", scheme: "Bearer"}

// Box's operations, the rows MembershipsService builds its requests from.
var (
	boxGetUserMemberships = &Operation{API: Box, Service: "Memberships", Method: "GetUserMemberships",
		HTTPMethod: http.MethodGet, Path: "/users/{user_id}/memberships", Retry: Idempotent, DocOperationID: "get_users_id_memberships"}
	boxGetGroupMemberships = &Operation{API: Box, Service: "Memberships", Method: "GetGroupMemberships",
		HTTPMethod: http.MethodGet, Path: "/groups/{group_id}/memberships", Retry: Idempotent, DocOperationID: "get_groups_id_memberships"}
	boxCreateGroupMembership = &Operation{API: Box, Service: "Memberships", Method: "CreateGroupMembership",
		HTTPMethod: http.MethodPost, Path: "/group_memberships", Retry: Unsafe, DocOperationID: "post_group_memberships"}
	boxGetGroupMembershipByID = &Operation{API: Box, Service: "Memberships", Method: "GetGroupMembershipByID",
		HTTPMethod: http.MethodGet, Path: "/group_memberships/{group_membership_id}", Retry: Idempotent, DocOperationID: "get_group_memberships_id"}
	boxUpdateGroupMembershipByID = &Operation{API: Box, Service: "Memberships", Method: "UpdateGroupMembershipByID",
		HTTPMethod: http.MethodPut, Path: "/group_memberships/{group_membership_id}", Retry: Idempotent, DocOperationID: "put_group_memberships_id"}
	boxDeleteGroupMembershipByID = &Operation{API: Box, Service: "Memberships", Method: "DeleteGroupMembershipByID",
		HTTPMethod: http.MethodDelete, Path: "/group_memberships/{group_membership_id}", Retry: Idempotent, DocOperationID: "delete_group_memberships_id"}
	boxGetUsers = &Operation{API: Box, Service: "Memberships", Method: "GetUsers",
		HTTPMethod: http.MethodGet, Path: "/users", Retry: Idempotent, DocOperationID: "get_users"}
	boxGetGroups = &Operation{API: Box, Service: "Memberships", Method: "GetGroups",
		HTTPMethod: http.MethodGet, Path: "/groups", Retry: Idempotent, DocOperationID: "get_groups"}

	boxOperations = operationTable(boxGetUserMemberships, boxGetGroupMemberships, boxCreateGroupMembership, boxGetGroupMembershipByID, boxUpdateGroupMembershipByID, boxDeleteGroupMembershipByID, boxGetUsers, boxGetGroups)
)

// WithBoxAccessToken sets the Box access token (OAuth 2.0, JWT, client
// credentials or developer token), sent as "Authorization: Bearer <token>".
func WithBoxAccessToken(token string) Option {
	return withStaticCredential(Box, boxAccessToken, token)
}

// WithBoxBaseURL points the Memberships service at another Box API base
// (a proxy or a test server); the default is BoxBaseURL.
func WithBoxBaseURL(baseURL string) Option {
	return withBaseURL(Box, baseURL)
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

// MembershipsService calls Box's group membership endpoints, and the user
// and group lists that find the ids those take (a user by login, a group
// by name).
type MembershipsService struct {
	client *Client
}

// ListMembershipsOptions pages Box membership lists.
type ListMembershipsOptions struct {
	// Limit is the page size, 1 to 1000 (Box's default is 100).
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts, 0 to 9999.
	Offset int64 `url:"offset,omitempty"`
}

func (o *ListMembershipsOptions) validate() error {
	if o == nil {
		return nil
	}
	return checkBoxPaging(o.Limit, o.Offset)
}

// checkBoxPaging allows Box's limit 1..1000 (0 for the default) and
// offsets up to boxMaxOffset.
func checkBoxPaging(limit, offset int64) error {
	return firstError(
		checkRange("Limit", limit, 0, boxMaxLimit),
		checkRange("Offset", offset, 0, boxMaxOffset),
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
	return s.list(ctx, boxGetUserMemberships, idParam("userID", userID), opts, reqOpts)
}

// GetGroupMemberships lists the members of a group. Box cannot list past
// offset 9,999: the pager then yields ErrOffsetLimit rather than stopping
// silently.
//
// Box API: GET /groups/{group_id}/memberships
func (s *MembershipsService) GetGroupMemberships(ctx context.Context, groupID string, opts *ListMembershipsOptions, reqOpts ...RequestOption) *Pager[models.GroupMembership] {
	return s.list(ctx, boxGetGroupMemberships, idParam("groupID", groupID), opts, reqOpts)
}

func (s *MembershipsService) list(ctx context.Context, op *Operation, id pathParam, opts *ListMembershipsOptions, reqOpts []RequestOption) *Pager[models.GroupMembership] {
	r := op.request().withParams(id).withQuery(opts).check(opts.validate())
	return newOffsetPager(ctx, s.client, r, reqOpts, boxOffsetStyle, func(page *models.GroupMemberships) offsetPage[models.GroupMembership] {
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
	r := boxCreateGroupMembership.request().withQuery(opts).withBody(body).
		check(checkRequired("user.id", body.User.ID), checkRequired("group.id", body.Group.ID))
	return doJSON[models.GroupMembership](ctx, s.client, r, reqOpts)
}

// GetGroupMembershipByID returns one membership.
//
// Box API: GET /group_memberships/{group_membership_id}
func (s *MembershipsService) GetGroupMembershipByID(ctx context.Context, groupMembershipID string, opts *GroupMembershipOptions, reqOpts ...RequestOption) (*models.GroupMembership, error) {
	return doJSON[models.GroupMembership](ctx, s.client, groupMembershipRequest(boxGetGroupMembershipByID, groupMembershipID, opts), reqOpts)
}

// UpdateGroupMembershipByID changes a member's role or configurable
// permissions and returns the updated membership.
//
// Box API: PUT /group_memberships/{group_membership_id}
func (s *MembershipsService) UpdateGroupMembershipByID(ctx context.Context, groupMembershipID string, body *models.UpdateGroupMembershipRequest, opts *GroupMembershipOptions, reqOpts ...RequestOption) (*models.GroupMembership, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	return doJSON[models.GroupMembership](ctx, s.client, groupMembershipRequest(boxUpdateGroupMembershipByID, groupMembershipID, opts).withBody(body), reqOpts)
}

// DeleteGroupMembershipByID removes a user from a group.
//
// Box API: DELETE /group_memberships/{group_membership_id}
func (s *MembershipsService) DeleteGroupMembershipByID(ctx context.Context, groupMembershipID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, groupMembershipRequest(boxDeleteGroupMembershipByID, groupMembershipID, nil), nil, reqOpts)
	return err
}

// groupMembershipRequest builds a request of op, one of the three
// operations on /group_memberships/{group_membership_id}.
func groupMembershipRequest(op *Operation, groupMembershipID string, opts *GroupMembershipOptions) *request {
	return op.request().
		withParams(idParam("groupMembershipID", groupMembershipID)).withQuery(opts)
}

// GetUsersOptions filters GET /users. The zero value lists every user of
// the enterprise, 100 per page.
type GetUsersOptions struct {
	// FilterTerm keeps the users whose name or login (their primary
	// email) starts with it. An external user is found only by their
	// whole login, and alone.
	FilterTerm string `url:"filter_term,omitempty"`
	// UserType keeps one kind of user; Box's default is all.
	UserType models.UserType `url:"user_type,omitempty"`
	// ExternalAppUserID keeps the app users created with that id.
	ExternalAppUserID string `url:"external_app_user_id,omitempty"`
	// Fields asks for these fields (sent as one comma-separated value);
	// Box then returns them plus the mini fields (id, type, name, login).
	Fields []string `url:"fields,comma,omitempty"`
	// Limit is the page size, 1 to 1000 (Box's default is 100).
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts, 0 to 9999.
	Offset int64 `url:"offset,omitempty"`
	// UseMarker pages by marker rather than by offset ("usemarker=true"):
	// the list then goes past the 10,000 users offsets reach, but Box
	// reports no total (Page.Total is -1), and Offset must be 0.
	UseMarker bool `url:"usemarker,omitempty"`
	// Marker, with UseMarker, starts the list where an earlier one left
	// off (a Page.NextCursor).
	Marker string `url:"marker,omitempty"`
}

func (o *GetUsersOptions) validate() error {
	if o == nil {
		return nil
	}
	var marker error
	switch {
	case o.UseMarker && o.Offset != 0:
		marker = &ValidationError{Param: "Offset", Reason: "cannot be used with UseMarker"}
	case o.Marker != "" && !o.UseMarker:
		marker = &ValidationError{Param: "Marker", Reason: "requires UseMarker"}
	}
	return firstError(checkBoxPaging(o.Limit, o.Offset), marker)
}

// GetUsers lists the users of the enterprise, offset by offset, or marker
// by marker with UseMarker. With FilterTerm set to an email it finds the
// user whose login that is, whose ID GetUserMemberships takes:
//
//	for u, err := range client.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: email}).All() {
//
// FilterTerm is a prefix match: compare Login to keep the exact user.
// Past offset 9,999 the pager yields ErrOffsetLimit; UseMarker lists
// every user.
//
// Box API: GET /users
func (s *MembershipsService) GetUsers(ctx context.Context, opts *GetUsersOptions, reqOpts ...RequestOption) *Pager[models.User] {
	r := boxGetUsers.request().withQuery(opts).check(opts.validate())
	if opts != nil && opts.UseMarker {
		return newBoxMarkerPager(ctx, s.client, r, reqOpts)
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, boxOffsetStyle, func(page *models.Users) offsetPage[models.User] {
		return offsetPage[models.User]{items: page.Entries, total: page.TotalCount, limit: page.Limit}
	})
}

// newBoxMarkerPager pages a Box list by marker: each page names the next
// (next_marker) until the last, which names none. Box reports no total.
func newBoxMarkerPager(ctx context.Context, c *Client, r *request, opts []RequestOption) *Pager[models.User] {
	fetch := func(ctx context.Context, pos position, opts []RequestOption) (*Page[models.User], *position, error) {
		req := pagedRequest(r, func(q url.Values) {
			if pos.cursor != "" {
				q.Set("marker", pos.cursor)
			}
		})
		var users models.Users
		resp, err := c.do(ctx, req, &users, opts)
		if err != nil {
			return nil, nil, err
		}
		next := users.NextMarker
		page := &Page[models.User]{Items: users.Entries, Total: -1, NextCursor: next, HasMore: next != "", Response: resp}
		switch {
		case next == "":
			return page, nil, nil
		case next == pos.cursor:
			// A server that names the same page again would loop forever.
			return page, &position{stop: fmt.Errorf("invitations: %s returned the same marker twice; stopping", r.api.Name())}, nil
		}
		return page, &position{cursor: next}, nil
	}
	return newPager(ctx, r, opts, position{cursor: r.query.Get("marker")}, fetch)
}

// GetGroupsOptions filters GET /groups. The zero value lists every group
// of the enterprise, 100 per page.
type GetGroupsOptions struct {
	// FilterTerm keeps the groups whose name starts with it.
	FilterTerm string `url:"filter_term,omitempty"`
	// Fields asks for these fields (sent as one comma-separated value);
	// Box then returns them plus the mini fields (id, type, name,
	// group_type).
	Fields []string `url:"fields,comma,omitempty"`
	// Limit is the page size, 1 to 1000 (Box's default is 100).
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts, 0 to 9999.
	Offset int64 `url:"offset,omitempty"`
}

// GetGroups lists the groups of the enterprise, offset by offset. With
// FilterTerm set to a group's name it finds the group, whose ID
// GetGroupMemberships and CreateGroupMembership take. FilterTerm is a
// prefix match: compare Name to keep the exact group. Past offset 9,999
// the pager yields ErrOffsetLimit.
//
// Box API: GET /groups
func (s *MembershipsService) GetGroups(ctx context.Context, opts *GetGroupsOptions, reqOpts ...RequestOption) *Pager[models.Group] {
	r := boxGetGroups.request().withQuery(opts)
	if opts != nil {
		r.check(checkBoxPaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, boxOffsetStyle, func(page *models.Groups) offsetPage[models.Group] {
		return offsetPage[models.Group]{items: page.Entries, total: page.TotalCount, limit: page.Limit}
	})
}

// BoxTokenURL issues Box access tokens, including by Client Credentials
// Grant.
const BoxTokenURL = "https://api.box.com/oauth2/token"

// WithBoxTokenSource takes Box access tokens from ts, refreshed as they
// expire: for example BoxClientCredentials, or an OAuth 2.0 or JWT flow.
func WithBoxTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Box, "WithBoxTokenSource", ts)
}

// BoxSubject says whose token a Box Client Credentials Grant returns.
type BoxSubject string

// Box CCG subject types.
const (
	// BoxSubjectEnterprise gets a token for the application's service
	// account in the enterprise named by the subject id.
	BoxSubjectEnterprise BoxSubject = "enterprise"
	// BoxSubjectUser gets a token for the user named by the subject id.
	BoxSubjectUser BoxSubject = "user"
)

// BoxClientCredentials returns a token source for Box's Client Credentials
// Grant: it posts grant_type=client_credentials with the app's client id
// and secret and box_subject_type/box_subject_id to tokenURL (BoxTokenURL
// when empty), form-encoded, and renews the token when it expires. ctx
// bounds the token requests, and its HTTP client (oauth2.HTTPClient) is used.
func BoxClientCredentials(ctx context.Context, clientID, clientSecret string, subject BoxSubject, subjectID, tokenURL string) (oauth2.TokenSource, error) {
	if err := firstError(
		checkRequired("clientID", clientID),
		checkRequired("clientSecret", clientSecret),
		checkRequired("subjectID", subjectID),
	); err != nil {
		return nil, err
	}
	if subject != BoxSubjectEnterprise && subject != BoxSubjectUser {
		return nil, &ValidationError{Param: "subject", Reason: `must be "enterprise" or "user"`}
	}
	u, err := tokenEndpoint("tokenURL", tokenURL, BoxTokenURL)
	if err != nil {
		return nil, err
	}
	cfg := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     u,
		AuthStyle:    oauth2.AuthStyleInParams, // Box reads the credentials from the form
		EndpointParams: url.Values{
			"box_subject_type": {string(subject)},
			"box_subject_id":   {subjectID},
		},
	}
	return cfg.TokenSource(ctx), nil
}
