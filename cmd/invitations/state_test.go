package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/access/pgstate"
	"github.com/invitesdk/invitations/invitationstest"
)

// stateYAML gives two people a Freestyle identity each (nothing else on
// Freestyle, so that no fake data is needed) and Ada a GitGuardian seat.
const stateYAML = `people:
  - email: ada@example.com
    freestyle: {}
    gitguardian: {access_level: member}
  - email: bob@example.com
    freestyle: {}
`

// withEmptyFake starts "invitations fake -demo=false" and points the
// shell at it: its only identities are those the test's applies create.
func (sh *shell) withEmptyFake() {
	sh.t.Helper()
	c := startFake(sh.t, "-addr", "127.0.0.1:0", "-demo=false")
	sh.env["INVITATIONS_FAKE_URL"] = c.root
}

// read returns the content of the shell's file name.
func (sh *shell) read(name string) string {
	sh.t.Helper()
	data, err := os.ReadFile(filepath.Join(sh.dir, name))
	require.NoError(sh.t, err)
	return string(data)
}

// snapshot reads the shell's state file name.
func (sh *shell) snapshot(name string) *access.Snapshot {
	sh.t.Helper()
	snap, err := access.DecodeSnapshot([]byte(sh.read(name)))
	require.NoError(sh.t, err)
	return snap
}

// identityOf is the Freestyle identity the state maps email to, as
// "state show -o json" says.
func (sh *shell) identityOf(email string, args ...string) string {
	sh.t.Helper()
	out := sh.run(0, append([]string{"state", "show", "identity/" + email, "-o", "json"}, args...)...)
	var entry struct {
		Address string `json:"address"`
		Value   string `json:"value"`
	}
	require.NoError(sh.t, json.Unmarshal([]byte(out.stdout), &entry), out.stdout)
	require.Equal(sh.t, "identity/"+email, entry.Address)
	require.NotEmpty(sh.t, entry.Value)
	return entry.Value
}

