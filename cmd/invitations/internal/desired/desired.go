// Package desired reads the desired-state file of the invitations command:
// YAML naming, per person, the access they should have on each vendor,
// directly or through roles. It turns the file into access.Person and
// access.Role values, and every mistake in it (an unknown field, a bad
// value, a missing group, a control character, a YAML syntax error) into
// an *Error naming the file, the line and column, and the field, before
// anything is sent.
package desired

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/models"
)

// File is a parsed desired-state file.
type File struct {
	// Path is the file's name as given.
	Path string
	// People are the people the file names, in file order.
	People []access.Person
	// Roles are the roles the file defines (its roles section), in file
	// order; people name them in people[].roles.
	Roles []access.Role
	// Groups maps an identity provider's group name (its SCIM
	// displayName) to the roles its members hold (the groups section).
	Groups map[string][]string
	// Prune and PruneAll are the file's prune settings (access.PlanOptions).
	Prune, PruneAll bool
	// PortworxTenants are the Portworx tenants to read besides those the
	// people's access names.
	PortworxTenants []string
	// Offboarding are the file's offboarding policies (its offboarding
	// section), one per vendor it names: what removing a person does
	// there beyond removing their grants.
	Offboarding []access.OffboardingPolicy

	// asked holds, per person, the vendors whose section the file gives
	// with something in it: the file's sections are named by the
	// vendors' keys. roleAsked holds the same per role.
	asked     []map[invitations.API]bool
	roleAsked map[string]map[invitations.API]bool

	// at maps an access field path ("people[3].Box[0].GroupID", as
	// access.InvalidPersonError names it) to where it is in the file.
	at map[string]place
}

// place is a position in the file and the field's name there.
type place struct {
	line, column int
	field        string // e.g. people[3].box[0].group_id
}

// Error is a mistake in the file: where, which field, and what is wrong.
type Error struct {
	File   string
	Line   int
	Column int
	// Field is the field's path in the file, e.g. people[0].box[1].role.
	Field string
	Msg   string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Field == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Field + ": " + e.Msg
}

// Load reads and parses the file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses data, the content of the file named path.
func Parse(path string, data []byte) (*File, error) {
	data = utf8Text(data)
	if err := checkText(path, data); err != nil {
		return nil, err
	}
	doc, second, err := decode(data)
	if err != nil {
		return nil, syntaxError(path, data, err)
	}
	if doc == nil || len(doc.Content) == 0 {
		return nil, &Error{File: path, Msg: "the file is empty: it needs a people list"}
	}
	if second != nil {
		return nil, &Error{File: path, Line: second.Line, Column: second.Column,
			Msg: fmt.Sprintf("the file holds several YAML documents; the second starts at line %d: keep one", second.Line)}
	}
	if err := checkControls(path, doc); err != nil {
		return nil, err
	}
	p := &parser{f: &File{Path: path, at: map[string]place{}, roleAsked: map[string]map[invitations.API]bool{}}}
	if err := p.top(doc.Content[0]); err != nil {
		return nil, err
	}
	// The file's shapes are right; the rules of a desired state (valid
	// and unique emails, levels, required fields) are access's, checked
	// once there and mapped back to the file's lines.
	if err := access.Validate(p.f.People, p.f.Roles...); err != nil {
		return nil, p.f.Explain(err)
	}
	return p.f, nil
}

// Locate returns where the access field path accessField (as
// access.InvalidPersonError and plan problems name it, e.g.
// "people[3].Box[0].GroupID") is in the file, as "path:line:column", and
// the field's name in the file (people[3].box[0].group_id). A field the
// file does not spell out is located at its closest parent that it does
// (the Box entry, else the person); if none, loc is the file's path and
// field is accessField.
func (f *File) Locate(accessField string) (loc, field string) {
	pl, ok := f.place(accessField)
	if !ok {
		return f.Path, accessField
	}
	return fmt.Sprintf("%s:%d:%d", f.Path, pl.line, pl.column), pl.field
}

// place is the position of accessField or of its closest parent in the
// file.
func (f *File) place(accessField string) (place, bool) {
	for path := accessField; path != ""; path = parent(path) {
		if pl, ok := f.at[path]; ok {
			return pl, true
		}
	}
	return place{}, false
}

