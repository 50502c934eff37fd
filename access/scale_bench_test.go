//go:build unix

package access

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// BenchmarkScale plans, applies, plans again and audits for 1,000 and for
// 10,000 people, each asking for access on all five vendors (a GitGuardian
// membership, one of ten Box groups by name, a Freestyle identity with a
// git permission, a BIMData invitation to accept, a Portworx tenant
// invitation), against the fake with no quota and a file state. The fake
// runs in a process of its own (this test binary, see fakeChild), so that
// the CPU time and the heap measured are the tool's alone. It reports, as
// ratios measured in the same run:
//
//   - requests/minimum-plan and requests/minimum-replan: the largest, over
//     the five vendors, of the requests the plan made (counted by a request
//     hook) over the fewest its API allows (scaleMinimum): goal <= 1.1;
//   - apply-exponent: log10 of the apply's CPU time at 10,000 over that
//     at 1,000: goal <= 1.15;
//   - state-bytes/final: the bytes the 10,000 apply wrote to the state
//     (journal lines and the final compaction) over the final state file's
//     size: goal <= 3;
//   - audit-heap-10k/1k: the audit's peak live heap (HeapAlloc, the live
//     bytes, after a collection, sampled as often for both sizes, above
//     what it was before) for 10,000 people's records over that for
//     1,000's, with the same state (the 10,000 run's), each the least peak
//     of three audits: goal <= 1.2. The log adds both less the state.
//   - goroutines-max: the most goroutines seen during the 10,000 apply
//     (sampled every millisecond): goal <= 200.
func BenchmarkScale(b *testing.B) {
	for range b.N {
		small := runScale(b, 1_000)
		large := runScale(b, 10_000)
		b.ReportMetric(max(small.planRatio, large.planRatio), "requests/minimum-plan")
		b.ReportMetric(max(small.replanRatio, large.replanRatio), "requests/minimum-replan")
		b.ReportMetric(math.Log10(large.applyCPU.Seconds()/small.applyCPU.Seconds()), "apply-exponent")
		b.ReportMetric(float64(large.stateWritten)/float64(large.stateFinal), "state-bytes/final")
		// The audit's peak heap for 10,000 records and for 1,000, with
		// the same state (the 10,000 one's): what grows is the records'.
		same := NewFileStore(filepath.Join(b.TempDir(), "state.json"))
		data, err := os.ReadFile(large.store.Path())
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(same.Path(), data, 0o600); err != nil {
			b.Fatal(err)
		}
		// Each the least of three audits' peaks: the peak each audit
		// reaches every time, not a coincidence of pages one run met.
		heap1k, heap10k := uint64(math.MaxUint64), uint64(math.MaxUint64)
		for range 3 {
			heap1k = min(heap1k, auditPeak(b, small.client, same, small.people/50))
			heap10k = min(heap10k, auditPeak(b, large.client, large.store, large.people/50))
		}
		b.ReportMetric(float64(heap10k)/float64(max(heap1k, 1)), "audit-heap-10k/1k")
		// The same less the state (its heap measured apart), for the
		// record: what an audit holds beyond the state it loads.
		state := stateHeap(b, large.store)
		b.Logf("audit peak heap, same state (%d B): 1k records %d B, 10k records %d B; beyond the state: %d B and %d B",
			state, heap1k, heap10k, heap1k-min(heap1k, state), heap10k-min(heap10k, state))
		b.ReportMetric(float64(large.goroutinesMax), "goroutines-max")
		b.ReportMetric(large.applyCPU.Seconds(), "apply-cpu-s-10k")
		for _, r := range []scaleResult{small, large} {
			b.Logf("N=%d: plan %s, replan %s (requests/minimum of the worst vendor); apply %d changes in %s of CPU, %d goroutines at most; state %d B written, %d B final",
				r.people, r.planWorst, r.replanWorst, r.changes, r.applyCPU.Round(time.Millisecond), r.goroutinesMax, r.stateWritten, r.stateFinal)
		}
	}
}

// scaleResult is what runScale measured for one size.
type scaleResult struct {
	people                 int
	planRatio, replanRatio float64
	planWorst, replanWorst string // the vendor of the largest ratio, with its counts
	applyCPU               time.Duration
	changes                int
	stateWritten           int64
	stateFinal             int64
	client                 *invitations.Client
	store                  *countingStore
	goroutinesMax          int
}

// scalePeople is n people asking for access on all five vendors.
func scalePeople(n int) []Person {
	people := make([]Person, n)
	for i := range people {
		people[i] = Person{
			Email:       fmt.Sprintf("person%06d@example.com", i+1),
			GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember},
			Box:         []BoxMembership{{GroupName: fmt.Sprintf("Team %02d", i%10+1)}},
			Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{
				{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead},
			}},
			BIMData:  &BIMDataAccess{Accept: true},
			Portworx: []PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-admin"}}},
		}
	}
	return people
}

