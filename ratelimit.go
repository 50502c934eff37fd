package invitations

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultBurstSeconds makes a default burst one second's worth of the rate.
const defaultBurstSeconds = 1

// rateSetting is a client-side request budget for one API.
type rateSetting struct {
	perMinute float64 // 0: no limiter
	burst     int
}

// defaultRates are the budgets a Client starts with, each vendor's
// DefaultRequestsPerMinute: the published one where it does not depend on
// the credential, the lowest published one where it does, none where
// nothing is published. A vendor's rateApplies may restrict it to its
// hosted API (see newLimits).
func defaultRates() [numAPIs]rateSetting {
	var rates [numAPIs]rateSetting
	for i, v := range vendors {
		if v.DefaultRequestsPerMinute > 0 {
			rates[i] = rateSetting{perMinute: v.DefaultRequestsPerMinute, burst: defaultBurst(v.DefaultRequestsPerMinute)}
		}
	}
	return rates
}

func defaultBurst(perMinute float64) int {
	return max(1, int(perMinute/60*defaultBurstSeconds))
}

// WithRateLimit sets the client-side request budget of one API: at most
// requestsPerMinute on average, with bursts of up to burst requests (0
// picks one second's worth, at least 1). Every goroutine using the Client,
// and every Client derived from it with With, draws from the same budget,
// so bulk work stays under the vendor's quota instead of discovering it
// through 429s. WithRateLimit(api, 0, 0) turns the limiter off.
//
// Defaults: Box 1000 per minute (Box's published per-user budget);
// GitGuardian 50 per minute, the lowest of its published budgets (a
// personal access token on the Free plan), on its hosted API only: pass
// the budget of your key, e.g. GitGuardianServiceAccountBusiness. BIMData,
// Freestyle and Portworx publish none and have no limiter unless set.
//
// A call waits for its turn before each attempt; a wait that would outlast
// the context's deadline returns at once, without sending, with an error
// matching ErrRateLimited, context.DeadlineExceeded and ErrNotSent.
func WithRateLimit(api API, requestsPerMinute float64, burst int) Option {
	return func(c *config) error {
		i, ok := api.index()
		if !ok {
			return &ValidationError{Param: "WithRateLimit api", Reason: knownAPIs()}
		}
		if !(requestsPerMinute >= 0) || burst < 0 || (requestsPerMinute == 0 && burst != 0) {
			return &ValidationError{Param: "WithRateLimit", Reason: "needs requestsPerMinute >= 0 and burst >= 0 (0, 0 turns the limiter off)"}
		}
		if burst == 0 && requestsPerMinute > 0 {
			burst = defaultBurst(requestsPerMinute)
		}
		c.rates[i] = rateSetting{perMinute: requestsPerMinute, burst: burst}
		c.ratesSet[i] = true
		return nil
	}
}

// WithMaxConcurrency caps how many requests to api are in flight at once
// (sent and not yet fully read), for vendors that throttle concurrency
// rather than rate. Like the rate limit, the cap is shared by every
// goroutine and every derived Client. 0 (the default) sets no cap.
func WithMaxConcurrency(api API, n int) Option {
	return func(c *config) error {
		i, ok := api.index()
		if !ok {
			return &ValidationError{Param: "WithMaxConcurrency api", Reason: knownAPIs()}
		}
		if n < 0 {
			return &ValidationError{Param: "WithMaxConcurrency", Reason: "must not be negative"}
		}
		c.concurrency[i] = n
		return nil
	}
}

// apiLimits is what paces one API's requests. Each part is shared with the
// Clients derived from the one that made it, unless an option changed it.
type apiLimits struct {
	gate    *pauseGate
	limiter *rate.Limiter // nil: no rate limit
	rate    rateSetting   // what limiter was made from
	slots   chan struct{} // nil: no concurrency cap
	noPause bool          // benchmarks measure the load without the shared pause
}

// newLimits builds the limits cfg asks for, reusing parent's parts (nil for
// a new Client) where cfg asks for the same.
func newLimits(cfg *config, parent *[numAPIs]apiLimits) [numAPIs]apiLimits {
	var out [numAPIs]apiLimits
	for api := range out {
		want := cfg.rates[api]
		if v := vendors[api]; v.rateApplies != nil && !cfg.ratesSet[api] && !v.rateApplies(cfg.apis[api].baseURL) {
			want = rateSetting{} // e.g. self-hosted: the published budget is the vendor's hosted API's
		}
		if parent != nil {
			p := parent[api]
			out[api].gate = p.gate
			if p.rate == want {
				out[api].limiter, out[api].rate = p.limiter, p.rate
			}
			if cap(p.slots) == cfg.concurrency[api] {
				out[api].slots = p.slots
			}
		}
		if out[api].gate == nil {
			out[api].gate = &pauseGate{}
		}
		if out[api].rate != want {
			out[api].rate = want
			if want.perMinute > 0 {
				out[api].limiter = rate.NewLimiter(rate.Limit(want.perMinute/60), want.burst)
			}
		}
		if n := cfg.concurrency[api]; n > 0 && out[api].slots == nil {
			out[api].slots = make(chan struct{}, n)
		}
		out[api].noPause = cfg.noPause
	}
	return out
}

