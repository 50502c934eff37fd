package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

func TestNewHandlerRefusesBadOptions(t *testing.T) {
	t.Parallel()
	store := scim.NewMemoryStore()
	_, err := scim.NewHandler(store)
	require.EqualError(t, err, "scim: WithToken: the bearer token is empty")
	_, err = scim.NewHandler(store, scim.WithToken(""))
	require.EqualError(t, err, "scim: WithToken: the bearer token is empty")
	_, err = scim.NewHandler(store, scim.WithToken(testToken), scim.WithMaxBody(0))
	require.EqualError(t, err, "scim: WithMaxBody: 0 bytes is not a size")
	_, err = scim.NewHandler(nil, scim.WithToken(testToken))
	require.EqualError(t, err, "scim: NewHandler: the store is nil")
	h, err := scim.NewHandler(store, scim.WithToken(testToken))
	require.NoError(t, err, "logger, observer and change func are optional")
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/scim/v2/Users", nil)
	r.Header.Set("Authorization", "Bearer "+testToken)
	h.ServeHTTP(w, r)
	require.Equal(t, 200, w.Code)
}

// The log has a line per request with its method, path, status and
// duration, and for a user's write the userName: never the token, right
// or wrong, nor any other attribute.
func TestLogsNeitherTokenNorAttributes(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	wrong := "wrong-token-Zx81"
	create := send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada",`+
		`"name":{"givenName":"Augusta","familyName":"King"},"emails":[{"value":"countess@lovelace.example","type":"work"}],`+
		`"password":"hunter2-Secret"}`)
	r := s.do(t, create)
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, 200, s.do(t, patch("/Users/"+id, `{"op":"replace","path":"name.familyName","value":"Lovelace"}`)).status)
	require.Equal(t, 200, s.do(t, get("/Users?filter="+q(`emails.value eq "countess@lovelace.example"`))).status)
	require.Equal(t, 401, s.do(t, request{method: "GET", path: "/scim/v2/Users", header: map[string]string{"Authorization": "Bearer " + wrong}}).status)
	require.Equal(t, 204, s.do(t, request{method: "DELETE", path: "/scim/v2/Users/" + id}).status)

	logs := s.logs.String()
	for _, secret := range []string{testToken, wrong, "Augusta", "King", "Lovelace", "countess", "hunter2", "filter"} {
		require.NotContains(t, logs, secret)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		delete(m, "time")
		require.IsType(t, float64(0), m["duration"])
		delete(m, "duration")
		lines = append(lines, m)
	}
	require.Equal(t, []map[string]any{
		{"level": "INFO", "msg": "scim request", "method": "POST", "path": "/scim/v2/Users", "status": float64(201), "userName": "ada"},
		{"level": "INFO", "msg": "scim request", "method": "PATCH", "path": "/scim/v2/Users/" + id, "status": float64(200), "userName": "ada"},
		{"level": "INFO", "msg": "scim request", "method": "GET", "path": "/scim/v2/Users", "status": float64(200)},
		{"level": "INFO", "msg": "scim request", "method": "GET", "path": "/scim/v2/Users", "status": float64(401)},
		{"level": "INFO", "msg": "scim request", "method": "DELETE", "path": "/scim/v2/Users/" + id, "status": float64(204), "userName": "ada"},
	}, lines)
}

func TestObserverSeesEveryRequest(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	s.do(t, get("/Users/"+bjensen))
	s.do(t, request{method: "GET", path: "/scim/v2/Users", header: map[string]string{"Authorization": ""}})
	s.do(t, send("POST", "/Users", `{`))
	s.do(t, request{method: "GET", path: "/elsewhere"})
	s.do(t, patch("/Groups/"+employees, `{"op":"add","path":"members","value":[{"value":"`+mandy+`"}]}`))
	require.Equal(t, []observation{{"GET", 200}, {"GET", 401}, {"POST", 400}, {"GET", 404}, {"PATCH", 200}}, s.observed)
	require.Equal(t, int64(1), s.changes.Load())
}

