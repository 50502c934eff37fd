package access_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
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

// team is n people the demo data knows in Box (user201@example.com and
// on), each wanted on all five vendors.
func team(n int) []access.Person {
	people := make([]access.Person, n)
	for i := range people {
		p := access.Person{
			Email:       fmt.Sprintf("user%03d@example.com", 201+i),
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember},
			Box:         []access.BoxMembership{{GroupName: "Engineering"}},
			Freestyle: &access.FreestyleAccess{
				Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
			},
			Portworx: []access.PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-admin"}}},
		}
		if i%5 == 0 {
			p.Freestyle.VMs = []access.FreestyleVMPermission{{VMID: invitationstest.FreestyleDemoVMID}}
		}
		people[i] = p
	}
	// The demo person also has a BIMData invitation to accept.
	people = append(people, access.Person{Email: invitationstest.DemoPersonEmail, BIMData: &access.BIMDataAccess{Accept: true}})
	return people
}

type env struct {
	srv     *invitationstest.TestServer
	client  *invitations.Client
	manager *access.Manager
	store   access.Store
	writes  atomic.Int64 // write requests sent, counted by a request hook
}

func newEnv(t *testing.T, clientOpts ...invitations.Option) *env {
	t.Helper()
	e := &env{srv: invitationstest.NewTestServer(t, invitationstest.WithDemoData())}
	opts := append([]invitations.Option{invitations.WithRequestHook(func(info invitations.RequestInfo) {
		if info.Method != http.MethodGet {
			e.writes.Add(1)
		}
	})}, clientOpts...)
	c, err := e.srv.Client(opts...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	e.client = c
	e.store = access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	// The state that goes with the demo data: whose each demo identity is.
	seed := access.NewSnapshot()
	for email, id := range e.srv.DemoFreestyleOwners() {
		access.SetFreestyleIdentity(seed, email, id)
	}
	require.NoError(t, e.store.Save(t.Context(), seed))
	e.manager, err = access.New(c, e.store, access.WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	require.NoError(t, err)
	return e
}

// converge plans and applies until the plan is empty, at most rounds
// times, and returns how many rounds it took.
func (e *env) converge(t *testing.T, people []access.Person, rounds int) int {
	t.Helper()
	for i := range rounds {
		plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
		require.NoError(t, err)
		if plan.Empty() {
			return i
		}
		_, err = e.manager.Apply(t.Context(), plan)
		require.NoError(t, err)
	}
	t.Fatalf("still changes after %d rounds", rounds)
	return rounds
}

// orphanIdentities counts the Freestyle identities the state ties to
// nobody.
func (e *env) orphanIdentities(t *testing.T) int {
	t.Helper()
	n := 0
	for rec, err := range e.manager.Audit(t.Context()) {
		require.NoError(t, err)
		if rec.Grant.Vendor == invitations.Freestyle && rec.Grant.Kind == access.KindIdentity && rec.Email == "" {
			n++
		}
	}
	return n
}

// assertNoDuplicates audits every vendor and fails on a grant held twice
// by one of people, or on a Freestyle identity that is nobody's beyond the
// orphans there were before.
func (e *env) assertNoDuplicates(t *testing.T, people []access.Person, orphansBefore int) {
	t.Helper()
	// The vendors each person asks for: the demo data gives some people
	// other grants of its own (the demo person is a GitGuardian member
	// with an invitation too), which are not this test's business.
	listed := map[string]map[invitations.API]bool{}
	for _, p := range people {
		listed[strings.ToLower(p.Email)] = map[invitations.API]bool{
			invitations.GitGuardian: p.GitGuardian != nil, invitations.Box: len(p.Box) > 0,
			invitations.Freestyle: p.Freestyle != nil, invitations.Portworx: len(p.Portworx) > 0,
		}
	}
	seen := map[string]int{}
	orphans := 0
	for rec, err := range e.manager.Audit(t.Context()) {
		require.NoError(t, err)
		switch {
		case rec.Grant.Vendor == invitations.Freestyle && rec.Grant.Kind == access.KindIdentity && rec.Email == "":
			orphans++
		case listed[strings.ToLower(rec.Email)][rec.Grant.Vendor]:
			seen[rec.Grant.Key(rec.Email)]++
		}
	}
	for k, n := range seen {
		assert.Equal(t, 1, n, "duplicate grant %s", k)
	}
	assert.Equal(t, orphansBefore, orphans, "no identity created twice or left behind")
	for _, p := range people {
		if p.GitGuardian != nil {
			assert.Equal(t, 1, seen[access.Grant{Vendor: invitations.GitGuardian, Kind: access.KindWorkspace}.Key(p.Email)], p.Email)
		}
		if p.Freestyle != nil {
			assert.Equal(t, 1, seen[access.Grant{Vendor: invitations.Freestyle, Kind: access.KindIdentity}.Key(p.Email)], p.Email)
		}
	}
}

// fakeWrites counts the write requests in the fake's log.
func fakeWrites(srv *invitationstest.TestServer) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			n++
		}
	}
	return n
}

func TestPlanApplyThenASecondRunSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(50)
	orphans := e.orphanIdentities(t)
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.False(t, plan.Empty())
	assert.Zero(t, e.writes.Load(), "a plan is made from reads only")
	assert.Empty(t, plan.Problems)

	results, err := e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, len(plan.Changes))
	for _, r := range results {
		assert.Contains(t, []access.Outcome{access.Done, access.AlreadyDone}, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}

	again, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, again.Empty(), "second plan: %v", again.Changes)
	before, logged := e.writes.Load(), fakeWrites(e.srv)
	results, err = e.manager.Apply(t.Context(), again)
	require.NoError(t, err)
	assert.Empty(t, results)
	assert.Equal(t, before, e.writes.Load(), "a second apply sends no write")
	assert.Equal(t, logged, fakeWrites(e.srv), "and the fake's request log agrees")
	e.assertNoDuplicates(t, people, orphans)
}

func TestFaultsAtEveryChangeConvergeWithoutDuplicates(t *testing.T) {
	t.Parallel()
	// A 2 s client timeout turns the latency fault into a timeout after
	// the fake acted.
	e := newEnv(t, invitations.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}))
	people := team(12)
	orphans := e.orphanIdentities(t)
	for _, op := range []invitationstest.Operation{
		invitationstest.GitGuardianCreateInvitations, invitationstest.BoxCreateGroupMembership,
		invitationstest.FreestyleCreateIdentity, invitationstest.FreestyleGrantGitPermission,
		invitationstest.PortworxCreateInvitation, invitationstest.BIMDataAcceptInvitation,
	} {
		for _, f := range []invitationstest.Fault{
			{Status: http.StatusInternalServerError}, // refused before acting
			{Truncate: true},                         // acted, answer cut
			{Drop: true},                             // connection reset
			{Latency: 3 * time.Second},               // acted, the client timed out
		} {
			f.Operation = op
			e.srv.Inject(f)
		}
	}
	rounds := e.converge(t, people, 10)
	assert.GreaterOrEqual(t, rounds, 2, "the faults left changes failed or in doubt for a later round")
	e.assertNoDuplicates(t, people, orphans)
}

func TestCancelledAppliesResumeWithoutDuplicates(t *testing.T) {
	t.Parallel()
	for seed := range 20 {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(seed), 0))
			stopAfter := 1 + rng.Int64N(60)
			var ctx context.Context
			var cancel context.CancelFunc
			var sent atomic.Int64
			e := newEnv(t, invitations.WithRequestHook(func(info invitations.RequestInfo) {
				if info.Method != http.MethodGet && sent.Add(1) == stopAfter {
					cancel() // the operator presses Ctrl-C, somewhere
				}
			}))
			people := team(8)
			orphans := e.orphanIdentities(t)
			plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
			require.NoError(t, err)
			ctx, cancel = context.WithCancel(t.Context())
			results, err := e.manager.Apply(ctx, plan)
			cancel()
			require.NoError(t, err)
			require.Len(t, results, len(plan.Changes))
			e.converge(t, people, 5)
			e.assertNoDuplicates(t, people, orphans)
		})
	}
}

func TestASecondApplyOnTheSameStateFailsClearly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	unlock, err := e.store.Lock(t.Context())
	require.NoError(t, err)
	plan, err := e.manager.Plan(t.Context(), team(1), access.PlanOptions{})
	require.NoError(t, err)
	_, err = e.manager.Apply(t.Context(), plan)
	require.ErrorIs(t, err, access.ErrLocked)
	assert.Zero(t, e.writes.Load(), "nothing was sent")
	require.NoError(t, unlock())
	_, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
}

func TestPruneRemovesOnlyWhatItShould(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(3)
	e.converge(t, people, 3)

	// A hand-made grant in a scope the state names, and one the package
	// made that is no longer wanted.
	_, err := e.client.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: "119721"},
	}, nil)
	require.NoError(t, err)
	fewer := people[1:]

	plan, err := e.manager.Plan(t.Context(), fewer, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, plan.Empty(), "non-authoritative: nothing is removed: %v", plan.Changes)

	plan, err = e.manager.Plan(t.Context(), fewer, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	for _, c := range plan.Changes {
		assert.Equal(t, access.Remove, c.Action)
		assert.Equal(t, people[0].Email, c.Email, "only the grants it made for the person no longer listed: %s", c.Reason)
	}
	assert.NotEmpty(t, plan.Changes)

	plan, err = e.manager.Plan(t.Context(), fewer, access.PlanOptions{Prune: true, PruneAll: true})
	require.NoError(t, err)
	hand := false
	for _, c := range plan.Changes {
		hand = hand || c.Email == "sean@example.com"
	}
	assert.True(t, hand, "PruneAll also removes the hand-made membership in a named group")
}

