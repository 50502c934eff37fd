package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// boxConnector keeps Box group memberships. Box knows people by user id
// and groups by id, so a read first finds each person's user by login
// and each named group by name.
type boxConnector struct {
	c *invitations.Client
}

func newBoxConnector(c *invitations.Client) connector {
	return &boxConnector{c: c}
}

func (b *boxConnector) vendor() Vendor { return Box }

// boxRole is role, or member when empty: Box's default, which a
// membership listed without its role also has.
func boxRole(role models.GroupMembershipRole) models.GroupMembershipRole {
	return cmp.Or(role, models.GroupMembershipRoleMember)
}

func boxGrant(groupID string, role models.GroupMembershipRole) Grant {
	return Grant{Vendor: Box, Kind: KindGroup, Scope: groupID, Level: string(boxRole(role))}
}

// boxRecord is m as a record; login is the member's, for a membership
// listed without its user (GetUserMemberships names the user already).
func boxRecord(m models.GroupMembership, login string) Record {
	if m.User != nil && m.User.Login != "" {
		login = m.User.Login
	}
	var group string
	if m.Group != nil {
		group = m.Group.ID
	}
	return Record{Email: login, Grant: boxGrant(group, m.Role), State: StateMember, ID: m.ID}
}

// boxGroupScope is the Scopes key of a group.
func boxGroupScope(groupID string) string { return string(KindGroup) + "|" + groupID }

// boxRead is one read in progress: the view being filled, the group
// names resolved so far and the memberships already seen.
type boxRead struct {
	b      *boxConnector
	view   *vendorView
	groups map[string]boxGroupLookup // by exact name
	seen   map[string]bool           // membership ids in view.Have
	// askers are, per group id the desired state names, who asks for it
	// and where, so that a group that turns out not to exist is a
	// problem of each of them.
	askers map[string][]boxAsker
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

func (b *boxConnector) read(ctx context.Context, people []Person, _ *stateView) (*vendorView, error) {
	r := &boxRead{
		b:      b,
		view:   &vendorView{Want: map[string][]Grant{}, Subjects: map[string]string{}, Scopes: map[string]bool{}},
		groups: map[string]boxGroupLookup{},
		seen:   map[string]bool{},
		askers: map[string][]boxAsker{},
	}
	for i, p := range people {
		if !p.Absent && len(p.Box) == 0 {
			continue
		}
		if err := r.person(ctx, i, p); err != nil {
			return nil, err
		}
	}
	// Prune may clean the groups the desired state names: everyone in
	// them is read, not only the people asked about.
	for _, scope := range slices.Sorted(maps.Keys(r.view.Scopes)) {
		group := strings.TrimPrefix(scope, boxGroupScope(""))
		if err := r.groupMembers(ctx, group); err != nil {
			return nil, err
		}
	}
	return r.view, nil
}

// groupMembers reads everyone in group. A group Box does not know (a
// group_id mistyped, or the group deleted) is a problem of each person
// asking for it, not the end of the plan: nothing is planned for it.
func (r *boxRead) groupMembers(ctx context.Context, group string) error {
	for m, err := range r.b.c.Memberships.GetGroupMemberships(ctx, group, nil).All() {
		if errors.Is(err, invitations.ErrNotFound) {
			r.unknownGroup(group)
			return nil
		}
		if err != nil {
			return fmt.Errorf("access: box group %s memberships: %w", group, err)
		}
		r.add(boxRecord(m, ""))
	}
	return nil
}

// unknownGroup takes group out of the plan, as a problem of each person
// asking for it.
func (r *boxRead) unknownGroup(group string) {
	delete(r.view.Scopes, boxGroupScope(group))
	for _, a := range r.askers[group] {
		key := Grant{Vendor: Box, Kind: KindGroup, Scope: group}.Key(a.email)
		r.view.Problems = append(r.view.Problems, Problem{Email: a.email, Vendor: Box, Field: a.field, Key: key,
			Reason: fmt.Sprintf("no Box group with id %s", group)})
		r.view.Want[a.email] = slices.DeleteFunc(r.view.Want[a.email], func(g Grant) bool { return g.Scope == group })
		if len(r.view.Want[a.email]) == 0 {
			delete(r.view.Want, a.email)
		}
	}
}

// person reads one person: their Box user, their memberships and, unless
// they are absent, the groups they should be in.
func (r *boxRead) person(ctx context.Context, i int, p Person) error {
	email := strings.ToLower(p.Email)
	var want []Grant
	if !p.Absent {
		var err error
		if want, err = r.wanted(ctx, i, p); err != nil {
			return err
		}
	}
	user, err := r.b.user(ctx, p.Email)
	if err != nil {
		return err
	}
	if user == nil {
		if !p.Absent {
			r.problem(p.Email, fmt.Sprintf("people[%d].Email", i), fmt.Sprintf("no Box user with login %s", p.Email))
		}
		return nil
	}
	r.view.Subjects[email] = user.ID
	if len(want) > 0 {
		r.view.Want[email] = want
	}
	for m, err := range r.b.c.Memberships.GetUserMemberships(ctx, user.ID, nil).All() {
		if err != nil {
			return fmt.Errorf("access: box user %s memberships: %w", user.ID, err)
		}
		r.add(boxRecord(m, user.Login))
	}
	return nil
}

// wanted resolves p's memberships to grants, and names their groups as
// scopes. A group asked for twice is one grant; asked for with two roles,
// it is a problem and neither is planned.
func (r *boxRead) wanted(ctx context.Context, i int, p Person) ([]Grant, error) {
	var want []Grant
	roles := map[string]models.GroupMembershipRole{}
	conflicts := map[string]bool{}
	email := strings.ToLower(p.Email)
	for j, m := range p.Box {
		id := m.GroupID
		field := fmt.Sprintf("people[%d].Box[%d].GroupID", i, j)
		if id == "" {
			field = fmt.Sprintf("people[%d].Box[%d].GroupName", i, j)
			g, err := r.group(ctx, m.GroupName)
			if err != nil {
				return nil, err
			}
			if g.problem != "" {
				r.problem(p.Email, field, g.problem)
				continue
			}
			id = g.id
		}
		r.view.Scopes[boxGroupScope(id)] = true
		r.askers[id] = append(r.askers[id], boxAsker{email: email, field: field})
		role := boxRole(m.Role)
		if prev, ok := roles[id]; ok {
			if prev != role && !conflicts[id] {
				conflicts[id] = true
				r.problem(p.Email, fmt.Sprintf("people[%d].Box[%d].Role", i, j), fmt.Sprintf("Box group %s is asked for as both %s and %s", id, prev, role))
			}
			continue
		}
		roles[id] = role
		want = append(want, boxGrant(id, role))
	}
	kept := want[:0]
	for _, g := range want {
		if !conflicts[g.Scope] {
			kept = append(kept, g)
		}
	}
	return kept, nil
}

func (r *boxRead) problem(email, field, reason string) {
	r.view.Problems = append(r.view.Problems, Problem{Email: email, Vendor: Box, Field: field, Reason: reason})
}

// add appends rec to Have once: a membership is found both through its
// user and through its group.
func (r *boxRead) add(rec Record) {
	if r.seen[rec.ID] {
		return
	}
	r.seen[rec.ID] = true
	r.view.Have = append(r.view.Have, rec)
}

// group resolves a group name, once per read. Box's filter is a prefix
// match, so only a group with exactly that name counts; two of them make
// the name ambiguous.
func (r *boxRead) group(ctx context.Context, name string) (boxGroupLookup, error) {
	if g, ok := r.groups[name]; ok {
		return g, nil
	}
	if name == "" {
		return boxGroupLookup{problem: "a Box membership names neither a group id nor a group name"}, nil
	}
	var g boxGroupLookup
	var found int
	for group, err := range r.b.c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{FilterTerm: name}).All() {
		if err != nil {
			return g, fmt.Errorf("access: box group %q: %w", name, err)
		}
		if group.Name == name {
			found++
			g.id = group.ID
		}
	}
	switch {
	case found == 0:
		g = boxGroupLookup{problem: fmt.Sprintf("no Box group named %q", name)}
	case found > 1:
		g = boxGroupLookup{problem: fmt.Sprintf("%d Box groups are named %q: give the group id", found, name)}
	}
	r.groups[name] = g
	return g, nil
}

