package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/invitationstest"
)

// SCIM users: people the fake's Box knows (Box accounts are not created)
// who have nothing of the role yet.
const (
	ada = "user250@example.com"
	bob = "user251@example.com"
	cy  = "user252@example.com"
)

// serveToken is the SCIM bearer token the tests' serve processes accept.
const serveToken = "scim-token-7f3a9c2e41d84b6b"

// serveYAML is a desired state with one role, engineering (a GitGuardian
// member, the Box group Engineering, read on a Freestyle repository),
// given to the identity provider's group Engineering and to the file's
// lead, who keeps the role's scopes named while nobody from the identity
// provider holds it; prune removes what the role no longer asks for.
const serveYAML = `roles:
  engineering:
    gitguardian: {access_level: member}
    box: [{group: Engineering}]
    freestyle:
      git: [{repo: ` + invitationstest.FreestyleDemoRepoID + `, permission: read}]
groups:
  Engineering: [engineering]
prune: true
people:
  - email: user201@example.com
    roles: [engineering]
`

// serveProcess is "invitations serve" running.
type serveProcess struct {
	t    *testing.T
	cmd  *exec.Cmd
	args []string
	// scim is the SCIM base URL, e.g. http://127.0.0.1:54321/scim/v2.
	scim string
	// runs are the runs the process logged, in order.
	runs chan serveRun
	// stdout after the first line, and stderr, once the process ended.
	rest, stderr chan string
	// log is stderr so far.
	logMu sync.Mutex
	log   strings.Builder
}

// logged returns what the process wrote on stderr so far.
func (p *serveProcess) logged() string {
	p.logMu.Lock()
	defer p.logMu.Unlock()
	return p.log.String()
}

// serveRun is a run as serve logs it (slog JSON).
type serveRun struct {
	Msg        string `json:"msg"`
	Outcome    string `json:"outcome"`
	Generation int64  `json:"generation"`
	Changes    int    `json:"changes"`
	Removals   int    `json:"removals"`
	Error      string `json:"error"`
}

// startServe runs "invitations serve -f people.yaml -addr 127.0.0.1:0
// --log-format json" with no debounce nor backoff, plus args, in the
// shell, and waits for the line saying where it serves.
func (sh *shell) startServe(args ...string) *serveProcess {
	sh.t.Helper()
	args = append([]string{"serve", "-f", "people.yaml", "-addr", "127.0.0.1:0", "--log-format", "json",
		"--debounce", "0", "--retry-min", "0", "--retry-max", "0"}, args...)
	p := &serveProcess{t: sh.t, args: args, cmd: sh.command(args...), runs: make(chan serveRun, 256), rest: make(chan string, 1), stderr: make(chan string, 1)}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(sh.t, err)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(sh.t, err)
	require.NoError(sh.t, p.cmd.Start())
	sh.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logMu.Lock()
			p.log.WriteString(line + "\n")
			p.logMu.Unlock()
			var r serveRun
			if json.Unmarshal([]byte(line), &r) == nil && (r.Msg == "scim: reconciled" || r.Msg == "scim: not reconciled") {
				p.runs <- r
			}
		}
		close(p.runs)
		p.stderr <- p.logged()
	}()
	out := bufio.NewReader(stdout)
	first, err := out.ReadString('\n')
	if err != nil {
		sh.t.Fatalf("serve printed no line (%v); stderr:\n%s", err, <-p.stderr)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(first), "invitations: serving SCIM at ")
	require.True(sh.t, ok, "first line: %q", first)
	p.scim = url
	go func() {
		b, _ := io.ReadAll(out)
		p.rest <- string(b)
	}()
	return p
}

// root is the server's root URL (without /scim/v2).
func (p *serveProcess) root() string { return strings.TrimSuffix(p.scim, "/scim/v2") }

