package invitations_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// The reliability suite drives every operation of the SDK against the fake
// over real HTTP on loopback, injects one fault at a time, and checks two
// things: the caller gets a typed error or the right result (never a
// panic), and the number of requests that reached the server is exactly
// what the retry policy allows. Unsafe operations (those that create,
// send or grant something) may be repeated only on 429 or when no
// connection was made; safe ones also on network errors and 5xx.

// relMaxRetries is the retry budget of every client in the suite: a fault
// on every request is seen exactly relMaxRetries+1 times by safe operations.
const relMaxRetries = 2

// relOp is one SDK operation as the suite calls it.
type relOp struct {
	// op is the fake's operation name, "<api>.<Method>".
	op string
	// unsafe marks operations that are not idempotent, and created those
	// for which only 201 Created is a success: both are the operation
	// table's (see relWithTableFacts), not written here.
	unsafe bool
	// decodes marks operations that decode a success body; the others
	// (deletes, grants answered without a body) only look at the status.
	decodes bool
	// array marks operations whose success body is a JSON array.
	array   bool
	created bool
	// call performs the operation with valid arguments against a fake
	// seeded with demo data; list operations fetch their first page.
	call func(ctx context.Context, c *invitations.Client) error
}

// okStatus is the status a fault must send for the body to be decoded.
func (o relOp) okStatus() int {
	if o.created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// relFirstPage fetches the first page of a list and stops.
func relFirstPage[T any](p *invitations.Pager[T]) error {
	for _, err := range p.Pages() {
		return err
	}
	return nil
}

// relErr keeps only the error of a call that also returns a value.
func relErr[T any](_ T, err error) error { return err }

// relOps calls each operation of invitations.Operations() once (see
// relWithTableFacts). tokenID is an existing access token of
// the demo Freestyle identity (see relDemoTokenID).
func relOps(tokenID string) []relOp {
	const (
		ggInvitation = int64(1)    // a demo invitation with access to incident 3000
		ggIncident   = int64(3000) // visible to invitation 1
		ggOtherInc   = int64(3001) // not yet visible to invitation 1
		boxMember    = "434534"    // the first demo membership
		boxMemberUID = "11446000"  // a demo user in BoxDemoGroupID
		newRepoID    = "0d6f2c1e-5a4b-4c3d-8e2f-1a0b9c8d7e6f"
		newVMID      = "n0w7vm"
	)
	fsID := invitationstest.FreestyleDemoIdentityID
	const bimCloud, bimProject = int64(invitationstest.BIMDataDemoCloudID), int64(invitationstest.BIMDataDemoProjectID)
	access := func(resource int64, p models.IncidentPermissionEnum) *models.ResourceInvitationAccess {
		return &models.ResourceInvitationAccess{InvitationID: ggInvitation, ResourceID: resource, ResourceType: models.ResourceTypeSecretIncidents, Permission: p}
	}
	return []relOp{
		// GitGuardian
		{op: "gitguardian.ListInvitations", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Invitations.ListInvitations(ctx, nil))
		}},
		{op: "gitguardian.CreateInvitations", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "newcomer@example.com", AccessLevel: models.AccessLevelMember}, nil))
		}},
		{op: "gitguardian.DeleteInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Invitations.DeleteInvitation(ctx, 5)
		}},
		{op: "gitguardian.ResendInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Invitations.ResendInvitation(ctx, ggInvitation))
		}},
		{op: "gitguardian.GetInvitationResourceAccess", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Invitations.GetInvitationResourceAccess(ctx, ggInvitation, models.ResourceTypeSecretIncidents, ggIncident))
		}},
		{op: "gitguardian.SetInvitationResourceAccess", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Invitations.SetInvitationResourceAccess(ctx, access(ggOtherInc, models.IncidentPermissionCanEdit)))
		}},
		{op: "gitguardian.RevokeInvitationResourceAccess", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Invitations.RevokeInvitationResourceAccess(ctx, access(ggIncident, ""))
		}},
		{op: "gitguardian.ListInvitationSecretIncidentAccess", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Invitations.ListInvitationSecretIncidentAccess(ctx, ggInvitation, nil))
		}},
		{op: "gitguardian.GetInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Invitations.GetInvitation(ctx, ggInvitation))
		}},
		{op: "gitguardian.ListMembers", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Members.ListMembers(ctx, nil))
		}},
		{op: "gitguardian.GetMember", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Members.GetMember(ctx, invitationstest.GitGuardianDemoMemberID))
		}},
		{op: "gitguardian.UpdateMember", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Members.UpdateMember(ctx, invitationstest.GitGuardianDemoMemberID, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelManager}, nil))
		}},
		{op: "gitguardian.DeleteMember", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Members.DeleteMember(ctx, invitationstest.GitGuardianDemoMemberID, nil)
		}},
		{op: "gitguardian.ListTeams", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Teams.ListTeams(ctx, nil))
		}},
		{op: "gitguardian.CreateTeams", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "Reliability"}))
		}},
		{op: "gitguardian.GetTeam", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.GetTeam(ctx, invitationstest.GitGuardianDemoTeamID))
		}},
		{op: "gitguardian.UpdateTeam", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			name := "Renamed"
			return relErr(c.Teams.UpdateTeam(ctx, invitationstest.GitGuardianDemoTeamID, &models.UpdateTeamRequest{Name: &name}))
		}},
		{op: "gitguardian.DeleteTeam", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Teams.DeleteTeam(ctx, invitationstest.GitGuardianDemoTeamID)
		}},
		{op: "gitguardian.ListTeamMemberships", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Teams.ListTeamMemberships(ctx, invitationstest.GitGuardianDemoTeamID, nil))
		}},
		{op: "gitguardian.CreateTeamMembership", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.CreateTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID,
				&models.CreateTeamMembershipRequest{MemberID: invitationstest.GitGuardianDemoOwnerID + 40}, nil))
		}},
		{op: "gitguardian.UpdateTeamMembership", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.UpdateTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamMembershipID,
				&models.UpdateTeamMembershipRequest{IncidentPermission: models.IncidentPermissionCanEdit}))
		}},
		{op: "gitguardian.DeleteTeamMembership", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Teams.DeleteTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamMembershipID)
		}},
		{op: "gitguardian.ListMemberTeamMemberships", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Teams.ListMemberTeamMemberships(ctx, invitationstest.GitGuardianDemoMemberID, nil))
		}},
		{op: "gitguardian.ListTeamInvitations", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Teams.ListTeamInvitations(ctx, invitationstest.GitGuardianDemoTeamID, nil))
		}},
		{op: "gitguardian.CreateTeamInvitations", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.CreateTeamInvitations(ctx, invitationstest.GitGuardianDemoTeamID, &models.CreateTeamInvitationsRequest{InvitationID: 5}))
		}},
		{op: "gitguardian.UpdateTeamInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Teams.UpdateTeamInvitation(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamInvitationID,
				&models.UpdateTeamInvitationRequest{IncidentPermission: models.IncidentPermissionFullAccess}))
		}},
		{op: "gitguardian.DeleteTeamInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Teams.DeleteTeamInvitation(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamInvitationID)
		}},

		// Box
		{op: "box.GetUserMemberships", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Memberships.GetUserMemberships(ctx, boxMemberUID, nil))
		}},
		{op: "box.GetGroupMemberships", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Memberships.GetGroupMemberships(ctx, invitationstest.BoxDemoGroupID, nil))
		}},
		{op: "box.GetUsers", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: invitationstest.DemoPersonEmail}))
		}},
		{op: "box.GetGroups", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Memberships.GetGroups(ctx, nil))
		}},
		{op: "box.CreateGroupMembership", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
				User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
			}, nil))
		}},
		{op: "box.GetGroupMembershipByID", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Memberships.GetGroupMembershipByID(ctx, boxMember, nil))
		}},
		{op: "box.UpdateGroupMembershipByID", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Memberships.UpdateGroupMembershipByID(ctx, boxMember, &models.UpdateGroupMembershipRequest{Role: models.GroupMembershipRoleAdmin}, nil))
		}},
		{op: "box.DeleteGroupMembershipByID", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Memberships.DeleteGroupMembershipByID(ctx, boxMember)
		}},
		{op: "box.GetUserByID", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Users.GetUserByID(ctx, boxMemberUID, nil))
		}},
		{op: "box.UpdateUserByID", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Users.UpdateUserByID(ctx, boxMemberUID, &models.UpdateUserRequest{Status: models.UserStatusInactive}, nil))
		}},
		{op: "box.DeleteUserByID", call: func(ctx context.Context, c *invitations.Client) error {
			force := true
			return c.Users.DeleteUserByID(ctx, boxMemberUID, &invitations.DeleteUserOptions{Force: &force})
		}},
		{op: "box.TransferOwnedFolder", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Users.TransferOwnedFolder(ctx, boxMemberUID, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: invitationstest.BoxDemoUserID}}, nil))
		}},
		{op: "box.TerminateUsersSessions", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserIDs: []string{boxMemberUID}}))
		}},

		// Freestyle
		{op: "freestyle.ListIdentities", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Identity.ListIdentities(ctx, nil))
		}},
		{op: "freestyle.CreateIdentity", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.CreateIdentity(ctx))
		}},
		{op: "freestyle.DeleteIdentity", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.DeleteIdentity(ctx, fsID)
		}},
		{op: "freestyle.ListGitPermissions", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Identity.ListGitPermissions(ctx, fsID, nil))
		}},
		{op: "freestyle.DescribeGitPermission", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.DescribeGitPermission(ctx, fsID, invitationstest.FreestyleDemoRepoID))
		}},
		{op: "freestyle.GrantGitPermission", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.GrantGitPermission(ctx, fsID, newRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead})
		}},
		{op: "freestyle.UpdateGitPermission", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.UpdateGitPermission(ctx, fsID, invitationstest.FreestyleDemoRepoID, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelRead})
		}},
		{op: "freestyle.RevokeGitPermission", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.RevokeGitPermission(ctx, fsID, invitationstest.FreestyleDemoRepoID)
		}},
		{op: "freestyle.ListVMPermissions", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.Identity.ListVMPermissions(ctx, fsID, nil))
		}},
		{op: "freestyle.DescribeVMPermission", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.DescribeVMPermission(ctx, fsID, invitationstest.FreestyleDemoVMID))
		}},
		{op: "freestyle.GrantVMPermission", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.GrantVMPermission(ctx, fsID, newVMID, nil))
		}},
		{op: "freestyle.UpdateAllowedUsers", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.UpdateAllowedUsers(ctx, fsID, invitationstest.FreestyleDemoVMID, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{"alice"})}))
		}},
		{op: "freestyle.RevokeVMPermission", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.RevokeVMPermission(ctx, fsID, invitationstest.FreestyleDemoVMID)
		}},
		{op: "freestyle.ListGitTokens", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.ListGitTokens(ctx, fsID))
		}},
		{op: "freestyle.CreateGitToken", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Identity.CreateGitToken(ctx, fsID))
		}},
		{op: "freestyle.RevokeGitToken", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.RevokeGitToken(ctx, fsID, tokenID)
		}},

		// BIMData
		{op: "bimdata.AcceptInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.SSO.AcceptInvitation(ctx, invitationstest.BIMDataDemoInvitationID)
		}},
		{op: "bimdata.DenyInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.SSO.DenyInvitation(ctx, invitationstest.BIMDataDemoCloudInvitationID)
		}},
		{op: "bimdata.GetInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.SSO.GetInvitation(ctx, invitationstest.BIMDataDemoInvitationID))
		}},
		{op: "bimdata.GetInvitations", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.SSO.GetInvitations(ctx, nil))
		}},
		{op: "bimdata.DeleteUser", call: func(ctx context.Context, c *invitations.Client) error {
			return c.SSO.DeleteUser(ctx, invitationstest.BIMDataDemoUserEmail)
		}},
		{op: "bimdata.GetClouds", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.GetClouds(ctx))
		}},
		{op: "bimdata.GetCloudUsers", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.GetCloudUsers(ctx, bimCloud, nil))
		}},
		{op: "bimdata.UpdateCloudUser", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.UpdateCloudUser(ctx, bimCloud, invitationstest.BIMDataDemoPersonUserID, &models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleAdmin}))
		}},
		{op: "bimdata.DeleteCloudUser", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Collaboration.DeleteCloudUser(ctx, bimCloud, invitationstest.BIMDataDemoPersonUserID)
		}},
		{op: "bimdata.GetCloudInvitations", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.GetCloudInvitations(ctx, bimCloud))
		}},
		{op: "bimdata.InviteCloudUser", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.InviteCloudUser(ctx, bimCloud, &models.BIMDataCloudInvitationRequest{
				Email: "newcomer@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12", Role: models.BIMDataRoleUser}))
		}},
		{op: "bimdata.CancelCloudUserInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Collaboration.CancelCloudUserInvitation(ctx, bimCloud, invitationstest.BIMDataDemoCloudUserInvitationID)
		}},
		{op: "bimdata.GetProjectUsers", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.GetProjectUsers(ctx, bimCloud, bimProject, nil))
		}},
		{op: "bimdata.UpdateProjectUser", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.UpdateProjectUser(ctx, bimCloud, bimProject, invitationstest.BIMDataDemoPersonProjectUserID, &models.BIMDataUpdateProjectUserRequest{Role: models.BIMDataRoleGuest}))
		}},
		{op: "bimdata.DeleteProjectUser", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Collaboration.DeleteProjectUser(ctx, bimCloud, bimProject, invitationstest.BIMDataDemoPersonProjectUserID)
		}},
		{op: "bimdata.GetProjectInvitations", decodes: true, array: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.GetProjectInvitations(ctx, bimCloud, bimProject))
		}},
		{op: "bimdata.InviteProjectUser", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.Collaboration.InviteProjectUser(ctx, bimCloud, bimProject, &models.BIMDataProjectInvitationRequest{
				Email: "newcomer@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12/project/15", Role: models.BIMDataRoleUser}))
		}},
		{op: "bimdata.CancelProjectUserInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.Collaboration.CancelProjectUserInvitation(ctx, bimCloud, bimProject, invitationstest.BIMDataDemoProjectUserInvitationID)
		}},

		// Portworx
		{op: "portworx.CreateInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			tenant := invitationstest.PortworxDemoTenantID
			return relErr(c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
				UserEmail: "newcomer@example.com", TenantID: tenant,
				AccessPolicy: models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{tenant}}}},
			}}))
		}},
		{op: "portworx.ListInvitations", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, nil))
		}},
		{op: "portworx.DeleteInvitation", call: func(ctx context.Context, c *invitations.Client) error {
			return c.AccountInvitations.DeleteInvitation(ctx, invitationstest.PortworxDemoInvitationUID, nil)
		}},
		{op: "portworx.GetInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.AccountInvitations.GetInvitation(ctx, invitationstest.PortworxDemoInvitationUID))
		}},
		{op: "portworx.AcceptInvitation", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.AccountInvitations.AcceptInvitation(ctx, invitationstest.PortworxDemoAccountID))
		}},
		{op: "portworx.NotifyUser", call: func(ctx context.Context, c *invitations.Client) error {
			return c.AccountInvitations.NotifyUser(ctx, invitationstest.PortworxDemoInvitationUID)
		}},
		{op: "portworx.ListIAM", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relFirstPage(c.IAM.ListIAM(ctx, invitationstest.PortworxDemoTenantID, nil))
		}},
		{op: "portworx.CreateIAM", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.IAM.CreateIAM(ctx, &models.PortworxIAM{Config: &models.PortworxIAMConfig{
				ActorID:      invitationstest.PortworxDemoServiceAccountID,
				AccessPolicy: models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{invitationstest.PortworxDemoProjectID}}}},
			}}))
		}},
		{op: "portworx.GetIAM", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.IAM.GetIAM(ctx, invitationstest.PortworxDemoActorID))
		}},
		{op: "portworx.DeleteIAM", call: func(ctx context.Context, c *invitations.Client) error {
			return c.IAM.DeleteIAM(ctx, invitationstest.PortworxDemoActorID)
		}},
		{op: "portworx.GrantIAM", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.IAM.GrantIAM(ctx, invitationstest.PortworxDemoActorID, &models.PortworxGrantIAMRequest{
				PortworxIAMScope: models.PortworxIAMScope{ProjectID: invitationstest.PortworxDemoProjectID},
				AccessPolicy:     models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-admin", ResourceIDs: []string{invitationstest.PortworxDemoProjectID}}}},
			}))
		}},
		{op: "portworx.RevokeIAM", decodes: true, call: func(ctx context.Context, c *invitations.Client) error {
			return relErr(c.IAM.RevokeIAM(ctx, invitationstest.PortworxDemoActorID, &models.PortworxRevokeIAMRequest{
				PortworxIAMScope: models.PortworxIAMScope{TenantID: invitationstest.PortworxDemoTenantID},
				AccessPolicy:     models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin"}}},
			}))
		}},
	}
}

