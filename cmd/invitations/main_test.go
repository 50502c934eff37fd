package main

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// The test binary is also the command: testscript puts it on the PATH as
// "invitations", so scripts and tests run the command as users do.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"invitations": func() { os.Exit(run()) }})
}

// secrets are the fake's credentials: no output of the command, the
// fake's banner aside, may hold one.
var secrets = []string{
	invitationstest.GitGuardianAPIKey, invitationstest.BoxAccessToken, invitationstest.FreestyleAPIKey,
	invitationstest.BIMDataAccessToken, invitationstest.BIMDataAPIKey, invitationstest.PortworxAccessToken,
}

// credentialVars are the variables WithEnv reads: unset in the scripts,
// so that a command without INVITATIONS_FAKE_URL runs on the embedded fake.
var credentialVars = []string{
	invitations.EnvGitGuardianAPIKey, invitations.EnvGitGuardianAPIURL, invitations.EnvBoxAccessToken,
	invitations.EnvBIMDataAPIKey, invitations.EnvBIMDataAccessToken, invitations.EnvFreestyleAPIKey,
	invitations.EnvPortworxCentralURL, invitations.EnvPortworxAccessToken,
}

// TestScripts runs testdata/script/*.txtar. Besides testscript's own
// commands they have:
//
//	inv STATUS ARGS...  run "invitations ARGS...", expect exit status STATUS
//	                    and no credential in stdout or stderr
//	startfake           start "invitations fake -addr 127.0.0.1:0" and set
//	                    INVITATIONS_FAKE_URL to its root; SIGTERM at the end
//	fault JSON          arm a fault on that fake (POST /_fake/faults)
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			for _, v := range credentialVars {
				env.Setenv(v, "")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"inv":       cmdInv,
			"startfake": cmdStartFake,
			"fault":     cmdFault,
		},
	})
}

func cmdInv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: inv STATUS ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec("invitations", args[1:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("invitations: %v", err)
	}
	if got != want {
		ts.Fatalf("invitations %s: exit status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
	for _, name := range []string{"stdout", "stderr"} {
		out := ts.ReadFile(name)
		for _, s := range secrets {
			if strings.Contains(out, s) {
				ts.Fatalf("a credential of the fake is in %s", name)
			}
		}
	}
}

func cmdStartFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: startfake")
	}
	cmd := exec.Command("invitations", "fake", "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	ts.Check(err)
	ts.Check(cmd.Start())
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		ts.Fatalf("invitations fake printed nothing")
	}
	root, ok := strings.CutPrefix(sc.Text(), "invitations fake listening on ")
	if !ok {
		ts.Fatalf("invitations fake: first line %q", sc.Text())
	}
	go func() {
		for sc.Scan() { // the rest of the banner
		}
	}()
	ts.Setenv("INVITATIONS_FAKE_URL", root)
	ts.Defer(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
}

func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: fault JSON")
	}
	resp, err := http.Post(ts.Getenv("INVITATIONS_FAKE_URL")+invitationstest.AdminPrefix+"/faults", "application/json", strings.NewReader(args[0]))
	ts.Check(err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		ts.Fatalf("POST /_fake/faults: %s", resp.Status)
	}
}
