package invitations

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// net/http resends a request on its own, on a fresh connection, when a
// kept-alive connection dies before any byte of the answer and it takes
// the request for idempotent: a GET, or any request carrying an
// Idempotency-Key or X-Idempotency-Key header. These tests drive that
// replay through a real loopback server and check that an Unsafe call is
// never replayed, and that a replay of a safe call counts as an attempt
// that reached the server.

// replayServer is an HTTP/1.1 server on a raw loopback listener. It
// answers every request with answer, on kept-alive connections, except
// one: the first request for drop that arrives on a reused connection is
// read in full, then the connection is reset without a byte of answer.
type replayServer struct {
	url    string
	ln     net.Listener
	answer func(r *http.Request) reply
	drop   string // "METHOD /path" to drop once on a reused connection; "" drops nothing
	// closeOnDrop stops listening when the drop happens: a resend finds
	// the connection refused.
	closeOnDrop bool

	mu      sync.Mutex
	dropped bool
	arrived map[string][]http.Header // "METHOD /path" → the header of each request read in full
	bodies  map[string][]string      // "METHOD /path" → the body of each
	chunked map[string]int           // "METHOD /path" → how many came with a chunked body
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

// refuseAfterDrop is an option of newReplayServer: it sets closeOnDrop.
func refuseAfterDrop(s *replayServer) { s.closeOnDrop = true }

func newReplayServer(t *testing.T, drop string, answer func(r *http.Request) reply, opts ...func(*replayServer)) *replayServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &replayServer{
		url: "http://" + ln.Addr().String(), ln: ln, answer: answer, drop: drop,
		arrived: map[string][]http.Header{}, bodies: map[string][]string{}, chunked: map[string]int{}, conns: map[net.Conn]struct{}{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *replayServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed
		}
		s.mu.Lock()
		s.conns[conn] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(conn)
	}
}

func (s *replayServer) serve(conn net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
		_ = conn.Close()
	}()
	br := bufio.NewReader(conn)
	for n := 1; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		key := req.Method + " " + req.URL.Path
		s.mu.Lock()
		s.arrived[key] = append(s.arrived[key], req.Header)
		s.bodies[key] = append(s.bodies[key], string(body))
		if len(req.TransferEncoding) > 0 {
			s.chunked[key]++
		}
		drop := n > 1 && key == s.drop && !s.dropped
		s.dropped = s.dropped || drop
		s.mu.Unlock()
		if drop {
			if s.closeOnDrop {
				_ = s.ln.Close()
			}
			// The whole request is in: reset the connection (no FIN, no
			// answer), as a proxy or a crashing server would.
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			return
		}
		r := s.answer(req)
		resp := &http.Response{
			StatusCode: r.status, ProtoMajor: 1, ProtoMinor: 1, Header: r.header.Clone(),
			ContentLength: int64(len(r.body)), Body: io.NopCloser(strings.NewReader(r.body)),
		}
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		if err := resp.Write(conn); err != nil {
			return
		}
	}
}

func (s *replayServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// count is how many times a request for key ("METHOD /path") arrived in full.
func (s *replayServer) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.arrived[key])
}

// headers returns the header of each request for key.
func (s *replayServer) headers(key string) []http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]http.Header(nil), s.arrived[key]...)
}

// requestBodies returns the body of each request for key.
func (s *replayServer) requestBodies(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies[key]...)
}

// chunkedCount is how many requests for key came with a chunked body.
func (s *replayServer) chunkedCount(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.chunked[key]
}

// wasDropped reports whether the drop happened.
func (s *replayServer) wasDropped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dropped
}