// relTransport is the HTTP transport of every client in the suite: a
// clone of the default transport that counts dial attempts and the bytes
// the SDK reads from response bodies.
type relTransport struct {
	*http.Transport
	dials     atomic.Int64
	bodyBytes atomic.Int64
}

func newRelTransport() *relTransport {
	rt := &relTransport{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		rt.dials.Add(1)
		return dialer.DialContext(ctx, network, addr)
	}
	return rt
}

func (rt *relTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := rt.Transport.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		resp.Body = &relCountingBody{ReadCloser: resp.Body, n: &rt.bodyBytes}
	}
	return resp, err
}

type relCountingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *relCountingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// relClient builds a client on base with zero backoff, the suite's retry
// budget and the counting transport; opts come last and win.
func relClient(t *testing.T, base invitationstest.BaseURLs, rt *relTransport, opts ...invitations.Option) *invitations.Client {
	t.Helper()
	all := append(invitationstest.ClientOptions(base),
		invitations.WithRetryWait(0, 0),
		invitations.WithMaxRetries(relMaxRetries),
		invitations.WithHTTPClient(&http.Client{Transport: rt}))
	c, err := invitations.NewClient(append(all, opts...)...)
	require.NoError(t, err)
	return c
}

// relStats are the suite's figures, printed by TestReliabilitySummary.
var relStats = struct {
	sync.Mutex
	faults      int             // faults injected, a closed port counting as one
	cases       int             // operation calls
	ops         map[string]bool // operations covered
	scenarios   map[string]bool // fault kinds covered
	excess      int             // requests beyond what the policy allows
	knownExcess int             // of which in cases listed in relKnownIssues
	panics      int
	refusedDial int64 // dial attempts made against the closed port
}{ops: map[string]bool{}, scenarios: map[string]bool{}}

