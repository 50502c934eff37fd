package invitations

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations/models"
)

// FreestyleBaseURL is the production Freestyle API.
const FreestyleBaseURL = "https://api.freestyle.sh"

func freestyleAPI() apiConfig {
	return apiConfig{
		name:             "Freestyle",
		baseURL:          FreestyleBaseURL,
		baseURLOption:    "WithFreestyleBaseURL",
		credentialOption: "WithFreestyleAPIKey",
		decodeError:      decodeFreestyleError,
	}
}

// WithFreestyleAPIKey sets the Freestyle API key, sent as "Authorization: Bearer <key>".
func WithFreestyleAPIKey(key string) Option {
	return withStaticCredential(Freestyle, "WithFreestyleAPIKey", "Bearer", key)
}

// WithFreestyleBaseURL points the Identity service at another Freestyle API base.
func WithFreestyleBaseURL(baseURL string) Option {
	return withBaseURL(Freestyle, "WithFreestyleBaseURL", baseURL)
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
	r := newRequest(Freestyle, http.MethodGet, "identity/v1/identities", Idempotent).withQuery(opts)
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
	return doJSON[models.FreestyleIdentity](ctx, s.client, newRequest(Freestyle, http.MethodPost, "identity/v1/identities", Unsafe), reqOpts)
}

// identityRequest is a call on one identity's route; path starts with
// the identity's "{}".
func identityRequest(method, path string, class RetryClass, identityID string, more ...pathParam) *request {
	return newRequest(Freestyle, method, "identity/v1/identities/"+path, class).
		withParams(append([]pathParam{idParam("identityID", identityID)}, more...)...)
}

// DeleteIdentity deletes an identity and revokes every permission granted
// to it. Managed identities cannot be deleted (403).
//
// Freestyle API: DELETE /identity/v1/identities/{identity}
func (s *IdentityService) DeleteIdentity(ctx context.Context, identityID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, identityRequest(http.MethodDelete, "{}", Idempotent, identityID), nil, reqOpts)
	return err
}

// ListGitPermissions lists the repositories an identity can access, with
// its access level on each. The API reports no total: the list ends on a
// page shorter than opts.Limit, or on an empty page.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/git
func (s *IdentityService) ListGitPermissions(ctx context.Context, identityID string, opts *ListGitPermissionsOptions, reqOpts ...RequestOption) *Pager[models.AccessibleRepository] {
	r := identityRequest(http.MethodGet, "{}/permissions/git", Idempotent, identityID).withQuery(opts)
	if opts != nil {
		r.check(checkFreestylePaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, freestyleOffsetStyle, func(page *models.ListGitPermissionSuccess) offsetPage[models.AccessibleRepository] {
		// No total and no applied limit: the pager compares the page with
		// the limit asked for (or, without one, reads until an empty page).
		return offsetPage[models.AccessibleRepository]{items: page.Repositories, total: -1}
	})
}

// gitPermissionRequest is a call on an identity's permission on a repository.
func gitPermissionRequest(method string, class RetryClass, identityID, repoID string) *request {
	return identityRequest(method, "{}/permissions/git/{}", class, identityID, idParam("repoID", repoID))
}

// DescribeGitPermission returns an identity's access level on a
// repository; AccessLevel is nil when it has none.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) DescribeGitPermission(ctx context.Context, identityID, repoID string, reqOpts ...RequestOption) (*models.DescribeGitPermissionSuccess, error) {
	return doJSON[models.DescribeGitPermissionSuccess](ctx, s.client, gitPermissionRequest(http.MethodGet, Idempotent, identityID, repoID), reqOpts)
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
	r := gitPermissionRequest(http.MethodPost, Unsafe, identityID, repoID).withBody(body).
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
	r := gitPermissionRequest(http.MethodPut, Idempotent, identityID, repoID).withBody(body).
		check(checkRequired("permission", string(body.Permission)))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// RevokeGitPermission removes an identity's access to a repository.
//
// Freestyle API: DELETE /identity/v1/identities/{identity}/permissions/git/{repo}
func (s *IdentityService) RevokeGitPermission(ctx context.Context, identityID, repoID string, reqOpts ...RequestOption) error {
	_, err := s.client.do(ctx, gitPermissionRequest(http.MethodDelete, Idempotent, identityID, repoID), nil, reqOpts)
	return err
}

// ListVMPermissions lists the VM permissions granted to an identity, page
// by page until the reported total.
//
// Freestyle API: GET /identity/v1/identities/{identity}/permissions/vm
func (s *IdentityService) ListVMPermissions(ctx context.Context, identityID string, opts *ListVMPermissionsOptions, reqOpts ...RequestOption) *Pager[models.VMPermission] {
	r := identityRequest(http.MethodGet, "{}/permissions/vm", Idempotent, identityID).withQuery(opts)
	if opts != nil {
		r.check(checkFreestylePaging(opts.Limit, opts.Offset))
	}
	return newOffsetPager(ctx, s.client, r, reqOpts, freestyleOffsetStyle, func(page *models.ListVMPermissionsSuccess) offsetPage[models.VMPermission] {
		return offsetPage[models.VMPermission]{items: page.Permissions, total: page.Total, limit: int64(len(page.Permissions))}
	})
}

// vmPermissionRequest is a call on an identity's permission on a VM.
func vmPermissionRequest(method string, class RetryClass, identityID, vmID string) *request {
	return identityRequest(method, "{}/permissions/vm/{}", class, identityID, idParam("vmID", vmID))
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
	return doJSON[models.VMPermission](ctx, s.client, vmPermissionRequest(http.MethodGet, Idempotent, identityID, vmID), reqOpts)
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
	r := vmPermissionRequest(http.MethodPost, Unsafe, identityID, vmID).withBody(body).
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
	r := vmPermissionRequest(http.MethodPut, Idempotent, identityID, vmID).withBody(body)
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
	_, err := s.client.do(ctx, vmPermissionRequest(http.MethodDelete, Idempotent, identityID, vmID), nil, reqOpts)
	return err
}

// ListGitTokens lists an identity's access tokens: their ids only, never
// the secrets. The list is not paginated. An identity without tokens gives
// an empty, non-nil slice (it encodes as []), whether the server sends
// "tokens": [], "tokens": null or no "tokens" at all.
//
// Freestyle API: GET /identity/v1/identities/{identity}/tokens
func (s *IdentityService) ListGitTokens(ctx context.Context, identityID string, reqOpts ...RequestOption) ([]models.AccessTokenInfo, error) {
	out, err := doJSON[models.ListGitTokensSuccess](ctx, s.client, identityRequest(http.MethodGet, "{}/tokens", Idempotent, identityID).nullAsEmpty(), reqOpts)
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
	return doJSON[models.CreatedToken](ctx, s.client, identityRequest(http.MethodPost, "{}/tokens", Unsafe, identityID), reqOpts)
}

// RevokeGitToken revokes an identity's access token, named by its id (not
// the secret).
//
// Freestyle API: DELETE /identity/v1/identities/{identity}/tokens/{token}
func (s *IdentityService) RevokeGitToken(ctx context.Context, identityID, tokenID string, reqOpts ...RequestOption) error {
	r := identityRequest(http.MethodDelete, "{}/tokens/{}", Idempotent, identityID, idParam("tokenID", tokenID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}
