package serve

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// Engine is what a Reconciler plans and applies through: an
// access.Manager (ManagerEngine), or a test's.
type Engine interface {
	// Lock takes the state's lock for one run, before its reads; it fails
	// with an error matching access.ErrLocked while another process holds
	// it.
	Lock(ctx context.Context) (LockedState, error)
}

// LockedState is the state held for one run (an *access.Locked).
type LockedState interface {
	Plan(ctx context.Context, people []access.Person, opts access.PlanOptions) (*access.Plan, error)
	ApplyWith(ctx context.Context, plan *access.Plan, opts access.ApplyOptions) ([]access.Result, error)
	Unlock() error
}

// ManagerEngine is m as a Reconciler's Engine.
func ManagerEngine(m *access.Manager) Engine { return managerEngine{m} }

type managerEngine struct{ m *access.Manager }

func (e managerEngine) Lock(ctx context.Context) (LockedState, error) {
	l, err := e.m.Lock(ctx)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RunReport is what one run of a Reconciler did.
type RunReport struct {
	// Generation is the store's generation the run read its input at.
	Generation int64
	// Started and Ended are the Reconciler's clock's.
	Started, Ended time.Time
	// People counts the people planned for; Changes the plan's changes
	// (those sent or refused).
	People, Changes int
	// Removals counts the plan's removals.
	Removals int
	// Results counts the applied changes by outcome.
	Results map[access.Outcome]int
	// Outcome is one of the Outcome constants (OutcomeApplied...).
	Outcome string
	// Err is why the run failed or was refused, if it was.
	Err error
	// Retry says the run is tried again, without new input, after
	// RetryIn; otherwise only new input starts the next run.
	Retry   bool
	RetryIn time.Duration
	// Notes are what the input's mapping to people left out, and why.
	Notes []string

	// settled: the run's error is the input's or the configuration's
	// (a desired state that cannot be planned), which only new input
	// changes: it is not retried.
	settled bool
}

// Reconciler turns what the identity provider pushed into the SCIM store
// into people (see People) and applies them through the engine: one run
// at a time, under the state's lock (several processes on one state take
// turns), after the input has been still for the debounce. A run is
// started by Notify (the SCIM handler's writes), by a new generation of
// the store (another process's writes, read every poll), and once at
// start. A plan with problems or above the removal limit is not applied,
// nor retried until new input comes; a run that fails, or whose changes
// do not all succeed, is retried with backoff.
type Reconciler struct {
	engine Engine
	store  scim.Store
	file   *desired.File
	s      settings

	notify  chan struct{}
	running atomic.Bool
}

// NewReconciler returns a Reconciler planning file's people and the
// store's users and groups through engine.
func NewReconciler(engine Engine, store scim.Store, file *desired.File, opts ...Option) (*Reconciler, error) {
	if engine == nil {
		return nil, errors.New("serve: NewReconciler: engine must not be nil")
	}
	if store == nil {
		return nil, errors.New("serve: NewReconciler: store must not be nil")
	}
	if file == nil {
		return nil, errors.New("serve: NewReconciler: file must not be nil")
	}
	s := defaults()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	return &Reconciler{engine: engine, store: store, file: file, s: s, notify: make(chan struct{}, 1)}, nil
}

// Metrics returns the metrics the runs are counted in.
func (r *Reconciler) Metrics() *Metrics { return r.s.metrics }

// Notify says the input changed; it never blocks.
func (r *Reconciler) Notify() {
	select {
	case r.notify <- struct{}{}:
	default: // a run is already due: it reads the input then
	}
}

// Run runs until ctx ends, then returns once the run under way, if any,
// has ended (see WithStopGrace). It runs once at start, for what changed
// while no process was running. One Run at a time.
func (r *Reconciler) Run(ctx context.Context) error {
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("serve: Reconciler.Run: already running")
	}
	defer r.running.Store(false)
	clock := r.s.clock
	now := clock.Now()
	l := loop{pending: true, first: now, last: now, seen: -1}
	if r.s.pollEvery > 0 {
		l.nextPoll = now.Add(r.s.pollEvery)
	}
	for {
		var timer Timer
		var fired <-chan time.Time
		if wake, ok := l.wake(r.s); ok {
			timer = clock.NewTimer(max(0, wake.Sub(clock.Now())))
			fired = timer.C()
		}
		select {
		case <-ctx.Done():
			stop(timer)
			return nil
		case <-r.notify:
			stop(timer)
			l.trigger(clock.Now())
		case <-fired:
			r.tick(ctx, &l)
		}
	}
}

