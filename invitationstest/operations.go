package invitationstest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Operation names one operation of the fake, as "<api>.<Method>": api is
// one of gitguardian, box, freestyle, bimdata, portworx and Method the
// SDK's method name. Fault.Operation, RequestCount and Request.Operation
// use it. Use the constants: a name the fake does not serve is an error
// (ErrUnknownOperation) where it is given, never a silent no-op.
//
// Besides the one-operation constants, an API name alone (AllBox, ...)
// selects all of that API's operations, and AnyOperation (the zero value)
// selects every request.
type Operation string

// Operations that select more than one operation.
const (
	// AnyOperation selects every request the fake receives.
	AnyOperation Operation = ""
	// AllGitGuardian selects every GitGuardian operation.
	AllGitGuardian Operation = "gitguardian"
	// AllBox selects every Box operation.
	AllBox Operation = "box"
	// AllFreestyle selects every Freestyle operation.
	AllFreestyle Operation = "freestyle"
	// AllBIMData selects every BIMData operation.
	AllBIMData Operation = "bimdata"
	// AllPortworx selects every Portworx operation.
	AllPortworx Operation = "portworx"
)

// The operations the fake serves, one per SDK method.
const (
	// GitGuardian API, served under GitGuardianPrefix.

	// GitGuardianListInvitations is Invitations.ListInvitations (GitGuardian API: GET /v1/invitations).
	GitGuardianListInvitations Operation = "gitguardian.ListInvitations"
	// GitGuardianCreateInvitations is Invitations.CreateInvitations (GitGuardian API: POST /v1/invitations).
	GitGuardianCreateInvitations Operation = "gitguardian.CreateInvitations"
	// GitGuardianDeleteInvitation is Invitations.DeleteInvitation (GitGuardian API: DELETE /v1/invitations/{invitation_id}).
	GitGuardianDeleteInvitation Operation = "gitguardian.DeleteInvitation"
	// GitGuardianResendInvitation is Invitations.ResendInvitation (GitGuardian API: POST /v1/invitations/{invitation_id}/resend).
	GitGuardianResendInvitation Operation = "gitguardian.ResendInvitation"
	// GitGuardianGetInvitationResourceAccess is Invitations.GetInvitationResourceAccess (GitGuardian API: GET /v1/invitations/{invitation_id}/{resource_type}/{resource_id}).
	GitGuardianGetInvitationResourceAccess Operation = "gitguardian.GetInvitationResourceAccess"
	// GitGuardianSetInvitationResourceAccess is Invitations.SetInvitationResourceAccess (GitGuardian API: PUT /v1/invitations/{invitation_id}/{resource_type}/{resource_id}).
	GitGuardianSetInvitationResourceAccess Operation = "gitguardian.SetInvitationResourceAccess"
	// GitGuardianRevokeInvitationResourceAccess is Invitations.RevokeInvitationResourceAccess (GitGuardian API: DELETE /v1/invitations/{invitation_id}/{resource_type}/{resource_id}).
	GitGuardianRevokeInvitationResourceAccess Operation = "gitguardian.RevokeInvitationResourceAccess"
	// GitGuardianListInvitationSecretIncidentAccess is Invitations.ListInvitationSecretIncidentAccess (GitGuardian API: GET /v1/invitations/{invitation_id}/secret-incidents).
	GitGuardianListInvitationSecretIncidentAccess Operation = "gitguardian.ListInvitationSecretIncidentAccess"
	// GitGuardianGetInvitation is Invitations.GetInvitation (GitGuardian API: GET /v1/invitations/{invitation_id}).
	GitGuardianGetInvitation Operation = "gitguardian.GetInvitation"
	// GitGuardianListMembers is Members.ListMembers (GitGuardian API: GET /v1/members).
	GitGuardianListMembers Operation = "gitguardian.ListMembers"
	// GitGuardianGetMember is Members.GetMember (GitGuardian API: GET /v1/members/{member_id}).
	GitGuardianGetMember Operation = "gitguardian.GetMember"
	// GitGuardianUpdateMember is Members.UpdateMember (GitGuardian API: PATCH /v1/members/{member_id}).
	GitGuardianUpdateMember Operation = "gitguardian.UpdateMember"
	// GitGuardianDeleteMember is Members.DeleteMember (GitGuardian API: DELETE /v1/members/{member_id}).
	GitGuardianDeleteMember Operation = "gitguardian.DeleteMember"

	// Box API, served under BoxPrefix.

	// BoxGetUserMemberships is Memberships.GetUserMemberships (Box API: GET /users/{user_id}/memberships).
	BoxGetUserMemberships Operation = "box.GetUserMemberships"
	// BoxGetGroupMemberships is Memberships.GetGroupMemberships (Box API: GET /groups/{group_id}/memberships).
	BoxGetGroupMemberships Operation = "box.GetGroupMemberships"
	// BoxCreateGroupMembership is Memberships.CreateGroupMembership (Box API: POST /group_memberships).
	BoxCreateGroupMembership Operation = "box.CreateGroupMembership"
	// BoxGetGroupMembershipByID is Memberships.GetGroupMembershipByID (Box API: GET /group_memberships/{id}).
	BoxGetGroupMembershipByID Operation = "box.GetGroupMembershipByID"
	// BoxUpdateGroupMembershipByID is Memberships.UpdateGroupMembershipByID (Box API: PUT /group_memberships/{id}).
	BoxUpdateGroupMembershipByID Operation = "box.UpdateGroupMembershipByID"
	// BoxDeleteGroupMembershipByID is Memberships.DeleteGroupMembershipByID (Box API: DELETE /group_memberships/{id}).
	BoxDeleteGroupMembershipByID Operation = "box.DeleteGroupMembershipByID"
	// BoxGetUsers is Memberships.GetUsers (Box API: GET /users).
	BoxGetUsers Operation = "box.GetUsers"
	// BoxGetGroups is Memberships.GetGroups (Box API: GET /groups).
	BoxGetGroups Operation = "box.GetGroups"

	// Freestyle API, served under FreestylePrefix.

	// FreestyleListIdentities is Identity.ListIdentities (Freestyle API: GET /identity/v1/identities).
	FreestyleListIdentities Operation = "freestyle.ListIdentities"
	// FreestyleCreateIdentity is Identity.CreateIdentity (Freestyle API: POST /identity/v1/identities).
	FreestyleCreateIdentity Operation = "freestyle.CreateIdentity"
	// FreestyleDeleteIdentity is Identity.DeleteIdentity (Freestyle API: DELETE /identity/v1/identities/{identity}).
	FreestyleDeleteIdentity Operation = "freestyle.DeleteIdentity"
	// FreestyleListGitPermissions is Identity.ListGitPermissions (Freestyle API: GET /identity/v1/identities/{identity}/permissions/git).
	FreestyleListGitPermissions Operation = "freestyle.ListGitPermissions"
	// FreestyleDescribeGitPermission is Identity.DescribeGitPermission (Freestyle API: GET /identity/v1/identities/{identity}/permissions/git/{repo}).
	FreestyleDescribeGitPermission Operation = "freestyle.DescribeGitPermission"
	// FreestyleGrantGitPermission is Identity.GrantGitPermission (Freestyle API: POST /identity/v1/identities/{identity}/permissions/git/{repo}).
	FreestyleGrantGitPermission Operation = "freestyle.GrantGitPermission"
	// FreestyleUpdateGitPermission is Identity.UpdateGitPermission (Freestyle API: PUT /identity/v1/identities/{identity}/permissions/git/{repo}).
	FreestyleUpdateGitPermission Operation = "freestyle.UpdateGitPermission"
	// FreestyleRevokeGitPermission is Identity.RevokeGitPermission (Freestyle API: DELETE /identity/v1/identities/{identity}/permissions/git/{repo}).
	FreestyleRevokeGitPermission Operation = "freestyle.RevokeGitPermission"
	// FreestyleListVMPermissions is Identity.ListVMPermissions (Freestyle API: GET /identity/v1/identities/{identity}/permissions/vm).
	FreestyleListVMPermissions Operation = "freestyle.ListVMPermissions"
	// FreestyleDescribeVMPermission is Identity.DescribeVMPermission (Freestyle API: GET /identity/v1/identities/{identity}/permissions/vm/{vm_id}).
	FreestyleDescribeVMPermission Operation = "freestyle.DescribeVMPermission"
	// FreestyleGrantVMPermission is Identity.GrantVMPermission (Freestyle API: POST /identity/v1/identities/{identity}/permissions/vm/{vm_id}).
	FreestyleGrantVMPermission Operation = "freestyle.GrantVMPermission"
	// FreestyleUpdateAllowedUsers is Identity.UpdateAllowedUsers (Freestyle API: PUT /identity/v1/identities/{identity}/permissions/vm/{vm_id}).
	FreestyleUpdateAllowedUsers Operation = "freestyle.UpdateAllowedUsers"
	// FreestyleRevokeVMPermission is Identity.RevokeVMPermission (Freestyle API: DELETE /identity/v1/identities/{identity}/permissions/vm/{vm_id}).
	FreestyleRevokeVMPermission Operation = "freestyle.RevokeVMPermission"
	// FreestyleListGitTokens is Identity.ListGitTokens (Freestyle API: GET /identity/v1/identities/{identity}/tokens).
	FreestyleListGitTokens Operation = "freestyle.ListGitTokens"
	// FreestyleCreateGitToken is Identity.CreateGitToken (Freestyle API: POST /identity/v1/identities/{identity}/tokens).
	FreestyleCreateGitToken Operation = "freestyle.CreateGitToken"
	// FreestyleRevokeGitToken is Identity.RevokeGitToken (Freestyle API: DELETE /identity/v1/identities/{identity}/tokens/{token}).
	FreestyleRevokeGitToken Operation = "freestyle.RevokeGitToken"

	// BIMData API, served under BIMDataPrefix.

	// BIMDataAcceptInvitation is SSO.AcceptInvitation (BIMData API: POST /identity-provider/invitation/{id}/accept).
	BIMDataAcceptInvitation Operation = "bimdata.AcceptInvitation"
	// BIMDataDenyInvitation is SSO.DenyInvitation (BIMData API: POST /identity-provider/invitation/{id}/deny).
	BIMDataDenyInvitation Operation = "bimdata.DenyInvitation"
	// BIMDataGetInvitation is SSO.GetInvitation (BIMData API: GET /identity-provider/invitation/{id}).
	BIMDataGetInvitation Operation = "bimdata.GetInvitation"
	// BIMDataGetInvitations is SSO.GetInvitations (BIMData API: GET /identity-provider/invitation).
	BIMDataGetInvitations Operation = "bimdata.GetInvitations"
	// BIMDataDeleteUser is SSO.DeleteUser (BIMData API: DELETE /identity-provider/user).
	BIMDataDeleteUser Operation = "bimdata.DeleteUser"

	// Portworx API, served under PortworxPrefix.

	// PortworxCreateInvitation is AccountInvitations.CreateInvitation (Portworx API: POST /core/v1/invite).
	PortworxCreateInvitation Operation = "portworx.CreateInvitation"
	// PortworxListInvitations is AccountInvitations.ListInvitations (Portworx API: GET /core/v1/invite).
	PortworxListInvitations Operation = "portworx.ListInvitations"
	// PortworxDeleteInvitation is AccountInvitations.DeleteInvitation (Portworx API: DELETE /core/v1/invite/{uid}).
	PortworxDeleteInvitation Operation = "portworx.DeleteInvitation"
	// PortworxGetInvitation is AccountInvitations.GetInvitation (Portworx API: GET /core/v1/invite/{uid}).
	PortworxGetInvitation Operation = "portworx.GetInvitation"
	// PortworxAcceptInvitation is AccountInvitations.AcceptInvitation (Portworx API: POST /core/v1/invite:accept).
	PortworxAcceptInvitation Operation = "portworx.AcceptInvitation"
	// PortworxNotifyUser is AccountInvitations.NotifyUser (Portworx API: GET /core/v1/invite/{uid}:notify).
	PortworxNotifyUser Operation = "portworx.NotifyUser"
)

