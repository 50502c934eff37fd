// Command onboard invites one person everywhere: a GitGuardian workspace
// invitation, a Box group membership, a Freestyle identity with a git
// permission, a Portworx tenant invitation, and acceptance of a pending
// BIMData identity-provider invitation.
//
//	go run ./examples/onboard -email ada@example.com
//
// With no vendor credentials in the environment it runs on the embedded
// fake with demo data; with some, it uses those real APIs and skips the
// others. Every step prints one line; the first failure stops the program
// with a non-zero exit.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/examples/internal/setup"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

type flags struct {
	email      string
	level      string
	boxUser    string
	boxGroup   string
	repo       string
	pxTenant   string
	pxRole     string
	invitation int64
	timeout    time.Duration
}

func main() {
	var f flags
	flag.StringVar(&f.email, "email", "ada.lovelace@example.com", "email of the person to onboard")
	flag.StringVar(&f.level, "gitguardian-level", "member", "GitGuardian access level: member, manager or restricted")
	flag.StringVar(&f.boxUser, "box-user", "", "Box user id of the person (default: a demo user on the fake)")
	flag.StringVar(&f.boxGroup, "box-group", "", "Box group to add them to (default: the demo group on the fake)")
	flag.StringVar(&f.repo, "freestyle-repo", "", "Freestyle git repository to give them write access to (default: a demo repo on the fake)")
	flag.StringVar(&f.pxTenant, "px-tenant", "", "Portworx tenant to invite them to (default: the demo tenant on the fake)")
	flag.StringVar(&f.pxRole, "px-role", "tenant-admin", "Portworx tenant role to grant")
	flag.Int64Var(&f.invitation, "bimdata-invitation", 0, "BIMData invitation to accept (default: the first pending one)")
	flag.DurationVar(&f.timeout, "timeout", time.Minute, "give up after this long")
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "onboard:", err)
		os.Exit(1)
	}
}

func run(f flags) error {
	env, err := setup.New("examples-onboard/1.0", os.Stdout)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Fake {
		f.boxUser = cmp.Or(f.boxUser, invitationstest.BoxDemoUserID)
		f.boxGroup = cmp.Or(f.boxGroup, invitationstest.BoxDemoGroupID)
		f.repo = cmp.Or(f.repo, invitationstest.FreestyleDemoRepoID)
		f.pxTenant = cmp.Or(f.pxTenant, invitationstest.PortworxDemoTenantID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	c := env.Client

	if env.Enabled(setup.GitGuardian) {
		inv, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: f.email, AccessLevel: models.AccessLevel(f.level)}, nil)
		switch {
		case errors.Is(err, invitations.ErrConflict):
			fmt.Printf("GitGuardian  %s already has an invitation or a seat\n", f.email)
		case err != nil:
			return fmt.Errorf("GitGuardian: %w", err)
		default:
			fmt.Printf("GitGuardian  invited %s (invitation %d, access level %s)\n", inv.Email, inv.ID, inv.AccessLevel)
		}
	}

	if env.Enabled(setup.Box) {
		if f.boxUser == "" || f.boxGroup == "" {
			return errors.New("Box: -box-user and -box-group are required on the real API")
		}
		m, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
			User: models.Ref{ID: f.boxUser}, Group: models.Ref{ID: f.boxGroup}, Role: models.GroupMembershipRoleMember,
		}, nil)
		switch {
		case errors.Is(err, invitations.ErrConflict):
			fmt.Printf("Box          user %s is already in group %s\n", f.boxUser, f.boxGroup)
		case err != nil:
			return fmt.Errorf("Box: %w", err)
		default:
			fmt.Printf("Box          added user %s to group %s (membership %s, role %s)\n", f.boxUser, groupName(m, f.boxGroup), m.ID, m.Role)
		}
	}

	if env.Enabled(setup.Freestyle) {
		if f.repo == "" {
			return errors.New("Freestyle: -freestyle-repo is required on the real API")
		}
		id, err := c.Identity.CreateIdentity(ctx)
		if err != nil {
			return fmt.Errorf("Freestyle: %w", err)
		}
		if err := c.Identity.GrantGitPermission(ctx, id.ID, f.repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite}); err != nil {
			return fmt.Errorf("Freestyle: identity %s created, but granting %s failed: %w", id.ID, f.repo, err)
		}
		fmt.Printf("Freestyle    created identity %s with write access to repository %s\n", id.ID, f.repo)
	}

	if env.Enabled(setup.Portworx) {
		if f.pxTenant == "" {
			return errors.New("Portworx: -px-tenant is required on the real API")
		}
		inv, err := c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{
			Config: &models.PortworxInvitationConfig{
				UserEmail: f.email,
				TenantID:  f.pxTenant,
				AccessPolicy: models.PortworxAccessPolicy{
					Tenant: []models.PortworxRoleBinding{{RoleName: f.pxRole, ResourceIDs: []string{f.pxTenant}}},
				},
			},
		})
		if err != nil {
			return fmt.Errorf("Portworx: %w", err)
		}
		fmt.Printf("Portworx     invited %s to tenant %s as %s (invitation %s)\n", f.email, f.pxTenant, f.pxRole, inv.Meta.UID)
	}

	if env.Enabled(setup.BIMData) {
		id := f.invitation
		if id == 0 {
			pending, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
			if err != nil {
				return fmt.Errorf("BIMData: %w", err)
			}
			if len(pending) == 0 {
				fmt.Println("BIMData      no pending invitation to accept")
				return nil
			}
			id = pending[0].ID
		}
		if err := c.SSO.AcceptInvitation(ctx, id); err != nil {
			return fmt.Errorf("BIMData: %w", err)
		}
		fmt.Printf("BIMData      accepted invitation %d\n", id)
	}
	fmt.Println("done")
	return nil
}

// groupName names the group as Box returned it, else by its id.
func groupName(m *models.GroupMembership, id string) string {
	if m.Group != nil && m.Group.Name != "" {
		return fmt.Sprintf("%q", m.Group.Name)
	}
	return id
}