// waitRun returns the first run logged from now on for which ok holds.
func (p *serveProcess) waitRun(what string, ok func(serveRun) bool) serveRun {
	p.t.Helper()
	timeout := time.NewTimer(2 * time.Minute)
	defer timeout.Stop()
	var seen []serveRun
	for {
		select {
		case r, open := <-p.runs:
			if !open {
				p.t.Fatalf("serve ended before %s; runs: %+v; stderr:\n%s", what, seen, p.logged())
			}
			if ok(r) {
				return r
			}
			seen = append(seen, r)
		case <-timeout.C:
			p.t.Fatalf("no run %s; runs: %+v; stderr:\n%s", what, seen, p.logged())
		}
	}
}

// waitApplied waits for a run that read the SCIM store at generation gen
// or later and left the vendors as it asks (applied, or nothing to do).
func (p *serveProcess) waitApplied(gen int64) serveRun {
	p.t.Helper()
	return p.waitRun("applying generation "+strconv.FormatInt(gen, 10), func(r serveRun) bool {
		return r.Generation >= gen && (r.Outcome == "applied" || r.Outcome == "nothing_to_do")
	})
}

// stop sends SIGTERM and returns the exit status, what stdout said after
// the first line, and stderr; no credential is in them.
func (p *serveProcess) stop(sh *shell) (int, string, string) {
	p.t.Helper()
	require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGTERM))
	rest, stderr := <-p.rest, <-p.stderr
	err := p.cmd.Wait()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(p.t, err)
	}
	sh.noSecret(p.args, output{rest, stderr})
	assert.NotContains(p.t, rest+stderr, serveToken, "the SCIM token is never printed")
	return code, rest, stderr
}

// scimClient is an identity provider: SCIM requests with the token, and
// the count of the writes it made (each a new generation of the store).
type scimClient struct {
	t      *testing.T
	token  string
	writes int64
}

// do sends a SCIM request to url and decodes the answer's JSON, if any,
// into a map.
func (c *scimClient) do(method, url string, body any) (int, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	var out map[string]any
	if len(b) > 0 {
		require.NoError(c.t, json.Unmarshal(b, &out), "%s %s: %s", method, url, b)
	}
	if method != http.MethodGet && resp.StatusCode < 300 {
		c.writes++
	}
	return resp.StatusCode, out
}

// must is do, requiring status.
func (c *scimClient) must(status int, method, url string, body any) map[string]any {
	c.t.Helper()
	got, out := c.do(method, url, body)
	require.Equal(c.t, status, got, "%s %s: %v", method, url, out)
	return out
}

const (
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

func scimUser(userName string) map[string]any {
	return map[string]any{"schemas": []string{userSchema}, "userName": userName, "active": true,
		"name":   map[string]string{"givenName": "Ada", "familyName": "Lovelace"},
		"emails": []map[string]any{{"value": userName, "type": "work", "primary": true}}}
}

func scimGroup(name string, members ...string) map[string]any {
	var ms []map[string]string
	for _, m := range members {
		ms = append(ms, map[string]string{"value": m})
	}
	return map[string]any{"schemas": []string{groupSchema}, "displayName": name, "members": ms}
}

func patch(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchSchema}, "Operations": ops}
}

// grantsOf returns what audit finds of email on GitGuardian, Box and
// Freestyle, one "vendor kind scope level" line each, sorted; args are
// audit's (-state).
func (sh *shell) grantsOf(email string, args ...string) []string {
	sh.t.Helper()
	out := sh.run(0, append([]string{"audit", "-f", "people.yaml", "--vendor", "gitguardian,box,freestyle", "--email", email, "-o", "csv", "--allow-partial"}, args...)...)
	rows, err := csv.NewReader(strings.NewReader(out.stdout)).ReadAll()
	require.NoError(sh.t, err)
	var got []string
	for _, row := range rows[1:] { // email,vendor,kind,scope,level,users,state,id
		got = append(got, strings.Join(row[1:5], " "))
	}
	slices.Sort(got)
	return got
}

// roleGrants are what the role engineering gives, as grantsOf lists them.
var roleGrants = []string{
	"box group 119721 member",
	"freestyle git " + invitationstest.FreestyleDemoRepoID + " read",
	"freestyle identity  ",
	"gitguardian workspace  member",
}

// writeOps is fakeWritesFrom's writes as "METHOD operation", by vendor.
func writeOps(w map[string][]loggedRequest) map[string][]string {
	out := map[string][]string{}
	for v, ws := range w {
		out[v] = operations(ws)
	}
	return out
}

