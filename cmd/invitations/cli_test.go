package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const planApplyYAML = `people:
  - email: user201@example.com
    gitguardian: {access_level: member}
    box: [{group: Engineering, role: member}]
    freestyle:
      git: [{repo: 2a069b2f-9d5f-47ed-b067-aeca843a01ba, permission: read}]
      vms: [{vm: k3x9q2, users: [alice, bob]}]
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-admin]}]
  - email: user150@example.com
    absent: true
`

// plan, apply, plan again on one running fake: exit 2, then 0, then 0
// with "No changes."; the state lands next to the desired-state file.
// TestPostgresState runs plan, apply and plan again with the state in
// PostgreSQL (INVITATIONS_TEST_POSTGRES, which .ci/run sets).
func TestPostgresState(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	state := postgresState(dsn, "cli-test-")
	// A new state on a Freestyle whose identities it does not know: new
	// identities allowed, and the read of them partial.
	sh.run(3, "plan", "-f", "people.yaml", "-state", state, "--new-identities-ok")
	out := sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-state", state, "--new-identities-ok", "--allow-partial")
	matches(t, out.stdout, `^Apply: 10 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	out = sh.run(0, "plan", "-f", "people.yaml", "-state", state, "--allow-partial")
	assert.Equal(t, "No changes.\n", out.stdout)
	assert.False(t, sh.exists("people.yaml.state.json"), "the state is in PostgreSQL, not in a file")
}

// sep is what joins one more parameter to a connection URL.
// postgresDSN is INVITATIONS_TEST_POSTGRES, which .ci/run sets; without
// it the test is skipped.
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("INVITATIONS_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("INVITATIONS_TEST_POSTGRES not set: PostgreSQL suite not run")
	}
	return dsn
}

// postgresState is a -state URL on dsn naming a state no other run uses
// (prefix, then the time): the database outlives the test.
func postgresState(dsn, prefix string) string {
	return dsn + sep(dsn) + "state_name=" + prefix + strconv.FormatInt(time.Now().UnixNano(), 36)
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

func TestPlanApplyPlan(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	readState := func() string {
		b, err := os.ReadFile(filepath.Join(sh.dir, "people.yaml.state.json"))
		require.NoError(t, err)
		return string(b)
	}
	seeded := readState()
	out := sh.run(2, "plan", "-f", "people.yaml")
	checkGolden(t, "plan.golden", out.stdout)
	matches(t, out.stderr, `^Running against the fake at http://127\.0\.0\.1:\d+ \(INVITATIONS_FAKE_URL\)\.$`)
	matches(t, out.stderr, `^Read: gitguardian, box, freestyle, bimdata, portworx\.$`)
	assert.Equal(t, seeded, readState(), "plan writes nothing")

	// Without a terminal and without -auto-approve, apply refuses.
	out = sh.run(1, "apply", "-f", "people.yaml")
	assert.Contains(t, out.stdout, "Plan: 5 to create, 2 to update, 4 to remove.")
	assert.Contains(t, out.stderr, "refusing to apply without confirmation: stdin is not a terminal; pass -auto-approve")
	assert.NotContains(t, out.stdout, "done:")

	out = sh.run(2, "plan", "-f", "people.yaml", "-o", "json")
	assert.Contains(t, out.stdout, `"action": "create"`)
	assert.Contains(t, out.stdout, "\"summary\": {\n    \"create\": 5,\n    \"update\": 2,\n    \"remove\": 4\n  }")

	out = sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	matches(t, out.stdout, `^done:         \+ freestyle   user201@example.com  identity$`)
	matches(t, out.stdout, `^Apply: 11 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	matches(t, out.stderr, `^Applying 11 changes\.\.\.$`)
	assert.True(t, sh.exists("people.yaml.state.json"))

	out = sh.run(0, "plan", "-f", "people.yaml")
	assert.Equal(t, "No changes.\n", out.stdout)
	out = sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	assert.Equal(t, "No changes.\n", out.stdout)

	// The same state elsewhere, named with -state (one dash or two).
	state, err := os.ReadFile(filepath.Join(sh.dir, "people.yaml.state.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(sh.dir, "other.json"), state, 0o600))
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml", "-state", "other.json").stdout)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml", "--state=other.json").stdout)
}

// audit in its three formats (golden, narrowed with --email and
// --vendor), then offboard with -dry-run and for real.
func TestAuditAndOffboard(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `people:
  - email: user201@example.com
    gitguardian: {access_level: member}
    box: [{group_id: "119721"}]
    freestyle:
      vms: [{vm: k3x9q2, users: [alice, bob]}]
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-admin]}]
portworx_tenants: [0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b]
`})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")

	out := sh.run(0, "audit", "-f", "people.yaml", "--email", "user201@example.com", "--vendor", "gitguardian,box")
	checkGolden(t, "audit.table.golden", out.stdout)
	out = sh.run(0, "audit", "-f", "people.yaml", "--email", "USER201@example.com", "--vendor", "box", "--vendor", "gitguardian", "-o", "csv")
	checkGolden(t, "audit.csv.golden", out.stdout)
	out = sh.run(0, "audit", "-f", "people.yaml", "--email", "user201@example.com", "--vendor", "box", "-o", "json")
	checkGolden(t, "audit.jsonl.golden", out.stdout)

	// Freestyle: the state ties the new identity to its person.
	out = sh.run(0, "audit", "-f", "people.yaml", "--email", "user201@example.com", "--vendor", "freestyle", "-o", "csv")
	matches(t, out.stdout, `^user201@example.com,freestyle,identity,,,,granted,[0-9a-f-]{36}$`)
	matches(t, out.stdout, `^user201@example.com,freestyle,vm,k3x9q2,,"alice,bob",granted,`)

	assert.Contains(t, sh.run(1, "audit", "-o", "yaml").stderr, `-o "yaml": must be table, json, csv or html`)
	assert.Contains(t, sh.run(1, "audit", "--vendor", "slack").stderr, `--vendor "slack": must be one of gitguardian, box, freestyle, bimdata, portworx`)

	out = sh.run(2, "offboard", "user201@example.com", "-dry-run", "-f", "people.yaml")
	checkGolden(t, "offboard.golden", out.stdout)
	sh.run(2, "offboard", "user201@example.com", "-dry-run", "-f", "people.yaml") // a dry run changes nothing
	assert.Contains(t, sh.run(1, "offboard", "user201@example.com", "-f", "people.yaml").stderr, "refusing to apply without confirmation")
	out = sh.run(0, "offboard", "user201@example.com", "-auto-approve", "-f", "people.yaml")
	matches(t, out.stdout, `^Apply: 9 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	assert.Equal(t, "No grants found for user201@example.com on: gitguardian, box, freestyle, bimdata, portworx.\n", sh.run(0, "offboard", "user201@example.com", "-dry-run", "-f", "people.yaml").stdout)
	// What is left: the Box account, deactivated (the default), which an
	// admin can reactivate.
	out = sh.run(0, "audit", "-f", "people.yaml", "--email", "user201@example.com")
	matches(t, out.stdout, `^user201@example\.com +box +account +- +inactive +- +inactive +\d+$`)
	matches(t, out.stdout, `^1 records\.$`)

	assert.Contains(t, sh.run(1, "offboard", "not-an-email", "-dry-run").stderr, `"not-an-email" is not an email address`)
	assert.Contains(t, sh.run(1, "offboard").stderr, "accepts 1 arg(s), received 0")
}

