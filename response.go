package invitations

import (
	"net/http"
	"strconv"
	"time"
)

// Response is the metadata of a completed call. Capture it with
// CaptureResponse; pages carry it too.
type Response struct {
	// StatusCode is the HTTP status of the final attempt.
	StatusCode int
	// Header is the response header.
	Header http.Header
	// RequestID is the vendor's request id header, when sent.
	RequestID string
	// RetryAfter is the server's Retry-After (Box and GitGuardian send it
	// when throttling), zero when absent.
	RetryAfter time.Duration
	// RateLimit is what the server said about its quota in RateLimit-* or
	// X-RateLimit-* headers, nil when it sent none.
	RateLimit *RateLimit
	// PerPage is the page size the server applied (GitGuardian's
	// X-Per-Page), zero when not sent. Pages also carry the next cursor,
	// offset or page number.
	PerPage int
}

// newResponse reads the metadata of resp.
func newResponse(resp *http.Response) *Response {
	meta := &Response{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: requestID(resp.Header)}
	if v := resp.Header.Get("Retry-After"); v != "" {
		meta.RetryAfter, _ = parseRetryAfter(v, time.Now())
	}
	if v := resp.Header.Get("X-Per-Page"); v != "" {
		meta.PerPage, _ = strconv.Atoi(v)
	}
	meta.RateLimit = parseRateLimit(resp.Header, time.Now())
	return meta
}

// requestID returns the vendor's request id header.
func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "Box-Request-Id", "X-Correlation-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
