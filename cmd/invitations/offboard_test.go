package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const offboardYAML = `people:
  - email: user201@example.com
    gitguardian: {access_level: member}
    box: [{group_id: "119721"}]
    freestyle:
      vms: [{vm: k3x9q2, users: [alice, bob]}]
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-admin]}]
portworx_tenants: [0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b]
`

// What was read is said on every run; a vendor not read makes an
// offboarding or an audit incomplete: exit status 3, unless
// --allow-partial.
func TestCoverageIsSaidAndIncompleteIsNotSuccess(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": offboardYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")

	// Without -f: no Portworx tenant to read.
	out := sh.run(3, "offboard", "user201@example.com", "-dry-run", "-state", "people.yaml.state.json")
	matches(t, out.stderr, `^Read: gitguardian, box, freestyle, bimdata\. Not read: portworx \(no tenant to read: invitations are listed per tenant\)\.$`)
	assert.Contains(t, out.stdout, "Plan: 0 to create, 1 to update, 7 to remove.")
	out = sh.run(2, "offboard", "user201@example.com", "-dry-run", "--allow-partial", "-state", "people.yaml.state.json")
	assert.Contains(t, out.stderr, "Not read: portworx")
	out = sh.run(3, "audit", "--vendor", "portworx", "-state", "people.yaml.state.json")
	matches(t, out.stdout, `^0 records\.$`)
	matches(t, out.stderr, `^Not read: portworx \(no tenant to read`)
	out = sh.run(3, "audit", "--vendor", "portworx", "-o", "json", "-state", "people.yaml.state.json")
	assert.Equal(t, `{"coverage":{"vendors":[{"vendor":"portworx","read":false,"not_read":"no tenant to read: invitations are listed per tenant"}]}}`+"\n", out.stdout)

	// With the tenant, everything is read: a dry run says what it would
	// remove, exit 2.
	out = sh.run(2, "offboard", "user201@example.com", "-dry-run", "--portworx-tenant", "0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b", "-state", "people.yaml.state.json")
	matches(t, out.stderr, `^Read: gitguardian, box, freestyle, bimdata, portworx\.$`)
	assert.Contains(t, out.stdout, "Plan: 0 to create, 1 to update, 8 to remove.")

	// A Freestyle identity nobody the state knows is a partial read.
	empty := newShell(t, map[string]string{"people.yaml": offboardYAML})
	empty.env["INVITATIONS_FAKE_URL"] = sh.env["INVITATIONS_FAKE_URL"]
	out = empty.run(3, "audit", "--vendor", "freestyle", "-o", "csv")
	matches(t, out.stderr, `^Partly read: freestyle \(\d+ identities belong to nobody the state knows \(listed with an empty email\)\)\.$`)
	matches(t, out.stdout, `^,freestyle,identity,`)
}

// Every missing credential is named at once, before anything is sent.
func TestEveryMissingCredentialIsNamedAtOnce(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": offboardYAML})
	sh.env["BIMDATA_API_KEY"] = "not-a-real-key"
	out := sh.run(1, "plan", "-f", "people.yaml")
	assert.Equal(t, "Error: people.yaml: the desired state asks for access on vendors without credentials: set "+
		"GITGUARDIAN_API_KEY (gitguardian, asked at people.yaml:2); BOX_ACCESS_TOKEN (box, asked at people.yaml:2); "+
		"FREESTYLE_API_KEY (freestyle, asked at people.yaml:2); PX_CENTRAL_URL and PX_ACCESS_TOKEN (portworx, asked at people.yaml:2)\n", out.stderr)
}

