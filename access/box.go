package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/mail"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// boxConnector keeps Box group memberships. Box knows people by user id
// and groups by id, so a read first finds each named group's id by its
// name and each person's user id by their login.
type boxConnector struct {
	c *invitations.Client
}

func newBoxConnector(c *invitations.Client) Connector {
	return &boxConnector{c: c}
}

func (b *boxConnector) API() invitations.API { return invitations.Box }

// BoxAccountAction is what offboarding does to a person's Box account.
type BoxAccountAction string

// Box account actions.
const (
	// BoxAccountDeactivate sets the account's status to inactive: the
	// person can no longer log in, and their content stays, so that it can
	// be undone. It is the default.
	BoxAccountDeactivate BoxAccountAction = "deactivate"
	// BoxAccountDelete deletes the account. Box refuses to delete a user
	// who owns content (the connector never forces it, which would delete
	// the content): give BoxOffboarding.TransferTo.
	BoxAccountDelete BoxAccountAction = "delete"
	// BoxAccountKeep leaves the account as it is.
	BoxAccountKeep BoxAccountAction = "keep"
)

// BoxOffboarding is what removing a person (Person.Absent,
// Manager.Offboard) does on Box, beyond removing their group memberships.
// Its changes run in this order: the person's sessions are ended, their
// memberships removed, their content transferred, then their account
// deactivated, deleted or kept. Without a policy (PlanOptions.OffboardingFor
// gives none) the account is deactivated and the sessions ended.
type BoxOffboarding struct {
	// Account is what happens to the account; empty means
	// BoxAccountDeactivate.
	Account BoxAccountAction
	// TransferTo, when set, is the login (email) of the Box user who
	// receives everything the person owns, before the account is
	// deactivated or deleted. A delete of an account that owns content
	// needs it: without it, the delete is not planned (a Problem).
	TransferTo string
	// EndSessions says whether the person is logged out of every Box
	// app and device (their sessions ended) while their account is
	// active; nil means true.
	EndSessions *bool
}

// Vendor returns invitations.Box.
func (BoxOffboarding) Vendor() invitations.API { return invitations.Box }

// Validate checks the policy as a plan's read of Box does, returning an
// *InvalidPersonError whose Field names the setting as the desired-state
// file does ("offboarding.box.account").
func (o BoxOffboarding) Validate() error {
	switch o.Account {
	case "", BoxAccountDeactivate, BoxAccountDelete, BoxAccountKeep:
	default:
		return &InvalidPersonError{Field: boxPolicyAccount, Reason: fmt.Sprintf("%q: must be %s, %s or %s",
			o.Account, BoxAccountDeactivate, BoxAccountDelete, BoxAccountKeep)}
	}
	if o.TransferTo != "" {
		if addr, err := mail.ParseAddress(o.TransferTo); err != nil || addr.Address != o.TransferTo || addr.Name != "" {
			return &InvalidPersonError{Field: boxPolicyTransferTo, Reason: fmt.Sprintf("%q is not an email address", o.TransferTo)}
		}
	}
	return nil
}

// The fields of a Box offboarding policy, as problems and errors name
// them: the desired-state file's names, which it maps to its lines.
const (
	boxPolicyAccount    = "offboarding.box.account"
	boxPolicyTransferTo = "offboarding.box.transfer_to"
)

// boxPolicy is the Box policy opts give, with its defaults filled in.
func boxPolicy(opts PlanOptions) (BoxOffboarding, error) {
	var o BoxOffboarding
	switch p := opts.OffboardingFor(invitations.Box).(type) {
	case nil:
	case BoxOffboarding:
		o = p
	case *BoxOffboarding:
		if p != nil {
			o = *p
		}
	default:
		return o, fmt.Errorf("access: box offboarding: a %T is not a BoxOffboarding", p)
	}
	if err := o.Validate(); err != nil {
		return o, err
	}
	o.Account = cmp.Or(o.Account, BoxAccountDeactivate)
	if o.EndSessions == nil {
		end := true
		o.EndSessions = &end
	}
	return o, nil
}

// Box's lists: the largest page Box serves, how many items a list can
// show at most (Box refuses offsets above 9,999, and the SDK's pagers stop
// there with ErrOffsetLimit), and the page size of a lookup of one user
// by login, which finds that user and, rarely, a few whose name or login
// starts the same.
const (
	boxPageSize    = 1000
	boxListable    = 10000
	boxLookupLimit = 10
)

// boxPages is how many pages of boxPageSize a list of total items takes.
func boxPages(total int64) int64 { return (total + boxPageSize - 1) / boxPageSize }

// boxListGroupsOn reports whether the rest of the group list, of total
// groups of which pages pages were read, is worth reading to resolve
// names: it takes no more requests than looking each name up, and Box
// shows it all (a name found once may be found again further on: a
// partial list resolves nothing).
func boxListGroupsOn(total, pages int64, names int) bool {
	return total <= boxListable && boxPages(total)-pages <= int64(names)
}

// boxListUsersOn reports whether the rest of the user list, of total
// users of which pages pages were read, is worth reading to find the
// pending people: it takes no more requests than their lookups.
func boxListUsersOn(total, pages int64, pending int) bool {
	return boxPages(total)-pages <= int64(pending)
}

// boxRole is role, or member when empty: Box's default, which a
// membership listed without its role also has.
func boxRole(role models.GroupMembershipRole) models.GroupMembershipRole {
	return cmp.Or(role, models.GroupMembershipRoleMember)
}

