package access

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/invitesdk/invitations"
)

// PlanOptions adjust how a plan treats grants nobody asked for.
type PlanOptions struct {
	// Prune removes the grants, in the scopes the desired state names
	// (the Box groups, GitGuardian teams, Freestyle repositories and VMs,
	// BIMData clouds and projects, Portworx scopes it lists, GitGuardian's
	// workspace and Freestyle's identities), that no person wants and that
	// this package created. The roles (WithRoles) name scopes too, held by
	// anyone or not (see ScopesOf). Without it a plan never removes
	// anything but an absent person's grants.
	Prune bool
	// PruneAll, with Prune, also removes such grants made by hand.
	PruneAll bool
	// AllowSourceMismatch lets Prune go on with a state made for another
	// desired state (see WithSource), which Plan otherwise refuses with
	// ErrSourceMismatch.
	AllowSourceMismatch bool
	// NewIdentitiesOK lets a plan create accounts on a vendor whose
	// accounts carry no email (Freestyle identities) when the state maps
	// nobody in the desired state to one while the vendor holds accounts
	// the state maps to nobody that have permissions, as after a lost or
	// emptied state. Without it each such create is a Problem instead:
	// those people may have an account already that only the lost state
	// knew. The connector of such a vendor reads it.
	NewIdentitiesOK bool
	// Targets, when set, narrow the plan to some vendors and people
	// (terraform's -target); see Targets.
	Targets Targets
	// Offboarding sets, per vendor, what removing a person does beyond
	// removing their grants (see OffboardingPolicy); a vendor without one
	// here takes the Manager's (WithOffboarding), else its defaults.
	Offboarding []OffboardingPolicy
	// ScopesOf is access whose scopes the reads look in, and prune
	// cleans, besides those the people's entries name, with nobody
	// wanting anything there. Each entry names scopes as a person's
	// vendor fields do: a Box group (by id or name), a GitGuardian team
	// (by name) and, by asking for GitGuardian at all, its workspace; a
	// Freestyle repository or VM and, by asking for Freestyle at all, its
	// identities; a BIMData cloud or project; a Portworx scope; for a
	// connector of your own, what its Person.Grants name. Its Email,
	// Absent and Roles are not read. With Prune, Plan adds the access of
	// every role (WithRoles) to what is given here, so that what a role
	// gave is removed once nobody holds the role (an identity provider
	// took its last holder out of the group). Plan checks each entry as
	// Validate checks a role's fields. A connector of your own reads it as
	// it reads the people's scopes (see Connector).
	ScopesOf []Person
}

// Targets narrow a plan to some vendors and some people. The plan reads
// only the target vendors, gives their connectors only the target people
// (a connector that reads person by person reads no one else), and plans
// changes, prune removals included, of those people only: a targeted plan
// never changes anything outside its targets. Prune looks in the scopes
// the target people's entries name, and in those of PlanOptions.ScopesOf
// (the roles'). The desired state is still checked whole (Validate).
type Targets struct {
	// Vendors are the vendors to read and change; empty: every vendor in
	// the Manager's scope.
	Vendors []invitations.API `json:"vendors"`
	// Emails are the people to read and change, each of whom the desired
	// state must name; empty: everyone.
	Emails []string `json:"emails"`
}

// Empty reports whether t narrows nothing.
func (t Targets) Empty() bool { return len(t.Vendors) == 0 && len(t.Emails) == 0 }

// String is t as the command prints it: "vendor box; email
// ada@example.com", "" when t is empty.
func (t Targets) String() string {
	var parts []string
	for _, v := range t.Vendors {
		parts = append(parts, "vendor "+string(v))
	}
	for _, e := range t.Emails {
		parts = append(parts, "email "+e)
	}
	return strings.Join(parts, "; ")
}

// vendor reports whether v is a target vendor (every vendor when there
// are none).
func (t Targets) vendor(v invitations.API) bool {
	return len(t.Vendors) == 0 || slices.Contains(t.Vendors, v)
}

// email reports whether email is a target person's (everyone when there
// are none).
func (t Targets) email(email string) bool {
	return len(t.Emails) == 0 || slices.ContainsFunc(t.Emails, func(e string) bool { return strings.EqualFold(e, email) })
}

