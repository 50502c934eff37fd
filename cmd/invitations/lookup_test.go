package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/invitationstest"
)

// withFakeHandler serves an in-process fake with opts, through wrap
// (which may rewrite or hold its answers), and points the shell at it.
// It returns the fake.
func (sh *shell) withFakeHandler(wrap func(http.Handler) http.Handler, opts ...fake.Option) *fake.Fake {
	sh.t.Helper()
	f := fake.NewFake(opts...)
	var h http.Handler = f
	if wrap != nil {
		h = wrap(f)
	}
	srv := httptest.NewServer(h)
	sh.t.Cleanup(srv.Close)
	sh.env["INVITATIONS_FAKE_URL"] = srv.URL
	return f
}

// The table, CSV and JSON of one lookup, and FILTER, exactly.
func TestLookupBoxGroupsInEachFormat(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	sh.withFake()

	out := sh.run(0, "lookup", "box-groups")
	assert.Equal(t, `ID      NAME         DESCRIPTION
57645   Contractors  External contractors
119720  Support      Support Group - as imported from Active Directory
119721  Engineering  -
3 rows.
`, out.stdout)

	out = sh.run(0, "lookup", "box-groups", "-o", "csv")
	assert.Equal(t, `id,name,description
57645,Contractors,External contractors
119720,Support,Support Group - as imported from Active Directory
119721,Engineering,
`, out.stdout)

	// FILTER: a substring of any value, whatever its case.
	out = sh.run(0, "lookup", "box-groups", "SUPPORT", "-o", "json")
	assert.Equal(t, `{"id":"119720","name":"Support","description":"Support Group - as imported from Active Directory"}`+"\n", out.stdout)
	out = sh.run(0, "lookup", "box-groups", "no such group")
	assert.Equal(t, "ID  NAME  DESCRIPTION\n0 rows.\n", out.stdout)
}

// jsonRows decodes lookup -o json.
func jsonRows(t *testing.T, s string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for line := range strings.Lines(s) {
		var row map[string]string
		require.NoError(t, json.Unmarshal([]byte(line), &row), line)
		out = append(out, row)
	}
	return out
}

// Every kind the connectors declare finds what the fake holds, with the
// columns it documents.
func TestLookupEveryKind(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	sh.withFake()
	sh.seedState("state.json")
	owners := invitationstest.NewFake(invitationstest.WithDemoData()).DemoFreestyleOwners()
	email := invitationstest.DemoPersonEmail
	require.NotEmpty(t, owners[email])

	for _, tc := range []struct {
		args []string
		want map[string]string
	}{
		{[]string{"gitguardian-members", email}, map[string]string{"id": strconv.FormatInt(fake.GitGuardianDemoMemberID, 10), "email": email, "name": "Demo User 1", "access_level": "member", "active": "true"}},
		{[]string{"box-users", email}, map[string]string{"id": fake.BoxDemoPersonUserID, "login": email, "name": "Demo User 1", "status": "active"}},
		// The email is the one the state maps the identity to.
		{[]string{"freestyle-identities", owners[email], "-state", "state.json"}, map[string]string{"id": owners[email], "email": email}},
		{[]string{"bimdata-invitations", "admin@example.com"}, map[string]string{"id": "124", "email": "admin@example.com", "status": "pending", "cloud": "Awesome Cloud", "cloud_role": "100", "project": "", "project_role": ""}},
	} {
		out := sh.run(0, append(append([]string{"lookup"}, tc.args...), "-o", "json")...)
		rows := jsonRows(t, out.stdout)
		require.Len(t, rows, 1, "lookup %v:\n%s", tc.args, out.stdout)
		assert.Equal(t, tc.want, rows[0], "lookup %v", tc.args)
	}

	// Without the state, the identity is nobody's.
	rows := jsonRows(t, sh.run(0, "lookup", "freestyle-identities", owners[email], "-o", "json").stdout)
	assert.Equal(t, []map[string]string{{"id": owners[email], "email": ""}}, rows)

	// Portworx lists per tenant: every invitation of the demo tenant.
	rows = jsonRows(t, sh.run(0, "lookup", "portworx-invitations", "--tenant", fake.PortworxDemoTenantID, "-o", "json").stdout)
	require.NotEmpty(t, rows)
	for _, r := range rows {
		assert.NotEmpty(t, r["uid"])
		assert.Contains(t, r["email"], "@")
		assert.Contains(t, []string{"pending", "member"}, r["state"])
	}
	// Another tenant has none of them.
	assert.Empty(t, sh.run(0, "lookup", "portworx-invitations", "-tenant", "no-such-tenant", "-o", "json").stdout)
}

// Bad input is refused before any request, naming what to give.
func TestLookupRefusesBadInputBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	sh.withFake()

	out := sh.run(1, "lookup", "box-group")
	assert.Equal(t, `Error: lookup "box-group": unknown kind; the kinds are gitguardian-members, box-groups, box-users, freestyle-identities, bimdata-invitations, portworx-invitations`+"\n", lastLine(out.stderr))
	out = sh.run(1, "lookup", "portworx-invitations")
	assert.Equal(t, "Error: lookup portworx-invitations needs --tenant: the Portworx tenant whose invitations to list\n", lastLine(out.stderr))
	out = sh.run(1, "lookup", "box-users", "--tenant", "t1")
	assert.Equal(t, "Error: --tenant: lookup box-users takes no --tenant\n", lastLine(out.stderr))
	out = sh.run(1, "lookup", "box-users", "-o", "yaml")
	assert.Equal(t, "Error: -o \"yaml\": must be table, csv or json\n", lastLine(out.stderr))
	assert.Equal(t, 0, sh.fakeCount(""))
}

// lastLine is the last line of s, with its newline.
func lastLine(s string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return strings.TrimSuffix(lines[len(lines)-1], "\n") + "\n"
}

// Rows are written as the pages arrive: the first page of members is on
// stdout while the fake still holds the second page's answer.
func TestLookupStreamsPageByPage(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	release := make(chan struct{})
	sh.withFakeHandler(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, fake.GitGuardianPrefix) && r.URL.Query().Get("cursor") != "" {
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			}
			h.ServeHTTP(w, r)
		})
	}, fake.WithDemoData(), fake.WithGeneratedMembers(150))

	// The command gives up after -timeout if it waits for the end to
	// write: the test then sees fewer than a page of rows and fails.
	cmd := sh.command("lookup", "gitguardian-members", "-o", "json", "-timeout", "20s")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	n := 0
	for n < 100 && lines.Scan() {
		n++
	}
	if n < 100 {
		close(release)
		_ = cmd.Wait() // stderr is complete once the command has ended
		t.Fatalf("%d rows before the second page was answered, not the first page's 100; stderr:\n%s", n, stderr.String())
	}
	close(release)
	for lines.Scan() {
		n++
	}
	err = cmd.Wait()
	require.NoError(t, err, stderr.String())
	assert.Equal(t, 45+150, n)
}