// Mistakes in the file are errors naming file:line:column and the field,
// exit status 1, before anything is sent: the fake URL reaches nothing.
func TestFileErrorsNameLineAndField(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"bad-field.yaml":    "people:\n  - email: ada@example.com\n    box:\n    - rol: admin\n",
		"bad-level.yaml":    "people:\n  - email: ada@example.com\n    gitguardian: {access_level: owner}\n",
		"bad-portworx.yaml": "people:\n  - email: ada@example.com\n    portworx: [{tenant: t, project: p, roles: [r]}]\n",
		"bad-box.yaml":      "people:\n  - email: ada@example.com\n    box: [{role: admin}]\n",
		"bad-email.yaml":    "people:\n  - email: ada\n",
		"good.yaml":         "people:\n  - email: ada@example.com\n    gitguardian: {access_level: member}\n",
		"escape.yaml":       "people:\n  - email: ada@example.com\n    freestyle:\n      git: [{repo: \"\\e[2J\\e[31mFAKE\", permission: read}]\n",
		"two-docs.yaml":     "people:\n  - email: ada@example.com\n    gitguardian: {access_level: member}\n---\npeople:\n  - email: bob@example.com\n    absent: true\n",
		"anchor.yaml":       "people:\n  - email: ada@example.com\n    gitguardian: *level\n",
	})
	sh.env["INVITATIONS_FAKE_URL"] = "http://127.0.0.1:1"
	for _, tc := range []struct{ args, want []string }{
		{[]string{"plan", "-f", "bad-field.yaml"}, []string{"Error: bad-field.yaml:4:7: people[0].box[0].rol: unknown field (known fields: group, group_id, role)\n"}},
		{[]string{"apply", "-auto-approve", "-f", "bad-level.yaml"}, []string{`Error: bad-level.yaml:3:33: people[0].gitguardian.access_level: "owner": must be manager, member or restricted` + "\n"}},
		{[]string{"plan", "-f", "bad-portworx.yaml"}, []string{"Error: bad-portworx.yaml:3:16: people[0].portworx[0]: needs exactly one of account, tenant and project\n"}},
		{[]string{"plan", "-f", "bad-box.yaml"}, []string{"Error: bad-box.yaml:3:11: people[0].box[0]: needs a group name or a group id\n"}},
		{[]string{"plan", "-f", "bad-email.yaml"}, []string{`Error: bad-email.yaml:2:12: people[0].email: "ada" is not an email address` + "\n"}},
		{[]string{"plan", "-f", "escape.yaml"}, []string{"Error: escape.yaml:4:20: people[0].freestyle.git[0].repo: contains a control character (U+001B)"}},
		{[]string{"apply", "-auto-approve", "-f", "two-docs.yaml"}, []string{"Error: two-docs.yaml:4:1: the file holds several YAML documents; the second starts at line 4: keep one\n"}},
		{[]string{"plan", "-f", "anchor.yaml"}, []string{"Error: anchor.yaml:3:18: unknown anchor 'level' referenced\n"}},
		{[]string{"plan", "-f", "missing.yaml"}, []string{"missing.yaml: no such file or directory"}},
		{[]string{"plan"}, []string{`required flag(s) "file" not set`}},
		{[]string{"plan", "-f", "good.yaml", "--no-such-flag"}, []string{"unknown flag: --no-such-flag (see -h)"}},
	} {
		out := sh.run(1, tc.args...)
		for _, want := range tc.want {
			assert.Contains(t, out.stderr, want, "%q", tc.args)
		}
		assert.NotContains(t, out.stderr, "Running against", "%q: nothing is sent", tc.args)
		assert.NotContains(t, out.stderr, "secretpw")
		assert.NotContains(t, out.stderr, "\x1b", "%q: nothing reaches the terminal unescaped", tc.args)
		assert.Empty(t, out.stdout, "%q", tc.args)
	}

	// A PostgreSQL state that cannot be reached is an error that keeps
	// the connection string's password to itself.
	out := sh.run(1, "plan", "-f", "good.yaml", "-state", "postgres://u:secretpw@127.0.0.1:1/invitations?connect_timeout=2")
	assert.Contains(t, out.stderr, "-state: PostgreSQL:")
	assert.NotContains(t, out.stderr+out.stdout, "secretpw")

	// A vendor without credentials is named before anything is sent.
	delete(sh.env, "INVITATIONS_FAKE_URL")
	sh.env["BOX_ACCESS_TOKEN"] = "not-a-real-token"
	out = sh.run(1, "plan", "-f", "good.yaml")
	assert.Equal(t, "Error: good.yaml: the desired state asks for access on vendors without credentials: set GITGUARDIAN_API_KEY (gitguardian, asked at good.yaml:2)\n", out.stderr)
}