// replayClient is a Client with every API served by srv, zero backoff, and
// a transport that keeps a single connection to it: a call made after
// another always travels on the kept-alive connection (it waits for it to
// come back to the pool rather than dial a second one), and a replay, once
// that connection is reset, on a fresh one.
func replayClient(t *testing.T, srv *replayServer, opts ...Option) *Client {
	t.Helper()
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	base := []Option{
		WithHTTPClient(&http.Client{Transport: tr}),
		WithGitGuardianBaseURL(srv.url), WithGitGuardianAPIKey(testGitGuardianKey),
		WithBoxBaseURL(srv.url), WithBoxAccessToken(testBoxToken),
		WithFreestyleBaseURL(srv.url), WithFreestyleAPIKey(testFreestyleKey),
		WithPortworxBaseURL(srv.url), WithPortworxAccessToken(testPortworxToken),
		WithRetryWait(0, 0),
		withBackoffHook(func(time.Duration) time.Duration { return 0 }),
	}
	c, err := NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// warm makes a call that leaves a kept-alive connection in c's pool, so
// that the next call reuses it.
func warm(t *testing.T, c *Client) {
	t.Helper()
	_, err := c.Do(t.Context(), &RawRequest{API: GitGuardian, Method: http.MethodGet, Path: "warm", Retry: Idempotent}, nil)
	require.NoError(t, err, "warming the connection")
}

// answerJSON answers every request but "GET /warm" with status and body.
func answerJSON(status int, body string) func(*http.Request) reply {
	return func(r *http.Request) reply {
		if r.URL.Path == "/warm" {
			return jsonReply(200, "{}")
		}
		return jsonReply(status, body)
	}
}

func TestUnsafeCallIsNeverReplayedByTheTransport(t *testing.T) {
	t.Parallel()
	sendEmail := true
	cases := []struct {
		name   string
		key    string // the request the server drops, "METHOD /path"
		header string // the idempotency header the caller adds, if any
		call   func(ctx context.Context, c *Client, opts ...RequestOption) error
	}{
		{"POST with a body and Idempotency-Key", "POST /v1/invitations", "Idempotency-Key",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "a@example.com"}, nil, opts...)
				return err
			}},
		{"POST without a body and X-Idempotency-Key", "POST /identity/v1/identities", "X-Idempotency-Key",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				_, err := c.Identity.CreateIdentity(ctx, opts...)
				return err
			}},
		{"DELETE that sends an email, with Idempotency-Key", "DELETE /v1/members/7", "Idempotency-Key",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				return c.Members.DeleteMember(ctx, 7, &MemberEmailOptions{SendEmail: &sendEmail}, opts...)
			}},
		{"raw Unsafe PUT with a body and Idempotency-Key", "PUT /v1/things/x", "Idempotency-Key",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				_, err := c.Do(ctx, &RawRequest{API: Box, Method: http.MethodPut, Path: "v1/things/{}", PathParams: []string{"x"},
					Body: map[string]string{"name": "x"}, Retry: Unsafe}, nil, opts...)
				return err
			}},
		{"raw Unsafe GET with Idempotency-Key", "GET /v1/send", "Idempotency-Key",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				_, err := c.Do(ctx, &RawRequest{API: Box, Method: http.MethodGet, Path: "v1/send", Retry: Unsafe}, nil, opts...)
				return err
			}},
		{"Portworx NotifyUser, an Unsafe GET", "GET /core/v1/invite/u1:notify", "",
			func(ctx context.Context, c *Client, opts ...RequestOption) error {
				return c.AccountInvitations.NotifyUser(ctx, "u1", opts...)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newReplayServer(t, tc.key, answerJSON(200, "{}"))
			c := replayClient(t, srv)
			warm(t, c)
			var opts []RequestOption
			if tc.header != "" {
				opts = append(opts, WithHeader(tc.header, "k-123"))
			}

			err := tc.call(t.Context(), c, opts...)
			require.True(t, srv.wasDropped(), "the call was meant to travel on the warm connection")
			assert.Equal(t, 1, srv.count(tc.key), "an Unsafe call reaches the server once")
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.True(t, te.Sent)
			assert.Equal(t, 1, te.Attempts)
			assert.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.NotErrorIs(t, err, ErrNotSent)
			assert.Contains(t, err.Error(), "sent, outcome unknown after 1 attempt(s)")
			// Nothing else changed on the wire: the key arrives, and the
			// body is framed as before (a bodiless POST with
			// Content-Length: 0, a GET or DELETE with no framing at all).
			method, _, _ := strings.Cut(tc.key, " ")
			assert.Zero(t, srv.chunkedCount(tc.key), "no request goes out chunked")
			for _, h := range srv.headers(tc.key) {
				if tc.header != "" {
					assert.Equal(t, "k-123", h.Get(tc.header), "the server still reads the idempotency key")
				}
				if method == http.MethodPost || method == http.MethodPut {
					assert.NotEmpty(t, h.Get("Content-Length"))
				} else {
					assert.Empty(t, h.Get("Content-Length"))
				}
			}
		})
	}
}

