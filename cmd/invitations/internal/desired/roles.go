package desired

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// accessFields are the vendor sections of a person, and all the fields
// of a role.
var accessFields = []string{"gitguardian", "box", "freestyle", "bimdata", "portworx"}

// roles reads the roles mapping: each role's name, then its vendor
// sections, as a person's. A role is named roles[NAME] in messages, as
// access names it.
func (p *parser) roles(n *yaml.Node, field string) error {
	return p.mapping(n, field, "role names to their access", func(name string, k, v *yaml.Node) error {
		ap := "roles[" + name + "]"
		p.mark(ap, ap, k)
		asked := map[invitations.API]bool{}
		p.f.roleAsked[name] = asked
		var role access.Person
		err := p.fields(v, ap, accessFields, func(key string, _, v *yaml.Node) error {
			return p.access(ap, key, v, ap+"."+key, &role, asked)
		})
		p.f.Roles = append(p.f.Roles, access.Role{Name: name, Access: role})
		return err
	})
}

// groups reads the groups mapping: an identity provider's group name to
// the list of roles its members hold, each a role of the file.
func (p *parser) groups(n *yaml.Node, field string) error {
	p.f.Groups = map[string][]string{}
	return p.mapping(n, field, "group names to their roles", func(name string, _, v *yaml.Node) error {
		f := field + "[" + name + "]"
		roles := []string{}
		err := p.list(v, f, func(_ int, item *yaml.Node, f string) error {
			role, err := p.str(item, f)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(p.f.Roles, func(r access.Role) bool { return r.Name == role }) {
				return p.errAt(item, f, "%s", p.unknownRole(role))
			}
			roles = append(roles, role)
			return nil
		})
		p.f.Groups[name] = roles
		return err
	})
}

// unknownRole says that the file defines no role name, and which it does.
func (p *parser) unknownRole(name string) string {
	if len(p.f.Roles) == 0 {
		return fmt.Sprintf("no role %s: the file defines no roles", name)
	}
	names := make([]string, len(p.f.Roles))
	for i, r := range p.f.Roles {
		names[i] = r.Name
	}
	slices.Sort(names)
	return fmt.Sprintf("no role %s; the roles are: %s", name, strings.Join(names, ", "))
}

// mapping walks a mapping node whose keys are names (what says of what to
// what, for messages), each a string given once; fn gets each name, its
// key and its value.
func (p *parser) mapping(n *yaml.Node, field, what string, fn func(name string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errAt(n, field, "must be a mapping of %s, not %s", what, kind(n))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name, err := p.str(k, field)
		if err != nil {
			return err
		}
		if seen[name] {
			return p.errAt(k, field+"["+name+"]", "given twice")
		}
		seen[name] = true
		if err := fn(name, k, v); err != nil {
			return err
		}
	}
	return nil
}
