package access_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// A state written before connectors kept their own parts (identities,
// known identity sets and the doubts' known identities at the top level)
// loads with all of it in Freestyle's part and the doubts' notes.
func TestOldStateFileLoadsIntoFreestylesPart(t *testing.T) {
	t.Parallel()
	old, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, old, 0o600))

	snap, err := access.NewFileStore(path).Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, uint64(12), snap.Serial)
	assert.Equal(t, map[string]string{"ada@example.com": "ident-ada", "grace@example.com": "ident-grace"}, access.FreestyleIdentities(snap))
	assert.Equal(t, map[string][]string{"set-1": {"ident-ada", "ident-grace"}}, access.FreestyleKnownIdentitySets(snap))
	require.Len(t, snap.InDoubt, 2)
	note := func(key string) access.FreestyleDoubtNote {
		var n access.FreestyleDoubtNote
		require.NoError(t, json.Unmarshal(snap.InDoubt[key].Note, &n))
		return n
	}
	assert.Equal(t, access.FreestyleDoubtNote{KnownIdentitySet: "set-1"}, note("freestyle|identity||linus@example.com"))
	assert.Equal(t, access.FreestyleDoubtNote{KnownIdentities: []string{"ident-ada"}}, note("freestyle|identity||ken@example.com"))

	// Saved again, it is in the new shape only, and loads the same.
	require.NoError(t, access.NewFileStore(path).Save(t.Context(), snap))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &top))
	assert.NotContains(t, top, "identities")
	assert.NotContains(t, top, "known_identity_sets")
	assert.Contains(t, top, "vendors")
	again, err := access.NewFileStore(path).Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, snap, again)
}

// A delta an older version journalled (a run killed mid-apply) applies to
// Freestyle's part: a mapping set, one removed, a known set added.
func TestOldDeltaAppliesToFreestylesPart(t *testing.T) {
	t.Parallel()
	var d access.Delta
	require.NoError(t, json.Unmarshal([]byte(`{"serial":13,"identities":{"new@example.com":"ident-new","ada@example.com":null},"known_identity_sets":{"set-2":["x"]}}`), &d))
	snap := access.NewSnapshot()
	access.SetFreestyleIdentity(snap, "ada@example.com", "ident-ada")
	d.ApplyTo(snap)
	assert.Equal(t, uint64(13), snap.Serial)
	assert.Equal(t, map[string]string{"new@example.com": "ident-new"}, access.FreestyleIdentities(snap))
	assert.Equal(t, map[string][]string{"set-2": {"x"}}, access.FreestyleKnownIdentitySets(snap))
}

// A connector's entries round-trip whatever space the store kept them
// with, and SetEntry with nil deletes.
func TestSnapshotEntries(t *testing.T) {
	t.Parallel()
	snap, err := access.DecodeSnapshot([]byte(`{"vendors": {"acme": {"team/a": [ "x",  "y" ]}}}`))
	require.NoError(t, err)
	v, ok := snap.Entry("acme", "team/a")
	require.True(t, ok)
	assert.JSONEq(t, `["x","y"]`, string(v))
	assert.Equal(t, `["x","y"]`, string(v), "compacted")
	snap.SetEntry(invitations.API("acme"), "team/a", nil)
	_, ok = snap.Entry("acme", "team/a")
	assert.False(t, ok)
	assert.Empty(t, snap.Vendors, "an empty part is dropped")
}