// pauseGate holds every request to one API until a time the server named:
// when one request gets a 429 or 503 with Retry-After, the others wait it
// out instead of collecting their own.
type pauseGate struct {
	mu    sync.Mutex
	until time.Time
}

// pause holds the API until t, unless it is already held longer.
func (g *pauseGate) pause(t time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.After(g.until) {
		g.until = t
	}
}

func (g *pauseGate) pausedUntil() time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until
}

// RateLimitWaitError is a call that was not sent because its turn (the
// rate limit, or a pause the server asked for) would come after the
// context's deadline. It matches ErrRateLimited and
// context.DeadlineExceeded, at once and without waiting: the limiter's own
// error (golang.org/x/time/rate) matches neither, so it is never returned
// as such. A Client returns it inside a *TransportError, which matches
// ErrNotSent.
type RateLimitWaitError struct {
	// API is the vendor API whose turn was awaited.
	API string
	// Wait is how long the call would have had to wait.
	Wait time.Duration
}

func (e *RateLimitWaitError) Error() string {
	return fmt.Sprintf("invitations: %s rate limit: the next turn is in %s, after the context deadline; not sent", e.API, e.Wait.Round(time.Millisecond))
}

// Is matches ErrRateLimited and context.DeadlineExceeded.
func (e *RateLimitWaitError) Is(target error) bool {
	return target == ErrRateLimited || target == context.DeadlineExceeded
}

// awaitTurn waits, before an attempt, until the API may be sent another
// request: the server's pause (at most maxPause: WithMaxRetryAfter caps
// every server-requested wait), the rate limit, then a free slot. It
// returns how long it waited and a release func for the slot (call it
// when the response is done), or an error when the wait cannot be made.
// shorten, when set, replaces each wait (tests observe and shorten them).
func (l *apiLimits) awaitTurn(ctx context.Context, api string, maxPause time.Duration, shorten func(time.Duration) time.Duration) (waited time.Duration, release func(), err error) {
	release = func() {}
	wait := func(d time.Duration) error {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return &RateLimitWaitError{API: api, Wait: d}
		}
		if shorten != nil {
			d = shorten(d)
		}
		start := time.Now()
		defer func() { waited += time.Since(start) }()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if d := time.Until(l.gate.pausedUntil()); d > 0 && maxPause > 0 && !l.noPause {
		if err := wait(min(d, maxPause)); err != nil {
			return waited, release, err
		}
	}
	if l.limiter != nil {
		r := l.limiter.Reserve()
		if d := r.Delay(); d > 0 {
			if err := wait(d); err != nil {
				r.Cancel() // give the turn back to the others
				return waited, release, err
			}
		}
	}
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
		default:
			start := time.Now()
			select {
			case l.slots <- struct{}{}:
				waited += time.Since(start)
			case <-ctx.Done():
				return waited + time.Since(start), release, ctx.Err()
			}
		}
		var once sync.Once
		release = func() { once.Do(func() { <-l.slots }) }
	}
	return waited, release, nil
}

// pauseOn holds the API when resp is a 429 or 503 carrying Retry-After.
func (l *apiLimits) pauseOn(resp *http.Response) {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return
	}
	now := time.Now()
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), now); ok && d > 0 {
		l.gate.pause(now.Add(d))
	}
}

// releasingBody frees the request's concurrency slot once the body is
// read to its end or closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.release()
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// RateLimit is what a vendor said about its quota in RateLimit-* or
// X-RateLimit-* headers; zero fields were not sent.
type RateLimit struct {
	// Limit is the request budget of the current window.
	Limit int
	// Remaining is what is left of it.
	Remaining int
	// Reset is how long until the window resets.
	Reset time.Duration
}

// parseRateLimit reads the RateLimit-* (IETF draft) or X-RateLimit-*
// headers of h; nil when neither is sent. A reset above a billion is taken
// as a Unix time, as some APIs send it, rather than seconds.
func parseRateLimit(h http.Header, now time.Time) *RateLimit {
	for _, prefix := range [...]string{"Ratelimit-", "X-Ratelimit-"} {
		limit, remaining, reset := h.Get(prefix+"Limit"), h.Get(prefix+"Remaining"), h.Get(prefix+"Reset")
		if limit == "" && remaining == "" && reset == "" {
			continue
		}
		rl := &RateLimit{}
		rl.Limit, _ = strconv.Atoi(firstItem(limit))
		rl.Remaining, _ = strconv.Atoi(firstItem(remaining))
		if secs, err := strconv.ParseInt(firstItem(reset), 10, 64); err == nil && secs >= 0 {
			if secs > 1e9 {
				rl.Reset = max(time.Unix(secs, 0).Sub(now), 0)
			} else {
				rl.Reset = time.Duration(secs) * time.Second
			}
		}
		return rl
	}
	return nil
}

// firstItem returns the first of a comma-separated header value, as in
// "100, 100;w=60".
func firstItem(v string) string {
	v, _, _ = strings.Cut(v, ",")
	v, _, _ = strings.Cut(v, ";")
	return strings.TrimSpace(v)
}
