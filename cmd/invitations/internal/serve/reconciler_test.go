package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// fakeEngine plans and applies as a test says, and records what it was
// asked.
type fakeEngine struct {
	mu sync.Mutex
	// lockErrs are the errors of the next Lock calls, in order (then
	// none).
	lockErrs []error
	// plan and apply answer the n-th Plan and ApplyWith (from 0).
	plan  func(n int, people []access.Person) (*access.Plan, error)
	apply func(ctx context.Context, n int, plan *access.Plan) ([]access.Result, error)

	people  [][]access.Person // of each Plan
	applied []*access.Plan
	locks   int
	unlocks int
}

func (e *fakeEngine) Lock(context.Context) (LockedState, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.lockErrs) > 0 {
		err := e.lockErrs[0]
		e.lockErrs = e.lockErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	e.locks++
	return fakeLocked{e}, nil
}

type fakeLocked struct{ e *fakeEngine }

func (l fakeLocked) Plan(_ context.Context, people []access.Person, _ access.PlanOptions) (*access.Plan, error) {
	l.e.mu.Lock()
	n := len(l.e.people)
	l.e.people = append(l.e.people, people)
	plan := l.e.plan
	l.e.mu.Unlock()
	if plan == nil {
		return &access.Plan{}, nil
	}
	return plan(n, people)
}

func (l fakeLocked) ApplyWith(ctx context.Context, plan *access.Plan, _ access.ApplyOptions) ([]access.Result, error) {
	l.e.mu.Lock()
	n := len(l.e.applied)
	l.e.applied = append(l.e.applied, plan)
	apply := l.e.apply
	l.e.mu.Unlock()
	if apply == nil {
		return results(plan, access.Done), nil
	}
	return apply(ctx, n, plan)
}

func (l fakeLocked) Unlock() error {
	l.e.mu.Lock()
	defer l.e.mu.Unlock()
	l.e.unlocks++
	return nil
}

func (e *fakeEngine) counts() (plans, applies, locks, unlocks int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.people), len(e.applied), e.locks, e.unlocks
}

// results ends every change of plan with outcome.
func results(plan *access.Plan, outcome access.Outcome) []access.Result {
	var out []access.Result
	for _, c := range plan.Changes {
		res := access.Result{Change: c, Outcome: outcome}
		if outcome != access.Done && outcome != access.AlreadyDone {
			res.Err = errors.New("503 Service Unavailable")
		}
		out = append(out, res)
	}
	return out
}

func boxChange(email string, action access.Action) access.Change {
	return access.Change{Email: email, Action: action, Grant: access.Grant{Vendor: invitations.Box, Kind: "group", Scope: "119721", Level: "member"}}
}

// planOf is a plan of changes.
func planOf(changes ...access.Change) *access.Plan {
	return &access.Plan{Changes: changes, GrantsRead: 20}
}

// harness runs a Reconciler on a fake engine and a memory store, and
// gives each run's report on runs.
type harness struct {
	t      *testing.T
	engine *fakeEngine
	store  scim.Store
	rec    *Reconciler
	runs   chan RunReport
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// syncBuffer is a buffer the Reconciler's goroutine writes and the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var testFile = &desired.File{
	Path:   "people.yaml",
	People: []access.Person{{Email: "lead@example.com", Roles: []string{"engineering"}}},
	Groups: map[string][]string{"Engineering": {"engineering"}},
}

func newHarness(t *testing.T, engine *fakeEngine, opts ...Option) *harness {
	t.Helper()
	return newHarnessOn(t, scim.NewMemoryStore(), engine, opts...)
}

// newHarnessOn is newHarness on store.
func newHarnessOn(t *testing.T, store scim.Store, engine *fakeEngine, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t, engine: engine, store: store, runs: make(chan RunReport, 64), logs: &syncBuffer{}}
	opts = append([]Option{
		WithDebounce(0), WithPollEvery(0), WithBackoff(0, 0),
		WithLogger(slog.New(slog.NewJSONHandler(h.logs, nil))),
		WithOnRun(func(r RunReport) { h.runs <- r }),
	}, opts...)
	rec, err := NewReconciler(engine, h.store, testFile, opts...)
	require.NoError(t, err)
	h.rec = rec
	return h
}

