package fake

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/invitesdk/invitations"
)

// Server is a Fake listening on an address, started by Start.
type Server struct {
	*Fake
	// URL is the server root, e.g. "http://127.0.0.1:54321".
	URL string
	// BaseURLs are the five APIs' base URLs on this server.
	BaseURLs BaseURLs

	srv       *http.Server
	served    chan struct{} // closed when Serve has returned
	closeOnce sync.Once
	// conns counts the connections not yet closed or hijacked, and
	// handlers the requests being answered, so that Close can wait for
	// both as httptest.Server.Close does: a test that ends after Close
	// leaves no goroutine of the fake behind.
	conns, handlers sync.WaitGroup
}

// Start starts a fake listening on addr ("127.0.0.1:0": any free loopback
// port) and serving in the background until Close. The Fake is built with
// opts, as NewFake builds it.
func Start(addr string, opts ...Option) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := NewFake(opts...)
	root := "http://" + ln.Addr().String()
	s := &Server{Fake: f, URL: root, BaseURLs: BaseURLsAt(root), served: make(chan struct{})}
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.handlers.Add(1)
			defer s.handlers.Done()
			f.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			switch state {
			case http.StateNew:
				s.conns.Add(1)
			case http.StateHijacked, http.StateClosed:
				s.conns.Done()
			}
		},
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // ends with http.ErrServerClosed on Close
	}()
	return s, nil
}

// Close shuts the server down: it stops listening, closes every open
// connection (a request hanging on a Hang fault ends), and returns once
// every request being answered has finished. Calling it again does
// nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		_ = s.srv.Close() // its only error is the listener's, already closing
		<-s.served        // no connection is accepted from here on
		// A connection's goroutine ends after its handler returns, unless
		// the handler hijacked it (faults that drop or cut an answer), in
		// which case the handler may still be writing: wait for both.
		s.conns.Wait()
		s.handlers.Wait()
	})
}

// Client returns an SDK client with every API pointed at this server and
// authenticated with the fake's credentials (BIMData by access token).
//
// The client does not wait between retries (invitations.WithRetryWait(0,
// 0)), so that a test of a persistent 503 takes milliseconds, not the
// seconds of the production backoff; it still makes every attempt the
// production client would. Options given here come after those and can
// override any of it, the backoff included.
func (s *Server) Client(opts ...invitations.Option) (*invitations.Client, error) {
	base := append(ClientOptions(s.BaseURLs), invitations.WithRetryWait(0, 0))
	return invitations.NewClient(append(base, opts...)...)
}

// ClientOptions are the options that point a client at a fake serving
// base, with the fake's credentials. Client-side rate limits are off (the
// fake enforces no quota unless WithQuota); the production backoff stays
// in place, and Server.Client adds a zero one.
func ClientOptions(base BaseURLs) []invitations.Option {
	opts := []invitations.Option{
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
	}
	for _, v := range invitations.Vendors() {
		opts = append(opts, invitations.WithRateLimit(v.API, 0, 0))
	}
	return opts
}
