package invitations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Sentinel errors. Every non-2xx answer is an *APIError; errors.Is matches it
// against these by status code, without losing the details.
var (
	// ErrNotFound matches an *APIError with status 404.
	ErrNotFound = errors.New("invitations: not found")
	// ErrUnauthorized matches an *APIError with status 401.
	ErrUnauthorized = errors.New("invitations: unauthorized")
	// ErrForbidden matches an *APIError with status 403.
	ErrForbidden = errors.New("invitations: forbidden")
	// ErrConflict matches an *APIError with status 409.
	ErrConflict = errors.New("invitations: conflict")
	// ErrRateLimited matches an *APIError with status 429.
	ErrRateLimited = errors.New("invitations: rate limited")
	// ErrInvalidParameter matches every *ValidationError.
	ErrInvalidParameter = errors.New("invitations: invalid parameter")
	// ErrNoCredential is returned, before any request, when an API is used
	// without its credential.
	ErrNoCredential = errors.New("invitations: no credential configured")
	// ErrNoBaseURL is returned, before any request, when an API without a
	// default base URL (Portworx) is used without one.
	ErrNoBaseURL = errors.New("invitations: no base URL configured")
	// ErrOffsetLimit is yielded by a pager when the next page lies beyond
	// the largest offset the API accepts (Box: 9,999), or the API refused
	// an offset as too large, so the rest of the list cannot be reached
	// by offset.
	ErrOffsetLimit = errors.New("invitations: pagination offset limit reached")
	// ErrRedirectRefused is returned when a server redirects from https to
	// plain http: following it would expose the request, credential
	// included. The redirected request is not sent, so the error also
	// matches ErrNotSent unless an earlier attempt reached the server.
	ErrRedirectRefused = errors.New("invitations: redirect from https to http refused")

	// ErrNotSent matches a *TransportError for a call that provably never
	// reached the server: the connection could not be made (refused, DNS,
	// unreachable), the context ended before any byte of the request was
	// written, or a redirect was refused. Repeating the call cannot do
	// anything twice.
	ErrNotSent = errors.New("invitations: request not sent")
	// ErrOutcomeUnknown matches every failure after which the server may
	// have acted: a *TransportError for a request that was written and then
	// got no answer (connection reset, timeout, context cancelled while
	// waiting), an *APIError with a 5xx status (the server failed while
	// handling it), and a *DecodeError (the server answered with success
	// but the answer could not be read). For a call that creates, sends or
	// grants something, find out what the server did before sending it
	// again.
	ErrOutcomeUnknown = errors.New("invitations: outcome unknown")
)

// maxErrorBody bounds the copy of an error body kept in an APIError.
const maxErrorBody = 64 << 10

// APIError is a non-2xx answer from a vendor API. Vendor codes are open
// strings: a code this SDK does not know still decodes.
type APIError struct {
	// API is the vendor API that answered, e.g. "GitGuardian" or "Box".
	API string
	// Method and URL identify the request; URL has secrets redacted.
	Method string
	URL    string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the vendor's error code (Box "not_found", a gRPC code name
	// for Portworx); empty when the vendor sends none.
	Code string
	// Message is the vendor's human-readable message (GitGuardian and
	// BIMData "detail", Box "message").
	Message string
	// RequestID is the vendor's request id, from the body or a header.
	RequestID string
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
	// HelpURL is a documentation link sent by the vendor (Box help_url).
	HelpURL string
	// FieldErrors maps a request field to its problems, for validation
	// errors shaped like {"email": ["Enter a valid email address."]}.
	FieldErrors map[string][]string
	// Details holds structured vendor details kept verbatim (Box
	// context_info, Portworx details); nil when absent.
	Details json.RawMessage
	// Header is the response header.
	Header http.Header
	// Body is the start of the raw response body (at most 64 KiB).
	Body []byte
	// Attempts is how many times the request was sent, retries included,
	// and any copy the transport resent on its own (see
	// TransportError.Attempts).
	Attempts int
}

// Error reads like "Box GET https://api.box.com/2.0/...: 404 not_found: Not Found (request id 0t2j)".
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invitations: %s %s %s: %d", e.API, e.Method, e.URL, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

// Is lets errors.Is match the status sentinels (ErrNotFound, ...).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrOutcomeUnknown:
		return e.StatusCode >= 500
	}
	return false
}

// TransportError is a call that got no HTTP answer: the connection failed,
// was reset or timed out, the context ended, or a redirect was refused.
// errors.Is tells whether the server may have acted: it matches ErrNotSent
// when no attempt reached the server, ErrOutcomeUnknown otherwise. It
// unwraps to the cause, so errors.Is(err, context.DeadlineExceeded) and
// errors.As(err, &netErr) work as usual.
type TransportError struct {
	// API is the vendor API called, e.g. "Box".
	API string
	// Method and URL identify the request; URL has secrets redacted.
	Method string
	URL    string
	// Attempts is how many times the request was tried, retries included,
	// and with them any copy the transport resent on its own: net/http
	// resends a request it takes for idempotent (a safe GET) on a fresh
	// connection when a kept-alive one dies before the answer, after the
	// copy may have reached the server. (The SDK never lets it do that
	// with an Unsafe call; it may still resend one of which no byte left,
	// which counts too, as it cannot be told apart.)
	Attempts int
	// Sent reports whether any attempt may have reached the server (was
	// written, wholly or in part, without an answer that rules out its
	// effect). False means no attempt did.
	Sent bool
	// Read reports a call that only reads: a GET or HEAD of an operation
	// safe to repeat (Portworx NotifyUser is a GET that sends an email,
	// and not a read). A read that was sent has no effect whose outcome
	// could be unknown, so Error says it timed out, was cancelled or got
	// no answer instead; errors.Is still matches ErrOutcomeUnknown, by
	// Sent, since the request did reach the server.
	Read bool
	// Err is the cause.
	Err error
}