// list, show, rm and import, on the state two applies made: an identity
// removed from the state makes the plan create another; imported back,
// the plan has nothing to do.
func TestStateListShowRmImport(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": stateYAML})
	sh.withEmptyFake()

	out := sh.run(1, "state", "list", "-f", "people.yaml")
	assert.Equal(t, "Error: no state in people.yaml.state.json: nothing was saved there yet (-state names the state; -f FILE means FILE.state.json)\n", out.stderr)
	assert.Empty(t, out.stdout)

	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	out = sh.run(0, "state", "list", "-f", "people.yaml")
	assert.Equal(t, `created/freestyle|identity||ada@example.com
created/freestyle|identity||bob@example.com
created/gitguardian|workspace||ada@example.com
identity/ada@example.com
identity/bob@example.com
`, out.stdout)
	assert.Empty(t, out.stderr, "reads the state only: no request, no fake named")
	assert.Equal(t, "identity/ada@example.com\nidentity/bob@example.com\n", sh.run(0, "state", "list", "identity/", "-f", "people.yaml").stdout)
	out = sh.run(0, "state", "list", "-o", "json", "--state", "people.yaml.state.json", "created/gitguardian|")
	assert.JSONEq(t, `["created/gitguardian|workspace||ada@example.com"]`, out.stdout)

	ada, bob := sh.identityOf("ada@example.com", "-f", "people.yaml"), sh.identityOf("bob@example.com", "-f", "people.yaml")
	assert.NotEqual(t, ada, bob)
	out = sh.run(0, "state", "show", "identity/Ada@Example.com", "-f", "people.yaml")
	assert.Equal(t, "address     = identity/ada@example.com\nemail       = ada@example.com\nidentity_id = "+ada+"\n", out.stdout)
	out = sh.run(0, "state", "show", "created/gitguardian|workspace||ada@example.com", "-f", "people.yaml")
	matches(t, out.stdout, `\Aaddress = created/gitguardian\|workspace\|\|ada@example\.com
vendor  = gitguardian
kind    = workspace
email   = ada@example\.com
created = \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ
\z`)
	assert.Equal(t, "Error: no identity/zed@example.com in the state (see invitations state list)\n", sh.run(1, "state", "show", "identity/zed@example.com", "-f", "people.yaml").stderr)
	assert.Contains(t, sh.run(1, "state", "show", "ada@example.com", "-f", "people.yaml").stderr, `"ada@example.com" is not a state address: want identity/EMAIL, created/KEY, in-doubt/KEY, removed/KEY or known-identity-set/ID`)
	assert.Contains(t, sh.run(1, "state", "show", "identity/ada@example.com", "-o", "yaml", "-f", "people.yaml").stderr, `-o "yaml": must be text or json`)

	// rm: every address or none.
	before := sh.read("people.yaml.state.json")
	out = sh.run(1, "state", "rm", "identity/ada@example.com", "identity/zed@example.com", "-f", "people.yaml")
	assert.Equal(t, "Error: not in the state: identity/zed@example.com (see invitations state list); nothing removed\n", out.stderr)
	assert.Equal(t, before, sh.read("people.yaml.state.json"))
	serial := sh.snapshot("people.yaml.state.json").Serial
	out = sh.run(0, "state", "rm", "identity/ada@example.com", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Removed identity/ada@example.com\nSuccessfully removed 1 entry; the state is at serial %d.\n", serial+1), out.stdout)
	after := sh.snapshot("people.yaml.state.json")
	assert.Equal(t, serial+1, after.Serial)
	assert.NotContains(t, access.FreestyleIdentities(after), "ada@example.com")
	assert.Contains(t, access.FreestyleIdentities(after), "bob@example.com")
	assert.NotContains(t, sh.run(0, "state", "list", "-f", "people.yaml").stdout, "identity/ada@example.com")
	// Forgotten: the identity is nobody's now, and the plan would make Ada
	// another one.
	out = sh.run(2, "plan", "-f", "people.yaml")
	assert.Contains(t, out.stdout, "+ freestyle   ada@example.com  identity\n")

	// import: refused when the identity is someone else's, or does not
	// exist; then Ada's own, back.
	requests := sh.fakeCount("")
	out = sh.run(1, "state", "import", "freestyle", "ada@example.com", bob, "-f", "people.yaml")
	assert.Equal(t, "Error: identity "+bob+" is bob@example.com's in the state (identity/bob@example.com): an identity is one person's; state rm identity/bob@example.com first if it is not theirs\n", out.stderr)
	assert.Equal(t, requests, sh.fakeCount(""), "refused from the state, before any request")
	out = sh.run(1, "state", "import", "freestyle", "ada@example.com", "00000000-0000-4000-8000-000000000000", "-f", "people.yaml")
	assert.Contains(t, out.stderr, "Error: no Freestyle identity 00000000-0000-4000-8000-000000000000: nothing imported\n")
	assert.Contains(t, sh.run(1, "state", "import", "gitguardian", "ada@example.com", ada, "-f", "people.yaml").stderr,
		`state import "gitguardian": only freestyle identities are imported`)
	assert.Contains(t, sh.run(1, "state", "import", "freestyle", "ada", ada, "-f", "people.yaml").stderr, `"ada" is not an email address`)
	assert.Equal(t, after, sh.snapshot("people.yaml.state.json"), "nothing imported")

	out = sh.run(0, "state", "import", "freestyle", "Ada@example.com", ada, "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Import successful: identity/ada@example.com is Freestyle identity %s; the state is at serial %d.\n", ada, serial+2), out.stdout)
	assert.Equal(t, ada, access.FreestyleIdentities(sh.snapshot("people.yaml.state.json"))["ada@example.com"])
	out = sh.run(1, "state", "import", "freestyle", "ada@example.com", ada, "-f", "people.yaml")
	assert.Equal(t, "Error: identity/ada@example.com is in the state already: Freestyle identity "+ada+"; to map it to another, state rm identity/ada@example.com first\n", out.stderr)
	assert.Equal(t, "No changes.\n", sh.run(0, "plan", "-f", "people.yaml").stdout)

	// Without a fake or Freestyle's credentials, nothing to look the
	// identity up on.
	delete(sh.env, "INVITATIONS_FAKE_URL")
	out = sh.run(1, "state", "import", "freestyle", "cid@example.com", ada, "-f", "people.yaml")
	assert.Equal(t, "Error: state import: FREESTYLE_API_KEY is not set in the environment: the identity must be looked up on Freestyle (or on a running fake: INVITATIONS_FAKE_URL)\n", out.stderr)
}