// Explain maps an error of access (an *access.InvalidPersonError naming
// "people[3].Box[0].GroupID") back to the line and column of that field in
// the file, found as Locate finds it; a conflict's other place (Also) is
// named in the message with its own line: "...; also set by roles[ops] at
// people.yaml:20:9". Other errors are returned as they are.
func (f *File) Explain(err error) error {
	var inv *access.InvalidPersonError
	if !errors.As(err, &inv) {
		return err
	}
	msg := inv.Reason
	if inv.Also != "" {
		msg += "; also set by " + f.source(inv.Also)
	}
	pl, ok := f.place(inv.Field)
	if !ok {
		return &Error{File: f.Path, Field: inv.Field, Msg: msg}
	}
	return &Error{File: f.Path, Line: pl.line, Column: pl.column, Field: pl.field, Msg: msg}
}

// source names the role or person the access field path accessField is
// in, as the file names them, and where the field is: "roles[ops] at
// people.yaml:20:9".
func (f *File) source(accessField string) string {
	top := accessField
	if i := strings.Index(accessField, "]"); i >= 0 {
		top = accessField[:i+1]
	}
	name := top
	if pl, ok := f.at[top]; ok {
		name = pl.field
	}
	loc, _ := f.Locate(accessField)
	return name + " at " + loc
}

// parent drops the last element of a field path: "a[1].B" → "a[1]" → "a".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i <= 0 {
		return ""
	}
	return path[:i]
}

// Grants lists the vendors the file asks a grant of (its present people's
// access), in access order: absent people are left out.
func (f *File) Grants() []invitations.API {
	var out []invitations.API
	for _, info := range invitations.Vendors() {
		for i := range f.People {
			if f.asks(i, info.API) {
				out = append(out, info.API)
				break
			}
		}
	}
	return out
}

// HasAbsent reports whether the file offboards someone.
func (f *File) HasAbsent() bool {
	return slices.ContainsFunc(f.People, func(p access.Person) bool { return p.Absent })
}

// Where returns "file:line" of the first person asking a grant of vendor
// v (see Grants), for messages such as "BOX_ACCESS_TOKEN is not set".
func (f *File) Where(v invitations.API) string {
	for i := range f.People {
		if f.asks(i, v) {
			pl := f.at[fmt.Sprintf("people[%d]", i)]
			return fmt.Sprintf("%s:%d", f.Path, pl.line)
		}
	}
	return f.Path
}

// asks reports whether the i-th person asks a grant of vendor v, in
// their own fields or through one of their roles.
func (f *File) asks(i int, v invitations.API) bool {
	if f.People[i].Absent {
		return false
	}
	return f.asked[i][v] || slices.ContainsFunc(f.People[i].Roles, func(r string) bool { return f.roleAsked[r][v] })
}

type parser struct{ f *File }

