package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeOperations lists the operations of the requests the shell's fake
// received from the from-th on, as "GET box.ListGroups".
func (sh *shell) fakeOperations(from int) []string {
	sh.t.Helper()
	var out []string
	for _, r := range sh.fakeRequests(from) {
		out = append(out, r.Method+" "+r.Operation)
	}
	return out
}

func (sh *shell) write(name, content string) {
	sh.t.Helper()
	require.NoError(sh.t, os.WriteFile(filepath.Join(sh.dir, name), []byte(content), 0o600))
}

// editJSON rewrites the JSON file name through edit.
func (sh *shell) editJSON(name string, edit func(map[string]any)) {
	sh.t.Helper()
	var v map[string]any
	require.NoError(sh.t, json.Unmarshal([]byte(sh.read(name)), &v))
	edit(v)
	b, err := json.Marshal(v)
	require.NoError(sh.t, err)
	sh.write(name, string(b))
}

// plan -out, show, then apply PLAN: exactly the saved changes reach the
// fake, nothing read again; the saved plan holds no credential.
func TestASavedPlanIsAppliedExactly(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	planned := sh.run(2, "plan", "-f", "people.yaml").stdout
	out := sh.run(2, "plan", "-f", "people.yaml", "-out", "people.plan")
	assert.Equal(t, planned, out.stdout, "plan -out prints the plan as plan does")
	matches(t, out.stderr, `^Saved the plan to people.plan: apply it with "invitations apply people.plan"\.$`)
	saved := sh.read("people.plan")
	for i, s := range secrets {
		assert.NotContains(t, saved, s, "the saved plan holds a credential of the fake (secrets[%d])", i)
	}
	info, err := os.Stat(filepath.Join(sh.dir, "people.plan"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a plan names people: its owner's only")
	var file struct {
		FormatVersion int                           `json:"format_version"`
		Created       time.Time                     `json:"created"`
		ToolVersion   string                        `json:"tool_version"`
		Desired       struct{ Path, SHA256 string } `json:"desired_file"`
		Plan          struct {
			FormatVersion int `json:"format_version"`
			Changes       []any
			Serial        uint64
		}
	}
	require.NoError(t, json.Unmarshal([]byte(saved), &file))
	assert.Equal(t, 1, file.FormatVersion)
	assert.Equal(t, 1, file.Plan.FormatVersion)
	assert.WithinDuration(t, time.Now(), file.Created, time.Minute)
	assert.NotEmpty(t, file.ToolVersion)
	assert.Equal(t, "people.yaml", file.Desired.Path)
	assert.Len(t, file.Desired.SHA256, 64)
	assert.Len(t, file.Plan.Changes, 11)

	// show: the same lines as plan, on stdout; where it comes from on
	// stderr; the plan's JSON with "saved".
	reads := sh.fakeCount("")
	out = sh.run(0, "show", "people.plan")
	assert.Equal(t, planned, out.stdout)
	matches(t, out.stderr, `^Read: gitguardian, box, freestyle, bimdata, portworx\.$`)
	matches(t, out.stderr, `^Saved plan: made \S+Z by invitations \S+ from people\.yaml \(sha256 [0-9a-f]{12}\), state serial \d+ `)
	out = sh.run(0, "show", "people.plan", "-o", "json")
	var doc struct {
		Changes []struct{ Action, Reason string }
		Summary struct{ Create, Update, Remove int }
		Targets struct{ Vendors, Emails []string }
		Saved   struct {
			FormatVersion int                           `json:"format_version"`
			Desired       struct{ Path, SHA256 string } `json:"desired_file"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &doc))
	assert.Len(t, doc.Changes, 11)
	assert.Equal(t, struct{ Create, Update, Remove int }{5, 2, 4}, doc.Summary)
	assert.Equal(t, []string{}, doc.Targets.Vendors)
	assert.Equal(t, 1, doc.Saved.FormatVersion)
	assert.Equal(t, file.Desired.SHA256, doc.Saved.Desired.SHA256)
	assert.Equal(t, reads, sh.fakeCount(""), "show reads no vendor")

	before := sh.fakeCount("")
	out = sh.run(0, "apply", "people.plan")
	assert.True(t, strings.HasPrefix(out.stdout, planned), "apply PLAN shows the plan it applies:\n%s", out.stdout)
	matches(t, out.stdout, `^Apply: 11 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	sent := sh.fakeOperations(before)
	slices.Sort(sent)
	assert.Equal(t, []string{
		"DELETE box.DeleteGroupMembershipByID",
		"DELETE freestyle.DeleteIdentity",
		"DELETE gitguardian.DeleteInvitation",
		"DELETE gitguardian.DeleteInvitation",
		"POST box.CreateGroupMembership",
		"POST box.TerminateUsersSessions",
		"POST freestyle.CreateIdentity",
		"POST freestyle.GrantGitPermission",
		"POST freestyle.GrantVMPermission",
		"POST gitguardian.CreateInvitations",
		"POST portworx.CreateInvitation",
		"PUT box.UpdateUserByID",
	}, sent, "the saved plan's writes, and no read")

	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout)
	// Applied once: the state has moved on since.
	before = sh.fakeCount("")
	out = sh.run(1, "apply", "people.plan")
	assert.Contains(t, out.stderr, "Error: refusing to apply people.plan: access: the state changed since the plan was made (plan from serial ")
	assert.Empty(t, out.stdout)
	assert.Equal(t, before, sh.fakeCount(""), "refused before any request")
}

// apply PLAN refuses, having sent nothing, a plan whose desired-state file
// changed, an old plan, a plan made from another state, and a plan of
// another format.
func TestASavedPlanIsRefusedWhenItNoLongerHolds(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.run(2, "plan", "-f", "people.yaml", "-out", "people.plan")
	plan := sh.read("people.plan")
	refused := func(want string, args ...string) {
		t.Helper()
		before := sh.fakeCount("")
		out := sh.run(1, append([]string{"apply"}, args...)...)
		assert.Contains(t, out.stderr, want)
		assert.Empty(t, out.stdout)
		assert.Equal(t, before, sh.fakeCount(""), "refused before any request")
	}

	// The desired-state file changed: one more space.
	sh.write("people.yaml", planApplyYAML+"\n")
	refused("Error: refusing to apply people.plan: people.yaml changed since the plan was made (sha256 ", "people.plan")
	sh.write("people.yaml", planApplyYAML)

	// -f names the file elsewhere; it must still be the same.
	sh.write("moved.yaml", planApplyYAML+"# moved\n")
	refused("people.plan: moved.yaml changed since the plan was made", "people.plan", "-f", "moved.yaml")

	// Older than -max-plan-age (24h by default).
	sh.editJSON("people.plan", func(v map[string]any) {
		v["created"] = time.Now().Add(-25 * time.Hour).UTC().Format(time.RFC3339)
	})
	refused("Error: refusing to apply people.plan: it was made 25h0m0s ago", "people.plan")
	refused("more than -max-plan-age 1h0m0s: plan again", "people.plan", "-max-plan-age", "1h")
	old := sh.read("people.plan")

	// Another format.
	sh.editJSON("people.plan", func(v map[string]any) { v["format_version"] = 7 })
	refused("Error: people.plan: not a plan this version can read (format_version 7, this version reads 1): make it again with plan -out", "people.plan")

	// Another state: the same serial, another lineage.
	sh.write("people.plan", plan)
	state := sh.read("people.yaml.state.json")
	sh.editJSON("people.yaml.state.json", func(v map[string]any) { v["lineage"] = "another-lineage" })
	refused("access: the state changed since the plan was made", "people.plan")
	refused("state now at serial ", "people.plan")

	// Targets belong to the plan.
	refused("--vendor and --email narrow a new plan: a saved plan keeps the targets it was made with", "people.plan", "--vendor", "box")

	// The old plan on its own state, with a longer -max-plan-age: applied.
	sh.write("people.plan", old)
	sh.write("people.yaml.state.json", state)
	matches(t, sh.run(0, "apply", "people.plan", "-max-plan-age", "48h").stdout, `^Apply: 11 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
}

// --vendor and --email narrow what is read and changed, and the plan says
// so; bad targets are refused before any request.
func TestTargetsNarrowReadsAndChanges(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--vendor", "dropbox"}, `Error: --vendor "dropbox": must be one of gitguardian, box, freestyle, bimdata, portworx`},
		{[]string{"--email", "not-an-email"}, `Error: --email: "not-an-email" is not an email address`},
		{[]string{"--email", "someone@example.com"}, "Error: --email someone@example.com: nobody in people.yaml has this email"},
	} {
		for _, cmd := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"plan", "-out", "bad.plan"}} {
			out := sh.run(1, slices.Concat(cmd, []string{"-f", "people.yaml"}, bad.args)...)
			assert.Contains(t, out.stderr, bad.want, cmd)
		}
	}
	assert.Zero(t, sh.fakeCount(""), "refused before any request")
	assert.False(t, sh.exists("bad.plan"))

	out := sh.run(2, "plan", "-f", "people.yaml", "--vendor", "box", "--email", "USER201@example.com")
	lines := strings.Split(strings.TrimSuffix(out.stdout, "\n"), "\n")
	require.Len(t, lines, 3, out.stdout)
	assert.Equal(t, "Targeted: vendor box; email user201@example.com", lines[0])
	matches(t, lines[1], `^\+ box +user201@example\.com .*119721`)
	assert.Equal(t, "Plan: 1 to create, 0 to update, 0 to remove.", lines[2])
	matches(t, out.stderr, `^Read: box\.$`)
	for _, op := range sh.fakeOperations(0) {
		assert.True(t, strings.HasPrefix(op, "GET box."), "only Box is read: %s", op)
	}
	out = sh.run(2, "plan", "-f", "people.yaml", "-vendor", "freestyle,box", "-email", "user150@example.com", "-o", "json")
	var doc struct {
		Changes []struct{ Email string }
		Targets struct{ Vendors, Emails []string }
	}
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &doc))
	assert.Equal(t, []string{"box", "freestyle"}, doc.Targets.Vendors)
	assert.Equal(t, []string{"user150@example.com"}, doc.Targets.Emails)
	assert.Len(t, doc.Changes, 4, "user150's Box sessions, membership and account, and Freestyle identity")

	// A targeted apply sends its targets' writes only.
	before := sh.fakeCount("")
	out = sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "--email", "user201@example.com", "--vendor", "gitguardian")
	matches(t, out.stdout, `^Apply: 1 done, 0 already done, 0 failed, 0 in doubt, 0 skipped\.$`)
	var writes []string
	for _, op := range sh.fakeOperations(before) {
		if !strings.HasPrefix(op, "GET ") {
			writes = append(writes, op)
		}
	}
	assert.Equal(t, []string{"DELETE gitguardian.DeleteInvitation", "POST gitguardian.CreateInvitations"}, writes)

	// A targeted saved plan keeps its targets.
	sh.run(2, "plan", "-f", "people.yaml", "--vendor", "portworx", "-out", "px.plan")
	out = sh.run(0, "show", "px.plan")
	assert.True(t, strings.HasPrefix(out.stdout, "Targeted: vendor portworx\n"), out.stdout)
	before = sh.fakeCount("")
	sh.run(0, "apply", "px.plan")
	for _, op := range sh.fakeOperations(before) {
		assert.True(t, strings.HasPrefix(op, "POST portworx."), "only the Portworx change is sent: %s", op)
	}
	assert.Equal(t, "Targeted: vendor portworx\nNo changes.\n", sh.run(0, "plan", "-f", "people.yaml", "--vendor", "portworx").stdout)
}

// validate checks the file with nothing sent: its shape and rules, and
// the credentials the vendors it asks for need.
func TestValidateSendsNothing(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"people.yaml": planApplyYAML,
		"dup.yaml":    "people:\n  - email: ada@example.com\n  - email: ADA@example.com\n",
		"bad.yaml":    "people:\n  - email: ada@example.com\n    box: [{group: Engineering, role: owner}]\n",
	})
	fake := sh.withFake()
	out := sh.run(0, "validate", "-f", "people.yaml")
	assert.Equal(t, "people.yaml is valid\n", out.stdout)
	out = sh.run(1, "validate", "-f", "dup.yaml")
	assert.Equal(t, "Error: dup.yaml:3:12: people[1].email: ADA@example.com is also people[0]: give each person one entry\n", out.stderr)
	assert.Empty(t, out.stdout)
	out = sh.run(1, "validate", "-f", "bad.yaml")
	assert.Contains(t, out.stderr, "Error: bad.yaml:3:")
	assert.Contains(t, out.stderr, "people[0].box[0].role")
	assert.Zero(t, sh.fakeCount(""), "validate sends nothing")

	// Credentials: Box's only, and the file asks for more.
	delete(sh.env, "INVITATIONS_FAKE_URL")
	sh.env["BOX_ACCESS_TOKEN"] = "box-token-for-validate"
	out = sh.run(1, "validate", "-f", "people.yaml")
	assert.Contains(t, out.stderr, "Error: people.yaml: the desired state asks for access on vendors without credentials: set GITGUARDIAN_API_KEY (gitguardian, asked at people.yaml:2)")
	assert.Empty(t, out.stdout)
	sh.write("box.yaml", "people:\n  - email: ada@example.com\n    box: [{group: Engineering}]\n")
	assert.Equal(t, "box.yaml is valid\n", sh.run(0, "validate", "-f", "box.yaml").stdout)
	sh.env["INVITATIONS_FAKE_URL"] = fake
	assert.Zero(t, sh.fakeCount(""), "validate sends nothing")
}
