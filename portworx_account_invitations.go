package invitations

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"

	"github.com/invitesdk/invitations/models"
	"golang.org/x/oauth2"
)

// portworxVendor is what the SDK knows about the Portworx REST gateway.
// Portworx has no public base URL: each installation serves its own.
var portworxVendor = vendor{
	VendorInfo: VendorInfo{
		API:              Portworx,
		Name:             "Portworx",
		BaseURLOption:    "WithPortworxBaseURL",
		CredentialOption: "WithPortworxAccessToken",
	},
	env: []envSetting{
		{EnvVar: EnvVar{Name: EnvPortworxCentralURL}},
		{EnvVar: EnvVar{Name: EnvPortworxAccessToken}, credential: &portworxAccessToken},
	},
	decodeError: decodePortworxError,
	operations:  slices.Concat(portworxOperations, portworxIAMOperations),
}

var portworxAccessToken = credentialKind{option: "WithPortworxAccessToken", scheme: "Bearer"}

// Portworx's operations, the rows AccountInvitationsService builds its
// requests from. NotifyUser is a GET that sends an email: Unsafe.
var (
	portworxCreateInvitation = &Operation{API: Portworx, Service: "AccountInvitations", Method: "CreateInvitation",
		HTTPMethod: http.MethodPost, Path: "/core/v1/invite", Retry: Unsafe, DocOperationID: "InvitationService_CreateInvitation"}
	portworxListInvitations = &Operation{API: Portworx, Service: "AccountInvitations", Method: "ListInvitations",
		HTTPMethod: http.MethodGet, Path: "/core/v1/invite", Retry: Idempotent, DocOperationID: "InvitationService_ListInvitations"}
	portworxDeleteInvitation = &Operation{API: Portworx, Service: "AccountInvitations", Method: "DeleteInvitation",
		HTTPMethod: http.MethodDelete, Path: "/core/v1/invite/{uid}", Retry: Idempotent, DocOperationID: "InvitationService_DeleteInvitation"}
	portworxGetInvitation = &Operation{API: Portworx, Service: "AccountInvitations", Method: "GetInvitation",
		HTTPMethod: http.MethodGet, Path: "/core/v1/invite/{uid}", Retry: Idempotent, DocOperationID: "InvitationService_GetInvitation"}
	portworxAcceptInvitation = &Operation{API: Portworx, Service: "AccountInvitations", Method: "AcceptInvitation",
		HTTPMethod: http.MethodPost, Path: "/core/v1/invite:accept", Retry: Unsafe, DocOperationID: "InvitationService_AcceptInvitation"}
	portworxNotifyUser = &Operation{API: Portworx, Service: "AccountInvitations", Method: "NotifyUser",
		HTTPMethod: http.MethodGet, Path: "/core/v1/invite/{uid}:notify", Retry: Unsafe, DocOperationID: "InvitationService_NotifyUser"}

	portworxOperations = operationTable(portworxCreateInvitation, portworxListInvitations, portworxDeleteInvitation, portworxGetInvitation, portworxAcceptInvitation, portworxNotifyUser)
)

// WithPortworxAccessToken sets the Portworx access token, sent as
// "Authorization: Bearer <token>".
func WithPortworxAccessToken(token string) Option {
	return withStaticCredential(Portworx, portworxAccessToken, token)
}

// WithPortworxBaseURL sets the Portworx REST gateway base URL. Portworx has
// no public default: it is required to use AccountInvitations.
func WithPortworxBaseURL(baseURL string) Option {
	return withBaseURL(Portworx, baseURL)
}

// portworxAccountHeader carries the caller's account context on every
// Portworx call, next to the bearer token, as Portworx's own clients send it.
const portworxAccountHeader = "px-account-id"

// WithPortworxAccountID sends the account UID in the "px-account-id" header
// on every Portworx request, which gives the call its account context. A
// single call can use another account with WithHeader("px-account-id", id).
func WithPortworxAccountID(id string) Option {
	return func(c *config) error {
		if err := checkRequired("WithPortworxAccountID", id); err != nil {
			return err
		}
		if !validHeaderValue(id) {
			return &ValidationError{Param: "WithPortworxAccountID", Reason: "must be printable ASCII"}
		}
		api := c.api(Portworx)
		h := api.header.Clone() // never write into a header map shared with another config
		if h == nil {
			h = http.Header{}
		}
		h.Set(portworxAccountHeader, id)
		api.header = h
		return nil
	}
}

// portworxCodeNames are the names of the gRPC status codes, indexed by number.
var portworxCodeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// portworxCodeName returns the name of a gRPC code number, or the number in
// decimal when it is not a known code.
func portworxCodeName(code int64) string {
	if code >= 0 && code < int64(len(portworxCodeNames)) {
		return portworxCodeNames[code]
	}
	return strconv.FormatInt(code, 10)
}

// portworxStatus is a google.rpc.Status as the gateway writes it:
// {"code": 5, "message": "...", "details": [...]}. Older gateways also
// sent the message as "error".
type portworxStatus struct {
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Error   string          `json:"error"`
	Details json.RawMessage `json:"details"`
}

