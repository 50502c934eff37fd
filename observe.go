package invitations

import (
	"context"
	"io"
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
	// Attempt counts from 1, each time the request was sent: a copy the
	// transport resent on its own within a round trip counts too (see
	// TransportError.Attempts), so after one the number skips ahead.
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
// ends. Attempts run one after another, but the hooks and the transport
// may read it from other goroutines: hence the atomics.
type callState struct {
	api   *apiConfig
	class RetryClass // whether the call may be repeated; an Unsafe one is never resent by the transport (see unreplayable)
	// attempts started, counted by retryablehttp's RequestLogHook.
	attempts atomic.Int32
	// resends are the copies the transport below sent on its own, within
	// an attempt, beyond the attempt's first: net/http resends a request
	// it takes for idempotent when a kept-alive connection dies before
	// the answer. Each may have reached the server, so each is an attempt.
	resends    atomic.Int32
	maybeActed atomic.Bool // some attempt may have reached the server without an answer that rules out its effect
	// credentials are the Authorization values sent so far, scrubbed from
	// whatever the server echoes back into an error.
	credentials []string
	// trace is the call's connection trace, on its context; it reports to
	// the round trip in progress, roundTrip.
	trace     httptrace.ClientTrace
	roundTrip atomic.Pointer[roundTripTrace]
}

// newCallState returns the state of one call of class to api, whose first
// attempt sends authorization, and ctx carrying it and its connection
// trace (one per call, not per round trip: a call's cost stays that of
// net/http but for it).
func newCallState(ctx context.Context, api *apiConfig, class RetryClass, authorization string) (context.Context, *callState) {
	st := &callState{api: api, class: class, credentials: []string{authorization}}
	st.trace.GetConn = func(string) {
		if rt := st.roundTrip.Load(); rt != nil {
			if rt.writes.Load() > 0 {
				rt.resent.Store(true)
			}
			rt.getConn.Store(true)
		}
	}
	st.trace.GotConn = func(httptrace.GotConnInfo) {
		if rt := st.roundTrip.Load(); rt != nil {
			rt.gotConn.Store(true)
		}
	}
	st.trace.WroteRequest = func(httptrace.WroteRequestInfo) {
		if rt := st.roundTrip.Load(); rt != nil {
			rt.writes.Add(1)
		}
	}
	return httptrace.WithClientTrace(context.WithValue(ctx, callKey{}, st), &st.trace), st
}

func callStateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callKey{}).(*callState)
	return st
}

// sent is how many times the request was sent so far: the attempts
// retryablehttp made and the copies the transport resent within them.
func (st *callState) sent() int {
	return int(st.attempts.Load() + st.resends.Load())
}

// roundTripTrace is what the call's trace saw of one round trip: whether
// the transport found a connection, and each time it wrote the request,
// resends included. A round trip has its own, installed in the call state
// for its length: net/http may run a callback late, on a goroutine of its
// own, after RoundTrip has returned, and a late write of one attempt must
// not count as a resend of the next.
type roundTripTrace struct {
	getConn atomic.Bool  // the transport started looking for a connection (so the trace works)
	gotConn atomic.Bool  // it had one: from then on, the request may be written at any moment
	writes  atomic.Int32 // WroteRequest events: the transport wrote the request, or tried to
	// resent: the transport looked for another connection after writing
	// the request once, to send it again. The copy written may have
	// reached the server, whatever becomes of the resend.
	resent atomic.Bool
}

// idempotencyKeys are the header entries that make net/http take any
// request for idempotent, each with the lower-case entry unreplayable
// moves it to.
var idempotencyKeys = [...]struct{ canonical, lower string }{
	{"Idempotency-Key", "idempotency-key"},
	{"X-Idempotency-Key", "x-idempotency-key"},
}