// narrow checks t against the Manager and the desired state, and returns
// the vendors to read and the people to give them, and t normalized
// (emails in lower case, both lists sorted and without duplicates, nil
// when empty).
func (t Targets) narrow(m *Manager, people []Person) ([]invitations.API, []Person, Targets, error) {
	var norm Targets
	for _, v := range t.Vendors {
		_, notRead := m.notRead[v]
		if !slices.Contains(m.vendors, v) && !notRead {
			return nil, nil, Targets{}, fmt.Errorf("access: target vendor %q is not in the Manager's scope", v)
		}
		norm.Vendors = append(norm.Vendors, v)
	}
	for _, e := range t.Emails {
		if !slices.ContainsFunc(people, func(p Person) bool { return strings.EqualFold(p.Email, e) }) {
			return nil, nil, Targets{}, fmt.Errorf("access: target email %s: nobody in the desired state has it", e)
		}
		norm.Emails = append(norm.Emails, strings.ToLower(e))
	}
	// Vendors keep the Manager's order; emails are sorted.
	norm.Vendors = slices.DeleteFunc(slices.Clone(m.order), func(v invitations.API) bool { return !slices.Contains(norm.Vendors, v) })
	if len(norm.Vendors) == 0 {
		norm.Vendors = nil
	}
	slices.Sort(norm.Emails)
	norm.Emails = slices.Compact(norm.Emails)
	vendors := slices.DeleteFunc(slices.Clone(m.vendors), func(v invitations.API) bool { return !norm.vendor(v) })
	if len(norm.Emails) > 0 {
		people = slices.DeleteFunc(slices.Clone(people), func(p Person) bool { return !norm.email(p.Email) })
	}
	return vendors, people, norm, nil
}

// OffboardingFor returns the offboarding policy o gives vendor, or nil
// for the vendor's defaults.
func (o PlanOptions) OffboardingFor(vendor invitations.API) OffboardingPolicy {
	for _, p := range slices.Backward(o.Offboarding) {
		if p != nil && p.Vendor() == vendor {
			return p
		}
	}
	return nil
}

// Plan is the list of changes that would make the vendors match the
// desired state, computed from reads only. An empty plan sends nothing.
type Plan struct {
	// Changes are the writes, ordered by vendor, then person, with a
	// prerequisite grant (a Freestyle identity, see Prerequisites) created
	// before and removed after the person's other grants there.
	Changes []Change `json:"changes"`
	// Problems are desired grants that cannot be planned, with why.
	Problems []Problem `json:"problems,omitempty"`
	// Warnings are things the reader of the plan should know that do not
	// stop it, such as a state made for another desired state.
	Warnings []string `json:"warnings,omitempty"`
	// Serial and Lineage identify the version of the state the plan was
	// made from; Apply refuses the plan once the state has moved on.
	Serial  uint64 `json:"serial"`
	Lineage string `json:"lineage,omitempty"`
	// Coverage says what the plan's reads reached, vendor by vendor.
	Coverage Coverage `json:"coverage"`
	// GrantsRead counts the grants the reads found (of the people, and
	// in the scopes the desired state names): the base of a guard against
	// removing most of what exists.
	GrantsRead int `json:"grants_read"`
	// Targets are what the plan was narrowed to (PlanOptions.Targets),
	// normalized; empty for a plan of everything.
	Targets Targets `json:"targets"`

	// What the reads settled of earlier in-doubt changes, recorded in
	// the state by Apply, and what they give the connectors' hooks: the
	// View.Memo values of this process's reads, or, for a plan read back
	// (UnmarshalJSON), their JSON (see MemoDecoder).
	settled    []string // in-doubt keys the reads answered
	writes     map[invitations.API]map[string]json.RawMessage
	memos      map[invitations.API]any
	savedMemos map[invitations.API]json.RawMessage
}

// Empty reports whether the plan has no change.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Removals counts the plan's removals.
func (p *Plan) Removals() int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == Remove {
			n++
		}
	}
	return n
}

// ErrPruneEverything is returned by Plan for a prune with nobody in the
// desired state: every grant this package made would be removed, the
// first mistake of every sync tool (a source that returned nothing).
var ErrPruneEverything = errors.New("access: prune with no people would remove every grant this package made")

// Settled returns how many changes of earlier applies that were in doubt
// the plan's reads settled: Apply records them in the state, even when
// the plan is empty.
func (p *Plan) Settled() int {
	keys := map[string]bool{}
	for _, k := range p.settled {
		keys[k] = true
	}
	return len(keys)
}

