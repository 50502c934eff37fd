package access

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
)

// Role is a named set of access: a person naming it in Person.Roles holds
// its access besides their own.
type Role struct {
	// Name is the role's name, as Person.Roles names it.
	Name string
	// Access is what the role gives, in a Person's vendor fields. Email,
	// Absent and Roles are a person's, not a role's: Validate refuses a
	// role that sets them.
	Access Person
}

// WithRoles defines the roles people may name in Person.Roles, for every
// plan of the Manager. Plan checks them with the people (Validate), and a
// plan with prune cleans every role's scopes, held by anyone or not (see
// PlanOptions.ScopesOf).
func WithRoles(roles ...Role) Option {
	return func(m *Manager) error {
		for _, r := range roles {
			if r.Name == "" {
				return errors.New("access: WithRoles: a role has no name")
			}
		}
		m.roles = append(m.roles, roles...)
		return nil
	}
}

// MergeRoles returns p's access with that of the roles p names merged in:
// what a plan asks for p. roles are the roles defined (those p does not
// name are ignored); a role p names that is not among them is an error,
// as is a role or p itself setting something another of them sets
// otherwise. An absent person is returned as is: their roles are ignored.
//
// Grants are a union: Box groups (by id, or by name), GitGuardian teams
// (by name, without regard to case), Freestyle repositories and VMs,
// BIMData clouds and projects, Portworx invitations and role bindings (by
// scope, their roles merged and sorted), and Grants of other vendors (by
// Grant.Key). Where one field holds one value, the highest wins:
// GitGuardian's access level (manager > member > restricted) and team
// permission (can_manage > cannot_manage), a Box group's role (admin >
// member), a Freestyle repository's permission (write > read), a BIMData
// role (admin > user > guest); BIMData's Accept holds if any asks for it.
// What cannot hold twice is a conflict, an *InvalidPersonError whose Field
// and Also name both places ("roles[dev].Freestyle.VMs[0].AllowedUsers",
// p's own fields as "person.Freestyle..."): one Freestyle VM for two lists
// of users (nil, every user, included), one grant of another vendor at two
// levels. MergeRoles checks nothing else: Validate checks the fields.
func MergeRoles(p Person, roles ...Role) (Person, error) {
	byName := map[string]Role{}
	for _, r := range roles {
		if _, dup := byName[r.Name]; !dup {
			byName[r.Name] = r
		}
	}
	m, err := mergeRoles(p, "person", byName)
	if err != nil {
		return Person{}, err
	}
	return m.person(), nil
}

// accessSource is one place a person's access comes from: their own
// fields, or one of their roles.
type accessSource struct {
	// role is the role's name; "" for the person's own fields.
	role string
	// field is where the source is, as fields are named: "people[3]",
	// "roles[dev]".
	field string
	// access holds the source's vendor fields.
	access Person
}

// roleMerge is the merge of one person's sources: each vendor's merge
// rule (mergeRule) reads their fields and sets the merged ones in out,
// noting where each merged item comes from and which roles ask for it.
type roleMerge struct {
	who  string // the person, for messages: their email, else their field
	srcs []accessSource
	out  Person
	// origin maps a field of out (".Box[2]") to the field it comes from
	// ("roles[dev].Box[0]"), so that a problem found in out names the
	// place in the desired state.
	origin map[string]string
	// gives are the grants roles ask for, with the roles (provenance).
	gives []roleGrant
}

// person is the merged person.
func (m *roleMerge) person() Person { return m.out }

// mergeRule merges one vendor's fields of a person's sources into m.out.
// Each vendor's lives beside its connector; the engine runs them all
// without naming a vendor.
type mergeRule func(m *roleMerge) error

// roleGrant says which roles ask for the grants of one vendor, kind and
// scope: the provenance a plan gives its creates and updates.
type roleGrant struct {
	vendor invitations.API
	kind   Kind
	// scope, else name, matches Grant.Scope, else Grant.ScopeName,
	// without regard to case; neither set matches the kind's grant
	// without a scope (a GitGuardian workspace, a Freestyle identity).
	scope, name string
	// anyScope matches every grant of the kind (a BIMData invitation to
	// accept, whose id the desired state does not know).
	anyScope bool
	roles    []string
}

// matches reports whether r is about g.
func (r roleGrant) matches(g Grant) bool {
	if r.vendor != g.Vendor || r.kind != g.Kind {
		return false
	}
	switch {
	case r.anyScope:
		return true
	case r.scope != "":
		return strings.EqualFold(r.scope, g.Scope)
	case r.name != "":
		return strings.EqualFold(r.name, g.ScopeName)
	}
	return g.Scope == ""
}

