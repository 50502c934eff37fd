package contract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// operationCase drives one SDK operation against a fresh fake holding the
// demo data. Every request it sends, including any it needs first (creating
// the token it then revokes), is checked against the vendor document.
type operationCase struct {
	// op is the operation's name in the SDK's operation table
	// ("<api>.<Method>", invitations.Operation.Name), as the fake's
	// request log records it. The table's DocOperationID is the document
	// route the request must be routed to; a request the fake calls op
	// landing on another route of the document is a violation.
	op string
	// call makes the SDK call, with options set so that as many of the
	// operation's parameters as possible reach the wire.
	call func(ctx context.Context, c *invitations.Client) error
}

// operations is every operation of the SDK, one row each, then a few
// error answers. Adding an operation to the SDK's operation table means
// adding its row here: the test fails until every operation of the table
// has one, and on a row naming an operation the table does not have.
var operations = []operationCase{
	// GitGuardian (gitguardian.json, 2023, patched where newer routes exist).
	{"gitguardian.ListInvitations", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 5, Search: "example.com", Ordering: models.ListInvitationsOrderingDateDesc}), 2)
	}},
	{"gitguardian.CreateInvitations", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "new.person@example.com", AccessLevel: models.AccessLevelManager},
			&invitations.CreateInvitationsOptions{SendEmail: ptr(false)})
		return err
	}},
	{"gitguardian.DeleteInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.Invitations.DeleteInvitation(ctx, 1)
	}},
	{"gitguardian.ResendInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.ResendInvitation(ctx, 1)
		return err
	}},
	{"gitguardian.GetInvitationResourceAccess", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.GetInvitationResourceAccess(ctx, 1, models.ResourceTypeSecretIncidents, 3000)
		return err
	}},
	{"gitguardian.SetInvitationResourceAccess", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.SetInvitationResourceAccess(ctx, &models.ResourceInvitationAccess{
			InvitationID: 2, ResourceID: 3000, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionCanEdit})
		return err
	}},
	{"gitguardian.RevokeInvitationResourceAccess", func(ctx context.Context, c *invitations.Client) error {
		return c.Invitations.RevokeInvitationResourceAccess(ctx, &models.ResourceInvitationAccess{
			InvitationID: 1, ResourceID: 3000, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionCanView})
	}},
	{"gitguardian.ListInvitationSecretIncidentAccess", func(ctx context.Context, c *invitations.Client) error {
		after := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
		return pages(c.Invitations.ListInvitationSecretIncidentAccess(ctx, 1, &invitations.ListInvitationSecretIncidentAccessOptions{
			PerPage: 3, DateAfter: &after, Status: models.StatusTriggered, Validity: models.ValidityValid,
			Tags: []models.TagEnum{models.TagFromHistoricalScan}, Ordering: "-date", DetectorGroupName: "slackbot_token",
			AssigneeID: ptr[int64](7), Feedback: ptr(false),
		}), 2)
	}},

	{"gitguardian.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.GetInvitation(ctx, 1)
		return err
	}},
	{"gitguardian.ListMembers", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Members.ListMembers(ctx, &invitations.ListMembersOptions{
			PerPage: 3, Search: "example.com", AccessLevel: models.AccessLevelMember, Active: ptr(true), Ordering: models.ListMembersOrderingLastLoginDesc,
		}), 2)
	}},
	{"gitguardian.ListMembers", func(ctx context.Context, c *invitations.Client) error {
		// The 2023 name of the access level filter, and deactivated members.
		return pages(c.Members.ListMembers(ctx, &invitations.ListMembersOptions{Role: models.AccessLevelRestricted, Active: ptr(false), Ordering: models.ListMembersOrderingCreatedAt}), 1)
	}},
	{"gitguardian.GetMember", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Members.GetMember(ctx, invitationstest.GitGuardianDemoMemberID)
		return err
	}},
	{"gitguardian.UpdateMember", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Members.UpdateMember(ctx, invitationstest.GitGuardianDemoMemberID,
			&models.UpdateMemberRequest{AccessLevel: models.AccessLevelManager, Active: ptr(false)}, &invitations.MemberEmailOptions{SendEmail: ptr(false)})
		return err
	}},
	{"gitguardian.DeleteMember", func(ctx context.Context, c *invitations.Client) error {
		return c.Members.DeleteMember(ctx, invitationstest.GitGuardianDemoMemberID, &invitations.MemberEmailOptions{SendEmail: ptr(true)})
	}},

	// Box (box.json).
	{"box.GetUsers", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{
			FilterTerm: "Demo User", UserType: models.UserTypeManaged, Fields: []string{"login", "status", "job_title"}, Limit: 10,
		}), 2)
	}},
	{"box.GetUsers", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{UserType: models.UserTypeAll, ExternalAppUserID: "my-app-user-1", Offset: 0}), 1)
	}},
	// Marker paging: usemarker, then the marker of next_marker.
	{"box.GetUsers", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{UseMarker: true, Fields: []string{"login"}, Limit: 100}), 2)
	}},
	{"box.GetGroups", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{Fields: []string{"description", "provenance"}, Limit: 2}), 2)
	}},
	{"box.GetGroups", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{FilterTerm: "Contr", Offset: 0}), 1)
	}},
	{"box.GetUserMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetUserMemberships(ctx, "11446000", &invitations.ListMembershipsOptions{Limit: 1}), 2)
	}},
	{"box.GetGroupMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Memberships.GetGroupMemberships(ctx, invitationstest.BoxDemoGroupID, &invitations.ListMembershipsOptions{Limit: 50}), 2)
	}},
	{"box.CreateGroupMembership", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
			User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID}, Role: models.GroupMembershipRoleAdmin,
			ConfigurablePermissions: models.Value(map[string]bool{"can_run_reports": true}),
		}, &invitations.GroupMembershipOptions{Fields: []string{"id", "role", "user", "group"}}, invitations.WithBoxNotificationsSuppressed())
		return err
	}},
	{"box.GetGroupMembershipByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.GetGroupMembershipByID(ctx, "434534", &invitations.GroupMembershipOptions{Fields: []string{"role"}})
		return err
	}},
	{"box.UpdateGroupMembershipByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.UpdateGroupMembershipByID(ctx, "434534", &models.UpdateGroupMembershipRequest{
			Role: models.GroupMembershipRoleAdmin, ConfigurablePermissions: models.Null[map[string]bool](),
		}, nil)
		return err
	}},
	{"box.DeleteGroupMembershipByID", func(ctx context.Context, c *invitations.Client) error {
		return c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	}},

	// Freestyle (the /identity/v1 API, freestyle-identity-v1.apievangelist.yaml).
	{"freestyle.ListIdentities", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: 20, IncludeManaged: ptr(true)}), 2)
	}},
	{"freestyle.CreateIdentity", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.CreateIdentity(ctx)
		return err
	}},
	{"freestyle.DeleteIdentity", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.DeleteIdentity(ctx, invitationstest.FreestyleDemoIdentityID)
	}},
	{"freestyle.ListGitPermissions", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Identity.ListGitPermissions(ctx, invitationstest.FreestyleDemoIdentityID, &invitations.ListGitPermissionsOptions{Limit: 3}), 2)
	}},
	{"freestyle.DescribeGitPermission", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.DescribeGitPermission(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoRepoID)
		return err
	}},
	{"freestyle.GrantGitPermission", func(ctx context.Context, c *invitations.Client) error {
		id, err := c.Identity.CreateIdentity(ctx)
		if err != nil {
			return err
		}
		return c.Identity.GrantGitPermission(ctx, id.ID, invitationstest.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite})
	}},
	{"freestyle.UpdateGitPermission", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.UpdateGitPermission(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoRepoID, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelRead})
	}},
	{"freestyle.RevokeGitPermission", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.RevokeGitPermission(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoRepoID)
	}},
	{"freestyle.ListVMPermissions", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Identity.ListVMPermissions(ctx, invitationstest.FreestyleDemoIdentityID, &invitations.ListVMPermissionsOptions{Limit: 2}), 2)
	}},
	{"freestyle.DescribeVMPermission", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.DescribeVMPermission(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoVMID)
		return err
	}},
	{"freestyle.GrantVMPermission", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.GrantVMPermission(ctx, invitationstest.FreestyleDemoIdentityID, "newvm1", &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"root"})})
		return err
	}},
	{"freestyle.UpdateAllowedUsers", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.UpdateAllowedUsers(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoVMID, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()})
		return err
	}},
	{"freestyle.RevokeVMPermission", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.RevokeVMPermission(ctx, invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoVMID)
	}},
	{"freestyle.ListGitTokens", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.ListGitTokens(ctx, invitationstest.FreestyleDemoIdentityID)
		return err
	}},
	{"freestyle.CreateGitToken", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.CreateGitToken(ctx, invitationstest.FreestyleDemoIdentityID)
		return err
	}},
	{"freestyle.RevokeGitToken", func(ctx context.Context, c *invitations.Client) error {
		tokens, err := c.Identity.ListGitTokens(ctx, invitationstest.FreestyleDemoIdentityID)
		if err != nil {
			return err
		}
		if len(tokens) == 0 {
			return fmt.Errorf("the demo identity has no token to revoke")
		}
		return c.Identity.RevokeGitToken(ctx, invitationstest.FreestyleDemoIdentityID, tokens[0].ID)
	}},

	// BIMData (bimdata.json, Swagger 2.0 converted to OpenAPI 3).
	{"bimdata.GetInvitations", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
		return err
	}},
	// StreamInvitations: the same request, the answer decoded as a stream.
	{"bimdata.GetInvitations", func(ctx context.Context, c *invitations.Client) error {
		for _, err := range c.SSO.StreamInvitations(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"bimdata.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		// The cloud-only invitation: its project and sender are null.
		_, err := c.SSO.GetInvitation(ctx, invitationstest.BIMDataDemoCloudInvitationID)
		return err
	}},
	{"bimdata.AcceptInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.SSO.AcceptInvitation(ctx, invitationstest.BIMDataDemoInvitationID)
	}},
	{"bimdata.DenyInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.SSO.DenyInvitation(ctx, invitationstest.BIMDataDemoInvitationID)
	}},
	{"bimdata.DeleteUser", func(ctx context.Context, c *invitations.Client) error {
		return c.SSO.DeleteUser(ctx, invitationstest.BIMDataDemoUserEmail)
	}},

	// Portworx (portworx-invitation.swagger.json, the gateway's OpenAPI 3).
	{"portworx.CreateInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{
			Meta: &models.PortworxMeta{Name: "new-person", Labels: map[string]string{"team": "data"}},
			Config: &models.PortworxInvitationConfig{UserEmail: "new.person@example.com", TenantID: invitationstest.PortworxDemoTenantID,
				AccessPolicy: models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{invitationstest.PortworxDemoProjectID}}}}},
		})
		return err
	}},
	{"portworx.ListInvitations", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: 10}), 2)
	}},
	{"portworx.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.AccountInvitations.GetInvitation(ctx, invitationstest.PortworxDemoInvitationUID)
		return err
	}},
	{"portworx.DeleteInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.AccountInvitations.DeleteInvitation(ctx, invitationstest.PortworxDemoInvitationUID, &invitations.DeleteAccountInvitationOptions{ProjectID: invitationstest.PortworxDemoProjectID})
	}},
	{"portworx.AcceptInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.AccountInvitations.AcceptInvitation(ctx, invitationstest.PortworxDemoAccountID)
		return err
	}},
	{"portworx.NotifyUser", func(ctx context.Context, c *invitations.Client) error {
		return c.AccountInvitations.NotifyUser(ctx, invitationstest.PortworxDemoInvitationUID)
	}},

	// Error answers, so that the fake's error bodies are checked too
	// (Freestyle's document declares no error response to check against).
	{"gitguardian.DeleteInvitation", func(ctx context.Context, c *invitations.Client) error {
		return notFound(c.Invitations.DeleteInvitation(ctx, 999999))
	}},
	{"gitguardian.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.GetInvitation(ctx, 999999)
		return notFound(err)
	}},
	{"gitguardian.GetMember", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Members.GetMember(ctx, 1) // an invitation id, not a member's
		return notFound(err)
	}},
	{"gitguardian.DeleteMember", func(ctx context.Context, c *invitations.Client) error {
		// The workspace owner cannot be removed: the document's 403.
		err := c.Members.DeleteMember(ctx, invitationstest.GitGuardianDemoOwnerID, nil)
		if errors.Is(err, invitations.ErrForbidden) {
			return nil
		}
		return fmt.Errorf("want the vendor's 403, got %v", err)
	}},
	{"box.GetGroupMembershipByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.GetGroupMembershipByID(ctx, "1", nil)
		return notFound(err)
	}},
	// StreamInvitations: the same request, the answer decoded as a stream.
	{"bimdata.GetInvitations", func(ctx context.Context, c *invitations.Client) error {
		for _, err := range c.SSO.StreamInvitations(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"bimdata.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.SSO.GetInvitation(ctx, 999999)
		return notFound(err)
	}},
	{"portworx.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.AccountInvitations.GetInvitation(ctx, "6f1c2a8e-3b4d-4e5f-9a0b-ffffffffffff")
		return notFound(err)
	}},
}

// notFound expects the call to have failed with the vendor's 404.
func notFound(err error) error {
	if errors.Is(err, invitations.ErrNotFound) {
		return nil
	}
	return fmt.Errorf("want the vendor's 404, got %v", err)
}

// pages fetches up to n pages of a list, so that the follow-up request
// (cursor, offset or page number) is checked too.
func pages[T any](p *invitations.Pager[T], n int) error {
	for _, err := range p.Pages() {
		if err != nil {
			return err
		}
		if n--; n == 0 {
			break
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