// A body sent without a length is cut at the limit: 413, nothing stored.
func TestBodyLimitOnAStreamedBody(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, scim.WithMaxBody(100))
	var lengths []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lengths = append(lengths, r.ContentLength)
		s.handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	before := snapshot(t, s.store)
	post := func(body string) (*http.Response, string) {
		pr, pw := io.Pipe()
		go func() {
			_, _ = io.WriteString(pw, body)
			_ = pw.Close()
		}()
		req, err := http.NewRequest("POST", srv.URL+"/scim/v2/Users", pr)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	resp, body := post(`{"schemas":["` + coreUser + `"],"userName":"` + strings.Repeat("a", 100) + `"}`)
	require.Equal(t, 413, resp.StatusCode)
	require.JSONEq(t, `{"schemas":["`+errorSchema+`"],"status":"413","detail":"the body is over 100 bytes, the most this server reads"}`, body)
	require.Equal(t, before, snapshot(t, s.store))

	resp, body = post(`{"schemas":["` + coreUser + `"],"userName":"ada"}`)
	require.Equal(t, 201, resp.StatusCode, "a body within the limit: %s", body)
	require.Equal(t, []int64{-1, -1}, lengths, "both sent without a length")
}

// racingStore writes, once, another change to a resource between the
// handler's read of it and its write: what another replica's request
// would do.
type racingStore struct {
	scim.Store
	once  sync.Once
	other func(ctx context.Context)
}

func (s *racingStore) Put(ctx context.Context, res scim.Resource, expected int64) (scim.Resource, error) {
	if s.other != nil {
		s.once.Do(func() { s.other(ctx) })
	}
	return s.Store.Put(ctx, res, expected)
}

func TestPatchRetriesAfterAnotherWrite(t *testing.T) {
	t.Parallel()
	store := &racingStore{Store: scim.NewMemoryStore()}
	s := newTestServerOn(t, store)
	store.other = func(ctx context.Context) {
		cur, err := store.Store.Get(ctx, scim.TypeGroup, employees)
		require.NoError(t, err)
		cur.Attributes = json.RawMessage(`{"displayName":"Employees","members":[{"value":"` + mandy + `"}]}`)
		_, err = store.Store.Put(ctx, cur, cur.Version)
		require.NoError(t, err)
	}
	r := s.do(t, patch("/Groups/"+employees, `{"op":"add","path":"members","value":[{"value":"`+jsmith+`"}]}`))
	require.Equal(t, 200, r.status, r.raw)
	res, attrs := s.stored(t, scim.TypeGroup, employees)
	require.Equal(t, int64(3), res.Version)
	require.Equal(t, []string{mandy, jsmith}, memberIDs(attrs), "the patch applied on top of the other write, which stays")
}

