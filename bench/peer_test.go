package bench

// The SDK beside hand-written net/http code and the oapi-codegen client
// (package boxclient), making the same Box group-membership calls against
// the same loopback server. Compare the three in one run with
// "benchstat -col /impl".

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/bench/boxclient"
	"github.com/invitesdk/invitations/models"
)

const (
	boxToken     = "bench-box-token"
	membershipID = "434534"
	groupID      = "57645"
	pageSize     = 100
)

var userAgent = "invitations-go/" + invitations.Version

// boxServer answers, with fixed bytes, GET /2.0/group_memberships/{id},
// POST /2.0/group_memberships (201) and GET /2.0/groups/{id}/memberships
// (one page of 100 memberships, the whole list).
func boxServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	membership, err := os.ReadFile(filepath.Join("..", "testdata", "box", "membership.json"))
	if err != nil {
		tb.Fatal(err)
	}
	page := membershipPage(pageSize)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2.0/group_memberships/{id}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, membership)
	})
	mux.HandleFunc("POST /2.0/group_memberships", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, membership)
	})
	mux.HandleFunc("GET /2.0/groups/{id}/memberships", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, page)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// membershipPage is a Box membership collection holding the whole list.
func membershipPage(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"total_count":%d,"limit":%d,"offset":0,"order":[{"by":"type","direction":"ASC"}],"entries":[`, n, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"type":"group_membership","id":"%d","user":{"type":"user","id":"%d","name":"Sean Rose","login":"sean@example.com"},`+
			`"group":{"type":"group","id":"57645","name":"Contractors","group_type":"managed_group"},"role":"member",`+
			`"created_at":"2021-03-24T10:00:00-07:00","modified_at":"2021-03-24T10:05:11-07:00"}`, i+1, 1000000+i)
	}
	b.WriteString("]}")
	return b.Bytes()
}

// peers are the three clients under comparison, all pointed at one server.
type peers struct {
	baseURL string // the Box API base: server URL + "/2.0"
	sdk     *invitations.Client
	raw     *http.Client
	gen     *boxclient.ClientWithResponses
}

func newPeers(tb testing.TB, srv *httptest.Server) *peers {
	tb.Helper()
	p := &peers{baseURL: srv.URL + "/2.0"}
	var err error
	// The SDK as a user gets it: its own default transport.
	p.sdk, err = invitations.NewClient(invitations.WithBoxBaseURL(p.baseURL), invitations.WithBoxAccessToken(boxToken),
		invitations.WithRateLimit(invitations.Box, 0, 0)) // loopback: no quota to pace for
	if err != nil {
		tb.Fatal(err)
	}
	// The two others on a transport of their own with net/http's defaults.
	rawTransport := http.DefaultTransport.(*http.Transport).Clone()
	p.raw = &http.Client{Transport: rawTransport}
	genTransport := http.DefaultTransport.(*http.Transport).Clone()
	// The generated client is pointed at the server and given the same
	// headers as the others through its request editor.
	p.gen, err = boxclient.NewClientWithResponses(p.baseURL,
		boxclient.WithHTTPClient(&http.Client{Transport: genTransport}),
		boxclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Accept", "application/json")
			req.Header.Set("User-Agent", userAgent)
			req.Header.Set("Authorization", "Bearer "+boxToken)
			return nil
		}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		rawTransport.CloseIdleConnections()
		genTransport.CloseIdleConnections()
	})
	return p
}