func relRecord(scenario, op string, faults, excess int, known, panicked bool) {
	relStats.Lock()
	defer relStats.Unlock()
	relStats.cases++
	relStats.faults += faults
	relStats.ops[op] = true
	if faults > 0 {
		relStats.scenarios[scenario] = true
	}
	relStats.excess += max(0, excess)
	if known {
		relStats.knownExcess += max(0, excess)
	}
	if panicked {
		relStats.panics++
	}
}

// relKnownIssues are cases where the SDK is known to break its retry
// policy, keyed "<scenario>/<operation>". Such a case is skipped while it
// still fails, and fails once it passes, so that its entry is removed
// together with the fix.
var relKnownIssues = map[string]string{}

// relAttempts records, through httptrace, each connection the transport
// obtained for the call: one per attempt, including any attempt the
// transport makes on its own.
type relAttempts struct {
	mu     sync.Mutex
	reused []bool
}

func (a *relAttempts) trace(ctx context.Context) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.reused = append(a.reused, info.Reused)
		},
	})
}

func (a *relAttempts) list() []bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]bool(nil), a.reused...)
}

// relCall runs the operation, turning a panic into an error.
func relCall(ctx context.Context, o relOp, c *invitations.Client) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			err, panicked = fmt.Errorf("panic: %v\n%s", r, debug.Stack()), true
		}
	}()
	return o.call(ctx, c), false
}