// An apply interrupted (-timeout, while Box hangs on a create) says what
// is in doubt and exits 1; run again, it ends in the desired state, once.
func TestInterruptedApplyRunAgain(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"people.yaml": "people:\n  - email: user201@example.com\n    gitguardian: {access_level: member}\n    box: [{group: Engineering}]\n",
		"more.yaml":   "people:\n  - email: user202@example.com\n    box: [{group: Engineering}]\n",
	})
	sh.withFake()
	sh.fault(`{"operation":"box.CreateGroupMembership","hang":true}`)

	out := sh.run(1, "apply", "-auto-approve", "-timeout", "2s", "-f", "people.yaml")
	matches(t, out.stdout, `^in doubt:     \+ box         user201@example.com  group 119721 "Engineering" \(member\): .*context deadline exceeded`)
	matches(t, out.stdout, `^done:         ~ gitguardian user201@example.com  workspace restricted -> member  \(re-invite\)$`)
	matches(t, out.stdout, `^Apply: 1 done, 0 already done, 0 failed, 1 in doubt, 0 skipped\.$`)
	assert.Contains(t, out.stdout, "Run apply again")

	out = sh.run(2, "plan", "-f", "people.yaml")
	matches(t, out.stdout, `^\+ box         user201@example.com  group 119721 "Engineering" \(member\)  \(an earlier create was in doubt and did not happen\)$`)
	assert.Contains(t, out.stdout, "Plan: 1 to create, 0 to update, 0 to remove.")
	matches(t, sh.run(0, "apply", "-auto-approve", "-f", "people.yaml").stdout, `^done:         \+ box `)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout)

	// A create that happened but whose answer was cut off: in doubt, then
	// settled by the next plan's reads, not sent twice.
	sh.fault(`{"operation":"box.CreateGroupMembership","truncate":true}`)
	matches(t, sh.run(1, "apply", "-auto-approve", "-f", "more.yaml").stdout, `^in doubt:     \+ box         user202@example.com  group 119721 "Engineering" \(member\)`)
	settles := "No changes.\nThe reads settled 1 change that was in doubt: apply records it.\n"
	assert.Equal(t, settles, sh.run(0, "plan", "-f", "more.yaml").stdout)
	assert.Equal(t, settles, sh.run(0, "plan", "-f", "more.yaml").stdout, "plan records nothing")
	// An apply with nothing to change still records the settlement.
	writes := sh.fakeWrites()
	assert.Equal(t, settles+"Settled 1 change that was in doubt.\n", sh.run(0, "apply", "-auto-approve", "-f", "more.yaml").stdout)
	assert.Equal(t, writes, sh.fakeWrites(), "nothing sent")
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "more.yaml").stdout)
	state, err := os.ReadFile(filepath.Join(sh.dir, "more.yaml.state.json"))
	require.NoError(t, err)
	assert.Contains(t, string(state), `"in_doubt": {}`)
	assert.Contains(t, string(state), `"box|group|119721|user202@example.com"`, "the grant is known as the tool's, for prune")
}