// decodePortworxError fills e from a google.rpc.Status body: Code becomes
// the gRPC code name ("NOT_FOUND"), Message the status message and Details
// the raw details array (nil when it is absent or empty). Bodies that are
// not JSON (a proxy's page) are left to the core's text fallback.
func decodePortworxError(e *APIError, body []byte) {
	var st portworxStatus
	if !decodeLenientJSON(body, &st) {
		return
	}
	if code := bytes.TrimSpace(st.Code); len(code) > 0 && !bytes.Equal(code, []byte("null")) {
		var n json.Number
		var name string
		switch {
		case json.Unmarshal(code, &n) == nil:
			if v, err := n.Int64(); err == nil {
				e.Code = portworxCodeName(v)
			} else if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				e.Code = portworxCodeName(int64(f)) // 5.0 is still NOT_FOUND
			} else {
				e.Code = n.String()
			}
		case json.Unmarshal(code, &name) == nil:
			e.Code = name // a gateway that writes the name itself
		}
	}
	e.Message = st.Message
	if e.Message == "" {
		e.Message = st.Error
	}
	if d := bytes.TrimSpace(st.Details); len(d) > 0 && !bytes.Equal(d, []byte("null")) && !portworxEmptyArray(d) {
		e.Details = json.RawMessage(d)
	}
}

// portworxEmptyArray reports whether d is [] (with any inner whitespace).
func portworxEmptyArray(d []byte) bool {
	var list []json.RawMessage
	return json.Unmarshal(d, &list) == nil && len(list) == 0
}

// AccountInvitationsService calls the Portworx account, tenant and project invitations endpoints.
type AccountInvitationsService struct {
	client *Client
}

// CreateInvitation invites a user to an account, a tenant (organization) or
// a project with the roles in its access policy, and returns the created
// invitation; Portworx emails the invitee. Exactly one of
// Config.AccountID, Config.TenantID and Config.ProjectID must be set.
// Output-only fields (status, uid, times, parent reference, resource
// names) are not sent. It is not retried after a server error, so that
// nobody is invited twice.
//
// Portworx API: POST /core/v1/invite
func (s *AccountInvitationsService) CreateInvitation(ctx context.Context, invitation *models.PortworxInvitation, reqOpts ...RequestOption) (*models.PortworxInvitation, error) {
	if err := checkPortworxInvitation(invitation); err != nil {
		return nil, err
	}
	body := &models.PortworxCreateInvitationRequest{Invitation: &models.PortworxInvitation{Config: invitation.Config}}
	if m := invitation.Meta; m != nil && (m.Name != "" || m.Description != "" || len(m.Labels) > 0 || len(m.Annotations) > 0) {
		body.Invitation.Meta = &models.PortworxMeta{Name: m.Name, Description: m.Description, Labels: m.Labels, Annotations: m.Annotations}
	}
	r := portworxCreateInvitation.request().withBody(body)
	return doJSON[models.PortworxInvitation](ctx, s.client, r, reqOpts)
}

// checkPortworxInvitation checks what the server cannot be trusted to
// reject: the gateway silently accepts a missing email, and two scopes are
// a 400 only after the request was sent.
func checkPortworxInvitation(inv *models.PortworxInvitation) error {
	if inv == nil {
		return &ValidationError{Param: "invitation", Reason: "is required"}
	}
	cfg := inv.Config
	if cfg == nil {
		return &ValidationError{Param: "invitation.config", Reason: "is required"}
	}
	if err := checkEmail("invitation.config.userEmail", cfg.UserEmail); err != nil {
		return err
	}
	scopes := []struct{ name, value string }{
		{"invitation.config.accountId", cfg.AccountID},
		{"invitation.config.tenantId", cfg.TenantID},
		{"invitation.config.projectId", cfg.ProjectID},
	}
	set := ""
	for _, sc := range scopes {
		if sc.value == "" {
			continue
		}
		if set != "" {
			return &ValidationError{Param: sc.name, Reason: "cannot be set together with " + set + ": set exactly one of accountId, tenantId or projectId"}
		}
		if err := checkRequired(sc.name, sc.value); err != nil {
			return err
		}
		set = sc.name
	}
	if set == "" {
		return &ValidationError{Param: "invitation.config.accountId|tenantId|projectId", Reason: "exactly one must be set"}
	}
	return nil
}

// PortworxDefaultPageSize is the page size ListInvitations sends when the
// caller sets none: the size Portworx's own clients page with
// (NewPaginationRequest(1, 50)). What the gateway does with a page number
// and no page size (proto3 reads it as 0) is undocumented, so both are
// always sent.
const PortworxDefaultPageSize = 50

// ListAccountInvitationsOptions pages GET /core/v1/invite. The zero value
// starts at page 1 with PortworxDefaultPageSize invitations per page.
type ListAccountInvitationsOptions struct {
	// ProjectUID narrows the list to one project of the tenant.
	ProjectUID string `url:"projectUid,omitempty"`
	// PageNumber is the first page to fetch; pages are numbered from 1.
	PageNumber int64 `url:"pagination.pageNumber,omitempty"`
	// PageSize is the number of invitations per page; 0 sends
	// PortworxDefaultPageSize.
	PageSize int64 `url:"pagination.pageSize,omitempty"`
}