// start runs the Reconciler until the test ends (or stop).
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.rec.Run(ctx) }()
	h.t.Cleanup(func() { h.stop() })
}

// stop ends Run and returns its error.
func (h *harness) stop() error {
	h.cancel()
	select {
	case err, ok := <-h.done:
		if ok {
			close(h.done)
		}
		return err
	case <-time.After(10 * time.Second):
		h.t.Fatal("Run did not return")
		return nil
	}
}

// next returns the next run's report.
func (h *harness) next() RunReport {
	h.t.Helper()
	select {
	case r := <-h.runs:
		return r
	case <-time.After(10 * time.Second):
		h.t.Fatal("no run")
		return RunReport{}
	}
}

// putUser writes a SCIM user into the store as the SCIM handler would.
func (h *harness) putUser(id, userName, email string, active bool) {
	h.t.Helper()
	attrs, err := json.Marshal(map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName, "active": active,
		"emails": []map[string]any{{"value": email, "type": "work", "primary": true}},
	})
	require.NoError(h.t, err)
	_, err = h.store.Put(context.Background(), scim.Resource{Type: scim.TypeUser, ID: id, Unique: userName, Attributes: attrs}, 0)
	require.NoError(h.t, err)
}

// putGroup writes a SCIM group with members.
func (h *harness) putGroup(id, name string, members ...string) {
	h.t.Helper()
	var ms []map[string]string
	for _, m := range members {
		ms = append(ms, map[string]string{"value": m})
	}
	attrs, err := json.Marshal(map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": name, "members": ms,
	})
	require.NoError(h.t, err)
	_, err = h.store.Put(context.Background(), scim.Resource{Type: scim.TypeGroup, ID: id, Unique: name, Attributes: attrs}, 0)
	require.NoError(h.t, err)
}

// A run reads the store's users and groups, plans for the people they
// make with the file's, applies the plan under the lock, and reports and
// counts what happened.
func TestReconcilerAppliesWhatTheStoreHolds(t *testing.T) {
	t.Parallel()
	engine := &fakeEngine{plan: func(n int, people []access.Person) (*access.Plan, error) {
		if n == 0 {
			return planOf(), nil
		}
		return planOf(boxChange("ada@example.com", access.Create), boxChange("lead@example.com", access.Create)), nil
	}}
	h := newHarness(t, engine)
	h.start()
	first := h.next()
	assert.Equal(t, OutcomeNothingToDo, first.Outcome, "the run at start")
	assert.Equal(t, []access.Person{{Email: "lead@example.com", Roles: []string{"engineering"}}}, engine.people[0])

	h.putUser("u1", "ada", "ada@example.com", true)
	h.putGroup("g1", "Engineering", "u1")
	h.rec.Notify()
	rep := h.next()
	assert.Equal(t, OutcomeApplied, rep.Outcome)
	assert.NoError(t, rep.Err)
	assert.Equal(t, 2, rep.People)
	assert.Equal(t, 2, rep.Changes)
	assert.Equal(t, map[access.Outcome]int{access.Done: 2}, rep.Results)
	assert.False(t, rep.Retry)
	gen, err := h.store.Generation(context.Background())
	require.NoError(t, err)
	assert.Equal(t, gen, rep.Generation)
	assert.Equal(t, []access.Person{
		{Email: "lead@example.com", Roles: []string{"engineering"}},
		{Email: "ada@example.com", Roles: []string{"engineering"}},
	}, engine.people[1])
	plans, applies, locks, unlocks := engine.counts()
	assert.Equal(t, []int{2, 1, 2, 2}, []int{plans, applies, locks, unlocks}, "an empty plan is not applied; every lock released")

	metrics := scrape(t, h.rec.Metrics())
	assert.Contains(t, metrics, `invitations_applies_total{outcome="applied"} 1`)
	assert.Contains(t, metrics, `invitations_applies_total{outcome="nothing_to_do"} 1`)
	assert.Contains(t, metrics, `invitations_changes_total{outcome="done"} 2`)
	assert.Contains(t, metrics, `invitations_changes_total{outcome="in_doubt"} 0`)
	assert.Regexp(t, `invitations_last_successful_apply_timestamp_seconds [0-9.e+]+\n`, metrics)

	logs := h.logs.String()
	assert.Contains(t, logs, `"msg":"scim: reconciled","outcome":"applied","generation":2,"people":2,"changes":2,"removals":0`)
	assert.NotContains(t, logs, "ada@example.com", "a SCIM user's email is not logged")
}

