// Package storetest is the test suite every access.Store must pass: the
// one FileStore and pgstate.Store run, for stores of other kinds to run
// too.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/models"
)

// Run runs the suite as subtests of t, in parallel. newStore must return
// a store on state of its own, empty (nothing saved yet), and clean it up
// with t.Cleanup.
//
// It checks that an empty store loads an empty snapshot; that a populated
// snapshot comes back equal; that Save replaces the whole snapshot and a
// concurrent Load sees the old one or the new one, never a mix or an
// error; that a second Lock fails at once with an error matching
// access.ErrLocked that says more than ErrLocked alone; that of goroutines
// racing to Lock exactly one wins; that an unlocked store can be locked
// again; that the lock holder can Load and Save; that Lock, Load and
// Save return the context's error when it is cancelled, leaving the
// snapshot as it was; and, for an access.DeltaStore, that deltas saved
// come back applied, through Compact and after it, until a Save.
func Run(t *testing.T, newStore func(t *testing.T) access.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s access.Store)
	}{
		{"EmptyLoad", testEmptyLoad},
		{"RoundTrip", testRoundTrip},
		{"Overwrite", testOverwrite},
		{"AtomicSave", testAtomicSave},
		{"SecondLock", testSecondLock},
		{"RelockAfterUnlock", testRelock},
		{"LockRace", testLockRace},
		{"SaveUnderLock", testSaveUnderLock},
		{"Cancelled", testCancelled},
		{"Deltas", testDeltas},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

// Populated returns a snapshot with entries in every part: a serial, a
// lineage and a source, connector entries (Freestyle identities),
// created grants and in-doubt changes with a note, with times
// in UTC as the stores keep them.
func Populated() *access.Snapshot {
	since := time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)
	s := access.NewSnapshot()
	s.Serial, s.Lineage, s.Source = 42, "5d0b1f2e-3c4a-4b6d-8e9f-0a1b2c3d4e5f", "people.yaml"
	access.SetFreestyleIdentity(s, "ada@example.com", "ident-ada")
	access.SetFreestyleIdentity(s, "grace@example.com", "ident-grace")
	ws := access.Grant{Vendor: invitations.GitGuardian, Kind: access.KindWorkspace, Level: string(models.AccessLevelMember)}
	group := access.Grant{Vendor: invitations.Box, Kind: access.KindGroup, Scope: "group-7", Level: "admin"}
	vm := access.Grant{Vendor: invitations.Freestyle, Kind: access.KindVM, Scope: "vm-1", Users: []string{"root", "dev"}}
	s.Created[ws.Key("ada@example.com")] = since
	s.Created[group.Key("ada@example.com")] = since.Add(time.Minute)
	s.Created[vm.Key("grace@example.com")] = since.Add(time.Hour)
	ident := access.Change{
		Action: access.Create, Email: "linus@example.com",
		Grant:  access.Grant{Vendor: invitations.Freestyle, Kind: access.KindIdentity},
		Reason: "desired: identity",
	}
	s.InDoubt[ident.Key()] = access.DoubtfulChange{Change: ident, Since: since, Note: json.RawMessage(`{"known_identities":["ident-ada","ident-grace"]}`)}
	from := group
	from.Level = "member"
	upd := access.Change{
		Action: access.Update, Email: "ada@example.com", Grant: group, From: &from,
		Target: "membership-9", Reason: "desired: admin",
	}
	s.InDoubt[upd.Key()] = access.DoubtfulChange{Change: upd, Since: since.Add(2 * time.Second)}
	return s
}

// sized returns a snapshot with n identities, all ending in tag, so that a
// snapshot read back can be told apart from any mix of two.
func sized(n int, tag string) *access.Snapshot {
	s := access.NewSnapshot()
	for i := range n {
		access.SetFreestyleIdentity(s, fmt.Sprintf("person%05d@example.com", i), "ident-"+tag)
	}
	return s
}

