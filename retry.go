package invitations

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryPolicy bounds how often and how long the Client retries.
type retryPolicy struct {
	maxRetries    int           // retries after the first attempt
	minWait       time.Duration // first backoff, doubled per retry
	maxWait       time.Duration // backoff ceiling
	maxRetryAfter time.Duration // longest server-requested wait honoured
}

func defaultRetryPolicy() retryPolicy {
	return retryPolicy{maxRetries: 4, minWait: 500 * time.Millisecond, maxWait: 30 * time.Second, maxRetryAfter: 2 * time.Minute}
}

// WithMaxRetries sets how many times a failed call may be retried after its
// first attempt (default 4). Zero disables retries.
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return &ValidationError{Param: "WithMaxRetries", Reason: "must not be negative"}
		}
		c.retry.maxRetries = n
		return nil
	}
}

// WithRetryWait sets the jittered exponential backoff between retries: the
// first wait is about minWait, doubling up to maxWait (defaults 500ms, 30s).
// A server's Retry-After takes precedence.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		if minWait < 0 || maxWait < minWait {
			return &ValidationError{Param: "WithRetryWait", Reason: "needs 0 <= minWait <= maxWait"}
		}
		c.retry.minWait, c.retry.maxWait = minWait, maxWait
		return nil
	}
}

// WithMaxRetryAfter caps how long the Client waits when a server answers
// 429 (or 503) with Retry-After (default 2 minutes). A longer Retry-After
// is not waited for: the call returns the *APIError at once, with its
// RetryAfter set, so the caller can decide.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return &ValidationError{Param: "WithMaxRetryAfter", Reason: "must not be negative"}
		}
		c.retry.maxRetryAfter = d
		return nil
	}
}

// RetryClass says whether a call may be repeated after a failure that
// leaves its effect on the server unknown. Every operation declares one;
// a raw call (see Client.Do) must state it, since there is no safe guess.
type RetryClass int

const (
	// Unsafe calls create, send or grant something: repeating one after
	// the server may have acted could do it twice (a second invitation, a
	// second email). They are retried only where the server provably did
	// not act: a 429, or a request that was never sent.
	Unsafe RetryClass = iota + 1
	// Idempotent calls (reads, updates to a given value, deletions) are
	// safe to repeat: they are also retried on network errors and on 500,
	// 502, 503 and 504.
	Idempotent
)

// String returns "Unsafe" or "Idempotent".
func (rc RetryClass) String() string {
	switch rc {
	case Unsafe:
		return "Unsafe"
	case Idempotent:
		return "Idempotent"
	}
	return "RetryClass(" + strconv.Itoa(int(rc)) + ")"
}

type retryClassKey struct{}

// withRetryClass records the call's retry class on the request context;
// checkRetry reads it back, since retryablehttp gives the policy only the
// context and the outcome.
func withRetryClass(ctx context.Context, class RetryClass) context.Context {
	return context.WithValue(ctx, retryClassKey{}, class)
}

// checkRetry is the retry policy. Every operation is retried on 429 and
// on a connection that was never made, since the server then provably did
// nothing. Only operations safe to repeat are also retried on other network
// errors and on 500, 502, 503 and 504, where the server may have acted.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctxErr := ctx.Err(); ctxErr != nil {
		if resp != nil {
			// The answer is in, perhaps of a server that acted: keep it
			// rather than report a cancellation the call did not see.
			return false, nil
		}
		return false, ctxErr
	}
	idempotent := ctx.Value(retryClassKey{}) == Idempotent
	if err != nil {
		var waitErr *RateLimitWaitError
		if errors.Is(err, ErrRedirectRefused) || errors.As(err, &waitErr) {
			return false, err
		}
		if neverConnected(err) {
			return true, nil
		}
		if !idempotent {
			return false, nil
		}
		// retryablehttp knows which transport errors are permanent
		// (bad scheme, TLS verification, too many redirects).
		return retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return c.retryAfterAcceptable(ctx, resp), nil
	case retriedServerError(resp.StatusCode):
		return idempotent && c.retryAfterAcceptable(ctx, resp), nil
	}
	return false, nil
}

// retriedServerError reports the 5xx statuses that calls safe to repeat are
// retried on.
func retriedServerError(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// prepareRetry is retryablehttp's PrepareRetry, run before every retry: the
// credential is resolved again, since a token from a token source may have
// expired during the wait (a Retry-After can last minutes).
func (c *Client) prepareRetry(req *http.Request) error {
	st := callStateOf(req.Context())
	if st == nil {
		return nil
	}
	authorization, err := st.api.credential.authorization(req.Context())
	if err != nil {
		return fmt.Errorf("invitations: %s credential: %w", st.api.Name, err)
	}
	if authorization != req.Header.Get("Authorization") {
		// The header map is shared with the previous attempt's request:
		// write into a copy.
		req.Header = req.Header.Clone()
		req.Header["Authorization"] = []string{authorization}
		st.addCredential(authorization)
	}
	return nil
}

// retryAfterAcceptable reports whether a Retry-After on resp (if any) is
// short enough to wait for: within the cap and before the context deadline.
func (c *Client) retryAfterAcceptable(ctx context.Context, resp *http.Response) bool {
	d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if !ok {
		return true
	}
	if d > c.cfg.retry.maxRetryAfter {
		return false
	}
	if deadline, has := ctx.Deadline(); has && time.Now().Add(d).After(deadline) {
		return false
	}
	return true
}

// neverConnected reports a failure to establish the connection (refused,
// DNS, unreachable): no byte of the request reached the server.
func neverConnected(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// backoff returns how long to wait before the next attempt: the server's
// Retry-After when it sent one with a status that is retried (429, 500,
// 502, 503, 504; checkRetry has already checked it against the cap and
// the deadline), else an exponential backoff from minWait to maxWait with
// "equal jitter" (half fixed, half random) so that many clients do not
// retry in lockstep.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	d := jitteredBackoff(minWait, maxWait, attempt)
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || retriedServerError(resp.StatusCode)) {
		if ra, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			d = ra
		}
	}
	if c.cfg.backoffHook != nil {
		return c.cfg.backoffHook(d)
	}
	return d
}

func jitteredBackoff(minWait, maxWait time.Duration, attempt int) time.Duration {
	if minWait <= 0 || maxWait <= 0 {
		return 0
	}
	d := maxWait
	if attempt < 32 {
		if exp := minWait << attempt; exp > 0 && exp < maxWait {
			d = exp
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// longestRetryAfter is where a server's Retry-After is clamped: any longer
// wait is as far beyond every cap, and a duration cannot hold much more.
const longestRetryAfter = 100 * 365 * 24 * time.Hour

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
// A wait longer than a century (or than a duration can hold) is clamped to
// one: it is still a wait, and beyond any cap.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		switch {
		case !(secs >= 0): // negative, NaN
			return 0, false
		case secs >= longestRetryAfter.Seconds(): // +Inf and 1e400 too
			return longestRetryAfter, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := min(t.Sub(now), longestRetryAfter)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
