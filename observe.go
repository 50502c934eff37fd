package invitations

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// RequestInfo describes one attempt of one call (a call retried twice has
// three), for logs, metrics and tracing. It never holds a credential.
type RequestInfo struct {
	// API is the vendor API called, e.g. "Box".
	API string
	// Method and URL identify the request; URL has secrets redacted.
	Method string
	URL    string
	// Attempt counts from 1.
	Attempt int
	// StatusCode is the HTTP status, 0 when no response arrived.
	StatusCode int
	// Waited is how long the attempt waited for its turn before it was
	// sent: a pause the server asked for, the rate limit, a free slot.
	Waited time.Duration
	// Duration is the time from sending until the response headers (or
	// the error).
	Duration time.Duration
	// RequestID is the vendor's request id header, when sent.
	RequestID string
	// Err is the transport error, when the attempt got no response.
	Err error
}

// WithLogger makes the Client log through l: one record per attempt at
// Debug (method, redacted URL, status, attempt, duration, request id) and
// one per retry at Info. Without it the Client logs nothing. No record ever
// holds a credential.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return &ValidationError{Param: "WithLogger", Reason: "must not be nil"}
		}
		c.logger = l
		return nil
	}
}

// WithRequestHook calls hook after every attempt of every call, with what
// happened, for metrics or tracing. A hook runs on the goroutine that sends
// the request: the caller's, or, for a pager with Prefetch, the goroutine
// fetching the next page while the loop body runs. Calls made from several
// goroutines run their hooks concurrently, so a hook must be safe for
// concurrent use, and should return quickly. A redirect followed within an
// attempt reports each hop with the same Attempt number. For OpenTelemetry, wrap the transport instead
// (see the otel example): WithHTTPClient(&http.Client{Transport: otelhttp.NewTransport(...)}).
func WithRequestHook(hook func(RequestInfo)) Option {
	return func(c *config) error {
		if hook == nil {
			return &ValidationError{Param: "WithRequestHook", Reason: "must not be nil"}
		}
		c.hooks = append(c.hooks, hook)
		return nil
	}
}

// observing reports whether attempts are logged or hooked.
func (c *Client) observing() bool { return c.cfg.logger != nil || len(c.cfg.hooks) > 0 }

type callKey struct{}

// callState is shared by the attempts of one call, through its context:
// the retry hooks and the transport write it, do reads it when the call
// ends. Attempts run one after another, but the trace callbacks of one
// attempt may run on the transport's own goroutines: hence the atomics.
type callState struct {
	api        *apiConfig
	attempts   atomic.Int32 // attempts started, counted by retryablehttp's RequestLogHook
	maybeActed atomic.Bool  // some attempt may have reached the server without an answer that rules out its effect
	// The current round trip, reset by the transport before each one.
	getConn atomic.Bool // the transport started looking for a connection (so the trace works)
	gotConn atomic.Bool // it had one: from then on, the request may be written at any moment
	// credentials are the Authorization values sent so far, scrubbed from
	// whatever the server echoes back into an error.
	credentials []string
	trace       httptrace.ClientTrace
}

// newCallState returns the state of one call to api, whose first attempt
// sends authorization, and ctx carrying it and its connection trace.
func newCallState(ctx context.Context, api *apiConfig, authorization string) (context.Context, *callState) {
	st := &callState{api: api, credentials: []string{authorization}}
	st.trace.GetConn = func(string) { st.getConn.Store(true) }
	st.trace.GotConn = func(httptrace.GotConnInfo) { st.gotConn.Store(true) }
	return httptrace.WithClientTrace(context.WithValue(ctx, callKey{}, st), &st.trace), st
}

func callStateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callKey{}).(*callState)
	return st
}

// attemptTransport sits under the SDK's http.Client: it learns, for each
// round trip, whether the request may have reached the server, and
// reports every round trip to the Client's logger and hooks when there
// are some.
type attemptTransport struct {
	next   http.RoundTripper
	client *Client
}

// CloseIdleConnections closes the pool's idle connections.
func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := callStateOf(req.Context())
	if st == nil { // not a call of this SDK: nothing to learn
		return t.next.RoundTrip(req)
	}
	limits := &t.client.limits[st.api.id]
	waited, release, err := limits.awaitTurn(req.Context(), st.api.name, t.client.cfg.retry.maxRetryAfter, t.client.cfg.turnHook)
	if err != nil {
		t.report(req, st, waited, 0, nil, err)
		return nil, err // nothing was sent
	}
	ctxDoneBefore := req.Context().Err() != nil
	st.getConn.Store(false)
	st.gotConn.Store(false)
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		release()
	} else {
		limits.pauseOn(resp)
		resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	}
	switch {
	case err != nil:
		if !ctxDoneBefore && !neverConnected(err) && !(st.getConn.Load() && !st.gotConn.Load()) {
			// Only a failure known to come before the request could be
			// written rules the server out: no connection yet. Once there
			// is one, net/http may still be writing the request when a
			// cancelled RoundTrip returns. A transport that does not
			// report its progress through httptrace counts as having
			// written.
			st.maybeActed.Store(true)
		}
	case resp.StatusCode >= 500:
		st.maybeActed.Store(true) // it failed while handling the request, perhaps after acting
	}
	t.report(req, st, waited, time.Since(start), resp, err)
	return resp, err
}

// report tells the logger and hooks, if any, about one round trip.
func (t *attemptTransport) report(req *http.Request, st *callState, waited, took time.Duration, resp *http.Response, err error) {
	if !t.client.observing() {
		return
	}
	info := RequestInfo{API: st.api.name, Method: req.Method, URL: redactURL(req.URL.String()),
		Attempt: int(st.attempts.Load()), Waited: waited, Duration: took, Err: err}
	if resp != nil {
		info.StatusCode, info.RequestID = resp.StatusCode, requestID(resp.Header)
	}
	t.client.observe(req.Context(), info)
}

func (c *Client) observe(ctx context.Context, info RequestInfo) {
	if l := c.cfg.logger; l != nil && l.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("api", info.API), slog.String("method", info.Method), slog.String("url", info.URL),
			slog.Int("status", info.StatusCode), slog.Int("attempt", info.Attempt),
			slog.Duration("waited", info.Waited), slog.Duration("duration", info.Duration), slog.String("request_id", info.RequestID),
		}
		if info.Err != nil {
			attrs = append(attrs, slog.String("error", info.Err.Error()))
		}
		l.LogAttrs(ctx, slog.LevelDebug, "invitations request", attrs...)
	}
	for _, hook := range c.cfg.hooks {
		hook(info)
	}
}

// beforeAttempt is retryablehttp's RequestLogHook, called before every
// attempt: it counts attempts, and logs each retry (attempt 0 is the first
// try) at Info.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	st := callStateOf(req.Context())
	if st == nil {
		return
	}
	st.attempts.Store(int32(attempt + 1))
	if attempt == 0 || c.cfg.logger == nil {
		return
	}
	c.cfg.logger.LogAttrs(req.Context(), slog.LevelInfo, "invitations retry",
		slog.String("api", st.api.name), slog.String("method", req.Method),
		slog.String("url", redactURL(req.URL.String())), slog.Int("attempt", attempt+1))
}
