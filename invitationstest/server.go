package invitationstest

import (
	"net/http/httptest"
	"testing"

	"github.com/invitesdk/invitations"
)

// Server is a Fake listening on a loopback port, like httptest.Server.
type Server struct {
	*Fake
	// URL is the server root, e.g. "http://127.0.0.1:54321".
	URL string
	// BaseURLs are the five APIs' base URLs on this server.
	BaseURLs BaseURLs

	ts *httptest.Server
}

// NewServer starts a fake on a loopback port. Close it when done. In a
// test, NewTestServer does that for you and turns misuse into a failure.
func NewServer(opts ...Option) *Server {
	f := NewFake(opts...)
	ts := httptest.NewServer(f)
	return &Server{Fake: f, URL: ts.URL, BaseURLs: BaseURLsAt(ts.URL), ts: ts}
}

// Close shuts the server down, closing open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client returns an SDK client with every API pointed at this server and
// authenticated with the fake's credentials (BIMData by access token).
//
// The client does not wait between retries (invitations.WithRetryWait(0,
// 0)), so that a test of a persistent 503 takes milliseconds, not the
// seconds of the production backoff; it still makes every attempt the
// retry policy allows, and still honours a Retry-After the fake sends
// (inject faults with RetryAfter "0" to keep tests instant). opts are
// applied after, so they can override any of it, the backoff included.
func (s *Server) Client(opts ...invitations.Option) (*invitations.Client, error) {
	base := append(ClientOptions(s.BaseURLs), invitations.WithRetryWait(0, 0))
	return invitations.NewClient(append(base, opts...)...)
}

// ClientOptions are the options that point a client at a fake serving
// base, with the fake's credentials. Client-side rate limits are off (the
// fake enforces no quota unless WithQuota); the production backoff stays
// in place, and Server.Client adds a zero one.
func ClientOptions(base BaseURLs) []invitations.Option {
	return []invitations.Option{
		invitations.WithGitGuardianBaseURL(base.GitGuardian),
		invitations.WithGitGuardianAPIKey(GitGuardianAPIKey),
		invitations.WithBoxBaseURL(base.Box),
		invitations.WithBoxAccessToken(BoxAccessToken),
		invitations.WithFreestyleBaseURL(base.Freestyle),
		invitations.WithFreestyleAPIKey(FreestyleAPIKey),
		invitations.WithBIMDataBaseURL(base.BIMData),
		invitations.WithBIMDataAccessToken(BIMDataAccessToken),
		invitations.WithPortworxBaseURL(base.Portworx),
		invitations.WithPortworxAccessToken(PortworxAccessToken),
		invitations.WithRateLimit(invitations.Box, 0, 0),
		invitations.WithRateLimit(invitations.GitGuardian, 0, 0),
	}
}

// TestServer is a Server bound to a test: it closes when the test ends,
// and its Inject and RequestCount report an unknown operation as a test
// failure rather than an error.
type TestServer struct {
	*Server
	t testing.TB
}

// NewTestServer starts a fake on a loopback port for the test t and closes
// it when t ends.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	s := &TestServer{Server: NewServer(opts...), t: t}
	t.Cleanup(s.Close)
	return s
}

// Inject arms fault as Fake.Inject does, and fails the test at once
// (t.Fatal) when the fake rejects it, e.g. for an unknown operation. Call
// it from the test's goroutine.
func (s *TestServer) Inject(fault Fault) {
	s.t.Helper()
	if err := s.Fake.Inject(fault); err != nil {
		s.t.Fatal(err)
	}
}

// RequestCount returns how many requests reached op, as Fake.RequestCount
// does, and marks the test failed (t.Error) when op names nothing the fake
// serves; it then returns -1, which no assertion on a count accepts.
func (s *TestServer) RequestCount(op Operation) int {
	s.t.Helper()
	n, err := s.Fake.RequestCount(op)
	if err != nil {
		s.t.Error(err)
		return -1
	}
	return n
}
