package fake_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/fake"
)

// Start reports an address it cannot listen on instead of failing later.
func TestStartReportsAnAddressItCannotListenOn(t *testing.T) {
	t.Parallel()
	srv, err := fake.Start("256.0.0.1:0")
	require.Error(t, err)
	assert.Nil(t, srv)
}

// Close ends a request the fake is holding (a Hang fault), returns once
// it has, and stops the server; a second Close does nothing. goleak
// (TestMain) checks that no goroutine of the server is left.
func TestServerCloseEndsHeldRequests(t *testing.T) {
	t.Parallel()
	srv := mustStart(t, fake.WithDemoData())
	require.NoError(t, srv.Inject(fake.Fault{Operation: fake.BoxGetGroups, Hang: true}))
	c, err := srv.Client()
	require.NoError(t, err)
	defer c.CloseIdleConnections()

	done := make(chan error, 1)
	go func() {
		_, err := c.Memberships.GetGroups(t.Context(), nil).Collect(1)
		done <- err
	}()
	// The request is held once the fake has logged it.
	require.Eventually(t, func() bool {
		n, err := srv.RequestCount(fake.BoxGetGroups)
		return err == nil && n == 1
	}, 5*time.Second, time.Millisecond)
	srv.Close()
	require.Error(t, <-done, "the held request ends with the server")
	srv.Close()
	_, err = (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get(srv.URL + fake.AdminPrefix + "/health")
	require.Error(t, err, "a closed server refuses connections")
}
