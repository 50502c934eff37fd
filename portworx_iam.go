package invitations

import (
	"context"
	"net/http"
	"strconv"

	"github.com/invitesdk/invitations/models"
)

// Portworx's IAM operations, the rows IAMService builds its requests from.
// GrantIAM adds roles and is not repeated after a failure of unknown
// effect; RevokeIAM removes roles, which a second time changes nothing.
var (
	portworxListIAM = &Operation{API: Portworx, Service: "IAM", Method: "ListIAM",
		HTTPMethod: http.MethodGet, Path: "/core/v1/iam", Retry: Idempotent, DocOperationID: "IAMService_ListIAM"}
	portworxCreateIAM = &Operation{API: Portworx, Service: "IAM", Method: "CreateIAM",
		HTTPMethod: http.MethodPost, Path: "/core/v1/iam", Retry: Unsafe, DocOperationID: "IAMService_CreateIAM"}
	portworxGetIAM = &Operation{API: Portworx, Service: "IAM", Method: "GetIAM",
		HTTPMethod: http.MethodGet, Path: "/core/v1/iam/{actorId}", Retry: Idempotent, DocOperationID: "IAMService_GetIAM"}
	portworxDeleteIAM = &Operation{API: Portworx, Service: "IAM", Method: "DeleteIAM",
		HTTPMethod: http.MethodDelete, Path: "/core/v1/iam/{actorId}", Retry: Idempotent, DocOperationID: "IAMService_DeleteIAM"}
	portworxGrantIAM = &Operation{API: Portworx, Service: "IAM", Method: "GrantIAM",
		HTTPMethod: http.MethodPost, Path: "/core/v1/iam/{actorId}:grant", Retry: Unsafe, DocOperationID: "IAMService_GrantIAM"}
	portworxRevokeIAM = &Operation{API: Portworx, Service: "IAM", Method: "RevokeIAM",
		HTTPMethod: http.MethodPost, Path: "/core/v1/iam/{actorId}:revoke", Retry: Idempotent, DocOperationID: "IAMService_RevokeIAM"}

	portworxIAMOperations = operationTable(portworxListIAM, portworxCreateIAM, portworxGetIAM, portworxDeleteIAM, portworxGrantIAM, portworxRevokeIAM)
)

// IAMService calls the Portworx IAM role-binding RPCs: which roles each
// user or service account (actor) holds on the account, its tenants
// (organizations), projects and namespaces. It uses the Portworx base URL
// and token (WithPortworxBaseURL, WithPortworxAccessToken) and sends the
// account context of WithPortworxAccountID.
type IAMService struct {
	client *Client
}

// ListIAMOptions filters and pages GET /core/v1/iam. The zero value lists
// every role binding of the tenant from page 1, PortworxDefaultPageSize
// per page, in the server's order.
type ListIAMOptions struct {
	// ActorID narrows the list to one user or service account.
	ActorID string `url:"actorId,omitempty"`
	// ProjectUID narrows the list to one project of the tenant.
	ProjectUID string `url:"projectUid,omitempty"`
	// SortBy sorts the list (models.PortworxIAMSortByEmail).
	SortBy models.PortworxIAMSortBy `url:"sort.sortBy,omitempty"`
	// SortOrder is ascending unless set to models.PortworxSortOrderDesc.
	SortOrder models.PortworxSortOrder `url:"sort.sortOrder,omitempty"`
	// PageNumber is the first page to fetch; pages are numbered from 1.
	PageNumber int64 `url:"pagination.pageNumber,omitempty"`
	// PageSize is the number of role bindings per page; 0 sends
	// PortworxDefaultPageSize.
	PageSize int64 `url:"pagination.pageSize,omitempty"`
}

// listIAMQuery is the whole query of ListIAM. The deprecated accountId,
// tenantId and projectId filters are left out: tenantUid and projectUid
// replace them.
type listIAMQuery struct {
	TenantUID string `url:"tenantUid"`
	ListIAMOptions
}