func boxGrant(groupID string, role models.GroupMembershipRole) Grant {
	return Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: groupID, Level: string(boxRole(role))}
}

// boxMergeRoles is Box's rule for a person's roles (MergeRoles): the
// union of the groups, one per id or per exact name, at the highest role
// (admin > member, which an empty role means). A group named by id in one
// place and by name in another is two entries until the read resolves
// the name: at two roles, the plan's problem.
func boxMergeRoles(m *roleMerge) error {
	groups, err := mergeList(m, ".Box", func(p Person) []BoxMembership { return p.Box }, itemRule[BoxMembership]{
		key: func(b BoxMembership) string {
			if b.GroupID != "" {
				return "id:" + b.GroupID
			}
			return "name:" + b.GroupName
		},
		join: highest(func(b BoxMembership) int {
			return rankOf(boxRole(b.Role), models.GroupMembershipRoleMember, models.GroupMembershipRoleAdmin)
		}),
		grant: func(b BoxMembership) roleGrant {
			if b.GroupID != "" {
				return roleGrant{vendor: invitations.Box, kind: KindGroup, scope: b.GroupID}
			}
			return roleGrant{vendor: invitations.Box, kind: KindGroup, name: b.GroupName}
		},
	})
	m.out.Box = groups
	return err
}

// boxRecord is m as a record; login is the member's, for a membership
// listed without its user.
func boxRecord(m models.GroupMembership, login string) Record {
	if m.User != nil && m.User.Login != "" {
		login = m.User.Login
	}
	var group, name string
	if m.Group != nil {
		group, name = m.Group.ID, m.Group.Name
	}
	g := boxGrant(group, m.Role)
	g.ScopeName = name
	return Record{Email: login, Grant: g, State: StateMember, ID: m.ID}
}

// boxGroupScope is the Scopes key of a group.
func boxGroupScope(groupID string) string { return string(KindGroup) + "|" + groupID }

// boxRead is one read in progress: the view being filled and what the
// reads found so far.
type boxRead struct {
	b      *boxConnector
	st     *ConnectorState
	people []Person
	view   *View
	groups map[string]boxGroupLookup // by exact name
	seen   map[string]bool           // membership ids in view.Have
	member map[string]bool           // boxMemberKey of each record in view.Have
	// askers are, per group id the desired state names, who asks for it
	// and where, so that a group that turns out not to exist is a
	// problem of each of them.
	askers map[string][]boxAsker
	named  map[string]bool // the group ids the desired state names
	// want and problems are, by person index, the grants resolved (before
	// unknown groups drop out) and the problems of their Box entries.
	want     map[int][]Grant
	problems map[int][]Problem
	// later are the problems of whole groups, after the people's.
	later   []Problem
	emails  map[string]bool   // the people read, lower-case
	users   map[string]string // their Box user ids, by lower-case login
	listed  map[string]bool   // groups whose every membership is in Have
	unknown map[string]bool   // group ids Box does not know
	large   map[string]bool   // groups too large to list
	// fullyRead are the people (lower-case) whose every membership in
	// the named groups, or in any group when absent, is in Have.
	fullyRead map[string]bool

	// policy is the offboarding policy, with its defaults filled in;
	// dest is the user its TransferTo names, once looked up (destRead):
	// nil when Box knows no such user.
	policy   BoxOffboarding
	dest     *models.User
	destRead bool
}

// boxAsker is a person asking for a group, and the field that does.
type boxAsker struct {
	email, field string
}

// boxGroupLookup is a resolved group name: its id, or why it has none.
type boxGroupLookup struct {
	id      string
	problem string
}

// boxMemberKey names a membership by group and member.
func boxMemberKey(group, login string) string { return group + "|" + strings.ToLower(login) }