// fakeWriteOps returns the write requests the shell's fake received from
// the from-th request on, as "METHOD operation", in order.
func (sh *shell) fakeWriteOps(from int) []string {
	sh.t.Helper()
	var out []string
	for _, r := range sh.fakeRequests(from) {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Operation)
		}
	}
	return out
}

// The identity provider's joiner, mover and leaver flow through the real
// binary against the fake: a user pushed in the mapped group gets the
// role's grants; taken out of it, loses them (prune); put back and then
// deactivated, is offboarded everywhere, which an offboarding run after
// the server stopped confirms: nothing left. SIGTERM stops the server
// with exit status 0 and the state saved.
func TestServeAppliesWhatTheIdentityProviderPushes(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": serveYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.env["INVITATIONS_SCIM_TOKEN"] = serveToken
	srv := sh.startServe()
	idp := &scimClient{t: t, token: serveToken}

	// At start, the file's own people: the lead gets the role.
	first := srv.waitApplied(0)
	assert.Equal(t, "applied", first.Outcome, "the lead's grants: %+v", first)
	lead := sh.grantsOf("user201@example.com")
	for _, g := range roleGrants {
		assert.Contains(t, lead, g)
	}

	// Joiner: a user, then the group Engineering with them in it.
	before := sh.grantsOf(ada)
	require.Equal(t, []string{"box account  active", "box group 57645 member"}, before, "the fake's demo data")
	joined := slices.Sorted(slices.Values(append(slices.Clone(before), roleGrants...)))
	from := len(sh.fakeRequests(0))
	user := idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Users", scimUser(ada))
	userID, _ := user["id"].(string)
	require.NotEmpty(t, userID)
	group := idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Groups", scimGroup("Engineering", userID))
	groupID, _ := group["id"].(string)
	require.NotEmpty(t, groupID)
	run := srv.waitApplied(idp.writes)
	assert.Equal(t, "applied", run.Outcome)
	assert.Equal(t, joined, sh.grantsOf(ada), "the role's grants")
	assert.Equal(t, map[string][]string{
		"gitguardian": {"POST gitguardian.CreateInvitations"},
		"box":         {"POST box.CreateGroupMembership"},
		"freestyle":   {"POST freestyle.CreateIdentity", "POST freestyle.GrantGitPermission"},
	}, writeOps(sh.fakeWritesFrom(from)))

	// Mover: out of the group: what the role gave is removed (prune),
	// what the person had besides stays.
	from = len(sh.fakeRequests(0))
	idp.must(http.StatusOK, http.MethodPatch, srv.scim+"/Groups/"+groupID, patch(map[string]any{
		"op": "remove", "path": `members[value eq "` + userID + `"]`}))
	run = srv.waitApplied(idp.writes)
	assert.Equal(t, "applied", run.Outcome)
	assert.Equal(t, 4, run.Removals)
	assert.Equal(t, before, sh.grantsOf(ada))
	assert.Equal(t, map[string][]string{
		"gitguardian": {"DELETE gitguardian.DeleteInvitation"},
		"box":         {"DELETE box.DeleteGroupMembershipByID"},
		"freestyle":   {"DELETE freestyle.RevokeGitPermission", "DELETE freestyle.DeleteIdentity"},
	}, writeOps(sh.fakeWritesFrom(from)))
	assert.Equal(t, lead, sh.grantsOf("user201@example.com"), "the lead keeps the role")

	// Back in the group (Entra's capitalised op), then deactivated:
	// offboarded everywhere, with the default policies (Box: sessions
	// ended, account deactivated).
	idp.must(http.StatusOK, http.MethodPatch, srv.scim+"/Groups/"+groupID, patch(map[string]any{
		"op": "Add", "path": "members", "value": []map[string]string{{"value": userID}}}))
	srv.waitApplied(idp.writes)
	assert.Equal(t, joined, sh.grantsOf(ada))
	from = len(sh.fakeRequests(0))
	idp.must(http.StatusOK, http.MethodPatch, srv.scim+"/Users/"+userID, patch(map[string]any{
		"op": "replace", "value": map[string]any{"active": false}}))
	run = srv.waitApplied(idp.writes)
	assert.Equal(t, "applied", run.Outcome)
	assert.Equal(t, []string{"box account  inactive"}, sh.grantsOf(ada))
	assert.Equal(t, map[string][]string{
		"gitguardian": {"DELETE gitguardian.DeleteInvitation"},
		"box": {"POST box.TerminateUsersSessions", "DELETE box.DeleteGroupMembershipByID",
			"DELETE box.DeleteGroupMembershipByID", "PUT box.UpdateUserByID"},
		"freestyle": {"DELETE freestyle.RevokeGitPermission", "DELETE freestyle.DeleteIdentity"},
	}, writeOps(sh.fakeWritesFrom(from)))

	// SIGTERM: exit 0, the state saved.
	code, rest, stderr := srv.stop(sh)
	assert.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "invitations: stopped\n", rest)
	assert.NotContains(t, stderr, "Lovelace", "no personal attribute beyond the userName in the log")
	assert.True(t, sh.exists("people.yaml.scim.json"), "the SCIM store beside the state")

	// The offboarding's own verification: nothing left, nothing to send.
	from = len(sh.fakeRequests(0))
	out := sh.run(0, "offboard", ada, "-auto-approve", "-f", "people.yaml", "--report", "ada.json", "--allow-partial")
	assert.Empty(t, sh.fakeWriteOps(from), "nothing left to remove: %s", out.stdout)
	var report struct {
		Verification struct{ Left []any } `json:"verification"`
	}
	b, err := os.ReadFile(sh.dir + "/ada.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &report))
	assert.Empty(t, report.Verification.Left)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout, "the saved state and the vendors agree")
}