// relOutcome is what a case observed.
type relOutcome struct {
	fault    invitationstest.Fault // the fault injected, if any
	start    time.Time             // when the call started
	err      error
	elapsed  time.Duration
	requests int    // requests of this operation that reached the server
	dials    int64  // connections dialled during the call
	attempts []bool // per connection obtained: whether it was reused
	// second is the error of the follow-up call, for scenarios that make one.
	second error
}

// relScenario is one fault kind and what the policy promises under it.
type relScenario struct {
	name string
	// fault is the fault injected for the operation under test (its
	// Operation is filled in); nil injects nothing.
	fault func(o relOp) invitationstest.Fault
	// refused points the client at a loopback port where nothing listens.
	refused bool
	// warm sends a first request on the client before the fault, so that
	// the faulty request travels on a kept-alive connection.
	warm bool
	// opts are extra client options.
	opts []invitations.Option
	// timeout bounds the call's context (0: a generous safety bound).
	timeout time.Duration
	// followUp makes a second call with a client built without opts; the
	// fault must then cover two requests.
	followUp bool
	// want is the exact number of requests the policy lets reach the
	// server for o.
	want func(o relOp) int
	// atMost makes want an upper bound, for a fault whose timing decides
	// whether the request arrives at all.
	atMost bool
	// check asserts the outcome.
	check func(t *testing.T, o relOp, out relOutcome)
}

// Assertions shared by the scenarios.