// rawDo sends a request with the SDK's headers and decodes a want-status
// JSON answer into out.
func (p *peers) rawDo(ctx context.Context, method, url string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+boxToken)
	resp, err := p.raw.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != want {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// The calls, one function per client; each returns the membership id(s)
// it decoded, so that the test below can check they agree.

func (p *peers) getSDK(ctx context.Context) (string, error) {
	m, err := p.sdk.Memberships.GetGroupMembershipByID(ctx, membershipID, nil)
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (p *peers) getRaw(ctx context.Context) (string, error) {
	var m models.GroupMembership
	err := p.rawDo(ctx, http.MethodGet, p.baseURL+"/group_memberships/"+membershipID, nil, http.StatusOK, &m)
	return m.ID, err
}

func (p *peers) getGen(ctx context.Context) (string, error) {
	resp, err := p.gen.GetGroupMembershipsIdWithResponse(ctx, membershipID, nil)
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || resp.JSON200.Id == nil {
		return "", fmt.Errorf("status %d", resp.StatusCode())
	}
	return *resp.JSON200.Id, nil
}

var createBody = &models.CreateGroupMembershipRequest{
	User: models.Ref{ID: "1434325"}, Group: models.Ref{ID: groupID}, Role: models.GroupMembershipRoleMember,
}

func (p *peers) createSDK(ctx context.Context) (string, error) {
	m, err := p.sdk.Memberships.CreateGroupMembership(ctx, createBody, nil)
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (p *peers) createRaw(ctx context.Context) (string, error) {
	body, err := json.Marshal(createBody)
	if err != nil {
		return "", err
	}
	var m models.GroupMembership
	err = p.rawDo(ctx, http.MethodPost, p.baseURL+"/group_memberships", body, http.StatusCreated, &m)
	return m.ID, err
}

func (p *peers) createGen(ctx context.Context) (string, error) {
	role := boxclient.PostGroupMembershipsJSONBodyRoleMember
	var body boxclient.PostGroupMembershipsJSONRequestBody
	body.User.Id = createBody.User.ID
	body.Group.Id = createBody.Group.ID
	body.Role = &role
	resp, err := p.gen.PostGroupMembershipsWithResponse(ctx, nil, body)
	if err != nil {
		return "", err
	}
	if resp.JSON201 == nil || resp.JSON201.Id == nil {
		return "", fmt.Errorf("status %d", resp.StatusCode())
	}
	return *resp.JSON201.Id, nil
}

// The list calls fetch one page of 100 memberships (the whole list), with
// the query the SDK's pager sends: limit=100&offset=0.

func (p *peers) listSDK(ctx context.Context) (string, error) {
	var last string
	for m, err := range p.sdk.Memberships.GetGroupMemberships(ctx, groupID, &invitations.ListMembershipsOptions{Limit: pageSize}).All() {
		if err != nil {
			return "", err
		}
		last = m.ID
	}
	return last, nil
}

func (p *peers) listRaw(ctx context.Context) (string, error) {
	var page models.GroupMemberships
	err := p.rawDo(ctx, http.MethodGet, p.baseURL+"/groups/"+groupID+"/memberships?limit="+strconv.Itoa(pageSize)+"&offset=0", nil, http.StatusOK, &page)
	if err != nil || len(page.Entries) == 0 {
		return "", err
	}
	return page.Entries[len(page.Entries)-1].ID, nil
}

func (p *peers) listGen(ctx context.Context) (string, error) {
	limit, offset := int64(pageSize), int64(0)
	resp, err := p.gen.GetGroupsIdMembershipsWithResponse(ctx, groupID, &boxclient.GetGroupsIdMembershipsParams{Limit: &limit, Offset: &offset})
	if err != nil {
		return "", err
	}
	if resp.JSON200 == nil || resp.JSON200.Entries == nil || len(*resp.JSON200.Entries) == 0 {
		return "", fmt.Errorf("status %d", resp.StatusCode())
	}
	entries := *resp.JSON200.Entries
	return *entries[len(entries)-1].Id, nil
}

type call struct {
	op   string
	impl string
	fn   func(context.Context) (string, error)
}

func (p *peers) calls() []call {
	return []call{
		{"get", "nethttp", p.getRaw}, {"get", "sdk", p.getSDK}, {"get", "oapi-codegen", p.getGen},
		{"create", "nethttp", p.createRaw}, {"create", "sdk", p.createSDK}, {"create", "oapi-codegen", p.createGen},
		{"list100", "nethttp", p.listRaw}, {"list100", "sdk", p.listSDK}, {"list100", "oapi-codegen", p.listGen},
	}
}

// BenchmarkBoxGroupMemberships measures each call through each client, one
// sub-benchmark each, for time and allocations per call.
func BenchmarkBoxGroupMemberships(b *testing.B) {
	p := newPeers(b, boxServer(b))
	ctx := context.Background()
	for _, c := range p.calls() {
		b.Run("op="+c.op+"/impl="+c.impl, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.fn(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBoxGroupMembershipsPaired makes the same calls, but runs the
// three clients in turn, call by call (rotating which goes first), so that
// all see the same machine load. It reports each one's mean time per call
// ("ns/<impl>-call") and the SDK's time over each other's ("sdk/nethttp",
// "sdk/oapi-codegen"): the figures to trust on a shared, noisy machine.
func BenchmarkBoxGroupMembershipsPaired(b *testing.B) {
	p := newPeers(b, boxServer(b))
	ctx := context.Background()
	calls := p.calls()
	for i := 0; i < len(calls); i += 3 {
		group := calls[i : i+3] // nethttp, sdk, oapi-codegen
		b.Run("op="+group[0].op, func(b *testing.B) {
			for _, c := range group { // warm up: connections, pools, caches
				if _, err := c.fn(ctx); err != nil {
					b.Fatalf("%s: %v", c.impl, err)
				}
			}
			total := make([]time.Duration, len(group))
			round := 0
			for b.Loop() {
				for k := range group {
					j := (round + k) % len(group)
					start := time.Now()
					if _, err := group[j].fn(ctx); err != nil {
						b.Fatalf("%s: %v", group[j].impl, err)
					}
					total[j] += time.Since(start)
				}
				round++
			}
			for j, c := range group {
				b.ReportMetric(float64(total[j].Nanoseconds())/float64(b.N), "ns/"+c.impl+"-call")
			}
			b.ReportMetric(float64(total[1])/float64(total[0]), "sdk/nethttp")
			b.ReportMetric(float64(total[1])/float64(total[2]), "sdk/oapi-codegen")
		})
	}
}

// TestPeersAgree checks that the three clients make the same requests
// (method, path, query, headers) and decode the same ids, so that the
// benchmark compares like with like.
func TestPeersAgree(t *testing.T) {
	inner := boxServer(t)
	type seen struct {
		method, uri string
		header      http.Header
		body        map[string]any
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s := seen{method: r.Method, uri: r.RequestURI, header: r.Header.Clone()}
		if len(body) > 0 {
			if err := json.Unmarshal(body, &s.body); err != nil {
				t.Errorf("request body: %v", err)
			}
		}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		inner.Config.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p := newPeers(t, srv)

	ctx := context.Background()
	want := map[string]string{"get": membershipID, "create": membershipID, "list100": strconv.Itoa(pageSize)}
	calls := p.calls()
	for _, c := range calls {
		id, err := c.fn(ctx)
		if err != nil {
			t.Fatalf("%s %s: %v", c.op, c.impl, err)
		}
		if id != want[c.op] {
			t.Errorf("%s %s decoded id %q, want %q", c.op, c.impl, id, want[c.op])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(calls) {
		t.Fatalf("server saw %d requests, want %d", len(got), len(calls))
	}
	for i := 0; i < len(calls); i += 3 {
		base := got[i]
		for j := i + 1; j < i+3; j++ {
			other := got[j]
			if other.method != base.method || other.uri != base.uri {
				t.Errorf("%s: %s sent %s %s, nethttp sent %s %s", calls[j].op, calls[j].impl, other.method, other.uri, base.method, base.uri)
			}
			if fmt.Sprint(other.header) != fmt.Sprint(base.header) {
				t.Errorf("%s: %s sent headers %v, nethttp sent %v", calls[j].op, calls[j].impl, other.header, base.header)
			}
			if fmt.Sprint(other.body) != fmt.Sprint(base.body) {
				t.Errorf("%s: %s sent body %v, nethttp sent %v", calls[j].op, calls[j].impl, other.body, base.body)
			}
		}
	}
}