func (p *parser) errAt(n *yaml.Node, field, format string, args ...any) error {
	return &Error{File: p.f.Path, Line: n.Line, Column: n.Column, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// mark records where the access field path is in the file.
func (p *parser) mark(accessPath, field string, n *yaml.Node) {
	p.f.at[accessPath] = place{line: n.Line, column: n.Column, field: field}
}

// expect records where a field the file may leave out would be: at its
// parent n, under its own name, so that access's "missing" names it. A
// mark of the field itself, when the file gives it, replaces this one.
func (p *parser) expect(accessPath, field string, n *yaml.Node) {
	if _, ok := p.f.at[accessPath]; !ok {
		p.mark(accessPath, field, n)
	}
}

// fields walks a mapping node: each key must be one of known (an unknown
// or repeated key is an error), and fn gets each value.
func (p *parser) fields(n *yaml.Node, path string, known []string, fn func(key string, keyNode, val *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, path, "must be a mapping with the fields %s, not %s", strings.Join(known, ", "), kind(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := join(path, k.Value)
		if !slices.Contains(known, k.Value) {
			return p.errAt(k, name, "unknown field (known fields: %s)", strings.Join(known, ", "))
		}
		if seen[k.Value] {
			return p.errAt(k, name, "given twice")
		}
		seen[k.Value] = true
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

// leaf is one field of an item the file gives as a mapping of scalars
// and lists (a Box membership, a git permission): its key in the file,
// its name in access (Role, in "people[3].Box[0].Role"), whether access
// needs it (a missing one is located at the item), and how its value is
// read.
type leaf struct {
	key, name string
	needed    bool
	read      func(v *yaml.Node, field string) error
}

// leaves reads the item n, named ap in access and field in the file,
// whose fields are ls: each is located for access's messages, and read.
func (p *parser) leaves(ap string, n *yaml.Node, field string, ls ...leaf) error {
	p.mark(ap, field, n)
	keys := make([]string, len(ls))
	for i, l := range ls {
		keys[i] = l.key
		if l.needed {
			p.expect(ap+"."+l.name, field+"."+l.key, n)
		}
	}
	return p.fields(n, field, keys, func(key string, _, v *yaml.Node) error {
		l := ls[slices.Index(keys, key)]
		f := field + "." + key
		p.mark(ap+"."+l.name, f, v)
		return l.read(v, f)
	})
}

// text reads a string leaf into dst.
func text[T ~string](p *parser, dst *T) func(*yaml.Node, string) error {
	return func(v *yaml.Node, f string) error {
		s, err := p.str(v, f)
		*dst = T(s)
		return err
	}
}

// idInto reads an id leaf into dst.
func (p *parser) idInto(dst *int64) func(*yaml.Node, string) error {
	return func(v *yaml.Node, f string) (err error) {
		*dst, err = p.id(v, f)
		return err
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "empty"
	}
	return fmt.Sprintf("%q", n.Value)
}

// str reads a scalar string (a number is taken as its text, for ids).
func (p *parser) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!bool" || n.Tag == "!!map" {
		return "", p.errAt(n, field, "must be a string, not %s", kind(n))
	}
	if strings.TrimSpace(n.Value) == "" {
		return "", p.errAt(n, field, "must not be empty")
	}
	return n.Value, nil
}

func (p *parser) boolean(n *yaml.Node, field string) (bool, error) {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		return false, p.errAt(n, field, "must be true or false, not %s", kind(n))
	}
	return b, nil
}

// list walks a sequence node.
func (p *parser) list(n *yaml.Node, field string, fn func(i int, item *yaml.Node, field string) error) error {
	if n.Kind != yaml.SequenceNode {
		return p.errAt(n, field, "must be a list, not %s", kind(n))
	}
	for i, item := range n.Content {
		if err := fn(i, item, fmt.Sprintf("%s[%d]", field, i)); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) strings(n *yaml.Node, field string) ([]string, error) {
	out := []string{}
	err := p.list(n, field, func(_ int, item *yaml.Node, f string) error {
		s, err := p.str(item, f)
		out = append(out, s)
		return err
	})
	return out, err
}

func (p *parser) top(n *yaml.Node) error {
	havePeople, haveGroups := false, false
	var groups *yaml.Node
	err := p.fields(n, "", []string{"people", "roles", "groups", "prune", "prune_all", "portworx_tenants", "offboarding"}, func(key string, _, v *yaml.Node) error {
		var err error
		switch key {
		case "people":
			havePeople = true
			err = p.list(v, "people", func(i int, item *yaml.Node, field string) error {
				person, err := p.person(i, item, field)
				p.f.People = append(p.f.People, person)
				return err
			})
		case "roles":
			err = p.roles(v, key)
		case "groups":
			haveGroups, groups = true, v
		case "prune":
			p.f.Prune, err = p.boolean(v, key)
		case "prune_all":
			p.f.PruneAll, err = p.boolean(v, key)
		case "portworx_tenants":
			p.f.PortworxTenants, err = p.strings(v, key)
		case "offboarding":
			err = p.offboarding(v, key)
		}
		return err
	})
	if err != nil {
		return err
	}
	// Groups name roles, which may come after them in the file.
	if haveGroups {
		if err := p.groups(groups, "groups"); err != nil {
			return err
		}
	}
	// A file mapping an identity provider's groups to roles may leave
	// its people to the identity provider.
	if !havePeople && !haveGroups {
		return p.errAt(n, "people", "missing: the file must list people (or map an identity provider's groups to roles)")
	}
	return nil
}

var personFields = slices.Concat([]string{"email", "absent", "roles"}, accessFields)

func (p *parser) person(i int, n *yaml.Node, field string) (access.Person, error) {
	var person access.Person
	ap := fmt.Sprintf("people[%d]", i)
	p.mark(ap, field, n)
	p.expect(ap+".Email", field+".email", n)
	var others *yaml.Node // the first access field, refused with absent
	var othersName string
	asked := map[invitations.API]bool{}
	p.f.asked = append(p.f.asked, asked)
	err := p.fields(n, field, personFields, func(key string, k, v *yaml.Node) error {
		f := field + "." + key
		var err error
		if key != "email" && key != "absent" && others == nil {
			others, othersName = k, f
		}
		switch key {
		case "email":
			p.mark(ap+".Email", f, v)
			person.Email, err = p.str(v, f)
		case "absent":
			person.Absent, err = p.boolean(v, f)
		case "roles":
			p.mark(ap+".Roles", f, v)
			err = p.list(v, f, func(j int, item *yaml.Node, f string) error {
				p.mark(fmt.Sprintf("%s.Roles[%d]", ap, j), f, item)
				name, err := p.str(item, f)
				person.Roles = append(person.Roles, name)
				return err
			})
		default:
			err = p.access(ap, key, v, f, &person, asked)
		}
		return err
	})
	if err != nil {
		return person, err
	}
	if person.Absent && others != nil {
		return person, p.errAt(others, othersName, "an absent person is removed everywhere: drop this field or absent")
	}
	return person, nil
}

// access reads the vendor section key of a person or a role (ap names it
// as access does, "people[3]" or "roles[dev]"), at f in the file, into
// person, noting in asked whether it asks for anything there.
func (p *parser) access(ap, key string, v *yaml.Node, f string, person *access.Person, asked map[invitations.API]bool) error {
	if _, vendor := invitations.API(key).Info(); vendor {
		asked[invitations.API(key)] = v.Kind == yaml.MappingNode || len(v.Content) > 0
	}
	var err error
	switch key {
	case "gitguardian":
		person.GitGuardian, err = p.gitguardian(ap+".GitGuardian", v, f)
	case "box":
		err = p.list(v, f, func(j int, item *yaml.Node, f string) error {
			b, err := p.box(fmt.Sprintf("%s.Box[%d]", ap, j), item, f)
			person.Box = append(person.Box, b)
			return err
		})
	case "freestyle":
		person.Freestyle, err = p.freestyle(ap+".Freestyle", v, f)
	case "bimdata":
		person.BIMData, err = p.bimdata(ap+".BIMData", v, f)
	case "portworx":
		err = p.portworxSection(ap, v, f, person)
	}
	return err
}

func (p *parser) gitguardian(ap string, n *yaml.Node, field string) (*access.GitGuardianAccess, error) {
	g := &access.GitGuardianAccess{}
	p.expect(ap+".AccessLevel", field+".access_level", n)
	err := p.fields(n, field, []string{"access_level", "teams"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		if key == "teams" {
			return p.list(v, f, func(j int, item *yaml.Node, f string) error {
				t, err := p.ggTeam(fmt.Sprintf("%s.Teams[%d]", ap, j), item, f)
				g.Teams = append(g.Teams, t)
				return err
			})
		}
		p.mark(ap+".AccessLevel", f, v)
		s, err := p.str(v, f)
		g.AccessLevel = models.AccessLevel(s)
		return err
	})
	return g, err
}

// ggTeam reads one of a person's GitGuardian teams: a team's name, or a
// mapping {team: NAME, permission: can_manage|cannot_manage}.
func (p *parser) ggTeam(ap string, n *yaml.Node, field string) (access.GitGuardianTeam, error) {
	var t access.GitGuardianTeam
	p.mark(ap, field, n)
	if n.Kind == yaml.ScalarNode {
		p.mark(ap+".Team", field, n)
		var err error
		t.Team, err = p.str(n, field)
		return t, err
	}
	return t, p.leaves(ap, n, field,
		leaf{key: "team", name: "Team", needed: true, read: text(p, &t.Team)},
		leaf{key: "permission", name: "Permission", read: text(p, &t.Permission)})
}

// ggOffboarding reads the gitguardian section of offboarding: member
// (remove or deactivate), checked as access checks it.
func (p *parser) ggOffboarding(n *yaml.Node, field string) (access.OffboardingPolicy, error) {
	var o access.GitGuardianOffboarding
	err := p.fields(n, field, []string{"member"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		p.mark(f, f, v)
		s, err := p.str(v, f)
		o.Member = access.GitGuardianMemberOffboarding(s)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, p.f.Explain(o.Validate())
}

func (p *parser) box(ap string, n *yaml.Node, field string) (access.BoxMembership, error) {
	var b access.BoxMembership
	err := p.leaves(ap, n, field,
		leaf{key: "group", name: "GroupName", read: text(p, &b.GroupName)},
		leaf{key: "group_id", name: "GroupID", read: text(p, &b.GroupID)},
		leaf{key: "role", name: "Role", read: text(p, &b.Role)})
	// The file names a group one way; access would take the id and
	// ignore the name, which a reader of the file would not expect.
	if err == nil && b.GroupID != "" && b.GroupName != "" {
		err = p.errAt(n, field, "give group or group_id, not both")
	}
	return b, err
}

// boxOffboarding reads the box section of offboarding: account
// (deactivate, delete or keep), transfer_to (an email) and end_sessions
// (true unless given false), and checks them as access does.
func (p *parser) boxOffboarding(n *yaml.Node, field string) (access.OffboardingPolicy, error) {
	var o access.BoxOffboarding
	err := p.fields(n, field, []string{"account", "transfer_to", "end_sessions"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		p.mark(f, f, v)
		var err error
		switch key {
		case "account":
			var s string
			s, err = p.str(v, f)
			o.Account = access.BoxAccountAction(s)
		case "transfer_to":
			o.TransferTo, err = p.str(v, f)
		case "end_sessions":
			var end bool
			end, err = p.boolean(v, f)
			o.EndSessions = &end
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, p.f.Explain(o.Validate())
}

func (p *parser) freestyle(ap string, n *yaml.Node, field string) (*access.FreestyleAccess, error) {
	fs := &access.FreestyleAccess{}
	err := p.fields(n, field, []string{"git", "vms"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		if key == "git" {
			return p.list(v, f, func(j int, item *yaml.Node, f string) error {
				g, err := p.git(fmt.Sprintf("%s.Git[%d]", ap, j), item, f)
				fs.Git = append(fs.Git, g)
				return err
			})
		}
		return p.list(v, f, func(j int, item *yaml.Node, f string) error {
			vm, err := p.vm(fmt.Sprintf("%s.VMs[%d]", ap, j), item, f)
			fs.VMs = append(fs.VMs, vm)
			return err
		})
	})
	return fs, err
}

func (p *parser) git(ap string, n *yaml.Node, field string) (access.FreestyleGitPermission, error) {
	var g access.FreestyleGitPermission
	return g, p.leaves(ap, n, field,
		leaf{key: "repo", name: "RepoID", needed: true, read: text(p, &g.RepoID)},
		leaf{key: "permission", name: "Permission", needed: true, read: text(p, &g.Permission)})
}

func (p *parser) vm(ap string, n *yaml.Node, field string) (access.FreestyleVMPermission, error) {
	var vm access.FreestyleVMPermission
	return vm, p.leaves(ap, n, field,
		leaf{key: "vm", name: "VMID", needed: true, read: text(p, &vm.VMID)},
		leaf{key: "users", name: "AllowedUsers", read: func(v *yaml.Node, f string) (err error) {
			vm.AllowedUsers, err = p.strings(v, f)
			return err
		}})
}

func (p *parser) bimdata(ap string, n *yaml.Node, field string) (*access.BIMDataAccess, error) {
	bd := &access.BIMDataAccess{}
	err := p.fields(n, field, []string{"accept", "clouds", "projects"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		switch key {
		case "accept":
			var err error
			bd.Accept, err = p.boolean(v, f)
			return err
		case "clouds":
			return p.list(v, f, func(j int, item *yaml.Node, f string) error {
				c, err := p.bimCloud(fmt.Sprintf("%s.Clouds[%d]", ap, j), item, f)
				bd.Clouds = append(bd.Clouds, c)
				return err
			})
		}
		return p.list(v, f, func(j int, item *yaml.Node, f string) error {
			pr, err := p.bimProject(fmt.Sprintf("%s.Projects[%d]", ap, j), item, f)
			bd.Projects = append(bd.Projects, pr)
			return err
		})
	})
	return bd, err
}

func (p *parser) bimCloud(ap string, n *yaml.Node, field string) (access.BIMDataCloudAccess, error) {
	var c access.BIMDataCloudAccess
	return c, p.leaves(ap, n, field,
		leaf{key: "cloud", name: "CloudID", needed: true, read: p.idInto(&c.CloudID)},
		leaf{key: "role", name: "Role", needed: true, read: text(p, &c.Role)})
}

func (p *parser) bimProject(ap string, n *yaml.Node, field string) (access.BIMDataProjectAccess, error) {
	var pr access.BIMDataProjectAccess
	return pr, p.leaves(ap, n, field,
		leaf{key: "cloud", name: "CloudID", needed: true, read: p.idInto(&pr.CloudID)},
		leaf{key: "project", name: "ProjectID", needed: true, read: p.idInto(&pr.ProjectID)},
		leaf{key: "role", name: "Role", needed: true, read: text(p, &pr.Role)})
}

// id reads a numeric id, such as a BIMData cloud's: a positive whole
// number.
func (p *parser) id(n *yaml.Node, field string) (int64, error) {
	var id int64
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&id) != nil || id <= 0 {
		return 0, p.errAt(n, field, "must be a positive whole number (an id), not %s", kind(n))
	}
	return id, nil
}

// portworxSection reads a person's portworx section: a mapping of
// invitations and role_bindings, or, as files written before role
// bindings did, a list of invitations alone.
func (p *parser) portworxSection(ap string, n *yaml.Node, field string, person *access.Person) error {
	invites := func(n *yaml.Node, field string) error {
		return p.list(n, field, func(j int, item *yaml.Node, f string) error {
			px, err := p.portworx(fmt.Sprintf("%s.Portworx[%d]", ap, j), item, f)
			person.Portworx = append(person.Portworx, px)
			return err
		})
	}
	if n.Kind == yaml.SequenceNode {
		return invites(n, field)
	}
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, field, "must be a list of invitations or a mapping with the fields invitations, role_bindings, not %s", kind(n))
	}
	return p.fields(n, field, []string{"invitations", "role_bindings"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		if key == "invitations" {
			return invites(v, f)
		}
		return p.list(v, f, func(j int, item *yaml.Node, f string) error {
			px, err := p.portworx(fmt.Sprintf("%s.PortworxRoleBindings[%d]", ap, j), item, f)
			person.PortworxRoleBindings = append(person.PortworxRoleBindings, access.PortworxRoleBinding(px))
			return err
		})
	})
}

// portworx reads an invitation or a role binding: one of account, tenant
// and project, and roles.
func (p *parser) portworx(ap string, n *yaml.Node, field string) (access.PortworxAccess, error) {
	var px access.PortworxAccess
	p.mark(ap, field, n)
	p.expect(ap+".Roles", field+".roles", n)
	err := p.fields(n, field, []string{"account", "tenant", "project", "roles"}, func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		var err error
		switch key {
		case "account":
			px.AccountID, err = p.str(v, f)
		case "tenant":
			px.TenantID, err = p.str(v, f)
		case "project":
			px.ProjectID, err = p.str(v, f)
		case "roles":
			p.mark(ap+".Roles", f, v)
			px.Roles, err = p.strings(v, f)
		}
		return err
	})
	return px, err
}

// offboardingSections parse the sections of the file's offboarding
// mapping, by vendor key: each reads its vendor's policy (a mapping) at
// field, recording the positions of its fields under "offboarding.<key>"
// so that access's errors about the policy map back to the file.
var offboardingSections = map[string]func(p *parser, n *yaml.Node, field string) (access.OffboardingPolicy, error){
	string(invitations.Box):         (*parser).boxOffboarding,
	string(invitations.GitGuardian): (*parser).ggOffboarding,
}

// offboarding reads the offboarding mapping: one section per vendor that
// has choices, keyed by the vendor's key.
func (p *parser) offboarding(n *yaml.Node, field string) error {
	return p.fields(n, field, slices.Sorted(maps.Keys(offboardingSections)), func(key string, _, v *yaml.Node) error {
		f := field + "." + key
		p.mark(f, f, v)
		policy, err := offboardingSections[key](p, v, f)
		if err == nil {
			p.f.Offboarding = append(p.f.Offboarding, policy)
		}
		return err
	})
}