// Read reads with as few requests as Box allows, each list at Box's
// largest page (1,000). The people read are those asking for a Box group
// and the absent; the groups named are theirs and PlanOptions.ScopesOf's
// (read for prune, wanted by nobody). For k group names, G named groups
// and u people Box lists in none of them:
//
//  1. Group names: one lookup (GET /groups?filter_term=) when k is 1.
//     When k >= 2, the first page of GET /groups, then the rest of the
//     list while it takes no more requests than the k lookups (and fits
//     under Box's offset ceiling), else the k lookups: at most one
//     request more than the cheaper way.
//  2. The members of each named group: GET /groups/{id}/memberships,
//     ceil(members/1,000) requests each. That is Have for everyone in
//     the groups (prune may clean them), and the user id of every person
//     already in one of them. Other memberships of the people are not
//     read: a plan does not use them (but for the absent, below).
//  3. The user ids of the u others (creates address them; an absent
//     person's memberships are read by it; a person Box does not know is
//     a problem): one lookup (GET /users?filter_term=login) when u is 1.
//     When u >= 2, the first page of GET /users, and the next pages as
//     long as they are no more than the people still unresolved, who are
//     otherwise looked up one by one: never both ways for one person, and
//     at most one request more than the cheaper way (two, past 10,000
//     users, where the list starts again by marker). The list shows the
//     enterprise's users, who alone can be in its groups.
//  4. The memberships of each absent person Box knows, in any group:
//     GET /users/{id}/memberships (offboarding removes them all).
//  5. A group too large to list (more than 10,000 members: Box refuses
//     the offsets beyond) is read for the people asking for it that its
//     listable part does not show, through their memberships, and is
//     left out of prune, as a problem. When its first page says it is that
//     large, the rest of its listable part is read only if that takes
//     fewer requests than those people's reads.
//  6. An earlier in-doubt change the reads above do not answer (its group
//     is not listed, its person's memberships were not read) is read
//     alone: one request.
//  7. The account of each absent person Box knows, for the offboarding
//     policy (BoxOffboarding): GET /users/{id}?fields=status,space_used
//     (is it active, does it own content); and, once, the user the
//     policy's TransferTo names, when one of them owns content.
//
// For N people asking for G groups by name, of at most 1,000 members
// each, in an enterprise of U users, a plan makes 1 + G requests, and
// ceil(U/1,000) more (one more past 10,000 users) when two or more of
// them are in none of their groups yet: about 2N + G before.
func (b *boxConnector) Read(ctx context.Context, people []Person, opts PlanOptions, st *ConnectorState) (*View, error) {
	policy, err := boxPolicy(opts)
	if err != nil {
		return nil, err
	}
	r := &boxRead{
		policy:    policy,
		b:         b,
		st:        st,
		people:    people,
		view:      &View{Want: map[string][]Grant{}, Subjects: map[string]string{}, Scopes: map[string]bool{}},
		groups:    map[string]boxGroupLookup{},
		seen:      map[string]bool{},
		member:    map[string]bool{},
		askers:    map[string][]boxAsker{},
		named:     map[string]bool{},
		want:      map[int][]Grant{},
		problems:  map[int][]Problem{},
		emails:    map[string]bool{},
		users:     map[string]string{},
		listed:    map[string]bool{},
		unknown:   map[string]bool{},
		large:     map[string]bool{},
		fullyRead: map[string]bool{},
	}
	var read []int // the people read, by index
	var names []string
	named := map[string]bool{}
	for i, p := range people {
		if !p.Absent && len(p.Box) == 0 {
			continue
		}
		read = append(read, i)
		r.emails[strings.ToLower(p.Email)] = true
		if p.Absent {
			continue
		}
		names = boxNames(p, names, named)
	}
	for _, a := range opts.ScopesOf {
		names = boxNames(a, names, named)
	}
	if err := r.resolveNames(ctx, names); err != nil {
		return nil, err
	}
	for _, i := range read {
		if !people[i].Absent {
			r.wanted(i, people[i])
		}
	}
	r.scopesOf(opts.ScopesOf)
	// Prune may clean the groups the desired state names: everyone in
	// them is read, not only the people asked about.
	for _, scope := range slices.Sorted(maps.Keys(r.view.Scopes)) {
		if err := r.listGroup(ctx, strings.TrimPrefix(scope, boxGroupScope(""))); err != nil {
			return nil, err
		}
	}
	var unresolved []string
	for _, i := range read {
		if email := strings.ToLower(people[i].Email); r.users[email] == "" {
			unresolved = append(unresolved, people[i].Email)
		}
	}
	if err := r.resolveUsers(ctx, unresolved); err != nil {
		return nil, err
	}
	for _, i := range read {
		if err := r.memberships(ctx, i); err != nil {
			return nil, err
		}
	}
	if err := r.settleDoubts(ctx); err != nil {
		return nil, err
	}
	for _, i := range read {
		if err := r.offboard(ctx, i); err != nil {
			return nil, err
		}
	}

	for _, i := range read {
		p := people[i]
		email := strings.ToLower(p.Email)
		r.view.Problems = append(r.view.Problems, r.problems[i]...)
		id := r.users[email]
		if id == "" {
			if !p.Absent {
				r.view.Problems = append(r.view.Problems, Problem{Email: p.Email, Vendor: invitations.Box, Field: fmt.Sprintf("people[%d].Email", i),
					Reason: fmt.Sprintf("no Box user with login %s", p.Email)})
			}
			continue
		}
		r.view.Subjects[email] = id
		want := slices.DeleteFunc(r.want[i], func(g Grant) bool { return g.Kind == KindGroup && r.unknown[g.Scope] })
		if len(want) > 0 {
			r.view.Want[email] = want
		}
	}
	r.view.Problems = append(r.view.Problems, r.later...)
	r.nameScopes()
	return r.view, nil
}

// boxNames appends to names the group names p's memberships use that
// seen does not hold yet, and notes them there.
func boxNames(p Person, names []string, seen map[string]bool) []string {
	for _, m := range p.Box {
		if m.GroupID == "" && m.GroupName != "" && !seen[m.GroupName] {
			seen[m.GroupName] = true
			names = append(names, m.GroupName)
		}
	}
	return names
}

// scopesOf names the groups of scopes (PlanOptions.ScopesOf) as wanted
// names the people's, wanting nothing there: their members are read for
// prune. A name that is no one group names nothing, and is nobody's
// problem.
func (r *boxRead) scopesOf(scopes []Person) {
	for _, a := range scopes {
		for _, m := range a.Box {
			id := m.GroupID
			if id == "" {
				id = r.groups[m.GroupName].id
			}
			if id != "" {
				r.view.Scopes[boxGroupScope(id)] = true
				r.named[id] = true
			}
		}
	}
}