// user finds the Box user whose login is email (case-insensitive), or nil.
// Box's filter is a prefix match on name or login: the exact login is
// kept.
func (b *boxConnector) user(ctx context.Context, email string) (*models.User, error) {
	for u, err := range b.c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{FilterTerm: email}).All() {
		if err != nil {
			return nil, fmt.Errorf("access: box user %s: %w", email, err)
		}
		if strings.EqualFold(u.Login, email) {
			return &u, nil
		}
	}
	return nil, nil
}

// audit streams every membership of every group, one group at a time.
func (b *boxConnector) audit(ctx context.Context, _ *stateView) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for g, err := range b.c.Memberships.GetGroups(ctx, nil).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: box groups: %w", err))
				return
			}
			for m, err := range b.c.Memberships.GetGroupMemberships(ctx, g.ID, nil).All() {
				if err != nil {
					yield(Record{}, fmt.Errorf("access: box group %s memberships: %w", g.ID, err))
					return
				}
				if m.Group == nil {
					m.Group = &models.GroupMini{ID: g.ID}
				}
				if !yield(boxRecord(m, ""), nil) {
					return
				}
			}
		}
	}
}

// execute sends one membership change: a create addresses the person's
// user id (Target) and the group (Scope), the others the membership id
// (Target). A create returns the new membership's id.
func (b *boxConnector) execute(ctx context.Context, ch Change, _ *stateView) (string, error) {
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
