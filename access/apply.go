package access

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
// under it (see Locked), and the plan can never be stale. A plan written
// as JSON and read back (Plan.MarshalJSON), made by another process, is
// applied the same way, and refused the same way once the state moved.
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
	return m.ApplyWith(ctx, plan, ApplyOptions{})
}

// ApplyOptions adjust an apply (ApplyWith).
type ApplyOptions struct {
	// OnResult, when set, is called with each change's result as the
	// change ends, once its outcome is recorded in the state: one call at
	// a time, in the order the changes end (vendors run in parallel, so
	// not in plan order). A program streams outcomes with it instead of
	// waiting for the apply to return. The change's worker waits for it:
	// it should return quickly.
	OnResult func(Result)
}

// ApplyWith is Apply with opts.
func (m *Manager) ApplyWith(ctx context.Context, plan *Plan, opts ApplyOptions) ([]Result, error) {
	if plan == nil {
		return nil, errors.New("access: Apply: plan must not be nil")
	}
	unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = unlock() }()
	return m.applyWith(ctx, plan, opts)
}

// ApplyWith is Locked.Apply with opts.
func (l *Locked) ApplyWith(ctx context.Context, plan *Plan, opts ApplyOptions) ([]Result, error) {
	if err := l.held(); err != nil {
		return nil, err
	}
	return l.m.applyWith(ctx, plan, opts)
}

// apply is Apply with the lock held.
func (m *Manager) apply(ctx context.Context, plan *Plan) ([]Result, error) {
	return m.applyWith(ctx, plan, ApplyOptions{})
}

// applyWith is ApplyWith with the lock held.
func (m *Manager) applyWith(ctx context.Context, plan *Plan, opts ApplyOptions) ([]Result, error) {
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
	if err := staleness(plan, snap); err != nil {
		return nil, err
	}
	memos, err := m.memosFor(plan)
	if err != nil {
		return nil, err
	}
	run := &applyRun{m: m, deltas: deltas, sv: &stateView{snap: snap}, memos: memos, serial: map[invitations.API]*serialGate{}, onResult: opts.OnResult}
	for v, c := range m.conns {
		if _, ok := c.(SerialCreates); ok {
			run.serial[v] = &serialGate{}
		}
	}
	run.sv.record()
	if run.settle(plan) {
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
	queues := map[invitations.API][]string{}
	var vendors []invitations.API
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
	memos  map[invitations.API]any

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

	// serial holds, per vendor whose connector has SerialCreates, the
	// gate its serial creates pass one at a time.
	serial map[invitations.API]*serialGate

	// onResult is ApplyOptions.OnResult; reportMu makes its calls one at
	// a time.
	onResult func(Result)
	reportMu sync.Mutex
}

// report passes res to onResult, if any, one call at a time.
func (r *applyRun) report(res Result) {
	if r.onResult == nil {
		return
	}
	r.reportMu.Lock()
	defer r.reportMu.Unlock()
	r.onResult(res)
}

// serialGate lets one serial create of a vendor run at a time, and none
// after one ends in doubt: the next plan settles that one first, which it
// can only do while it is the one object that appeared (see
// SerialCreates).
type serialGate struct {
	mu    sync.Mutex
	doubt bool
}

// handle returns a connector's writable handle on the state for this
// apply.
func (r *applyRun) handle(v invitations.API) *ConnectorState {
	return &ConnectorState{sv: r.sv, api: v, writable: true, memo: r.memos[v]}
}

// staleness returns an error matching ErrStalePlan when plan was made
// from another version of the state than snap.
func staleness(plan *Plan, snap *Snapshot) error {
	if snap.Serial != plan.Serial || snap.Lineage != plan.Lineage {
		return fmt.Errorf("%w (plan from serial %d%s, state now at serial %d%s): plan again",
			ErrStalePlan, plan.Serial, lineageNote(plan.Lineage), snap.Serial, lineageNote(snap.Lineage))
	}
	return nil
}

// lineageNote names a lineage in a message, or says there is none yet.
func lineageNote(lineage string) string {
	if lineage == "" {
		return ", new state"
	}
	return ", lineage " + lineage
}

// settle records what the plan's reads answered of earlier doubts and
// wrote for the connectors, and reports whether it changed the state.
func (r *applyRun) settle(plan *Plan) bool {
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	snap := r.sv.snap
	now := time.Now().UTC()
	changed := false
	for _, v := range slices.Sorted(maps.Keys(plan.writes)) {
		h := r.handle(v)
		for k, e := range plan.writes[v] {
			h.note(k, compact(e))
		}
		changed = h.flush() || changed
	}
	n := 0
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
		r.tidy()
		changed = true
	}
	if changed {
		r.version++
	}
	return changed
}

