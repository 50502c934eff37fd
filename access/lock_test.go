package access_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// A plan made before another apply saved is refused, naming both serials,
// and sends nothing; under the lock, a plan is never stale.
func TestApplyRefusesAPlanFromAnOlderState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(2)
	first, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	second, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.Zero(t, first.Serial, "a new state")
	assert.Empty(t, first.Lineage)

	_, err = e.manager.Apply(t.Context(), first)
	require.NoError(t, err)
	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Positive(t, snap.Serial, "every save counts")
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, snap.Lineage)

	writes := fakeWrites(e.srv)
	_, err = e.manager.Apply(t.Context(), second)
	require.ErrorIs(t, err, access.ErrStalePlan)
	assert.ErrorContains(t, err, "plan from serial 0, new state, state now at serial")
	assert.Equal(t, writes, fakeWrites(e.srv), "a stale plan sends nothing")

	// The lineage is kept by later saves.
	locked, err := e.manager.Lock(t.Context())
	require.NoError(t, err)
	plan, err := locked.Plan(t.Context(), append(people, access.Person{Email: "user250@example.com", Box: []access.BoxMembership{{GroupName: "Engineering"}}}), access.PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, snap.Serial, plan.Serial)
	assert.Equal(t, snap.Lineage, plan.Lineage)
	_, err = locked.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.NoError(t, locked.Unlock())
	after, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, snap.Lineage, after.Lineage)
	assert.Greater(t, after.Serial, snap.Serial)

	// Another state altogether (its lineage differs) is refused too.
	other := access.NewFileStore(filepath.Join(t.TempDir(), "other.json"))
	otherSnap := access.NewSnapshot()
	otherSnap.Serial, otherSnap.Lineage = after.Serial, "00000000-0000-4000-8000-000000000000"
	require.NoError(t, other.Save(t.Context(), otherSnap))
	m2, err := access.New(e.client, other)
	require.NoError(t, err)
	stale, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	_, err = m2.Apply(t.Context(), stale)
	require.ErrorIs(t, err, access.ErrStalePlan)
}

// While one run holds the lock, another Lock or Apply fails at once with
// ErrLocked, before any read; an unlocked Locked refuses to go on.
func TestLockedExcludesOtherRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	locked, err := e.manager.Lock(t.Context())
	require.NoError(t, err)
	before := len(e.srv.Requests())
	_, err = e.manager.Lock(t.Context())
	require.ErrorIs(t, err, access.ErrLocked)
	assert.ErrorContains(t, err, "held by pid")
	_, err = e.manager.Apply(t.Context(), &access.Plan{})
	require.ErrorIs(t, err, access.ErrLocked)
	assert.Equal(t, before, len(e.srv.Requests()), "a refused run reads nothing")

	require.NoError(t, locked.Unlock())
	require.NoError(t, locked.Unlock(), "twice is fine")
	_, err = locked.Plan(t.Context(), team(1), access.PlanOptions{})
	require.ErrorContains(t, err, "the state lock was released")
	_, err = locked.Apply(t.Context(), &access.Plan{})
	require.ErrorContains(t, err, "the state lock was released")
}

// countingStore counts Lock attempts and releases its hold on the lock
// after the first refused one, as another apply ending would.
type countingStore struct {
	access.Store
	attempts  atomic.Int64
	onRefused func()
}

func (s *countingStore) Lock(ctx context.Context) (func() error, error) {
	unlock, err := s.Store.Lock(ctx)
	if errors.Is(err, access.ErrLocked) && s.attempts.Add(1) == 1 {
		s.onRefused()
	}
	return unlock, err
}

// WithLockTimeout waits for the holder to end; without it (the default,
// 0) the lock is refused at once; a wait shorter than the hold fails
// naming the wait.
func TestLockTimeoutWaitsForTheHolder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	unlock, err := e.store.Lock(t.Context())
	require.NoError(t, err)
	cs := &countingStore{Store: e.store, onRefused: func() { require.NoError(t, unlock()) }}
	m, err := access.New(e.client, cs, access.WithLockTimeout(time.Minute))
	require.NoError(t, err)
	locked, err := m.Lock(t.Context())
	require.NoError(t, err, "the lock was taken once its holder let go")
	assert.Equal(t, int64(1), cs.attempts.Load(), "refused once, then taken")

	// Held now: a Manager with a short wait gives up and says so.
	short, err := access.New(e.client, e.store, access.WithLockTimeout(time.Millisecond))
	require.NoError(t, err)
	_, err = short.Lock(t.Context())
	require.ErrorIs(t, err, access.ErrLocked)
	assert.ErrorContains(t, err, "waited 1ms")
	// A cancelled wait ends with the context.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = m.Lock(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, locked.Unlock())

	_, err = access.New(e.client, e.store, access.WithLockTimeout(-time.Second))
	require.ErrorContains(t, err, "WithLockTimeout")
}

