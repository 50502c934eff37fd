package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/invitationstest"
)

// running is a command started by start, not yet waited for.
type running struct {
	sh     *shell
	args   []string
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
}

// start runs "invitations args..." in the background, as a second
// terminal would.
func (sh *shell) start(args ...string) *running {
	sh.t.Helper()
	r := &running{sh: sh, args: args, cmd: sh.command(args...)}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	require.NoError(sh.t, r.cmd.Start())
	sh.t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Kill()
			_ = r.cmd.Wait()
		}
	})
	return r
}

// wait waits for the command and returns its exit status and output,
// checking that no credential of the fake is in it.
func (r *running) wait() (int, output) {
	r.sh.t.Helper()
	err := r.cmd.Wait()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(r.sh.t, err)
	}
	out := output{r.stdout.String(), r.stderr.String()}
	r.sh.noSecret(r.args, out)
	return code, out
}

// fakeCount returns how many requests of op (all, when empty) the shell's
// fake has received.
func (sh *shell) fakeCount(op invitationstest.Operation) int {
	sh.t.Helper()
	url := sh.env["INVITATIONS_FAKE_URL"] + invitationstest.AdminPrefix + "/requests"
	if op != "" {
		url += "?operation=" + string(op)
	}
	var log struct{ Count int }
	require.Equal(sh.t, http.StatusOK, getJSON(sh.t, url, &log))
	return log.Count
}

// clearFaults disarms the faults of the shell's fake.
func (sh *shell) clearFaults() {
	sh.t.Helper()
	req, err := http.NewRequest(http.MethodDelete, sh.env["INVITATIONS_FAKE_URL"]+invitationstest.AdminPrefix+"/faults", nil)
	require.NoError(sh.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(sh.t, err)
	resp.Body.Close()
	require.Equal(sh.t, http.StatusNoContent, resp.StatusCode)
}

// orphanIdentities counts the Freestyle identities that no state entry
// ties to anyone, as audit lists them (an empty email).
func (sh *shell) orphanIdentities(state string) int {
	sh.t.Helper()
	out := sh.run(0, "audit", "--vendor", "freestyle", "-o", "csv", "-state", state, "--allow-partial")
	rows, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
	require.NoError(sh.t, err)
	n := 0
	for _, row := range rows[1:] {
		if row[0] == "" && row[2] == "identity" {
			n++
		}
	}
	return n
}

// concurrentTeam is a desired-state file of n people, each with a new
// Freestyle identity (the grant whose duplicate would be an orphan) and
// a Box membership.
func concurrentTeam(n int) string {
	var b strings.Builder
	b.WriteString("people:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - email: user%03d@example.com\n    box: [{group: Engineering}]\n    freestyle:\n      git: [{repo: %s, permission: read}]\n",
			201+i, invitationstest.FreestyleDemoRepoID)
	}
	return b.String()
}