// nameScopes gives the grants of the view the names of their groups,
// where the desired state or a read told them, for people reading the
// plan.
func (r *boxRead) nameScopes() {
	names := map[string]string{}
	for name, g := range r.groups {
		if g.id != "" {
			names[g.id] = name
		}
	}
	for _, p := range r.people {
		for _, m := range p.Box {
			if m.GroupID != "" && m.GroupName != "" {
				names[m.GroupID] = m.GroupName
			}
		}
	}
	for _, rec := range r.view.Have {
		if rec.Grant.ScopeName != "" {
			names[rec.Grant.Scope] = rec.Grant.ScopeName
		}
	}
	for i, rec := range r.view.Have {
		if rec.Grant.Kind == KindGroup && rec.Grant.ScopeName == "" {
			r.view.Have[i].Grant.ScopeName = names[rec.Grant.Scope]
		}
	}
	for _, want := range r.view.Want {
		for i, g := range want {
			if g.Kind == KindGroup {
				want[i].ScopeName = names[g.Scope]
			}
		}
	}
}

// resolveNames resolves the group names the desired state uses (step 1
// of read).
func (r *boxRead) resolveNames(ctx context.Context, names []string) error {
	if len(names) >= 2 {
		done, err := r.listGroups(ctx, names)
		if err != nil || done {
			return err
		}
	}
	for _, name := range names {
		if err := r.lookupGroup(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// listGroups resolves names from the list of every group, and reports
// false, resolving nothing, when the list would take more requests than
// looking each name up (or cannot be read to its end).
func (r *boxRead) listGroups(ctx context.Context, names []string) (bool, error) {
	ids := map[string][]string{}
	for _, name := range names {
		ids[name] = nil
	}
	var pages int64
	for page, err := range r.b.c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{Limit: boxPageSize, Fields: []string{"name"}}).Pages() {
		if errors.Is(err, invitations.ErrOffsetLimit) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("access: box groups: %w", err)
		}
		pages++
		for _, g := range page.Items {
			if found, ok := ids[g.Name]; ok {
				ids[g.Name] = append(found, g.ID)
			}
		}
		if !page.HasMore {
			break
		}
		if !boxListGroupsOn(page.Total, pages, len(names)) {
			return false, nil
		}
	}
	for _, name := range names {
		r.groups[name] = boxNamed(name, ids[name])
	}
	return true, nil
}

// lookupGroup resolves a group name by looking it up. Box's filter is a
// prefix match, so only a group with exactly that name counts.
func (r *boxRead) lookupGroup(ctx context.Context, name string) error {
	var ids []string
	for group, err := range r.b.c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{FilterTerm: name, Limit: boxPageSize, Fields: []string{"name"}}).All() {
		if err != nil {
			return fmt.Errorf("access: box group %q: %w", name, err)
		}
		if group.Name == name {
			ids = append(ids, group.ID)
		}
	}
	r.groups[name] = boxNamed(name, ids)
	return nil
}

// boxNamed is the lookup of a group name Box gives ids: one, or a
// problem (none, or several: the name is ambiguous).
func boxNamed(name string, ids []string) boxGroupLookup {
	switch len(ids) {
	case 0:
		return boxGroupLookup{problem: fmt.Sprintf("no Box group named %q", name)}
	case 1:
		return boxGroupLookup{id: ids[0]}
	}
	return boxGroupLookup{problem: fmt.Sprintf("%d Box groups are named %q: give the group id", len(ids), name)}
}

// listGroup reads every member of a named group (step 2 of read). A group
// Box does not know (a group_id mistyped, or the group deleted) is a
// problem of each person asking for it, not the end of the plan: nothing
// is planned for it. A group too large to list is read another way
// (step 5).
func (r *boxRead) listGroup(ctx context.Context, group string) error {
	var recs []Record
	first := true
	for page, err := range r.b.c.Memberships.GetGroupMemberships(ctx, group, &invitations.ListMembershipsOptions{Limit: boxPageSize}).Pages() {
		if errors.Is(err, invitations.ErrNotFound) {
			r.unknownGroup(group)
			return nil
		}
		if errors.Is(err, invitations.ErrOffsetLimit) {
			r.largeGroup(group, recs)
			return nil
		}
		if err != nil {
			return fmt.Errorf("access: box group %s memberships: %w", group, err)
		}
		for _, m := range page.Items {
			if m.Group == nil {
				m.Group = &models.GroupMini{ID: group}
			}
			if m.User != nil && r.emails[strings.ToLower(m.User.Login)] {
				r.users[strings.ToLower(m.User.Login)] = m.User.ID
			}
			recs = append(recs, boxRecord(m, ""))
		}
		if first && page.HasMore && page.Total > boxListable && r.cheaperApart(group, recs) {
			r.largeGroup(group, recs)
			return nil
		}
		first = false
	}
	r.listed[group] = true
	for _, rec := range recs {
		r.add(rec)
	}
	return nil
}

// cheaperApart reports whether reading the memberships of the people who
// want group and are not among recs (its first page) takes no more
// requests than the rest of the group's listable part.
func (r *boxRead) cheaperApart(group string, recs []Record) bool {
	shown := map[string]bool{}
	for _, rec := range recs {
		shown[strings.ToLower(rec.Email)] = true
	}
	var apart int64
	for i, want := range r.want {
		if slices.ContainsFunc(want, func(g Grant) bool { return g.Scope == group }) && !shown[strings.ToLower(r.people[i].Email)] {
			apart++
		}
	}
	return apart <= boxPages(boxListable)-1
}