// A change not sent because the apply stopped (here: its turn under the
// pause Box asked for would come after -timeout) is skipped, not failed:
// the vendor refused nothing. Run again, it is sent.
func TestAChangeNotSentBecauseTheApplyStoppedIsSkipped(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"people.yaml": "people:\n  - email: user230@example.com\n    box: [{group: Support}, {group: Engineering}]\n",
	})
	sh.withFake()
	// Box answers the first membership with a pause of a minute: the
	// second one's turn comes after the apply's end.
	sh.fault(`{"operation":"box.CreateGroupMembership","status":429,"retry_after":"60"}`)
	out := sh.run(1, "apply", "-auto-approve", "-timeout", "20s", "-f", "people.yaml")
	matches(t, out.stdout, `^failed:       \+ box         user230@example.com  group \d+ .*\(member\): .*429 rate_limit_exceeded`)
	matches(t, out.stdout, `^skipped:      \+ box         user230@example.com  group \d+ .*\(member\): not sent: the apply stopped \(.*the next turn is in .*\)$`)
	matches(t, out.stdout, `^Apply: 0 done, 0 already done, 1 failed, 0 in doubt, 1 skipped\.$`)
	matches(t, sh.run(0, "apply", "-auto-approve", "-f", "people.yaml").stdout, `^Apply: 2 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
}

// What a vendor says is printed escaped: an error message with terminal
// escapes cannot clear the screen or recolour the plan being approved.
func TestVendorTextIsEscapedOnTheTerminal(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": "people:\n  - email: user201@example.com\n    box: [{group: Engineering}]\n"})
	sh.withFake()
	sh.fault(`{"operation":"box.CreateGroupMembership","status":400,"body":"{\"type\":\"error\",\"status\":400,\"code\":\"bad_request\",\"message\":\"\\u001b[2J\\u001b[31mFAKE\\r\\ndone: all good\"}"}`)
	out := sh.run(1, "apply", "-auto-approve", "-f", "people.yaml")
	assert.NotContains(t, out.stdout+out.stderr, "\x1b")
	assert.NotContains(t, out.stdout+out.stderr, "\r")
	assert.Contains(t, out.stdout, `\x1b[2J\x1b[31mFAKE\r\ndone: all good`)
	matches(t, out.stdout, `^failed: +\+ box `)
}

// A state made for another desired-state file: a warning; with prune,
// a refusal before any request, unless -state-mismatch-ok.
func TestAStateMadeForAnotherFile(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"team-a.yaml": "people:\n  - email: user201@example.com\n    box: [{group: Engineering}]\n",
		"team-b.yaml": "prune: true\npeople:\n  - email: user202@example.com\n    box: [{group: Engineering}]\n",
		"team-c.yaml": "people:\n  - email: user202@example.com\n    box: [{group: Engineering}]\n",
	})
	sh.withFake()
	sh.run(0, "apply", "-auto-approve", "-f", "team-a.yaml", "-state", "shared.json")

	out := sh.run(2, "plan", "-f", "team-c.yaml", "-state", "shared.json")
	assert.Equal(t, "Warning: the state was made for \"team-a.yaml\", not \"team-c.yaml\": is it the right state?\n", strings.SplitAfter(out.stderr, "\n")[1])

	reads := sh.fakeCount("")
	out = sh.run(1, "apply", "-auto-approve", "-f", "team-b.yaml", "-state", "shared.json")
	assert.Contains(t, out.stderr, `the state was made for another desired state: it was made for "team-a.yaml", not "team-b.yaml"`)
	assert.Contains(t, out.stderr, "give -state-mismatch-ok to prune anyway")
	assert.Empty(t, out.stdout)
	assert.Equal(t, reads, sh.fakeCount(""), "refused before any request")

	out = sh.run(2, "plan", "-f", "team-b.yaml", "-state", "shared.json", "-state-mismatch-ok")
	assert.Contains(t, out.stdout, "- box         user201@example.com  group 119721 \"Engineering\" (member)  (prune)")
}

// A Box group id that does not exist is a problem naming its line, like
// an unknown group name; the rest of the plan stands.
func TestUnknownBoxGroupsAreProblemsWithTheirLine(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `people:
  - email: user201@example.com
    box:
      - group_id: "999999"
      - group: No Such Group
    gitguardian: {access_level: member}
`})
	sh.withFake()
	out := sh.run(1, "plan", "-f", "people.yaml")
	assert.Contains(t, out.stdout, "! box user201@example.com: people.yaml:4:19: people[0].box[0].group_id: no Box group with id 999999\n")
	assert.Contains(t, out.stdout, "! box user201@example.com: people.yaml:5:16: people[0].box[1].group: no Box group named \"No Such Group\"\n")
	assert.Contains(t, out.stdout, "~ gitguardian user201@example.com  workspace restricted -> member  (re-invite)\n")
}

// Without credentials and without INVITATIONS_FAKE_URL, the embedded fake,
// said on the first line of stderr; its state is a temporary file.
func TestEmbeddedFake(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": "people:\n  - email: user201@example.com\n    box: [{group: Engineering}]\n  - email: user001@example.com\n    bimdata: {accept: true}\n"})
	out := sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	matches(t, out.stderr, `\ANo credentials in the environment: running against the embedded fake with demo data\.\n`)
	matches(t, out.stdout, `^Apply: 2 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	assert.False(t, sh.exists("people.yaml.state.json"))

	// Fresh every run: the same plan again.
	assert.Contains(t, sh.run(2, "plan", "-f", "people.yaml").stdout, "Plan: 1 to create, 1 to update, 0 to remove.")

	// -state is kept, even on the embedded fake.
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-state", "kept.json")
	assert.True(t, sh.exists("kept.json"))

	// -v logs the requests, never a credential (run checks).
	out = sh.run(0, "audit", "-v", "--vendor", "bimdata")
	assert.Contains(t, out.stderr, "level=DEBUG")
	matches(t, out.stdout, `^user001@example.com +bimdata +idp-invitation`)

	// README's first command.
	repo, err := filepath.Abs("../..")
	require.NoError(t, err)
	sh.dir = repo
	matches(t, sh.run(0, "apply", "-auto-approve", "-f", "examples/people.yaml").stdout, `^Apply: 12 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
}

// -h on every command exits 0 with an example; --version.
func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	out := sh.run(0, "-h")
	assert.Contains(t, out.stdout, "Usage:\n  invitations [flags]\n  invitations [command]")
	assert.Contains(t, out.stdout, "Examples:")
	matches(t, sh.run(0, "--version").stdout, `^invitations \S+$`)
	for cmd, example := range map[string]string{
		"audit":    "invitations audit",
		"plan":     "invitations plan -f people.yaml",
		"apply":    "invitations apply -f people.yaml",
		"offboard": "invitations offboard leaver@example.com -dry-run",
		"fake":     "invitations fake -addr 127.0.0.1:8080",
	} {
		out := sh.run(0, cmd, "-h")
		assert.Contains(t, out.stdout, "Examples:\n  "+example, cmd)
		assert.Contains(t, out.stdout, "--timeout", cmd)
		assert.Empty(t, out.stderr, cmd)
	}
	assert.Contains(t, sh.run(0, "fake", "-h").stdout, "POST   /_fake/reset")
	assert.Contains(t, sh.run(0, "help", "plan").stdout, "terraform's -detailed-exitcode")
	assert.Contains(t, sh.run(1, "nosuchcommand").stderr, `unknown command "nosuchcommand"`)
}
