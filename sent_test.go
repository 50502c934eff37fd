package invitations

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopbackClient is a Client whose Freestyle and Box APIs are served by h
// on loopback, with zero backoff.
func loopbackClient(t *testing.T, h http.HandlerFunc, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	base := []Option{
		WithFreestyleBaseURL(srv.URL), WithFreestyleAPIKey(testFreestyleKey),
		WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken),
		WithRetryWait(0, 0),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// dropAfterReading reads the whole request, then closes the connection
// without answering: the request reached the server, no answer came.
func dropAfterReading(t *testing.T, hits *int, mu *sync.Mutex) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		*hits++
		mu.Unlock()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	}
}

func TestTransportErrorAfterTheRequestWasWrittenIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := 0
	c := loopbackClient(t, dropAfterReading(t, &hits, &mu))

	_, err := c.Identity.CreateIdentity(t.Context())
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.NotErrorIs(t, err, ErrNotSent)
	assert.True(t, te.Sent)
	assert.Equal(t, 1, te.Attempts, "an unsafe create is not repeated once it may have acted")
	assert.Equal(t, "Freestyle", te.API)
	assert.Equal(t, http.MethodPost, te.Method)
	assert.Contains(t, err.Error(), "outcome unknown")
	mu.Lock()
	assert.Equal(t, 1, hits)
	mu.Unlock()
}

func TestTransportErrorWhenNeverConnectedIsNotSent(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now: every dial is refused

	c, err := NewClient(WithFreestyleBaseURL("http://"+addr), WithFreestyleAPIKey(testFreestyleKey),
		WithRetryWait(0, 0), WithMaxRetries(2))
	require.NoError(t, err)
	_, err = c.Identity.CreateIdentity(t.Context())
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, ErrNotSent)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.False(t, te.Sent)
	assert.Equal(t, 3, te.Attempts, "a refused connection is retried even for an unsafe call")
	assert.ErrorIs(t, err, syscall.ECONNREFUSED, "the cause stays reachable")
}

func TestTransportErrorWhenContextEndedBeforeSendingIsNotSent(t *testing.T) {
	t.Parallel()
	c := loopbackClient(t, func(http.ResponseWriter, *http.Request) { t.Error("nothing may arrive") })
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Identity.CreateIdentity(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrNotSent)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 1, te.Attempts)
}

func TestTransportErrorWhenContextEndsAfterWritingIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	c := loopbackClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		cancel() // the caller gives up once the server holds the request
		<-r.Context().Done()
	})
	_, err := c.Identity.CreateIdentity(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
}

func TestTransportErrorWhenContextEndsDuringRetryWaitIsNotSentAfterA429(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	env := newTestEnv(t, withBackoffHook(func(d time.Duration) time.Duration {
		cancel() // the caller gives up while the client waits out the 429
		return d
	}))
	rec := env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities",
		jsonReply(429, `{"message":"slow down"}`, "Retry-After", "30"))
	_, err := env.client.Identity.CreateIdentity(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, ErrNotSent, "a 429 says the server did not act")
	assert.Equal(t, 1, rec.count())
}

func TestTransportErrorFromAnOpaqueTransportIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// A transport that does not report its progress through httptrace
	// cannot show that nothing was written: the SDK does not guess.
	env.mock.RegisterResponder(http.MethodPost, testFreestyleBase+"/identity/v1/identities",
		func(*http.Request) (*http.Response, error) { return nil, errors.New("connection lost") })
	_, err := env.client.Identity.CreateIdentity(t.Context())
	assert.ErrorIs(t, err, ErrOutcomeUnknown)

	env.mock.RegisterResponder(http.MethodPost, testFreestyleBase+"/identity/v1/identities",
		func(*http.Request) (*http.Response, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
		})
	_, err = env.client.Identity.CreateIdentity(t.Context())
	assert.ErrorIs(t, err, ErrNotSent, "a dial error proves nothing was sent, whatever the transport")
}

func TestIdempotentCallThatReachedTheServerStaysOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(1))
	n := 0
	env.mock.RegisterResponder(http.MethodDelete, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		n++
		if n == 1 {
			return jsonResponse(req, 500, `{"type":"error","status":500}`), nil
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	})
	err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the first attempt failed inside the server, which may have acted")
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 2, te.Attempts)
}

func TestAPIErrorCarriesAttemptsAndServerErrorsAreOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(2))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(503, `{"type":"error","status":503}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 3, apiErr.Attempts)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)

	env.route(http.MethodGet, testBoxBase+"/group_memberships/2", jsonReply(404, `{"type":"error","status":404,"code":"not_found"}`))
	_, err = env.client.Memberships.GetGroupMembershipByID(t.Context(), "2", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 1, apiErr.Attempts)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a 4xx is a definite refusal")
}

func TestDecodeErrorIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities", jsonReply(200, `{"id": 7`))
	_, err := env.client.Identity.CreateIdentity(t.Context())
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrOutcomeUnknown, "the server said yes; what it made is unknown")
}
