package access

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// OnResult sees every change's result as it ends, after the state records
// it, and the same results Apply returns.
func TestApplyWithOnResultStreamsOutcomes(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	store := NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	m, err := New(c, store, WithVendors(invitations.Box, invitations.GitGuardian))
	require.NoError(t, err)
	people := []Person{
		{Email: "user201@example.com", Box: []BoxMembership{{GroupName: "Engineering", Role: models.GroupMembershipRoleMember}}},
		{Email: "user150@example.com", Absent: true},
	}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Changes)

	var seen []Result
	recorded := 0
	results, err := m.ApplyWith(t.Context(), plan, ApplyOptions{OnResult: func(r Result) {
		seen = append(seen, r)
		snap, err := store.Load(t.Context())
		require.NoError(t, err)
		_, created := snap.Created[r.Change.Key()]
		_, removed := snap.Removed[r.Change.Key()]
		if created || removed {
			recorded++
		}
	}})
	require.NoError(t, err)
	assert.Len(t, seen, len(plan.Changes))
	assert.ElementsMatch(t, results, seen)
	// The state records creates and removals (an update, such as the
	// absent person's Box account deactivated, leaves no entry).
	writes := 0
	for _, ch := range plan.Changes {
		if ch.Action != Update {
			writes++
		}
	}
	assert.Equal(t, writes, recorded, "each outcome is in the state when OnResult sees it")
}

// A change in doubt is kept in the state with ids only: the names a plan
// shows beside them are not saved.
func TestInDoubtChangeKeepsNoScopeName(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	store := NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	m, err := New(c, store, WithVendors(invitations.Box))
	require.NoError(t, err)
	plan, err := m.Plan(t.Context(), []Person{{Email: "user201@example.com", Box: []BoxMembership{{GroupName: "Engineering"}}}}, PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, "Engineering", plan.Changes[0].Grant.ScopeName, "the plan names the group")

	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 502, RetryAfter: "0"})
	var outcomes []Outcome
	_, err = m.ApplyWith(t.Context(), plan, ApplyOptions{OnResult: func(r Result) { outcomes = append(outcomes, r.Outcome) }})
	require.NoError(t, err)
	assert.Equal(t, []Outcome{InDoubt}, outcomes)
	snap, err := store.Load(t.Context())
	require.NoError(t, err)
	require.Len(t, snap.InDoubt, 1)
	for _, d := range snap.InDoubt {
		assert.Empty(t, d.Change.Grant.ScopeName)
		assert.Equal(t, "119721", d.Change.Grant.Scope)
	}
	assert.True(t, slices.ContainsFunc(plan.Changes, func(c Change) bool { return c.Grant.ScopeName == "Engineering" }), "the plan itself is left as it was")
}
