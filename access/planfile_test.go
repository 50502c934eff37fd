package access_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// roundTrip writes plan as JSON and reads it back, as a saved plan is.
func roundTrip(t *testing.T, plan *access.Plan) *access.Plan {
	t.Helper()
	data, err := json.Marshal(plan)
	require.NoError(t, err)
	var back access.Plan
	require.NoError(t, json.Unmarshal(data, &back))
	return &back
}

// A plan read back applies as the one made: the same changes, all done,
// and nothing left to do.
func TestAPlanReadBackAppliesAsTheOneMade(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(3)
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Changes)
	back := roundTrip(t, plan)
	assert.Equal(t, plan.Changes, back.Changes)
	assert.Equal(t, plan.Coverage, back.Coverage)
	assert.Equal(t, plan.Serial, back.Serial)
	assert.Equal(t, plan.GrantsRead, back.GrantsRead)
	assert.Equal(t, plan.Targets, back.Targets)

	reads := e.srv.RequestCount(invitationstest.AnyOperation)
	results, err := e.manager.Apply(t.Context(), back)
	require.NoError(t, err)
	require.Len(t, results, len(plan.Changes))
	for i, r := range results {
		assert.Equal(t, plan.Changes[i], r.Change)
		assert.Contains(t, []access.Outcome{access.Done, access.AlreadyDone}, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	for _, r := range e.srv.Requests()[reads:] {
		assert.NotEqual(t, "GET", r.Method, "an apply sends the plan's writes only, no read: %s", r.Path)
	}
	again, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, again.Empty(), "%v", again.Changes)
}

// What a plan's reads settled (an identity created in doubt, found) is in
// the plan written, and recorded by the apply of the plan read back.
func TestAPlanReadBackRecordsWhatItsReadsSettled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := []access.Person{{Email: "user201@example.com", Freestyle: &access.FreestyleAccess{
		Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
	}}}
	// The identity create is written ahead, then its outcome never saved.
	broken, err := access.New(e.client, &failingStore{Store: e.store, failAt: 2}, access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err := broken.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	_, err = broken.Apply(t.Context(), plan)
	require.ErrorContains(t, err, "disk full")

	plan, err = e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Equal(t, 1, plan.Settled())
	back := roundTrip(t, plan)
	assert.Equal(t, 1, back.Settled())
	_, err = e.manager.Apply(t.Context(), back)
	require.NoError(t, err)

	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, snap.InDoubt, "the apply recorded the settlement")
	assert.NotEmpty(t, access.FreestyleIdentities(snap)["user201@example.com"], "and whose the identity is")
	again, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, again.Empty(), "%v", again.Changes)
}

// An identity create in doubt during the apply of a plan read back notes
// the identities the plan's read listed (the Freestyle connector's memo,
// written with the plan), nobody's included: the next plan settles the
// doubt by the one identity beside them.
func TestAPlanReadBackKeepsTheConnectorsMemo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// An identity nobody the state knows, which only the read lists.
	orphan, err := e.client.Identity.CreateIdentity(t.Context())
	require.NoError(t, err)
	people := []access.Person{{Email: "user201@example.com", Freestyle: &access.FreestyleAccess{
		Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
	}}}
	m, err := access.New(e.client, e.store, access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err := m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	data, err := json.Marshal(plan)
	require.NoError(t, err)
	assert.Contains(t, string(data), orphan.ID, "the memo lists the identities read")
	var back access.Plan
	require.NoError(t, json.Unmarshal(data, &back))

	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.FreestyleCreateIdentity, Truncate: true})
	results, err := m.Apply(t.Context(), &back)
	require.NoError(t, err)
	require.NotEmpty(t, results)
	require.Equal(t, access.InDoubt, results[0].Outcome, "%v", results[0].Err)

	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	sets := access.FreestyleKnownIdentitySets(snap)
	require.Len(t, sets, 1)
	for _, ids := range sets {
		assert.True(t, slices.Contains(ids, orphan.ID), "the doubt's note knows the identities the plan's read listed")
	}
	again, err := m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	_, err = m.Apply(t.Context(), again)
	require.NoError(t, err)
	snap, err = e.store.Load(t.Context())
	require.NoError(t, err)
	assert.NotEqual(t, orphan.ID, access.FreestyleIdentities(snap)["user201@example.com"], "the orphan is not taken for the identity made")
}

