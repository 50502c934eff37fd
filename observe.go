package invitations

import (
	"context"
	"log/slog"
	"net/http"
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
	// Duration is the time until the response headers (or the error).
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
// happened, for metrics or tracing. Hooks run on the calling goroutine and
// should return quickly. For OpenTelemetry, wrap the transport instead
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

// callState is shared by the attempts of one call, through its context.
type callState struct {
	api      string
	attempts atomic.Int32
}

// withCallState marks ctx as one call to api, when attempts are observed.
func (c *Client) withCallState(ctx context.Context, api string) context.Context {
	if !c.observing() {
		return ctx
	}
	return context.WithValue(ctx, callKey{}, &callState{api: api})
}

// observedTransport reports every round trip to the Client's logger and
// hooks. It is installed only when there is one, so that the default path
// costs nothing.
type observedTransport struct {
	next   http.RoundTripper
	client *Client
}

func (t *observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	info := RequestInfo{Method: req.Method, URL: redactURL(req.URL.String()), Duration: time.Since(start), Err: err}
	if st, ok := req.Context().Value(callKey{}).(*callState); ok {
		info.API = st.api
		info.Attempt = int(st.attempts.Add(1))
	}
	if resp != nil {
		info.StatusCode, info.RequestID = resp.StatusCode, requestID(resp.Header)
	}
	t.client.observe(req.Context(), info)
	return resp, err
}

func (c *Client) observe(ctx context.Context, info RequestInfo) {
	if l := c.cfg.logger; l != nil && l.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("api", info.API), slog.String("method", info.Method), slog.String("url", info.URL),
			slog.Int("status", info.StatusCode), slog.Int("attempt", info.Attempt),
			slog.Duration("duration", info.Duration), slog.String("request_id", info.RequestID),
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

// logRetry is retryablehttp's RequestLogHook: attempt 0 is the first try,
// every later one is a retry, logged at Info.
func (c *Client) logRetry(_ retryablehttp.Logger, req *http.Request, attempt int) {
	if attempt == 0 {
		return
	}
	api := ""
	if st, ok := req.Context().Value(callKey{}).(*callState); ok {
		api = st.api
	}
	c.cfg.logger.LogAttrs(req.Context(), slog.LevelInfo, "invitations retry",
		slog.String("api", api), slog.String("method", req.Method),
		slog.String("url", redactURL(req.URL.String())), slog.Int("attempt", attempt+1))
}