// Plan reads what the vendors hold about people (concurrently, one
// goroutine per vendor) and returns the changes that would make it match.
// Each person's roles (WithRoles) are merged into their fields first (see
// MergeRoles), and each create and update names the roles it comes from
// (Change.Roles); with Prune, every role's scopes are read and cleaned,
// held by anyone or not (PlanOptions.ScopesOf).
// It sends no write and does not change the state: an in-doubt change of
// an earlier apply is settled by the reads, and Apply records it.
func (m *Manager) Plan(ctx context.Context, people []Person, opts PlanOptions) (*Plan, error) {
	// A person's access is theirs and their roles': the reads and the
	// plan see it merged, the targets narrow it.
	expanded, err := expand(people, m.roles)
	if err != nil {
		return nil, err
	}
	vendors, people, targets, err := opts.Targets.narrow(m, expanded.people)
	if err != nil {
		return nil, err
	}
	opts.Targets = targets
	for i, a := range opts.ScopesOf {
		bad := func(f, reason string) error {
			return &InvalidPersonError{Field: fmt.Sprintf("ScopesOf[%d]%s", i, f), Reason: reason}
		}
		if err := validateAccess(a, bad); err != nil {
			return nil, err
		}
	}
	if opts.Prune {
		// A role's scopes are named whether anyone holds it or not: once
		// its last holder loses it, prune finds what it gave them there.
		opts.ScopesOf = slices.Clone(opts.ScopesOf)
		for _, r := range m.roles {
			opts.ScopesOf = append(opts.ScopesOf, r.Access)
		}
	}
	// The plan's own policies win over the Manager's: they come later.
	opts.Offboarding = append(slices.Clone(m.offboarding), opts.Offboarding...)
	if opts.Prune && len(people) == 0 {
		return nil, ErrPruneEverything
	}
	snap, err := m.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: loading the state: %w", err)
	}
	snap = snap.normalize()
	var warnings []string
	if m.source != "" && snap.Source != "" && snap.Source != m.source {
		if opts.Prune && !opts.AllowSourceMismatch {
			return nil, fmt.Errorf("%w: it was made for %q, not %q, and prune would remove what it says this tool created",
				ErrSourceMismatch, snap.Source, m.source)
		}
		warnings = append(warnings, fmt.Sprintf("the state was made for %q, not %q: is it the right state?", snap.Source, m.source))
	}
	sv := &stateView{snap: snap}

	views := make(map[invitations.API]*View, len(vendors))
	errs := make(map[invitations.API]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, v := range vendors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			view, err := m.conns[v].Read(ctx, people, opts, &ConnectorState{sv: sv, api: v})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs[v] = err
				return
			}
			views[v] = view
		}()
	}
	wg.Wait()
	for _, v := range vendors {
		if err := errs[v]; err != nil {
			return nil, fmt.Errorf("access: reading %s: %w", v, err)
		}
	}

	plan := &Plan{Warnings: warnings, Serial: snap.Serial, Lineage: snap.Lineage, Targets: targets,
		writes: map[invitations.API]map[string]json.RawMessage{}, memos: map[invitations.API]any{}}
	plan.Coverage = m.coverageOf(views, targets)
	for _, v := range vendors {
		view := views[v]
		if view == nil {
			return nil, fmt.Errorf("access: reading %s: the connector returned no view", v)
		}
		plan.GrantsRead += len(view.Have)
		plan.Problems = append(plan.Problems, view.Problems...)
		plan.settled = append(plan.settled, view.Settled...)
		if len(view.Writes) > 0 {
			plan.writes[v] = view.Writes
		}
		if view.Memo != nil {
			plan.memos[v] = view.Memo
		}
		changes, settled := diff(m.conns[v], people, view, snap, opts)
		// A targeted plan changes, and settles from what it read, its
		// target people's grants only: the reads of scopes (prune's)
		// find others' too, and others' own grants were not read.
		changes = slices.DeleteFunc(changes, func(c Change) bool { return !targets.email(c.Email) })
		settled = slices.DeleteFunc(settled, func(k string) bool { return !targets.email(snap.InDoubt[k].Change.Email) })
		for i := range changes {
			expanded.provenance(&changes[i])
		}
		plan.Changes = append(plan.Changes, changes...)
		plan.settled = append(plan.settled, settled...)
	}
	// Connectors name a field by the person's index among the people
	// they read, in the merged fields; the plan names it as the desired
	// state has it: the person's index there, or the role the merged
	// item comes from.
	for i, p := range plan.Problems {
		if p.Field != "" {
			plan.Problems[i].Field = expanded.field(people, p.Field)
		}
	}
	return plan, nil
}