// A plan with problems is not applied, counted, and not tried again until
// new input comes.
func TestReconcilerRefusesAPlanWithProblems(t *testing.T) {
	t.Parallel()
	engine := &fakeEngine{plan: func(n int, _ []access.Person) (*access.Plan, error) {
		p := planOf(boxChange("ada@example.com", access.Create))
		if n == 0 {
			p.Problems = []access.Problem{{Email: "ada@example.com", Vendor: invitations.Box, Reason: `no group "Engineerin"`}}
		}
		return p, nil
	}}
	h := newHarness(t, engine)
	h.putUser("u1", "ada", "ada@example.com", true)
	h.start()
	rep := h.next()
	assert.Equal(t, OutcomeRefusedProblems, rep.Outcome)
	assert.EqualError(t, rep.Err, "the plan lists 1 problem(s)")
	assert.False(t, rep.Retry, "not retried: the same input gives the same problems")
	_, applies, _, _ := engine.counts()
	assert.Zero(t, applies, "nothing sent")
	assert.Contains(t, scrape(t, h.rec.Metrics()), `invitations_applies_total{outcome="refused_problems"} 1`)
	logs := h.logs.String()
	assert.Contains(t, logs, `"msg":"scim: problem","vendor":"box","person":"ada","field":"","reason":"no group \"Engineerin\""`, "the person by userName")

	h.rec.Notify()
	assert.Equal(t, OutcomeApplied, h.next().Outcome, "new input: a new run")
}

// A plan removing more grants than the limit is not applied.
func TestReconcilerRefusesMassRemovals(t *testing.T) {
	t.Parallel()
	engine := &fakeEngine{plan: func(int, []access.Person) (*access.Plan, error) {
		return planOf(boxChange("a@example.com", access.Remove), boxChange("b@example.com", access.Remove), boxChange("c@example.com", access.Remove)), nil
	}}
	var asked *access.Plan
	h := newHarness(t, engine, WithRemovalLimit(func(p *access.Plan) (int, string) { asked = p; return 2, "--max-removals" }))
	h.start()
	rep := h.next()
	assert.Equal(t, OutcomeRefusedRemovals, rep.Outcome)
	assert.EqualError(t, rep.Err, "the plan removes 3 grants, more than 2 (--max-removals)")
	assert.Equal(t, 3, rep.Removals)
	assert.False(t, rep.Retry)
	assert.Equal(t, 20, asked.GrantsRead, "the limit sees the plan")
	_, applies, _, _ := engine.counts()
	assert.Zero(t, applies)
	assert.Contains(t, scrape(t, h.rec.Metrics()), `invitations_applies_total{outcome="refused_removals"} 1`)
}

