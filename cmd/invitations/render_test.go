package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/cli"
)

// checkGolden compares got with testdata/name, or rewrites the file with
// INVITATIONS_UPDATE_GOLDEN=1.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if os.Getenv("INVITATIONS_UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	assert.Equal(t, golden(t, name), got)
}

// plan --by person lists each person's changes under their email, with
// the Box group's name beside its id; --by vendor (the default) one line
// per change. Without a terminal, stderr carries no progress display.
func TestPlanByPerson(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	out := sh.run(2, "plan", "-f", "people.yaml", "--by", "person")
	checkGolden(t, "plan-by-person.golden", out.stdout)
	lines := strings.Split(strings.TrimSuffix(out.stderr, "\n"), "\n")
	require.Len(t, lines, 2, "without a terminal: the fake's line and the coverage, nothing else: %q", out.stderr)
	assert.True(t, strings.HasPrefix(lines[0], "Running against the fake at "))
	assert.Equal(t, "Read: gitguardian, box, freestyle, bimdata, portworx.", lines[1])
	assert.NotContains(t, out.stderr, "\r")

	assert.Equal(t, golden(t, "plan.golden"), sh.run(2, "plan", "-f", "people.yaml", "--by", "vendor").stdout, "by vendor is the default")

	before := sh.fakeCount("")
	out = sh.run(1, "plan", "-f", "people.yaml", "--by", "team")
	assert.Equal(t, "Error: --by \"team\": must be vendor or person\n", out.stderr[strings.Index(out.stderr, "Error:"):])
	assert.Equal(t, before, sh.fakeCount(""), "refused before any request")
}

