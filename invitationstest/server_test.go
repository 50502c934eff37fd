package invitationstest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/invitationstest"
)

// fakeTB records what a TestServer reports, standing in for a test that
// is expected to fail.
type fakeTB struct {
	testing.TB
	errors, fatals []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.TB.Cleanup(fn) }
func (f *fakeTB) Error(args ...any) { f.errors = append(f.errors, strings.TrimSpace(sprint(args...))) }
func (f *fakeTB) Fatal(args ...any) {
	f.fatals = append(f.fatals, strings.TrimSpace(sprint(args...)))
}

func sprint(args ...any) string {
	var b strings.Builder
	for _, a := range args {
		if err, ok := a.(error); ok {
			b.WriteString(err.Error())
		}
	}
	return b.String()
}

// On a TestServer, an unknown name fails the test where it is written.
func TestTestServerFailsTheTestOnUnknownOperation(t *testing.T) {
	t.Parallel()
	tb := &fakeTB{TB: t}
	srv := invitationstest.NewTestServer(tb)

	srv.Inject(invitationstest.Fault{Operation: "box.DeleteGroupMembership", Status: 503})
	require.Len(t, tb.fatals, 1)
	assert.Contains(t, tb.fatals[0], `unknown operation "box.DeleteGroupMembership"`)

	assert.Equal(t, -1, srv.RequestCount("box.Nope"), "no count assertion can pass")
	require.Len(t, tb.errors, 1)
	assert.Contains(t, tb.errors[0], `unknown operation "box.Nope"`)

	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxDeleteGroupMembershipByID, Status: 503})
	assert.Zero(t, srv.RequestCount(invitationstest.BoxDeleteGroupMembershipByID))
	assert.Len(t, tb.fatals, 1, "known names pass")
	assert.Len(t, tb.errors, 1, "known names pass")
}

// A TestServer serves until its test ends, then is closed: its port
// refuses connections.
func TestNewTestServerClosesWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var url string
	t.Run("server", func(t *testing.T) {
		srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
		url = srv.URL
		resp, err := http.Get(url + invitationstest.AdminPrefix + "/health")
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url + invitationstest.AdminPrefix + "/health")
	if err == nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err, "the server is closed once its test has ended")
}

// NewServer serves until Close; the wrappers reach the same fake.
func TestNewServerServesUntilClose(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"))
	n, err := srv.RequestCount(invitationstest.BoxDeleteGroupMembershipByID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = srv.RequestCount("box.Nope")
	assert.True(t, errors.Is(err, invitationstest.ErrUnknownOperation), "the re-exported sentinel is the fake's")
	c.CloseIdleConnections()
	srv.Close()
	srv.Close() // a second Close does nothing
	_, err = (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(srv.URL + invitationstest.AdminPrefix + "/health")
	require.Error(t, err)
	assert.False(t, strings.HasPrefix(srv.URL, "https"), "plain HTTP on loopback")
}
