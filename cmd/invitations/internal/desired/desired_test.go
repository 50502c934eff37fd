package desired

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/models"
)

func TestParseReadsEveryField(t *testing.T) {
	t.Parallel()
	f, err := Parse("people.yaml", []byte(`
people:
  - email: ada@example.com
    gitguardian: {access_level: manager}
    box: [{group: Engineering}, {group_id: 119721, role: admin}]
    freestyle:
      git: [{repo: r1, permission: write}]
      vms: [{vm: v1}, {vm: v2, users: []}, {vm: v3, users: [alice]}]
    bimdata: {accept: true}
    portworx: [{tenant: t1, roles: [tenant-admin]}, {project: p1, roles: [a, b]}]
  - email: bob@example.com
    absent: true
prune: true
prune_all: true
portworx_tenants: [t1]
`))
	require.NoError(t, err)
	assert.Equal(t, []access.Person{{
		Email:       "ada@example.com",
		GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelManager},
		Box:         []access.BoxMembership{{GroupName: "Engineering"}, {GroupID: "119721", Role: models.GroupMembershipRoleAdmin}},
		Freestyle: &access.FreestyleAccess{
			Git: []access.FreestyleGitPermission{{RepoID: "r1", Permission: models.GitAccessLevelWrite}},
			VMs: []access.FreestyleVMPermission{{VMID: "v1"}, {VMID: "v2", AllowedUsers: []string{}}, {VMID: "v3", AllowedUsers: []string{"alice"}}},
		},
		BIMData:  &access.BIMDataAccess{Accept: true},
		Portworx: []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-admin"}}, {ProjectID: "p1", Roles: []string{"a", "b"}}},
	}, {Email: "bob@example.com", Absent: true}}, f.People)
	assert.True(t, f.Prune)
	assert.True(t, f.PruneAll)
	assert.Equal(t, []string{"t1"}, f.PortworxTenants)
	assert.Equal(t, access.Vendors(), f.Vendors(), "an absent person concerns every vendor")
}

// Every mistake names the file, the line and column, and the field, before
// anything is sent.
func TestParseErrorsNameFileLineAndField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown top field", "people: []\nprnue: true\n", "p.yaml:2:1: prnue: unknown field (known fields: people, prune, prune_all, portworx_tenants)"},
		{"unknown person field", "people:\n  - email: a@example.com\n    gitlab: {}\n", "p.yaml:3:5: people[0].gitlab: unknown field"},
		{"unknown vendor field", "people:\n  - email: a@example.com\n    box: [{group: E, rol: admin}]\n", "p.yaml:3:22: people[0].box[0].rol: unknown field (known fields: group, group_id, role)"},
		{"bad email", "people:\n  - email: not-an-email\n", `p.yaml:2:12: people[0].email: "not-an-email" is not an email address`},
		{"email with a name", "people:\n  - email: Ada <a@example.com>\n", `people[0].email: "Ada <a@example.com>" is not an email address`},
		{"no email", "people:\n  - absent: true\n", "p.yaml:2:5: people[0].email: missing"},
		{"duplicate email", "people:\n  - email: a@example.com\n  - email: A@example.com\n", "p.yaml:3:5: people[1].email: A@example.com is also people[0]"},
		{"bad access level", "people:\n  - email: a@example.com\n    gitguardian: {access_level: owner}\n", `p.yaml:3:33: people[0].gitguardian.access_level: "owner": must be manager, member or restricted`},
		{"no access level", "people:\n  - email: a@example.com\n    gitguardian: {}\n", "people[0].gitguardian.access_level: missing"},
		{"bad role", "people:\n  - email: a@example.com\n    box: [{group: E, role: owner}]\n", `p.yaml:3:28: people[0].box[0].role: "owner": must be member or admin`},
		{"box without group", "people:\n  - email: a@example.com\n    box: [{role: admin}]\n", "p.yaml:3:11: people[0].box[0]: needs group (the group's name) or group_id"},
		{"box with both", "people:\n  - email: a@example.com\n    box: [{group: E, group_id: 1}]\n", "people[0].box[0]: give group or group_id, not both"},
		{"box not a list", "people:\n  - email: a@example.com\n    box: {group: E}\n", "p.yaml:3:10: people[0].box: must be a list, not a mapping"},
		{"bad git permission", "people:\n  - email: a@example.com\n    freestyle: {git: [{repo: r, permission: admin}]}\n", `people[0].freestyle.git[0].permission: "admin": must be read or write`},
		{"git without repo", "people:\n  - email: a@example.com\n    freestyle: {git: [{permission: read}]}\n", "people[0].freestyle.git[0].repo: missing"},
		{"vm without id", "people:\n  - email: a@example.com\n    freestyle: {vms: [{users: [a]}]}\n", "people[0].freestyle.vms[0].vm: missing"},
		{"vm users not strings", "people:\n  - email: a@example.com\n    freestyle: {vms: [{vm: v, users: [[a]]}]}\n", "people[0].freestyle.vms[0].users[0]: must be a string, not a list"},
		{"portworx two scopes", "people:\n  - email: a@example.com\n    portworx: [{tenant: t, project: p, roles: [r]}]\n", "p.yaml:3:16: people[0].portworx[0]: needs exactly one of account, tenant and project"},
		{"portworx no scope", "people:\n  - email: a@example.com\n    portworx: [{roles: [r]}]\n", "people[0].portworx[0]: needs exactly one of account, tenant and project"},
		{"portworx no roles", "people:\n  - email: a@example.com\n    portworx: [{tenant: t, roles: []}]\n", "people[0].portworx[0].roles: must name at least one role"},
		{"bimdata accept not bool", "people:\n  - email: a@example.com\n    bimdata: {accept: yes please}\n", `people[0].bimdata.accept: must be true or false, not "yes please"`},
		{"absent with access", "people:\n  - email: a@example.com\n    absent: true\n    box: [{group: E}]\n", "p.yaml:4:5: people[0].box: an absent person is removed everywhere"},
		{"field twice", "people:\n  - email: a@example.com\n    email: b@example.com\n", "p.yaml:3:5: people[0].email: given twice"},
		{"no people", "prune: true\n", "p.yaml:1:1: people: missing"},
		{"empty file", "", "p.yaml: the file is empty"},
		{"syntax", "people:\n  - email: [\n", "p.yaml:"},
		{"prune not bool", "people: []\nprune: maybe\n", `p.yaml:2:8: prune: must be true or false, not "maybe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// access's own validation, naming "people[1].Box[0].Role", is mapped back
// to that field's line.
func TestExplainMapsInvalidPersonToTheLine(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("people:\n  - email: a@example.com\n  - email: b@example.com\n    box:\n      - group: E\n        role: member\n"))
	require.NoError(t, err)
	for field, want := range map[string]string{
		"people[1].Box[0].Role":      "p.yaml:6:15: people[1].box[0].role: bad",
		"people[1].Box[0].GroupName": "p.yaml:5:16: people[1].box[0].group: bad",
		"people[1].Box[0].GroupID":   "p.yaml:5:9: people[1].box[0]: bad", // not in the file: its parent
		"people[0].Email":            "p.yaml:2:12: people[0].email: bad",
		"people[7].Email":            "p.yaml: people[7].Email: bad",
	} {
		got := f.Explain(&access.InvalidPersonError{Field: field, Reason: "bad"})
		assert.EqualError(t, got, want, field)
	}
	other := errors.New("other")
	assert.Same(t, other, f.Explain(other))
}
