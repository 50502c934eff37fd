package access

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/invitationstest"
)

// An identity create for a person the state already maps is never sent,
// whatever the plan says: a second identity would orphan the first with
// its grants. (A plan from the state under the lock never asks for one;
// this is the line held should it ever.)
func TestApplyNeverCreatesASecondIdentityForAMappedPerson(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	store := NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	snap := NewSnapshot()
	snap.Identities["ada@example.com"] = invitationstest.FreestyleDemoIdentityID
	snap.Serial, snap.Lineage = 3, "11111111-2222-4333-8444-555555555555"
	require.NoError(t, store.Save(t.Context(), snap))
	m, err := New(c, store, WithVendors(Freestyle))
	require.NoError(t, err)

	create := Change{Action: Create, Email: "ada@example.com", Grant: freestyleIdentityGrant(), Reason: "ada should have an identity"}
	results, err := m.Apply(t.Context(), &Plan{Changes: []Change{create}, Serial: snap.Serial, Lineage: snap.Lineage})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, Skipped, results[0].Outcome)
	assert.ErrorContains(t, results[0].Err, "the state maps ada@example.com to identity "+invitationstest.FreestyleDemoIdentityID+" already")
	assert.Zero(t, srv.RequestCount(invitationstest.FreestyleCreateIdentity), "nothing sent")
	after, err := store.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, after.InDoubt, "nothing left written ahead")
	assert.Equal(t, invitationstest.FreestyleDemoIdentityID, after.Identities["ada@example.com"])
}