// serveStderr runs serve expecting it to refuse to start.
func (sh *shell) serveRefused(args ...string) string {
	sh.t.Helper()
	out := sh.run(1, append([]string{"serve", "-f", "people.yaml", "-addr", "127.0.0.1:0"}, args...)...)
	assert.Empty(sh.t, out.stdout, "serve %q: it did not start", args)
	return out.stderr
}

// serve refuses to start without the token, naming the variable, and with
// bad flags, naming the flag; it never echoes the token.
func TestServeRefusesToStart(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": serveYAML})
	sh.env["INVITATIONS_FAKE_URL"] = "http://127.0.0.1:1" // nothing is read before the refusals
	assert.Equal(t, "Error: INVITATIONS_SCIM_TOKEN is not set: set it to the bearer token the identity provider is to send (e.g. the output of: openssl rand -hex 32)\n",
		sh.serveRefused())
	sh.env["INVITATIONS_SCIM_TOKEN"] = serveToken
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tls-cert", "cert.pem"}, "Error: -tls-cert and -tls-key go together: give both, or neither for plain HTTP\n"},
		{[]string{"--unmapped", "delete"}, `Error: --unmapped "delete": must be ignore or absent` + "\n"},
		{[]string{"--max-body", "lots"}, `Error: --max-body "lots": must be a positive number of bytes, or of KiB or MiB (e.g. 1MiB)` + "\n"},
		{[]string{"--max-body", "0"}, `Error: --max-body "0": must be a positive number of bytes, or of KiB or MiB (e.g. 1MiB)` + "\n"},
		{[]string{"--debounce", "-1s"}, "Error: --debounce -1s: must not be negative\n"},
		{[]string{"--retry-min", "1m", "--retry-max", "1s"}, "Error: --retry-max 1s: must not be below --retry-min (1m0s)\n"},
		{[]string{"--max-removals", "-2"}, "Error: --max-removals -2: must be a number of grants, or -1 for no limit\n"},
		{[]string{"--log-format", "xml"}, `Error: --log-format "xml": must be text or json` + "\n"},
		{[]string{"-tls-cert", "cert.pem", "-tls-key", "key.pem"}, "Error: -tls-cert, -tls-key: open cert.pem: no such file or directory\n"},
	} {
		got := sh.serveRefused(tc.args...)
		assert.Equal(t, tc.want, got, "%q", tc.args)
		assert.NotContains(t, got, serveToken)
	}
}

