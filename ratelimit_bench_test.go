package invitations_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// The quota the fake enforces on each API in BenchmarkQuotaLoad: scaled up
// from the vendors' (Box: 1000 a minute) so that the run stays short, with
// bursts of one second's worth.
const (
	benchQuotaPerMinute = 6000
	benchQuotaBurst     = benchQuotaPerMinute / 60
	benchRequestsPerAPI = 2000
	benchGoroutines     = 64
)

var benchAPIs = []invitations.API{invitations.GitGuardian, invitations.BIMData, invitations.Box, invitations.Freestyle, invitations.Portworx}

// BenchmarkQuotaLoad pushes a mixed load (three reads for one create,
// BIMData reads only: it has no create) of benchRequestsPerAPI calls per
// API from 64 goroutines sharing one Client, against the fake with a quota
// on every API, once with the client-side limiter and the shared pause on,
// once with both off. It reports, per run:
//
//   - quota-ratio: throughput over what the quota allows at best (the burst
//     at once, then the rate), over the slowest API; goal >= 0.90 with the
//     limiter on;
//   - 429/sent: the share of requests the fake refused; goal <= 1% on;
//   - dup-unsafe: creates that reached the fake and were not refused more
//     than once; 0 in both;
//   - failed-calls: calls that returned an error (the off run's calls run
//     out of retries);
//   - wait-p99/mean: the fairness between goroutines, as p99 over mean of
//     a call's duration.
func BenchmarkQuotaLoad(b *testing.B) {
	for _, on := range []bool{true, false} {
		b.Run("limiter="+map[bool]string{true: "on", false: "off"}[on], func(b *testing.B) {
			for range b.N {
				r := runQuotaLoad(b, on)
				b.ReportMetric(r.quotaRatio, "quota-ratio")
				b.ReportMetric(r.refusedShare, "429/sent")
				b.ReportMetric(float64(r.duplicates), "dup-unsafe")
				b.ReportMetric(float64(r.failed), "failed-calls")
				b.ReportMetric(r.waitP99OverMean, "wait-p99/mean")
				b.ReportMetric(r.elapsed.Seconds(), "s/run")
			}
		})
	}
}

type quotaLoadResult struct {
	quotaRatio, refusedShare, waitP99OverMean float64
	duplicates, failed                        int
	elapsed                                   time.Duration
}