func relWantAPIError(t *testing.T, err error, status int) *invitations.APIError {
	t.Helper()
	var apiErr *invitations.APIError
	if !assert.True(t, errors.As(err, &apiErr), "want *invitations.APIError with status %d, got %T: %v", status, err, err) {
		return nil
	}
	assert.Equal(t, status, apiErr.StatusCode)
	assert.NotContains(t, err.Error(), "giving up", "the last response must be returned, not retryablehttp's summary")
	return apiErr
}

// relWantDecodeError asserts a *DecodeError, with status unless it is 0.
func relWantDecodeError(t *testing.T, err error, status int) *invitations.DecodeError {
	t.Helper()
	var decErr *invitations.DecodeError
	if !assert.True(t, errors.As(err, &decErr), "want *invitations.DecodeError, got %T: %v", err, err) {
		return nil
	}
	if status != 0 {
		assert.Equal(t, status, decErr.StatusCode)
	}
	return decErr
}

// relWantTransportError asserts an error that is neither an HTTP answer
// nor a decoding problem nor a context expiry: the connection failed.
func relWantTransportError(t *testing.T, err error) {
	t.Helper()
	if !assert.Error(t, err) {
		return
	}
	var apiErr *invitations.APIError
	var decErr *invitations.DecodeError
	var valErr *invitations.ValidationError
	assert.False(t, errors.As(err, &apiErr), "want a transport error, got %T: %v", err, err)
	assert.False(t, errors.As(err, &decErr), "want a transport error, got %T: %v", err, err)
	assert.False(t, errors.As(err, &valErr), "want a transport error, got %T: %v", err, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
}

// relWantBodyOutcome is the outcome of a 2xx whose body is unusable:
// operations that decode fail with a *DecodeError, the others succeed; an
// operation that accepts only 201 reports another 2xx as an *APIError.
// status 0 stands for the operation's own success status, whichever 2xx
// the fake answers it with.
func relWantBodyOutcome(t *testing.T, o relOp, err error, status int) {
	t.Helper()
	switch {
	case status != 0 && o.created && status != http.StatusCreated:
		relWantAPIError(t, err, status)
	case o.decodes && status == 0:
		if decErr := relWantDecodeError(t, err, 0); decErr != nil {
			assert.True(t, decErr.StatusCode >= 200 && decErr.StatusCode < 300, "status %d", decErr.StatusCode)
		}
	case o.decodes:
		relWantDecodeError(t, err, status)
	default:
		assert.NoError(t, err, "%s has no body to decode", o.op)
	}
}

// relEveryRequestCount is the request count of a fault on every request:
// unsafe operations are sent once, safe ones use the whole retry budget.
func relEveryRequestCount(o relOp) int {
	if o.unsafe {
		return 1
	}
	return relMaxRetries + 1
}

// relFirstRequestCount is the request count of a fault on the first request
// only: a safe operation succeeds on its retry.
func relFirstRequestCount(o relOp) int {
	if o.unsafe {
		return 1
	}
	return 2
}

func relAlways(n int) func(relOp) int { return func(relOp) int { return n } }

func relFixed(f invitationstest.Fault) func(relOp) invitationstest.Fault {
	return func(relOp) invitationstest.Fault { return f }
}

// relHTMLPage is a proxy's error page.
const relHTMLPage = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

// relCap is the response cap of the oversized-body scenario.
const relCap = 1024

// relBigBody is a JSON body of about size bytes, of a shape compatible
// with what o decodes: decoding it succeeds but for a size cap.
func relBigBody(o relOp, size int) string {
	obj := `{"padding":"` + strings.Repeat("x", size) + `"}`
	if o.array {
		obj = "[" + obj + "]"
	}
	return obj
}

func relScenarios() []relScenario {
	var out []relScenario

	// No fault: every call succeeds with one request, which validates
	// the table itself.
	out = append(out, relScenario{
		name: "no_fault",
		want: relAlways(1),
		check: func(t *testing.T, o relOp, out relOutcome) {
			assert.NoError(t, out.err)
		},
	})

	// 5xx with the vendor's error body: only safe operations are repeated.
	for _, status := range []int{500, 502, 503, 504} {
		out = append(out, relScenario{
			name:  fmt.Sprintf("status_%d_every_request", status),
			fault: relFixed(invitationstest.Fault{Status: status, Times: -1}),
			want:  relEveryRequestCount,
			check: func(t *testing.T, o relOp, out relOutcome) {
				if apiErr := relWantAPIError(t, out.err, status); apiErr != nil {
					assert.True(t, len(apiErr.Body) > 0 && json.Valid(apiErr.Body), "the vendor's error body is kept: %q", apiErr.Body)
				}
			},
		}, relScenario{
			name:  fmt.Sprintf("status_%d_first_request", status),
			fault: relFixed(invitationstest.Fault{Status: status}),
			want:  relFirstRequestCount,
			check: func(t *testing.T, o relOp, out relOutcome) {
				if o.unsafe {
					relWantAPIError(t, out.err, status)
					return
				}
				assert.NoError(t, out.err)
			},
		})
	}

	// 429 is retried for every operation: the server did nothing.
	rateLimited := func(name string, retryAfter func() string) relScenario {
		return relScenario{
			name: name,
			fault: func(relOp) invitationstest.Fault {
				return invitationstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter()}
			},
			want: relAlways(2),
			check: func(t *testing.T, o relOp, out relOutcome) {
				assert.NoError(t, out.err)
				// Retry-After is honoured: with zero backoff, only it
				// explains a wait.
				if d, err := http.ParseTime(out.fault.RetryAfter); err == nil {
					assert.GreaterOrEqual(t, out.elapsed, d.Sub(out.start)-50*time.Millisecond, "Retry-After %s", out.fault.RetryAfter)
				}
			},
		}
	}
	out = append(out,
		rateLimited("status_429_retry_after_0", func() string { return "0" }),
		rateLimited("status_429_retry_after_past_date", func() string {
			return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
		}),
		rateLimited("status_429_retry_after_date_1s_ahead", func() string {
			return time.Now().Add(time.Second).UTC().Format(http.TimeFormat)
		}),
		rateLimited("status_429_no_retry_after", func() string { return "" }),
		relScenario{
			// The wait fits in the call's deadline, so that only the cap
			// explains the refusal; were the cap ignored, the call would
			// wait 3s and retry, and fail on the request count.
			name:  "status_429_retry_after_over_cap",
			fault: relFixed(invitationstest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "3", Times: -1}),
			opts:  []invitations.Option{invitations.WithMaxRetryAfter(time.Second)},
			want:  relAlways(1),
			check: func(t *testing.T, o relOp, out relOutcome) {
				if apiErr := relWantAPIError(t, out.err, http.StatusTooManyRequests); apiErr != nil {
					assert.Equal(t, 3*time.Second, apiErr.RetryAfter)
					assert.ErrorIs(t, out.err, invitations.ErrRateLimited)
				}
			},
		},
	)

	// Connection refused: no request is ever made, so every operation
	// may be retried, up to the budget.
	out = append(out, relScenario{
		name:    "connection_refused",
		refused: true,
		want:    relAlways(0),
		check: func(t *testing.T, o relOp, out relOutcome) {
			relWantTransportError(t, out.err)
			assert.ErrorIs(t, out.err, syscall.ECONNREFUSED)
			var opErr *net.OpError
			if assert.True(t, errors.As(out.err, &opErr), "want a *net.OpError, got %T", out.err) {
				assert.Equal(t, "dial", opErr.Op)
			}
			assert.Equal(t, int64(relMaxRetries+1), out.dials, "dial attempts")
		},
	})

	// A connection reset before any answer: the server may have acted.
	dropOnce := func(t *testing.T, o relOp, out relOutcome) {
		if o.unsafe {
			relWantTransportError(t, out.err)
			return
		}
		assert.NoError(t, out.err)
	}
	out = append(out, relScenario{
		name:  "drop_every_request",
		fault: relFixed(invitationstest.Fault{Drop: true, Times: -1}),
		want:  relEveryRequestCount,
		check: func(t *testing.T, o relOp, out relOutcome) {
			relWantTransportError(t, out.err)
		},
	}, relScenario{
		name:  "drop_first_request",
		fault: relFixed(invitationstest.Fault{Drop: true}),
		want:  relFirstRequestCount,
		check: dropOnce,
	}, relScenario{
		// On a kept-alive connection, net/http itself may replay a request
		// whose connection died before any answer: the SDK's policy must
		// still hold.
		name:  "drop_first_request_on_reused_connection",
		fault: relFixed(invitationstest.Fault{Drop: true}),
		warm:  true,
		want:  relFirstRequestCount,
		check: func(t *testing.T, o relOp, out relOutcome) {
			if assert.NotEmpty(t, out.attempts) {
				assert.True(t, out.attempts[0], "the faulty request was meant to reuse the warm connection")
			}
			dropOnce(t, o, out)
		},
	})

	// The status line arrived, so the server acted: nothing is repeated.
	out = append(out, relScenario{
		name:  "reset_mid_body",
		fault: relFixed(invitationstest.Fault{ResetMidBody: true, Times: -1}),
		want:  relAlways(1),
		check: func(t *testing.T, o relOp, out relOutcome) {
			relWantBodyOutcome(t, o, out.err, http.StatusOK)
			if o.decodes && !o.created {
				assert.ErrorIs(t, out.err, io.ErrUnexpectedEOF)
			}
		},
	}, relScenario{
		// The operation runs and answers with its own status.
		name:  "truncated_body",
		fault: relFixed(invitationstest.Fault{Truncate: true, Times: -1}),
		want:  relAlways(1),
		check: func(t *testing.T, o relOp, out relOutcome) {
			relWantBodyOutcome(t, o, out.err, 0)
			if o.decodes {
				assert.ErrorIs(t, out.err, io.ErrUnexpectedEOF)
			}
		},
	})

	out = append(out, relScenario{
		name:  "html_502_every_request",
		fault: relFixed(invitationstest.Fault{Status: http.StatusBadGateway, Body: relHTMLPage, Times: -1}),
		want:  relEveryRequestCount,
		check: func(t *testing.T, o relOp, out relOutcome) {
			if apiErr := relWantAPIError(t, out.err, http.StatusBadGateway); apiErr != nil {
				assert.Equal(t, relHTMLPage, string(apiErr.Body))
				assert.Equal(t, "text/html", apiErr.Header.Get("Content-Type"))
			}
		},
	})

	// A success status whose body is unusable: the operation's own
	// success status, so that the body is what fails.
	for _, shape := range []struct{ name, body string }{
		{"empty_success_body", ""},
		{"wrong_shape_array", "[1,2]"},
		{"wrong_shape_string", `"x"`},
	} {
		out = append(out, relScenario{
			name: shape.name,
			fault: func(o relOp) invitationstest.Fault {
				return invitationstest.Fault{Status: o.okStatus(), Body: shape.body, EmptyBody: shape.body == ""}
			},
			want: relAlways(1),
			check: func(t *testing.T, o relOp, out relOutcome) {
				relWantBodyOutcome(t, o, out.err, o.okStatus())
			},
		})
	}

	out = append(out, relScenario{
		name: "body_over_cap",
		fault: func(o relOp) invitationstest.Fault {
			return invitationstest.Fault{Status: o.okStatus(), Body: relBigBody(o, 4<<10), Times: 2}
		},
		opts:     []invitations.Option{invitations.WithMaxResponseBytes(relCap)},
		followUp: true,
		want:     relAlways(2),
		check: func(t *testing.T, o relOp, out relOutcome) {
			relWantBodyOutcome(t, o, out.err, o.okStatus())
			if o.decodes {
				assert.ErrorContains(t, out.err, "WithMaxResponseBytes")
			}
			// The same body under the default cap decodes: the cap alone
			// made the first call fail.
			assert.NoError(t, out.second, "the same body under the default cap")
		},
	})

	// The connection is warmed so that the request reaches the server
	// well within the deadline; on a loaded machine it may still not, so
	// the count is an upper bound here: never a second request.
	out = append(out, relScenario{
		name:    "hang",
		fault:   relFixed(invitationstest.Fault{Hang: true, Times: -1}),
		warm:    true,
		timeout: 200 * time.Millisecond,
		want:    relAlways(1),
		atMost:  true,
		check: func(t *testing.T, o relOp, out relOutcome) {
			assert.ErrorIs(t, out.err, context.DeadlineExceeded)
			// Without the deadline the call would last until the server
			// closes; the margin only absorbs a slow, loaded machine.
			assert.Less(t, out.elapsed, 200*time.Millisecond+5*time.Second, "the deadline ends the call promptly")
		},
	})
	return out
}