// Two applies started at once, or one while the other plans, or while it
// applies, on one state against one slow fake: the second is refused at
// once (or, with -lock-timeout, waits and finds nothing to do). Each
// identity is created once, none is left that the state does not know,
// and the final plan is empty.
func testConcurrentApplies(t *testing.T, state func(t *testing.T) string) {
	// The first apply is reading once it has listed the identities.
	reading := func(now, before func(invitationstest.Operation) int) bool {
		return now(invitationstest.FreestyleListIdentities) > before(invitationstest.FreestyleListIdentities)
	}
	const people = 8
	offsets := []struct {
		name string
		// after tells when the first apply has got this far, from the
		// fake's request counts then and before it started.
		after func(now, before func(invitationstest.Operation) int) bool
		// wait is the second apply's -lock-timeout.
		wait string
	}{
		{"together", func(_, _ func(invitationstest.Operation) int) bool { return true }, "0"},
		{"while the first reads", reading, "0"},
		{"while the first writes", func(now, _ func(invitationstest.Operation) int) bool {
			return now(invitationstest.FreestyleCreateIdentity) > 0
		}, "0"},
		{"waiting for the first", reading, "2m"},
	}
	for _, tc := range offsets {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sh := newShell(t, map[string]string{"people.yaml": concurrentTeam(people)})
			sh.withFake()
			st := state(t)
			orphans := sh.orphanIdentities(st)
			// Every request slow while the applies run, as a real
			// vendor's are: the windows between plan and apply are wide.
			sh.fault(`{"latency":"100ms","times":-1}`)

			counts := map[invitationstest.Operation]int{}
			for _, op := range []invitationstest.Operation{"", invitationstest.FreestyleListIdentities} {
				counts[op] = sh.fakeCount(op)
			}
			before := func(op invitationstest.Operation) int { return counts[op] }
			// A new state on a Freestyle that holds identities already.
			first := sh.start("apply", "-auto-approve", "-f", "people.yaml", "-state", st, "--new-identities-ok")
			require.Eventually(t, func() bool { return tc.after(sh.fakeCount, before) }, time.Minute, 5*time.Millisecond, "the first apply did not get %s", tc.name)
			second := sh.start("apply", "-auto-approve", "-f", "people.yaml", "-state", st, "-lock-timeout", tc.wait, "--new-identities-ok")
			codes := map[int]int{}
			var outs []output
			for _, r := range []*running{first, second} {
				code, out := r.wait()
				codes[code]++
				outs = append(outs, out)
			}
			// One applied everything; the other was refused before any
			// read, or ran after it and found nothing to do.
			applied := 0
			for _, out := range outs {
				switch {
				case strings.Contains(out.stdout, fmt.Sprintf("Apply: %d done, 0 already done, 0 failed, 0 in doubt, 0 skipped.", 3*people)):
					applied++
				case strings.Contains(out.stderr, "state is locked by another apply"):
					assert.Empty(t, out.stdout, "a refused apply prints no plan")
					assert.NotContains(t, out.stderr, "Applying")
					assert.Contains(t, out.stderr, " is held by ", "names the holder as far as it is known")
				default:
					assert.Equal(t, "No changes.\n", out.stdout, "stderr: %s", out.stderr)
				}
			}
			assert.Equal(t, 1, applied, "exactly one apply made the changes: %+v", outs)
			if tc.wait != "0" {
				assert.Equal(t, map[int]int{0: 2}, codes, "the second waited, then found nothing to do")
			}

			sh.clearFaults()
			assert.Equal(t, people, sh.fakeCount(invitationstest.FreestyleCreateIdentity), "each identity created once")
			assert.Equal(t, orphans, sh.orphanIdentities(st), "no identity the state does not know")
			assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml", "-state", st).stdout)
		})
	}
}

func TestConcurrentAppliesOnOneStateFile(t *testing.T) {
	t.Parallel()
	testConcurrentApplies(t, func(*testing.T) string { return "state.json" })
}

// TestPostgresStateConcurrentApplies runs the same on one PostgreSQL
// state_name (INVITATIONS_TEST_POSTGRES, which .ci/run sets).
func TestPostgresStateConcurrentApplies(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	testConcurrentApplies(t, func(t *testing.T) string {
		return postgresState(dsn, "concurrent-")
	})
}

// An apply killed (kill -9) in the middle of its identity creates leaves
// its changes in the state's journal; the next apply folds them in, adopts
// an identity whose create was cut off, and ends in the desired state:
// each identity created once, none unknown to the state.
func TestAKilledApplyResumesWithoutDuplicates(t *testing.T) {
	t.Parallel()
	const people = 8
	sh := newShell(t, map[string]string{"people.yaml": concurrentTeam(people)})
	sh.withFake()
	orphans := sh.orphanIdentities("state.json")
	sh.fault(`{"latency":"100ms","times":-1}`)
	first := sh.start("apply", "-auto-approve", "-f", "people.yaml", "-state", "state.json", "--new-identities-ok")
	require.Eventually(t, func() bool { return sh.fakeCount(invitationstest.FreestyleCreateIdentity) >= 3 }, time.Minute, 5*time.Millisecond)
	require.NoError(t, first.cmd.Process.Kill())
	_ = first.cmd.Wait()
	assert.True(t, sh.exists("state.json.journal"), "killed before its journal was folded in")
	sh.clearFaults()

	out := sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-state", "state.json", "--new-identities-ok")
	assert.NotContains(t, out.stdout, "failed:")
	assert.False(t, sh.exists("state.json.journal"), "folded in at the end")
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml", "-state", "state.json").stdout)
	assert.Equal(t, people, sh.fakeCount(invitationstest.FreestyleCreateIdentity), "each identity created once")
	assert.Equal(t, orphans, sh.orphanIdentities("state.json"), "no identity the state does not know")
}