// Error reads like "Box POST https://...: connection reset by peer (sent,
// outcome unknown after 1 attempt(s))".
func (e *TransportError) Error() string {
	return fmt.Sprintf("invitations: %s %s %s: %v (%s after %d attempt(s))", e.API, e.Method, e.URL, e.Err, e.outcome(), e.Attempts)
}

// outcome says what became of the request.
func (e *TransportError) outcome() string {
	var netErr net.Error
	switch {
	case !e.Sent:
		return "not sent"
	case !e.Read:
		return "sent, outcome unknown"
	case errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &netErr) && netErr.Timeout()):
		return "timed out"
	case errors.Is(e.Err, context.Canceled):
		return "cancelled"
	}
	return "no answer"
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is matches ErrNotSent or ErrOutcomeUnknown, by Sent.
func (e *TransportError) Is(target error) bool {
	switch target {
	case ErrNotSent:
		return !e.Sent
	case ErrOutcomeUnknown:
		return e.Sent
	}
	return false
}

// ValidationError reports bad input caught before any request was sent.
type ValidationError struct {
	// Param names the parameter, option or field at fault, e.g. "groupMembershipID".
	Param string
	// Reason says what is wrong with it.
	Reason string
}

func (e *ValidationError) Error() string {
	return "invitations: invalid " + e.Param + ": " + e.Reason
}

// Is makes every ValidationError match ErrInvalidParameter.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParameter }

// DecodeError reports a 2xx answer whose body could not be decoded into the
// expected model: not JSON, the wrong shape, null where an object was
// expected, cut short (matches io.ErrUnexpectedEOF) or over the size cap.
// The server reported success, so it matches ErrOutcomeUnknown: what it did
// is known only in part.
type DecodeError struct {
	// API is the vendor API that answered.
	API string
	// Method and URL identify the request; URL has secrets redacted.
	Method string
	URL    string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Err is the decoding failure. No part of the body is kept: a success
	// body can hold a secret the server has just issued (Freestyle's
	// one-time token), which must never reach an error.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("invitations: %s %s %s: %d: decoding response: %v", e.API, e.Method, e.URL, e.StatusCode, e.Err)
}

// Unwrap returns the decoding failure.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *DecodeError) Is(target error) bool { return target == ErrOutcomeUnknown }

// decodeLenientJSON unmarshals body into v and reports whether it was JSON
// of a compatible shape. Error bodies are often HTML or empty; callers then
// fall back to the raw text.
func decodeLenientJSON(body []byte, v any) bool {
	return len(body) > 0 && json.Unmarshal(body, v) == nil
}

// fieldErrors turns a Django REST framework validation body such as
// {"email": ["Enter a valid email address."], "detail": "..."} into a map of
// field to messages, keeping only string or []string values.
func fieldErrors(body []byte) map[string][]string {
	var raw map[string]json.RawMessage
	if !decodeLenientJSON(body, &raw) {
		return nil
	}
	out := map[string][]string{}
	for k, v := range raw {
		var list []string
		var one string
		switch {
		case json.Unmarshal(v, &list) == nil:
			out[k] = list
		case json.Unmarshal(v, &one) == nil:
			out[k] = []string{one}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// textMessage gives a short message for a body that was not JSON (an HTML
// proxy page, plain text), so the error still says something useful.
func textMessage(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// decodeDRFError decodes a Django REST framework error body, as GitGuardian
// and BIMData send: {"detail": "..."} and/or field errors such as
// {"email": ["Enter a valid email address."]}. An array of such objects
// (GitGuardian's [{"details": "..."}]) is read through its first element.
func decodeDRFError(e *APIError, body []byte) {
	var list []json.RawMessage
	if decodeLenientJSON(body, &list) && len(list) > 0 {
		body = list[0]
	}
	fields := fieldErrors(body)
	for _, key := range [...]string{"detail", "details"} {
		if msgs, ok := fields[key]; ok {
			e.Message = strings.Join(msgs, "; ")
			delete(fields, key)
			break
		}
	}
	if msgs, ok := fields["code"]; ok && len(msgs) == 1 {
		e.Code = msgs[0]
		delete(fields, "code")
	}
	if len(fields) == 0 {
		return
	}
	e.FieldErrors = fields
	if e.Message == "" {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+": "+strings.Join(fields[k], " "))
		}
		e.Message = strings.Join(parts, "; ")
	}
}
