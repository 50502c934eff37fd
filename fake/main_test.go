package fake_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/invitesdk/invitations/fake"
)

// TestMain fails the run if a test leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// mustStart starts a fake on a loopback port, failing the test when it
// cannot. The caller closes it.
func mustStart(t testing.TB, opts ...fake.Option) *fake.Server {
	t.Helper()
	s, err := fake.Start("127.0.0.1:0", opts...)
	require.NoError(t, err)
	return s
}

// testServer is a fake.Server for one test: closed when the test ends,
// with an Inject and a RequestCount that fail the test on error, so that
// the tests below read as a user's tests do (invitationstest.TestServer
// offers the same to users; the fake's own tests do not depend on it).
type testServer struct {
	*fake.Server
	t testing.TB
}

// newTestServer starts a fake for t and closes it when t ends.
func newTestServer(t testing.TB, opts ...fake.Option) *testServer {
	t.Helper()
	s := mustStart(t, opts...)
	t.Cleanup(s.Close)
	return &testServer{Server: s, t: t}
}

// Inject arms fault, failing the test at once when the fake rejects it.
func (s *testServer) Inject(fault fake.Fault) {
	s.t.Helper()
	require.NoError(s.t, s.Fake.Inject(fault))
}

// RequestCount returns how many requests reached op, failing the test
// when op names nothing the fake serves.
func (s *testServer) RequestCount(op fake.Operation) int {
	s.t.Helper()
	n, err := s.Fake.RequestCount(op)
	require.NoError(s.t, err)
	return n
}