// largeGroup takes a group too large to list out of prune, as a problem
// (of the first person asking for it, whose field names it), or, when
// nobody asks for it (only PlanOptions.ScopesOf names it), as what the
// read left out (View.Partial): a problem would hold back the plan for
// nobody's sake. Of its members listed, the people read are kept; the
// others asking for it are read through their memberships (see
// memberships).
func (r *boxRead) largeGroup(group string, recs []Record) {
	r.large[group] = true
	delete(r.view.Scopes, boxGroupScope(group))
	for _, rec := range recs {
		if r.emails[strings.ToLower(rec.Email)] {
			r.add(rec)
		}
	}
	reason := fmt.Sprintf("Box group %s has more than 10,000 members: its other members cannot be listed; prune skipped there", group)
	askers := r.askers[group]
	if len(askers) == 0 {
		// Only PlanOptions.ScopesOf names it: nothing is planned there
		// but prune, which the coverage says is left out.
		r.view.Partial = append(r.view.Partial, reason)
		return
	}
	r.later = append(r.later, Problem{Email: askers[0].email, Vendor: invitations.Box, Field: askers[0].field, Reason: reason})
}

// unknownGroup takes group out of the plan, as a problem of each person
// asking for it.
func (r *boxRead) unknownGroup(group string) {
	r.unknown[group] = true
	delete(r.view.Scopes, boxGroupScope(group))
	for _, a := range r.askers[group] {
		key := Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: group}.Key(a.email)
		r.later = append(r.later, Problem{Email: a.email, Vendor: invitations.Box, Field: a.field, Key: key,
			Reason: fmt.Sprintf("no Box group with id %s", group)})
	}
}

// resolveUsers finds the Box user ids of the people (emails) the group
// lists did not show (step 3 of read). Those the user list did not show
// either are looked up one by one: Box lists its managed users, and finds
// an external user only by an exact filter_term. A person Box does not
// know is left without one.
func (r *boxRead) resolveUsers(ctx context.Context, emails []string) error {
	pending := map[string]bool{}
	for _, e := range emails {
		pending[strings.ToLower(e)] = true
	}
	if len(pending) >= 2 {
		if _, err := r.listUsers(ctx, pending); err != nil {
			return err
		}
	}
	for _, e := range emails {
		if !pending[strings.ToLower(e)] {
			continue
		}
		user, err := r.b.user(ctx, e)
		if err != nil {
			return err
		}
		if user != nil {
			r.users[strings.ToLower(e)] = user.ID
		}
	}
	return nil
}

// listUsers finds the pending people in the list of every user, taking
// each one found out of pending. The first page, by offset, tells how
// many users there are; beyond what offsets reach (10,000), the list
// starts again by marker (the first page read twice: one request more).
// It reports false, for the rest to be looked up, once the rest of the
// list would take more requests than those lookups (or cannot be read);
// true when the list was read to its end or found everyone.
func (r *boxRead) listUsers(ctx context.Context, pending map[string]bool) (bool, error) {
	opts := &invitations.GetUsersOptions{Limit: boxPageSize, Fields: []string{"login"}}
	var total, pages int64
	for page, err := range r.b.c.Memberships.GetUsers(ctx, opts).Pages() {
		if errors.Is(err, invitations.ErrOffsetLimit) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("access: box users: %w", err)
		}
		pages++
		total = page.Total
		r.found(page.Items, pending)
		switch {
		case !page.HasMore || len(pending) == 0:
			return true, nil
		case !boxListUsersOn(total, pages, len(pending)):
			return false, nil
		case total > boxListable:
			return r.listUsersByMarker(ctx, total, pending)
		}
	}
	return true, nil
}

// listUsersByMarker is listUsers for an enterprise of total users, more
// than offsets reach.
func (r *boxRead) listUsersByMarker(ctx context.Context, total int64, pending map[string]bool) (bool, error) {
	if !boxListUsersOn(total, 0, len(pending)) {
		return false, nil
	}
	var pages int64
	opts := &invitations.GetUsersOptions{Limit: boxPageSize, Fields: []string{"login"}, UseMarker: true}
	for page, err := range r.b.c.Memberships.GetUsers(ctx, opts).Pages() {
		if err != nil {
			return false, fmt.Errorf("access: box users: %w", err)
		}
		pages++
		r.found(page.Items, pending)
		if !page.HasMore || len(pending) == 0 {
			return true, nil
		}
		if !boxListUsersOn(total, pages, len(pending)) {
			return false, nil
		}
	}
	return true, nil
}

// found records the user ids of the pending people among users.
func (r *boxRead) found(users []models.User, pending map[string]bool) {
	for _, u := range users {
		if login := strings.ToLower(u.Login); pending[login] {
			r.users[login] = u.ID
			delete(pending, login)
		}
	}
}

// memberships reads the memberships of person i when the group lists do
// not tell them (steps 4 and 5 of read): all of them when i is absent;
// when i asks for a group too large to list that did not show them, those
// in the groups the desired state names.
func (r *boxRead) memberships(ctx context.Context, i int) error {
	p := r.people[i]
	email := strings.ToLower(p.Email)
	id := r.users[email]
	if id == "" {
		return nil
	}
	if !p.Absent && !slices.ContainsFunc(r.want[i], func(g Grant) bool { return r.large[g.Scope] && !r.member[boxMemberKey(g.Scope, email)] }) {
		return nil
	}
	for m, err := range r.b.c.Memberships.GetUserMemberships(ctx, id, &invitations.ListMembershipsOptions{Limit: boxPageSize}).All() {
		if err != nil {
			return fmt.Errorf("access: box user %s memberships: %w", id, err)
		}
		if rec := boxRecord(m, p.Email); p.Absent || r.named[rec.Grant.Scope] {
			r.add(rec)
		}
	}
	r.fullyRead[email] = true
	return nil
}

