// Command offboard finds everything tied to one person across the five
// APIs and revokes it, with package access: it plans the person's
// offboarding (Manager.Offboard), prints each change, applies the plan
// (Manager.Apply), prints each outcome, then reads every API again to
// verify that nothing is left. Per API, in this order:
//
//   - GitGuardian: team memberships and team invitations, then the
//     workspace member (removed, or deactivated with -gitguardian-member
//     deactivate), then a pending workspace invitation;
//   - Box: the person's sessions (an active account's), group
//     memberships, the content they own (transferred to -transfer-to's
//     user, when given), then the account (deactivated, deleted or kept:
//     -box-account);
//   - Freestyle: the identity's access tokens, git and VM permissions,
//     then the identity;
//   - BIMData: project memberships and invitations, cloud memberships and
//     invitations, then a pending identity-provider invitation (denied) or
//     the user of an accepted one (deleted);
//   - Portworx: the user's IAM role bindings, then invitations, in the
//     tenants -px-tenant names (comma-separated).
//
// Usage:
//
//	go run ./examples/offboard -email ada@example.com -dry-run
//
// -dry-run prints the plan and removes nothing. -box-account is deactivate
// (the default: the person can no longer log in, their content stays),
// delete (Box deletes only an account that owns nothing: give
// -transfer-to, the login of the user who receives their content;
// without it the delete is not planned) or keep (the account stays
// active: its sessions are ended, and can be opened again).
// -gitguardian-member is remove (the default) or deactivate. -timeout
// bounds the whole run. It exits 1 when a change did not succeed or
// something is left after it (a Box account kept active or not deleted);
// vendors not read in full are named, not counted as failures.
//
// What the APIs cannot tell is kept in a state file (see package access):
// whose each Freestyle identity is (identities carry no email), and what
// is in doubt after an interrupted run. It is a temporary file unless
// -state names one to keep; on the real API record the person's identity
// in it with -freestyle-identity (a dry run records it too). Vendors
// without credentials are not read, and the output says so.
//
// With no vendor credentials in the environment it runs on the embedded
// fake with demo data (fresh every run), whose demo person,
// user001@example.com, has something in every API (the default -email
// there; the demo tenant is the default -px-tenant), and whose demo
// Freestyle identities the state starts with. Any other email finds only
// what the demo data ties to it, often nothing:
//
//	go run ./examples/offboard -dry-run                            # the demo person
//	go run ./examples/offboard                                     # offboard them
//	go run ./examples/offboard -box-account delete -transfer-to user002@example.com
//	go run ./examples/offboard -email ada@example.com -dry-run     # nothing found
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/examples/internal/setup"
	"github.com/invitesdk/invitations/invitationstest"
)

type flags struct {
	email      string
	dryRun     bool
	state      string
	boxAccount string
	transferTo string
	ggMember   string
	identity   string
	pxTenant   string
	timeout    time.Duration
}

func main() {
	var f flags
	flag.StringVar(&f.email, "email", "", "email of the person to offboard (default on the fake: the demo person "+invitationstest.DemoPersonEmail+")")
	flag.BoolVar(&f.dryRun, "dry-run", false, "only print what would be removed")
	flag.StringVar(&f.state, "state", "", "state file to keep (default: a temporary file)")
	flag.StringVar(&f.boxAccount, "box-account", string(access.BoxAccountDeactivate), "what happens to the Box account: deactivate, delete or keep")
	flag.StringVar(&f.transferTo, "transfer-to", "", "login (email) of the Box user who receives the person's content")
	flag.StringVar(&f.ggMember, "gitguardian-member", string(access.GitGuardianMemberRemove), "what happens to the GitGuardian member: remove or deactivate")
	flag.StringVar(&f.identity, "freestyle-identity", "", "Freestyle identity of the person, recorded in the state (on the fake the state knows the demo identities)")
	flag.StringVar(&f.pxTenant, "px-tenant", "", "comma-separated Portworx tenants to search (default on the fake: the demo tenant)")
	flag.DurationVar(&f.timeout, "timeout", 2*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(f, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "offboard:", err)
		os.Exit(1)
	}
}

// vendors are the five APIs as package access names them, with the names
// the examples print, in access's order.
var vendors = []struct {
	api  invitations.API
	name setup.API
}{
	{invitations.GitGuardian, setup.GitGuardian},
	{invitations.Box, setup.Box},
	{invitations.Freestyle, setup.Freestyle},
	{invitations.BIMData, setup.BIMData},
	{invitations.Portworx, setup.Portworx},
}

// name is api as the examples print it.
func name(api invitations.API) string {
	for _, v := range vendors {
		if v.api == api {
			return string(v.name)
		}
	}
	return string(api)
}

