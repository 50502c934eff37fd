package access

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/invitesdk/invitations/models"
)

// InvalidPersonError is a desired state that cannot be planned, caught
// before any request: Field names the person (or the role) and the field,
// as in "people[3].Box[0].GroupID" or "roles[dev].Box[0].GroupID".
type InvalidPersonError struct {
	Field  string
	Reason string
	// Also, when set, is the other place of a conflict: two of a person's
	// roles (or a role and the person's own fields) asking for what cannot
	// both hold, as "roles[ops].Freestyle.VMs[0].AllowedUsers" beside
	// Field's "roles[dev].Freestyle.VMs[0].AllowedUsers".
	Also string
}

func (e *InvalidPersonError) Error() string {
	s := "access: invalid " + e.Field + ": " + e.Reason
	if e.Also != "" {
		s += "; also set by " + e.Also
	}
	return s
}

// Validate checks people as Plan does before any request, with the roles
// they may name (WithRoles), and returns the first mistake as an
// *InvalidPersonError: one entry per email, valid emails, what each vendor
// needs to act on a grant, in the people's fields and in the roles'; one
// role per name; roles the people name that exist; and no two of a
// person's sources (their own fields, their roles) asking for what cannot
// both hold (see MergeRoles). An absent person's other fields and roles
// are ignored. It is where the rules of a desired state live; a reader of
// a file (the command's YAML) checks only its shapes and maps the error's
// fields back to its lines.
func Validate(people []Person, roles ...Role) error {
	_, err := expand(people, roles)
	return err
}

// expand checks people and roles as Validate says and returns the people
// with their roles merged in: the merge that finds two sources asking for
// what cannot both hold is the one a plan reads.
func expand(people []Person, roles []Role) (*expansion, error) {
	byName := map[string]Role{}
	for _, r := range roles {
		field := roleField(r.Name)
		bad := func(f, reason string) error { return &InvalidPersonError{Field: field + f, Reason: reason} }
		switch {
		case strings.TrimSpace(r.Name) == "" || strings.TrimSpace(r.Name) != r.Name || strings.ContainsAny(r.Name, "[],"):
			return nil, bad("", fmt.Sprintf("%q is not a role name: a name is not blank, has no space at either end and no \"[\", \"]\" or \",\"", r.Name))
		case byName[r.Name].Name != "":
			return nil, bad("", fmt.Sprintf("two roles are named %s: give each its own name", r.Name))
		case r.Access.Email != "":
			return nil, bad(".Email", "a role gives access, to whoever names it: it has no email")
		case r.Access.Absent:
			return nil, bad(".Absent", "a role gives access: it cannot be absent")
		case len(r.Access.Roles) > 0:
			return nil, bad(".Roles", "a role cannot name roles: name them beside it in Person.Roles")
		}
		byName[r.Name] = r
		if err := validateAccess(r.Access, bad); err != nil {
			return nil, err
		}
	}
	x := &expansion{people: make([]Person, len(people)), merges: map[string]*roleMerge{}, index: map[string]int{}}
	seen := map[string]int{}
	for i, p := range people {
		field := func(f string) string { return fmt.Sprintf("people[%d]%s", i, f) }
		bad := func(f, reason string) error { return &InvalidPersonError{Field: field(f), Reason: reason} }
		if p.Email == "" {
			return nil, bad(".Email", "missing: every person needs an email")
		}
		addr, err := mail.ParseAddress(p.Email)
		if err != nil || addr.Address != p.Email || addr.Name != "" {
			return nil, bad(".Email", fmt.Sprintf("%q is not an email address", p.Email))
		}
		key := strings.ToLower(p.Email)
		if j, dup := seen[key]; dup {
			return nil, bad(".Email", fmt.Sprintf("%s is also people[%d]: give each person one entry", p.Email, j))
		}
		seen[key] = i
		if !p.Absent {
			for j, name := range p.Roles {
				if k := slices.Index(p.Roles[:j], name); k >= 0 {
					return nil, bad(fmt.Sprintf(".Roles[%d]", j), fmt.Sprintf("role %s is also Roles[%d]: name each role once", name, k))
				}
				if _, ok := byName[name]; !ok {
					return nil, bad(fmt.Sprintf(".Roles[%d]", j), unknownRole(name, byName))
				}
			}
			if err := validateAccess(p, bad); err != nil {
				return nil, err
			}
		}
		// An absent person is merged as they are: their roles are ignored.
		m, err := mergeRoles(p, field(""), byName)
		if err != nil {
			return nil, err
		}
		x.people[i], x.merges[key], x.index[key] = m.person(), m, i
	}
	return x, nil
}