// coverageOf is the coverage of the reads of views: the vendors that
// cannot be read (WithNotRead), then each vendor read, with what its read
// could not reach.
func (m *Manager) coverageOf(views map[invitations.API]*View, targets Targets) Coverage {
	var c Coverage
	for _, v := range m.order {
		if !targets.vendor(v) {
			continue
		}
		if reason, ok := m.notRead[v]; ok {
			c.Vendors = append(c.Vendors, VendorCoverage{Vendor: v, NotRead: reason})
			continue
		}
		view, ok := views[v]
		if !ok {
			continue
		}
		if view.NotRead != "" {
			c.Vendors = append(c.Vendors, VendorCoverage{Vendor: v, NotRead: view.NotRead})
			continue
		}
		c.Vendors = append(c.Vendors, VendorCoverage{Vendor: v, Read: true, Partial: view.Partial})
	}
	return c
}

// Offboard returns the plan that removes everything found for email on
// every vendor: the plan of one absent person. Apply carries it out.
func (m *Manager) Offboard(ctx context.Context, email string) (*Plan, error) {
	return m.Plan(ctx, []Person{{Email: email, Absent: true}}, PlanOptions{})
}

// prerequisite is c's Prerequisites rule, or one that holds for no grant.
func prerequisite(c Connector) func(Grant) bool {
	if p, ok := c.(Prerequisites); ok {
		return p.Prerequisite
	}
	return func(Grant) bool { return false }
}

// changeRank is how c orders one person's changes: its own Rank when it
// is Ordered, else its prerequisite grant created first and removed last.
func changeRank(c Connector) func(Change) int {
	if o, ok := c.(Ordered); ok {
		return o.Rank
	}
	prereq := prerequisite(c)
	return func(ch Change) int {
		switch {
		case !prereq(ch.Grant):
			return 1
		case ch.Action == Remove:
			return 2
		}
		return 0
	}
}