// relDemoTokenID returns the id of an access token of the demo Freestyle
// identity. The fake seeds ids from a counter, so every demo fake has it.
func relDemoTokenID(t *testing.T) string {
	t.Helper()
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	rt := newRelTransport()
	defer rt.CloseIdleConnections()
	tokens, err := relClient(t, srv.BaseURLs, rt).Identity.ListGitTokens(t.Context(), invitationstest.FreestyleDemoIdentityID)
	require.NoError(t, err)
	require.NotEmpty(t, tokens)
	return tokens[0].ID
}

// relRefusedAddr is a loopback address where nothing listens. A port
// freed by closing a listener would not do: the kernel hands it out again
// as an ephemeral port, to a fake of this run or of another process, and
// the "refused" requests then land there. Port 1 (tcpmux) lies below the
// ephemeral range, so no test server is ever given it.
const relRefusedAddr = "127.0.0.1:1"

// relRefusedURL returns the URL of relRefusedAddr, or "" when something
// does listen there.
func relRefusedURL(t *testing.T) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", relRefusedAddr, 5*time.Second)
	if err == nil {
		_ = conn.Close()
		return ""
	}
	require.ErrorIs(t, err, syscall.ECONNREFUSED, "dialling %s", relRefusedAddr)
	return "http://" + relRefusedAddr
}