func TestUnsafeCallIsStillRetriedWhereTheServerDidNotAct(t *testing.T) {
	t.Parallel()
	n := 0
	var mu sync.Mutex
	srv := newReplayServer(t, "", func(r *http.Request) reply {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 1 {
			return jsonReply(429, `{"detail":"slow down"}`, "Retry-After", "0")
		}
		return jsonReply(201, `{"id":1,"email":"a@example.com"}`)
	})
	c := replayClient(t, srv)

	inv, err := c.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "a@example.com"}, nil,
		WithHeader("Idempotency-Key", "k-1"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), inv.ID)
	bodies := srv.requestBodies("POST /v1/invitations")
	require.Len(t, bodies, 2, "a 429 is retried: the server did not act")
	assert.Equal(t, `{"email":"a@example.com"}`, bodies[0])
	assert.Equal(t, bodies[0], bodies[1], "the retry sends the whole body again")
	for _, h := range srv.headers("POST /v1/invitations") {
		assert.Equal(t, "k-1", h.Get("Idempotency-Key"))
	}
}

func TestUnsafeGetFollowsATemporaryRedirect(t *testing.T) {
	t.Parallel()
	srv := newReplayServer(t, "", func(r *http.Request) reply {
		if strings.HasSuffix(r.URL.Path, ":notify") {
			return reply{status: http.StatusTemporaryRedirect, header: http.Header{"Location": {"/moved"}}}
		}
		return jsonReply(200, "{}")
	})
	c := replayClient(t, srv)
	require.NoError(t, c.AccountInvitations.NotifyUser(t.Context(), "u1"))
	assert.Equal(t, 1, srv.count("GET /core/v1/invite/u1:notify"))
	assert.Equal(t, 1, srv.count("GET /moved"), "a 307 says the server did not act: the redirect is followed once")
}

func TestReplayOfASafeCallCountsAsAnAttempt(t *testing.T) {
	t.Parallel()
	const key = "GET /group_memberships/1"
	get := func(ctx context.Context, c *Client) error {
		_, err := c.Memberships.GetGroupMembershipByID(ctx, "1", nil)
		return err
	}

	t.Run("then a 429 whose wait is cancelled", func(t *testing.T) {
		t.Parallel()
		srv := newReplayServer(t, key, func(r *http.Request) reply {
			if r.URL.Path == "/warm" {
				return jsonReply(200, "{}")
			}
			return jsonReply(429, `{"type":"error","status":429}`, "Retry-After", "30")
		})
		ctx, cancel := context.WithCancel(t.Context())
		c := replayClient(t, srv, withBackoffHook(func(d time.Duration) time.Duration {
			cancel() // the caller gives up while the client waits out the 429
			return d
		}))
		warm(t, c)

		err := get(ctx, c)
		require.True(t, srv.wasDropped())
		assert.Equal(t, 2, srv.count(key), "net/http replayed the GET on a fresh connection")
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.ErrorIs(t, err, context.Canceled)
		assert.True(t, te.Sent, "the dropped copy reached the server")
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, ErrNotSent)
		assert.Equal(t, 2, te.Attempts, "the replay is an attempt")
	})

	t.Run("then a redirect loop", func(t *testing.T) {
		t.Parallel()
		srv := newReplayServer(t, key, func(r *http.Request) reply {
			if r.URL.Path == "/warm" {
				return jsonReply(200, "{}")
			}
			return reply{status: http.StatusFound, header: http.Header{"Location": {r.URL.Path}}}
		})
		c := replayClient(t, srv)
		warm(t, c)

		err := get(t.Context(), c)
		require.True(t, srv.wasDropped())
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.ErrorContains(t, err, "redirects")
		assert.True(t, te.Sent, "the dropped copy reached the server")
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, ErrNotSent)
		assert.Equal(t, 2, te.Attempts, "the replay is an attempt; redirect hops are not")
	})

	t.Run("that finds the connection refused", func(t *testing.T) {
		t.Parallel()
		srv := newReplayServer(t, key, answerJSON(200, "{}"), refuseAfterDrop)
		c := replayClient(t, srv, WithMaxRetries(0))
		warm(t, c)

		err := get(t.Context(), c)
		require.True(t, srv.wasDropped())
		assert.Equal(t, 1, srv.count(key))
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Sent, "the first copy reached the server, though the resend was never sent")
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.NotErrorIs(t, err, ErrNotSent)
		assert.Equal(t, 1, te.Attempts, "only one copy was written")
	})

	t.Run("then an answer", func(t *testing.T) {
		t.Parallel()
		srv := newReplayServer(t, key, answerJSON(404, `{"type":"error","status":404,"code":"not_found"}`))
		var mu sync.Mutex
		var hooked []RequestInfo
		c := replayClient(t, srv, WithMaxRetries(0), WithRequestHook(func(info RequestInfo) {
			mu.Lock()
			hooked = append(hooked, info)
			mu.Unlock()
		}))
		warm(t, c)

		err := get(t.Context(), c)
		require.True(t, srv.wasDropped())
		assert.Equal(t, 2, srv.count(key))
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 2, apiErr.Attempts, "the request reached the server twice")
		mu.Lock()
		defer mu.Unlock()
		require.Len(t, hooked, 2, "the warm-up and the call")
		assert.Equal(t, 2, hooked[1].Attempt, "the hook numbers the replay too")
	})
}

