package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
)

// Portworx platform invitations (InvitationService, REST gateway under
// /core/v1/invite). The gateway speaks protojson: lowerCamelCase names,
// 64-bit integers as JSON strings, enums as names, RFC 3339 timestamps. It
// emits unpopulated fields too ("", [], {}, null), so an empty value and a
// missing one mean the same here.

// Int64 is a protojson int64: sent as a JSON string ("12") and read from a
// string, a number (12) or null (left unchanged), since gateways configured
// differently emit either form.
type Int64 int64

// MarshalJSON writes the value as a quoted decimal, as protojson does.
func (n Int64) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, strconv.FormatInt(int64(n), 10)), nil
}

// UnmarshalJSON reads "12", 12 or null.
func (n *Int64) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	s := string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// protojson also accepts integral values in float notation ("1e3", 2.0).
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return errors.New("models: invalid int64 " + strconv.Quote(s))
		}
		v = int64(f)
	}
	*n = Int64(v)
	return nil
}

// PortworxInvitationPhase is the state of a Portworx invitation. Portworx
// plans more phases (expiry, resend): an unknown name is kept as it is.
type PortworxInvitationPhase string

// Known invitation phases.
const (
	PortworxInvitationPhaseUnspecified PortworxInvitationPhase = "PHASE_UNSPECIFIED"
	PortworxInvitationPhasePending     PortworxInvitationPhase = "PENDING"
	PortworxInvitationPhaseAccepted    PortworxInvitationPhase = "ACCEPTED"
)

// portworxPhaseNumbers maps the proto enum numbers, which a gateway set to
// emit enums as integers sends instead of names.
var portworxPhaseNumbers = map[int64]PortworxInvitationPhase{
	0: PortworxInvitationPhaseUnspecified,
	1: PortworxInvitationPhasePending,
	2: PortworxInvitationPhaseAccepted,
}

// UnmarshalJSON reads a phase name (kept verbatim, known or not), an enum
// number (0, 1, 2 become their names; others their decimal string) or null.
func (p *PortworxInvitationPhase) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*p = PortworxInvitationPhase(s)
		return nil
	}
	n, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return errors.New("models: invalid Portworx invitation phase " + string(data))
	}
	if name, ok := portworxPhaseNumbers[n]; ok {
		*p = name
	} else {
		*p = PortworxInvitationPhase(strconv.FormatInt(n, 10))
	}
	return nil
}

// PortworxInvitation is an invitation to a Portworx account, tenant
// (organization) or project.
type PortworxInvitation struct {
	// Meta is the invitation's metadata; optional when creating.
	Meta *PortworxMeta `json:"meta,omitempty"`
	// Config says who is invited, where, with which roles.
	Config *PortworxInvitationConfig `json:"config,omitempty"`
	// Status is set by the server and never sent.
	Status *PortworxInvitationStatus `json:"status,omitempty"`
}

// PortworxMeta is the metadata common to Portworx resources. Fields marked
// output only are set by the server and not sent on create.
type PortworxMeta struct {
	// UID identifies the resource (a UUID, sometimes "<prefix>-<uuid>");
	// treat it as opaque.
	UID string `json:"uid,omitempty"`
	// Name is 3 to 63 characters: letters, digits, "_", "-" and spaces,
	// starting and ending with a letter or digit.
	Name string `json:"name,omitempty"`
	// Description is at most 100 characters.
	Description string `json:"description,omitempty"`
	// ResourceVersion changes whenever the resource does; opaque.
	ResourceVersion string `json:"resourceVersion,omitempty"`
	// CreateTime is when the resource was created (output only).
	CreateTime *time.Time `json:"createTime,omitempty"`
	// UpdateTime is when the resource last changed (output only).
	UpdateTime *time.Time `json:"updateTime,omitempty"`
	// Labels and Annotations follow Kubernetes key and value rules.
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// ParentReference names the parent resource (output only).
	ParentReference *PortworxReference `json:"parentReference,omitempty"`
	// ResourceNames maps resource UIDs to display names (output only).
	ResourceNames map[string]string `json:"resourceNames,omitempty"`
}

