package invitations

// Benchmarks of the SDK against hand-written net/http code, of pagination
// at scale, of prefetch and of concurrent use. Every server is a loopback
// httptest server started by the benchmark. BENCHMARKS.md gives the
// command, the machine and the figures; compare the variants of one run
// with benchstat's -col option, e.g. "benchstat -col /impl".

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const (
	benchBoxToken       = "bench-box-token"
	benchGitGuardianKey = "bench-gg-key"
	benchMembershipID   = "434534"
)

var benchInvitationBody = &models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}

// callServer answers the two calls of the per-call benchmarks with fixed
// bytes: Box GET /2.0/group_memberships/{id} and GitGuardian
// POST /v1/invitations (201).
func callServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	membership := benchFixture(tb, "box/membership.json")
	invitation := benchFixture(tb, "gitguardian/invitation_created.json")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2.0/group_memberships/{id}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, membership)
	})
	mux.HandleFunc("POST /v1/invitations", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, invitation)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

var jsonContentType = []string{"application/json"}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func benchFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return b
}

// benchClient is an SDK client with its default transport, pointed at srv
// for Box and GitGuardian. Its idle connections are closed at cleanup.
// Client-side rate limits are off: a loopback server has no quota, and
// these benchmarks measure the call path, not pacing (BenchmarkQuotaLoad
// does that).
func benchClient(tb testing.TB, baseURL string) *Client {
	tb.Helper()
	c, err := NewClient(
		WithBoxBaseURL(baseURL+"/2.0"), WithBoxAccessToken(benchBoxToken),
		WithGitGuardianBaseURL(baseURL), WithGitGuardianAPIKey(benchGitGuardianKey),
		WithRateLimit(Box, 0, 0),
	)
	require.NoError(tb, err)
	tb.Cleanup(func() { closeIdleConnections(c) })
	return c
}

// rawClient is plain net/http with the SDK's default transport settings.
func rawClient(tb testing.TB) *http.Client {
	tb.Helper()
	hc := &http.Client{Transport: defaultTransport()}
	tb.Cleanup(hc.CloseIdleConnections)
	return hc
}

// rawGetMembership is the hand-written equivalent of
// Memberships.GetGroupMembershipByID: the same request, headers included,
// decoded into the same struct.
func rawGetMembership(ctx context.Context, hc *http.Client, baseURL, userAgent, id string) (*models.GroupMembership, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/2.0/group_memberships/"+id, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Authorization", "Bearer "+benchBoxToken)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var m models.GroupMembership
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

// rawCreateInvitation is the hand-written equivalent of
// Invitations.CreateInvitations.
func rawCreateInvitation(ctx context.Context, hc *http.Client, baseURL, userAgent string, body *models.CreateInvitationsRequest) (*models.Invitation, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/v1/invitations", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token "+benchGitGuardianKey)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var inv models.Invitation
	if err := json.NewDecoder(resp.Body).Decode(&inv); err != nil {
		return nil, err
	}
	return &inv, nil
}

// TestBenchmarkPeersSendIdenticalRequests keeps the per-call comparison
// fair: the SDK and the hand-written code send the same method, path,
// headers and body bytes, and decode the same values.
func TestBenchmarkPeersSendIdenticalRequests(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, uri string
		header      http.Header
		body        string
	}
	var mu sync.Mutex
	var got []seen
	inner := callServer(t)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Header.Clone(), string(body)})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		inner.Config.Handler.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	ctx := t.Context()
	c := benchClient(t, proxy.URL)
	hc := rawClient(t)

	sdkM, err := c.Memberships.GetGroupMembershipByID(ctx, benchMembershipID, nil)
	require.NoError(t, err)
	rawM, err := rawGetMembership(ctx, hc, proxy.URL, c.cfg.userAgent, benchMembershipID)
	require.NoError(t, err)
	assert.Equal(t, rawM, sdkM)

	sdkI, err := c.Invitations.CreateInvitations(ctx, benchInvitationBody, nil)
	require.NoError(t, err)
	rawI, err := rawCreateInvitation(ctx, hc, proxy.URL, c.cfg.userAgent, benchInvitationBody)
	require.NoError(t, err)
	assert.Equal(t, rawI, sdkI)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4)
	for _, pair := range [][2]seen{{got[0], got[1]}, {got[2], got[3]}} {
		assert.Equal(t, pair[1], pair[0], "SDK request vs hand-written request")
	}
	assert.JSONEq(t, `{"email":"ada@example.com","access_level":"member"}`, got[2].body)
}