// listAccountInvitationsQuery is the whole query of ListInvitations.
type listAccountInvitationsQuery struct {
	TenantUID string `url:"tenantUid"`
	ListAccountInvitationsOptions
}

// ListInvitations lists the invitations of a tenant (organization),
// following the page numbers the server returns until nextPage is -1.
// tenantUID is required.
//
// Portworx API: GET /core/v1/invite
func (s *AccountInvitationsService) ListInvitations(ctx context.Context, tenantUID string, opts *ListAccountInvitationsOptions, reqOpts ...RequestOption) *Pager[models.PortworxInvitation] {
	q := listAccountInvitationsQuery{TenantUID: tenantUID}
	if opts != nil {
		q.ListAccountInvitationsOptions = *opts
	}
	pageSize := q.PageSize
	if pageSize == 0 {
		q.PageSize = PortworxDefaultPageSize
	}
	r := portworxListInvitations.request().withQuery(&q).check(
		checkRequired("tenantUID", tenantUID),
		checkPortworxNotNegative("PageNumber", q.PageNumber),
		checkPortworxNotNegative("PageSize", pageSize),
	)
	return newPageNumberPager(ctx, s.client, r, reqOpts, "pagination.pageNumber", 1,
		func(resp *models.PortworxListInvitationsResponse) numberedPage[models.PortworxInvitation] {
			return portworxPage(resp.Invitations, resp.Pagination)
		})
}

// portworxPage is one page of a Portworx list: its items, and the next
// page number and total the gateway's pagination gives. A next page that
// is not after the current one, or that follows an empty page, would
// loop: the list stops there.
func portworxPage[T any](items []T, p *models.PortworxPageInfo) numberedPage[T] {
	page := numberedPage[T]{items: items, total: -1}
	if p != nil {
		page.total = int64(p.TotalRecords)
		page.nextPage = int64(p.NextPage)
		if p.CurrentPage > 0 && p.NextPage <= p.CurrentPage {
			page.nextPage = -1
		}
	}
	if len(items) == 0 {
		page.nextPage = -1
	}
	return page
}

// checkPortworxNotNegative allows zero (the server default) and positive values.
func checkPortworxNotNegative(param string, v int64) error {
	if v < 0 {
		return &ValidationError{Param: param, Reason: "must not be negative"}
	}
	return nil
}

// DeleteAccountInvitationOptions are the query options of DeleteInvitation.
type DeleteAccountInvitationOptions struct {
	// ProjectID, when set, deletes the invitation for that project only.
	ProjectID string `url:"projectId,omitempty"`
}

// DeleteInvitation deletes an invitation, or with opts.ProjectID only its
// part for that project.
//
// Portworx API: DELETE /core/v1/invite/{uid}
func (s *AccountInvitationsService) DeleteInvitation(ctx context.Context, uid string, opts *DeleteAccountInvitationOptions, reqOpts ...RequestOption) error {
	r := portworxDeleteInvitation.request().withParams(idParam("uid", uid)).withQuery(opts)
	if opts != nil && opts.ProjectID != "" {
		r.check(checkRequired("ProjectID", opts.ProjectID))
	}
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetInvitation returns one invitation.
//
// Portworx API: GET /core/v1/invite/{uid}
func (s *AccountInvitationsService) GetInvitation(ctx context.Context, uid string, reqOpts ...RequestOption) (*models.PortworxInvitation, error) {
	r := portworxGetInvitation.request().withParams(idParam("uid", uid))
	return doJSON[models.PortworxInvitation](ctx, s.client, r, reqOpts)
}

// AcceptInvitation accepts the caller's pending invitations in an account.
// Call it with the invitee's token, on a Client derived for them:
// client.With(WithPortworxAccessToken(inviteeToken)). accountID travels in
// the body because an invitee has no account context yet. It is not
// retried after a server error.
//
// Portworx API: POST /core/v1/invite:accept
func (s *AccountInvitationsService) AcceptInvitation(ctx context.Context, accountID string, reqOpts ...RequestOption) (*models.PortworxAcceptInvitationResponse, error) {
	r := portworxAcceptInvitation.request().
		withBody(&models.PortworxAcceptInvitationRequest{AccountID: accountID}).
		check(checkRequired("accountID", accountID))
	return doJSON[models.PortworxAcceptInvitationResponse](ctx, s.client, r, reqOpts)
}

// NotifyUser emails the invitation to its invitee again. Although the
// route is a GET, it sends an email, so it is not retried after a server
// error.
//
// Portworx API: GET /core/v1/invite/{uid}:notify
func (s *AccountInvitationsService) NotifyUser(ctx context.Context, uid string, reqOpts ...RequestOption) error {
	// Path parameters escape ":", so only the literal ":notify" is the verb.
	r := portworxNotifyUser.request().withParams(idParam("uid", uid))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// WithPortworxTokenSource takes Portworx access tokens from ts, refreshed
// as they expire (for example an OIDC flow against PX-Central's issuer).
func WithPortworxTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Portworx, "WithPortworxTokenSource", ts)
}