func stop(t Timer) {
	if t != nil {
		t.Stop()
	}
}

// loop is Run's state between runs.
type loop struct {
	// pending: input came that no run has read; first and last are when
	// the first and the last of it came.
	pending     bool
	first, last time.Time
	// retrying: the last run failed and runs again at retryAt, after
	// waiting backoff.
	retrying bool
	retryAt  time.Time
	backoff  time.Duration
	// seen is the store's last generation known; nextPoll when it is
	// read again.
	seen     int64
	nextPoll time.Time
}

// trigger records input at now.
func (l *loop) trigger(now time.Time) {
	if !l.pending {
		l.first = now
	}
	l.pending, l.last = true, now
}

// due is when the pending input's run starts: once it has been still for
// the debounce, or max delay after it began.
func (l *loop) due(s settings) time.Time {
	at := l.last.Add(s.debounce)
	if capped := l.first.Add(s.maxDelay); capped.Before(at) {
		at = capped
	}
	return at
}

// runDue reports whether a run is due at now: for pending input, once
// due; else for a retry, once its wait is over.
func (l *loop) runDue(s settings, now time.Time) bool {
	if l.pending {
		return !now.Before(l.due(s))
	}
	return l.retrying && !now.Before(l.retryAt)
}

// wake returns when Run has something to do, if ever.
func (l *loop) wake(s settings) (time.Time, bool) {
	var at time.Time
	ok := false
	consider := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	switch {
	case l.pending:
		consider(l.due(s))
	case l.retrying:
		consider(l.retryAt)
	}
	if s.pollEvery > 0 {
		consider(l.nextPoll)
	}
	return at, ok
}

// tick does what is due: a poll of the store's generation, a run.
func (r *Reconciler) tick(ctx context.Context, l *loop) {
	now := r.s.clock.Now()
	if r.s.pollEvery > 0 && !now.Before(l.nextPoll) {
		l.nextPoll = now.Add(r.s.pollEvery)
		gen, err := r.store.Generation(ctx)
		switch {
		case err != nil:
			r.s.logger.Warn("scim: reading the store's generation", "error", err.Error())
		case gen != l.seen:
			l.seen = gen
			l.trigger(now)
		}
	}
	if !l.runDue(r.s, now) {
		return
	}
	l.pending = false
	rep := r.runOnce(ctx)
	if rep.Generation > l.seen {
		l.seen = rep.Generation
	}
	l.retrying = retry(rep.Outcome) && !rep.settled && ctx.Err() == nil
	if l.retrying {
		if l.backoff == 0 {
			l.backoff = r.s.retryMin
		} else {
			l.backoff = min(2*l.backoff, r.s.retryMax)
		}
		l.retryAt = rep.Ended.Add(l.backoff)
		rep.Retry, rep.RetryIn = true, l.backoff
	} else {
		l.backoff = 0
	}
	r.report(rep)
}

// retry reports whether a run with outcome is tried again without new
// input: what failed may succeed later; a refusal stays one.
func retry(outcome string) bool {
	return outcome == OutcomeFailed || outcome == OutcomeLocked
}