// requestCounter counts the requests a Client sends, per API.
type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *requestCounter) hook(ri invitations.RequestInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[strings.ToLower(ri.API)]++
}

func (c *requestCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = map[string]int{}
	return n
}

// countingStore is a FileStore that counts the bytes written to it.
type countingStore struct {
	*FileStore
	written atomic.Int64
}

func (s *countingStore) SaveDelta(ctx context.Context, d *Delta) error {
	line, err := json.Marshal(d)
	if err != nil {
		return err
	}
	s.written.Add(int64(len(line)) + 1)
	return s.FileStore.SaveDelta(ctx, d)
}

func (s *countingStore) Save(ctx context.Context, snap *Snapshot) error {
	if err := s.FileStore.Save(ctx, snap); err != nil {
		return err
	}
	s.written.Add(fileSize(s.Path()))
	return nil
}

func (s *countingStore) Compact(ctx context.Context) error {
	_, err := os.Stat(s.JournalPath())
	if err := s.FileStore.Compact(ctx); err != nil {
		return err
	}
	if err == nil { // there was a journal: the file was written whole
		s.written.Add(fileSize(s.Path()))
	}
	return nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fakeProcess is the fake served by a child process.
type fakeProcess struct {
	root string
	cmd  *exec.Cmd
}

// startFakeProcess starts this test binary as the fake (see fakeChild in
// filestore_test.go) with n generated people, and stops it when b ends.
func startFakeProcess(b *testing.B, n int) *fakeProcess {
	b.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "INVITATIONS_ACCESS_FAKE_CHILD="+strconv.Itoa(n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		b.Fatalf("the fake process said %q: %v", line, err)
	}
	return &fakeProcess{root: strings.TrimSpace(line), cmd: cmd}
}

func runScale(b *testing.B, n int) scaleResult {
	b.Helper()
	ctx := context.Background()
	srv := startFakeProcess(b, n)
	counter := &requestCounter{n: map[string]int{}}
	client, err := invitations.NewClient(append(invitationstest.ClientOptions(invitationstest.BaseURLsAt(srv.root)),
		invitations.WithRequestHook(counter.hook))...)
	if err != nil {
		b.Fatal(err)
	}
	defer client.CloseIdleConnections()
	store := &countingStore{FileStore: NewFileStore(filepath.Join(b.TempDir(), "state.json"))}
	// The state that goes with the demo data (the child's is the same):
	// whose each demo identity is.
	seed := NewSnapshot()
	for email, id := range invitationstest.NewFake(invitationstest.WithDemoData()).DemoFreestyleOwners() {
		SetFreestyleIdentity(seed, email, id)
	}
	if err := store.FileStore.Save(context.Background(), seed); err != nil {
		b.Fatal(err)
	}
	m, err := New(client, store, WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	if err != nil {
		b.Fatal(err)
	}
	people := scalePeople(n)
	res := scaleResult{people: n}

	minimum := scaleMinimum(b, client, people, NewSnapshot())
	counter.take()
	plan, err := m.Plan(ctx, people, PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	res.planRatio, res.planWorst = worstRatio(counter.take(), minimum)
	if len(plan.Problems) > 0 {
		b.Fatalf("N=%d: %d problems, the first: %+v", n, len(plan.Problems), plan.Problems[0])
	}
	res.changes = len(plan.Changes)

	// The apply, its CPU, its goroutines (sampled), its state writes.
	done := make(chan struct{})
	var sampler sync.WaitGroup
	var most atomic.Int64
	sampler.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			most.Store(max(most.Load(), int64(runtime.NumGoroutine())))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	runtime.GC()
	cpu := processCPU()
	results, err := m.Apply(ctx, plan)
	res.applyCPU = processCPU() - cpu
	close(done)
	sampler.Wait()
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		if r.Outcome != Done {
			b.Fatalf("N=%d: %s: %s %v", n, r.Change.Reason, r.Outcome, r.Err)
		}
	}
	// Less the sampler itself.
	res.goroutinesMax = int(most.Load()) - 1
	res.stateWritten = store.written.Load()
	res.stateFinal = fileSize(store.Path())

	snap, err := store.Load(ctx)
	if err != nil {
		b.Fatal(err)
	}
	minimum = scaleMinimum(b, client, people, snap)
	counter.take()
	replan, err := m.Plan(ctx, people, PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if !replan.Empty() {
		b.Fatalf("N=%d: the second plan has %d changes, the first: %s", n, len(replan.Changes), replan.Changes[0].Reason)
	}
	res.replanRatio, res.replanWorst = worstRatio(counter.take(), minimum)

	res.client, res.store = client, store
	return res
}

// auditPeak is the peak live heap (HeapAlloc after a collection, every
// `every` records, above what it was before) of an audit through c of the
// state store keeps. The peak is a maximum over samples: audits of other
// sizes are sampled as many times (every is proportional to their size),
// so that a longer one has no more chances to meet a coincidence of pages
// in flight.
func auditPeak(b *testing.B, c *invitations.Client, store Store, every int) uint64 {
	b.Helper()
	m, err := New(c, store, WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	if err != nil {
		b.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	count := 0
	for _, err := range m.Audit(context.Background()) {
		if err != nil {
			b.Fatal(err)
		}
		if count++; count%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc-min(ms.HeapAlloc, base))
		}
	}
	return peak
}

// stateHeap is the live heap of what an audit holds of the state store
// keeps: Freestyle's index of identity owners, built from the loaded
// snapshot, which the audit lets go once the connectors have read it.
func stateHeap(b *testing.B, store Store) uint64 {
	b.Helper()
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	snap, err := store.Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	sv := &stateView{snap: snap}
	owners := newFreestyleOwners(&ConnectorState{sv: sv, api: invitations.Freestyle})
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(owners)
	return ms.HeapAlloc - min(ms.HeapAlloc, base)
}

// worstRatio returns the largest ratio of requests made to the minimum,
// over the vendors, and which vendor it was.
func worstRatio(made map[string]int, minimum map[invitations.API]int) (float64, string) {
	worst, which := 0.0, ""
	for _, v := range shippedAPIs() {
		r := float64(made[string(v)]) / float64(max(minimum[v], 1))
		if r > worst {
			worst, which = r, fmt.Sprintf("%s %d/%d", v, made[string(v)], minimum[v])
		}
	}
	return worst, which
}

// Page sizes of the minimum: the largest each vendor documents (see the
// connectors).
const (
	scaleGitGuardianPage = 100
	scaleBoxPage         = 1000
)

// scaleMinimum counts, through the SDK, what the vendors hold, and
// returns the fewest requests a plan for people can make on each vendor,
// given snap: GitGuardian its invitations and its members, in pages of
// 100; Box its users, its groups and the members of each group the
// people name, in pages of 1,000; Freestyle its identities, in pages of
// freestyleIdentityPageSize, and the git and VM permissions of each identity
// the state maps (one request each: the API has no other way); BIMData its
// invitations, one unpaged request; Portworx each tenant's invitations, in
// pages of portworxPageSize.
func scaleMinimum(b *testing.B, c *invitations.Client, people []Person, snap *Snapshot) map[invitations.API]int {
	b.Helper()
	ctx := context.Background()
	pages := func(items, size int) int { return max(1, (items+size-1)/size) }
	least := map[invitations.API]int{}

	invs := 0
	for _, err := range c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: scaleGitGuardianPage}).All() {
		if err != nil {
			b.Fatal(err)
		}
		invs++
	}
	members := 0
	for _, err := range c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: scaleGitGuardianPage}).All() {
		if err != nil {
			b.Fatal(err)
		}
		members++
	}
	least[invitations.GitGuardian] = pages(invs, scaleGitGuardianPage) + pages(members, scaleGitGuardianPage)

	users := 0
	for _, err := range c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: scaleBoxPage, UseMarker: true}).All() {
		if err != nil {
			b.Fatal(err)
		}
		users++
	}
	groups := map[string]string{}
	for g, err := range c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{Limit: scaleBoxPage}).All() {
		if err != nil {
			b.Fatal(err)
		}
		groups[g.Name] = g.ID
	}
	least[invitations.Box] = pages(users, scaleBoxPage) + pages(len(groups), scaleBoxPage)
	named := map[string]bool{}
	for _, p := range people {
		for _, m := range p.Box {
			named[groups[m.GroupName]] = true
		}
	}
	for id := range named {
		n := 0
		for _, err := range c.Memberships.GetGroupMemberships(ctx, id, &invitations.ListMembershipsOptions{Limit: scaleBoxPage}).All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		least[invitations.Box] += pages(n, scaleBoxPage)
	}

	managed := false
	idents := 0
	for _, err := range c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{IncludeManaged: &managed, Limit: freestyleIdentityPageSize}).All() {
		if err != nil {
			b.Fatal(err)
		}
		idents++
	}
	identities := FreestyleIdentities(snap)
	mapped := 0
	for _, p := range people {
		if _, ok := identities[strings.ToLower(p.Email)]; ok {
			mapped++
		}
	}
	least[invitations.Freestyle] = pages(idents, freestyleIdentityPageSize) + 2*mapped

	least[invitations.BIMData] = 1

	px := 0
	for _, err := range c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: portworxPageSize}).All() {
		if err != nil {
			b.Fatal(err)
		}
		px++
	}
	least[invitations.Portworx] = pages(px, portworxPageSize)
	return least
}
