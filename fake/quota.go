package fake

import (
	"math"
	"net/http"
	"strconv"

	"golang.org/x/time/rate"

	"github.com/invitesdk/invitations"
)

// quota is a token bucket enforced on every request to one API.
type quota struct {
	perMinute float64
	burst     int
	bucket    *rate.Limiter
}

// WithQuota makes the fake enforce a request quota on api, as the vendor
// does: a token bucket refilled at perMinute requests per minute, holding
// up to burst. A request beyond it is answered 429 in that vendor's error
// shape (Box: code rate_limit_exceeded) with Retry-After in whole seconds
// until the next token, before authentication and without reaching the
// store; it still appears in the request log. Reset refills the buckets.
// Server.Client leaves client-side limits off: pass
// invitations.WithRateLimit to it to see the SDK stay under the quota.
func WithQuota(api invitations.API, perMinute float64, burst int) Option {
	return func(f *Fake) {
		if f.quotas == nil {
			f.quotas = map[invitations.API]*quota{}
		}
		f.quotas[api] = &quota{perMinute: perMinute, burst: max(burst, 1)}
	}
}

// fillQuotas starts every quota's bucket full. The caller holds f.mu.
func (f *Fake) fillQuotas() {
	for _, q := range f.quotas {
		q.bucket = rate.NewLimiter(rate.Limit(q.perMinute/60), q.burst)
	}
}

// overQuota answers 429 and reports true when v's quota has no token for
// this request.
func (f *Fake) overQuota(w http.ResponseWriter, v *vendor) bool {
	f.mu.Lock()
	q := f.quotas[v.api]
	var bucket *rate.Limiter
	if q != nil {
		bucket = q.bucket
	}
	f.mu.Unlock()
	if bucket == nil {
		return false
	}
	r := bucket.Reserve()
	delay := r.Delay()
	if delay == 0 {
		return false
	}
	r.Cancel() // a refused request takes no token
	secs := int(math.Ceil(delay.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	code, message := "rate_limit_exceeded", "Request rate limit exceeded, please try again later"
	if v.throttled != nil {
		message = v.throttled(max(secs, 1))
	}
	writeJSON(w, http.StatusTooManyRequests, v.errorBody(http.StatusTooManyRequests, code, message))
	return true
}