// runOnce reads the input, plans under the lock and applies, guards
// permitting.
func (r *Reconciler) runOnce(ctx context.Context) (rep RunReport) {
	clock := r.s.clock
	rep.Started = clock.Now()
	defer func() { rep.Ended = clock.Now() }()
	fail := func(err error) RunReport {
		rep.Outcome, rep.Err = OutcomeFailed, err
		return rep
	}

	gen, err := r.store.Generation(ctx)
	if err != nil {
		return fail(fmt.Errorf("reading the SCIM store: %w", err))
	}
	rep.Generation = gen
	users, err := scim.Users(ctx, r.store)
	if err != nil {
		return fail(fmt.Errorf("reading the SCIM users: %w", err))
	}
	groups, err := scim.Groups(ctx, r.store)
	if err != nil {
		return fail(fmt.Errorf("reading the SCIM groups: %w", err))
	}
	people, notes := People(r.file, users, groups, r.s.unmappedAbsent)
	rep.People, rep.Notes = len(people), notes

	locked, err := r.engine.Lock(ctx)
	if errors.Is(err, access.ErrLocked) {
		rep.Outcome, rep.Err = OutcomeLocked, err
		return rep
	}
	if err != nil {
		return fail(err)
	}
	defer func() { _ = locked.Unlock() }()
	plan, err := locked.Plan(ctx, people, r.s.planOptions)
	if err != nil {
		rep.settled = unplannable(err)
		return fail(r.file.Explain(err))
	}
	rep.Changes, rep.Removals = len(plan.Changes), plan.Removals()
	if len(plan.Problems) > 0 {
		for _, p := range plan.Problems {
			r.s.logger.Warn("scim: problem", "vendor", string(p.Vendor), "person", r.userName(users, p.Email), "field", p.Field, "reason", p.Reason)
		}
		rep.Outcome, rep.Err = OutcomeRefusedProblems, fmt.Errorf("the plan lists %d problem(s)", len(plan.Problems))
		return rep
	}
	if plan.Empty() {
		rep.Outcome = OutcomeNothingToDo
		if plan.Settled() > 0 {
			// Sends nothing: records what the reads settled of earlier
			// changes in doubt.
			if _, err := locked.ApplyWith(ctx, plan, access.ApplyOptions{}); err != nil {
				return fail(err)
			}
		}
		return rep
	}
	if r.s.removalLimit != nil {
		if limit, why := r.s.removalLimit(plan); limit >= 0 && rep.Removals > limit {
			rep.Outcome, rep.Err = OutcomeRefusedRemovals, fmt.Errorf("the plan removes %d grants, more than %d (%s)", rep.Removals, limit, why)
			return rep
		}
	}
	if ctx.Err() != nil {
		return fail(fmt.Errorf("not applied: stopping (%w)", ctx.Err()))
	}

	applyCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	// Once ctx ends, the apply has the grace to finish; then its context
	// ends too: the engine sends no further change, and records what it
	// did (its saves outlive its context).
	stopAfter := context.AfterFunc(ctx, func() {
		t := clock.NewTimer(r.s.stopGrace)
		defer t.Stop()
		select {
		case <-t.C():
			cancel()
		case <-applyCtx.Done():
		}
	})
	defer stopAfter()
	results, err := locked.ApplyWith(applyCtx, plan, access.ApplyOptions{})
	rep.Results = map[access.Outcome]int{}
	for _, res := range results {
		rep.Results[res.Outcome]++
		if res.Outcome != access.Done && res.Outcome != access.AlreadyDone {
			r.s.logger.Warn("scim: change not done", "vendor", string(res.Change.Grant.Vendor), "action", string(res.Change.Action),
				"kind", res.Change.Grant.Kind, "person", r.userName(users, res.Change.Email), "outcome", string(res.Outcome), "error", errText(res.Err))
		}
	}
	if err != nil {
		return fail(err)
	}
	if n := len(results) - rep.Results[access.Done] - rep.Results[access.AlreadyDone]; n > 0 {
		return fail(fmt.Errorf("%d of %d changes not done", n, len(results)))
	}
	rep.Outcome = OutcomeApplied
	return rep
}

// unplannable reports whether err says the desired state cannot be
// planned as it is: trying again without new input gives the same error.
func unplannable(err error) bool {
	var inv *access.InvalidPersonError
	return errors.As(err, &inv) || errors.Is(err, access.ErrPruneEverything) || errors.Is(err, access.ErrSourceMismatch)
}

// report logs rep, counts it and passes it to the OnRun function.
func (r *Reconciler) report(rep RunReport) {
	attrs := []any{"outcome", rep.Outcome, "generation", rep.Generation, "people", rep.People,
		"changes", rep.Changes, "removals", rep.Removals, "duration", rep.Ended.Sub(rep.Started).String()}
	for _, o := range slices.Sorted(maps.Keys(rep.Results)) {
		attrs = append(attrs, outcomeLabel(o), rep.Results[o])
	}
	if rep.Retry {
		attrs = append(attrs, "retry_in", rep.RetryIn.String())
	}
	for _, n := range rep.Notes {
		r.s.logger.Warn("scim: "+n, "generation", rep.Generation)
	}
	switch rep.Outcome {
	case OutcomeApplied, OutcomeNothingToDo:
		r.s.logger.Info("scim: reconciled", attrs...)
	default:
		r.s.logger.Warn("scim: not reconciled", append(attrs, "error", errText(rep.Err))...)
	}
	r.s.metrics.observeRun(rep)
	if r.s.onRun != nil {
		r.s.onRun(rep)
	}
}

// userName names the person of email in a log: the userName of the SCIM
// user with that email (the only attribute of theirs the server logs),
// else the email, which then comes from the file.
func (r *Reconciler) userName(users []scim.User, email string) string {
	for _, u := range users {
		if strings.EqualFold(u.Email, email) {
			return u.UserName
		}
	}
	return email
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
