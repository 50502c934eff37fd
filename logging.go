package invitations

import (
	"context"
	"log/slog"
	"net/http"
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

// report tells the logger and hooks, if any, about one round trip.
func (t *attemptTransport) report(req *http.Request, st *callState, waited, took time.Duration, resp *http.Response, err error) {
	if !t.client.observing() {
		return
	}
	info := RequestInfo{API: st.api.Name, Method: req.Method, URL: redactURL(req.URL.String()),
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
		slog.String("api", st.api.Name), slog.String("method", req.Method),
		slog.String("url", redactURL(req.URL.String())), slog.Int("attempt", st.sent()))
}