// relSlots bounds how many cases run at once, so that the CPU time of
// starting fakes does not eat into the timing of cases under way.
var relSlots = make(chan struct{}, 32)

// relRunCase runs o under sc on a fake of its own, so that state and
// request counts belong to this case alone.
func relRunCase(t *testing.T, sc relScenario, o relOp, refusedURL string) {
	relSlots <- struct{}{}
	defer func() { <-relSlots }()
	rt := newRelTransport()
	defer rt.CloseIdleConnections()

	var srv *invitationstest.Server
	base := invitationstest.BaseURLsAt(refusedURL)
	if sc.refused && refusedURL == "" {
		t.Skipf("something listens on %s: no port is known to refuse connections", relRefusedAddr)
	}
	if !sc.refused {
		srv = invitationstest.NewServer(invitationstest.WithDemoData())
		defer srv.Close()
		base = srv.BaseURLs
	}
	c := relClient(t, base, rt, sc.opts...)

	if sc.warm {
		_, err := c.SSO.GetInvitation(t.Context(), invitationstest.BIMDataDemoAcceptedInvitationID)
		require.NoError(t, err, "warming the connection")
	}
	var out relOutcome
	faults := 0
	if sc.refused {
		faults = 1
	}
	if srv != nil {
		srv.ClearRequests()
		if sc.fault != nil {
			out.fault = sc.fault(o)
			out.fault.Operation = invitationstest.Operation(o.op)
			require.NoError(t, srv.Inject(out.fault))
			faults = 1
		}
	}
	rt.dials.Store(0)

	timeout := sc.timeout
	if timeout == 0 {
		timeout = 45 * time.Second // a safety bound: no case should come near it
	}
	var attempts relAttempts
	ctx, cancel := context.WithTimeout(attempts.trace(t.Context()), timeout)
	defer cancel()
	out.start = time.Now()
	err, panicked := relCall(ctx, o, c)
	out.elapsed = time.Since(out.start)
	out.err = err
	out.dials = rt.dials.Load()
	out.attempts = attempts.list()
	if sc.followUp {
		c2 := relClient(t, base, rt)
		var p bool
		out.second, p = relCall(t.Context(), o, c2)
		panicked = panicked || p
	}
	if srv != nil {
		n, err := srv.RequestCount(invitationstest.Operation(o.op))
		require.NoError(t, err)
		out.requests = n
	}

	if sc.refused {
		relStats.Lock()
		relStats.refusedDial += out.dials
		relStats.Unlock()
	}

	want := sc.want(o)
	issue, known := relKnownIssues[sc.name+"/"+o.op]
	relRecord(sc.name, o.op, faults, out.requests-want, known, panicked)
	if panicked {
		t.Errorf("%s under %s panicked: %v", o.op, sc.name, err)
		return
	}
	broken := out.requests != want
	if sc.atMost {
		broken = out.requests > want
	}
	if known {
		if broken {
			t.Skipf("known SDK issue (%s): %d requests reached the server, the policy allows %d", issue, out.requests, want)
		}
		t.Errorf("known issue %q no longer reproduces: remove its relKnownIssues entry", issue)
	}
	if broken {
		t.Errorf("%s (unsafe=%v) under %s: %d requests reached the server, the policy allows exactly %d (error: %v)\nconnections: %v (reused or not)\nserver log:%s",
			o.op, o.unsafe, sc.name, out.requests, want, out.err, out.attempts, relServerLog(srv))
	}
	sc.check(t, o, out)
}