// ErrUnknownOperation is returned (wrapped) by Inject and RequestCount
// when an Operation names nothing the fake serves, e.g. a mistyped name.
var ErrUnknownOperation = errors.New("unknown operation")

// API returns the API part of op ("box" for BoxCreateGroupMembership, and
// for AllBox), or "" for AnyOperation.
func (op Operation) API() string {
	api, _, _ := strings.Cut(string(op), ".")
	return api
}

// Route is one operation the fake serves and the request that reaches it.
type Route struct {
	Operation Operation `json:"operation"`
	// Method and Path are the HTTP method and path pattern, including the
	// API prefix, e.g. "DELETE" and "/box/2.0/group_memberships/{id}".
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Routes returns every operation the fake serves, sorted by operation.
func (f *Fake) Routes() []Route {
	f.mu.Lock()
	defer f.mu.Unlock()
	routes := slices.Clone(f.routes)
	slices.SortFunc(routes, func(a, b Route) int { return strings.Compare(string(a.Operation), string(b.Operation)) })
	return routes
}

// checkOperation returns an error wrapping ErrUnknownOperation unless op
// selects something the fake serves: an operation, an API or every
// request. The caller holds f.mu.
func (f *Fake) checkOperation(op Operation) error {
	if op == AnyOperation {
		return nil
	}
	var near []string
	for _, r := range f.routes {
		if r.Operation == op || r.Operation.API() == string(op) {
			return nil
		}
		if r.Operation.API() == op.API() && strings.HasPrefix(strings.ToLower(string(r.Operation)), strings.ToLower(string(op))) {
			near = append(near, string(r.Operation))
		}
	}
	if len(near) == 0 {
		for _, r := range f.routes {
			if strings.EqualFold(string(r.Operation), string(op)) {
				near = append(near, string(r.Operation))
			}
		}
	}
	hint := ""
	if len(near) > 0 {
		slices.Sort(near)
		hint = fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
	}
	return fmt.Errorf("invitationstest: %w %q%s", ErrUnknownOperation, string(op), hint)
}