// boxAccountGrant is a user's account at status.
func boxAccountGrant(status models.UserStatus) Grant {
	return Grant{Vendor: invitations.Box, Kind: KindAccount, Level: string(status)}
}

// boxAccountRecord is u's account as a record.
func boxAccountRecord(u models.User) Record {
	state := StateMember
	if u.Status == models.UserStatusInactive {
		state = StateInactive
	}
	return Record{Email: u.Login, Grant: boxAccountGrant(u.Status), State: state, ID: u.ID}
}

// offboard reads the account of person i, when absent and known to Box
// (step 7 of read), and plans what the policy asks for beyond removing
// their memberships, as records to remove and grants wanted:
//
//   - their sessions, a record that an active account has (Box cannot
//     list sessions) when the policy ends them: its removal ends them;
//   - their content, when they own some and the policy names whom it
//     goes to: a grant of it to that user, which Box carries out by
//     transferring it;
//   - their account: wanted inactive (deactivate) or as it is (keep);
//     not wanted (delete), so removed, unless it owns content that
//     nobody is named to receive, which Box would refuse to delete
//     without deleting the content too: a problem then, and nothing
//     planned for the account.
//
// An inactive account has no sessions and is not deactivated again, and
// a deleted one is not found: a second offboarding sends nothing. A
// transfer in doubt is settled here: the content is gone from the
// account (space_used is 0) or the account with it, so it happened;
// otherwise it is planned again, after this read rather than blindly.
func (r *boxRead) offboard(ctx context.Context, i int) error {
	p := r.people[i]
	if !p.Absent {
		return nil
	}
	email := strings.ToLower(p.Email)
	owns := false
	defer func() { r.settleTransfers(email, owns) }()
	id := r.users[email]
	if id == "" {
		return nil
	}
	u, err := r.b.c.Users.GetUserByID(ctx, id, &invitations.UserOptions{Fields: []string{"login", "status", "space_used"}})
	if errors.Is(err, invitations.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("access: box user %s: %w", id, err)
	}
	u.Login = cmp.Or(u.Login, p.Email)
	account := boxAccountRecord(*u)
	r.view.Have = append(r.view.Have, account)
	active := u.Status != models.UserStatusInactive
	if active && *r.policy.EndSessions {
		r.view.Have = append(r.view.Have, Record{Email: u.Login, Grant: Grant{Vendor: invitations.Box, Kind: KindSessions}, State: StateMember, ID: id})
	}
	owns = u.SpaceUsed != nil && *u.SpaceUsed > 0
	var want []Grant
	transfer := false
	if owns && r.policy.TransferTo != "" {
		dest, err := r.destination(ctx)
		if err != nil {
			return err
		}
		switch {
		case dest == nil:
			r.problem(i, boxPolicyTransferTo, fmt.Sprintf("no Box user with login %s to transfer %s's content to", r.policy.TransferTo, p.Email))
		case dest.ID == id:
			r.problem(i, boxPolicyTransferTo, fmt.Sprintf("%s cannot receive their own content: name another user", p.Email))
		default:
			transfer = true
			want = append(want, Grant{Vendor: invitations.Box, Kind: KindContent, Scope: dest.ID, ScopeName: dest.Login})
		}
	}
	switch r.policy.Account {
	case BoxAccountDeactivate:
		want = append(want, boxAccountGrant(models.UserStatusInactive))
	case BoxAccountKeep:
		want = append(want, account.Grant)
	case BoxAccountDelete:
		if owns && !transfer {
			want = append(want, account.Grant)
			if r.policy.TransferTo == "" {
				r.problems[i] = append(r.problems[i], Problem{Email: p.Email, Vendor: invitations.Box, Field: boxPolicyTransferTo, Key: account.Grant.Key(email),
					Reason: fmt.Sprintf("%s's Box account owns content: name whom it goes to before deleting the account, or deactivate it", p.Email)})
			}
		}
	}
	r.want[i] = want
	return nil
}

// destination returns the user the policy's TransferTo names, looked up
// once, or nil when Box knows no such user.
func (r *boxRead) destination(ctx context.Context) (*models.User, error) {
	if !r.destRead {
		dest, err := r.b.user(ctx, r.policy.TransferTo)
		if err != nil {
			return nil, err
		}
		r.dest, r.destRead = dest, true
	}
	return r.dest, nil
}

// settleTransfers records as done the transfers of email's content that
// were in doubt, when the person owns nothing any more (or has no
// account): Have shows no content, so only the read can tell.
func (r *boxRead) settleTransfers(email string, owns bool) {
	if r.st == nil || owns {
		return
	}
	for _, d := range r.st.InDoubt() {
		if ch := d.Change; ch.Grant.Kind == KindContent && strings.EqualFold(ch.Email, email) {
			r.view.Settled = append(r.view.Settled, ch.Key())
		}
	}
}