// Guards before writes: a plan with problems, or removing more than
// --max-removals, is refused having sent no write; an empty desired state
// that prunes is refused.
func TestGuardsStopAnApplyBeforeItWrites(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"people.yaml":   offboardYAML,
		"problem.yaml":  "people:\n  - email: user202@example.com\n    box: [{group: Engineering}, {group: No Such Group}]\n",
		"nobody.yaml":   "prune: true\npeople: []\n",
		"nobody-2.yaml": "people: []\n",
	})
	sh.withFake()
	sh.seedState("people.yaml.state.json", "problem.yaml.state.json", "invitations-state.json")
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")

	writes := sh.fakeWrites()
	out := sh.run(1, "apply", "-auto-approve", "-f", "problem.yaml")
	assert.Contains(t, out.stderr, "Error: refusing to apply: the plan lists 1 problem(s) (above); fix them, or pass --allow-problems to apply the rest\n")
	assert.Equal(t, writes, sh.fakeWrites(), "nothing written")
	out = sh.run(1, "apply", "-auto-approve", "-f", "problem.yaml", "--allow-problems")
	matches(t, out.stdout, `^Apply: 1 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)

	writes = sh.fakeWrites()
	out = sh.run(1, "offboard", "user201@example.com", "-auto-approve", "-f", "people.yaml", "--max-removals", "3")
	assert.Contains(t, out.stderr, "Error: refusing to apply: the plan removes 8 grants, more than 3 (--max-removals); pass --max-removals 8 (or -1) if that is what you want\n")
	assert.Equal(t, writes, sh.fakeWrites(), "nothing written")

	out = sh.run(1, "plan", "-f", "nobody.yaml")
	assert.Contains(t, out.stderr, "prune with no people would remove every grant this package made")
	sh.run(0, "plan", "-f", "nobody-2.yaml")
}

// offboard --report: the evidence, with a verification read after the
// removals; a second offboard finds nothing and is verified at once.
func TestOffboardReport(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": offboardYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")

	out := sh.run(0, "offboard", "user201@example.com", "-auto-approve", "-f", "people.yaml", "--report", "report.json")
	matches(t, out.stderr, `^Verified: nothing left for user201@example\.com on gitguardian, box, freestyle, bimdata, portworx\.$`)
	data, err := os.ReadFile(filepath.Join(sh.dir, "report.json"))
	require.NoError(t, err)
	if os.Getenv("INVITATIONS_UPDATE_GOLDEN") != "" { // regenerate: INVITATIONS_UPDATE_GOLDEN=1 go test -run TestOffboardReport
		require.NoError(t, os.WriteFile(filepath.Join("testdata", "offboard-report.golden"), []byte(normalizeReport(string(data))), 0o644))
	}
	assert.Equal(t, golden(t, "offboard-report.golden"), normalizeReport(string(data)))

	out = sh.run(0, "offboard", "user201@example.com", "-auto-approve", "-f", "people.yaml", "-o", "json")
	var rep struct {
		Found        []json.RawMessage `json:"found"`
		Verification struct{ Verified bool }
	}
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &rep))
	assert.Empty(t, rep.Found)
	assert.True(t, rep.Verification.Verified)
}

// normalizeReport replaces what changes from run to run (the time, the
// version, ids the vendors gave) with placeholders.
func normalizeReport(s string) string {
	for re, with := range map[string]string{
		`"time": "[^"]+"`:    `"time": "TIME"`,
		`"version": "[^"]*"`: `"version": "VERSION"`,
		`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`: "UUID",
		`"(target|id)": "(invitation|member):[0-9]+"`:                  `"$1": "$2:N"`,
		`"(target|id)": "[0-9]+"`:                                      `"$1": "N"`,
	} {
		s = regexp.MustCompile(re).ReplaceAllString(s, with)
	}
	return s
}

// A re-invite is said; stopped between the delete and the new invitation
// (the vendor refuses the new one), it is in doubt, saying what was done,
// and the next apply completes it: one invitation, at the new level.
func TestAnInterruptedReinviteThroughTheCommand(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": "people:\n  - email: user201@example.com\n    gitguardian: {access_level: member}\n"})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.fault(`{"operation":"gitguardian.CreateInvitations","status":400}`)
	out := sh.run(1, "apply", "-auto-approve", "-f", "people.yaml")
	matches(t, out.stdout, `^in doubt:     ~ gitguardian user201@example\.com  workspace restricted -> member  \(re-invite\): the pending invitation was deleted, then: .*400`)
	out = sh.run(2, "plan", "-f", "people.yaml")
	assert.Contains(t, out.stdout, "+ gitguardian user201@example.com  workspace (member)  (an earlier re-invite stopped after removing the old one: this completes it)\n")
	matches(t, sh.run(0, "apply", "-auto-approve", "-f", "people.yaml").stdout, `^Apply: 1 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout)
	assert.Equal(t, 2, sh.fakeCount("gitguardian.CreateInvitations"), "the refused one, then the one that completed it")
}
