// Command offboard finds everything tied to one person across the five
// APIs and revokes it: pending GitGuardian invitations, Box group
// memberships, a Freestyle identity with its tokens and permissions, the
// BIMData user, and Portworx invitations.
//
//	go run ./examples/offboard -email ada@example.com -dry-run
//
// -dry-run lists what would be revoked without changing anything. With no
// vendor credentials in the environment it runs on the embedded fake with
// demo data, whose demo person, user001@example.com, has something in
// every API (the default -email there); any other email finds only what
// the demo data ties to it, often nothing:
//
//	go run ./examples/offboard -dry-run                            # the demo person
//	go run ./examples/offboard -email ada@example.com -dry-run     # nothing found
//
// Freestyle identities carry no email: on the real API pass the person's
// identity with -freestyle-identity. On the fake, the demo identity
// belongs to the demo person.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/examples/internal/setup"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

type flags struct {
	email     string
	dryRun    bool
	boxUser   string
	boxGroups string
	identity  string
	pxTenant  string
	timeout   time.Duration
}

func main() {
	var f flags
	flag.StringVar(&f.email, "email", "", "email of the person to offboard (default on the fake: the demo person "+invitationstest.DemoPersonEmail+")")
	flag.BoolVar(&f.dryRun, "dry-run", false, "only list what would be revoked")
	flag.StringVar(&f.boxUser, "box-user", "", "Box user id of the person; without it, -box-groups are searched by login")
	flag.StringVar(&f.boxGroups, "box-groups", "", "comma-separated Box groups to search for the person's login (default on the fake: the three demo groups)")
	flag.StringVar(&f.identity, "freestyle-identity", "", "Freestyle identity of the person (default on the fake, for the demo person only: the demo identity)")
	flag.StringVar(&f.pxTenant, "px-tenant", "", "Portworx tenant to search (default on the fake: the demo tenant)")
	flag.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "offboard:", err)
		os.Exit(1)
	}
}

// revocation is one thing to revoke, with how.
type revocation struct {
	api    setup.API
	what   string
	revoke func(context.Context) error
}

// errSkipped is a finder saying it could not search, having said why.
var errSkipped = errors.New("skipped")

func run(f flags, out io.Writer) error {
	env, err := setup.New("examples-offboard/1.0", out)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Fake {
		f.email = cmp.Or(f.email, invitationstest.DemoPersonEmail)
		// The demo groups: Contractors, Support and Engineering.
		f.boxGroups = cmp.Or(f.boxGroups, invitationstest.BoxDemoGroupID+",119720,119721")
		f.pxTenant = cmp.Or(f.pxTenant, invitationstest.PortworxDemoTenantID)
		if strings.EqualFold(f.email, invitationstest.DemoPersonEmail) {
			// The one identity the demo data ties to a person.
			f.identity = cmp.Or(f.identity, invitationstest.FreestyleDemoIdentityID)
		}
	}
	if f.email == "" {
		return errors.New("-email is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()

	// Find first, then revoke: deleting while paging would shift offsets.
	var todo []revocation
	finders := []struct {
		api  setup.API
		find func(context.Context, *setup.Env, flags, io.Writer) ([]revocation, error)
	}{
		{setup.GitGuardian, findGitGuardian},
		{setup.Box, findBox},
		{setup.Freestyle, findFreestyle},
		{setup.BIMData, findBIMData},
		{setup.Portworx, findPortworx},
	}
	for _, finder := range finders {
		if !env.Enabled(finder.api) {
			continue
		}
		found, err := finder.find(ctx, env, f, out)
		if errors.Is(err, errSkipped) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", finder.api, err)
		}
		if len(found) == 0 {
			fmt.Fprintf(out, "%-12s nothing found for %s\n", finder.api, f.email)
		}
		todo = append(todo, found...)
	}

	verb := "revoked"
	if f.dryRun {
		verb = "would revoke"
	}
	for _, r := range todo {
		if !f.dryRun {
			if err := r.revoke(ctx); err != nil {
				return fmt.Errorf("%s: revoking %s: %w", r.api, r.what, err)
			}
		}
		fmt.Fprintf(out, "%-12s %s %s\n", r.api, verb, r.what)
	}
	summary := "revoked"
	if f.dryRun {
		summary = "would be revoked (dry run)"
	}
	fmt.Fprintf(out, "%d item(s) %s for %s\n", len(todo), summary, f.email)
	return nil
}

func findGitGuardian(ctx context.Context, env *setup.Env, f flags, _ io.Writer) ([]revocation, error) {
	c := env.Client
	var out []revocation
	for inv, err := range c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: f.email, PerPage: 100}).All() {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(inv.Email, f.email) {
			out = append(out, revocation{setup.GitGuardian, fmt.Sprintf("pending invitation %d", inv.ID), func(ctx context.Context) error {
				return c.Invitations.DeleteInvitation(ctx, inv.ID)
			}})
		}
	}
	return out, nil
}