func TestTransportErrorOfAReadSaysWhatHappened(t *testing.T) {
	t.Parallel()
	// holdUntilGone keeps the request unanswered until the client leaves.
	holdUntilGone := func(cancel context.CancelFunc) http.HandlerFunc {
		return func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			if cancel != nil {
				cancel() // the caller gives up once the server holds the request
			}
			<-r.Context().Done()
		}
	}

	t.Run("a read that timed out", func(t *testing.T) {
		t.Parallel()
		// The header timeout starts once the request is written, so the
		// read is always sent before it times out.
		tr := &http.Transport{ResponseHeaderTimeout: 50 * time.Millisecond}
		t.Cleanup(tr.CloseIdleConnections)
		c := loopbackClient(t, holdUntilGone(nil), WithHTTPClient(&http.Client{Transport: tr}), WithMaxRetries(1))
		_, err := c.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Read)
		assert.True(t, te.Sent)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "the request did reach the server")
		assert.Contains(t, err.Error(), "(timed out after 2 attempt(s))")
		assert.NotContains(t, err.Error(), "outcome unknown", "a read has no outcome to doubt")
	})

	t.Run("a read that was cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		c := loopbackClient(t, holdUntilGone(cancel))
		_, err := c.Do(ctx, &RawRequest{API: Box, Method: http.MethodHead, Path: "files/1", Retry: Idempotent}, nil)
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.True(t, te.Read)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "(cancelled after 1 attempt(s))")
	})

	t.Run("an Unsafe GET is not a read", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		srv := httptest.NewServer(holdUntilGone(cancel))
		t.Cleanup(srv.Close)
		c, err := NewClient(WithPortworxBaseURL(srv.URL), WithPortworxAccessToken(testPortworxToken), WithRetryWait(0, 0))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		err = c.AccountInvitations.NotifyUser(ctx, "u1")
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.False(t, te.Read, "NotifyUser sends an email")
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.Contains(t, err.Error(), "(sent, outcome unknown after 1 attempt(s))")
	})

	t.Run("an idempotent write is not a read", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		c := loopbackClient(t, holdUntilGone(cancel))
		err := c.Memberships.DeleteGroupMembershipByID(ctx, "1")
		var te *TransportError
		require.ErrorAs(t, err, &te)
		assert.False(t, te.Read)
		assert.Contains(t, err.Error(), "(sent, outcome unknown after 1 attempt(s))")
	})
}