// settleDoubts reads what the earlier in-doubt changes need to be
// settled and the other reads did not show (step 6 of read): a create's
// user's memberships, a removal's or an update's membership.
func (r *boxRead) settleDoubts(ctx context.Context) error {
	if r.st == nil {
		return nil
	}
	doubts := r.st.InDoubt()
	slices.SortFunc(doubts, func(a, b DoubtfulChange) int { return strings.Compare(a.Change.Key(), b.Change.Key()) })
	for _, d := range doubts {
		ch := d.Change
		group := ch.Grant.Scope
		// The account's changes are answered by its read (offboard).
		if ch.Grant.Kind != KindGroup || ch.Target == "" || r.listed[group] || r.fullyRead[strings.ToLower(ch.Email)] || r.member[boxMemberKey(group, ch.Email)] {
			continue
		}
		if ch.Action == Create {
			for m, err := range r.b.c.Memberships.GetUserMemberships(ctx, ch.Target, &invitations.ListMembershipsOptions{Limit: boxPageSize}).All() {
				if errors.Is(err, invitations.ErrNotFound) {
					break
				}
				if err != nil {
					return fmt.Errorf("access: box user %s memberships: %w", ch.Target, err)
				}
				if rec := boxRecord(m, ch.Email); rec.Grant.Scope == group {
					r.add(rec)
				}
			}
			continue
		}
		m, err := r.b.c.Memberships.GetGroupMembershipByID(ctx, ch.Target, nil)
		if errors.Is(err, invitations.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("access: box membership %s: %w", ch.Target, err)
		}
		r.add(boxRecord(*m, ch.Email))
	}
	return nil
}

// wanted resolves p's memberships to grants, and names their groups as
// scopes. A group asked for twice is one grant; asked for with two roles,
// it is a problem and neither is planned.
func (r *boxRead) wanted(i int, p Person) {
	var want []Grant
	roles := map[string]models.GroupMembershipRole{}
	conflicts := map[string]bool{}
	email := strings.ToLower(p.Email)
	for j, m := range p.Box {
		id := m.GroupID
		field := fmt.Sprintf("people[%d].Box[%d].GroupID", i, j)
		if id == "" {
			field = fmt.Sprintf("people[%d].Box[%d].GroupName", i, j)
			g := r.groups[m.GroupName]
			if m.GroupName == "" {
				g = boxGroupLookup{problem: "a Box membership names neither a group id nor a group name"}
			}
			if g.problem != "" {
				r.problem(i, field, g.problem)
				continue
			}
			id = g.id
		}
		r.view.Scopes[boxGroupScope(id)] = true
		r.named[id] = true
		r.askers[id] = append(r.askers[id], boxAsker{email: email, field: field})
		role := boxRole(m.Role)
		if prev, ok := roles[id]; ok {
			if prev != role && !conflicts[id] {
				conflicts[id] = true
				r.problem(i, fmt.Sprintf("people[%d].Box[%d].Role", i, j), fmt.Sprintf("Box group %s is asked for as both %s and %s", id, prev, role))
			}
			continue
		}
		roles[id] = role
		want = append(want, boxGrant(id, role))
	}
	r.want[i] = slices.DeleteFunc(want, func(g Grant) bool { return conflicts[g.Scope] })
}

// problem records a problem of person i's Box entries.
func (r *boxRead) problem(i int, field, reason string) {
	r.problems[i] = append(r.problems[i], Problem{Email: r.people[i].Email, Vendor: invitations.Box, Field: field, Reason: reason})
}

// add appends rec to Have once: a membership may be found both through
// its user and through its group.
func (r *boxRead) add(rec Record) {
	if r.seen[rec.ID] {
		return
	}
	r.seen[rec.ID] = true
	r.member[boxMemberKey(rec.Grant.Scope, rec.Email)] = true
	r.view.Have = append(r.view.Have, rec)
}

// user finds the Box user whose login is email (case-insensitive), or nil.
// Box's filter is a prefix match on name or login: the exact login is
// kept.
func (b *boxConnector) user(ctx context.Context, email string) (*models.User, error) {
	for u, err := range b.c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: email, Limit: boxLookupLimit, Fields: []string{"login"}}).All() {
		if err != nil {
			return nil, fmt.Errorf("access: box user %s: %w", email, err)
		}
		if strings.EqualFold(u.Login, email) {
			return &u, nil
		}
	}
	return nil, nil
}

// Audit streams every membership of every group, one group at a time,
// then every user's account with its status, 1,000 a page (users by
// marker, which has no 10,000 ceiling).
func (b *boxConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if !b.auditMemberships(ctx, yield) {
			return
		}
		opts := &invitations.GetUsersOptions{Limit: boxPageSize, Fields: []string{"login", "status"}, UseMarker: true}
		for u, err := range b.c.Memberships.GetUsers(ctx, opts).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: box users: %w", err))
				return
			}
			if !yield(boxAccountRecord(u), nil) {
				return
			}
		}
	}
}

// auditMemberships is Audit's memberships; it reports whether the stream
// goes on.
func (b *boxConnector) auditMemberships(ctx context.Context, yield func(Record, error) bool) bool {
	for g, err := range b.c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{Limit: boxPageSize}).All() {
		if err != nil {
			yield(Record{}, fmt.Errorf("access: box groups: %w", err))
			return false
		}
		for m, err := range b.c.Memberships.GetGroupMemberships(ctx, g.ID, &invitations.ListMembershipsOptions{Limit: boxPageSize}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: box group %s memberships: %w", g.ID, err))
				return false
			}
			if m.Group == nil {
				m.Group = &models.GroupMini{ID: g.ID}
			}
			if m.Group.Name == "" {
				m.Group.Name = g.Name
			}
			if !yield(boxRecord(m, ""), nil) {
				return false
			}
		}
	}
	return true
}

// Execute sends ch (see execute).
func (b *boxConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := b.execute(ctx, ch, st)
	return err
}