// An identity Freestyle manages cannot be anyone's.
func TestStateImportRefusesAManagedIdentity(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	sh.withFake()
	out := sh.run(1, "state", "import", "freestyle", "ada@example.com", invitationstest.FreestyleDemoManagedIdentityID)
	assert.Contains(t, out.stderr, "Error: identity "+invitationstest.FreestyleDemoManagedIdentityID+" is managed by Freestyle: it cannot be anyone's; nothing imported\n")
	assert.False(t, sh.exists("invitations-state.json"), "nothing saved")
	// The demo identity can be, into a state of its own: the first save
	// gives it serial 1 and a lineage.
	out = sh.run(0, "state", "import", "freestyle", "ada@example.com", invitationstest.FreestyleDemoIdentityID)
	assert.Equal(t, "Import successful: identity/ada@example.com is Freestyle identity "+invitationstest.FreestyleDemoIdentityID+"; the state is at serial 1.\n", out.stdout)
	snap := sh.snapshot("invitations-state.json")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, snap.Lineage)
}

// pull writes the state as its file holds it; push refuses another
// lineage and a serial not higher than the state's, unless -force.
func TestStatePullPush(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": stateYAML})
	sh.withEmptyFake()
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	const state = "people.yaml.state.json"

	pulled := sh.run(0, "state", "pull", "-f", "people.yaml")
	assert.Equal(t, sh.read(state), pulled.stdout)
	assert.Empty(t, pulled.stderr)
	current, err := access.DecodeSnapshot([]byte(pulled.stdout))
	require.NoError(t, err)
	require.NotZero(t, current.Serial)
	require.NotEmpty(t, current.Lineage)
	write := func(name string, edit func(s *access.Snapshot)) {
		t.Helper()
		s, err := access.DecodeSnapshot([]byte(pulled.stdout))
		require.NoError(t, err)
		edit(s)
		data, err := access.EncodeSnapshot(s)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(sh.dir, name), data, 0o600))
	}
	write("same.json", func(*access.Snapshot) {})
	write("next.json", func(s *access.Snapshot) { s.Serial++; access.SetFreestyleIdentity(s, "cid@example.com", "ident-cid") })
	write("other.json", func(s *access.Snapshot) { s.Serial += 10; s.Lineage = "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30" })

	out := sh.run(1, "state", "push", "same.json", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Error: cannot push: serial not higher: same.json has serial %d, the state in people.yaml.state.json is at serial %d: it is this version of the state, or an edit of it that kept its serial (raise the serial of an edited state, or give -force to replace it anyway)\n", current.Serial, current.Serial), out.stderr)
	out = sh.run(1, "state", "push", "other.json", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Error: cannot push: lineage differs: other.json has lineage \"0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30\", the state in people.yaml.state.json has %q: it is another state, not a version of this one (give -force to replace it anyway)\n", current.Lineage), out.stderr)
	assert.Equal(t, pulled.stdout, sh.read(state), "refused: the state is as it was")

	out = sh.run(0, "state", "push", "next.json", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Pushed next.json; the state is at serial %d, lineage %s.\n", current.Serial+1, current.Lineage), out.stdout)
	assert.Equal(t, sh.read("next.json"), sh.read(state), "next.json's snapshot, serial and all")

	out = sh.run(1, "state", "push", "same.json", "-f", "people.yaml")
	assert.Contains(t, out.stderr, fmt.Sprintf("Error: cannot push: serial lower: same.json has serial %d, the state in people.yaml.state.json is at serial %d: it is older than the state", current.Serial, current.Serial+1))
	out = sh.run(0, "state", "push", "-force", "same.json", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Pushed same.json; the state is at serial %d, lineage %s.\n", current.Serial+2, current.Lineage), out.stdout, "forced: a serial never comes back")
	got := sh.snapshot(state)
	assert.NotContains(t, access.FreestyleIdentities(got), "cid@example.com")
	assert.Equal(t, access.FreestyleIdentities(current), access.FreestyleIdentities(got))

	out = sh.run(0, "state", "push", "--force", "other.json", "-f", "people.yaml")
	assert.Equal(t, fmt.Sprintf("Pushed other.json; the state is at serial %d, lineage 0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30.\n", current.Serial+10), out.stdout)

	// A state never saved takes any snapshot; pull says it is empty.
	out = sh.run(0, "state", "pull", "-state", "fresh.json")
	assert.Equal(t, "Warning: no state in fresh.json: nothing was saved there yet.\n", out.stderr)
	assert.Equal(t, uint64(0), mustDecode(t, out.stdout).Serial)
	assert.False(t, sh.exists("fresh.json"), "pull writes nothing")
	out = sh.run(0, "state", "push", "other.json", "-state", "fresh.json")
	assert.Contains(t, out.stdout, "the state is at serial "+strconv.FormatUint(current.Serial+10, 10))

	require.NoError(t, os.WriteFile(filepath.Join(sh.dir, "bad.json"), []byte("{\n  \"serial\": x\n}\n"), 0o600))
	out = sh.run(1, "state", "push", "bad.json", "-f", "people.yaml")
	assert.Equal(t, "Error: bad.json: line 2, column 13 (byte 15): invalid character 'x' looking for beginning of value\n", out.stderr)
}

func mustDecode(t *testing.T, s string) *access.Snapshot {
	t.Helper()
	snap, err := access.DecodeSnapshot([]byte(s))
	require.NoError(t, err)
	return snap
}

// The commands that write take the state's lock first: held by an apply
// (here this test), they are refused at once, naming the holder, having
// changed nothing and sent nothing; -lock-timeout waits for it.
func TestStateWritesTakeTheLock(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{"people.yaml": stateYAML})
	sh.withEmptyFake()
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	ada := sh.identityOf("ada@example.com", "-f", "people.yaml")
	sh.run(0, "state", "rm", "identity/ada@example.com", "-f", "people.yaml")
	pulled := sh.run(0, "state", "pull", "-f", "people.yaml").stdout
	require.NoError(t, os.WriteFile(filepath.Join(sh.dir, "next.json"), []byte(strings.Replace(pulled, `"serial": `, `"serial": 1`, 1)), 0o600))

	store := access.NewFileStore(filepath.Join(sh.dir, "people.yaml.state.json"))
	unlock, err := store.Lock(context.Background())
	require.NoError(t, err)
	held := fmt.Sprintf("Error: access: state is locked by another apply: people.yaml.state.json.lock is held by pid %d on ", os.Getpid())
	requests := sh.fakeCount("")
	for _, args := range [][]string{
		{"state", "rm", "identity/bob@example.com", "-f", "people.yaml"},
		{"state", "import", "freestyle", "ada@example.com", ada, "-f", "people.yaml"},
		{"state", "push", "next.json", "-f", "people.yaml"},
	} {
		start := time.Now()
		out := sh.run(1, args...)
		assert.True(t, strings.HasPrefix(out.stderr, held), "%q: %s", args, out.stderr)
		assert.Contains(t, out.stderr, ": wait for the other apply to end, or give -lock-timeout to wait for it\n", args)
		assert.Empty(t, out.stdout, args)
		assert.Less(t, time.Since(start), 10*time.Second, "%q: refused at once", args)
	}
	assert.Equal(t, requests, sh.fakeCount(""), "nothing sent")
	assert.Equal(t, pulled, sh.read("people.yaml.state.json"), "nothing changed")
	// Reads do not wait for the lock.
	sh.run(0, "state", "list", "-f", "people.yaml")

	// -lock-timeout waits for the holder to end.
	go func() {
		time.Sleep(500 * time.Millisecond)
		_ = unlock()
	}()
	out := sh.run(0, "state", "rm", "identity/bob@example.com", "-lock-timeout", "30s", "-f", "people.yaml")
	assert.Contains(t, out.stdout, "Removed identity/bob@example.com\n")
}