// A run whose changes fail is retried, waiting min, then twice as long
// each time up to max, until it succeeds; then nothing runs until new
// input.
func TestReconcilerRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	t0 := clock.Now()
	engine := &fakeEngine{
		plan: func(int, []access.Person) (*access.Plan, error) {
			return planOf(boxChange("lead@example.com", access.Create)), nil
		},
		apply: func(_ context.Context, n int, plan *access.Plan) ([]access.Result, error) {
			switch n {
			case 0:
				return results(plan, access.Failed), nil
			case 1:
				return results(plan, access.InDoubt), nil
			case 2:
				return nil, errors.New("access: saving the state: disk full")
			case 3:
				return results(plan, access.Skipped), nil
			}
			return results(plan, access.Done), nil
		},
	}
	h := newHarness(t, engine, WithClock(clock), WithBackoff(time.Second, 3*time.Second))
	h.start()
	at := t0
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second} {
		rep := h.next()
		assert.Equal(t, OutcomeFailed, rep.Outcome, "run %d", i)
		assert.Equal(t, at, rep.Started, "run %d", i)
		assert.True(t, rep.Retry, "run %d", i)
		assert.Equal(t, wait, rep.RetryIn, "run %d", i)
		at = at.Add(wait)
		clock.waitTimer(t, at)
		clock.Advance(wait)
	}
	rep := h.next()
	assert.Equal(t, OutcomeApplied, rep.Outcome)
	assert.Equal(t, at, rep.Started)
	assert.False(t, rep.Retry)
	assert.Contains(t, scrape(t, h.rec.Metrics()), `invitations_applies_total{outcome="failed"} 4`)
	assert.Contains(t, scrape(t, h.rec.Metrics()), `invitations_changes_total{outcome="skipped"} 1`)
	assert.Contains(t, h.logs.String(), `"msg":"scim: change not done","vendor":"box","action":"create","kind":"group","person":"lead@example.com","outcome":"failed","error":"503 Service Unavailable"`)

	// The backoff starts over after a success.
	engine.mu.Lock()
	engine.apply = func(_ context.Context, _ int, plan *access.Plan) ([]access.Result, error) {
		return results(plan, access.Failed), nil
	}
	engine.mu.Unlock()
	h.rec.Notify()
	rep = h.next()
	assert.Equal(t, OutcomeFailed, rep.Outcome)
	assert.Equal(t, time.Second, rep.RetryIn)
}

// The state held by another process: retried with backoff.
func TestReconcilerRetriesWhileTheStateIsLocked(t *testing.T) {
	t.Parallel()
	locked := errors.Join(access.ErrLocked, errors.New("held by serve on host-2"))
	engine := &fakeEngine{lockErrs: []error{locked, locked}}
	h := newHarness(t, engine)
	h.start()
	for range 2 {
		rep := h.next()
		assert.Equal(t, OutcomeLocked, rep.Outcome)
		assert.True(t, rep.Retry)
	}
	assert.Equal(t, OutcomeNothingToDo, h.next().Outcome)
	plans, _, _, _ := engine.counts()
	assert.Equal(t, 1, plans, "nothing read while the state was locked")
	assert.Contains(t, scrape(t, h.rec.Metrics()), `invitations_applies_total{outcome="locked"} 2`)
}

// A desired state that cannot be planned waits for new input instead of
// being retried.
func TestReconcilerDoesNotRetryAnUnplannableState(t *testing.T) {
	t.Parallel()
	engine := &fakeEngine{plan: func(int, []access.Person) (*access.Plan, error) {
		return nil, access.ErrPruneEverything
	}}
	h := newHarness(t, engine)
	h.start()
	rep := h.next()
	assert.Equal(t, OutcomeFailed, rep.Outcome)
	assert.ErrorIs(t, rep.Err, access.ErrPruneEverything)
	assert.False(t, rep.Retry)
}

// Input is applied once it has been still for the debounce, and no later
// than the max delay after it began.
func TestReconcilerDebounces(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	t0 := clock.Now()
	h := newHarness(t, &fakeEngine{}, WithClock(clock), WithDebounce(2*time.Second), WithMaxDelay(5*time.Second))
	h.start()

	// The run at start waits for the debounce too.
	clock.waitTimer(t, t0.Add(2*time.Second))
	clock.Advance(2 * time.Second)
	assert.Equal(t, t0.Add(2*time.Second), h.next().Started)

	// A second change within the debounce moves the run.
	t1 := clock.Now()
	h.rec.Notify()
	clock.waitTimer(t, t1.Add(2*time.Second))
	clock.Advance(time.Second)
	h.rec.Notify()
	clock.waitTimer(t, t1.Add(3*time.Second))
	clock.Advance(time.Second)
	clock.Advance(time.Second)
	assert.Equal(t, t1.Add(3*time.Second), h.next().Started, "2s after the last change, not the first")

	// Changes that go on are applied after the max delay.
	t2 := clock.Now()
	for i := range 5 {
		h.rec.Notify()
		clock.waitTimer(t, t2.Add(min(time.Duration(i)*time.Second+2*time.Second, 5*time.Second)))
		clock.Advance(time.Second)
	}
	assert.Equal(t, t2.Add(5*time.Second), h.next().Started)
}