// ListIAM lists the role bindings of a tenant (organization), one IAM per
// actor, following the page numbers the server returns until nextPage is
// -1. tenantUID is required.
//
// Portworx API: GET /core/v1/iam
func (s *IAMService) ListIAM(ctx context.Context, tenantUID string, opts *ListIAMOptions, reqOpts ...RequestOption) *Pager[models.PortworxIAM] {
	q := listIAMQuery{TenantUID: tenantUID}
	if opts != nil {
		q.ListIAMOptions = *opts
	}
	pageSize := q.PageSize
	if pageSize == 0 {
		q.PageSize = PortworxDefaultPageSize
	}
	r := portworxListIAM.request().withQuery(&q).check(
		checkRequired("tenantUID", tenantUID),
		checkPortworxOptional("ActorID", q.ActorID),
		checkPortworxOptional("ProjectUID", q.ProjectUID),
		checkPortworxNotNegative("PageNumber", q.PageNumber),
		checkPortworxNotNegative("PageSize", pageSize),
	)
	return newPageNumberPager(ctx, s.client, r, reqOpts, "pagination.pageNumber", 1,
		func(resp *models.PortworxListIAMResponse) numberedPage[models.PortworxIAM] {
			return portworxPage(resp.IAM, resp.Pagination)
		})
}

// checkPortworxOptional rejects an optional string that is set but blank:
// the gateway would take it as a filter that matches nothing.
func checkPortworxOptional(param, v string) error {
	if v == "" {
		return nil
	}
	return checkRequired(param, v)
}

// CreateIAM creates the role bindings of an actor that has none yet and
// returns them. Config.ActorID is required and Config.AccessPolicy must
// hold at least one role; output-only fields (actor type and email, uid,
// times, parent reference, resource names) are not sent. To add roles to
// an actor that has some, use GrantIAM. It is not retried after a server
// error, so that nothing is granted twice.
//
// Portworx API: POST /core/v1/iam
func (s *IAMService) CreateIAM(ctx context.Context, iam *models.PortworxIAM, reqOpts ...RequestOption) (*models.PortworxIAM, error) {
	if iam == nil {
		return nil, &ValidationError{Param: "iam", Reason: "is required"}
	}
	cfg := iam.Config
	if cfg == nil {
		return nil, &ValidationError{Param: "iam.config", Reason: "is required"}
	}
	if err := firstError(
		checkRequired("iam.config.actorId", cfg.ActorID),
		checkPortworxPolicy("iam.config.accessPolicy", &cfg.AccessPolicy),
	); err != nil {
		return nil, err
	}
	// The gateway takes the IAM itself as the body (body: "iam"), not
	// wrapped as CreateInvitation's is.
	body := &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: cfg.ActorID, AccessPolicy: cfg.AccessPolicy}}
	if m := iam.Meta; m != nil && (m.Name != "" || m.Description != "" || len(m.Labels) > 0 || len(m.Annotations) > 0) {
		body.Meta = &models.PortworxMeta{Name: m.Name, Description: m.Description, Labels: m.Labels, Annotations: m.Annotations}
	}
	r := portworxCreateIAM.request().withBody(body)
	return doJSON[models.PortworxIAM](ctx, s.client, r, reqOpts)
}

// GetIAM returns the role bindings of an actor (a user or service
// account UID).
//
// Portworx API: GET /core/v1/iam/{actorId}
func (s *IAMService) GetIAM(ctx context.Context, actorID string, reqOpts ...RequestOption) (*models.PortworxIAM, error) {
	r := portworxGetIAM.request().withParams(idParam("actorID", actorID))
	return doJSON[models.PortworxIAM](ctx, s.client, r, reqOpts)
}