// A create that ended in doubt and happened is settled by the next plan's
// reads; an apply of that plan records it even though the plan is empty,
// so that prune later removes the grant this package made.
func TestAnEmptyPlanStillRecordsWhatItSettled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := []access.Person{{Email: "user202@example.com", Box: []access.BoxMembership{{GroupName: "Engineering"}}}}
	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Truncate: true})
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	results, err := e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, 1)
	require.Equal(t, access.InDoubt, results[0].Outcome)

	plan, err = e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.True(t, plan.Empty(), "the create happened")
	assert.Equal(t, 1, plan.Settled())
	writes := fakeWrites(e.srv)
	results, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Empty(t, results)
	assert.Equal(t, writes, fakeWrites(e.srv), "an empty plan sends nothing")
	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, snap.InDoubt, "the settlement was saved")
	require.Len(t, snap.Created, 1, "the grant is known as this package's")

	// Nobody wants it any more: prune removes it, as one of ours.
	plan, err = e.manager.Plan(t.Context(), []access.Person{{Email: "user203@example.com", Box: people[0].Box}}, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	var removes []string
	for _, c := range plan.Changes {
		if c.Action == access.Remove {
			removes = append(removes, c.Email)
		}
	}
	assert.Equal(t, []string{"user202@example.com"}, removes)

	// An empty plan that settles nothing writes nothing.
	settledSerial := snap.Serial
	plan, err = e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Zero(t, plan.Settled())
	_, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	snap, err = e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, settledSerial, snap.Serial)
}

// A state made for one desired state, planned for another: a warning,
// and a refusal when the plan would prune, unless allowed.
func TestAStateMadeForAnotherSourceIsNoticed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := []access.Person{{Email: "user201@example.com", GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember}}}
	first, err := access.New(e.client, e.store, access.WithSource("team-a.yaml"))
	require.NoError(t, err)
	plan, err := first.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Warnings)
	_, err = first.Apply(t.Context(), plan)
	require.NoError(t, err)
	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "team-a.yaml", snap.Source)

	other, err := access.New(e.client, e.store, access.WithSource("team-b.yaml"))
	require.NoError(t, err)
	plan, err = other.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{`the state was made for "team-a.yaml", not "team-b.yaml": is it the right state?`}, plan.Warnings)
	before := len(e.srv.Requests())
	_, err = other.Plan(t.Context(), people, access.PlanOptions{Prune: true})
	require.ErrorIs(t, err, access.ErrSourceMismatch)
	assert.Equal(t, before, len(e.srv.Requests()), "refused before any read")
	_, err = other.Plan(t.Context(), people, access.PlanOptions{Prune: true, AllowSourceMismatch: true})
	require.NoError(t, err)

	// The source a state was made for stays: the other apply keeps it.
	plan, err = other.Plan(t.Context(), append(people, access.Person{Email: "user202@example.com", Box: []access.BoxMembership{{GroupName: "Engineering"}}}), access.PlanOptions{})
	require.NoError(t, err)
	_, err = other.Apply(t.Context(), plan)
	require.NoError(t, err)
	snap, err = e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "team-a.yaml", snap.Source)
}

// deltaCounter is a FileStore that counts what an apply writes: deltas,
// and whole snapshots other than compactions.
type deltaCounter struct {
	*access.FileStore
	deltas, wholes atomic.Int64
	failDeltaAt    int64 // fail that SaveDelta (1-based), as a crash would
}

func (s *deltaCounter) SaveDelta(ctx context.Context, d *access.Delta) error {
	if n := s.deltas.Add(1); n == s.failDeltaAt {
		return errors.New("disk full")
	}
	return s.FileStore.SaveDelta(ctx, d)
}

func (s *deltaCounter) Save(ctx context.Context, snap *access.Snapshot) error {
	s.wholes.Add(1)
	return s.FileStore.Save(ctx, snap)
}

// An apply on a DeltaStore records each change as a delta, never the
// whole state, and folds them into the snapshot once, at its end: the
// state then is what whole saves would have made.
func TestApplyRecordsDeltasAndCompactsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store := &deltaCounter{FileStore: access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))}
	m, err := access.New(e.client, store, access.WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	require.NoError(t, err)
	people := team(20)
	plan, err := m.Plan(t.Context(), people, access.PlanOptions{NewIdentitiesOK: true}) // a new state
	require.NoError(t, err)
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		require.Equal(t, access.Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	identities := 0
	for _, c := range plan.Changes {
		if c.Grant.Kind == access.KindIdentity {
			identities++
		}
	}
	assert.Zero(t, store.wholes.Load(), "never the whole state per change")
	assert.LessOrEqual(t, store.deltas.Load(), int64(len(plan.Changes)+identities), "at most one delta per change and per identity written ahead")
	_, err = os.Stat(store.JournalPath())
	assert.ErrorIs(t, err, os.ErrNotExist, "the journal is folded in")

	snap, err := store.Load(t.Context())
	require.NoError(t, err)
	assert.Len(t, access.FreestyleIdentities(snap), identities)
	assert.Len(t, snap.Created, len(plan.Changes)-countUpdates(plan))
	assert.Empty(t, snap.InDoubt)
	assert.Empty(t, access.FreestyleKnownIdentitySets(snap), "no doubt needs the known identities any more")
	assert.Equal(t, uint64(store.deltas.Load()), snap.Serial, "one serial per save")
	plan, err = m.Plan(t.Context(), people, access.PlanOptions{NewIdentitiesOK: true})
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "the compacted state is the whole truth")
}