// mergeRoles merges p's sources: their own fields (at field), then each
// role they name, in their order. A person without roles, or absent, is
// their own fields.
func mergeRoles(p Person, field string, roles map[string]Role) (*roleMerge, error) {
	m := &roleMerge{who: field, out: p, origin: map[string]string{}}
	if p.Email != "" {
		m.who = p.Email
	}
	if p.Absent || len(p.Roles) == 0 {
		return m, nil
	}
	m.srcs = []accessSource{{field: field, access: p}}
	for j, name := range p.Roles {
		r, ok := roles[name]
		if !ok {
			return nil, &InvalidPersonError{Field: fmt.Sprintf("%s.Roles[%d]", field, j), Reason: unknownRole(name, roles)}
		}
		m.srcs = append(m.srcs, accessSource{role: name, field: roleField(name), access: r.Access})
	}
	m.out = Person{Email: p.Email, Roles: p.Roles}
	for _, rule := range mergeRules() {
		if err := rule(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// mergeRules are the merge rules of every vendor's fields: the shipped
// vendors', then Person.Grants'.
func mergeRules() []mergeRule {
	var out []mergeRule
	rules := shippedMergeRules()
	for _, v := range invitations.Vendors() {
		if r, ok := rules[v.API]; ok {
			out = append(out, r)
		}
	}
	return append(out, grantsMergeRule)
}

// roleField names a role as fields do: roles[NAME].
func roleField(name string) string { return "roles[" + name + "]" }

// unknownRole says that no role is named name, and which are.
func unknownRole(name string, roles map[string]Role) string {
	if len(roles) == 0 {
		return fmt.Sprintf("no role %s: no roles are defined", name)
	}
	return fmt.Sprintf("no role %s; the roles are: %s", name, strings.Join(slices.Sorted(maps.Keys(roles)), ", "))
}

// verdict is how the values of one item from two sources merge.
type verdict int

const (
	// keepEarlier: the earlier value is higher; the later adds nothing.
	keepEarlier verdict = iota
	// takeLater: the later value is higher and replaces the earlier.
	takeLater
	// both: the merged value is what both ask for (equal values, or a
	// union): both sources give it.
	both
	// clash: the values cannot both hold.
	clash
)

// joinFunc merges later, an item of a later source, into earlier, the
// same item as merged so far. With clash, the string says what cannot
// hold ("VM v1 for every user here, for users a in the other").
type joinFunc[T any] func(earlier, later T) (T, verdict, string)

// highest is the join of one-valued fields where the highest rank wins;
// equal ranks keep the earlier value and both give it.
func highest[T any](rank func(T) int) joinFunc[T] {
	return func(earlier, later T) (T, verdict, string) {
		switch a, b := rank(earlier), rank(later); {
		case b > a:
			return later, takeLater, ""
		case b < a:
			return earlier, keepEarlier, ""
		}
		return earlier, both, ""
	}
}

// rankOf ranks value by its place in order, lowest first; a value not in
// order ranks with the first (an empty value meaning the lowest).
func rankOf[T comparable](value T, order ...T) int {
	return max(slices.Index(order, value), 0)
}

// pick is one merged item: its value, and where it comes from.
type pick[T any] struct {
	v T
	// src is the source whose value won, path the item's field there
	// (".Box[0]").
	src  int
	path string
	// from are the sources that gave the item; roles those of them that
	// are roles and give it at the value that won.
	from  []int
	roles []string
}

// itemRule is how one list (or one-valued) field merges.
type itemRule[T any] struct {
	// key identifies an item: items of the same key from two sources are
	// one.
	key func(T) string
	// join merges two sources' values of one item.
	join joinFunc[T]
	// clashField is the part of the item join's clash is about
	// (".AllowedUsers"), named in the error.
	clashField string
	// grant is the roleGrant of an item, roles left out.
	grant func(T) roleGrant
}

// mergeList merges the list field suffix (".Box") of m's sources, each
// read by get: items of one key from several sources become one (see
// itemRule); items of one source stay as they are, for the rules of one
// person's fields (Validate, the connectors) to judge. Items are in order
// of first appearance: the person's own first, at their own indexes.
func mergeList[T any](m *roleMerge, suffix string, get func(Person) []T, r itemRule[T]) ([]T, error) {
	var picks []pick[T]
	at := map[string]int{}
	for s, src := range m.srcs {
		for j, item := range get(src.access) {
			path := fmt.Sprintf("%s[%d]", suffix, j)
			if err := fold(m, &picks, at, s, path, item, r); err != nil {
				return nil, err
			}
		}
	}
	out := make([]T, 0, len(picks))
	for k, p := range picks {
		noteMerged(m, fmt.Sprintf("%s[%d]", suffix, k), p, r.grant(p.v))
		out = append(out, p.v)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// mergeOne merges a one-valued field, suffix (".GitGuardian.AccessLevel"),
// of m's sources, each read by get (false: the source does not set it).
// ok is false when no source sets it.
func mergeOne[T any](m *roleMerge, suffix string, get func(Person) (T, bool), r itemRule[T]) (v T, ok bool, err error) {
	var picks []pick[T]
	at := map[string]int{}
	r.key = func(T) string { return "" }
	for s, src := range m.srcs {
		if item, set := get(src.access); set {
			if err := fold(m, &picks, at, s, suffix, item, r); err != nil {
				return v, false, err
			}
		}
	}
	if len(picks) == 0 {
		return v, false, nil
	}
	noteMerged(m, suffix, picks[0], r.grant(picks[0].v))
	return picks[0].v, true, nil
}

// fold merges item, of source s at path, into picks (indexed by key in
// at).
func fold[T any](m *roleMerge, picks *[]pick[T], at map[string]int, s int, path string, item T, r itemRule[T]) error {
	src := m.srcs[s]
	k := r.key(item)
	i, ok := at[k]
	if !ok || slices.Contains((*picks)[i].from, s) {
		p := pick[T]{v: item, src: s, path: path, from: []int{s}}
		if src.role != "" {
			p.roles = []string{src.role}
		}
		if !ok {
			at[k] = len(*picks)
		}
		*picks = append(*picks, p)
		return nil
	}
	p := &(*picks)[i]
	v, how, why := r.join(p.v, item)
	switch how {
	case clash:
		return &InvalidPersonError{Field: m.srcs[p.src].field + p.path + r.clashField, Also: src.field + path + r.clashField,
			Reason: fmt.Sprintf("%s cannot have both: %s", m.who, why)}
	case takeLater:
		p.src, p.path, p.roles = s, path, nil
		fallthrough
	case both:
		if src.role != "" {
			p.roles = append(p.roles, src.role)
		}
	}
	p.v = v
	p.from = append(p.from, s)
	return nil
}

// noteMerged records where the merged item p, at field of the merged person,
// comes from, and the roles that ask for its grant g.
func noteMerged[T any](m *roleMerge, field string, p pick[T], g roleGrant) {
	m.origin[field] = m.srcs[p.src].field + p.path
	if len(p.roles) > 0 {
		g.roles = p.roles
		m.gives = append(m.gives, g)
	}
}

// grantsMergeRule merges Person.Grants, those of vendors without a field
// of their own: a union by Grant.Key; one grant at two levels (or for two
// lists of users) is a conflict, since only the vendor's connector could
// say which is higher.
func grantsMergeRule(m *roleMerge) error {
	grants, err := mergeList(m, ".Grants", func(p Person) []Grant { return p.Grants }, itemRule[Grant]{
		key: func(g Grant) string { return g.Key("") },
		join: func(a, b Grant) (Grant, verdict, string) {
			if sameLevel(a, b) {
				return a, both, ""
			}
			return a, clash, fmt.Sprintf("%s here, %s in the other", describe(a), describe(b))
		},
		clashField: ".Level",
		grant:      func(g Grant) roleGrant { return roleGrant{vendor: g.Vendor, kind: g.Kind, scope: g.Scope} },
	})
	m.out.Grants = grants
	return err
}

// expansion is a desired state with its roles merged in: the people a
// plan reads and changes, and, by email (lower-case), where each merged
// field comes from and which roles ask for which grants.
type expansion struct {
	people []Person
	merges map[string]*roleMerge
	// index is each person's index in the desired state.
	index map[string]int
}

// provenance sets c.Roles, for a create or an update: the roles of c's
// person that ask for its grant, in the person's order. Where several
// ask for it at different levels, those of the level planned.
func (x *expansion) provenance(c *Change) {
	m := x.merges[strings.ToLower(c.Email)]
	if m == nil || (c.Action != Create && c.Action != Update) {
		return
	}
	asked := map[string]bool{}
	for _, g := range m.gives {
		if g.matches(c.Grant) {
			for _, r := range g.roles {
				asked[r] = true
			}
		}
	}
	c.Roles = nil
	for _, r := range m.out.Roles {
		if asked[r] && !slices.Contains(c.Roles, r) {
			c.Roles = append(c.Roles, r)
		}
	}
}

// field maps the field of a problem a connector found, named by the
// person's index in read, the people it read ("people[0].Box[2].GroupName"),
// to the desired state's: the person's index there, and the role or own
// entry the merged item comes from ("roles[dev].Box[0].GroupName").
// Other fields are returned as they are.
func (x *expansion) field(read []Person, f string) string {
	var i int
	var rest string
	if n, err := fmt.Sscanf(f, "people[%d]", &i); err != nil || n != 1 || i < 0 || i >= len(read) {
		return f
	}
	_, rest, _ = strings.Cut(f, "]")
	email := strings.ToLower(read[i].Email)
	at, ok := x.index[email]
	if !ok {
		return f
	}
	if m := x.merges[email]; m != nil {
		for path := rest; path != ""; path = fieldParent(path) {
			if o, ok := m.origin[path]; ok {
				return o + rest[len(path):]
			}
		}
	}
	return fmt.Sprintf("people[%d]%s", at, rest)
}

// fieldParent drops the last element of a field path: ".Box[1].Role" →
// ".Box[1]" → ".Box" → "".
func fieldParent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i <= 0 {
		return ""
	}
	return path[:i]
}
