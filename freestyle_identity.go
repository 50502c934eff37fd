package invitations

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations/models"
	"golang.org/x/oauth2"
)

// FreestyleBaseURL is the production Freestyle API.
const FreestyleBaseURL = "https://api.freestyle.sh"

// freestyleVendor is what the SDK knows about Freestyle's API.
var freestyleVendor = vendor{
	VendorInfo: VendorInfo{
		API:              Freestyle,
		Name:             "Freestyle",
		DefaultBaseURL:   FreestyleBaseURL,
		BaseURLOption:    "WithFreestyleBaseURL",
		CredentialOption: "WithFreestyleAPIKey",
	},
	env: []envSetting{
		{EnvVar: EnvVar{Name: EnvFreestyleAPIKey}, credential: &freestyleAPIKey},
	},
	decodeError: decodeFreestyleError,
	operations:  freestyleOperations,
}

var freestyleAPIKey = credentialKind{option: "WithFreestyleAPIKey", scheme: "Bearer"}

// Freestyle's operations, the rows IdentityService builds its requests
// from.
var (
	freestyleListIdentities = &Operation{API: Freestyle, Service: "Identity", Method: "ListIdentities",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities", Retry: Idempotent, DocOperationID: "handle_list_identities"}
	freestyleCreateIdentity = &Operation{API: Freestyle, Service: "Identity", Method: "CreateIdentity",
		HTTPMethod: http.MethodPost, Path: "/identity/v1/identities", Retry: Unsafe, DocOperationID: "handle_create_identity"}
	freestyleDeleteIdentity = &Operation{API: Freestyle, Service: "Identity", Method: "DeleteIdentity",
		HTTPMethod: http.MethodDelete, Path: "/identity/v1/identities/{identity}", Retry: Idempotent, DocOperationID: "handle_delete_identity"}
	freestyleListGitPermissions = &Operation{API: Freestyle, Service: "Identity", Method: "ListGitPermissions",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities/{identity}/permissions/git", Retry: Idempotent, DocOperationID: "handle_list_git_permissions"}
	freestyleDescribeGitPermission = &Operation{API: Freestyle, Service: "Identity", Method: "DescribeGitPermission",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities/{identity}/permissions/git/{repo}", Retry: Idempotent, DocOperationID: "handle_describe_git_permission"}
	freestyleGrantGitPermission = &Operation{API: Freestyle, Service: "Identity", Method: "GrantGitPermission",
		HTTPMethod: http.MethodPost, Path: "/identity/v1/identities/{identity}/permissions/git/{repo}", Retry: Unsafe, DocOperationID: "handle_grant_git_permission"}
	freestyleUpdateGitPermission = &Operation{API: Freestyle, Service: "Identity", Method: "UpdateGitPermission",
		HTTPMethod: http.MethodPut, Path: "/identity/v1/identities/{identity}/permissions/git/{repo}", Retry: Idempotent, DocOperationID: "handle_update_git_permission"}
	freestyleRevokeGitPermission = &Operation{API: Freestyle, Service: "Identity", Method: "RevokeGitPermission",
		HTTPMethod: http.MethodDelete, Path: "/identity/v1/identities/{identity}/permissions/git/{repo}", Retry: Idempotent, DocOperationID: "handle_revoke_git_permission"}
	freestyleListVMPermissions = &Operation{API: Freestyle, Service: "Identity", Method: "ListVMPermissions",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities/{identity}/permissions/vm", Retry: Idempotent, DocOperationID: "handle_list_vm_permissions"}
	freestyleDescribeVMPermission = &Operation{API: Freestyle, Service: "Identity", Method: "DescribeVMPermission",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities/{identity}/permissions/vm/{vm_id}", Retry: Idempotent, DocOperationID: "handle_describe_vm_permission"}
	freestyleGrantVMPermission = &Operation{API: Freestyle, Service: "Identity", Method: "GrantVMPermission",
		HTTPMethod: http.MethodPost, Path: "/identity/v1/identities/{identity}/permissions/vm/{vm_id}", Retry: Unsafe, DocOperationID: "handle_grant_vm_permission"}
	freestyleUpdateAllowedUsers = &Operation{API: Freestyle, Service: "Identity", Method: "UpdateAllowedUsers",
		HTTPMethod: http.MethodPut, Path: "/identity/v1/identities/{identity}/permissions/vm/{vm_id}", Retry: Idempotent, DocOperationID: "handle_update_allowed_users"}
	freestyleRevokeVMPermission = &Operation{API: Freestyle, Service: "Identity", Method: "RevokeVMPermission",
		HTTPMethod: http.MethodDelete, Path: "/identity/v1/identities/{identity}/permissions/vm/{vm_id}", Retry: Idempotent, DocOperationID: "handle_revoke_vm_permission"}
	freestyleListGitTokens = &Operation{API: Freestyle, Service: "Identity", Method: "ListGitTokens",
		HTTPMethod: http.MethodGet, Path: "/identity/v1/identities/{identity}/tokens", Retry: Idempotent, DocOperationID: "handle_list_git_tokens"}
	freestyleCreateGitToken = &Operation{API: Freestyle, Service: "Identity", Method: "CreateGitToken",
		HTTPMethod: http.MethodPost, Path: "/identity/v1/identities/{identity}/tokens", Retry: Unsafe, DocOperationID: "handle_create_git_token"}
	freestyleRevokeGitToken = &Operation{API: Freestyle, Service: "Identity", Method: "RevokeGitToken",
		HTTPMethod: http.MethodDelete, Path: "/identity/v1/identities/{identity}/tokens/{token}", Retry: Idempotent, DocOperationID: "handle_revoke_git_token"}

	freestyleOperations = operationTable(freestyleListIdentities, freestyleCreateIdentity, freestyleDeleteIdentity, freestyleListGitPermissions, freestyleDescribeGitPermission, freestyleGrantGitPermission, freestyleUpdateGitPermission, freestyleRevokeGitPermission, freestyleListVMPermissions, freestyleDescribeVMPermission, freestyleGrantVMPermission, freestyleUpdateAllowedUsers, freestyleRevokeVMPermission, freestyleListGitTokens, freestyleCreateGitToken, freestyleRevokeGitToken)
)

// WithFreestyleAPIKey sets the Freestyle API key, sent as "Authorization: Bearer <key>".
func WithFreestyleAPIKey(key string) Option {
	return withStaticCredential(Freestyle, freestyleAPIKey, key)
}

// WithFreestyleBaseURL points the Identity service at another Freestyle API base.
func WithFreestyleBaseURL(baseURL string) Option {
	return withBaseURL(Freestyle, baseURL)
}

// decodeFreestyleError reads the error bodies Freestyle is known to send:
// {"code": "IDENTITY_NOT_FOUND", "message": "..."} (its TypeScript SDK;
// some bodies carry a numeric code such as 400, kept as "400"),
// {"error": "IDENTITY_NOT_FOUND", "message": "..."} (its current OpenAPI
// document, for its other APIs), {"message": "..."} (the older document)
// and a bare JSON string (its InternalServerError schema). Fields beside
// those are kept in Details. Anything else is left to the core, which
// keeps the raw body and a short text message.
func decodeFreestyleError(e *APIError, body []byte) {
	var text string
	if decodeLenientJSON(body, &text) {
		e.Message = text
		return
	}
	var fields map[string]json.RawMessage
	if !decodeLenientJSON(body, &fields) {
		return
	}
	str := func(key string) string {
		var s string
		if raw, ok := fields[key]; ok && json.Unmarshal(raw, &s) == nil {
			delete(fields, key)
			return s
		}
		return ""
	}
	e.Code = str("code")
	if raw, ok := fields["code"]; ok && e.Code == "" {
		// Freestyle's generated per-operation error types declare code
		// as a number: keep its decimal text.
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			e.Code = n.String()
			delete(fields, "code")
		}
	}
	e.Message = str("message")
	if errField := str("error"); errField != "" {
		switch {
		case e.Code == "" && !strings.ContainsAny(errField, " \t\n"):
			e.Code = errField // a machine code such as IDENTITY_NOT_FOUND
		case e.Message == "":
			e.Message = errField // a sentence: {"error": "Identity not found"}
		}
	}
	known := e.Code != "" || e.Message != ""
	if known && len(fields) > 0 {
		if extra, err := json.Marshal(fields); err == nil {
			e.Details = extra
		}
	}
}

// IdentityService calls the Freestyle identities, git tokens and git and VM permissions endpoints.
type IdentityService struct {
	client *Client
}

// ListIdentitiesOptions filters GET /identity/v1/identities. Zero fields
// are not sent.
type ListIdentitiesOptions struct {
	// Limit is the page size; 0 leaves the server default.
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts.
	Offset int64 `url:"offset,omitempty"`
	// IncludeManaged, when true, lists the identities Freestyle manages
	// too; nil leaves the server default.
	IncludeManaged *bool `url:"includeManaged,omitempty"`
}

// ListGitPermissionsOptions pages GET
// /identity/v1/identities/{identity}/permissions/git. That list reports no
// total: it ends on a page shorter than Limit, so set Limit when a
// short page must be told apart from the server's default page size (with
// no Limit the pager reads until an empty page).
type ListGitPermissionsOptions struct {
	// Limit is the maximum number of repositories per page; 0 leaves the
	// server default.
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts.
	Offset int64 `url:"offset,omitempty"`
}

// ListVMPermissionsOptions pages GET
// /identity/v1/identities/{identity}/permissions/vm.
type ListVMPermissionsOptions struct {
	// Limit is the page size; 0 leaves the server default.
	Limit int64 `url:"limit,omitempty"`
	// Offset is where the listing starts.
	Offset int64 `url:"offset,omitempty"`
}

// checkFreestylePaging enforces the documented minimum of 0; no maximum is
// documented.
func checkFreestylePaging(limit, offset int64) error {
	return firstError(
		checkRange("Limit", limit, 0, math.MaxInt64),
		checkRange("Offset", offset, 0, math.MaxInt64),
	)
}

// freestyleOffsetStyle names Freestyle's paging parameters; the API
// documents no largest offset.
var freestyleOffsetStyle = offsetStyle{limitKey: "limit", offsetKey: "offset"}

// ListIdentities lists the identities created by the account, page by
// page until the reported total.
//
// Freestyle API: GET /identity/v1/identities
func (s *IdentityService) ListIdentities(ctx context.Context, opts *ListIdentitiesOptions, reqOpts ...RequestOption) *Pager[models.FreestyleIdentity] {
	r := freestyleListIdentities.request().withQuery(opts)
	if opts != nil {
		r.check(checkFreestylePaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, freestyleOffsetStyle, func(page *models.ListIdentitiesSuccess) offsetPage[models.FreestyleIdentity] {
		// The next page starts after the items received, whatever limit
		// the server applied.
		return offsetPage[models.FreestyleIdentity]{items: page.Identities, total: page.Total, limit: int64(len(page.Identities))}
	})
}

// CreateIdentity creates an identity, which can then be given access
// tokens and git and VM permissions. It is not retried after a server
// error, so that no identity is created twice.
//
// Freestyle API: POST /identity/v1/identities
func (s *IdentityService) CreateIdentity(ctx context.Context, reqOpts ...RequestOption) (*models.FreestyleIdentity, error) {
	return doJSON[models.FreestyleIdentity](ctx, s.client, freestyleCreateIdentity.request(), reqOpts)
}

// identityRequest is a call of op on one identity's route, whose first
// parameter is the identity.
func identityRequest(op *Operation, identityID string, more ...pathParam) *request {
	return op.request().
		withParams(append([]pathParam{idParam("identityID", identityID)}, more...)...)
}

// DeleteIdentity deletes an identity and revokes every permission granted
// to it. Managed identities cannot be deleted (403).
//
// Freestyle API: DELETE /identity/v1/identities/{identity}
func (s *IdentityService) DeleteIdentity(ctx context.Context, identityID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, identityRequest(freestyleDeleteIdentity, identityID), nil, reqOpts)
	return err
}

// ListGitPermissions lists the repositories an identity can access, with
// its access level on each. The API reports no total: the list ends on a
// page shorter than opts.Limit, or on an empty page.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/git
func (s *IdentityService) ListGitPermissions(ctx context.Context, identityID string, opts *ListGitPermissionsOptions, reqOpts ...RequestOption) *Pager[models.AccessibleRepository] {
	r := identityRequest(freestyleListGitPermissions, identityID).withQuery(opts)
	if opts != nil {
		r.check(checkFreestylePaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, freestyleOffsetStyle, func(page *models.ListGitPermissionSuccess) offsetPage[models.AccessibleRepository] {
		// No total and no applied limit: the pager compares the page with
		// the limit asked for (or, without one, reads until an empty page).
		return offsetPage[models.AccessibleRepository]{items: page.Repositories, total: -1}
	})
}

// gitPermissionRequest is a call of op on an identity's permission on a
// repository.
func gitPermissionRequest(op *Operation, identityID, repoID string) *request {
	return identityRequest(op, identityID, idParam("repoID", repoID))
}

// DescribeGitPermission returns an identity's access level on a
// repository; AccessLevel is nil when it has none.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) DescribeGitPermission(ctx context.Context, identityID, repoID string, reqOpts ...RequestOption) (*models.DescribeGitPermissionSuccess, error) {
	return doJSON[models.DescribeGitPermissionSuccess](ctx, s.client, gitPermissionRequest(freestyleDescribeGitPermission, identityID, repoID), reqOpts)
}

// GrantGitPermission grants an identity read or write access to a
// repository. It is not retried after a server error; granting an
// existing permission again is answered 409 (errors.Is(err, ErrConflict)).
//
// Freestyle API: POST /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) GrantGitPermission(ctx context.Context, identityID, repoID string, body *models.GrantGitPermissionRequest, reqOpts ...RequestOption) error {
	if body == nil {
		return &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitPermissionRequest(freestyleGrantGitPermission, identityID, repoID).withBody(body).
		check(checkRequired("permission", string(body.Permission)))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// UpdateGitPermission changes an identity's access level on a repository.
//
// Freestyle API: PUT /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) UpdateGitPermission(ctx context.Context, identityID, repoID string, body *models.UpdateGitPermissionRequest, reqOpts ...RequestOption) error {
	if body == nil {
		return &ValidationError{Param: "body", Reason: "is required"}
	}
	r := gitPermissionRequest(freestyleUpdateGitPermission, identityID, repoID).withBody(body).
		check(checkRequired("permission", string(body.Permission)))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// RevokeGitPermission removes an identity's access to a repository.
//
// Freestyle API: DELETE /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) RevokeGitPermission(ctx context.Context, identityID, repoID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, gitPermissionRequest(freestyleRevokeGitPermission, identityID, repoID), nil, reqOpts)
	return err
}

// ListVMPermissions lists the VM permissions granted to an identity, page
// by page until the reported total.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/vm
func (s *IdentityService) ListVMPermissions(ctx context.Context, identityID string, opts *ListVMPermissionsOptions, reqOpts ...RequestOption) *Pager[models.VMPermission] {
	r := identityRequest(freestyleListVMPermissions, identityID).withQuery(opts)
	if opts != nil {
		r.check(checkFreestylePaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, freestyleOffsetStyle, func(page *models.ListVMPermissionsSuccess) offsetPage[models.VMPermission] {
		return offsetPage[models.VMPermission]{items: page.Permissions, total: page.Total, limit: int64(len(page.Permissions))}
	})
}

// vmPermissionRequest is a call of op on an identity's permission on a VM.
func vmPermissionRequest(op *Operation, identityID, vmID string) *request {
	return identityRequest(op, identityID, idParam("vmID", vmID))
}

// checkAllowedUsers rejects blank Linux user names in a list.
func checkAllowedUsers(allowed models.Nullable[[]string]) error {
	users, _ := allowed.Get()
	for i, u := range users {
		if err := checkRequired("allowedUsers["+strconv.Itoa(i)+"]", u); err != nil {
			return err
		}
	}
	return nil
}

// DescribeVMPermission returns an identity's permission on a VM; a VM the
// identity has no permission on is answered 404 (errors.Is(err, ErrNotFound)).
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/vm/{vm_id}
func (s *IdentityService) DescribeVMPermission(ctx context.Context, identityID, vmID string, reqOpts ...RequestOption) (*models.VMPermission, error) {
	return doJSON[models.VMPermission](ctx, s.client, vmPermissionRequest(freestyleDescribeVMPermission, identityID, vmID), reqOpts)
}

// GrantVMPermission grants an identity access to a VM, including SSH, and
// returns the permission. body may be nil: the API then allows the
// identity to act as any Linux user, as does body.AllowedUsers left absent
// or set to models.Null; set it to a list to restrict it. It is not
// retried after a server error.
//
// Freestyle API: POST /identity/v1/identities/{identity}/permissions/vm/{vm_id}
func (s *IdentityService) GrantVMPermission(ctx context.Context, identityID, vmID string, body *models.GrantVMPermissionRequest, reqOpts ...RequestOption) (*models.VMPermission, error) {
	if body == nil {
		body = &models.GrantVMPermissionRequest{} // the API requires a body, even {}
	}
	r := vmPermissionRequest(freestyleGrantVMPermission, identityID, vmID).withBody(body).
		check(checkAllowedUsers(body.AllowedUsers))
	return doJSON[models.VMPermission](ctx, s.client, r, reqOpts)
}

// UpdateAllowedUsers sets the Linux users an identity may act and SSH as
// on a VM, and returns the updated permission. body.AllowedUsers is
// required, so that the intent is explicit: models.Null allows every user
// (sent as {"allowedUsers": null}); a list allows only those users.
//
// Freestyle API: PUT /identity/v1/identities/{identity}/permissions/vm/{vm_id}
func (s *IdentityService) UpdateAllowedUsers(ctx context.Context, identityID, vmID string, body *models.UpdateAllowedUsersRequest, reqOpts ...RequestOption) (*models.VMPermission, error) {
	if body == nil {
		return nil, &ValidationError{Param: "body", Reason: "is required"}
	}
	r := vmPermissionRequest(freestyleUpdateAllowedUsers, identityID, vmID).withBody(body)
	if body.AllowedUsers.IsZero() {
		r.check(&ValidationError{Param: "allowedUsers", Reason: "is required: models.Null to allow every user, or a list of users"})
	}
	r.check(checkAllowedUsers(body.AllowedUsers))
	return doJSON[models.VMPermission](ctx, s.client, r, reqOpts)
}

// RevokeVMPermission removes an identity's permission on a VM.
//
// Freestyle API: DELETE /identity/v1/identities/{identity}/permissions/vm/{vm_id}
func (s *IdentityService) RevokeVMPermission(ctx context.Context, identityID, vmID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, vmPermissionRequest(freestyleRevokeVMPermission, identityID, vmID), nil, reqOpts)
	return err
}

// ListGitTokens lists an identity's access tokens: their ids only, never
// the secrets. The list is not paginated. An identity without tokens gives
// an empty, non-nil slice (it encodes as []), whether the server sends
// "tokens": [], "tokens": null or no "tokens" at all.
//
// Freestyle API: GET /identity/v1/identities/{identity}/tokens
func (s *IdentityService) ListGitTokens(ctx context.Context, identityID string, reqOpts ...RequestOption) ([]models.AccessTokenInfo, error) {
	out, err := doJSON[models.ListGitTokensSuccess](ctx, s.client, identityRequest(freestyleListGitTokens, identityID).nullAsEmpty(), reqOpts)
	if err != nil {
		return nil, err
	}
	if out.Tokens == nil {
		return []models.AccessTokenInfo{}, nil
	}
	return out.Tokens, nil
}

// CreateGitToken creates an access token for an identity. The secret,
// Token, is returned by this call only: store it with Token.Reveal(). It
// prints and logs as "[REDACTED]". The call is not retried after a server
// error, so that no second token is created unseen.
//
// Freestyle API: POST /identity/v1/identities/{identity}/tokens
func (s *IdentityService) CreateGitToken(ctx context.Context, identityID string, reqOpts ...RequestOption) (*models.CreatedToken, error) {
	return doJSON[models.CreatedToken](ctx, s.client, identityRequest(freestyleCreateGitToken, identityID), reqOpts)
}

// RevokeGitToken revokes an identity's access token, named by its id (not
// the secret).
//
// Freestyle API: DELETE /identity/v1/identities/{identity}/tokens/{token}
func (s *IdentityService) RevokeGitToken(ctx context.Context, identityID, tokenID string, reqOpts ...RequestOption) error {
	r := identityRequest(freestyleRevokeGitToken, identityID, idParam("tokenID", tokenID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// WithFreestyleTokenSource takes Freestyle bearer credentials from ts.
func WithFreestyleTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Freestyle, "WithFreestyleTokenSource", ts)
}
