// Package serve is the SCIM 2.0 service provider of the invitations
// command: an identity provider's users and groups, kept in a SCIM store,
// become people with roles (People), which a Reconciler applies through
// the access engine; a Server answers the SCIM protocol, health checks and
// Prometheus metrics on one address.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// DefaultShutdownTimeout is how long a stopping Server waits for the SCIM
// requests under way.
const DefaultShutdownTimeout = 10 * time.Second

// readyTimeout bounds the store's answer to a readiness check.
const readyTimeout = 2 * time.Second

// ServerOption configures a Server in NewServer.
type ServerOption func(*serverSettings) error

type serverSettings struct {
	token           string
	maxBody         int64
	certFile        string
	keyFile         string
	shutdownTimeout time.Duration
}

// WithToken sets the bearer token every SCIM request must carry
// (required).
func WithToken(token string) ServerOption {
	return func(s *serverSettings) error {
		if token == "" {
			return errors.New("serve: WithToken: the token must not be empty")
		}
		s.token = token
		return nil
	}
}

// WithMaxBody limits a SCIM request's body to n bytes (default: the SCIM
// handler's, 1 MiB).
func WithMaxBody(n int64) ServerOption {
	return func(s *serverSettings) error {
		if n <= 0 {
			return fmt.Errorf("serve: WithMaxBody: must be positive (got %d)", n)
		}
		s.maxBody = n
		return nil
	}
}

// WithTLS serves HTTPS with the certificate (chain) and key in PEM files.
func WithTLS(certFile, keyFile string) ServerOption {
	return func(s *serverSettings) error {
		if (certFile == "") != (keyFile == "") {
			return errors.New("serve: WithTLS: give both the certificate and the key")
		}
		s.certFile, s.keyFile = certFile, keyFile
		return nil
	}
}

// WithShutdownTimeout sets how long a stopping Server waits for the SCIM
// requests under way (default 10s).
func WithShutdownTimeout(d time.Duration) ServerOption {
	return func(s *serverSettings) error {
		if err := nonNegative("WithShutdownTimeout", d); err != nil {
			return err
		}
		s.shutdownTimeout = d
		return nil
	}
}

// Server serves, on one address: /scim/v2 (the SCIM protocol, whose writes
// notify the Reconciler), /healthz (200 while the process serves),
// /readyz (200 while the store answers and the server is not stopping,
// else 503 with the reason) and /metrics (Prometheus).
type Server struct {
	rec      *Reconciler
	handler  http.Handler
	tls      *tls.Config
	logger   *slog.Logger
	shutdown time.Duration
	stopping atomic.Bool
}

// NewServer returns the Server of rec: its SCIM store, logger and
// metrics.
func NewServer(rec *Reconciler, opts ...ServerOption) (*Server, error) {
	if rec == nil {
		return nil, errors.New("serve: NewServer: reconciler must not be nil")
	}
	st := serverSettings{shutdownTimeout: DefaultShutdownTimeout}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&st); err != nil {
			return nil, err
		}
	}
	if st.token == "" {
		return nil, errors.New("serve: NewServer: WithToken is required: every SCIM request must be authenticated")
	}
	metrics := rec.Metrics()
	scimOpts := []scim.Option{
		scim.WithToken(st.token),
		scim.WithLogger(rec.s.logger),
		scim.WithOnChange(rec.Notify),
		scim.WithObserver(metrics.ObserveRequest),
	}
	if st.maxBody > 0 {
		scimOpts = append(scimOpts, scim.WithMaxBody(st.maxBody))
	}
	scimHandler, err := scim.NewHandler(rec.store, scimOpts...)
	if err != nil {
		return nil, err
	}
	s := &Server{rec: rec, logger: rec.s.logger, shutdown: st.shutdownTimeout}
	if st.certFile != "" {
		// Read now: a bad file stops the start, not the first request.
		cert, err := tls.LoadX509KeyPair(st.certFile, st.keyFile)
		if err != nil {
			return nil, fmt.Errorf("serve: the TLS certificate and key: %w", err)
		}
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", scimHandler)
	mux.Handle("/scim/v2", scimHandler)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { text(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", metrics.Handler())
	s.handler = mux
	return s, nil
}

// TLS reports whether the Server serves HTTPS.
func (s *Server) TLS() bool { return s.tls != nil }

// Handler is the Server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ready answers /readyz.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		text(w, http.StatusServiceUnavailable, "stopping")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if _, err := s.rec.store.Generation(ctx); err != nil {
		// The error itself is logged, not sent: it may name the
		// database's host.
		s.rec.s.logger.Warn("scim: readiness: the store does not answer", "error", err.Error())
		text(w, http.StatusServiceUnavailable, "the SCIM store does not answer")
		return
	}
	text(w, http.StatusOK, "ok")
}

func text(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintln(w, body)
}

// Serve answers on ln and runs the Reconciler until ctx ends; then it
// stops accepting requests, lets those under way finish (up to the
// shutdown timeout) and the apply under way finish or stop (see
// WithStopGrace), and returns nil. It returns early with the listener's
// error.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		TLSConfig:         s.tls,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	reconciled := make(chan error, 1)
	go func() { reconciled <- s.rec.Run(runCtx) }()
	served := make(chan error, 1)
	go func() {
		if s.tls != nil {
			served <- srv.ServeTLS(ln, "", "")
			return
		}
		served <- srv.Serve(ln)
	}()

	var serveErr error
	select {
	case serveErr = <-served:
	case <-ctx.Done():
	}
	s.stopping.Store(true)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdown)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && serveErr == nil {
		serveErr = fmt.Errorf("serve: stopping the HTTP server: %w", err)
	}
	stopRun()
	runErr := <-reconciled
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, runErr)
}