// Asking for Freestyle names its identities, as asking for GitGuardian
// names its workspace: prune removes the identity this package made for a
// person who no longer asks for Freestyle while someone else does, after
// its permissions, and leaves alone one it did not make.
func TestPruneRemovesAFreestyleIdentityNobodyAsksFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	git := &access.FreestyleAccess{Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}}}
	e.converge(t, []access.Person{{Email: "user202@example.com", Freestyle: git}, {Email: "user203@example.com", Freestyle: git}}, 3)

	// The demo person's identity is the demo data's, not this package's.
	left := []access.Person{{Email: "user202@example.com"}, {Email: "user203@example.com", Freestyle: git}, {Email: invitationstest.DemoPersonEmail}}
	plan, err := e.manager.Plan(t.Context(), left, access.PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "without prune nothing is removed")
	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	var got []string
	for _, c := range plan.Changes {
		got = append(got, string(c.Action)+" "+c.Email+" "+string(c.Grant.Kind))
	}
	assert.Equal(t, []string{"remove user202@example.com git", "remove user202@example.com identity"}, got)
}

func TestOffboardListsEverythingThenRemovesIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := team(1)
	e.converge(t, people, 3)
	email := people[0].Email

	plan, err := e.manager.Offboard(t.Context(), email)
	require.NoError(t, err)
	vendors := map[invitations.API]bool{}
	for _, c := range plan.Changes {
		if c.Grant.Vendor == invitations.Box && c.Grant.Kind == access.KindAccount {
			// Box's default offboarding deactivates the account.
			assert.Equal(t, access.Update, c.Action)
			assert.Equal(t, "inactive", c.Grant.Level)
		} else {
			assert.Equal(t, access.Remove, c.Action)
		}
		vendors[c.Grant.Vendor] = true
	}
	for _, v := range []invitations.API{invitations.GitGuardian, invitations.Box, invitations.Freestyle, invitations.Portworx} {
		assert.True(t, vendors[v], "found on %s", v)
	}
	results, err := e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Contains(t, []access.Outcome{access.Done, access.AlreadyDone}, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	again, err := e.manager.Offboard(t.Context(), email)
	require.NoError(t, err)
	assert.True(t, again.Empty(), "nothing left: %v", again.Changes)

	// The demo person's BIMData user is deleted, and BIMData goes on
	// showing the invitation accepted: the state remembers the removal.
	plan, err = e.manager.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	_, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	before := fakeWrites(e.srv)
	again, err = e.manager.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.True(t, again.Empty(), "nothing left for the demo person: %v", again.Changes)
	assert.Equal(t, before, fakeWrites(e.srv))
}

func TestPlanRejectsBadPeopleBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.manager.Plan(t.Context(), []access.Person{{Email: "a@example.com", Box: []access.BoxMembership{{}}}}, access.PlanOptions{})
	var ipe *access.InvalidPersonError
	require.ErrorAs(t, err, &ipe)
	assert.Equal(t, "people[0].Box[0]", ipe.Field)
	n, rerr := e.srv.Fake.RequestCount(invitationstest.AnyOperation)
	require.NoError(t, rerr)
	assert.Zero(t, n)
}

func TestErrorsNameTheVendor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, invitations.WithMaxRetries(0))
	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.AllBox, Status: http.StatusForbidden, Times: -1})
	_, err := e.manager.Plan(t.Context(), team(1), access.PlanOptions{})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "box"), err.Error())
	assert.True(t, errors.Is(err, invitations.ErrForbidden))
}

// failingStore fails its Save number failAt (1-based), as a process
// killed right after a change reached the vendor would never record it.
type failingStore struct {
	access.Store
	saves  atomic.Int64
	failAt int64
}

func (s *failingStore) Save(ctx context.Context, snap *access.Snapshot) error {
	if s.saves.Add(1) == s.failAt {
		return errors.New("disk full")
	}
	return s.Store.Save(ctx, snap)
}

func TestAnIdentityCreatedButNeverRecordedIsAdoptedNotCreatedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	orphans := e.orphanIdentities(t)
	people := []access.Person{{Email: "user201@example.com", Freestyle: &access.FreestyleAccess{
		Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
	}}}
	// Saves: the identity create written ahead, then its outcome, which
	// never reaches the disk (the plan settled nothing: no save for it).
	broken, err := access.New(e.client, &failingStore{Store: e.store, failAt: 2}, access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err := broken.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	_, err = broken.Apply(t.Context(), plan)
	require.ErrorContains(t, err, "disk full")

	plan, err = e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	for _, c := range plan.Changes {
		assert.NotEqual(t, access.KindIdentity, c.Grant.Kind, "the identity that was made is adopted, not made again")
	}
	e.converge(t, people, 3)
	e.assertNoDuplicates(t, people, orphans)
}

// shippedVendors lists the vendors the SDK ships, in their one order.
func shippedVendors() []invitations.API {
	var out []invitations.API
	for _, v := range invitations.Vendors() {
		out = append(out, v.API)
	}
	return out
}
