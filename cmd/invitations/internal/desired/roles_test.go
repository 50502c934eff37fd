package desired

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/models"
)

const rolesYAML = `roles:
  engineering:
    gitguardian: {access_level: member, teams: [Platform]}
    box: [{group: Engineering}]
  oncall:
    freestyle:
      vms: [{vm: v1, users: [alice]}]
  empty: {}
groups:
  Engineering: [engineering]
  SRE: [engineering, oncall]
  Everyone: []
people:
  - email: ada@example.com
    roles: [engineering, oncall]
    box: [{group: Contractors}]
  - email: bob@example.com
    absent: true
`

// The roles, the groups and the people's roles are read as access takes
// them, in file order.
func TestParseRolesAndGroups(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte(rolesYAML))
	require.NoError(t, err)
	assert.Equal(t, []access.Role{
		{Name: "engineering", Access: access.Person{
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "Platform"}}},
			Box:         []access.BoxMembership{{GroupName: "Engineering"}},
		}},
		{Name: "oncall", Access: access.Person{Freestyle: &access.FreestyleAccess{VMs: []access.FreestyleVMPermission{{VMID: "v1", AllowedUsers: []string{"alice"}}}}}},
		{Name: "empty"},
	}, f.Roles)
	assert.Equal(t, map[string][]string{"Engineering": {"engineering"}, "SRE": {"engineering", "oncall"}, "Everyone": {}}, f.Groups)
	assert.Equal(t, []access.Person{
		{Email: "ada@example.com", Roles: []string{"engineering", "oncall"}, Box: []access.BoxMembership{{GroupName: "Contractors"}}},
		{Email: "bob@example.com", Absent: true},
	}, f.People)
	// Ada asks Box herself, GitGuardian and Freestyle through her roles.
	assert.Equal(t, []invitations.API{invitations.GitGuardian, invitations.Box, invitations.Freestyle}, f.Grants())
	assert.Equal(t, "p.yaml:14", f.Where(invitations.Freestyle), "the person whose role asks for it")
	loc, field := f.Locate("roles[engineering].GitGuardian.Teams[0].Team")
	assert.Equal(t, [2]string{"p.yaml:3:49", "roles[engineering].gitguardian.teams[0]"}, [2]string{loc, field})
	loc, field = f.Locate("people[0].Roles[1]")
	assert.Equal(t, [2]string{"p.yaml:15:26", "people[0].roles[1]"}, [2]string{loc, field})
}

// A file of roles and groups leaves its people to the identity provider.
func TestParseGroupsWithoutPeople(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("roles: {dev: {box: [{group: E}]}}\ngroups: {Developers: [dev]}\n"))
	require.NoError(t, err)
	assert.Empty(t, f.People)
	assert.Equal(t, map[string][]string{"Developers": {"dev"}}, f.Groups)
	_, err = Parse("p.yaml", []byte("roles: {dev: {box: [{group: E}]}}\n"))
	assert.EqualError(t, err, "p.yaml:1:1: people: missing: the file must list people (or map an identity provider's groups to roles)")
}

// Every mistake about roles and groups names the file, the line and column,
// and the field; a conflict between two roles names both lines.
func TestParseRoleErrorsNameFileLineAndField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown role field", "roles:\n  dev:\n    email: a@example.com\npeople: []\n",
			"p.yaml:3:5: roles[dev].email: unknown field (known fields: gitguardian, box, freestyle, bimdata, portworx)"},
		{"role not a mapping", "roles:\n  dev: [box]\npeople: []\n", "p.yaml:2:8: roles[dev]: must be a mapping with the fields gitguardian, box, freestyle, bimdata, portworx, not a list"},
		{"roles not a mapping", "roles: [dev]\npeople: []\n", "p.yaml:1:8: roles: must be a mapping of role names to their access, not a list"},
		{"role given twice", "roles:\n  dev: {}\n  dev: {}\npeople: []\n", "p.yaml:3:3: roles[dev]: given twice"},
		{"role name not a string", "roles:\n  [a]: {}\npeople: []\n", "p.yaml:2:3: roles: must be a string, not a list"},
		{"bad role field", "roles:\n  dev:\n    box: [{group: E, role: owner}]\npeople: []\n", `p.yaml:3:28: roles[dev].box[0].role: "owner": must be member or admin`},
		{"role without access level", "roles:\n  dev:\n    gitguardian: {}\npeople: []\n", "p.yaml:3:18: roles[dev].gitguardian.access_level: missing: give manager, member or restricted"},
		{"bad role name", "roles:\n  \"a]b\": {}\npeople: []\n", `p.yaml:2:3: roles[a]b]: "a]b" is not a role name`},
		{"unknown role", "roles: {dev: {}, ops: {}}\npeople:\n  - email: a@example.com\n    roles: [dev, qa]\n", "p.yaml:4:18: people[0].roles[1]: no role qa; the roles are: dev, ops"},
		{"no roles at all", "people:\n  - email: a@example.com\n    roles: [dev]\n", "p.yaml:3:13: people[0].roles[0]: no role dev: no roles are defined"},
		{"role named twice", "roles: {dev: {}}\npeople:\n  - email: a@example.com\n    roles: [dev, dev]\n", "p.yaml:4:18: people[0].roles[1]: role dev is also Roles[0]: name each role once"},
		{"roles not a list", "roles: {dev: {}}\npeople:\n  - email: a@example.com\n    roles: dev\n", "p.yaml:4:12: people[0].roles: must be a list, not \"dev\""},
		{"absent with roles", "roles: {dev: {}}\npeople:\n  - email: a@example.com\n    absent: true\n    roles: [dev]\n", "p.yaml:5:5: people[0].roles: an absent person is removed everywhere"},
		{"group with an unknown role", "roles: {dev: {}}\ngroups:\n  Developers: [dev, qa]\npeople: []\n", "p.yaml:3:21: groups[Developers][1]: no role qa; the roles are: dev"},
		{"group not a list", "roles: {dev: {}}\ngroups:\n  Developers: dev\npeople: []\n", "p.yaml:3:15: groups[Developers]: must be a list, not \"dev\""},
		{"group given twice", "groups:\n  A: []\n  A: []\n", "p.yaml:3:3: groups[A]: given twice"},
		{"groups not a mapping", "groups: [a]\n", "p.yaml:1:9: groups: must be a mapping of group names to their roles, not a list"},
		{"two lists of users", `roles:
  dev:
    freestyle:
      vms: [{vm: v1, users: [alice]}]
  ops:
    freestyle:
      vms:
        - vm: v1
people:
  - email: a@example.com
    roles: [dev, ops]
`, "p.yaml:4:29: roles[dev].freestyle.vms[0].users: a@example.com cannot have both: VM v1 for users alice here, for every user in the other; " +
			"also set by roles[ops] at p.yaml:8:11"},
		{"a person's own list and a role's", `roles:
  ops:
    freestyle: {vms: [{vm: v1}]}
people:
  - email: b@example.com
  - email: a@example.com
    roles: [ops]
    freestyle:
      vms: [{vm: v1, users: []}]
`, "p.yaml:9:29: people[1].freestyle.vms[0].users: a@example.com cannot have both: VM v1 for no user here, for every user in the other; " +
			"also set by roles[ops] at p.yaml:3:23"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
