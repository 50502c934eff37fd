package main

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
)

// asCommand, set in the environment, makes the test binary run main: the
// tests start it as the command itself, with its own stdin, stdout,
// stderr, signals and exit status, as users run it.
const asCommand = "INVITATIONS_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asCommand) == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// secrets are the fake's credentials: no output of the command, the
// fake's banner aside, may hold one.
var secrets = []string{
	invitationstest.GitGuardianAPIKey, invitationstest.BoxAccessToken, invitationstest.FreestyleAPIKey,
	invitationstest.BIMDataAccessToken, invitationstest.BIMDataAPIKey, invitationstest.PortworxAccessToken,
}

// cleared are the variables the command reads: unset for every run, so
// that a run without INVITATIONS_FAKE_URL is on the embedded fake.
var cleared = []string{
	invitations.EnvGitGuardianAPIKey, invitations.EnvGitGuardianAPIURL, invitations.EnvBoxAccessToken,
	invitations.EnvBIMDataAPIKey, invitations.EnvBIMDataAccessToken, invitations.EnvFreestyleAPIKey,
	invitations.EnvPortworxCentralURL, invitations.EnvPortworxAccessToken, "INVITATIONS_FAKE_URL",
}

// shell runs the command in one directory with one environment, like a
// user's terminal session (without a terminal: stdin is empty).
type shell struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newShell(t *testing.T, files map[string]string) *shell {
	t.Helper()
	sh := &shell{t: t, dir: t.TempDir(), env: map[string]string{}}
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(sh.dir, name), []byte(content), 0o600))
	}
	return sh
}

// withFake starts "invitations fake -addr 127.0.0.1:0" and points the
// shell at it with INVITATIONS_FAKE_URL.
func (sh *shell) withFake() string {
	sh.t.Helper()
	c := startFake(sh.t, "-addr", "127.0.0.1:0")
	sh.env["INVITATIONS_FAKE_URL"] = c.root
	return c.root
}

// seedState writes, as each named state file, the state that goes with
// the fake's demo data: whose each demo Freestyle identity is (the fake
// started by withFake has the same demo data as one made here). Without
// it every demo identity is nobody's: a partial read, and a lost state to
// the new-identities guard.
func (sh *shell) seedState(names ...string) {
	sh.t.Helper()
	snap := access.NewSnapshot()
	for email, id := range invitationstest.NewFake(invitationstest.WithDemoData()).DemoFreestyleOwners() {
		access.SetFreestyleIdentity(snap, email, id)
	}
	data, err := access.EncodeSnapshot(snap)
	require.NoError(sh.t, err)
	for _, name := range names {
		require.NoError(sh.t, os.WriteFile(filepath.Join(sh.dir, name), data, 0o600))
	}
}

// output is what one run printed.
type output struct{ stdout, stderr string }

// run runs "invitations args..." and checks its exit status and that no
// credential of the fake is in what it printed.
func (sh *shell) run(status int, args ...string) output {
	sh.t.Helper()
	cmd := sh.command(args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	got := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else {
		require.NoError(sh.t, err)
	}
	out := output{stdout.String(), stderr.String()}
	require.Equal(sh.t, status, got, "invitations %s: exit status\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), out.stdout, out.stderr)
	sh.noSecret(args, out)
	return out
}

// command is "invitations args..." in the shell's directory and
// environment, not yet started.
func (sh *shell) command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = sh.dir
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(cleared, name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, asCommand+"=1")
	for k, v := range sh.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// noSecret fails the test when what "invitations args..." printed holds a
// credential of the fake.
func (sh *shell) noSecret(args []string, out output) {
	sh.t.Helper()
	for i, s := range secrets {
		// The output is not echoed: it would put the credential in the
		// test's log.
		if strings.Contains(out.stdout+out.stderr, s) {
			sh.t.Fatalf("invitations %s printed a credential of the fake (secrets[%d])", strings.Join(args, " "), i)
		}
	}
}

func (sh *shell) exists(name string) bool {
	_, err := os.Stat(filepath.Join(sh.dir, name))
	return err == nil
}

// fault arms a fault on the shell's fake (POST /_fake/faults).
func (sh *shell) fault(json string) {
	sh.t.Helper()
	resp, err := http.Post(sh.env["INVITATIONS_FAKE_URL"]+invitationstest.AdminPrefix+"/faults", "application/json", strings.NewReader(json))
	require.NoError(sh.t, err)
	resp.Body.Close()
	require.Equal(sh.t, http.StatusCreated, resp.StatusCode)
}

// loggedRequest is a request of the fake's log, as its admin API gives it.
type loggedRequest struct {
	Operation, Method, Path, RawQuery, Body string
}

// fakeRequests returns the requests the shell's fake received from the
// from-th on, in order.
func (sh *shell) fakeRequests(from int) []loggedRequest {
	sh.t.Helper()
	var log struct{ Requests []loggedRequest }
	require.Equal(sh.t, http.StatusOK, getJSON(sh.t, sh.env["INVITATIONS_FAKE_URL"]+invitationstest.AdminPrefix+"/requests", &log))
	return log.Requests[from:]
}

// fakeWrites counts the write requests the shell's fake has received.
func (sh *shell) fakeWrites() int {
	sh.t.Helper()
	n := 0
	for _, r := range sh.fakeRequests(0) {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// matches asserts that a line of s matches the regular expression re.
func matches(t *testing.T, s, re string) {
	t.Helper()
	assert.Regexp(t, regexp.MustCompile("(?m)"+re), s)
}