// testDeltas checks a DeltaStore (other stores skip it): deltas saved on
// top of a snapshot come back applied, in order, an entry set to null is
// removed; Compact changes nothing Load returns; deltas go on after it;
// and Save of a whole snapshot replaces the deltas with it.
func testDeltas(t *testing.T, s access.Store) {
	ds, ok := s.(access.DeltaStore)
	if !ok {
		t.Skip("not a DeltaStore")
	}
	ctx := context.Background()
	base := Populated()
	require.NoError(t, ds.Save(ctx, base))
	id, since := "ident-new", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := &access.Delta{Serial: base.Serial + 1, Lineage: base.Lineage,
		Created: map[string]*time.Time{"box|group|g|new@example.com": &since},
		Vendors: map[invitations.API]map[string]json.RawMessage{invitations.Freestyle: {
			"identity/new@example.com": json.RawMessage(`"` + id + `"`),
			"identity/ada@example.com": nil,
			"known-identity-set/set-1": json.RawMessage(`["ident-ada","ident-grace"]`),
		}},
	}
	second := &access.Delta{Serial: base.Serial + 2, Lineage: base.Lineage,
		Created: map[string]*time.Time{"box|group|g|new@example.com": nil},
		Removed: map[string]*time.Time{"box|group|g|new@example.com": &since},
	}
	require.NoError(t, ds.SaveDelta(ctx, first))
	require.NoError(t, ds.SaveDelta(ctx, second))

	want := Populated()
	first.ApplyTo(want)
	second.ApplyTo(want)
	assert.Equal(t, base.Serial+2, want.Serial)
	assert.Equal(t, "ident-new", access.FreestyleIdentities(want)["new@example.com"])
	assert.NotContains(t, access.FreestyleIdentities(want), "ada@example.com")
	assert.Equal(t, map[string][]string{"set-1": {"ident-ada", "ident-grace"}}, access.FreestyleKnownIdentitySets(want))
	assert.NotContains(t, want.Created, "box|group|g|new@example.com")
	got, err := ds.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, ds.Compact(ctx))
	got, err = ds.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got, "compacting changes nothing Load returns")
	require.NoError(t, ds.Compact(ctx), "nothing to compact")

	third := &access.Delta{Serial: want.Serial + 1, Lineage: want.Lineage,
		Vendors: map[invitations.API]map[string]json.RawMessage{invitations.Freestyle: {"identity/ada@example.com": json.RawMessage(`"` + id + `"`)}}}
	require.NoError(t, ds.SaveDelta(ctx, third))
	third.ApplyTo(want)
	got, err = ds.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got, "deltas go on after a compaction")

	// A whole snapshot replaces the state, deltas included.
	require.NoError(t, ds.Save(ctx, Populated()))
	got, err = ds.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, Populated(), got)
}

func testEmptyLoad(t *testing.T, s access.Store) {
	got, err := s.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, access.NewSnapshot(), got)
}

func testRoundTrip(t *testing.T, s access.Store) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, Populated()))
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, Populated(), got)
}

func testOverwrite(t *testing.T, s access.Store) {
	ctx := context.Background()
	require.NoError(t, s.Save(ctx, Populated()))
	next := access.NewSnapshot()
	access.SetFreestyleIdentity(next, "new@example.com", "ident-new")
	require.NoError(t, s.Save(ctx, next))
	got, err := s.Load(ctx)
	require.NoError(t, err)
	// Whole: nothing of the first snapshot is left.
	assert.Equal(t, next, got)
}