func TestAPlanOfAnotherFormatIsRefused(t *testing.T) {
	t.Parallel()
	for name, data := range map[string]string{
		"newer": `{"format_version": 2, "changes": []}`,
		"none":  `{"changes": []}`,
	} {
		var p access.Plan
		err := json.Unmarshal([]byte(data), &p)
		require.ErrorIs(t, err, access.ErrPlanFormat, name)
	}
	var p access.Plan
	err := json.Unmarshal([]byte(`{"format_version": 2}`), &p)
	assert.EqualError(t, err, "access: unknown plan format: format_version 2 (this version reads 1)")
}

// A targeted plan reads and changes only its vendors and people, and
// says so.
func TestATargetedPlanChangesOnlyItsTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(3)
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{Targets: access.Targets{
		Vendors: []invitations.API{invitations.Portworx, invitations.Box},
		Emails:  []string{"USER202@example.com"},
	}})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Changes)
	for _, c := range plan.Changes {
		assert.Equal(t, "user202@example.com", c.Email)
		assert.Contains(t, []invitations.API{invitations.Box, invitations.Portworx}, c.Grant.Vendor)
	}
	assert.Equal(t, access.Targets{Vendors: []invitations.API{invitations.Box, invitations.Portworx}, Emails: []string{"user202@example.com"}}, plan.Targets)
	assert.Equal(t, "vendor box; vendor portworx; email user202@example.com", plan.Targets.String())
	var covered []invitations.API
	for _, v := range plan.Coverage.Vendors {
		covered = append(covered, v.Vendor)
	}
	assert.Equal(t, []invitations.API{invitations.Box, invitations.Portworx}, covered)
	for _, r := range e.srv.Requests() {
		assert.False(t, strings.HasPrefix(string(r.Operation), "gitguardian.") || strings.HasPrefix(string(r.Operation), "freestyle."),
			"only the target vendors are read: %s", r.Operation)
	}
}

// A targeted plan with prune removes its targets' grants only.
func TestATargetedPlanNeverPrunesOutsideItsTargets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(2)
	for i := range people {
		people[i] = access.Person{Email: people[i].Email, Box: people[i].Box}
	}
	e.converge(t, people, 3)
	// Nobody wants the Engineering group now but one person still names
	// it with a role: the other's membership is for prune to remove.
	gone := slices.Clone(people)
	gone[0].Box = nil
	gone = append(gone, access.Person{Email: "user299@example.com", Box: []access.BoxMembership{{GroupName: "Engineering"}}})
	plan, err := e.manager.Plan(t.Context(), gone, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	require.True(t, slices.ContainsFunc(plan.Changes, func(c access.Change) bool { return c.Action == access.Remove && c.Email == gone[0].Email }),
		"untargeted, prune removes it: %v", plan.Changes)

	plan, err = e.manager.Plan(t.Context(), gone, access.PlanOptions{Prune: true, Targets: access.Targets{Emails: []string{gone[1].Email, "user299@example.com"}}})
	require.NoError(t, err)
	for _, c := range plan.Changes {
		assert.NotEqual(t, access.Remove, c.Action, "a targeted plan prunes nobody outside its targets: %s", c.Reason)
	}
}

// Targets outside the desired state or the Manager's scope are refused
// before any request.
func TestBadTargetsAreRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m, err := access.New(e.client, e.store, access.WithVendors(invitations.Box))
	require.NoError(t, err)
	_, err = m.Plan(t.Context(), team(1), access.PlanOptions{Targets: access.Targets{Emails: []string{"nobody@example.com"}}})
	assert.EqualError(t, err, "access: target email nobody@example.com: nobody in the desired state has it")
	_, err = m.Plan(t.Context(), team(1), access.PlanOptions{Targets: access.Targets{Vendors: []invitations.API{invitations.GitGuardian}}})
	assert.EqualError(t, err, `access: target vendor "gitguardian" is not in the Manager's scope`)
	assert.Zero(t, e.srv.RequestCount(invitationstest.AnyOperation))
}

// Check says, under the lock, what Apply would refuse: a plan made before
// another apply saved.
func TestCheckRefusesAStalePlan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(1)
	old, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	locked, err := e.manager.Lock(t.Context())
	require.NoError(t, err)
	defer func() { _ = locked.Unlock() }()
	require.NoError(t, locked.Check(t.Context(), old))
	_, err = locked.Apply(t.Context(), roundTrip(t, old))
	require.NoError(t, err)
	writes := e.writes.Load()
	require.ErrorIs(t, locked.Check(t.Context(), old), access.ErrStalePlan)
	_, err = locked.Apply(t.Context(), roundTrip(t, old))
	require.ErrorIs(t, err, access.ErrStalePlan)
	assert.Equal(t, writes, e.writes.Load(), "a stale plan sends nothing")
}
