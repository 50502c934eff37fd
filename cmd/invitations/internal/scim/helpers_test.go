package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// testToken is the bearer token of the test servers.
const testToken = "tok-7Hq2-secret-for-tests-only"

// The fixture resources every test server starts with: RFC 7644's Babs
// Jensen and Mandy Pepperidge (ids from its examples) in its Tour Guides
// group, a third user who is not active, a group with no members, and a
// user the identity provider deleted.
const (
	bjensen     = "2819c223-7f76-453a-919d-413861904646"
	mandy       = "902c246b-6245-4190-8e05-00816be7344a"
	jsmith      = "c3a26dd3-27a0-4dec-a2ac-ce211e105f97"
	tourGuides  = "e9e30dba-f08f-4109-8486-d5c6a331660a"
	employees   = "fc348aa8-3835-40eb-a20b-c726e15c55b5"
	gone        = "5d0b1f2e-3c4a-4b6d-8e9f-0a1b2c3d4e5f"
	coreUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	coreGroup   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterprise  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchOp     = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"
)

var fixtures = []scim.Resource{
	{Type: scim.TypeUser, ID: bjensen, Unique: "bjensen@example.com", Attributes: json.RawMessage(`{
		"userName": "bjensen@example.com", "externalId": "bjensen", "active": true,
		"name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
		"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]}`)},
	{Type: scim.TypeUser, ID: mandy, Unique: "mpepperidge@example.com", Attributes: json.RawMessage(`{
		"userName": "mpepperidge@example.com", "active": true,
		"name": {"familyName": "Pepperidge", "givenName": "Mandy"},
		"emails": [{"value": "mpepperidge@example.com", "type": "work"}]}`)},
	{Type: scim.TypeUser, ID: jsmith, Unique: "jsmith@example.com", Attributes: json.RawMessage(`{
		"userName": "jsmith@example.com", "active": false,
		"emails": [{"value": "jsmith@example.com", "type": "work"}]}`)},
	{Type: scim.TypeGroup, ID: tourGuides, Attributes: json.RawMessage(`{
		"displayName": "Tour Guides",
		"members": [{"value": "` + bjensen + `", "display": "Babs Jensen"}, {"value": "` + mandy + `", "display": "Mandy Pepperidge"}]}`)},
	{Type: scim.TypeGroup, ID: employees, Attributes: json.RawMessage(`{"displayName": "Employees"}`)},
	{Type: scim.TypeUser, ID: gone, Unique: "gone@example.com", Attributes: json.RawMessage(`{"userName": "gone@example.com"}`)},
}

// testServer is a handler on a memory store with the fixtures, and what
// it reports: its log, its observer's calls and its change count.
type testServer struct {
	store    scim.Store
	handler  http.Handler
	logs     *syncBuffer
	changes  atomic.Int64
	mu       sync.Mutex
	observed []observation
}

type observation struct {
	method string
	status int
}

// syncBuffer is a log destination handlers write to from many requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestServer(t testing.TB, opts ...scim.Option) *testServer {
	t.Helper()
	return newTestServerOn(t, scim.NewMemoryStore(), opts...)
}

func newTestServerOn(t testing.TB, store scim.Store, opts ...scim.Option) *testServer {
	t.Helper()
	s := &testServer{store: store, logs: &syncBuffer{}}
	for _, f := range fixtures {
		_, err := store.Put(context.Background(), f, 0)
		require.NoError(t, err)
	}
	require.NoError(t, store.Delete(context.Background(), scim.TypeUser, gone))
	all := append([]scim.Option{
		scim.WithToken(testToken),
		scim.WithLogger(slogJSON(s.logs)),
		scim.WithOnChange(func() { s.changes.Add(1) }),
		scim.WithObserver(func(method string, status int, _ time.Duration) {
			s.mu.Lock()
			s.observed = append(s.observed, observation{method, status})
			s.mu.Unlock()
		}),
	}, opts...)
	h, err := scim.NewHandler(store, all...)
	require.NoError(t, err)
	s.handler = h
	return s
}

// slogJSON logs everything to w as JSON lines.
func slogJSON(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// response is one response, its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// request is one request to send. A body is sent with Content-Type
// application/scim+json and every request with the bearer token, unless
// header says otherwise (an empty value removes the header).
type request struct {
	method, path, body string
	header             map[string]string
}

func (s *testServer) do(t testing.TB, req request) response {
	t.Helper()
	var body *strings.Reader
	if req.body != "" {
		body = strings.NewReader(req.body)
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(req.method, req.path, body)
	r.Header.Set("Authorization", "Bearer "+testToken)
	if req.body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range req.header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	resp := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/scim+json") && w.Body.Len() > 0 {
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp.body), "response body %s", w.Body.String())
	}
	return resp
}

// stored returns the stored attributes of a live resource.
func (s *testServer) stored(t testing.TB, typ, id string) (scim.Resource, map[string]any) {
	t.Helper()
	r, err := s.store.Get(context.Background(), typ, id)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Attributes, &m))
	return r, m
}

// snapshot is everything a store holds, to compare before and after a
// request that must change nothing.
func snapshot(t testing.TB, s scim.Store) string {
	t.Helper()
	var b strings.Builder
	for _, typ := range []string{scim.TypeUser, scim.TypeGroup} {
		all, err := s.List(context.Background(), typ, true)
		require.NoError(t, err)
		for _, r := range all {
			b.WriteString(r.Type + " " + r.ID + " " + r.Unique + " " + strconv.FormatInt(r.Version, 10) + " " +
				strconv.FormatBool(r.Deleted) + " " + string(r.Attributes) + "\n")
		}
	}
	g, err := s.Generation(context.Background())
	require.NoError(t, err)
	b.WriteString("generation " + strconv.FormatInt(g, 10))
	return b.String()
}

var pathPart = regexp.MustCompile(`^([^\[]+)(?:\[(\d+)\])?$`)

// at returns the value at path in v: dot-separated keys, each with an
// optional [index], e.g. "Resources[0].name.givenName". A key with dots
// of its own (an extension's URN) is written in braces:
// "{urn:...:User}.department".
func at(v any, path string) any {
	for path != "" {
		var part string
		if strings.HasPrefix(path, "{") {
			end := strings.Index(path, "}")
			part, path = path[1:end], strings.TrimPrefix(path[end+1:], ".")
		} else if i := strings.IndexByte(path, '.'); i >= 0 {
			part, path = path[:i], path[i+1:]
		} else {
			part, path = path, ""
		}
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			m = []string{part, part, ""}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[m[1]]
		if m[2] != "" {
			list, ok := v.([]any)
			i, _ := strconv.Atoi(m[2])
			if !ok || i >= len(list) {
				return nil
			}
			v = list[i]
		}
	}
	return v
}

// ids returns the ids of a list response's resources.
func ids(body map[string]any) []string {
	out := []string{}
	list, _ := body["Resources"].([]any)
	for _, r := range list {
		out = append(out, at(r, "id").(string))
	}
	return out
}

// memberIDs returns the member ids of a group's attributes.
func memberIDs(attrs map[string]any) []string {
	out := []string{}
	list, _ := attrs["members"].([]any)
	for _, m := range list {
		out = append(out, at(m, "value").(string))
	}
	return out
}