func TestPatchWithIfMatchFailsAfterAnotherWrite(t *testing.T) {
	t.Parallel()
	store := &racingStore{Store: scim.NewMemoryStore()}
	s := newTestServerOn(t, store)
	store.other = func(ctx context.Context) {
		cur, err := store.Store.Get(ctx, scim.TypeUser, bjensen)
		require.NoError(t, err)
		_, err = store.Store.Put(ctx, cur, cur.Version)
		require.NoError(t, err)
	}
	r := s.do(t, request{method: "PATCH", path: "/scim/v2/Users/" + bjensen,
		body:   `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		header: map[string]string{"If-Match": `W/"1"`}})
	require.Equal(t, 412, r.status, r.raw)
	requireError(t, r, 412, "", "the resource changed since the version If-Match names")
	_, attrs := s.stored(t, scim.TypeUser, bjensen)
	require.Equal(t, true, attrs["active"])
	require.Zero(t, s.changes.Load())
}

// Concurrent patches of one group all apply.
func TestConcurrentPatchesOfOneGroup(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	const n = 8
	var users []string
	for i := range n {
		r := s.do(t, send("POST", "/Users", fmt.Sprintf(`{"schemas":["%s"],"userName":"user%d@example.com"}`, coreUser, i)))
		require.Equal(t, 201, r.status)
		users = append(users, r.body["id"].(string))
	}
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i, id := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.do(t, patch("/Groups/"+employees, `{"op":"add","path":"members","value":[{"value":"`+id+`"}]}`)).status
		}()
	}
	wg.Wait()
	for _, st := range statuses {
		require.Equal(t, 200, st)
	}
	res, attrs := s.stored(t, scim.TypeGroup, employees)
	require.ElementsMatch(t, users, memberIDs(attrs))
	require.Equal(t, int64(1+n), res.Version)
}

// failingStore fails every call with an error whose text the client must
// not see.
type failingStore struct{ scim.Store }

var errDisk = errors.New("disk on fire at /var/lib/invitations/scim.json")

func (failingStore) Get(context.Context, string, string) (scim.Resource, error) {
	return scim.Resource{}, errDisk
}

func (failingStore) List(context.Context, string, bool) ([]scim.Resource, error) {
	return nil, errDisk
}

func TestStoreFailureIsA500WithItsCauseInTheLogOnly(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	logs := &syncBuffer{}
	h, err := scim.NewHandler(failingStore{s.store}, scim.WithToken(testToken),
		scim.WithLogger(slogJSON(logs)))
	require.NoError(t, err)
	s.handler = h
	for _, req := range []request{
		get("/Users/" + bjensen),
		get("/Users"),
		patch("/Users/"+bjensen, `{"op":"replace","path":"active","value":false}`),
	} {
		r := s.do(t, req)
		requireError(t, r, 500, "", "the server could not complete the request; its log says why")
		require.NotContains(t, r.raw, "disk on fire")
	}
	require.Equal(t, 3, strings.Count(logs.String(), `"error":"disk on fire at /var/lib/invitations/scim.json"`))
	require.Equal(t, 3, strings.Count(logs.String(), `"level":"ERROR"`))
}

// panickyStore panics on Get, as a bug would.
type panickyStore struct{ scim.Store }

func (panickyStore) Get(context.Context, string, string) (scim.Resource, error) {
	panic("index out of range")
}

func TestPanicIsA500(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	var observed []int
	h, err := scim.NewHandler(panickyStore{scim.NewMemoryStore()}, scim.WithToken(testToken), scim.WithLogger(slogJSON(logs)),
		scim.WithObserver(func(_ string, status int, _ time.Duration) { observed = append(observed, status) }))
	require.NoError(t, err)
	s := &testServer{handler: h, logs: logs}
	r := s.do(t, get("/Users/"+bjensen))
	requireError(t, r, 500, "", "its log says why")
	require.Contains(t, logs.String(), `"error":"panic: index out of range"`)
	require.Equal(t, []int{500}, observed)
}

// The handler on a file store: what one handler writes, a handler on
// another store of the same file reads.
func TestHandlerOnAFileStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scim.json")
	a, err := scim.NewFileStore(path)
	require.NoError(t, err)
	s := newTestServerOn(t, a)
	r := s.do(t, send("POST", "/Users", oktaUser))
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)
	require.Equal(t, 200, s.do(t, patch("/Groups/"+employees, `{"op":"add","path":"members","value":[{"value":"`+id+`"}]}`)).status)
	require.Equal(t, 200, s.do(t, patch("/Users/"+id, `{"op":"replace","value":{"active":false}}`)).status)

	b, err := scim.NewFileStore(path)
	require.NoError(t, err)
	other := newTestServerOnExisting(t, b)
	r = other.do(t, get("/Users?filter="+q(`userName eq "test.user@okta.local"`)))
	require.Equal(t, []string{id}, ids(r.body))
	require.Equal(t, false, at(r.body, "Resources[0].active"))
	groups, err := scim.Groups(context.Background(), b)
	require.NoError(t, err)
	assert.Contains(t, groups, scim.Group{ID: employees, DisplayName: "Employees", Members: []string{id}})
}

// newTestServerOnExisting is a handler on a store that has its
// resources already.
func newTestServerOnExisting(t *testing.T, store scim.Store) *testServer {
	t.Helper()
	h, err := scim.NewHandler(store, scim.WithToken(testToken))
	require.NoError(t, err)
	return &testServer{store: store, handler: h, logs: &syncBuffer{}}
}
