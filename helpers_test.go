package invitations

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test credentials: distinctive so tests can grep for leaks.
const (
	testGitGuardianKey = "gg-test-key-5b1d"
	testBoxToken       = "box-test-token-77c2"
	testFreestyleKey   = "fs-test-key-0a9e"
	testBIMDataToken   = "bim-test-token-4f21"
	testPortworxToken  = "px-test-token-c3d8"

	testGitGuardianBase = "https://api.gitguardian.com"
	testBoxBase         = "https://api.box.com/2.0"
	testFreestyleBase   = "https://api.freestyle.sh"
	testBIMDataBase     = "https://api.bimdata.io"
	testPortworxBase    = "https://px-central.example.com"
)

// withBackoffHook lets a test observe every computed retry wait and
// replace it (tests return 0, so nothing really sleeps).
func withBackoffHook(hook func(time.Duration) time.Duration) Option {
	return func(c *config) error {
		c.backoffHook = hook
		return nil
	}
}

// withTurnHook lets a test observe every wait for a turn (a pause the
// server asked for, the rate limit) and replace it.
func withTurnHook(hook func(time.Duration) time.Duration) Option {
	return func(c *config) error {
		c.turnHook = hook
		return nil
	}
}

// turnWaits returns the waits for a turn asked for so far.
func (e *testEnv) turnWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.turns...)
}

// testEnv is a Client wired to an httpmock transport (the one
// retryablehttp really uses, since the Client wraps the given
// *http.Client), with every API configured, zero backoff and a record of
// every retry wait asked for.
type testEnv struct {
	client *Client
	mock   *httpmock.MockTransport

	mu    sync.Mutex
	waits []time.Duration
	turns []time.Duration // waits for a turn (server pause, rate limit)
}

func newTestEnv(t *testing.T, opts ...Option) *testEnv {
	t.Helper()
	env := &testEnv{mock: httpmock.NewMockTransport()}
	base := []Option{
		WithHTTPClient(&http.Client{Transport: env.mock}),
		WithGitGuardianAPIKey(testGitGuardianKey),
		WithBoxAccessToken(testBoxToken),
		WithFreestyleAPIKey(testFreestyleKey),
		WithBIMDataAccessToken(testBIMDataToken),
		WithPortworxAccessToken(testPortworxToken),
		WithPortworxBaseURL(testPortworxBase),
		WithRetryWait(0, 0),
		withBackoffHook(func(d time.Duration) time.Duration {
			env.mu.Lock()
			env.waits = append(env.waits, d)
			env.mu.Unlock()
			return 0
		}),
		withTurnHook(func(d time.Duration) time.Duration {
			env.mu.Lock()
			env.turns = append(env.turns, d)
			env.mu.Unlock()
			return 0
		}),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	env.client = c
	return env
}

// retryWaits returns the waits the retry policy asked for so far.
func (e *testEnv) retryWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

// recorded is one request as the server saw it.
type recorded struct {
	Method string
	Path   string // escaped path
	Query  string // raw query
	Header http.Header
	Body   []byte
}

// recorder collects the requests a responder answered.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) add(req *http.Request) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, recorded{
		Method: req.Method,
		Path:   req.URL.EscapedPath(),
		Query:  req.URL.RawQuery,
		Header: req.Header.Clone(),
		Body:   body,
	})
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func (r *recorder) count() int { return len(r.all()) }

// only returns the single recorded request, failing if there is not exactly one.
func (r *recorder) only(t *testing.T) recorded {
	t.Helper()
	all := r.all()
	require.Len(t, all, 1, "requests received")
	return all[0]
}

// reply is one canned answer.
type reply struct {
	status int
	body   string
	header http.Header
}

func jsonReply(status int, body string, kv ...string) reply {
	h := http.Header{}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return reply{status: status, body: body, header: h}
}

// fixture reads testdata/<name>.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// route answers method+url (any query) with the replies in turn, repeating
// the last, and records every request it saw.
func (e *testEnv) route(method, url string, replies ...reply) *recorder {
	rec := &recorder{}
	var mu sync.Mutex
	n := 0
	e.mock.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		mu.Lock()
		r := replies[min(n, len(replies)-1)]
		n++
		mu.Unlock()
		resp := &http.Response{
			StatusCode: r.status,
			Status:     http.StatusText(r.status),
			Header:     r.header.Clone(),
			Body:       io.NopCloser(bytes.NewReader([]byte(r.body))),
			Request:    req,
		}
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		return resp, nil
	})
	return rec
}

// assertCommonHeaders checks what every request carries.
func assertCommonHeaders(t *testing.T, req recorded, wantAuth string) {
	t.Helper()
	assert.Equal(t, wantAuth, req.Header.Get("Authorization"))
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Regexp(t, `^invitations-go/\d+\.\d+\.\d+`, req.Header.Get("User-Agent"))
	if len(req.Body) > 0 {
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	} else {
		assert.Empty(t, req.Header.Get("Content-Type"))
	}
}

// jsonResponse builds a response for hand-written responders.
func jsonResponse(req *http.Request, status int, body string, kv ...string) *http.Response {
	r := jsonReply(status, body, kv...)
	return &http.Response{
		StatusCode: status,
		Status:     http.StatusText(status),
		Header:     r.header,
		Body:       io.NopCloser(bytes.NewReader([]byte(body))),
		Request:    req,
	}
}

// limitsOf returns what paces c's requests to api.
func (c *Client) limitsOf(api API) *apiLimits {
	i, ok := api.index()
	if !ok {
		panic("unknown API " + string(api))
	}
	return &c.limits[i]
}
