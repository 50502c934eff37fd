package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rolesYAML = `roles:
  engineering:
    gitguardian: {access_level: member, teams: [Platform]}
    box: [{group: Engineering}]
    freestyle:
      git: [{repo: 2a069b2f-9d5f-47ed-b067-aeca843a01ba, permission: read}]
  oncall:
    box: [{group: Engineering, role: admin}]
    freestyle:
      vms: [{vm: k3x9q2, users: [alice, bob]}]
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-viewer]}]
groups:
  Engineering: [engineering]
  On call: [engineering, oncall]
people:
  - email: user201@example.com
    roles: [engineering, oncall]
    freestyle:
      git: [{repo: 2a069b2f-9d5f-47ed-b067-aeca843a01ba, permission: write}]
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-admin]}]
  - email: user202@example.com
    roles: [engineering]
`

// A plan of people with roles on the fake plans the union of their own
// access and their roles', the highest level of each grant, and says on
// each line the roles it comes from (none for what only the person's own
// entry asks for); the JSON has them in "roles". An apply makes the
// vendors hold it: the next plan is empty.
func TestPlanWithRolesShowsWhereEachGrantComesFrom(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": rolesYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	out := sh.run(2, "plan", "-f", "people.yaml")
	checkGolden(t, "plan-roles.golden", out.stdout)
	matches(t, out.stdout, `^\+ box         user201@example\.com  group 119721 "Engineering" \(admin\)  from role oncall$`)

	out = sh.run(2, "plan", "-f", "people.yaml", "--by", "person")
	matches(t, out.stdout, `^  \+ box         group 119721 "Engineering" \(admin\)  from role oncall$`)
	matches(t, out.stdout, `^  \+ freestyle   identity  from roles engineering, oncall$`)

	out = sh.run(2, "plan", "-f", "people.yaml", "-o", "json")
	var doc struct {
		Changes []struct {
			Action string
			Email  string
			Grant  struct{ Vendor, Kind, Scope, Level string }
			Roles  []string `json:"roles"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &doc))
	from := map[string][]string{}
	for _, c := range doc.Changes {
		from[c.Email+" "+c.Grant.Vendor+" "+c.Grant.Kind+" "+c.Grant.Scope+" "+c.Grant.Level] = c.Roles
	}
	assert.Equal(t, []string{"oncall"}, from["user201@example.com box group 119721 admin"])
	assert.Equal(t, []string{"engineering"}, from["user202@example.com box group 119721 member"])
	assert.Equal(t, []string{"engineering", "oncall"}, from["user201@example.com freestyle identity  "])
	assert.Nil(t, from["user201@example.com freestyle git 2a069b2f-9d5f-47ed-b067-aeca843a01ba write"], "her own write beats the role's read")
	assert.Equal(t, []string{"oncall"}, from["user201@example.com portworx invitation tenant:0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b tenant-admin,tenant-viewer"])
	assert.Contains(t, out.stdout, "\"roles\": [\n        \"oncall\"\n      ]")

	out = sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	matches(t, out.stdout, `^done:         \+ box         user201@example\.com  group 119721 "Engineering" \(admin\)  from role oncall$`)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout)
}

// Two roles a person holds that ask for one VM with two lists of users
// stop validate and plan before anything is sent, naming both lines.
func TestRolesThatCannotBothHoldNameBothLines(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `roles:
  dev:
    freestyle:
      vms: [{vm: k3x9q2, users: [alice]}]
  ops:
    freestyle:
      vms:
        - vm: k3x9q2
people:
  - email: user201@example.com
    roles: [dev, ops]
`, "unknown.yaml": `roles: {dev: {}}
people:
  - email: user201@example.com
    roles: [dev, qa]
`})
	sh.withFake()
	const want = "Error: people.yaml:4:33: roles[dev].freestyle.vms[0].users: user201@example.com cannot have both: " +
		"VM k3x9q2 for users alice here, for every user in the other; also set by roles[ops] at people.yaml:8:11\n"
	out := sh.run(1, "validate", "-f", "people.yaml")
	assert.Equal(t, want, out.stderr)
	out = sh.run(1, "plan", "-f", "people.yaml")
	assert.True(t, strings.HasSuffix(out.stderr, want), out.stderr)
	out = sh.run(1, "validate", "-f", "unknown.yaml")
	assert.Equal(t, "Error: unknown.yaml:4:18: people[0].roles[1]: no role qa; the roles are: dev\n", out.stderr)
	assert.Empty(t, sh.fakeRequests(0), "nothing sent")
}

// A problem the reads find in what a role asks for points at the role's
// line in the file, not at the person's.
func TestPlanProblemInARolePointsAtTheRole(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `roles:
  dev:
    box: [{group: Engineering}, {group: Nowhere}]
people:
  - email: user202@example.com
  - email: user201@example.com
    roles: [dev]
`})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	// A plan with problems exits 1.
	out := sh.run(1, "plan", "-f", "people.yaml")
	matches(t, out.stdout, `^! box user201@example\.com: people\.yaml:3:41: roles\[dev\]\.box\[1\]\.group: `)
	matches(t, out.stdout, `^\+ box         user201@example\.com  group 119721 "Engineering" \(member\)  from role dev$`)
}