// The state file's previous version is kept beside it, in .backup: after
// two applies, the state the first one left; after a state rm, the state
// before it.
func TestStateFileBackup(t *testing.T) {
	t.Parallel()
	sh := newShell(t, map[string]string{
		"people.yaml": "people:\n  - email: ada@example.com\n    freestyle: {}\n",
	})
	sh.withEmptyFake()
	const state, backup = "people.yaml.state.json", "people.yaml.state.json.backup"
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml")
	assert.False(t, sh.exists(backup), "no version before the first")
	first := sh.read(state)

	require.NoError(t, os.WriteFile(filepath.Join(sh.dir, "people.yaml"), []byte(stateYAML), 0o600))
	matches(t, sh.run(0, "apply", "-auto-approve", "-f", "people.yaml").stdout, `^Apply: 2 done, `)
	second := sh.read(state)
	assert.NotEqual(t, first, second)
	assert.Equal(t, first, sh.read(backup), "the state the first apply left")
	fi, err := os.Stat(filepath.Join(sh.dir, backup))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "as private as the state")

	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml") // nothing to do: nothing saved
	assert.Equal(t, first, sh.read(backup))

	sh.run(0, "state", "rm", "identity/bob@example.com", "-f", "people.yaml")
	assert.Equal(t, second, sh.read(backup), "the state before the rm")

	// Going back one version: push the backup.
	out := sh.run(0, "state", "push", "-force", backup, "-f", "people.yaml")
	assert.Contains(t, out.stdout, "Pushed "+backup+";")
	assert.Contains(t, access.FreestyleIdentities(sh.snapshot(state)), "bob@example.com")
}