func countUpdates(p *access.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Action != access.Create {
			n++
		}
	}
	return n
}

// A process dying between an identity create and the delta recording it
// (here: that delta fails): the next plan adopts the identity made, from
// the identity write-ahead in the journal, instead of making another.
func TestAnIdentityCreatedButNeverJournalledIsAdopted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := []access.Person{{Email: "user201@example.com", Freestyle: &access.FreestyleAccess{
		Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
	}}}
	path := filepath.Join(t.TempDir(), "state.json")
	nobodys := func(m *access.Manager) int {
		n := 0
		for rec, err := range m.Audit(t.Context()) {
			require.NoError(t, err)
			if rec.Grant.Kind == access.KindIdentity && rec.Email == "" {
				n++
			}
		}
		return n
	}
	fresh, err := access.New(e.client, access.NewFileStore(path), access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	orphans := nobodys(fresh)
	// Deltas: the identity create written ahead, then its outcome, lost.
	broken, err := access.New(e.client, &deltaCounter{FileStore: access.NewFileStore(path), failDeltaAt: 2}, access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err := broken.Plan(t.Context(), people, access.PlanOptions{NewIdentitiesOK: true}) // a new state
	require.NoError(t, err)
	_, err = broken.Apply(t.Context(), plan)
	require.ErrorContains(t, err, "disk full")

	next, err := access.New(e.client, access.NewFileStore(path), access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err = next.Plan(t.Context(), people, access.PlanOptions{NewIdentitiesOK: true})
	require.NoError(t, err)
	for _, c := range plan.Changes {
		assert.NotEqual(t, access.KindIdentity, c.Grant.Kind, "the identity that was made is adopted, not made again")
	}
	assert.Equal(t, 1, plan.Settled())
	_, err = next.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, orphans, nobodys(next), "no identity left behind")
}

// A level change of a pending GitGuardian invitation is a re-invite: the
// plan says so; stopped between the delete and the new invitation (here
// the vendor refuses the new one), the change is in doubt, saying what
// was done, and the next plan completes it with one invitation.
func TestAnInterruptedReinviteIsCompletedByTheNextApply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	members := map[string]bool{}
	for mem, err := range e.client.Members.ListMembers(t.Context(), &invitations.ListMembersOptions{PerPage: 100}).All() {
		require.NoError(t, err)
		members[strings.ToLower(mem.Email)] = true
	}
	var inv models.Invitation
	for i, err := range e.client.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{PerPage: 100}).All() {
		require.NoError(t, err)
		if i.AccessLevel == models.AccessLevelMember && !members[strings.ToLower(i.Email)] {
			inv = i
			break
		}
	}
	require.NotZero(t, inv.ID, "the demo data has a pending invitation as member, of someone not a member")
	people := []access.Person{{Email: inv.Email, GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelManager}}}
	m, err := access.New(e.client, e.store, access.WithVendors(invitations.GitGuardian))
	require.NoError(t, err)

	plan, err := m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, inv.Email+" is invited as member, should be manager: re-invite", plan.Changes[0].Reason)

	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.GitGuardianCreateInvitations, Status: 400})
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, access.InDoubt, results[0].Outcome)
	assert.ErrorContains(t, results[0].Err, "the pending invitation was deleted, then: ")

	plan, err = m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1)
	assert.Equal(t, access.Create, plan.Changes[0].Action)
	assert.Contains(t, plan.Changes[0].Reason, "(an earlier re-invite stopped after removing the old one: this completes it)")
	results, err = m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, access.Done, results[0].Outcome)

	n := 0
	for i, err := range e.client.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{PerPage: 100}).All() {
		require.NoError(t, err)
		if strings.EqualFold(i.Email, inv.Email) {
			n++
			assert.Equal(t, models.AccessLevelManager, i.AccessLevel)
		}
	}
	assert.Equal(t, 1, n, "one invitation, at the new level")
	plan, err = m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, plan.Empty())
	snap, err := e.store.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, snap.InDoubt)
}