// tidy lets every connector with a Tidier drop what its part no longer
// needs, and reports whether any did. The caller holds sv.mu, which Tidy
// does not need: its handle buffers the writes.
func (r *applyRun) tidy() bool {
	changed := false
	for _, v := range r.m.vendors {
		t, ok := r.m.conns[v].(Tidier)
		if !ok {
			continue
		}
		// Tidy reads through a view of the same snapshot with a lock of
		// its own: the caller holds sv.mu, which stays held throughout,
		// so nothing changes under it; the writes go through sv.
		h := r.handle(v)
		h.sv = &stateView{snap: r.sv.snap}
		if err := t.Tidy(h); err != nil {
			continue // what stays untidy is tidied another time
		}
		h.sv = r.sv
		changed = h.flush() || changed
	}
	return changed
}

// chain runs one person's changes on one vendor, in order. A
// prerequisite create (see Prerequisites) that fails or ends in doubt
// skips the creates that need it.
func (r *applyRun) chain(ctx context.Context, changes []Change, idx []int, results []Result) {
	var missing *Change // the prerequisite create that did not succeed
	for _, i := range idx {
		ch := changes[i]
		switch {
		case ctx.Err() != nil:
			results[i] = Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: the apply stopped (%w)", context.Cause(ctx))}
			r.report(results[i])
			continue
		case missing != nil && ch.Action == Create:
			results[i] = Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("the person's %s %s was not created", missing.Grant.Vendor.Name(), missing.Grant.Kind)}
			r.report(results[i])
			continue
		}
		if need := r.unmet(i, changes, idx, results); need != nil {
			results[i] = Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: it needs the %s %s %s of %s, which ended %s", need.Change.Action, need.Change.Grant.Vendor, need.Change.Grant.Kind, ch.Email, need.Outcome)}
			r.report(results[i])
			continue
		}
		var res Result
		switch {
		case r.m.conns[ch.Grant.Vendor] == nil:
			res = Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: no connector for vendor %q", ch.Grant.Vendor)}
		case ch.Action == Create && r.serialCreate(ch.Grant):
			res = r.createAlone(ctx, ch)
		default:
			res = r.execute(ctx, ch, false)
		}
		results[i] = res
		if ch.Action == Create && prerequisite(r.m.conns[ch.Grant.Vendor])(ch.Grant) && res.Outcome != Done && res.Outcome != AlreadyDone {
			missing = &ch
		}
		err := r.save(ctx)
		r.report(res)
		if err != nil {
			return
		}
	}
}

// unmet returns the result of a change before changes[i] in its chain
// (idx, run in order: their results are in) that changes[i] depends on
// (Dependent) and that did not succeed, or nil.
func (r *applyRun) unmet(i int, changes []Change, idx []int, results []Result) *Result {
	ch := changes[i]
	d, ok := r.m.conns[ch.Grant.Vendor].(Dependent)
	if !ok {
		return nil
	}
	for _, j := range idx {
		if j == i {
			return nil
		}
		if res := results[j]; d.DependsOn(ch, changes[j]) && res.Outcome != Done && res.Outcome != AlreadyDone {
			return &results[j]
		}
	}
	return nil
}

// serialCreate reports whether a create of g must run alone.
func (r *applyRun) serialCreate(g Grant) bool {
	s, ok := r.m.conns[g.Vendor].(SerialCreates)
	return ok && s.SerialCreate(g)
}

// createAlone runs a serial create (see SerialCreates): alone, recorded in
// doubt before it is sent, and not at all after another ended in doubt.
func (r *applyRun) createAlone(ctx context.Context, ch Change) Result {
	gate := r.serial[ch.Grant.Vendor]
	gate.mu.Lock()
	defer gate.mu.Unlock()
	if gate.doubt {
		return Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("another %s %s create is in doubt: the next plan settles it first", ch.Grant.Vendor.Name(), ch.Grant.Kind)}
	}
	// Written ahead: if the process dies between the create and the
	// record of its outcome, the next plan finds the doubt and settles it
	// instead of creating another.
	d, h, err := r.doubt(ch, time.Now().UTC())
	if err != nil {
		return Result{Change: ch, Outcome: Skipped, Err: fmt.Errorf("not sent: %w", err)}
	}
	r.sv.mu.Lock()
	h.flush()
	r.sv.setInDoubt(ch.Key(), d)
	r.version++
	r.sv.mu.Unlock()
	if err := r.save(ctx); err != nil {
		return Result{Change: ch, Outcome: Skipped, Err: err}
	}
	res := r.execute(ctx, ch, true)
	gate.doubt = res.Outcome == InDoubt
	return res
}