// In-doubt entries and known identity sets, in a state written by hand:
// show describes them; a set an in-doubt entry names goes only with it.
// Text from the state is printed escaped.
func TestStateInDoubtAndKnownIdentitySets(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 12, 6, 9, 12, 0, 0, time.UTC)
	snap := access.NewSnapshot()
	snap.Serial, snap.Lineage = 4, "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30"
	ident := access.Change{Action: access.Create, Email: "ada@example.com", Grant: access.Grant{Vendor: invitations.Freestyle, Kind: access.KindIdentity},
		Reason: "ada@example.com should have freestyle identity"}
	box := access.Change{Action: access.Create, Email: "ada@example.com", Grant: access.Grant{Vendor: invitations.Box, Kind: access.KindGroup, Scope: "119721", Level: "member"},
		Reason: "ada@example.com should have box group 119721 (member)"}
	snap.InDoubt[ident.Key()] = access.DoubtfulChange{Change: ident, Since: since, Note: json.RawMessage(`{"known_identity_set":"set-1"}`)}
	snap.InDoubt[box.Key()] = access.DoubtfulChange{Change: box, Since: since}
	access.SetFreestyleKnownIdentitySet(snap, "set-1", []string{"ident-a", "ident-b"})
	snap.Removed["bimdata|idp-invitation|\x1b[2J|zed@example.com"] = since
	data, err := access.EncodeSnapshot(snap)
	require.NoError(t, err)
	sh := newShell(t, map[string]string{"state.json": string(data)})

	out := sh.run(0, "state", "list", "-state", "state.json")
	assert.Equal(t, `in-doubt/box|group|119721|ada@example.com
in-doubt/freestyle|identity||ada@example.com
known-identity-set/set-1
removed/bimdata|idp-invitation|\x1b[2J|zed@example.com
`, out.stdout)
	assert.NotContains(t, out.stdout, "\x1b")
	out = sh.run(0, "state", "show", "in-doubt/box|group|119721|ada@example.com", "-state", "state.json")
	assert.Equal(t, `address = in-doubt/box|group|119721|ada@example.com
vendor  = box
kind    = group
scope   = 119721
email   = ada@example.com
action  = create
level   = member
reason  = ada@example.com should have box group 119721 (member)
since   = 2026-12-06T09:12:00Z
`, out.stdout)
	out = sh.run(0, "state", "show", "known-identity-set/set-1", "-state", "state.json")
	assert.Equal(t, `address    = known-identity-set/set-1
identities = ident-a, ident-b
used_by    = in-doubt/freestyle|identity||ada@example.com
`, out.stdout)
	out = sh.run(0, "state", "show", "in-doubt/freestyle|identity||ada@example.com", "-o", "json", "-state", "state.json")
	var entry struct {
		Address string
		Value   access.DoubtfulChange
	}
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &entry))
	assert.Equal(t, snap.InDoubt[ident.Key()], entry.Value)

	out = sh.run(1, "state", "rm", "known-identity-set/set-1", "-state", "state.json")
	assert.Equal(t, "Error: known-identity-set/set-1 is named by in-doubt/freestyle|identity||ada@example.com, which settles by it: remove both, or neither; nothing removed\n", out.stderr)
	assert.Equal(t, string(data), sh.read("state.json"))
	out = sh.run(0, "state", "rm", "known-identity-set/set-1", "in-doubt/freestyle|identity||ada@example.com", "-state", "state.json")
	assert.Equal(t, "Removed known-identity-set/set-1\nRemoved in-doubt/freestyle|identity||ada@example.com\nSuccessfully removed 2 entries; the state is at serial 5.\n", out.stdout)
	got := sh.snapshot("state.json")
	assert.Empty(t, access.FreestyleKnownIdentitySets(got))
	assert.Len(t, got.InDoubt, 1)
	assert.Equal(t, snap.Lineage, got.Lineage, "the lineage is kept")
}

