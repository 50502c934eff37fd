package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// fakeProcess is "invitations fake" running as a process.
type fakeProcess struct {
	cmd    *exec.Cmd
	root   string // e.g. http://127.0.0.1:54321
	banner []string
	rest   chan string // stdout after the banner
}

// startFake runs "invitations fake" with args and waits for its banner.
func startFake(t *testing.T, args ...string) *fakeProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"fake"}, args...)...)
	cmd.Env = append(os.Environ(), asCommand+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	c := &fakeProcess{cmd: cmd, rest: make(chan string, 1)}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		c.banner = append(c.banner, line)
		if root, ok := strings.CutPrefix(line, "invitations fake listening on "); ok {
			c.root = root
		}
		if strings.HasPrefix(line, "Stop with") {
			break
		}
	}
	require.NotEmpty(t, c.root, "banner: %q", c.banner)
	go func() {
		b, _ := io.ReadAll(stdout)
		c.rest <- string(b)
	}()
	return c
}

// stop sends sig and returns the exit code and what was printed after the
// banner.
func (c *fakeProcess) stop(t *testing.T, sig os.Signal) (int, string) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(sig))
	rest := <-c.rest
	err := c.cmd.Wait()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode(), rest
	}
	require.NoError(t, err)
	return 0, rest
}

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// The fake as a user in another language meets it: a banner with the ids
// to use, the APIs and the admin API over HTTP, and a clean stop on
// SIGTERM with exit status 0.
func TestFakeServesOverHTTPAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	c := startFake(t, "-addr", "127.0.0.1:0")
	banner := strings.Join(c.banner, "\n")
	for _, want := range []string{
		c.root + "/_fake/routes",
		c.root + "/portworx", "tenant_id=" + invitationstest.PortworxDemoTenantID,
		"person_email=" + invitationstest.DemoPersonEmail,
		"Authorization: Token " + invitationstest.GitGuardianAPIKey,
		"Authorization: Bearer " + invitationstest.BoxAccessToken,
		"Authorization: Bearer " + invitationstest.FreestyleAPIKey,
		"Authorization: Bearer " + invitationstest.BIMDataAccessToken + "  or  ApiKey " + invitationstest.BIMDataAPIKey,
		"Authorization: Bearer " + invitationstest.PortworxAccessToken,
		"group_id=" + invitationstest.BoxDemoGroupID, "identity_id=" + invitationstest.FreestyleDemoIdentityID,
	} {
		assert.Contains(t, banner, want)
	}

	var health map[string]string
	assert.Equal(t, 200, getJSON(t, c.root+"/_fake/health", &health))
	assert.Equal(t, "ok", health["status"])

	// Arm a fault over HTTP, see it hit, read it in the log.
	resp, err := http.Post(c.root+"/_fake/faults", "application/json",
		strings.NewReader(`{"operation":"gitguardian.ListInvitations","status":503,"times":1}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	req, _ := http.NewRequest("GET", c.root+"/gitguardian/v1/invitations", nil)
	req.Header.Set("Authorization", "Token "+invitationstest.GitGuardianAPIKey)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 503, resp.StatusCode)
	var log struct{ Count int }
	getJSON(t, c.root+"/_fake/requests?operation=gitguardian.ListInvitations", &log)
	assert.Equal(t, 1, log.Count)

	// The SDK works against it, on the demo data.
	client, err := invitations.NewClient(invitationstest.ClientOptions(invitationstest.BaseURLsAt(c.root))...)
	require.NoError(t, err)
	got, err := client.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{PerPage: 100}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 240, "demo data is on by default")

	code, rest := c.stop(t, syscall.SIGTERM)
	assert.Equal(t, 0, code)
	assert.Contains(t, rest, "invitations fake stopped")
	_, err = http.Get(c.root + "/_fake/health")
	require.Error(t, err, "nothing listens any more")
}

// Ctrl-C (SIGINT) stops it cleanly too, even with a request in flight:
// the request is answered before the process exits.
func TestFakeStopsOnSIGINTAfterRequestsInFlight(t *testing.T) {
	t.Parallel()
	c := startFake(t, "-addr", "127.0.0.1:0", "-latency", "300ms")
	answered := make(chan int, 1)
	go func() {
		resp, err := http.Get(c.root + "/gitguardian/v1/invitations")
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	// Wait until the request has reached the fake before interrupting.
	require.Eventually(t, func() bool {
		var log struct{ Count int }
		getJSON(t, c.root+"/_fake/requests", &log)
		return log.Count == 1
	}, 5*time.Second, 5*time.Millisecond)
	code, _ := c.stop(t, os.Interrupt)
	assert.Equal(t, 0, code)
	assert.Equal(t, 401, <-answered, "the request in flight got its answer (no credential: 401)")
}

func TestFakeWithoutDemoData(t *testing.T) {
	t.Parallel()
	c := startFake(t, "-addr", "127.0.0.1:0", "-demo=false")
	var routes struct {
		DemoData bool `json:"demo_data"`
	}
	assert.Equal(t, 200, getJSON(t, c.root+"/_fake/routes", &routes))
	assert.False(t, routes.DemoData)
	code, _ := c.stop(t, syscall.SIGTERM)
	assert.Equal(t, 0, code)
}

func TestFakeRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-latency", "soon"}, {"extra"}, {"-addr", "256.0.0.1:0"}} {
		cmd := exec.Command(os.Args[0], append([]string{"fake"}, args...)...)
		cmd.Env = append(os.Environ(), asCommand+"=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr, "%q", args)
		assert.Equal(t, 1, exitErr.ExitCode(), "%q", args)
		assert.Contains(t, stderr.String(), "Error: ", "%q", args)
		assert.Empty(t, stdout.String(), "%q", args)
	}
}