// PortworxReference identifies a Portworx resource.
type PortworxReference struct {
	// Type is the API group of the resource.
	Type    string `json:"type,omitempty"`
	Version string `json:"version,omitempty"`
	UID     string `json:"uid,omitempty"`
}

// PortworxInvitationConfig is what an invitation grants. Exactly one of
// AccountID, TenantID and ProjectID (a proto oneof) names the scope the
// user is invited to; an empty string is not sent.
type PortworxInvitationConfig struct {
	// UserEmail is the invitee's address. Required.
	UserEmail string `json:"userEmail"`
	// AccessPolicy holds the roles granted on acceptance. Required.
	AccessPolicy PortworxAccessPolicy `json:"accessPolicy"`
	// AccountID invites the user to an account.
	AccountID string `json:"accountId,omitempty"`
	// TenantID invites the user to a tenant (organization).
	TenantID string `json:"tenantId,omitempty"`
	// ProjectID invites the user to a project.
	ProjectID string `json:"projectId,omitempty"`
}

// PortworxAccessPolicy lists roles by scope. Role names are free strings
// (for example "tenant-admin", "project-admin", "project-writer").
type PortworxAccessPolicy struct {
	// GlobalScope holds global role names.
	GlobalScope []string `json:"globalScope,omitempty"`
	// Account holds account role names.
	Account []string `json:"account,omitempty"`
	// Tenant binds roles to tenants (organizations).
	Tenant []PortworxRoleBinding `json:"tenant,omitempty"`
	// Project binds roles to projects.
	Project []PortworxRoleBinding `json:"project,omitempty"`
	// Namespace binds roles to namespaces.
	Namespace []PortworxRoleBinding `json:"namespace,omitempty"`
}

// PortworxRoleBinding grants one role on the listed resources.
type PortworxRoleBinding struct {
	RoleName string `json:"roleName"`
	// ResourceIDs are the UIDs of the tenants, projects or namespaces the
	// role applies to.
	ResourceIDs []string `json:"resourceIds,omitempty"`
}

// PortworxInvitationStatus is the server's view of an invitation.
type PortworxInvitationStatus struct {
	// Reason is free text about the current phase.
	Reason string                  `json:"reason,omitempty"`
	Phase  PortworxInvitationPhase `json:"phase,omitempty"`
}

// PortworxCreateInvitationRequest is the body of POST /core/v1/invite:
// the invitation, wrapped.
type PortworxCreateInvitationRequest struct {
	Invitation *PortworxInvitation `json:"invitation"`
}

// PortworxListInvitationsResponse is one page of GET /core/v1/invite.
type PortworxListInvitationsResponse struct {
	Invitations []PortworxInvitation `json:"invitations"`
	// Pagination is nil when the server sends none.
	Pagination *PortworxPageInfo `json:"pagination,omitempty"`
}

// PortworxPageInfo describes a page of a page-number-paged list. Page
// numbers start at 1; NextPage and PrevPage are -1 when there is none.
type PortworxPageInfo struct {
	// TotalRecords counts the whole list, regardless of paging.
	TotalRecords Int64 `json:"totalRecords"`
	CurrentPage  Int64 `json:"currentPage"`
	PageSize     Int64 `json:"pageSize"`
	TotalPages   Int64 `json:"totalPages"`
	NextPage     Int64 `json:"nextPage"`
	PrevPage     Int64 `json:"prevPage"`
}

// PortworxAcceptInvitationRequest is the body of POST /core/v1/invite:accept.
type PortworxAcceptInvitationRequest struct {
	// AccountID is the account whose invitations are accepted: an invitee
	// has no account context yet, so it travels in the body.
	AccountID string `json:"accountId"`
}

// PortworxAcceptInvitationResponse is the answer to AcceptInvitation.
type PortworxAcceptInvitationResponse struct {
	// Message is free text for display (such as how many invitations were
	// accepted); do not parse it.
	Message string `json:"message"`
}