// backend is what an offboarding runs on.
type backend struct {
	client *invitations.Client
	// fake is true on the embedded fake with demo data.
	fake bool
	// demoOwners are whose each demo Freestyle identity is, by email,
	// on the fake.
	demoOwners map[string]string
	// notRead are the vendors that cannot be read, with why.
	notRead map[invitations.API]string
}

func run(f flags, out io.Writer) error {
	// Bad flags are said before the fake starts.
	if _, err := policies(f); err != nil {
		return err
	}
	env, err := setup.New("examples-offboard/1.0", out)
	if err != nil {
		return err
	}
	defer env.Close()
	b := backend{client: env.Client, fake: env.Fake, notRead: map[invitations.API]string{}}
	if env.Fake {
		// The fake's demo data is the same every time: the one made here
		// tells whose each identity of the embedded one is.
		b.demoOwners = invitationstest.NewFake(invitationstest.WithDemoData()).DemoFreestyleOwners()
	}
	for _, v := range vendors {
		if !env.Enabled(v.name) {
			b.notRead[v.api] = "no credentials in the environment"
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	return offboard(ctx, b, f, out)
}

// offboard plans the offboarding of f.email on b, prints it, and unless
// f.dryRun applies it, prints each outcome and verifies that nothing is
// left.
func offboard(ctx context.Context, b backend, f flags, out io.Writer) error {
	if b.fake {
		f.email = cmp.Or(f.email, invitationstest.DemoPersonEmail)
		f.pxTenant = cmp.Or(f.pxTenant, invitationstest.PortworxDemoTenantID)
	}
	if f.email == "" {
		return errors.New("-email is required")
	}
	offboarding, err := policies(f)
	if err != nil {
		return err
	}
	store, done, err := openState(ctx, b, f)
	if err != nil {
		return err
	}
	defer done()
	opts := []access.Option{access.WithOffboarding(offboarding...), access.WithPortworxTenants(tenants(f.pxTenant)...)}
	for _, v := range vendors {
		if why, ok := b.notRead[v.api]; ok {
			opts = append(opts, access.WithNotRead(v.api, why))
		}
	}
	m, err := access.New(b.client, store, opts...)
	if err != nil {
		return err
	}

	if f.dryRun {
		plan, err := m.Offboard(ctx, f.email)
		if err != nil {
			return err
		}
		printPlan(out, f.email, plan)
		if !plan.Empty() {
			fmt.Fprintf(out, "%d change(s) would be made for %s (dry run: nothing was changed)\n", len(plan.Changes), f.email)
		}
		return nil
	}

	// The lock first, then the plan and the apply under it: no other run
	// on the same state can apply in between.
	locked, err := m.Lock(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = locked.Unlock() }()
	plan, err := locked.Offboard(ctx, f.email)
	if err != nil {
		return err
	}
	printPlan(out, f.email, plan)
	if plan.Empty() {
		return nil
	}
	results, err := locked.Apply(ctx, plan)
	if err != nil {
		return err
	}
	counts := map[access.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
		line := fmt.Sprintf("%-12s %s: %s", name(r.Change.Grant.Vendor), r.Outcome, what(r.Change))
		if r.Err != nil {
			line += ": " + r.Err.Error()
		}
		fmt.Fprintln(out, line)
	}
	fmt.Fprintf(out, "Offboarded %s: %d done, %d already done, %d failed, %d in doubt, %d skipped\n", f.email,
		counts[access.Done], counts[access.AlreadyDone], counts[access.Failed], counts[access.InDoubt], counts[access.Skipped])

	// Every vendor read again for the person: what is left, if anything.
	after, err := locked.Offboard(ctx, f.email)
	if err != nil {
		return fmt.Errorf("verifying: %w", err)
	}
	left := len(after.Changes) + len(after.Problems)
	if left == 0 {
		fmt.Fprintf(out, "Verified: nothing left for %s on %s\n", f.email, readVendors(after.Coverage))
	} else {
		fmt.Fprintf(out, "Not verified: %d thing(s) left for %s:\n", left, f.email)
		for _, c := range after.Changes {
			fmt.Fprintf(out, "%-12s %s\n", name(c.Grant.Vendor), what(c))
		}
		for _, p := range after.Problems {
			fmt.Fprintf(out, "%-12s not planned: %s\n", name(p.Vendor), p.Reason)
		}
	}
	if failed := len(results) - counts[access.Done] - counts[access.AlreadyDone]; failed > 0 || left > 0 {
		return fmt.Errorf("%s is not fully offboarded: %d change(s) did not succeed, %d thing(s) left", f.email, failed, left)
	}
	return nil
}

// policies are the offboarding policies f asks for, checked.
func policies(f flags) ([]access.OffboardingPolicy, error) {
	gg := access.GitGuardianOffboarding{Member: access.GitGuardianMemberOffboarding(f.ggMember)}
	box := access.BoxOffboarding{Account: access.BoxAccountAction(f.boxAccount), TransferTo: f.transferTo}
	flagOf := map[string]string{
		"offboarding.gitguardian.member": "-gitguardian-member",
		"offboarding.box.account":        "-box-account",
		"offboarding.box.transfer_to":    "-transfer-to",
	}
	for _, err := range []error{gg.Validate(), box.Validate()} {
		var invalid *access.InvalidPersonError
		if errors.As(err, &invalid) {
			return nil, fmt.Errorf("%s %s", cmp.Or(flagOf[invalid.Field], invalid.Field), invalid.Reason)
		}
		if err != nil {
			return nil, err
		}
	}
	return []access.OffboardingPolicy{gg, box}, nil
}

// tenants splits a comma-separated list of tenants.
func tenants(list string) []string {
	var out []string
	for t := range strings.SplitSeq(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// openState opens f.state, or a temporary file, and records in it whose
// Freestyle identities are known: on the fake, the demo identities the
// state does not map yet; -freestyle-identity, as f.email's. done removes
// a temporary state.
func openState(ctx context.Context, b backend, f flags) (_ *access.FileStore, done func(), err error) {
	path, cleanup := f.state, func() {}
	if path == "" {
		dir, err := os.MkdirTemp("", "offboard-state-")
		if err != nil {
			return nil, nil, err
		}
		path, cleanup = filepath.Join(dir, "state.json"), func() { _ = os.RemoveAll(dir) }
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	store := access.NewFileStore(path)
	snap, err := store.Load(ctx)
	if err != nil {
		return nil, nil, err
	}
	known := access.FreestyleIdentities(snap)
	owner := map[string]string{}
	for email, id := range known {
		owner[id] = email
	}
	changed := false
	for email, id := range b.demoOwners {
		if _, ok := known[email]; !ok && owner[id] == "" {
			access.SetFreestyleIdentity(snap, email, id)
			changed = true
		}
	}
	if f.identity != "" {
		if other := owner[f.identity]; other != "" && !strings.EqualFold(other, f.email) {
			return nil, nil, fmt.Errorf("-freestyle-identity %s: the state says it is %s's", f.identity, other)
		}
		if id, ok := known[strings.ToLower(f.email)]; !ok || id != f.identity {
			access.SetFreestyleIdentity(snap, f.email, f.identity)
			changed = true
		}
	}
	if changed {
		if err := store.Save(ctx, snap); err != nil {
			return nil, nil, err
		}
	}
	return store, cleanup, nil
}

// printPlan prints what plan's reads reached, then each change, problem
// and warning, or that nothing was found.
func printPlan(out io.Writer, email string, plan *access.Plan) {
	fmt.Fprintln(out, plan.Coverage.String())
	for _, w := range plan.Warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	for _, p := range plan.Problems {
		fmt.Fprintf(out, "%-12s not planned: %s\n", name(p.Vendor), p.Reason)
	}
	if plan.Empty() {
		fmt.Fprintf(out, "Nothing found for %s on %s\n", email, readVendors(plan.Coverage))
		return
	}
	fmt.Fprintf(out, "Plan to offboard %s: %d change(s)\n", email, len(plan.Changes))
	for _, c := range plan.Changes {
		fmt.Fprintf(out, "%-12s %s\n", name(c.Grant.Vendor), what(c))
	}
}

// what is what c does, with, when the vendor has several kinds of object
// behind one grant (a GitGuardian member or invitation, a BIMData member
// or invitation), which one it removes: "remove their gitguardian
// workspace (member) [invitation:1]".
func what(c access.Change) string {
	s := strings.TrimSpace(strings.TrimPrefix(c.Reason, c.Email+" is absent: "))
	kind, _, ok := strings.Cut(c.Target, ":")
	if ok && kind != "" && strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz-") == "" {
		s += " [" + c.Target + "]"
	}
	return s
}

// readVendors lists the vendors c says were read in full, as printed,
// and those that were not.
func readVendors(c access.Coverage) string {
	var read, rest []string
	for _, v := range c.Vendors {
		if v.Read && len(v.Partial) == 0 {
			read = append(read, name(v.Vendor))
		} else {
			rest = append(rest, name(v.Vendor))
		}
	}
	s := strings.Join(read, ", ")
	if len(read) == 0 {
		s = "no vendor"
	}
	if len(rest) > 0 {
		s += " (not read in full: " + strings.Join(rest, ", ") + ")"
	}
	return s
}