func runQuotaLoad(b *testing.B, limiterOn bool) quotaLoadResult {
	b.Helper()
	var fakeOpts []invitationstest.Option
	var clientOpts []invitations.Option
	for _, api := range benchAPIs {
		fakeOpts = append(fakeOpts, invitationstest.WithQuota(api, benchQuotaPerMinute, benchQuotaBurst))
		if limiterOn {
			clientOpts = append(clientOpts, invitations.WithRateLimit(api, benchQuotaPerMinute, benchQuotaBurst))
		}
	}
	if !limiterOn {
		clientOpts = append(clientOpts, invitations.WithoutSharedPause())
	}
	srv := invitationstest.NewServer(append(fakeOpts, invitationstest.WithDemoData())...)
	defer srv.Close()
	wire := &wireCounter{next: http.DefaultTransport, unsafe: map[string]int{}}
	clientOpts = append(clientOpts, invitations.WithHTTPClient(&http.Client{Transport: wire}))
	// The production backoff, as in a real run: a 429 is waited out.
	client, err := invitations.NewClient(append(invitationstest.ClientOptions(srv.BaseURLs), clientOpts...)...)
	if err != nil {
		b.Fatal(err)
	}
	defer client.CloseIdleConnections()

	// The calls, interleaved across APIs; goroutines take the next one.
	var tasks []benchTask
	for i := range benchRequestsPerAPI {
		for _, api := range benchAPIs {
			tasks = append(tasks, benchTask{api: api, create: i%4 == 3 && api != invitations.BIMData, n: i})
		}
	}
	var next atomic.Int64
	var failed atomic.Int64
	durations := make([]time.Duration, len(tasks))
	var mu sync.Mutex
	lastDone := map[invitations.API]time.Time{}

	start := time.Now()
	var wg sync.WaitGroup
	for range benchGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(tasks) {
					return
				}
				t0 := time.Now()
				if err := tasks[i].run(context.Background(), client); err != nil {
					failed.Add(1)
				}
				now := time.Now()
				durations[i] = now.Sub(t0)
				mu.Lock()
				if now.After(lastDone[tasks[i].api]) {
					lastDone[tasks[i].api] = now
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	// The best the quota allows for one API: its burst at once, the rest
	// at its rate. The slowest API sets the ratio.
	best := time.Duration(float64(benchRequestsPerAPI-benchQuotaBurst) / (benchQuotaPerMinute / 60.0) * float64(time.Second))
	ratio := 0.0
	for i, api := range benchAPIs {
		r := float64(best) / float64(lastDone[api].Sub(start))
		if i == 0 || r < ratio {
			ratio = r
		}
	}
	slices.Sort(durations)
	var sum time.Duration
	for _, d := range durations {
		sum += d
	}
	mean := sum / time.Duration(len(durations))
	p99 := durations[len(durations)*99/100]
	sent, refused, dups := wire.totals()
	return quotaLoadResult{
		quotaRatio:      ratio,
		refusedShare:    float64(refused) / float64(sent),
		waitP99OverMean: float64(p99) / float64(mean),
		duplicates:      dups,
		failed:          int(failed.Load()),
		elapsed:         elapsed,
	}
}

// benchTask is one call of the load.
type benchTask struct {
	api    invitations.API
	create bool
	n      int
}

func (t benchTask) run(ctx context.Context, c *invitations.Client) error {
	// Each create carries its own key, so the wire counter can tell a
	// create sent twice from two creates.
	key := invitations.WithHeader("X-Bench-Call", t.api.String()+"-"+strconv.Itoa(t.n))
	email := fmt.Sprintf("bench-%d@example.com", t.n)
	switch {
	case t.api == invitations.GitGuardian && t.create:
		_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: email, AccessLevel: models.AccessLevelMember}, nil, key)
		return err
	case t.api == invitations.GitGuardian:
		return firstPage(c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 1}).Pages())
	case t.api == invitations.Box && t.create:
		_, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
			User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
		}, nil, key)
		if err != nil && !isConflict(err) { // the same membership again is Box's 409: an answer, not a failure
			return err
		}
		return nil
	case t.api == invitations.Box:
		return firstPage(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: 1}).Pages())
	case t.api == invitations.Freestyle && t.create:
		_, err := c.Identity.CreateIdentity(ctx, key)
		return err
	case t.api == invitations.Freestyle:
		return firstPage(c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: 1}).Pages())
	case t.api == invitations.BIMData:
		_, err := c.SSO.GetInvitations(ctx, nil)
		return err
	case t.api == invitations.Portworx && t.create:
		_, err := c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
			UserEmail: email, TenantID: invitationstest.PortworxDemoTenantID,
			AccessPolicy: models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant.admin", ResourceIDs: []string{invitationstest.PortworxDemoTenantID}}}},
		}}, key)
		return err
	default:
		return firstPage(c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: 1}).Pages())
	}
}

// firstPage reads one page of a list: one request.
func firstPage[T any](pages func(func(*invitations.Page[T], error) bool)) error {
	for _, err := range pages {
		return err
	}
	return nil
}

func isConflict(err error) bool {
	var apiErr *invitations.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusConflict
}

// wireCounter counts what reached the fake: requests, 429 answers, and
// per create (by its X-Bench-Call key) the answers other than 429, of
// which more than one is a create sent twice.
type wireCounter struct {
	next http.RoundTripper

	mu      sync.Mutex
	sent    int
	refused int
	unsafe  map[string]int
}

func (w *wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(req)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sent++
	switch {
	case err == nil && resp.StatusCode == http.StatusTooManyRequests:
		w.refused++
	case req.Header.Get("X-Bench-Call") != "":
		w.unsafe[req.Header.Get("X-Bench-Call")]++ // a transport error counts: the fake may have acted
	}
	return resp, err
}

func (w *wireCounter) CloseIdleConnections() {
	if ci, ok := w.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (w *wireCounter) totals() (sent, refused, duplicates int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, n := range w.unsafe {
		duplicates += max(n-1, 0)
	}
	return w.sent, w.refused, duplicates
}