// The state commands on a PostgreSQL state: the same addresses, and the
// versions before each save kept in the history table.
func TestStateInPostgres(t *testing.T) {
	t.Parallel()
	dsn := postgresDSN(t)
	sh := newShell(t, map[string]string{"people.yaml": stateYAML})
	sh.withEmptyFake()
	name := "cli-state-test-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	state := dsn + sep(dsn) + "state_name=" + name
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		for _, table := range []string{pgstate.Table, pgstate.ChangesTable, pgstate.HistoryTable} {
			_, _ = c.Exec(context.Background(), `DELETE FROM `+table+` WHERE name = $1`, name)
		}
	})
	assert.Contains(t, sh.run(1, "state", "list", "-state", state).stderr, fmt.Sprintf("Error: no state in PostgreSQL state_name %q: nothing was saved there yet", name))
	sh.run(0, "apply", "-auto-approve", "-f", "people.yaml", "-state", state)
	applied := sh.run(0, "state", "pull", "-state", state).stdout
	assert.Contains(t, sh.run(0, "state", "list", "-state", state).stdout, "identity/ada@example.com\nidentity/bob@example.com\n")
	out := sh.run(0, "state", "rm", "identity/bob@example.com", "-state", state)
	assert.Contains(t, out.stdout, "Successfully removed 1 entry; the state is at serial ")
	assert.NotContains(t, out.stdout+out.stderr, "invitations_test:", "the connection string is never echoed")
	assert.NotContains(t, sh.run(0, "state", "list", "-state", state).stdout, "identity/bob@example.com")

	c, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	defer c.Close(context.Background())
	var last []byte
	require.NoError(t, c.QueryRow(context.Background(),
		`SELECT snapshot FROM `+pgstate.HistoryTable+` WHERE name = $1 ORDER BY id DESC LIMIT 1`, name).Scan(&last))
	assert.Equal(t, mustDecode(t, applied), mustDecode(t, string(last)), "the version before the rm")
}

// Every state command has help with examples; those that write take
// -lock-timeout.
func TestStateHelp(t *testing.T) {
	t.Parallel()
	sh := newShell(t, nil)
	out := sh.run(0, "-h")
	matches(t, out.stdout, `^  state +Inspect and repair the state$`)
	for cmd, example := range map[string]string{
		"state":  "invitations state list -f people.yaml",
		"list":   "invitations state list -f people.yaml",
		"show":   "invitations state show identity/ada@example.com -f people.yaml",
		"rm":     "invitations state rm identity/ada@example.com -f people.yaml",
		"import": "invitations state import freestyle ada@example.com ",
		"pull":   "invitations state pull -f people.yaml > state.json",
		"push":   "invitations state pull -f people.yaml > state.json",
	} {
		args := []string{"state", cmd, "-h"}
		if cmd == "state" {
			args = args[1:]
		}
		out := sh.run(0, args...)
		assert.Contains(t, out.stdout, "Examples:\n  "+example, cmd)
		assert.Contains(t, out.stdout, "--timeout", cmd)
		assert.Contains(t, out.stdout, "--state", cmd)
		assert.Equal(t, cmd == "rm" || cmd == "import" || cmd == "push", strings.Contains(out.stdout, "--lock-timeout"), cmd)
		assert.Empty(t, out.stderr, cmd)
	}
	assert.Contains(t, sh.run(0, "state").stdout, "identity/EMAIL")
	assert.Contains(t, sh.run(1, "state", "rm").stderr, "requires at least 1 arg(s), only received 0")
	assert.Regexp(t, regexp.MustCompile(`accepts 3 arg\(s\), received 2`), sh.run(1, "state", "import", "freestyle", "ada@example.com").stderr)
}