// Rank orders one person's changes: their sessions ended first (before
// anything else, so that no session outlives the offboarding), their
// memberships, then their content transferred, then their account
// changed last (Box deletes only an account that owns nothing, and the
// content must move while the account is there to move it from).
func (b *boxConnector) Rank(ch Change) int {
	switch ch.Grant.Kind {
	case KindSessions:
		return 0
	case KindContent:
		return 2
	case KindAccount:
		return 3
	}
	return 1
}

// DependsOn says an account's deletion needs the transfer of its content
// planned before it: deleting it otherwise would be refused, or, were
// the content gone another way meanwhile, would leave no chance to move
// it.
func (b *boxConnector) DependsOn(ch, earlier Change) bool {
	return ch.Grant.Kind == KindAccount && ch.Action == Remove && earlier.Grant.Kind == KindContent
}

// execute sends one change. A membership's create addresses the person's
// user id (Target) and the group (Scope), and returns the new
// membership's id; its update and removal address the membership id
// (Target). The account's changes address the user id (Target): sessions
// are ended, content transferred to the user Scope names, the account
// deactivated (its level updated) or deleted, never with force, which
// would delete its content.
func (b *boxConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	switch {
	case ch.Grant.Kind == KindSessions && ch.Action == Remove:
		_, err := b.c.Users.TerminateUsersSessions(ctx, &models.TerminateUsersSessionsRequest{UserIDs: []string{ch.Target}})
		return "", err
	case ch.Grant.Kind == KindContent && ch.Action == Create:
		_, err := b.c.Users.TransferOwnedFolder(ctx, ch.Target, &models.TransferOwnedFolderRequest{OwnedBy: models.Ref{ID: ch.Grant.Scope}}, nil)
		return "", err
	case ch.Grant.Kind == KindAccount && ch.Action == Update:
		_, err := b.c.Users.UpdateUserByID(ctx, ch.Target, &models.UpdateUserRequest{Status: models.UserStatus(ch.Grant.Level)}, nil)
		return "", err
	case ch.Grant.Kind == KindAccount && ch.Action == Remove:
		return "", b.c.Users.DeleteUserByID(ctx, ch.Target, nil)
	case ch.Grant.Kind != KindGroup:
		return "", fmt.Errorf("access: box: cannot %s a %s", ch.Action, ch.Grant.Kind)
	}
	role := models.GroupMembershipRole(ch.Grant.Level)
	switch ch.Action {
	case Create:
		m, err := b.c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
			User: models.Ref{ID: ch.Target}, Group: models.Ref{ID: ch.Grant.Scope}, Role: role,
		}, nil)
		if err != nil {
			return "", err
		}
		return m.ID, nil
	case Update:
		_, err := b.c.Memberships.UpdateGroupMembershipByID(ctx, ch.Target, &models.UpdateGroupMembershipRequest{Role: role}, nil)
		return "", err
	case Remove:
		return "", b.c.Memberships.DeleteGroupMembershipByID(ctx, ch.Target)
	}
	return "", fmt.Errorf("access: box: unknown action %q", ch.Action)
}

// Classify says a create Box refuses with 409 (the user is a member of
// the group already) was already done, but for a transfer of content,
// which no 409 says happened; and so was an account's deactivation that
// finds no user (deleted: it cannot log in).
func (b *boxConnector) Classify(ch Change, err error) Outcome {
	var apiErr *invitations.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	switch {
	case ch.Grant.Kind != KindContent && ch.Action == Create && apiErr.StatusCode == http.StatusConflict:
		return AlreadyDone
	case ch.Grant.Kind == KindAccount && ch.Action == Update && ch.Grant.Level == string(models.UserStatusInactive) && apiErr.StatusCode == http.StatusNotFound:
		return AlreadyDone
	}
	return ""
}

// Box's lookups: the ids a file's box entries name (groups, by name or
// id) and the users a membership is created for.
const (
	boxLookupGroups = "box-groups"
	boxLookupUsers  = "box-users"
)

// Lookups offers Box's groups and users.
func (b *boxConnector) Lookups() []Lookup {
	return []Lookup{
		{Kind: boxLookupGroups, Vendor: invitations.Box, Summary: "Box groups: the ids and names a file's box entries give", Columns: []string{"id", "name", "description"}},
		{Kind: boxLookupUsers, Vendor: invitations.Box, Summary: "Box users: their ids and logins (a person's email is their login)", Columns: []string{"id", "login", "name", "status"}},
	}
}

// Lookup lists every group (at most the 10,000 Box's offsets reach), or
// every user (by marker, which has no such ceiling), 1,000 a page.
func (b *boxConnector) Lookup(ctx context.Context, kind string, _ map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	switch kind {
	case boxLookupGroups:
		opts := &invitations.GetGroupsOptions{Limit: boxPageSize, Fields: []string{"name", "description"}}
		return pagedRows(b.c.Memberships.GetGroups(ctx, opts).Pages(), func(g models.Group) []string {
			return []string{g.ID, g.Name, g.Description}
		})
	case boxLookupUsers:
		opts := &invitations.GetUsersOptions{Limit: boxPageSize, Fields: []string{"login", "name", "status"}, UseMarker: true}
		return pagedRows(b.c.Memberships.GetUsers(ctx, opts).Pages(), func(u models.User) []string {
			return []string{u.ID, u.Login, u.Name, string(u.Status)}
		})
	}
	return unknownLookup(invitations.Box, kind)
}