// A long role list is shortened on the plan's line, whole in JSON.
func TestPlanLongListsAreShortened(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": `people:
  - email: user201@example.com
    portworx: [{tenant: 0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b, roles: [tenant-admin, tenant-viewer, project-admin, project-viewer, namespace-admin]}]
`})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	out := sh.run(2, "plan", "-f", "people.yaml")
	matches(t, out.stdout, `^\+ portworx    user201@example.com  invitation tenant:0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b \(namespace-admin, project-admin, project-viewer \+2 more\)$`)
	out = sh.run(2, "plan", "-f", "people.yaml", "-o", "json")
	assert.Contains(t, out.stdout, `"level": "namespace-admin,project-admin,project-viewer,tenant-admin,tenant-viewer"`, "JSON has the whole list")
}

// apply -o json writes one JSON line per change outcome, then a summary
// line; the plan goes to stderr. Outcomes arrive in the order changes end
// (vendors run in parallel): the golden file holds them sorted.
func TestApplyJSONOutcomes(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	out := sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-o", "json")
	lines := strings.Split(strings.TrimSuffix(out.stdout, "\n"), "\n")
	require.Len(t, lines, 12, out.stdout)
	for _, l := range lines {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &v), "every stdout line is a JSON object: %s", l)
	}
	outcomes, summary := lines[:len(lines)-1], lines[len(lines)-1]
	sort.Strings(outcomes)
	checkGolden(t, "apply.jsonl.golden", strings.Join(append(outcomes, summary), "\n")+"\n")
	assert.Contains(t, out.stderr, "+ box         user201@example.com  group 119721 \"Engineering\" (member)\n", "the plan is on stderr")
	assert.NotContains(t, out.stdout, "Plan:")

	// Nothing left to do: the summary alone.
	out = sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-o", "json")
	assert.Equal(t, `{"type":"summary","changes":0,"done":0,"already_done":0,"failed":0,"in_doubt":0,"skipped":0,"settled":0}`+"\n", out.stdout)

	assert.Contains(t, sh.run(1, "apply", "-auto-approve", "-f", "people.yaml", "-o", "yaml").stderr, `-o "yaml": must be text or json`)
}

// Every -o completes in the shell with its values (cobra's __complete,
// what the completion scripts call), and plan's --by too.
func TestOutputFlagsComplete(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	complete := func(args ...string) []string {
		out := sh.run(0, append([]string{"__complete"}, args...)...)
		var vals []string
		for _, l := range strings.Split(strings.TrimSpace(out.stdout), "\n") {
			if l != "" && !strings.HasPrefix(l, ":") {
				vals = append(vals, strings.SplitN(l, "\t", 2)[0])
			}
		}
		require.Contains(t, out.stdout, ":4\n", "no file names offered") // ShellCompDirectiveNoFileComp
		return vals
	}
	assert.Equal(t, []string{"text", "json"}, complete("plan", "-o", ""))
	assert.Equal(t, []string{"text", "json"}, complete("apply", "-o", ""))
	assert.Equal(t, []string{"text", "json"}, complete("offboard", "-o", ""))
	assert.Contains(t, complete("audit", "-o", ""), "csv")
	assert.Equal(t, []string{"vendor", "person"}, complete("plan", "--by", ""))

	// Every command with -o, whoever added it.
	var commands [][]string
	var walk func(path []string)
	walk = func(path []string) {
		help := sh.run(0, append(slices.Clone(path), "-h")...).stdout
		if strings.Contains(help, "-o, --output") {
			commands = append(commands, path)
		}
		_, subs, ok := strings.Cut(help, "Available Commands:\n")
		if !ok {
			return
		}
		subs, _, _ = strings.Cut(subs, "\n\n")
		for _, l := range strings.Split(subs, "\n") {
			if f := strings.Fields(l); len(f) > 0 && f[0] != "help" && f[0] != "completion" {
				walk(append(slices.Clone(path), f[0]))
			}
		}
	}
	walk(nil)
	require.GreaterOrEqual(t, len(commands), 4)
	for _, c := range commands {
		vals := complete(append(slices.Clone(c), "-o", "")...)
		assert.NotEmpty(t, vals, "%v -o completes", c)
		for _, v := range vals {
			assert.Regexp(t, `^[a-z]+$`, v, "%v -o value", c)
		}
	}
}

// The progress of the reads is drawn on a terminal: per vendor, the
// requests done, redrawn in place and erased at the end.
func TestReadProgressOnATerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "people.yaml")
	require.NoError(t, os.WriteFile(path, []byte(planApplyYAML), 0o600))
	run := func(tty bool) (string, string, int) {
		var stdout, stderr bytes.Buffer
		code := cli.Run(t.Context(), []string{"plan", "-f", path, "-state", filepath.Join(dir, "state.json")}, cli.IO{
			Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, StderrTTY: tty,
			Getenv: func(string) string { return "" }, Version: "test",
		})
		return stdout.String(), stderr.String(), code
	}
	stdout, stderr, code := run(true)
	assert.Equal(t, 2, code)
	assert.Regexp(t, regexp.MustCompile(`\r\x1b\[KReading: gitguardian \d+, box \d+, freestyle \d+, bimdata \d+, portworx \d+ requests done, \d+(\.\d+)?m?s\r\x1b\[KRead: gitguardian, box, freestyle, bimdata, portworx\.\n$`), stderr,
		"the last drawing counts every vendor's requests, then is erased before the coverage")
	assert.NotContains(t, stdout, "Reading", "stdout has the plan only")

	_, plain, code := run(false)
	assert.Equal(t, 2, code)
	assert.NotContains(t, plain, "Reading")
	assert.NotContains(t, plain, "\r")
}

// JSON outputs never give one field as null in one object and leave it
// out of another of the same kind: audit, plan, apply and offboard.
func TestJSONNeverMixesNullAndOmitted(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": planApplyYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")

	docs := map[string][]string{
		"audit":            jsonLines(sh.run(0, "audit", "-f", "people.yaml", "-o", "json", "--allow-partial").stdout),
		"plan":             {sh.run(2, "plan", "-f", "people.yaml", "-o", "json").stdout},
		"apply":            jsonLines(sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-o", "json").stdout),
		"offboard-dry-run": {sh.run(2, "offboard", "user201@example.com", "-dry-run", "-f", "people.yaml", "-o", "json", "--allow-partial").stdout},
		"offboard":         {sh.run(0, "offboard", "user201@example.com", "-auto-approve", "-f", "people.yaml", "-o", "json", "--allow-partial").stdout},
	}
	nulls, omitted := map[string]bool{}, map[string]bool{}
	keys := map[string]map[string]bool{} // path → keys seen there
	var objects []struct {
		path string
		obj  map[string]any
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if typ, ok := v["type"].(string); ok {
				path += "<" + typ + ">"
			}
			objects = append(objects, struct {
				path string
				obj  map[string]any
			}{path, v})
			if keys[path] == nil {
				keys[path] = map[string]bool{}
			}
			for k, e := range v {
				keys[path][k] = true
				if e == nil {
					nulls[path+"."+k] = true
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range v {
				walk(path+"[]", e)
			}
		}
	}
	for name, lines := range docs {
		for _, l := range lines {
			var v any
			require.NoError(t, json.Unmarshal([]byte(l), &v), "%s: %s", name, l)
			// The audit's last line is of another kind: its coverage.
			root := strings.TrimSuffix(name, "-dry-run") // a dry run's report is offboard's
			if m, ok := v.(map[string]any); ok && len(m) == 1 && m["coverage"] != nil {
				root += "<coverage>"
			}
			walk(root, v)
		}
	}
	for _, o := range objects {
		for k := range keys[o.path] {
			if _, ok := o.obj[k]; !ok {
				omitted[o.path+"."+k] = true
			}
		}
	}
	require.NotEmpty(t, nulls, "some fields are null (users: every user)")
	for field := range nulls {
		assert.False(t, omitted[field], "%s is null in one object and omitted in another", field)
	}
}

// jsonLines splits JSON lines.
func jsonLines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
