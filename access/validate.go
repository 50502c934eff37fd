package access

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/invitesdk/invitations/models"
)

// InvalidPersonError is a desired state that cannot be planned, caught
// before any request: Field names the person and the field, as in
// "people[3].Box[0].GroupID".
type InvalidPersonError struct {
	Field  string
	Reason string
}

func (e *InvalidPersonError) Error() string {
	return "access: invalid " + e.Field + ": " + e.Reason
}

// Validate checks people as Plan does before any request, and returns the
// first mistake as an *InvalidPersonError: one entry per email, valid
// emails, and what each vendor needs to act on a grant. It is where the
// rules of a desired state live; a reader of a file (the command's YAML)
// checks only its shapes and maps the error's Field back to its lines.
func Validate(people []Person) error {
	seen := map[string]int{}
	for i, p := range people {
		field := func(f string) string { return fmt.Sprintf("people[%d]%s", i, f) }
		bad := func(f, reason string) error { return &InvalidPersonError{Field: field(f), Reason: reason} }
		if p.Email == "" {
			return bad(".Email", "missing: every person needs an email")
		}
		addr, err := mail.ParseAddress(p.Email)
		if err != nil || addr.Address != p.Email || addr.Name != "" {
			return bad(".Email", fmt.Sprintf("%q is not an email address", p.Email))
		}
		key := strings.ToLower(p.Email)
		if j, dup := seen[key]; dup {
			return bad(".Email", fmt.Sprintf("%s is also people[%d]: give each person one entry", p.Email, j))
		}
		seen[key] = i
		if p.Absent {
			continue
		}
		if g := p.GitGuardian; g != nil {
			if err := oneOf(bad, ".GitGuardian.AccessLevel", string(g.AccessLevel),
				models.AccessLevelManager, models.AccessLevelMember, models.AccessLevelRestricted); err != nil {
				return err
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