// Portworx IAM role bindings (IAMService, REST gateway under
// /core/v1/iam). An IAM is one actor's role bindings: which roles a user
// or service account holds on the account, its tenants (organizations),
// projects and namespaces. Actors are named by UID; GetIAM, DeleteIAM,
// GrantIAM and RevokeIAM take the actor's UID, not the IAM's own
// Meta.UID.

// PortworxIAM is one actor's role bindings.
type PortworxIAM struct {
	// Meta is the IAM's metadata; optional when creating.
	Meta *PortworxMeta `json:"meta,omitempty"`
	// Config names the actor and the roles it holds.
	Config *PortworxIAMConfig `json:"config,omitempty"`
}

// PortworxIAMConfig is an actor and its role bindings.
type PortworxIAMConfig struct {
	// ActorID is the UID of the user or service account. Required when
	// creating.
	ActorID string `json:"actorId"`
	// ActorType is the kind of actor (output only; the document does not
	// list the values: a user or a service account).
	ActorType string `json:"actorType,omitempty"`
	// ActorEmail is the actor's email when it is a user (output only).
	ActorEmail string `json:"actorEmail,omitempty"`
	// AccessPolicy holds the roles the actor has, by scope.
	AccessPolicy PortworxAccessPolicy `json:"accessPolicy"`
}

// PortworxListIAMResponse is one page of GET /core/v1/iam.
type PortworxListIAMResponse struct {
	IAM []PortworxIAM `json:"iam"`
	// Pagination is nil when the server sends none.
	Pagination *PortworxPageInfo `json:"pagination,omitempty"`
}

// PortworxIAMScope is where GrantIAM adds, or RevokeIAM removes, role
// bindings: exactly one of AccountID, TenantID and ProjectID (a proto
// oneof; an empty string is not sent).
type PortworxIAMScope struct {
	// AccountID changes the actor's roles in an account.
	AccountID string `json:"accountId,omitempty"`
	// TenantID changes the actor's roles in a tenant (organization).
	TenantID string `json:"tenantId,omitempty"`
	// ProjectID changes the actor's roles in a project.
	ProjectID string `json:"projectId,omitempty"`
}

// PortworxGrantIAMRequest is the body of POST /core/v1/iam/{actorId}:grant:
// the scope and the roles to add. The actor travels in the path.
type PortworxGrantIAMRequest struct {
	PortworxIAMScope
	// AccessPolicy holds the roles to add.
	AccessPolicy PortworxAccessPolicy `json:"accessPolicy"`
}

// PortworxGrantIAMResponse is the answer to GrantIAM.
type PortworxGrantIAMResponse struct {
	// Message is free text for display; do not parse it.
	Message string `json:"message"`
}

// PortworxRevokeIAMRequest is the body of POST
// /core/v1/iam/{actorId}:revoke: the scope and the roles to remove. The
// actor travels in the path.
type PortworxRevokeIAMRequest struct {
	PortworxIAMScope
	// AccessPolicy holds the roles to remove.
	AccessPolicy PortworxAccessPolicy `json:"accessPolicy"`
}

// PortworxRevokeIAMResponse is the answer to RevokeIAM.
type PortworxRevokeIAMResponse struct {
	// Message is free text for display; do not parse it.
	Message string `json:"message"`
}

// PortworxIAMSortBy is the field ListIAM sorts by.
type PortworxIAMSortBy string

// Fields ListIAM sorts by.
const (
	PortworxIAMSortByUnspecified PortworxIAMSortBy = "FIELD_UNSPECIFIED"
	PortworxIAMSortByEmail       PortworxIAMSortBy = "EMAIL"
)

// PortworxSortOrder is the order of a sorted Portworx list; with a sort
// field and no order the server sorts ascending.
type PortworxSortOrder string

// Sort orders.
const (
	PortworxSortOrderUnspecified PortworxSortOrder = "VALUE_UNSPECIFIED"
	PortworxSortOrderAsc         PortworxSortOrder = "ASC"
	PortworxSortOrderDesc        PortworxSortOrder = "DESC"
)