// relServerLog lists the requests a fake received, for failure messages.
func relServerLog(srv *invitationstest.Server) string {
	if srv == nil {
		return " (no server)"
	}
	var b strings.Builder
	for _, r := range srv.Requests() {
		fmt.Fprintf(&b, "\n\t%s %s %s %s", r.Time.Format("15:04:05.000"), r.Operation, r.Method, r.Path)
	}
	return b.String()
}

// TestReliabilityFaults runs every operation under every fault, each on a
// fake of its own. The operations of a scenario run concurrently as
// ordinary subtests started from their own goroutines: most of a case is
// waiting (a Retry-After, a deadline), so they need not queue for the
// -parallel slots that the scenarios themselves take.
func TestReliabilityFaults(t *testing.T) {
	tokenID := relDemoTokenID(t)
	ops := relWithTableFacts(t, relOps(tokenID))
	refusedURL := relRefusedURL(t)
	for _, sc := range relScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			var wg sync.WaitGroup
			for _, o := range ops {
				wg.Add(1)
				go func() {
					defer wg.Done()
					t.Run(o.op, func(t *testing.T) { relRunCase(t, sc, o, refusedURL) })
				}()
			}
			wg.Wait()
		})
	}
}

// relWithTableFacts checks that ops call exactly the operations of the
// SDK's table, each once, and fills in what the suite expects of each
// (sent once or retried, 201 only) from the table's row: the calls here
// must then behave as the table says, or the request counts differ.
func relWithTableFacts(t *testing.T, ops []relOp) []relOp {
	t.Helper()
	var want, got []string
	for _, o := range invitations.Operations() {
		want = append(want, o.Name())
	}
	for i, o := range ops {
		got = append(got, o.op)
		row, ok := invitations.LookupOperation(o.op)
		if !assert.True(t, ok, "%s is not in the operation table", o.op) {
			continue
		}
		ops[i].unsafe = row.Retry == invitations.Unsafe
		ops[i].created = slices.Equal(row.Success, []int{http.StatusCreated})
	}
	sort.Strings(want)
	sort.Strings(got)
	require.Equal(t, want, got, "the suite calls each operation of invitations.Operations() once")
	return ops
}

// TestReliabilityBodyCapStopsReading checks that a success body over the
// cap is not read to its end: with a 1 MiB body and a 1 KiB cap, the SDK
// reads at most the cap plus one byte to detect the overflow, plus the
// short drain (4 KiB) that lets a connection be reused.
func TestReliabilityBodyCapStopsReading(t *testing.T) {
	const drain = 4 << 10
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	for _, o := range relWithTableFacts(t, relOps("unused-token-id")) {
		if !o.decodes {
			continue
		}
		rt := newRelTransport()
		c := relClient(t, srv.BaseURLs, rt, invitations.WithMaxResponseBytes(relCap))
		require.NoError(t, srv.Inject(invitationstest.Fault{Operation: invitationstest.Operation(o.op), Status: o.okStatus(), Body: relBigBody(o, 1<<20)}))
		err, panicked := relCall(t.Context(), o, c)
		rt.CloseIdleConnections()
		relRecord("body_over_cap_1MiB", o.op, 1, 0, false, panicked)
		if panicked {
			t.Errorf("%s panicked: %v", o.op, err)
			continue
		}
		relWantDecodeError(t, err, o.okStatus())
		assert.LessOrEqual(t, rt.bodyBytes.Load(), int64(relCap+1+drain), "%s: bytes read from a 1 MiB body", o.op)
	}
}

// TestReliabilitySummary prints the suite's figures. It runs after the
// other reliability tests, which wait for their subtests.
func TestReliabilitySummary(t *testing.T) {
	relStats.Lock()
	defer relStats.Unlock()
	if relStats.cases == 0 {
		t.Skip("no reliability case ran in this process (run -run Reliability)")
	}
	ops := make([]string, 0, len(relStats.ops))
	for op := range relStats.ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	t.Logf("reliability: %d faults injected over %d fault kinds, %d operations covered, %d calls, "+
		"%d requests beyond the retry policy (%d of them in known issues), %d panics, %d dial attempts on a refused port",
		relStats.faults, len(relStats.scenarios), len(ops), relStats.cases,
		relStats.excess, relStats.knownExcess, relStats.panics, relStats.refusedDial)
	assert.Equal(t, relStats.knownExcess, relStats.excess, "requests beyond the retry policy outside known issues")
	assert.Zero(t, relStats.panics, "panics")
}