// execute sends one change and records its outcome in the state, with
// what the connector wrote; writtenAhead says a doubt was recorded before
// it was sent (see createAlone), which an outcome other than in doubt
// drops.
func (r *applyRun) execute(ctx context.Context, ch Change, writtenAhead bool) Result {
	conn := r.m.conns[ch.Grant.Vendor]
	h := r.handle(ch.Grant.Vendor)
	err := conn.Execute(ctx, ch, h)
	outcome, err := classify(ctx, conn, ch, err)
	var doubt DoubtfulChange
	var noteHandle *ConnectorState
	if outcome == InDoubt {
		var noteErr error
		if doubt, noteHandle, noteErr = r.doubt(ch, time.Now().UTC()); noteErr != nil {
			doubt = DoubtfulChange{Change: ch, Since: time.Now().UTC()}
		}
	}
	r.sv.mu.Lock()
	defer r.sv.mu.Unlock()
	k := ch.Key()
	now := time.Now().UTC()
	switch outcome {
	case Done, AlreadyDone:
		h.flush()
		r.sv.deleteInDoubt(k)
		switch ch.Action {
		case Create:
			if outcome == Done {
				r.sv.setCreated(k, now)
			}
			r.sv.deleteRemoved(k)
		case Remove:
			r.sv.deleteCreated(k)
			r.sv.setRemoved(k, now)
		}
	case InDoubt:
		if noteHandle != nil {
			noteHandle.flush()
		}
		r.sv.setInDoubt(k, doubt)
	case Failed, Skipped:
		if writtenAhead {
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

// doubt describes ch as in doubt since now, with its connector's note
// (see DoubtNoter); the handle returned holds what the connector wrote
// with it, for the caller to record together with the doubt.
func (r *applyRun) doubt(ch Change, now time.Time) (DoubtfulChange, *ConnectorState, error) {
	ch.Grant.ScopeName = "" // a name is for readers of a plan; the state keeps ids
	if ch.From != nil {
		from := *ch.From
		from.ScopeName = ""
		ch.From = &from
	}
	d := DoubtfulChange{Change: ch, Since: now}
	h := r.handle(ch.Grant.Vendor)
	if n, ok := r.m.conns[ch.Grant.Vendor].(DoubtNoter); ok {
		note, err := n.NoteDoubt(ch, h)
		if err != nil {
			return d, nil, err
		}
		d.Note = note
	}
	return d, h, nil
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

// finish lets the connectors tidy their parts and folds the apply's
// deltas into the stored snapshot. A failure to compact loses nothing
// (the deltas stay recorded): it is not the apply's failure.
func (r *applyRun) finish(ctx context.Context) {
	r.sv.mu.Lock()
	if r.tidy() {
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
	c := &Snapshot{Serial: s.Serial, Lineage: s.Lineage, Source: s.Source, Vendors: make(map[invitations.API]map[string]json.RawMessage, len(s.Vendors)),
		Created: maps.Clone(s.Created), InDoubt: maps.Clone(s.InDoubt), Removed: maps.Clone(s.Removed)}
	for api, part := range s.Vendors {
		c.Vendors[api] = maps.Clone(part)
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

// classify turns the SDK's answer to a change into its outcome, and the
// error the result carries. A change the SDK says was not sent because the
// apply's context ended (or would end before the change's turn came) was
// stopped by the run, not refused by the vendor: Skipped. The connector's
// Classifier has its say on what the engine's rules leave (see
// Classifier).
func classify(ctx context.Context, conn Connector, ch Change, err error) (Outcome, error) {
	if err == nil {
		return Done, nil
	}
	var partly *PartlyDone
	if errors.As(err, &partly) || errors.Is(err, invitations.ErrOutcomeUnknown) {
		return InDoubt, err
	}
	if errors.Is(err, invitations.ErrNotSent) &&
		(ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return Skipped, fmt.Errorf("not sent: the apply stopped (%w)", cmp.Or(context.Cause(ctx), err))
	}
	if c, ok := conn.(Classifier); ok {
		if o := c.Classify(ch, err); o != "" {
			return o, err
		}
	}
	var apiErr *invitations.APIError
	if ch.Action == Remove && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return AlreadyDone, err
	}
	return Failed, err
}
