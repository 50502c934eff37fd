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

// validatePeople checks people before any request: one entry per email,
// valid emails, and what each vendor needs to act on a grant.
func validatePeople(people []Person) error {
	seen := map[string]int{}
	for i, p := range people {
		field := func(f string) string { return fmt.Sprintf("people[%d]%s", i, f) }
		bad := func(f, reason string) error { return &InvalidPersonError{Field: field(f), Reason: reason} }
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
			switch g.AccessLevel {
			case models.AccessLevelManager, models.AccessLevelMember, models.AccessLevelRestricted:
			default:
				return bad(".GitGuardian.AccessLevel", fmt.Sprintf("%q: must be manager, member or restricted", g.AccessLevel))
			}
		}
		for j, b := range p.Box {
			f := fmt.Sprintf(".Box[%d]", j)
			if b.GroupID == "" && b.GroupName == "" {
				return bad(f, "needs GroupID or GroupName")
			}
			switch b.Role {
			case "", models.GroupMembershipRoleMember, models.GroupMembershipRoleAdmin:
			default:
				return bad(f+".Role", fmt.Sprintf("%q: must be member or admin", b.Role))
			}
		}
		if fs := p.Freestyle; fs != nil {
			for j, g := range fs.Git {
				f := fmt.Sprintf(".Freestyle.Git[%d]", j)
				if strings.TrimSpace(g.RepoID) == "" {
					return bad(f+".RepoID", "must not be empty")
				}
				switch g.Permission {
				case models.GitAccessLevelRead, models.GitAccessLevelWrite:
				default:
					return bad(f+".Permission", fmt.Sprintf("%q: must be read or write", g.Permission))
				}
			}
			for j, v := range fs.VMs {
				if strings.TrimSpace(v.VMID) == "" {
					return bad(fmt.Sprintf(".Freestyle.VMs[%d].VMID", j), "must not be empty")
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
			if n != 1 {
				return bad(f, "needs exactly one of AccountID, TenantID and ProjectID")
			}
			if len(px.Roles) == 0 {
				return bad(f+".Roles", "must name at least one role")
			}
		}
	}
	return nil
}
