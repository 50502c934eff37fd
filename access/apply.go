package access

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/invitesdk/invitations"
)

// Apply carries plan out: vendors in parallel, up to WithConcurrency
// people at once on each, one person's changes on one vendor in plan
// order. It takes the Store's lock (waiting up to WithLockTimeout; a
// second apply on the same Store fails with ErrLocked) and holds it for
// the whole apply, and saves the state after every change, so that an
// apply stopped anywhere (the context cancelled, the process killed)
// leaves a state the next plan can build on. A plan made from another
// version of the state than the one under the lock (another apply saved
// since) is refused with ErrStalePlan: Lock first, then plan and apply
// under it (see Locked), and the plan can never be stale.
//
// An empty plan sends nothing, but still records what its reads settled
// of earlier in-doubt changes (see Plan.Settled).
//
// Every change ends in one outcome (see Outcome). A change in doubt is not
// sent again by this apply or the next one without re-reading: the next
// Plan settles it. Changes not sent because the context ended are
// Skipped. The error is for the apply itself (the lock, the state); the
// vendors' refusals are in the results.
func (m *Manager) Apply(ctx context.Context, plan *Plan) ([]Result, error) {
	if plan == nil {
		return nil, errors.New("access: Apply: plan must not be nil")
	}
	unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = unlock() }()
	return m.apply(ctx, plan)
}

// apply is Apply with the lock held.
func (m *Manager) apply(ctx context.Context, plan *Plan) ([]Result, error) {
	if plan == nil {
		return nil, errors.New("access: Apply: plan must not be nil")
	}
	deltas, _ := m.store.(DeltaStore)
	if deltas != nil {
		// What a run killed mid-apply journalled is folded in first, so
		// that this apply's journal starts from one snapshot.
		if err := deltas.Compact(ctx); err != nil {
			return nil, fmt.Errorf("access: compacting the state: %w", err)
		}
	}
	snap, err := m.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: loading the state: %w", err)
	}
	snap = snap.normalize()
	if snap.Serial != plan.Serial || snap.Lineage != plan.Lineage {
		return nil, fmt.Errorf("%w (plan from serial %d%s, state now at serial %d%s): plan again",
			ErrStalePlan, plan.Serial, lineageNote(plan.Lineage), snap.Serial, lineageNote(snap.Lineage))
	}
	run := &applyRun{m: m, deltas: deltas, sv: &stateView{snap: snap}, known: plan.known}
	run.sv.record()
	if run.settle(plan) > 0 {
		if err := run.save(ctx); err != nil {
			return nil, err
		}
	}

	results := run.run(ctx, plan.Changes)
	run.finish(ctx)
	return results, run.saveErr
}

// run carries changes out: per vendor, WithConcurrency workers take one
// person's changes on that vendor at a time and run them in order, so
// that goroutines stay bounded by the vendors and the workers, whatever
// the number of people.
func (r *applyRun) run(ctx context.Context, changes []Change) []Result {
	results := make([]Result, len(changes))
	chains := map[string][]int{} // vendor|email → indexes of its changes, in order
	queues := map[Vendor][]string{}
	var vendors []Vendor
	for i, ch := range changes {
		k := string(ch.Grant.Vendor) + "|" + ch.Email
		if _, ok := chains[k]; !ok {
			if _, ok := queues[ch.Grant.Vendor]; !ok {
				vendors = append(vendors, ch.Grant.Vendor)
			}
			queues[ch.Grant.Vendor] = append(queues[ch.Grant.Vendor], k)
		}
		chains[k] = append(chains[k], i)
	}
	var wg sync.WaitGroup
	for _, v := range vendors {
		work := make(chan []int)
		for range min(r.m.concurrency, len(queues[v])) {
			wg.Go(func() {
				for idx := range work {
					r.chain(ctx, changes, idx, results)
				}
			})
		}
		wg.Go(func() {
			defer close(work)
			for _, k := range queues[v] {
				work <- chains[k]
			}
		})
	}
	wg.Wait()
	return results
}