// diff compares the view of conn's vendor with the desired state and
// returns the changes, in conn's order (see changeRank), and the in-doubt
// keys the view answers.
func diff(conn Connector, people []Person, view *View, snap *Snapshot, opts PlanOptions) ([]Change, []string) {
	v, prereq := conn.API(), prerequisite(conn)
	have := map[string][]Record{}
	for _, r := range view.Have {
		k := r.Grant.Key(r.Email)
		have[k] = append(have[k], r)
	}
	blocked := map[string]bool{}
	for _, p := range view.Problems {
		if p.Key != "" {
			blocked[p.Key] = true
		}
	}
	wanted := map[string]bool{}
	var changes []Change
	for _, p := range people {
		email := strings.ToLower(p.Email)
		if p.Absent {
			// What an offboarding policy sets rather than removes (an
			// account deactivated, content handed over) is in Want, and
			// planned below; the rest of what the person has is removed.
			keep := map[string]bool{}
			for _, g := range view.Want[email] {
				keep[g.Key(email)] = true
			}
			for _, r := range view.Have {
				if strings.EqualFold(r.Email, email) && !keep[r.Grant.Key(email)] {
					changes = append(changes, Change{Action: Remove, Email: email, Grant: r.Grant, Target: r.ID,
						Reason: fmt.Sprintf("%s is absent: remove their %s", email, describe(r.Grant)), Note: "absent"})
				}
			}
			if len(keep) == 0 {
				continue
			}
		}
		// Without its prerequisite, nothing else of a person's access on
		// the vendor can be planned.
		prereqBlocked := slices.ContainsFunc(view.Want[email], func(g Grant) bool { return prereq(g) && blocked[g.Key(email)] })
		for _, g := range view.Want[email] {
			k := g.Key(email)
			wanted[k] = true
			rs := have[k]
			switch {
			case blocked[k], prereqBlocked:
			case len(rs) == 0:
				reason, note := fmt.Sprintf("%s should have %s", email, describe(g)), ""
				if d, ok := snap.InDoubt[k]; ok {
					switch d.Change.Action {
					case Create:
						note = "an earlier create was in doubt and did not happen"
					case Update:
						note = "an earlier re-invite stopped after removing the old one: this completes it"
					}
				}
				if note != "" {
					reason += " (" + note + ")"
				}
				if p.Absent && note == "" {
					reason, note = fmt.Sprintf("%s is absent: offboarding sets %s", email, describe(g)), "absent"
				}
				changes = append(changes, Change{Action: Create, Email: email, Grant: g, Target: view.Subjects[email], Reason: reason, Note: note})
			case !slices.ContainsFunc(rs, func(r Record) bool { return sameLevel(r.Grant, g) }):
				from := rs[0].Grant
				reason, note := fmt.Sprintf("%s has %s, should have %s", email, level(from), level(g)), ""
				if view.Reissue != nil && view.Reissue(rs[0]) {
					// The level is changed by deleting the invitation and
					// inviting again: a new invitation, a new email.
					reason = fmt.Sprintf("%s is invited as %s, should be %s: re-invite", email, level(from), level(g))
					note = "re-invite"
				}
				if p.Absent {
					what := g
					what.Level, what.Users = "", nil
					reason, note = fmt.Sprintf("%s is absent: offboarding sets their %s to %s (was %s)", email, describe(what), level(g), level(from)), "absent"
				}
				changes = append(changes, Change{Action: Update, Email: email, Grant: g, From: &from, Target: rs[0].ID, Reason: reason, Note: note})
			}
		}
	}
	if opts.Prune {
		for _, r := range view.Have {
			k := r.Grant.Key(r.Email)
			if wanted[k] || !view.Scopes[string(r.Grant.Kind)+"|"+r.Grant.Scope] || absentIn(people, r.Email) {
				continue
			}
			if _, ours := snap.Created[k]; !ours && !opts.PruneAll {
				continue
			}
			changes = append(changes, Change{Action: Remove, Email: strings.ToLower(r.Email), Grant: r.Grant, Target: r.ID,
				Reason: fmt.Sprintf("nobody wants %s for %s (prune)", describe(r.Grant), r.Email), Note: "prune"})
		}
	}
	sortChanges(changes, changeRank(conn))

	// An in-doubt change is answered by the reads: a create whose grant
	// is now there happened, a removal whose grant is gone happened;
	// otherwise the plan holds it again.
	var settled []string
	for k, d := range snap.InDoubt {
		if d.Change.Grant.Vendor != v {
			continue
		}
		_, present := have[k]
		if (d.Change.Action == Remove) != present {
			settled = append(settled, k)
		}
	}
	slices.Sort(settled)
	return changes, settled
}

// absentIn reports whether email is an absent person's (their removals
// are planned already).
func absentIn(people []Person, email string) bool {
	for _, p := range people {
		if p.Absent && strings.EqualFold(p.Email, email) {
			return true
		}
	}
	return false
}

// sameLevel compares levels and allowed users, where nil (every user) is
// not an empty list (nobody).
func sameLevel(a, b Grant) bool {
	return a.Level == b.Level && (a.Users == nil) == (b.Users == nil) && slices.Equal(a.Users, b.Users)
}

// sortChanges orders changes by person, then by rank (see changeRank),
// then by grant, so plans are stable.
func sortChanges(changes []Change, rank func(Change) int) {
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(
			strings.Compare(a.Email, b.Email),
			cmp.Compare(rank(a), rank(b)),
			strings.Compare(a.Key(), b.Key()),
		)
	})
}

func level(g Grant) string {
	switch {
	case g.Users != nil:
		return "users " + strings.Join(g.Users, ",")
	case g.Level != "":
		return g.Level
	}
	return "access"
}

// describe names a grant for people reading a plan.
func describe(g Grant) string {
	var b strings.Builder
	b.WriteString(string(g.Vendor) + " " + string(g.Kind))
	if g.Scope != "" {
		b.WriteString(" " + g.Scope)
	}
	if g.Level != "" {
		b.WriteString(" (" + g.Level + ")")
	}
	if g.Users != nil {
		b.WriteString(" for users " + strings.Join(g.Users, ","))
	}
	return b.String()
}