// The HTTP surface: the token checked, health, readiness and metrics; a
// plan above --max-removals is not applied, and counted.
func TestServeGuardsAndHealth(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": serveYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.env["INVITATIONS_SCIM_TOKEN"] = serveToken
	srv := sh.startServe("--max-removals", "1")
	srv.waitApplied(0)

	// The token.
	for _, token := range []string{"", "wrong-token", serveToken + "x"} {
		c := &scimClient{t: t, token: token}
		status, body := c.do(http.MethodGet, srv.scim+"/Users", nil)
		assert.Equal(t, http.StatusUnauthorized, status, "token %q", token)
		assert.Equal(t, "401", body["status"], "a SCIM error: %v", body)
	}
	idp := &scimClient{t: t, token: serveToken}
	idp.must(http.StatusOK, http.MethodGet, srv.scim+"/Users", nil)

	// Health.
	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ok\n"} {
		resp, err := http.Get(srv.root() + path)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Equal(t, want, string(b), path)
	}

	// A joiner, then a leaver whose removals are above the limit.
	user := idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Users", scimUser(ada))
	userID, _ := user["id"].(string)
	idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Groups", scimGroup("Engineering", userID))
	srv.waitApplied(idp.writes)
	granted := sh.grantsOf(ada)
	from := len(sh.fakeRequests(0))
	idp.must(http.StatusNoContent, http.MethodDelete, srv.scim+"/Users/"+userID, nil)
	refused := srv.waitRun("refused", func(r serveRun) bool { return r.Generation >= idp.writes })
	assert.Equal(t, "refused_removals", refused.Outcome)
	assert.Contains(t, refused.Error, "more than 1 (--max-removals)")
	assert.Empty(t, sh.fakeWriteOps(from), "nothing sent")
	assert.Equal(t, granted, sh.grantsOf(ada))

	resp, err := http.Get(srv.root() + "/metrics")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	metrics := string(b)
	for _, want := range []string{
		`invitations_applies_total{outcome="refused_removals"} 1`,
		`invitations_applies_total{outcome="applied"} 2`,
		`invitations_scim_requests_total{method="GET",status="401"} 3`,
		`invitations_scim_requests_total{method="POST",status="201"} 2`,
		`invitations_scim_requests_total{method="DELETE",status="204"} 1`,
	} {
		assert.Contains(t, metrics, want+"\n")
	}
	assert.Regexp(t, `invitations_changes_total\{outcome="done"\} [1-9]`, metrics)
	assert.Regexp(t, `invitations_last_successful_apply_timestamp_seconds [1-9]`, metrics)
	assert.Contains(t, metrics, "invitations_scim_request_duration_seconds_bucket")

	code, _, stderr := srv.stop(sh)
	assert.Equal(t, 0, code, stderr)
}

