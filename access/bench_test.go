package access_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// The quota of every vendor in BenchmarkOnboard: Box's published budget
// scaled up six times, so that the run takes seconds.
const onboardPerMinute = 6000

// BenchmarkOnboard onboards 500 people on GitGuardian, Box, Freestyle and
// Portworx (five writes each: Freestyle's identity and its permission),
// against the fake with a quota on every vendor and the Client's limiter
// set to it. It reports the apply's wall time over the least time the
// slowest vendor's writes can take at its quota (its burst at once, the
// rest at the rate): 1.0 is vendors in parallel, each at its quota; goal
// <= 1.15.
func BenchmarkOnboard(b *testing.B) {
	const people = 500
	for range b.N {
		var fakeOpts []invitationstest.Option
		var clientOpts []invitations.Option
		burst := onboardPerMinute / 60
		for _, api := range []invitations.API{invitations.GitGuardian, invitations.Box, invitations.Freestyle, invitations.Portworx} {
			fakeOpts = append(fakeOpts, invitationstest.WithQuota(api, onboardPerMinute, burst))
			clientOpts = append(clientOpts, invitations.WithRateLimit(api, onboardPerMinute, burst))
		}
		srv := invitationstest.NewServer(append(fakeOpts, invitationstest.WithDemoData(), invitationstest.WithBoxLargeGroup(people))...)
		client, err := srv.Client(clientOpts...)
		if err != nil {
			b.Fatal(err)
		}
		m, err := access.New(client, access.NewFileStore(filepath.Join(b.TempDir(), "state.json")),
			access.WithVendors(invitations.GitGuardian, invitations.Box, invitations.Freestyle, invitations.Portworx),
			access.WithPortworxTenants(invitationstest.PortworxDemoTenantID), access.WithConcurrency(8))
		if err != nil {
			b.Fatal(err)
		}
		team := make([]access.Person, people)
		for i := range team {
			team[i] = access.Person{
				Email:       fmt.Sprintf("staff%05d@example.com", i+1),
				GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember},
				Box:         []access.BoxMembership{{GroupID: "119721"}},
				Freestyle: &access.FreestyleAccess{Git: []access.FreestyleGitPermission{
					{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead},
				}},
				Portworx: []access.PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-admin"}}},
			}
		}
		ctx := context.Background()
		plan, err := m.Plan(ctx, team, access.PlanOptions{NewIdentitiesOK: true}) // a new state
		if err != nil {
			b.Fatal(err)
		}
		writes := map[invitations.API]int{}
		for _, c := range plan.Changes {
			writes[c.Grant.Vendor]++
		}
		slowest := 0
		for _, n := range writes {
			slowest = max(slowest, n)
		}
		// The plan's reads took tokens too: wait for a full bucket so the
		// apply starts as a fresh run would.
		time.Sleep(time.Duration(float64(burst) / (onboardPerMinute / 60.0) * float64(time.Second)))
		start := time.Now()
		results, err := m.Apply(ctx, plan)
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		failed := 0
		for _, r := range results {
			if r.Outcome != access.Done && r.Outcome != access.AlreadyDone {
				failed++
			}
		}
		best := time.Duration(float64(slowest-burst) / (onboardPerMinute / 60.0) * float64(time.Second))
		b.ReportMetric(float64(wall)/float64(best), "wall/quota-bound")
		b.ReportMetric(float64(slowest), "slowest-vendor-writes")
		b.ReportMetric(float64(failed), "not-done")
		b.ReportMetric(wall.Seconds(), "s/apply")
		client.CloseIdleConnections()
		srv.Close()
	}
}

// BenchmarkOffboard offboards the demo person, known to every vendor, with
// 50 ms of latency on every call of the fake. It reports the wall time of
// Offboard plus Apply over the longest single-vendor chain (the same
// offboarding on that vendor alone): vendors run in parallel, so the goal
// is <= 1.3; sequential-sum/longest is what a loop over the vendors one
// after another would take.
func BenchmarkOffboard(b *testing.B) {
	run := func(vendors ...invitations.API) time.Duration {
		srv := invitationstest.NewServer(invitationstest.WithDemoData(), invitationstest.WithLatency(50*time.Millisecond))
		defer srv.Close()
		client, err := srv.Client()
		if err != nil {
			b.Fatal(err)
		}
		defer client.CloseIdleConnections()
		m, err := access.New(client, access.NewFileStore(filepath.Join(b.TempDir(), "state.json")),
			access.WithVendors(vendors...), access.WithPortworxTenants(invitationstest.PortworxDemoTenantID))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		plan, err := m.Offboard(context.Background(), invitationstest.DemoPersonEmail)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Apply(context.Background(), plan); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for range b.N {
		all := run(shippedVendors()...)
		var longest, sum time.Duration
		for _, v := range shippedVendors() {
			d := run(v)
			longest, sum = max(longest, d), sum+d
		}
		b.ReportMetric(float64(all)/float64(longest), "wall/longest-chain")
		b.ReportMetric(float64(sum)/float64(longest), "sequential-sum/longest")
		b.ReportMetric(all.Seconds(), "s/offboard")
	}
}

// BenchmarkAudit streams every GitGuardian member of a workspace of 10,000
// and of 100,000 and reports the audit's own peak live heap: HeapInuse
// right after a collection, every 2,000 records, above what it was before
// the audit. The fake's store lives in the same process and grows with the
// workspace, so heap before collection would measure the garbage its size
// allows, not the audit; its request log is emptied at each sample. Goal: the peak at 100,000 within 1.2 times the
// peak at 10,000.
func BenchmarkAudit(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			srv := invitationstest.NewServer(invitationstest.WithGeneratedMembers(n))
			defer srv.Close()
			client, err := srv.Client()
			if err != nil {
				b.Fatal(err)
			}
			defer client.CloseIdleConnections()
			m, err := access.New(client, access.NewFileStore(filepath.Join(b.TempDir(), "state.json")), access.WithVendors(invitations.GitGuardian))
			if err != nil {
				b.Fatal(err)
			}
			var ms runtime.MemStats
			var peak uint64
			srv.ClearRequests()
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base := ms.HeapInuse
			b.ResetTimer()
			for range b.N {
				count := 0
				for _, err := range m.Audit(context.Background()) {
					if err != nil {
						b.Fatal(err)
					}
					if count++; count%2000 == 0 {
						srv.ClearRequests() // the fake's own log grows with the requests
						runtime.GC()
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
				if count < n {
					b.Fatalf("audited %d records, want %d", count, n)
				}
			}
			b.ReportMetric(float64(peak-min(peak, base)), "audit-peak-heap-B")
		})
	}
}
