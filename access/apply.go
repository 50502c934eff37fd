package access

import (
	"context"
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
// order. It holds the Store's lock for the whole apply (a second apply on
// the same Store fails with ErrLocked) and saves the state after every
// change, so that an apply stopped anywhere (the context cancelled, the
// process killed) leaves a state the next plan can build on.
//
// Every change ends in one outcome (see Outcome). A change in doubt is not
// sent again by this apply or the next one without re-reading: the next
// Plan settles it. Changes not reached because the context ended are
// Skipped. The error is for the apply itself (the lock, the state); the
// vendors' refusals are in the results.
func (m *Manager) Apply(ctx context.Context, plan *Plan) ([]Result, error) {
	if plan == nil {
		return nil, errors.New("access: Apply: plan must not be nil")
	}
	unlock, err := m.store.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = unlock() }()
	snap, err := m.store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("access: loading the state: %w", err)
	}
	snap = snap.normalize()
	run := &applyRun{m: m, sv: &stateView{snap: snap}, known: plan.known}
	run.settle(plan)
	if err := run.save(ctx); err != nil {
		return nil, err
	}

	results := make([]Result, len(plan.Changes))
	chains := map[string][]int{} // vendor|email → indexes of its changes, in order
	var order []string
	for i, ch := range plan.Changes {
		k := string(ch.Grant.Vendor) + "|" + ch.Email
		if _, ok := chains[k]; !ok {
			order = append(order, k)
		}
		chains[k] = append(chains[k], i)
	}
	slots := map[Vendor]chan struct{}{}
	for _, v := range Vendors() {
		slots[v] = make(chan struct{}, m.concurrency)
	}
	var wg sync.WaitGroup
	for _, k := range order {
		idx := chains[k]
		vendor := plan.Changes[idx[0]].Grant.Vendor
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots[vendor] <- struct{}{}:
				defer func() { <-slots[vendor] }()
			case <-ctx.Done():
			}
			run.chain(ctx, plan.Changes, idx, results)
		}()
	}
	wg.Wait()
	return results, run.saveErr
}

// applyRun is one apply's shared state.
type applyRun struct {
	m     *Manager
	sv    *stateView
	known map[Vendor][]string

	saveMu  sync.Mutex
	saveErr error
	// version counts the changes to the state (under sv.mu); saved is
	// the version the store holds (under saveMu). A save that finds its
	// change already stored by another returns at once: concurrent
	// changes share one write.
	version int64
	saved   int64

	// Freestyle identities carry nothing to tell them apart: an identity
	// create in doubt is settled later by the one identity that appeared
	// beside those known. So identity creates run one at a time, and none
	// runs after one ends in doubt, which keeps that one identity unique.
	identityMu    sync.Mutex
	identityDoubt bool
}

// settle records what the plan's reads answered of earlier doubts.
func (r *applyRun) settle(plan *Plan) {
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	r.version++
	snap := r.sv.snap
	now := time.Now().UTC()
	for email, id := range plan.adopt {
		snap.Identities[email] = id
		k := Grant{Vendor: Freestyle, Kind: KindIdentity}.Key(email)
		snap.Created[k] = now
		delete(snap.InDoubt, k)
	}
	for _, k := range plan.settled {
		d, ok := snap.InDoubt[k]
		if !ok {
			continue
		}
		if d.Change.Action == Create {
			snap.Created[k] = now
		} else {
			delete(snap.Created, k)
		}
		delete(snap.InDoubt, k)
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
			results[i] = Result{Change: ch, Outcome: Skipped, Err: ctx.Err()}
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
	// Written ahead: if the process dies between the create and the
	// record of its identity, the next plan finds the doubt and adopts
	// the identity instead of creating another.
	r.sv.mu.Lock()
	r.sv.snap.InDoubt[ch.Key()] = r.doubt(ch, time.Now().UTC())
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
	outcome := classify(ch, err)
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	snap := r.sv.snap
	k := ch.Key()
	now := time.Now().UTC()
	switch outcome {
	case Done, AlreadyDone:
		delete(snap.InDoubt, k)
		switch ch.Action {
		case Create:
			if outcome == Done {
				snap.Created[k] = now
			}
			delete(snap.Removed, k)
			if ch.Grant.Kind == KindIdentity && id != "" {
				snap.Identities[strings.ToLower(ch.Email)] = id
			}
		case Remove:
			delete(snap.Created, k)
			snap.Removed[k] = now
			if ch.Grant.Kind == KindIdentity {
				delete(snap.Identities, strings.ToLower(ch.Email))
			}
		}
	case InDoubt:
		snap.InDoubt[k] = r.doubt(ch, now)
	case Failed:
		if ch.Grant.Kind == KindIdentity && ch.Action == Create {
			delete(snap.InDoubt, k) // the write-ahead: refused, or never sent
		}
	}
	r.version++
	res := Result{Change: ch, Outcome: outcome}
	if outcome == Failed || outcome == InDoubt {
		res.Err = err
	}
	return res
}

// doubt describes ch as in doubt since now; for an identity create it
// lists the identities known, which the next plan looks beside. The
// caller holds sv.mu.
func (r *applyRun) doubt(ch Change, now time.Time) DoubtfulChange {
	d := DoubtfulChange{Change: ch, Since: now}
	if ch.Grant.Kind == KindIdentity && ch.Action == Create {
		d.KnownIdentities = append(slices.Clone(r.known[Freestyle]), slices.Collect(maps.Values(r.sv.snap.Identities))...)
		slices.Sort(d.KnownIdentities)
		d.KnownIdentities = slices.Compact(d.KnownIdentities)
	}
	return d
}

// save writes the state as it is now, unless a save made since the
// caller's last change already did; the first failure is kept and ends
// the apply's chains, since an apply that cannot record what it did must
// stop.
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
	cp, version := cloneSnapshot(r.sv.snap), r.version
	r.sv.mu.Unlock()
	// The state is written even when the apply's context has ended: what
	// was done must be recorded.
	if err := r.m.store.Save(context.WithoutCancel(ctx), cp); err != nil {
		r.saveErr = fmt.Errorf("access: saving the state: %w", err)
		return r.saveErr
	}
	r.saved = version
	return nil
}

func cloneSnapshot(s *Snapshot) *Snapshot {
	return &Snapshot{Identities: maps.Clone(s.Identities), Created: maps.Clone(s.Created), InDoubt: maps.Clone(s.InDoubt), Removed: maps.Clone(s.Removed)}
}

// classify turns the SDK's answer to a change into its outcome.
func classify(ch Change, err error) Outcome {
	if err == nil {
		return Done
	}
	if errors.Is(err, invitations.ErrOutcomeUnknown) {
		return InDoubt
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
