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
	{"gitguardian.ListTeams", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{PerPage: 1, IsGlobal: ptr(false), Search: "team"}), 2)
	}},
	{"gitguardian.ListTeams", func(ctx context.Context, c *invitations.Client) error {
		// The global team, whose description is null.
		return pages(c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{IsGlobal: ptr(true)}), 1)
	}},
	{"gitguardian.CreateTeams", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "Security", Description: "Secret triage"})
		return err
	}},
	{"gitguardian.GetTeam", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.GetTeam(ctx, invitationstest.GitGuardianDemoTeamID)
		return err
	}},
	{"gitguardian.UpdateTeam", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.UpdateTeam(ctx, invitationstest.GitGuardianDemoTeamID, &models.UpdateTeamRequest{Name: ptr("Demo Team 2"), Description: ptr("")})
		return err
	}},
	{"gitguardian.DeleteTeam", func(ctx context.Context, c *invitations.Client) error {
		return c.Teams.DeleteTeam(ctx, invitationstest.GitGuardianDemoTeamID)
	}},
	{"gitguardian.ListTeamMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListTeamMemberships(ctx, invitationstest.GitGuardianDemoTeamID, &invitations.ListTeamMembershipsOptions{
			PerPage: 3, TeamPermission: models.TeamPermissionCannotManage, IsTeamLeader: ptr(false), IncidentPermission: models.IncidentPermissionCanView,
		}), 2)
	}},
	{"gitguardian.ListTeamMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListTeamMemberships(ctx, invitationstest.GitGuardianDemoTeamID, &invitations.ListTeamMembershipsOptions{MemberID: invitationstest.GitGuardianDemoMemberID}), 1)
	}},
	{"gitguardian.CreateTeamMembership", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.CreateTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID, &models.CreateTeamMembershipRequest{
			MemberID: invitationstest.GitGuardianDemoMemberID + 30, TeamPermission: models.TeamPermissionCanManage, IsTeamLeader: ptr(true),
			IncidentPermission: models.IncidentPermissionFullAccess,
		}, &invitations.CreateTeamMembershipOptions{SendEmail: ptr(false)})
		return err
	}},
	{"gitguardian.UpdateTeamMembership", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.UpdateTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamMembershipID,
			&models.UpdateTeamMembershipRequest{TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionCanEdit})
		return err
	}},
	{"gitguardian.DeleteTeamMembership", func(ctx context.Context, c *invitations.Client) error {
		return c.Teams.DeleteTeamMembership(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamMembershipID)
	}},
	{"gitguardian.ListMemberTeamMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListMemberTeamMemberships(ctx, invitationstest.GitGuardianDemoOwnerID, &invitations.ListMemberTeamMembershipsOptions{PerPage: 1}), 2)
	}},
	{"gitguardian.ListMemberTeamMemberships", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListMemberTeamMemberships(ctx, invitationstest.GitGuardianDemoMemberID, &invitations.ListMemberTeamMembershipsOptions{TeamID: invitationstest.GitGuardianDemoTeamID}), 1)
	}},
	{"gitguardian.ListTeamInvitations", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListTeamInvitations(ctx, invitationstest.GitGuardianDemoTeamID, &invitations.ListTeamInvitationsOptions{
			PerPage: 1, TeamPermission: models.TeamPermissionCannotManage, IsTeamLeader: ptr(false),
		}), 2)
	}},
	{"gitguardian.ListTeamInvitations", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.Teams.ListTeamInvitations(ctx, invitationstest.GitGuardianDemoTeamID, &invitations.ListTeamInvitationsOptions{
			InvitationID: 1, IncidentPermission: models.IncidentPermissionCanView,
		}), 1)
	}},
	{"gitguardian.CreateTeamInvitations", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.CreateTeamInvitations(ctx, invitationstest.GitGuardianDemoTeamID, &models.CreateTeamInvitationsRequest{
			InvitationID: 5, TeamPermission: models.TeamPermissionCannotManage, IsTeamLeader: ptr(false), IncidentPermission: models.IncidentPermissionCanEdit,
		})
		return err
	}},
	{"gitguardian.UpdateTeamInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.UpdateTeamInvitation(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamInvitationID,
			&models.UpdateTeamInvitationRequest{TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionFullAccess})
		return err
	}},
	{"gitguardian.DeleteTeamInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.Teams.DeleteTeamInvitation(ctx, invitationstest.GitGuardianDemoTeamID, invitationstest.GitGuardianDemoTeamInvitationID)
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
	{"box.GetUserByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.GetUserByID(ctx, invitationstest.BoxDemoPersonUserID, nil)
		return err
	}},
	{"box.GetUserByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.GetUserByID(ctx, invitationstest.BoxDemoPersonUserID, &invitations.UserOptions{Fields: []string{"status", "space_used", "role"}})
		return err
	}},
	{"box.UpdateUserByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.UpdateUserByID(ctx, invitationstest.BoxDemoPersonUserID, &models.UpdateUserRequest{
			Status: models.UserStatusInactive, Name: ptr("Demo Person"), Login: ptr("person@example.com"), Role: models.UserRoleUser,
			Language: ptr("fr"), IsSyncEnabled: ptr(false), JobTitle: ptr("Engineer"), Phone: ptr("6509241374"), Address: ptr("900 Jefferson Ave"),
			TrackingCodes: []models.TrackingCode{{Type: "tracking_code", Name: "department", Value: "Sales"}}, CanSeeManagedUsers: ptr(true),
			Timezone: ptr("Europe/Paris"), IsExternalCollabRestricted: ptr(true), IsExemptFromDeviceLimits: ptr(false),
			IsExemptFromLoginVerification: ptr(false), IsPasswordResetRequired: ptr(true), SpaceAmount: ptr[int64](-1),
			NotificationEmail: models.Value(models.NotificationEmailUpdate{Email: "notifications@example.com"}), ExternalAppUserID: ptr("app-user-1"),
		}, nil)
		return err
	}},
	{"box.UpdateUserByID", func(ctx context.Context, c *invitations.Client) error {
		// Rolled out of the enterprise, notification email removed, the
		// answer reduced to the fields asked for.
		_, err := c.Users.UpdateUserByID(ctx, invitationstest.BoxDemoPersonUserID, &models.UpdateUserRequest{
			Enterprise: models.Null[string](), Notify: ptr(true), NotificationEmail: models.Null[models.NotificationEmailUpdate](),
		}, &invitations.UserOptions{Fields: []string{"status", "enterprise"}})
		return err
	}},
	{"box.DeleteUserByID", func(ctx context.Context, c *invitations.Client) error {
		return c.Users.DeleteUserByID(ctx, invitationstest.BoxDemoPersonUserID, &invitations.DeleteUserOptions{Force: ptr(true), Notify: ptr(false)})
	}},
	{"box.TransferOwnedFolder", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.TransferOwnedFolder(ctx, invitationstest.BoxDemoPersonUserID,
			&models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: invitationstest.BoxDemoUserID}}, &invitations.TransferOwnedFolderOptions{Notify: ptr(false)})
		return err
	}},
	{"box.TransferOwnedFolder", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.TransferOwnedFolder(ctx, invitationstest.BoxDemoPersonUserID,
			&models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: invitationstest.BoxDemoUserID}}, &invitations.TransferOwnedFolderOptions{Fields: []string{"name", "owned_by"}})
		return err
	}},
	{"box.TerminateUsersSessions", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{
			UserIDs: []string{invitationstest.BoxDemoPersonUserID}, UserLogins: []string{invitationstest.DemoPersonEmail}})
		return err
	}},
	{"box.TerminateUsersSessions", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserLogins: []string{invitationstest.DemoPersonEmail}})
		return err
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
	{"bimdata.GetClouds", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.GetClouds(ctx)
		return err
	}},
	{"bimdata.GetCloudUsers", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.GetCloudUsers(ctx, invitationstest.BIMDataDemoCloudID, &invitations.CollaborationUsersOptions{
			Email: invitationstest.DemoPersonEmail, EmailContains: "001", EmailStartsWith: "user", EmailEndsWith: "@example.com"})
		return err
	}},
	{"bimdata.UpdateCloudUser", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.UpdateCloudUser(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoPersonUserID,
			&models.BIMDataUpdateCloudUserRequest{CloudRole: models.BIMDataRoleAdmin})
		return err
	}},
	{"bimdata.DeleteCloudUser", func(ctx context.Context, c *invitations.Client) error {
		return c.Collaboration.DeleteCloudUser(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoPersonUserID)
	}},
	{"bimdata.GetCloudInvitations", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.GetCloudInvitations(ctx, invitationstest.BIMDataDemoCloudID)
		return err
	}},
	{"bimdata.InviteCloudUser", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.InviteCloudUser(ctx, invitationstest.BIMDataDemoCloudID, &models.BIMDataCloudInvitationRequest{
			Email: "new.person@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12", Role: models.BIMDataRoleUser,
			ProjectRole: ptr(models.BIMDataRoleGuest), InAllProjects: true})
		return err
	}},
	{"bimdata.CancelCloudUserInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.Collaboration.CancelCloudUserInvitation(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoCloudUserInvitationID)
	}},
	{"bimdata.GetProjectUsers", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.GetProjectUsers(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID,
			&invitations.CollaborationUsersOptions{EmailEndsWith: "@example.com"})
		return err
	}},
	{"bimdata.UpdateProjectUser", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.UpdateProjectUser(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID,
			invitationstest.BIMDataDemoPersonProjectUserID, &models.BIMDataUpdateProjectUserRequest{Role: models.BIMDataRoleGuest})
		return err
	}},
	{"bimdata.DeleteProjectUser", func(ctx context.Context, c *invitations.Client) error {
		return c.Collaboration.DeleteProjectUser(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID, invitationstest.BIMDataDemoPersonProjectUserID)
	}},
	{"bimdata.GetProjectInvitations", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.GetProjectInvitations(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID)
		return err
	}},
	{"bimdata.InviteProjectUser", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Collaboration.InviteProjectUser(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID,
			&models.BIMDataProjectInvitationRequest{Email: "new.person@example.com", RedirectURI: "https://platform.bimdata.io/cloud/12/project/15", Role: models.BIMDataRoleUser})
		return err
	}},
	{"bimdata.CancelProjectUserInvitation", func(ctx context.Context, c *invitations.Client) error {
		return c.Collaboration.CancelProjectUserInvitation(ctx, invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID, invitationstest.BIMDataDemoProjectUserInvitationID)
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
	// Portworx IAM (portworx-iam.swagger.json, the IAMService gateway's OpenAPI 3).
	{"portworx.ListIAM", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.IAM.ListIAM(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListIAMOptions{
			PageSize: 10, SortBy: models.PortworxIAMSortByEmail, SortOrder: models.PortworxSortOrderDesc}), 2)
	}},
	{"portworx.ListIAM", func(ctx context.Context, c *invitations.Client) error {
		return pages(c.IAM.ListIAM(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListIAMOptions{
			ActorID: invitationstest.PortworxDemoActorID, ProjectUID: invitationstest.PortworxDemoProjectID}), 1)
	}},
	{"portworx.CreateIAM", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.IAM.CreateIAM(ctx, &models.PortworxIAM{
			Meta: &models.PortworxMeta{Name: "ci-deployer", Labels: map[string]string{"team": "platform"}},
			Config: &models.PortworxIAMConfig{ActorID: invitationstest.PortworxDemoServiceAccountID, AccessPolicy: models.PortworxAccessPolicy{
				Account: []string{"account-reader"},
				Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{invitationstest.PortworxDemoProjectID}}}}},
		})
		return err
	}},
	{"portworx.GetIAM", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.IAM.GetIAM(ctx, invitationstest.PortworxDemoActorID)
		return err
	}},
	{"portworx.DeleteIAM", func(ctx context.Context, c *invitations.Client) error {
		return c.IAM.DeleteIAM(ctx, invitationstest.PortworxDemoActorID)
	}},
	{"portworx.GrantIAM", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.IAM.GrantIAM(ctx, invitationstest.PortworxDemoActorID, &models.PortworxGrantIAMRequest{
			PortworxIAMScope: models.PortworxIAMScope{TenantID: invitationstest.PortworxDemoTenantID},
			AccessPolicy:     models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-admin", ResourceIDs: []string{invitationstest.PortworxDemoProjectID}}}},
		})
		return err
	}},
	{"portworx.RevokeIAM", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.IAM.RevokeIAM(ctx, invitationstest.PortworxDemoActorID, &models.PortworxRevokeIAMRequest{
			PortworxIAMScope: models.PortworxIAMScope{TenantID: invitationstest.PortworxDemoTenantID},
			AccessPolicy:     models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{invitationstest.PortworxDemoTenantID}}}},
		})
		return err
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
	{"gitguardian.GetTeam", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Teams.GetTeam(ctx, invitationstest.GitGuardianDemoMemberID) // a member id, not a team's
		return notFound(err)
	}},
	{"gitguardian.DeleteTeamMembership", func(ctx context.Context, c *invitations.Client) error {
		// A membership of another team is not found under this one.
		return notFound(c.Teams.DeleteTeamMembership(ctx, invitationstest.GitGuardianDemoGlobalTeamID, invitationstest.GitGuardianDemoTeamMembershipID))
	}},
	{"gitguardian.ListMemberTeamMemberships", func(ctx context.Context, c *invitations.Client) error {
		return notFound(pages(c.Teams.ListMemberTeamMemberships(ctx, 999999, nil), 1))
	}},
	{"gitguardian.CreateTeams", func(ctx context.Context, c *invitations.Client) error {
		// A name already taken: the document's 409.
		_, err := c.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "demo team"})
		if errors.Is(err, invitations.ErrConflict) {
			return nil
		}
		return fmt.Errorf("want the vendor's 409, got %v", err)
	}},
	{"box.GetGroupMembershipByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.GetGroupMembershipByID(ctx, "1", nil)
		return notFound(err)
	}},
	{"box.GetUserByID", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Users.GetUserByID(ctx, "1", nil)
		return notFound(err)
	}},
	{"box.DeleteUserByID", func(ctx context.Context, c *invitations.Client) error {
		// Box refuses to delete a user who owns content, without force.
		err := c.Users.DeleteUserByID(ctx, invitationstest.BoxDemoPersonUserID, nil)
		var apiErr *invitations.APIError
		if errors.As(err, &apiErr) && apiErr.StatusCode == 400 {
			return nil
		}
		return fmt.Errorf("want Box's 400, got %v", err)
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
	{"bimdata.DeleteCloudUser", func(ctx context.Context, c *invitations.Client) error {
		return notFound(c.Collaboration.DeleteCloudUser(ctx, invitationstest.BIMDataDemoCloudID, 999999))
	}},
	{"bimdata.CancelProjectUserInvitation", func(ctx context.Context, c *invitations.Client) error {
		return notFound(c.Collaboration.CancelProjectUserInvitation(ctx, invitationstest.BIMDataDemoCloudID, 999999, invitationstest.BIMDataDemoProjectUserInvitationID))
	}},
	{"portworx.GetInvitation", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.AccountInvitations.GetInvitation(ctx, "6f1c2a8e-3b4d-4e5f-9a0b-ffffffffffff")
		return notFound(err)
	}},
	{"portworx.GetIAM", func(ctx context.Context, c *invitations.Client) error {
		// A known actor without role bindings.
		_, err := c.IAM.GetIAM(ctx, invitationstest.PortworxDemoServiceAccountID)
		return notFound(err)
	}},
	{"portworx.RevokeIAM", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.IAM.RevokeIAM(ctx, "a1c3e5f7-2b4d-4f6a-8c0e-ffffffffffff", &models.PortworxRevokeIAMRequest{
			PortworxIAMScope: models.PortworxIAMScope{AccountID: invitationstest.PortworxDemoAccountID},
			AccessPolicy:     models.PortworxAccessPolicy{Account: []string{"account-admin"}},
		})
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