// DeleteIAM deletes every role binding of an actor: the actor keeps its
// identity but no longer has any role.
//
// Portworx API: DELETE /core/v1/iam/{actorId}
func (s *IAMService) DeleteIAM(ctx context.Context, actorID string, reqOpts ...RequestOption) error {
	r := portworxDeleteIAM.request().withParams(idParam("actorID", actorID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GrantIAM adds roles to an actor in one account, tenant (organization)
// or project: exactly one of req's AccountID, TenantID and ProjectID must
// be set, and req.AccessPolicy must hold at least one role. It is not
// retried after a server error, so that nothing is granted twice.
//
// Portworx API: POST /core/v1/iam/{actorId}:grant
func (s *IAMService) GrantIAM(ctx context.Context, actorID string, req *models.PortworxGrantIAMRequest, reqOpts ...RequestOption) (*models.PortworxGrantIAMResponse, error) {
	// Path parameters escape ":", so only the literal ":grant" is the verb.
	r := portworxGrantIAM.request().withParams(idParam("actorID", actorID)).withBody(req)
	if req == nil {
		r.check(&ValidationError{Param: "req", Reason: "is required"})
	} else {
		r.check(checkPortworxScope(&req.PortworxIAMScope), checkPortworxPolicy("req.accessPolicy", &req.AccessPolicy))
	}
	return doJSON[models.PortworxGrantIAMResponse](ctx, s.client, r, reqOpts)
}

// RevokeIAM removes roles from an actor in one account, tenant
// (organization) or project: exactly one of req's AccountID, TenantID and
// ProjectID must be set, and req.AccessPolicy must hold at least one
// role. A role binding's ResourceIDs name the resources it is removed
// from.
//
// Portworx API: POST /core/v1/iam/{actorId}:revoke
func (s *IAMService) RevokeIAM(ctx context.Context, actorID string, req *models.PortworxRevokeIAMRequest, reqOpts ...RequestOption) (*models.PortworxRevokeIAMResponse, error) {
	r := portworxRevokeIAM.request().withParams(idParam("actorID", actorID)).withBody(req)
	if req == nil {
		r.check(&ValidationError{Param: "req", Reason: "is required"})
	} else {
		r.check(checkPortworxScope(&req.PortworxIAMScope), checkPortworxPolicy("req.accessPolicy", &req.AccessPolicy))
	}
	return doJSON[models.PortworxRevokeIAMResponse](ctx, s.client, r, reqOpts)
}

// checkPortworxScope checks the resource_id oneof of a grant or revoke,
// which the gateway rejects only after the request was sent (two members)
// or not at all (none).
func checkPortworxScope(sc *models.PortworxIAMScope) error {
	scopes := []struct{ name, value string }{
		{"req.accountId", sc.AccountID},
		{"req.tenantId", sc.TenantID},
		{"req.projectId", sc.ProjectID},
	}
	set := ""
	for _, s := range scopes {
		if s.value == "" {
			continue
		}
		if set != "" {
			return &ValidationError{Param: s.name, Reason: "cannot be set together with " + set + ": set exactly one of accountId, tenantId or projectId"}
		}
		if err := checkRequired(s.name, s.value); err != nil {
			return err
		}
		set = s.name
	}
	if set == "" {
		return &ValidationError{Param: "req.accountId|tenantId|projectId", Reason: "exactly one must be set"}
	}
	return nil
}

// checkPortworxPolicy requires at least one role and no blank role name:
// the gateway drops neither, and an empty grant or revoke would succeed
// without changing anything.
func checkPortworxPolicy(param string, p *models.PortworxAccessPolicy) error {
	roles := 0
	for i, name := range p.GlobalScope {
		if err := checkRequired(param+".globalScope["+strconv.Itoa(i)+"]", name); err != nil {
			return err
		}
		roles++
	}
	for i, name := range p.Account {
		if err := checkRequired(param+".account["+strconv.Itoa(i)+"]", name); err != nil {
			return err
		}
		roles++
	}
	for _, level := range []struct {
		name     string
		bindings []models.PortworxRoleBinding
	}{{"tenant", p.Tenant}, {"project", p.Project}, {"namespace", p.Namespace}} {
		for i, b := range level.bindings {
			at := param + "." + level.name + "[" + strconv.Itoa(i) + "]"
			if err := checkRequired(at+".roleName", b.RoleName); err != nil {
				return err
			}
			for j, id := range b.ResourceIDs {
				if err := checkRequired(at+".resourceIds["+strconv.Itoa(j)+"]", id); err != nil {
					return err
				}
			}
			roles++
		}
	}
	if roles == 0 {
		return &ValidationError{Param: param, Reason: "must hold at least one role"}
	}
	return nil
}
