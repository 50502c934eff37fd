package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
	"github.com/invitesdk/invitations/cmd/invitations/internal/serve"
	"github.com/invitesdk/invitations/fake"
)

// The load: what an identity provider pushes when a company of 1,000
// people in 50 groups is first assigned to the application, at the pace
// of a provisioning client.
const (
	loadUsers   = 1000
	loadGroups  = 50
	loadPerSec  = 50   // SCIM requests per second
	loadQuota   = 3000 // each vendor's quota, requests per minute
	loadToken   = "load-token"
	loadTimeout = 10 * time.Minute
)

// loadFile maps every group to one role: a GitGuardian membership and a
// Portworx tenant invitation, two vendors' writes per person.
func loadFile(b *testing.B) *desired.File {
	var y strings.Builder
	y.WriteString("roles:\n  staff:\n    gitguardian: {access_level: member}\n")
	fmt.Fprintf(&y, "    portworx: [{tenant: %s, roles: [tenant-viewer]}]\ngroups:\n", fake.PortworxDemoTenantID)
	for g := range loadGroups {
		fmt.Fprintf(&y, "  group-%02d: [staff]\n", g)
	}
	f, err := desired.Parse("load.yaml", []byte(y.String()))
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkSCIMLoad pushes 1,000 users and 50 groups (created, then their
// members added 20 at a time, 1,100 requests) at 50 requests per second to
// a server whose vendors (the fake) enforce a quota, and reports:
//   - scim-p99-ms: the 99th percentile of the SCIM requests' latency;
//   - match-s: from the first request until the vendors hold every
//     person's grants;
//   - bound-s: the least time that can take: the longer of the push
//     (1,100 / 50 per second) and the busiest vendor's requests at its
//     quota (quota-s);
//   - match/bound: their ratio, 1 at best.
func BenchmarkSCIMLoad(b *testing.B) {
	for b.Loop() {
		loadOnce(b)
	}
}

func loadOnce(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	vendors := []invitations.API{invitations.GitGuardian, invitations.Portworx}
	var fopts []fake.Option
	var copts []invitations.Option
	for _, v := range vendors {
		// The vendor's bucket holds a few requests, as real ones do: the
		// client's limiter paces at the quota, and a request a
		// millisecond early is not a 429 that pauses the vendor.
		fopts = append(fopts, fake.WithQuota(v, loadQuota, 10))
		copts = append(copts, invitations.WithRateLimit(v, loadQuota, 1))
	}
	vendorSrv, err := fake.Start("127.0.0.1:0", fopts...)
	if err != nil {
		b.Fatal(err)
	}
	defer vendorSrv.Close()
	client, err := vendorSrv.Client(copts...)
	if err != nil {
		b.Fatal(err)
	}
	file := loadFile(b)
	m, err := access.New(client, access.NewFileStore(filepath.Join(b.TempDir(), "state.json")),
		access.WithVendors(vendors...), access.WithRoles(file.Roles...))
	if err != nil {
		b.Fatal(err)
	}
	store := scim.NewMemoryStore()
	runs := make(chan serve.RunReport, 64)
	rec, err := serve.NewReconciler(serve.ManagerEngine(m), store, file,
		serve.WithOnRun(func(r serve.RunReport) { runs <- r }),
		serve.WithRemovalLimit(func(*access.Plan) (int, string) { return -1, "none" }))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := serve.NewServer(rec, serve.WithToken(loadToken))
	if err != nil {
		b.Fatal(err)
	}
	web := httptest.NewServer(srv.Handler())
	defer web.Close()
	recDone := make(chan error, 1)
	go func() { recDone <- rec.Run(ctx) }()

	push := newPusher(web.URL+"/scim/v2", loadPerSec)
	start := time.Now()
	ids := make([]string, loadUsers)
	push.each(loadUsers, func(i int) (string, string, any) {
		return http.MethodPost, "/Users", map[string]any{
			"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
			"userName": fmt.Sprintf("load%04d@example.com", i),
			"active":   true,
			"emails":   []map[string]any{{"value": fmt.Sprintf("load%04d@example.com", i), "type": "work", "primary": true}},
		}
	}, func(i int, body map[string]any) { ids[i], _ = body["id"].(string) })
	groupIDs := make([]string, loadGroups)
	push.each(loadGroups, func(g int) (string, string, any) {
		return http.MethodPost, "/Groups", map[string]any{
			"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
			"displayName": fmt.Sprintf("group-%02d", g),
		}
	}, func(g int, body map[string]any) { groupIDs[g], _ = body["id"].(string) })
	const perPatch = loadUsers / loadGroups / 2
	push.each(2*loadGroups, func(k int) (string, string, any) {
		g, half := k/2, k%2
		var members []map[string]string
		for i := range perPatch {
			members = append(members, map[string]string{"value": ids[g*2*perPatch+half*perPatch+i]})
		}
		return http.MethodPatch, "/Groups/" + groupIDs[g], map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []map[string]any{{"op": "add", "path": "members", "value": members}},
		}
	}, nil)
	pushed := time.Since(start)
	if err := push.err(); err != nil {
		b.Fatal(err)
	}
	final, err := store.Generation(ctx)
	if err != nil {
		b.Fatal(err)
	}
	// The vendors match once a run that read every write applied all.
	for {
		var r serve.RunReport
		select {
		case r = <-runs:
		case <-ctx.Done():
			b.Fatal("the vendors never matched")
		}
		b.Logf("run: gen %d people %d changes %d results %v outcome %s err %v took %s", r.Generation, r.People, r.Changes, r.Results, r.Outcome, r.Err, r.Ended.Sub(r.Started))
		done := r.Outcome == serve.OutcomeApplied || r.Outcome == serve.OutcomeNothingToDo
		if done && r.Generation >= final {
			break
		}
		if !done && r.Outcome != serve.OutcomeFailed {
			b.Fatalf("run refused: %s: %v", r.Outcome, r.Err)
		}
	}
	matched := time.Since(start)
	cancel()
	<-recDone

	// What the vendors were sent until they matched (the check below
	// reads more).
	perVendor := map[string]int{}
	for _, r := range vendorSrv.Requests() {
		perVendor[strings.SplitN(string(r.Operation), ".", 2)[0]]++
	}
	// The vendors match: a plan of what the identity provider pushed has
	// nothing left to do.
	users, err := scim.Users(context.Background(), store)
	if err != nil {
		b.Fatal(err)
	}
	groups, err := scim.Groups(context.Background(), store)
	if err != nil {
		b.Fatal(err)
	}
	people, _ := serve.People(file, users, groups, false)
	if len(people) != loadUsers {
		b.Fatalf("%d people, want %d", len(people), loadUsers)
	}
	plan, err := m.Plan(context.Background(), people, access.PlanOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if !plan.Empty() || len(plan.Problems) > 0 {
		b.Fatalf("the vendors do not match: %d changes, %d problems", len(plan.Changes), len(plan.Problems))
	}
	busiest := slices.Max(slices.Collect(maps.Values(perVendor)))
	quota := time.Duration(float64(busiest) / (loadQuota / 60.0) * float64(time.Second))
	bound := max(quota, time.Duration(push.sent())*time.Second/loadPerSec)
	b.ReportMetric(push.p99().Seconds()*1000, "scim-p99-ms")
	b.ReportMetric(matched.Seconds(), "match-s")
	b.ReportMetric(pushed.Seconds(), "push-s")
	b.ReportMetric(quota.Seconds(), "quota-s")
	b.ReportMetric(bound.Seconds(), "bound-s")
	b.ReportMetric(matched.Seconds()/bound.Seconds(), "match/bound")
}

// pusher sends SCIM requests at a fixed rate, each on its own goroutine
// (an open loop: a slow answer does not slow the pace), and keeps their
// latencies.
type pusher struct {
	base  string
	every time.Duration

	mu        sync.Mutex
	latencies []time.Duration
	failed    error
}

func newPusher(base string, perSec int) *pusher {
	return &pusher{base: base, every: time.Second / time.Duration(perSec)}
}

// each sends n requests, one per tick, and waits for their answers: a
// batch depends on the one before (members need their users' ids).
func (p *pusher) each(n int, req func(i int) (method, path string, body any), got func(i int, body map[string]any)) {
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	var wg sync.WaitGroup
	for i := range n {
		<-tick.C
		method, path, body := req(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			answer, err := p.send(method, path, body)
			if err != nil {
				p.mu.Lock()
				p.failed = err
				p.mu.Unlock()
				return
			}
			if got != nil {
				got(i, answer)
			}
		}()
	}
	wg.Wait()
}

func (p *pusher) send(method, path string, body any) (map[string]any, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, p.base+path, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+loadToken)
	req.Header.Set("Content-Type", "application/scim+json")
	began := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var answer map[string]any
	decodeErr := json.NewDecoder(resp.Body).Decode(&answer)
	p.mu.Lock()
	p.latencies = append(p.latencies, time.Since(began))
	p.mu.Unlock()
	if resp.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s: %v", method, path, resp.Status, answer)
	}
	return answer, decodeErr
}

func (p *pusher) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failed
}

func (p *pusher) sent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.latencies)
}

func (p *pusher) p99() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := slices.Clone(p.latencies)
	slices.Sort(l)
	return l[len(l)*99/100]
}