// applyRun is one apply's shared state.
type applyRun struct {
	m      *Manager
	deltas DeltaStore // the store, when it records deltas
	sv     *stateView
	known  map[Vendor][]string

	saveMu  sync.Mutex
	saveErr error
	// version counts the changes to the state (under sv.mu); saved is
	// the version the store holds (under saveMu). A save that finds its
	// change already stored by another returns at once: concurrent
	// changes share one write.
	version int64
	saved   int64
	// journalled reports that deltas were saved: finish compacts them.
	journalled bool

	// Freestyle identities carry nothing to tell them apart: an identity
	// create in doubt is settled later by the one identity that appeared
	// beside those known. So identity creates run one at a time, and none
	// runs after one ends in doubt, which keeps that one identity unique.
	identityMu    sync.Mutex
	identityDoubt bool
	// knownSet is the id of the set of identities known at the start of
	// this apply, once an identity create has needed it.
	knownSet string
}

// lineageNote names a lineage in a message, or says there is none yet.
func lineageNote(lineage string) string {
	if lineage == "" {
		return ", new state"
	}
	return ", lineage " + lineage
}

// settle records what the plan's reads answered of earlier doubts and
// returns how many it settled.
func (r *applyRun) settle(plan *Plan) int {
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	snap := r.sv.snap
	now := time.Now().UTC()
	n := 0
	for email, id := range plan.adopt {
		r.sv.setIdentity(email, id)
		k := Grant{Vendor: Freestyle, Kind: KindIdentity}.Key(email)
		r.sv.setCreated(k, now)
		if _, ok := snap.InDoubt[k]; ok {
			r.sv.deleteInDoubt(k)
			n++
		}
	}
	for _, k := range plan.settled {
		d, ok := snap.InDoubt[k]
		if !ok {
			continue
		}
		if d.Change.Action == Create {
			r.sv.setCreated(k, now)
		} else {
			r.sv.deleteCreated(k)
		}
		r.sv.deleteInDoubt(k)
		n++
	}
	if n > 0 {
		r.dropUnusedKnownSets()
		r.version++
	}
	return n
}

// dropUnusedKnownSets removes the known identity sets no doubt names any
// more. The caller holds sv.mu.
func (r *applyRun) dropUnusedKnownSets() {
	if len(r.sv.snap.KnownIdentitySets) == 0 {
		return
	}
	used := map[string]bool{}
	for _, d := range r.sv.snap.InDoubt {
		used[d.KnownIdentitySet] = true
	}
	for id := range r.sv.snap.KnownIdentitySets {
		if !used[id] {
			r.sv.deleteKnownIdentitySet(id)
		}
	}
}

// chain runs one person's changes on one vendor, in order. A failed or
// in-doubt Freestyle identity create skips the permissions that need it.
func (r *applyRun) chain(ctx context.Context, changes []Change, idx []int, results []Result) {
	identityFailed := false
	for _, i := range idx {
		ch := changes[i]
		switch {
		case ctx.Err() != nil:
			results[i] = Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: the apply stopped (%w)", context.Cause(ctx))}
			continue
		case identityFailed && ch.Grant.Vendor == Freestyle && ch.Action == Create:
			results[i] = Result{Change: ch, Outcome: Skipped, Err: errors.New("the person's Freestyle identity was not created")}
			continue
		}
		var res Result
		if ch.Grant.Kind == KindIdentity && ch.Action == Create {
			res = r.createIdentity(ctx, ch)
		} else {
			res = r.execute(ctx, ch)
		}
		results[i] = res
		if ch.Grant.Kind == KindIdentity && ch.Action == Create && res.Outcome != Done && res.Outcome != AlreadyDone {
			identityFailed = true
		}
		if err := r.save(ctx); err != nil {
			return
		}
	}
}