// unreplayable returns the request to hand the transport for an Unsafe
// call's req: req itself when net/http would not take it for idempotent,
// else a copy that net/http never resends on its own (the http.Client
// above keeps req as it was, to follow a redirect with it). net/http resends a
// request on a fresh connection when a kept-alive one dies before any
// byte of the answer, if it takes the request for idempotent (see
// http.Transport): the method is GET, HEAD, OPTIONS or TRACE, or the header
// map has an "Idempotency-Key" or "X-Idempotency-Key" entry, and the body
// can be sent again (none, or GetBody set, as retryablehttp sets it). For
// an Unsafe call the copy that died may have been acted on, so a resend
// could invite or email twice, below the SDK's retry policy and unseen by
// it. Each condition is broken where that changes nothing on the wire:
//
//   - A caller's idempotency key moves to a lower-case entry of the same
//     name. Header names are case-insensitive, so the server reads the
//     same header (HTTP/2 sends every name in lower case anyway), but
//     net/http looks for the canonical entries only.
//   - A GET, HEAD, OPTIONS or TRACE loses GetBody, and one without a body
//     gets an empty body of its own, which net/http reads, finds empty and
//     sends no body for (but for a TRACE, which no vendor API has: an
//     empty chunked body).
//
// GetBody is kept on other methods, because dropping it would cost more
// than the resend: the HTTP/2 transport needs it to resend a request the
// server refused unprocessed (REFUSED_STREAM, GOAWAY), and net/http to
// resend one of which no byte was written; neither can act twice. An empty
// body of its own on a bodiless POST, PUT or PATCH would go out chunked
// instead of with Content-Length: 0. Only the transport's copy changes:
// the http.Client above keeps GetBody to follow a 307 or 308.
func unreplayable(orig *http.Request) *http.Request {
	if !takenForIdempotent(orig) {
		return orig
	}
	cp := *orig
	req := &cp
	cloned := false
	for _, k := range idempotencyKeys {
		vs, ok := req.Header[k.canonical]
		if !ok {
			continue
		}
		if !cloned {
			// The map is still orig's: write into a copy.
			req.Header, cloned = req.Header.Clone(), true
		}
		delete(req.Header, k.canonical)
		req.Header[k.lower] = append(req.Header[k.lower], vs...)
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		req.GetBody = nil
		if req.Body == nil || req.Body == http.NoBody {
			req.Body = emptyBody{}
		}
	}
	return req
}

// takenForIdempotent reports whether net/http takes req for idempotent,
// by its method or an idempotency key: what unreplayable undoes.
func takenForIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	for _, k := range idempotencyKeys {
		if _, ok := req.Header[k.canonical]; ok {
			return true
		}
	}
	return false
}

// emptyBody is an empty request body that net/http cannot rewind, since
// it has no GetBody to go with it: see unreplayable.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// attemptTransport sits under the SDK's http.Client: it learns, for each
// round trip, whether the request may have reached the server and how
// many times it was sent, keeps the transport below from resending an
// Unsafe call, and reports every round trip to the Client's logger and
// hooks when there are some.
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
	rt := new(roundTripTrace)
	st.roundTrip.Store(rt)
	out := req
	if st.class != Idempotent {
		out = unreplayable(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(out)
	st.roundTrip.CompareAndSwap(rt, nil)
	if err != nil {
		release()
	} else {
		limits.pauseOn(resp)
		resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	}
	// Writes reported after RoundTrip returned are left out: they belong
	// to a copy still being written when the answer (or the error) came,
	// not to a resend.
	if writes := rt.writes.Load(); writes > 1 || rt.resent.Load() {
		// The transport resent the request on its own: the copy it gave
		// up on may have been acted on, whatever the resend got, and each
		// copy written is an attempt. net/http also resends, whatever the
		// call, a copy of which no byte left; the trace cannot tell that
		// one apart, so it counts too: the count errs toward "sent".
		st.resends.Add(max(writes-1, 0))
		st.maybeActed.Store(true)
	}
	switch {
	case err != nil:
		if !ctxDoneBefore && !neverConnected(err) && !(rt.getConn.Load() && !rt.gotConn.Load()) {
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
		Attempt: st.sent(), Waited: waited, Duration: took, Err: err}
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
		slog.String("url", redactURL(req.URL.String())), slog.Int("attempt", st.sent()))
}