// validateAccess checks the vendor fields of p, a person's or a role's,
// reporting the first mistake with bad (which names the person or role).
func validateAccess(p Person, bad func(f, reason string) error) error {
	if g := p.GitGuardian; g != nil {
		if err := oneOf(bad, ".GitGuardian.AccessLevel", string(g.AccessLevel),
			models.AccessLevelManager, models.AccessLevelMember, models.AccessLevelRestricted); err != nil {
			return err
		}
		teams := map[string]int{}
		for j, t := range g.Teams {
			f := fmt.Sprintf(".GitGuardian.Teams[%d]", j)
			if strings.TrimSpace(t.Team) == "" {
				return bad(f+".Team", "missing: give the team's name")
			}
			// GitGuardian's team names are unique without regard to
			// case: two entries would be one team at two permissions.
			if k, dup := teams[strings.ToLower(t.Team)]; dup {
				return bad(f+".Team", fmt.Sprintf("team %q is also Teams[%d]: name each team once", t.Team, k))
			}
			teams[strings.ToLower(t.Team)] = j
			if t.Permission != "" {
				if err := oneOf(bad, f+".Permission", string(t.Permission), models.TeamPermissionCanManage, models.TeamPermissionCannotManage); err != nil {
					return err
				}
			}
		}
	}
	for j, b := range p.Box {
		f := fmt.Sprintf(".Box[%d]", j)
		if b.GroupID == "" && b.GroupName == "" {
			return bad(f, "needs a group name or a group id")
		}
		if b.Role != "" {
			if err := oneOf(bad, f+".Role", string(b.Role), models.GroupMembershipRoleMember, models.GroupMembershipRoleAdmin); err != nil {
				return err
			}
		}
	}
	if fs := p.Freestyle; fs != nil {
		for j, g := range fs.Git {
			f := fmt.Sprintf(".Freestyle.Git[%d]", j)
			if strings.TrimSpace(g.RepoID) == "" {
				return bad(f+".RepoID", "missing: give the repository's id")
			}
			if err := oneOf(bad, f+".Permission", string(g.Permission), models.GitAccessLevelRead, models.GitAccessLevelWrite); err != nil {
				return err
			}
		}
		for j, v := range fs.VMs {
			if strings.TrimSpace(v.VMID) == "" {
				return bad(fmt.Sprintf(".Freestyle.VMs[%d].VMID", j), "missing: give the VM's id")
			}
		}
	}
	if bd := p.BIMData; bd != nil {
		// One role per cloud and per project: two would be two levels
		// of one grant.
		clouds, projects := map[int64]int{}, map[[2]int64]int{}
		for j, c := range bd.Clouds {
			f := fmt.Sprintf(".BIMData.Clouds[%d]", j)
			if c.CloudID <= 0 {
				return bad(f+".CloudID", "missing: give the cloud's id")
			}
			if k, dup := clouds[c.CloudID]; dup {
				return bad(f+".CloudID", fmt.Sprintf("cloud %d is also Clouds[%d]: give it one role", c.CloudID, k))
			}
			clouds[c.CloudID] = j
			if err := oneOf(bad, f+".Role", c.Role, BIMDataAdmin, BIMDataUser); err != nil {
				return err
			}
		}
		for j, pr := range bd.Projects {
			f := fmt.Sprintf(".BIMData.Projects[%d]", j)
			switch {
			case pr.CloudID <= 0:
				return bad(f+".CloudID", "missing: give the id of the project's cloud")
			case pr.ProjectID <= 0:
				return bad(f+".ProjectID", "missing: give the project's id")
			}
			if k, dup := projects[[2]int64{pr.CloudID, pr.ProjectID}]; dup {
				return bad(f+".ProjectID", fmt.Sprintf("project %d/%d is also Projects[%d]: give it one role", pr.CloudID, pr.ProjectID, k))
			}
			projects[[2]int64{pr.CloudID, pr.ProjectID}] = j
			if err := oneOf(bad, f+".Role", pr.Role, BIMDataAdmin, BIMDataUser, BIMDataGuest); err != nil {
				return err
			}
		}
	}
	for j, px := range p.Portworx {
		f := fmt.Sprintf(".Portworx[%d]", j)
		n := 0
		for _, id := range []string{px.AccountID, px.TenantID, px.ProjectID} {
			if id != "" {
				n++
			}
		}
		switch {
		case n != 1:
			return bad(f, "needs exactly one of account, tenant and project")
		case px.Roles == nil:
			return bad(f+".Roles", "missing: name at least one role")
		case len(px.Roles) == 0:
			return bad(f+".Roles", "must name at least one role")
		}
	}
	rbScopes := map[string]int{}
	for j, rb := range p.PortworxRoleBindings {
		f := fmt.Sprintf(".PortworxRoleBindings[%d]", j)
		scope, err := portworxScopeOf(PortworxAccess(rb))
		if err != nil {
			return bad(f, "needs exactly one of account, tenant and project")
		}
		if k, dup := rbScopes[scope]; dup {
			return bad(f, fmt.Sprintf("%s has role binding %d already: give each scope one entry with all its roles", scope, k))
		}
		rbScopes[scope] = j
		if len(rb.Roles) == 0 {
			return bad(f+".Roles", "missing: name at least one role")
		}
		for k, role := range rb.Roles {
			// A grant's Level joins roles with ",".
			if strings.TrimSpace(role) == "" || strings.Contains(role, ",") {
				return bad(fmt.Sprintf("%s.Roles[%d]", f, k), fmt.Sprintf("%q: a role is not blank and has no \",\"", role))
			}
		}
	}
	return nil
}

// oneOf checks that value is one of allowed: missing when empty, refused
// with the allowed values otherwise.
func oneOf[T ~string](bad func(f, reason string) error, field, value string, allowed ...T) error {
	names := make([]string, len(allowed))
	for i, a := range allowed {
		if string(a) == value {
			return nil
		}
		names[i] = string(a)
	}
	list := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	if value == "" {
		return bad(field, "missing: give "+list)
	}
	return bad(field, fmt.Sprintf("%q: must be %s", value, list))
}