func testAtomicSave(t *testing.T, s access.Store) {
	ctx := context.Background()
	// Saves alternate between two snapshots of the same size while two
	// readers load: until both have loaded often enough that a Save that
	// is not atomic (a truncate then a write, say) would have been seen
	// half done, and at most maxSaves saves.
	const n, minSaves, minLoads, maxSaves = 2000, 30, 300, 3000
	a, b := sized(n, "a"), sized(n, "b")
	require.NoError(t, s.Save(ctx, a))
	var (
		stop   = make(chan struct{})
		loads  atomic.Int64
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := s.Load(ctx)
				ok := assert.NoError(t, err, "Load during Save") &&
					assert.True(t, equalSnap(got, a) || equalSnap(got, b), "Load during Save saw neither snapshot whole (%d identities)", len(access.FreestyleIdentities(got)))
				if !ok {
					failed.Store(true)
					return
				}
				loads.Add(1)
			}
		}()
	}
	saves := 0
	for ; saves < maxSaves && !failed.Load() && (saves < minSaves || loads.Load() < minLoads); saves++ {
		next := a
		if saves%2 == 0 {
			next = b
		}
		if !assert.NoError(t, s.Save(ctx, next)) {
			break
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d loads during %d saves", loads.Load(), saves)
}

func equalSnap(got, want *access.Snapshot) bool {
	gotIDs, wantIDs := access.FreestyleIdentities(got), access.FreestyleIdentities(want)
	if len(gotIDs) != len(wantIDs) || len(got.Created) != 0 || len(got.InDoubt) != 0 {
		return false
	}
	for k, v := range wantIDs {
		if gotIDs[k] != v {
			return false
		}
	}
	return true
}

func testSecondLock(t *testing.T, s access.Store) {
	ctx := context.Background()
	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	defer func() { assert.NoError(t, unlock()) }()
	again, err := s.Lock(ctx)
	if again != nil {
		_ = again()
	}
	require.ErrorIs(t, err, access.ErrLocked)
	// The holder is named: the error says more than ErrLocked alone.
	assert.Greater(t, len(err.Error()), len(access.ErrLocked.Error()), "error %q", err)
}

func testRelock(t *testing.T, s access.Store) {
	ctx := context.Background()
	for range 3 {
		unlock, err := s.Lock(ctx)
		require.NoError(t, err)
		require.NoError(t, unlock())
	}
}

func testLockRace(t *testing.T, s access.Store) {
	ctx := context.Background()
	const racers = 8
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		unlocks []func() error
		errs    []error
	)
	for range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			unlock, err := s.Lock(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			unlocks = append(unlocks, unlock)
		}()
	}
	close(start)
	wg.Wait()
	for _, u := range unlocks {
		assert.NoError(t, u())
	}
	assert.Len(t, unlocks, 1, "winners")
	for _, err := range errs {
		assert.ErrorIs(t, err, access.ErrLocked)
	}
}

func testSaveUnderLock(t *testing.T, s access.Store) {
	ctx := context.Background()
	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, Populated()))
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, Populated(), got)
	require.NoError(t, unlock())
	got, err = s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, Populated(), got, "the snapshot outlives the lock")
}

func testCancelled(t *testing.T, s access.Store) {
	require.NoError(t, s.Save(context.Background(), Populated()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	err := s.Save(ctx, access.NewSnapshot())
	assert.True(t, errors.Is(err, context.Canceled), "Save: %v", err)
	_, err = s.Load(ctx)
	assert.True(t, errors.Is(err, context.Canceled), "Load: %v", err)
	unlock, err := s.Lock(ctx)
	if unlock != nil {
		_ = unlock()
	}
	assert.True(t, errors.Is(err, context.Canceled), "Lock: %v", err)

	// The cancelled Save changed nothing, and the cancelled Lock left the
	// store unlocked.
	got, err := s.Load(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Populated(), got)
	unlock, err = s.Lock(context.Background())
	require.NoError(t, err)
	assert.NoError(t, unlock())
}

// IdentityDelta is the Vendors part of a Delta that maps people (email to
// identity id) to Freestyle identities, or unmaps them (a nil id), as an
// apply records it: for tests of a Store's deltas.
func IdentityDelta(ids map[string]*string) map[invitations.API]map[string]json.RawMessage {
	part := map[string]json.RawMessage{}
	for email, id := range ids {
		if id == nil {
			part["identity/"+email] = nil
			continue
		}
		v, _ := json.Marshal(*id)
		part["identity/"+email] = v
	}
	return map[invitations.API]map[string]json.RawMessage{invitations.Freestyle: part}
}