// Writes through another process are seen in the store's generation,
// read every poll.
func TestReconcilerPollsTheStoresGeneration(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	t0 := clock.Now()
	engine := &fakeEngine{}
	h := newHarness(t, engine, WithClock(clock), WithPollEvery(time.Second))
	h.start()
	assert.Equal(t, t0, h.next().Started)

	// Nothing new: no run.
	clock.waitTimer(t, t0.Add(time.Second))
	clock.Advance(time.Second)
	clock.waitTimer(t, t0.Add(2*time.Second))
	h.putUser("u1", "ada", "ada@example.com", true) // no Notify: another process
	clock.Advance(time.Second)
	rep := h.next()
	assert.Equal(t, t0.Add(2*time.Second), rep.Started, "the first poll after the write")
	assert.Equal(t, int64(1), rep.Generation)
	plans, _, _, _ := engine.counts()
	assert.Equal(t, 2, plans)
}

// Stopped during an apply, Run lets it finish within the grace, without
// ending its context; past the grace, the apply's context ends (the
// engine then sends nothing more and records what it did). Run returns
// only once the apply has.
func TestReconcilerStopLetsTheApplyFinish(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		pastGrace bool
	}{{"within the grace", false}, {"past the grace", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			applying, release := make(chan struct{}), make(chan struct{})
			engine := &fakeEngine{
				plan: func(int, []access.Person) (*access.Plan, error) {
					return planOf(boxChange("lead@example.com", access.Create)), nil
				},
				apply: func(ctx context.Context, _ int, plan *access.Plan) ([]access.Result, error) {
					close(applying)
					select {
					case <-release:
						return results(plan, access.Done), nil
					case <-ctx.Done():
						return results(plan, access.Skipped), nil
					}
				},
			}
			h := newHarness(t, engine, WithClock(clock), WithStopGrace(30*time.Second))
			h.start()
			<-applying
			stopped := make(chan error, 1)
			go func() { stopped <- h.stop() }()
			clock.waitTimer(t, clock.Now().Add(30*time.Second))
			select {
			case <-stopped:
				t.Fatal("Run returned during the apply")
			default:
			}
			want := OutcomeApplied
			if tc.pastGrace {
				clock.Advance(30 * time.Second)
				want = OutcomeFailed
			} else {
				close(release)
			}
			rep := h.next()
			assert.Equal(t, want, rep.Outcome)
			assert.False(t, rep.Retry, "stopping: no retry")
			require.NoError(t, <-stopped)
		})
	}
}

func TestNewReconcilerRefusesBadOptions(t *testing.T) {
	t.Parallel()
	store := scim.NewMemoryStore()
	for _, tc := range []struct {
		opt  Option
		want string
	}{
		{WithDebounce(-time.Second), "serve: WithDebounce: must not be negative (got -1s)"},
		{WithBackoff(time.Minute, time.Second), "serve: WithBackoff: max (1s) must not be below min (1m0s)"},
		{WithPollEvery(-1), "serve: WithPollEvery: must not be negative (got -1ns)"},
		{WithLogger(nil), "serve: WithLogger: logger must not be nil"},
	} {
		_, err := NewReconciler(&fakeEngine{}, store, testFile, tc.opt)
		assert.EqualError(t, err, tc.want)
	}
	_, err := NewReconciler(nil, store, testFile)
	assert.EqualError(t, err, "serve: NewReconciler: engine must not be nil")
}

// One Run at a time.
func TestReconcilerRunsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, &fakeEngine{})
	h.start()
	h.next()
	assert.EqualError(t, h.rec.Run(context.Background()), "serve: Reconciler.Run: already running")
}