// createIdentity runs a Freestyle identity create alone (see identityMu).
func (r *applyRun) createIdentity(ctx context.Context, ch Change) Result {
	r.identityMu.Lock()
	defer r.identityMu.Unlock()
	if r.identityDoubt {
		return Result{Change: ch, Outcome: Skipped, Err: errors.New("another Freestyle identity create is in doubt: the next plan settles it first")}
	}
	// The state under the lock is the one the plan was made from, so a
	// person mapped here was mapped when planned; this holds the line
	// should that ever not be so: a second identity would orphan the
	// first with its grants.
	if id, mapped := r.sv.identity(ch.Email); mapped {
		return Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: the state maps %s to identity %s already; plan again", ch.Email, id)}
	}
	// Written ahead: if the process dies between the create and the
	// record of its identity, the next plan finds the doubt and adopts
	// the identity instead of creating another.
	r.sv.mu.Lock()
	r.sv.setInDoubt(ch.Key(), r.doubt(ch, time.Now().UTC()))
	r.version++
	r.sv.mu.Unlock()
	if err := r.save(ctx); err != nil {
		return Result{Change: ch, Outcome: Skipped, Err: err}
	}
	res := r.execute(ctx, ch)
	r.identityDoubt = res.Outcome == InDoubt
	return res
}

// execute sends one change and records its outcome in the state.
func (r *applyRun) execute(ctx context.Context, ch Change) Result {
	id, err := r.m.conns[ch.Grant.Vendor].execute(ctx, ch, r.sv)
	outcome := classify(ctx, ch, err)
	if outcome == Skipped {
		err = fmt.Errorf("not sent: the apply stopped (%w)", cmp.Or(context.Cause(ctx), err))
	}
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	k := ch.Key()
	now := time.Now().UTC()
	identityCreate := ch.Grant.Kind == KindIdentity && ch.Action == Create
	switch outcome {
	case Done, AlreadyDone:
		r.sv.deleteInDoubt(k)
		switch ch.Action {
		case Create:
			if outcome == Done {
				r.sv.setCreated(k, now)
			}
			r.sv.deleteRemoved(k)
			if identityCreate && id != "" {
				r.sv.setIdentity(strings.ToLower(ch.Email), id)
			}
		case Remove:
			r.sv.deleteCreated(k)
			r.sv.setRemoved(k, now)
			if ch.Grant.Kind == KindIdentity {
				r.sv.deleteIdentity(strings.ToLower(ch.Email))
			}
		}
	case InDoubt:
		r.sv.setInDoubt(k, r.doubt(ch, now))
	case Failed, Skipped:
		if identityCreate {
			r.sv.deleteInDoubt(k) // the write-ahead: refused, or never sent
		}
	}
	r.version++
	res := Result{Change: ch, Outcome: outcome}
	if outcome != Done && outcome != AlreadyDone {
		res.Err = err
	}
	return res
}

// doubt describes ch as in doubt since now; for an identity create it
// names the set of identities known when the apply began, which the next
// plan looks beside, writing the set into the state the first time. The
// identities created since by this apply are in the state, someone's, so
// never taken for the one a doubt made. The caller holds sv.mu.
func (r *applyRun) doubt(ch Change, now time.Time) DoubtfulChange {
	d := DoubtfulChange{Change: ch, Since: now}
	if ch.Grant.Kind == KindIdentity && ch.Action == Create {
		if r.knownSet == "" {
			r.knownSet = NewLineage()
			known := append(slices.Clone(r.known[Freestyle]), slices.Collect(maps.Values(r.sv.snap.Identities))...)
			slices.Sort(known)
			r.sv.setKnownIdentitySet(r.knownSet, slices.Compact(known))
		}
		d.KnownIdentitySet = r.knownSet
	}
	return d
}

