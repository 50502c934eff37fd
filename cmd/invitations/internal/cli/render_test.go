package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// A person with a pending invitation and a membership behind one grant
// gets two removals: each line names the id of what it removes, so that
// no two lines of a plan read the same; other lines name no id.
func TestTwoObjectsBehindOneGrantAreTwoDistinctLines(t *testing.T) {
	t.Parallel()
	workspace := access.Grant{Vendor: invitations.GitGuardian, Kind: access.KindWorkspace, Level: "member"}
	group := access.Grant{Vendor: invitations.Box, Kind: access.KindGroup, Scope: "57645", ScopeName: "Contractors", Level: "member"}
	changes := []access.Change{
		{Action: access.Remove, Email: "ada@example.com", Grant: workspace, Target: "invitation:7", Note: "absent"},
		{Action: access.Remove, Email: "ada@example.com", Grant: workspace, Target: "member:12", Note: "absent"},
		{Action: access.Remove, Email: "ada@example.com", Grant: group, Target: "434534", Note: "absent"},
	}
	var b strings.Builder
	layoutFor().writeChanges(&b, changes)
	assert.Equal(t, ""+
		"- gitguardian ada@example.com  workspace (member), id invitation:7  (absent)\n"+
		"- gitguardian ada@example.com  workspace (member), id member:12  (absent)\n"+
		"- box         ada@example.com  group 57645 \"Contractors\" (member)  (absent)\n",
		b.String())
}