func findBox(ctx context.Context, env *setup.Env, f flags, _ io.Writer) ([]revocation, error) {
	c := env.Client
	var pagers []*invitations.Pager[models.GroupMembership]
	switch {
	case f.boxUser != "":
		pagers = append(pagers, c.Memberships.GetUserMemberships(ctx, f.boxUser, &invitations.ListMembershipsOptions{Limit: 1000}))
	case f.boxGroups != "":
		for _, g := range strings.Split(f.boxGroups, ",") {
			pagers = append(pagers, c.Memberships.GetGroupMemberships(ctx, strings.TrimSpace(g), &invitations.ListMembershipsOptions{Limit: 1000}))
		}
	default:
		return nil, errors.New("-box-user or -box-groups is required on the real API")
	}
	var out []revocation
	for _, pager := range pagers {
		for m, err := range pager.All() {
			if err != nil {
				return nil, err
			}
			if f.boxUser == "" && (m.User == nil || !strings.EqualFold(m.User.Login, f.email)) {
				continue
			}
			group := "?"
			if m.Group != nil {
				group = cmp.Or(m.Group.Name, m.Group.ID)
			}
			out = append(out, revocation{setup.Box, fmt.Sprintf("membership %s in group %s", m.ID, group), func(ctx context.Context) error {
				return c.Memberships.DeleteGroupMembershipByID(ctx, m.ID)
			}})
		}
	}
	return out, nil
}

func findFreestyle(ctx context.Context, env *setup.Env, f flags, out io.Writer) ([]revocation, error) {
	c := env.Client
	if f.identity == "" {
		fmt.Fprintf(out, "Freestyle    nothing searched: identities carry no email; pass %s's identity with -freestyle-identity\n", f.email)
		return nil, errSkipped
	}
	tokens, err := c.Identity.ListGitTokens(ctx, f.identity)
	if errors.Is(err, invitations.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Deleting the identity revokes its tokens and permissions with it;
	// they are listed so the log shows what goes.
	what := fmt.Sprintf("identity %s with %d git token(s)", f.identity, len(tokens))
	return []revocation{{setup.Freestyle, what, func(ctx context.Context) error {
		return c.Identity.DeleteIdentity(ctx, f.identity)
	}}}, nil
}

func findBIMData(ctx context.Context, env *setup.Env, f flags, _ io.Writer) ([]revocation, error) {
	c := env.Client
	var out []revocation
	pending, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	if err != nil {
		return nil, err
	}
	for _, inv := range pending {
		if strings.EqualFold(inv.Email, f.email) {
			out = append(out, revocation{setup.BIMData, fmt.Sprintf("pending invitation %d (denied)", inv.ID), func(ctx context.Context) error {
				return c.SSO.DenyInvitation(ctx, inv.ID)
			}})
		}
	}
	// BIMData cannot look a user up: the fake can tell whether one exists;
	// on the real API only the DeleteUser itself finds out.
	what := "user " + f.email
	exists, known := env.BIMDataUser(f.email)
	switch {
	case known && !exists:
		return out, nil
	case !known:
		what += " (if BIMData has one: its API has no lookup)"
	}
	out = append(out, revocation{setup.BIMData, what, func(ctx context.Context) error {
		err := c.SSO.DeleteUser(ctx, f.email)
		if errors.Is(err, invitations.ErrNotFound) {
			return nil // no such user: nothing to remove
		}
		return err
	}})
	return out, nil
}

func findPortworx(ctx context.Context, env *setup.Env, f flags, _ io.Writer) ([]revocation, error) {
	c := env.Client
	if f.pxTenant == "" {
		return nil, errors.New("-px-tenant is required on the real API")
	}
	var out []revocation
	for inv, err := range c.AccountInvitations.ListInvitations(ctx, f.pxTenant, nil).All() {
		if err != nil {
			return nil, err
		}
		if inv.Config == nil || inv.Meta == nil || !strings.EqualFold(inv.Config.UserEmail, f.email) {
			continue
		}
		uid := inv.Meta.UID
		out = append(out, revocation{setup.Portworx, "invitation " + uid, func(ctx context.Context) error {
			return c.AccountInvitations.DeleteInvitation(ctx, uid, nil)
		}})
	}
	return out, nil
}
