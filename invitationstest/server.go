package invitationstest

import (
	"fmt"
	"testing"

	"github.com/invitesdk/invitations/fake"
)

// start starts a fake on a free loopback port, IPv4 or else IPv6, as
// httptest.NewServer does.
func start(opts []Option) (*Server, error) {
	s, err := fake.Start("127.0.0.1:0", opts...)
	if err != nil {
		var err6 error
		if s, err6 = fake.Start("[::1]:0", opts...); err6 != nil {
			return nil, fmt.Errorf("invitationstest: failed to listen on a loopback port: %w", err)
		}
	}
	return s, nil
}

// NewServer starts a fake on a loopback port. Close it when done. In a
// test, NewTestServer does that for you and turns misuse into a failure.
// Like httptest.NewServer, it panics when no loopback port can be had;
// fake.Start returns that as an error instead.
func NewServer(opts ...Option) *Server {
	s, err := start(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// TestServer is a Server bound to a test: it closes when the test ends,
// and its Inject and RequestCount report an unknown operation as a test
// failure rather than an error.
type TestServer struct {
	*Server
	t testing.TB
}

// NewTestServer starts a fake on a loopback port for the test t and closes
// it when t ends (t.Cleanup). A port that cannot be had fails the test.
func NewTestServer(t testing.TB, opts ...Option) *TestServer {
	t.Helper()
	s, err := start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return &TestServer{Server: s, t: t}
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