// Two serve processes on one PostgreSQL state (INVITATIONS_TEST_POSTGRES):
// the identity provider's requests spread over both, each change is
// applied once, and the grants end right.
func TestServeTwoReplicasOnOnePostgresState(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	sh := newShell(t, map[string]string{"people.yaml": serveYAML})
	sh.withFake()
	sh.env["INVITATIONS_SCIM_TOKEN"] = serveToken
	state := postgresState(dsn, "serve-")
	sh.seedState("seed.json")
	sh.run(0, "state", "push", "seed.json", "-f", "people.yaml", "-state", state)
	before := map[string][]string{}
	for _, email := range []string{ada, bob, cy} {
		before[email] = sh.grantsOf(email, "-state", state)
	}
	orphans := sh.orphanIdentities(state)
	a := sh.startServe("-state", state, "--poll", "20ms")
	b := sh.startServe("-state", state, "--poll", "20ms")
	replicas := []*serveProcess{a, b}
	idp := &scimClient{t: t, token: serveToken}

	var users []string
	for i, name := range []string{ada, bob, cy} {
		u := idp.must(http.StatusCreated, http.MethodPost, replicas[i%2].scim+"/Users", scimUser(name))
		id, _ := u["id"].(string)
		users = append(users, id)
	}
	// Both replicas answer for every user, whichever took it.
	for _, r := range replicas {
		list := idp.must(http.StatusOK, http.MethodGet, r.scim+"/Users", nil)
		assert.EqualValues(t, 3, list["totalResults"])
	}
	group := idp.must(http.StatusCreated, http.MethodPost, b.scim+"/Groups", scimGroup("Engineering", users[0], users[1]))
	groupID, _ := group["id"].(string)
	idp.must(http.StatusOK, http.MethodPatch, a.scim+"/Groups/"+groupID, patch(map[string]any{
		"op": "add", "path": "members", "value": []map[string]string{{"value": users[2]}}}))
	idp.must(http.StatusOK, http.MethodPatch, b.scim+"/Users/"+users[1], patch(map[string]any{
		"op": "replace", "path": "active", "value": false}))

	// Each replica ends with a run at the last generation or later that
	// did what it asks, or found it done.
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(func() { r.waitApplied(idp.writes) })
	}
	wg.Wait()
	for _, r := range replicas {
		code, _, stderr := r.stop(sh)
		assert.Equal(t, 0, code, stderr)
	}

	lead := sh.grantsOf("user201@example.com", "-state", state)
	for _, g := range roleGrants {
		assert.Contains(t, lead, g)
	}
	for _, email := range []string{ada, cy} {
		assert.Equal(t, slices.Sorted(slices.Values(append(before[email], roleGrants...))), sh.grantsOf(email, "-state", state), email)
	}
	assert.Equal(t, []string{"box account  inactive"}, sh.grantsOf(bob, "-state", state), "deactivated: offboarded")

	// Every write once: no request sent twice with the same path and body
	// (a Freestyle identity's create has no body: those are counted).
	seen := map[string]int{}
	identities := 0
	for _, r := range sh.fakeRequests(0) {
		switch {
		case r.Method == http.MethodGet:
		case r.Operation == string(invitationstest.FreestyleCreateIdentity):
			identities++
		case r.Operation == string(invitationstest.FreestyleDeleteIdentity):
			identities--
		default:
			seen[r.Method+" "+r.Path+" "+r.Body]++
		}
	}
	for w, n := range seen {
		assert.Equal(t, 1, n, "sent %d times: %s", n, w)
	}
	assert.Equal(t, 3, identities, "one identity each for the lead, ada and cy")
	assert.Equal(t, orphans, sh.orphanIdentities(state), "no identity the state does not know")
}

// SIGTERM while a change is in flight (Box slow to answer): the change
// finishes, the state and the SCIM store are saved, the process exits 0;
// a serve started again on them has nothing to do.
func TestServeStopsAfterTheChangeInFlight(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": serveYAML})
	sh.withFake()
	sh.seedState("people.yaml.state.json")
	sh.env["INVITATIONS_SCIM_TOKEN"] = serveToken
	srv := sh.startServe()
	srv.waitApplied(0)
	idp := &scimClient{t: t, token: serveToken}

	sh.fault(`{"operation":"box.CreateGroupMembership","latency":"1s"}`)
	memberships := sh.fakeCount(invitationstest.BoxCreateGroupMembership)
	user := idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Users", scimUser(ada))
	userID, _ := user["id"].(string)
	idp.must(http.StatusCreated, http.MethodPost, srv.scim+"/Groups", scimGroup("Engineering", userID))
	require.Eventually(t, func() bool { return sh.fakeCount(invitationstest.BoxCreateGroupMembership) > memberships },
		time.Minute, 5*time.Millisecond, "the membership's create reached the fake")
	code, rest, stderr := srv.stop(sh)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "invitations: stopped\n", rest)
	assert.Regexp(t, `"msg":"scim: reconciled","outcome":"applied","generation":2,`, stderr, "the run finished")
	assert.Contains(t, sh.grantsOf(ada), "box group 119721 member")

	again := sh.startServe()
	run := again.waitRun("at start", func(serveRun) bool { return true })
	assert.Equal(t, serveRun{Msg: "scim: reconciled", Outcome: "nothing_to_do", Generation: 2}, run, "the state and the SCIM store were saved")
	code, _, stderr = again.stop(sh)
	assert.Equal(t, 0, code, stderr)
}
