package serve

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// People is the desired state of file together with what the identity
// provider pushed: the file's people, in file order and at their indexes
// (so that a problem naming people[3] still points at the file's line),
// then one person per email the SCIM users carry, sorted by email.
//
// An active user who is a member of groups the file maps (its groups
// section, matched by displayName exactly, else without regard to case)
// holds the union of those groups' roles. A user the identity provider
// deactivated or deleted is absent: offboarded, with the file's
// offboarding policy. An active user in no mapped group is a person
// without grants, or absent when unmappedAbsent: what they hold is left
// alone, except that a plan that prunes removes what this tool granted
// them (through the roles they had), which it can only find when the
// person is in the desired state (Freestyle's permissions are read person
// by person). Several users with one email are one
// person: a live user wins over a deleted one, an active one over an
// inactive one, and the active ones' roles add up.
//
// A person the file names keeps the file's fields and gains the roles the
// groups give; the identity provider deactivating or deleting them makes
// them absent, but a person the file says is absent stays absent. A user
// without a usable email (no email, or not an address) is left out, and
// said in notes by userName.
func People(file *desired.File, users []scim.User, groups []scim.Group, unmappedAbsent bool) (people []access.Person, notes []string) {
	var fileGroups map[string][]string
	if file != nil {
		people = slices.Clone(file.People)
		fileGroups = file.Groups
	}
	rolesOf := memberRoles(fileGroups, groups)

	byEmail := map[string]*idpPerson{}
	for _, u := range users {
		if !usableEmail(u.Email) {
			notes = append(notes, fmt.Sprintf("SCIM user %q has no usable email: left out", u.UserName))
			continue
		}
		key := strings.ToLower(u.Email)
		p := byEmail[key]
		if p == nil {
			p = &idpPerson{email: u.Email, rank: -1}
			byEmail[key] = p
		}
		p.add(u, rolesOf[u.ID])
	}

	fileIndex := map[string]int{}
	for i, p := range people {
		fileIndex[strings.ToLower(p.Email)] = i
	}
	var fromIdP []access.Person
	for _, key := range slices.Sorted(maps.Keys(byEmail)) {
		idp := byEmail[key]
		if i, ok := fileIndex[key]; ok {
			people[i] = idp.onto(people[i], &notes)
			continue
		}
		switch {
		case idp.rank < rankActive:
			fromIdP = append(fromIdP, access.Person{Email: idp.email, Absent: true})
		case len(idp.roles) == 0 && unmappedAbsent:
			fromIdP = append(fromIdP, access.Person{Email: idp.email, Absent: true})
		default:
			fromIdP = append(fromIdP, access.Person{Email: idp.email, Roles: idp.sortedRoles()})
		}
	}
	return append(people, fromIdP...), notes
}

// Ranks of what the identity provider says of an email: the best of its
// users counts.
const (
	rankDeleted  = iota // deleted: a person to offboard
	rankInactive        // live, active false: a person to offboard
	rankActive          // live and active
)

// idpPerson is what the identity provider's users say of one email.
type idpPerson struct {
	// email and userName are those of the best-ranked user.
	email, userName string
	rank            int
	// roles are the roles of the active users' mapped groups.
	roles map[string]bool
}

// add folds u, a member of groups giving roles, into p.
func (p *idpPerson) add(u scim.User, roles []string) {
	rank := rankActive
	switch {
	case u.Deleted:
		rank = rankDeleted
	case !u.Active:
		rank = rankInactive
	}
	if rank > p.rank {
		p.rank, p.email, p.userName = rank, u.Email, u.UserName
	}
	if rank == rankActive {
		if p.roles == nil {
			p.roles = map[string]bool{}
		}
		for _, r := range roles {
			p.roles[r] = true
		}
	}
}

func (p *idpPerson) sortedRoles() []string {
	return slices.Sorted(maps.Keys(p.roles))
}

// onto applies what the identity provider says to the file's person fp.
func (p *idpPerson) onto(fp access.Person, notes *[]string) access.Person {
	switch {
	case fp.Absent:
		if p.rank == rankActive {
			*notes = append(*notes, fmt.Sprintf("SCIM user %q is active, but the file says their email is absent: kept absent", p.userName))
		}
		return fp
	case p.rank < rankActive:
		return access.Person{Email: fp.Email, Absent: true}
	}
	// The file's own roles keep their places (a problem naming
	// people[i].Roles[j] points at the file's line); the groups' roles
	// the file does not give come after, sorted.
	fp.Roles = slices.Clone(fp.Roles)
	for _, r := range p.sortedRoles() {
		if !slices.Contains(fp.Roles, r) {
			fp.Roles = append(fp.Roles, r)
		}
	}
	return fp
}

// memberRoles returns, per user id, the roles the mapped groups they are
// members of give, sorted and without duplicates.
func memberRoles(mapping map[string][]string, groups []scim.Group) map[string][]string {
	out := map[string][]string{}
	for _, g := range groups {
		roles := groupRoles(mapping, g.DisplayName)
		if len(roles) == 0 {
			continue
		}
		for _, id := range g.Members {
			out[id] = append(out[id], roles...)
		}
	}
	for id, roles := range out {
		slices.Sort(roles)
		out[id] = slices.Compact(roles)
	}
	return out
}

// groupRoles returns the roles mapping gives the group displayName: its
// entry of that exact name, else those of the entries equal to it
// without regard to case (identity providers do not keep a name's case
// the way a file's author wrote it).
func groupRoles(mapping map[string][]string, displayName string) []string {
	if roles, ok := mapping[displayName]; ok {
		return roles
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(mapping)) {
		if strings.EqualFold(name, displayName) {
			out = append(out, mapping[name]...)
		}
	}
	return out
}

// usableEmail reports whether email is a bare address a desired state
// accepts.
func usableEmail(email string) bool {
	return email != "" && access.Validate([]access.Person{{Email: email, Absent: true}}) == nil
}