// save writes what changed since the last save, unless a save made since
// the caller's last change already did: as a delta to a DeltaStore,
// whole to another Store. The first failure is kept and ends the apply's
// chains, since an apply that cannot record what it did must stop.
func (r *applyRun) save(ctx context.Context) error {
	r.sv.mu.Lock()
	want := r.version
	r.sv.mu.Unlock()
	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	if r.saveErr != nil || r.saved >= want {
		return r.saveErr
	}
	r.sv.mu.Lock()
	snap := r.sv.snap
	if snap.Lineage == "" {
		r.sv.setLineage(NewLineage())
	}
	if snap.Source == "" && r.m.source != "" {
		r.sv.setSource(r.m.source)
	}
	delta, version := r.sv.takeDelta(), r.version
	var whole *Snapshot
	if r.deltas == nil {
		whole = cloneSnapshot(snap)
	}
	r.sv.mu.Unlock()
	// The state is written even when the apply's context has ended: what
	// was done must be recorded.
	ctx = context.WithoutCancel(ctx)
	var err error
	if r.deltas != nil {
		err = r.deltas.SaveDelta(ctx, delta)
		r.journalled = true
	} else {
		err = r.m.store.Save(ctx, whole)
	}
	if err != nil {
		r.saveErr = fmt.Errorf("access: saving the state: %w", err)
		return r.saveErr
	}
	r.saved = version
	return nil
}

// finish drops the known identity sets no doubt needs any more and folds
// the apply's deltas into the stored snapshot. A failure to compact loses
// nothing (the deltas stay recorded): it is not the apply's failure.
func (r *applyRun) finish(ctx context.Context) {
	r.sv.mu.Lock()
	before := len(r.sv.snap.KnownIdentitySets)
	r.dropUnusedKnownSets()
	if len(r.sv.snap.KnownIdentitySets) != before {
		r.version++
	}
	r.sv.mu.Unlock()
	if r.saveErr != nil {
		return
	}
	if err := r.save(ctx); err != nil || r.deltas == nil || !r.journalled {
		return
	}
	_ = r.deltas.Compact(context.WithoutCancel(ctx))
}

func cloneSnapshot(s *Snapshot) *Snapshot {
	c := &Snapshot{Serial: s.Serial, Lineage: s.Lineage, Source: s.Source, Identities: maps.Clone(s.Identities), Created: maps.Clone(s.Created), InDoubt: maps.Clone(s.InDoubt), Removed: maps.Clone(s.Removed)}
	if len(s.KnownIdentitySets) > 0 {
		c.KnownIdentitySets = maps.Clone(s.KnownIdentitySets)
	}
	return c
}

// NewLineage returns a random lineage for a new state: 128 bits as a
// UUID-shaped string (version 4), as terraform's are. Apply gives one to a
// state at its first save; a Store or a tool writing a state whole gives
// one to a state that has none.
func NewLineage() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// classify turns the SDK's answer to a change into its outcome. A change
// the SDK says was not sent because the apply's context ended (or would
// end before the change's turn came) was stopped by the run, not refused
// by the vendor: Skipped.
func classify(ctx context.Context, ch Change, err error) Outcome {
	if err == nil {
		return Done
	}
	var partly *partlyDone
	if errors.As(err, &partly) || errors.Is(err, invitations.ErrOutcomeUnknown) {
		return InDoubt
	}
	if errors.Is(err, invitations.ErrNotSent) &&
		(ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return Skipped
	}
	var apiErr *invitations.APIError
	if errors.As(err, &apiErr) {
		switch {
		case ch.Action == Create && apiErr.StatusCode == http.StatusConflict:
			return AlreadyDone // Box: already a member
		case ch.Action == Create && apiErr.StatusCode == http.StatusOK:
			return AlreadyDone // GitGuardian: "already in the workspace"
		case ch.Action == Remove && apiErr.StatusCode == http.StatusNotFound:
			return AlreadyDone
		}
	}
	return Failed
}
