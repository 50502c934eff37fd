package cli

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations/access"
)

// grouping is how the text of a plan orders its changes (plan --by).
type grouping string

const (
	// byVendor lists the changes vendor by vendor, in the order apply
	// carries them out, each line naming its vendor and person.
	byVendor grouping = "vendor"
	// byPerson lists each person's changes under their email.
	byPerson grouping = "person"
)

// groupings are the values of --by, the default first.
var groupings = []string{string(byVendor), string(byPerson)}

// listShown is how many items of a list (Portworx roles, a VM's users) a
// plan line shows before "+N more": longer lists would wrap the line. The
// JSON has them all.
const listShown = 3

// planLayout is how the text of a plan shows its changes.
type planLayout struct {
	by grouping
	// offboarded is the email of offboard, whose empty plan says where
	// nothing was found.
	offboarded string
}

// layoutFor is the layout of a plan, by vendor.
func layoutFor() planLayout { return planLayout{by: byVendor} }

// offboarding returns l for the offboarding of email, whose empty plan
// says where nothing was found.
func (l planLayout) offboarding(email string) planLayout {
	l.offboarded = email
	return l
}

// noChanges is what an empty plan says: for an offboarding, the vendors
// where nothing was found (those read: the coverage line says the rest).
func (l planLayout) noChanges(c access.Coverage) string {
	if l.offboarded == "" {
		return "No changes."
	}
	var read []string
	for _, v := range c.Vendors {
		if v.Read {
			read = append(read, string(v.Vendor))
		}
	}
	if len(read) == 0 {
		return fmt.Sprintf("No grants found for %s: no vendor could be read.", printable(l.offboarded))
	}
	return fmt.Sprintf("No grants found for %s on: %s.", printable(l.offboarded), strings.Join(read, ", "))
}

// writeChanges writes changes one line each: by vendor, "SIGN VENDOR EMAIL
// GRANT [(NOTE)] [from role ROLE]" in plan order; by person, each person's
// email then their changes, "  SIGN VENDOR GRANT [(NOTE)] [from role
// ROLE]", people in order of email and their changes in plan order.
func (l planLayout) writeChanges(w io.Writer, changes []access.Change) {
	dups := duplicates(changes)
	if l.by == byPerson {
		order := slices.Clone(changes)
		slices.SortStableFunc(order, func(a, b access.Change) int { return strings.Compare(a.Email, b.Email) })
		for i, c := range order {
			if i == 0 || order[i-1].Email != c.Email {
				fmt.Fprintln(w, printable(c.Email))
			}
			fmt.Fprintf(w, "  %s %-11s %s\n", signs[c.Action], c.Grant.Vendor, l.what(c, dups[dupKey(c)]))
		}
		return
	}
	width := 0
	for _, c := range changes {
		width = max(width, len(printable(c.Email)))
	}
	for _, c := range changes {
		fmt.Fprintln(w, l.line(c, width, dups[dupKey(c)]))
	}
}

// line is one change on one line, its email padded to width.
func (l planLayout) line(c access.Change, width int, dup bool) string {
	return fmt.Sprintf("%s %-11s %-*s  %s", signs[c.Action], c.Grant.Vendor, width, printable(c.Email), l.what(c, dup))
}

// outcomeLine is a change's outcome on one line: the outcome, then the
// change as the plan showed it, then the error of a change that did not
// succeed.
func (l planLayout) outcomeLine(r access.Result) string {
	line := fmt.Sprintf("%-13s %s", r.Outcome+":", l.line(r.Change, 0, false))
	if r.Err != nil && r.Outcome != access.Done && r.Outcome != access.AlreadyDone {
		line += ": " + printable(r.Err.Error())
	}
	return line
}

// dupKey identifies a change's person and grant.
func dupKey(c access.Change) string { return string(c.Action) + "|" + c.Key() }

// duplicates reports the changes that would read the same as another of
// changes (two objects holding one grant, as a pending invitation beside
// a membership): their lines name the vendor's id of what each changes.
func duplicates(changes []access.Change) map[string]bool {
	n := map[string]int{}
	for _, c := range changes {
		n[dupKey(c)]++
	}
	out := map[string]bool{}
	for k, count := range n {
		if count > 1 {
			out[k] = true
		}
	}
	return out
}

// what describes the change's grant, as "group 119721 "Engineering"
// (member)", "workspace restricted -> member", with its note and the
// roles it comes from.
func (l planLayout) what(c access.Change, dup bool) string {
	var b strings.Builder
	b.WriteString(grantName(c.Grant))
	if c.Action == access.Update && c.From != nil {
		fmt.Fprintf(&b, " %s -> %s", levelText(*c.From), levelText(c.Grant))
	} else if lv := levelText(c.Grant); lv != "" {
		if c.Grant.Users != nil {
			b.WriteString(" " + lv)
		} else {
			b.WriteString(" (" + lv + ")")
		}
	}
	if dup && c.Target != "" {
		b.WriteString(", id " + printable(c.Target))
	}
	if note := l.note(c); note != "" {
		b.WriteString("  (" + note + ")")
	}
	if from := fromRoles(c.Roles); from != "" {
		b.WriteString("  " + from)
	}
	return b.String()
}

// fromRoles says where a create's or an update's grant comes from, the
// roles of the person that ask for it: "from role engineering", "from
// roles engineering, oncall"; "" for a grant only the person's own entry
// asks for.
func fromRoles(roles []string) string {
	switch len(roles) {
	case 0:
		return ""
	case 1:
		return "from role " + printable(roles[0])
	}
	return "from roles " + printable(strings.Join(roles, ", "))
}

// grantName is the grant's kind and scope, with the scope's name when
// known: `group 119721 "Engineering"`.
func grantName(g access.Grant) string {
	s := string(g.Kind)
	if g.Scope != "" {
		s += " " + printable(g.Scope)
	}
	if g.ScopeName != "" {
		s += " " + strconv.Quote(g.ScopeName)
	}
	return s
}

// levelText is the grant's level or allowed users, long lists shortened.
func levelText(g access.Grant) string {
	if g.Users != nil {
		if len(g.Users) == 0 {
			return "users (none)"
		}
		return "users " + shortList(g.Users)
	}
	if g.Level == "" {
		return ""
	}
	return shortList(strings.Split(g.Level, ","))
}

// shortList joins items with ", ", the first listShown and "+N more".
func shortList(items []string) string {
	shown := items
	if len(items) > listShown {
		shown = items[:listShown]
	}
	s := printable(strings.Join(shown, ", "))
	if len(items) > len(shown) {
		s += fmt.Sprintf(" +%d more", len(items)-len(shown))
	}
	return s
}

// note says why, where the grant alone does not: the plan's note of the
// change (an offboarding or a prune for a removal, a re-invite, the
// completion of an earlier change in doubt).
func (l planLayout) note(c access.Change) string { return printable(c.Note) }