// BenchmarkCall measures one call through the SDK beside the hand-written
// net/http + encoding/json code making the identical request, one
// sub-benchmark each, for time and allocations per call.
func BenchmarkCall(b *testing.B) {
	srv := callServer(b)
	c := benchClient(b, srv.URL)
	hc := rawClient(b)
	for _, op := range benchCalls(c, hc, srv.URL) {
		for _, v := range op.variants {
			b.Run("op="+op.name+"/impl="+v.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := v.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkCallPaired makes the same calls as BenchmarkCall, but
// alternates the SDK and net/http call by call, so that both see the same
// machine load, and reports each one's time per call and their ratio
// ("sdk/nethttp"): the figure to trust on a shared, noisy machine.
func BenchmarkCallPaired(b *testing.B) {
	srv := callServer(b)
	c := benchClient(b, srv.URL)
	hc := rawClient(b)
	for _, op := range benchCalls(c, hc, srv.URL) {
		b.Run("op="+op.name, func(b *testing.B) { benchPaired(b, op.variants) })
	}
}

// variant is one way of doing the same thing, for paired benchmarks.
type variant struct {
	name string
	run  func() error
}

type benchCall struct {
	name     string
	variants []variant // the baseline first
}

func benchCalls(c *Client, hc *http.Client, baseURL string) []benchCall {
	ctx := context.Background()
	ua := c.cfg.userAgent
	return []benchCall{
		{"BoxGetGroupMembership", []variant{
			{"nethttp", func() error {
				_, err := rawGetMembership(ctx, hc, baseURL, ua, benchMembershipID)
				return err
			}},
			{"sdk", func() error {
				_, err := c.Memberships.GetGroupMembershipByID(ctx, benchMembershipID, nil)
				return err
			}},
		}},
		{"GitGuardianCreateInvitations", []variant{
			{"nethttp", func() error {
				_, err := rawCreateInvitation(ctx, hc, baseURL, ua, benchInvitationBody)
				return err
			}},
			{"sdk", func() error {
				_, err := c.Invitations.CreateInvitations(ctx, benchInvitationBody, nil)
				return err
			}},
		}},
	}
}

// benchPaired runs the variants in turn, rotating which one goes first,
// and reports each one's mean time per run ("ns/<name>-run") and the ratio
// of each later one to the first ("<name>/<first>").
func benchPaired(b *testing.B, variants []variant) {
	for _, v := range variants { // warm up: connections, pools, caches
		if err := v.run(); err != nil {
			b.Fatalf("%s: %v", v.name, err)
		}
	}
	total := make([]time.Duration, len(variants))
	round := 0
	for b.Loop() {
		for k := range variants {
			i := (round + k) % len(variants)
			start := time.Now()
			if err := variants[i].run(); err != nil {
				b.Fatalf("%s: %v", variants[i].name, err)
			}
			total[i] += time.Since(start)
		}
		round++
	}
	for i, v := range variants {
		b.ReportMetric(float64(total[i].Nanoseconds())/float64(b.N), "ns/"+v.name+"-run")
		if i > 0 {
			b.ReportMetric(float64(total[i])/float64(total[0]), v.name+"/"+variants[0].name)
		}
	}
}

// listServer serves generated lists of total items in pages of up to
// perPage, GitGuardian-style (bare array, Link cursor) at /v1/invitations
// and Box-style (offset/limit envelope with total_count) at
// /2.0/groups/{id}/memberships. Pages are generated per request into a
// pooled buffer, so the server holds no more than the pages in flight.
type listServer struct {
	srv     *httptest.Server
	total   int
	perPage int
	latency time.Duration // added before each page is answered
	bufs    sync.Pool     // *[]byte
}

func newListServer(tb testing.TB, total, perPage int, latency time.Duration) *listServer {
	tb.Helper()
	ls := &listServer{total: total, perPage: perPage, latency: latency}
	ls.bufs.New = func() any { return new([]byte) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/invitations", ls.serveCursor)
	mux.HandleFunc("GET /2.0/groups/{id}/memberships", ls.serveOffset)
	ls.srv = httptest.NewServer(mux)
	tb.Cleanup(ls.srv.Close)
	return ls
}

func (ls *listServer) serveCursor(w http.ResponseWriter, r *http.Request) {
	if ls.latency > 0 {
		time.Sleep(ls.latency)
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
	end := min(start+ls.perPage, ls.total)
	buf := ls.bufs.Get().(*[]byte)
	defer ls.bufs.Put(buf)
	b := (*buf)[:0]
	b = append(b, '[')
	for i := start; i < end; i++ {
		if i > start {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `,"email":"user`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `@example.com","role":"member","access_level":"member","date":"2024-12-12T17:00:27.844380Z"}`...)
	}
	b = append(b, ']')
	*buf = b
	if end < ls.total {
		w.Header().Set("Link", "<"+ls.srv.URL+"/v1/invitations?cursor="+strconv.Itoa(end)+"&per_page="+strconv.Itoa(ls.perPage)+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, b)
}

func (ls *listServer) serveOffset(w http.ResponseWriter, r *http.Request) {
	if ls.latency > 0 {
		time.Sleep(ls.latency)
	}
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > ls.perPage {
		limit = ls.perPage
	}
	end := min(offset+limit, ls.total)
	buf := ls.bufs.Get().(*[]byte)
	defer ls.bufs.Put(buf)
	b := (*buf)[:0]
	b = append(b, `{"total_count":`...)
	b = strconv.AppendInt(b, int64(ls.total), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(offset), 10)
	b = append(b, `,"order":[{"by":"type","direction":"ASC"}],"entries":[`...)
	for i := offset; i < end; i++ {
		if i > offset {
			b = append(b, ',')
		}
		b = append(b, `{"type":"group_membership","id":"`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `","user":{"type":"user","id":"`...)
		b = strconv.AppendInt(b, int64(1000000+i), 10)
		b = append(b, `","name":"Sean Rose","login":"sean@example.com"},"group":{"type":"group","id":"57645","name":"Contractors","group_type":"managed_group"},"role":"member","created_at":"2021-03-24T10:00:00-07:00","modified_at":"2021-03-24T10:05:11-07:00"}`...)
	}
	b = append(b, "]}"...)
	*buf = b
	writeJSON(w, http.StatusOK, b)
}

// benchGroupMemberships lists Box group memberships through the SDK's
// offset engine, exactly as Memberships.GetGroupMemberships does, but
// without Box's largest offset (10,000), so that 100,000 items can be
// listed from the test server.
func benchGroupMemberships(ctx context.Context, c *Client, groupID string, limit int64) *Pager[models.GroupMembership] {
	r := newRequest(Box, http.MethodGet, "groups/{}/memberships", Idempotent).
		withParams(idParam("groupID", groupID)).withQuery(&ListMembershipsOptions{Limit: limit})
	style := offsetStyle{limitKey: "limit", offsetKey: "offset"} // no maxOffset
	return newOffsetPager(ctx, c, r, nil, style, func(page *models.GroupMemberships) offsetPage[models.GroupMembership] {
		return offsetPage[models.GroupMembership]{items: page.Entries, total: page.TotalCount, limit: page.Limit}
	})
}

// heapPeak records the largest HeapInuse seen by sample.
type heapPeak struct {
	ms   runtime.MemStats
	peak uint64
}

func (h *heapPeak) sample() {
	runtime.ReadMemStats(&h.ms)
	h.peak = max(h.peak, h.ms.HeapInuse)
}

// BenchmarkPaginationAll ranges All() over the whole list, in pages of
// 100, and reports the time per item and the peak HeapInuse, sampled at
// every page boundary.
func BenchmarkPaginationAll(b *testing.B) {
	const perPage = 100
	for _, style := range []string{"cursor", "offset"} {
		for _, total := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("style=%s/items=%d", style, total), func(b *testing.B) {
				ls := newListServer(b, total, perPage, 0)
				c := benchClient(b, ls.srv.URL)
				ctx := context.Background()
				var list func() func(func(int64, error) bool)
				switch style {
				case "cursor":
					pager := c.Invitations.ListInvitations(ctx, &ListInvitationsOptions{PerPage: perPage})
					list = func() func(func(int64, error) bool) {
						return func(yield func(int64, error) bool) {
							for inv, err := range pager.All() {
								if !yield(inv.ID, err) {
									return
								}
							}
						}
					}
				case "offset":
					pager := benchGroupMemberships(ctx, c, "57645", perPage)
					list = func() func(func(int64, error) bool) {
						return func(yield func(int64, error) bool) {
							for m, err := range pager.All() {
								id, _ := strconv.ParseInt(m.ID, 10, 64)
								if !yield(id, err) {
									return
								}
							}
						}
					}
				}
				var heap heapPeak
				runtime.GC()
				heap.sample()
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					n := 0
					for id, err := range list() {
						if err != nil {
							b.Fatal(err)
						}
						n++
						if id != int64(n) {
							b.Fatalf("item %d has id %d", n, id)
						}
						if n%perPage == 0 {
							heap.sample()
						}
					}
					if n != total {
						b.Fatalf("listed %d items, want %d", n, total)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/item")
				b.ReportMetric(float64(heap.peak), "peak-heap-B")
			})
		}
	}
}

// BenchmarkPrefetch lists 200 pages from a server that takes 5 ms per page
// while the caller works 5 ms per page, sequentially and with Prefetch in
// turn, and reports the wall time of each and their ratio
// ("prefetch/sequential").
func BenchmarkPrefetch(b *testing.B) {
	const (
		pages   = 200
		perPage = 100
		latency = 5 * time.Millisecond
		work    = 5 * time.Millisecond
	)
	ls := newListServer(b, pages*perPage, perPage, latency)
	c := benchClient(b, ls.srv.URL)
	pager := c.Invitations.ListInvitations(context.Background(), &ListInvitationsOptions{PerPage: perPage})
	list := func(p *Pager[models.Invitation]) func() error {
		return func() error {
			n := 0
			for _, err := range p.Pages() {
				if err != nil {
					return err
				}
				n++
				time.Sleep(work) // the caller's work on the page
			}
			if n != pages {
				return fmt.Errorf("got %d pages, want %d", n, pages)
			}
			return nil
		}
	}
	benchPaired(b, []variant{{"sequential", list(pager)}, {"prefetch", list(pager.Prefetch())}})
}

// BenchmarkConcurrentGets sends 20,000 GETs from 64 goroutines sharing one
// client, against a keep-alive server, through net/http (with the SDK's
// default transport settings) and through the SDK in turn. It reports the
// throughput of each, their ratio, and the TCP connections each server
// accepted over the whole benchmark (all rounds), beside the idle pool size
// (MaxIdleConnsPerHost of the SDK's default transport).
func BenchmarkConcurrentGets(b *testing.B) {
	const (
		workers  = 64
		requests = 20_000
	)
	membership := benchFixture(b, "box/membership.json")
	ctx := context.Background()
	type side struct {
		name  string
		conns atomic.Int64
		get   func() error
		took  time.Duration
	}
	newServer := func(conns *atomic.Int64) *httptest.Server {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, membership)
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		b.Cleanup(srv.Close)
		return srv
	}
	raw, sdk := &side{name: "nethttp"}, &side{name: "sdk"}
	rawSrv := newServer(&raw.conns)
	hc := rawClient(b)
	ua := "invitations-go/" + Version
	raw.get = func() error {
		_, err := rawGetMembership(ctx, hc, rawSrv.URL, ua, benchMembershipID)
		return err
	}
	c := benchClient(b, newServer(&sdk.conns).URL)
	sdk.get = func() error {
		_, err := c.Memberships.GetGroupMembershipByID(ctx, benchMembershipID, nil)
		return err
	}
	burst := func(s *side) {
		start := time.Now()
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= requests {
					if err := s.get(); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		s.took += time.Since(start)
		close(errs)
		if err := <-errs; err != nil {
			b.Fatalf("%s: %v", s.name, err)
		}
	}
	round := 0
	for b.Loop() {
		if round%2 == 0 {
			burst(raw)
			burst(sdk)
		} else {
			burst(sdk)
			burst(raw)
		}
		round++
	}
	rps := func(s *side) float64 { return float64(b.N*requests) / s.took.Seconds() }
	b.ReportMetric(rps(raw), "nethttp-req/s")
	b.ReportMetric(rps(sdk), "sdk-req/s")
	b.ReportMetric(rps(sdk)/rps(raw), "sdk/nethttp-req/s")
	b.ReportMetric(float64(raw.conns.Load()), "nethttp-conns")
	b.ReportMetric(float64(sdk.conns.Load()), "sdk-conns")
	b.ReportMetric(float64(defaultTransport().MaxIdleConnsPerHost), "idle-pool")
}

// TestBenchmarkListServers checks the generated lists against the pagers,
// so the pagination benchmarks measure what they claim to.
func TestBenchmarkListServers(t *testing.T) {
	t.Parallel()
	ls := newListServer(t, 250, 100, 0)
	c := benchClient(t, ls.srv.URL)
	invs, err := c.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{PerPage: 100}).Collect(0)
	require.NoError(t, err)
	require.Len(t, invs, 250)
	assert.EqualValues(t, 250, invs[249].ID)
	ms, err := benchGroupMemberships(t.Context(), c, "57645", 100).Collect(0)
	require.NoError(t, err)
	require.Len(t, ms, 250)
	assert.Equal(t, "250", ms[249].ID)
	assert.True(t, strings.HasPrefix(ms[0].User.Login, "sean@"))
}
