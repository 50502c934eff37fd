package invitations

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK version reported in the User-Agent header.
const Version = "0.1.0"

// Client drives the five vendor APIs. Build one with NewClient and share it:
// a Client is immutable after construction and safe for concurrent use by
// many goroutines. Each vendor API is reached through its service field.
type Client struct {
	// Invitations calls the GitGuardian workspace invitation endpoints.
	Invitations *InvitationsService
	// Members calls the GitGuardian workspace member endpoints.
	Members *MembersService
	// Teams calls the GitGuardian team, team membership and team
	// invitation endpoints.
	Teams *TeamsService
	// Memberships calls the Box group membership, user and group list
	// endpoints.
	Memberships *MembershipsService
	// Users calls the Box user endpoints: get, update (deactivate) and
	// delete a user, transfer their content, end their sessions.
	Users *UsersService
	// Identity calls the Freestyle identity, token and permission endpoints.
	Identity *IdentityService
	// SSO calls the BIMData identity-provider invitation endpoints.
	SSO *SSOService
	// Collaboration calls the BIMData cloud and project member and
	// invitation endpoints.
	Collaboration *CollaborationService
	// AccountInvitations calls the Portworx invitation RPCs.
	AccountInvitations *AccountInvitationsService
	// IAM calls the Portworx IAM role-binding RPCs.
	IAM *IAMService

	cfg  config
	http *retryablehttp.Client
	// transport is the pool every request goes through: the caller's
	// (WithHTTPClient) or the SDK's own. Derived clients share it.
	transport http.RoundTripper
	// limits pace each API's requests; derived clients share them.
	limits [numAPIs]apiLimits
}

// config is what the options write; NewClient validates and freezes it.
type config struct {
	apis        [numAPIs]apiConfig
	httpClient  *http.Client
	userAgent   string
	retry       retryPolicy
	maxBody     int64
	logger      *slog.Logger                      // nil: silent
	hooks       []func(RequestInfo)               // called after every attempt
	backoffHook func(time.Duration) time.Duration // tests observe and shorten retry waits
	turnHook    func(time.Duration) time.Duration // tests observe and shorten waits for a turn
	noPause     bool                              // benchmarks turn the shared pause off to compare
	rates       [numAPIs]rateSetting
	ratesSet    [numAPIs]bool // set by WithRateLimit, not a default
	concurrency [numAPIs]int
}

// Option configures a Client in NewClient. Options are validated there; an
// invalid one makes NewClient return an error naming it.
type Option func(*config) error

// NewClient returns a Client configured by opts. Every API starts with its
// production base URL (Portworx has none and needs WithPortworxBaseURL) and
// no credential; calling an API whose credential was not set returns an
// error naming the option to set, without sending anything.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		apis:      defaultAPIs(),
		retry:     defaultRetryPolicy(),
		maxBody:   defaultMaxResponseBytes,
		userAgent: "invitations-go/" + Version,
		rates:     defaultRates(),
	}
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	return newClient(cfg, nil, nil), nil
}

// With returns a Client derived from c: the same settings with opts
// applied on top, for example another credential (Portworx
// AcceptInvitation with the invitee's token), another base URL
// (GitGuardian's EU region beside the US one) or a per-tenant token. It
// sends through c's connection pool unless opts include WithHTTPClient,
// and shares c's rate limits, pauses and concurrency caps unless opts set
// others (WithRateLimit, WithMaxConcurrency). c itself is unchanged; the derived Client is immutable and safe for
// concurrent use, like any Client. Options are validated as in NewClient.
func (c *Client) With(opts ...Option) (*Client, error) {
	cfg := c.cfg.clone()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	if cfg.httpClient != c.cfg.httpClient {
		return newClient(cfg, nil, &c.limits), nil // a new pool, as asked
	}
	return newClient(cfg, c.transport, &c.limits), nil
}

// apply runs opts on cfg, stopping at the first invalid one.
func (cfg *config) apply(opts []Option) error {
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(cfg); err != nil {
			return err
		}
	}
	return nil
}

// clone copies cfg so that options applied to the copy never write into
// slices or maps the original still uses.
func (cfg *config) clone() config {
	cp := *cfg
	cp.hooks = slices.Clone(cfg.hooks)
	for i := range cp.apis {
		cp.apis[i].header = cfg.apis[i].header.Clone()
	}
	return cp
}

// newClient builds a Client on cfg, sending through transport, or through
// the one cfg names (the caller's http.Client, else a new pool) when nil,
// and sharing what it can of parent's limits (nil for a new Client).
func newClient(cfg config, transport http.RoundTripper, parent *[numAPIs]apiLimits) *Client {
	c := &Client{cfg: cfg, limits: newLimits(&cfg, parent)}
	hc := c.wrapHTTPClient(cfg.httpClient, transport)
	c.http = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // silent: the SDK never writes to stderr on its own
		RetryWaitMin: cfg.retry.minWait,
		RetryWaitMax: cfg.retry.maxWait,
		RetryMax:     cfg.retry.maxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		// Passthrough returns the last response itself, so the caller gets
		// its status and body in an *APIError rather than "giving up".
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.beforeAttempt,
		PrepareRetry:   c.prepareRetry,
	}
	c.Invitations = &InvitationsService{client: c}
	c.Members = &MembersService{client: c}
	c.Teams = &TeamsService{client: c}
	c.Memberships = &MembershipsService{client: c}
	c.Users = &UsersService{client: c}
	c.Identity = &IdentityService{client: c}
	c.SSO = &SSOService{client: c}
	c.Collaboration = &CollaborationService{client: c}
	c.AccountInvitations = &AccountInvitationsService{client: c}
	c.IAM = &IAMService{client: c}
	return c
}

// CloseIdleConnections closes the idle connections of the Client's
// connection pool, as http.Client.CloseIdleConnections does: for a program
// that is done with a Client it built many of. The pool is shared with
// every Client derived from this one (With) and, when WithHTTPClient was
// given, with that http.Client, whose idle connections are closed too.
// Connections in use are left alone; the Client stays usable.
func (c *Client) CloseIdleConnections() {
	c.http.HTTPClient.CloseIdleConnections()
}

// String describes the Client without any credential, so that printing it
// with %v or %+v, or logging it, never reveals a secret.
func (c *Client) String() string {
	var b strings.Builder
	b.WriteString("invitations.Client{")
	for i := range c.cfg.apis {
		a := &c.cfg.apis[i]
		if i > 0 {
			b.WriteString(", ")
		}
		base := a.baseURL
		if base == "" {
			base = "(no base URL)"
		}
		fmt.Fprintf(&b, "%s: %s", a.Name, base)
		if a.credential != nil {
			b.WriteString(" (credential set)")
		}
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v is redacted too.
func (c *Client) GoString() string { return c.String() }

// LogValue makes slog print the redacted description.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// WithHTTPClient makes the Client send requests through hc, for example to
// add a proxy, TLS settings, a timeout or instrumentation. The Client wraps
// a copy of hc with its retry logic and redirect guard and never modifies
// hc itself (its CheckRedirect, if any, still runs after the guard).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &ValidationError{Param: "WithHTTPClient", Reason: "must not be nil"}
		}
		c.httpClient = hc
		return nil
	}
}

// WithUserAgent appends an application token such as "onboarder/1.2" to the
// SDK's own User-Agent.
func WithUserAgent(app string) Option {
	return func(c *config) error {
		if strings.TrimSpace(app) == "" || !validHeaderValue(app) {
			return &ValidationError{Param: "WithUserAgent", Reason: "must be a non-empty printable ASCII string"}
		}
		c.userAgent += " " + app
		return nil
	}
}

// WithMaxResponseBytes caps how much of any response body is read. A larger
// success body fails with a decode error; a larger error body is truncated.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return &ValidationError{Param: "WithMaxResponseBytes", Reason: "must be positive"}
		}
		c.maxBody = n
		return nil
	}
}

const defaultMaxResponseBytes = 16 << 20

// wrapHTTPClient returns the *http.Client the SDK sends through: a shallow
// copy of the caller's (so their client is never modified) whose redirect
// policy keeps credentials on the host they were meant for, and whose
// transport, transport when given, learns whether each attempt reached
// the server and reports it to the logger and hooks.
func (c *Client) wrapHTTPClient(hc *http.Client, transport http.RoundTripper) *http.Client {
	var wrapped http.Client
	if hc != nil {
		wrapped = *hc
	}
	switch {
	case transport != nil:
	case wrapped.Transport != nil:
		transport = wrapped.Transport
	case hc != nil:
		transport = http.DefaultTransport // what hc would have used
	default:
		transport = defaultTransport()
	}
	c.transport = transport
	wrapped.CheckRedirect = guardRedirect(wrapped.CheckRedirect)
	wrapped.Transport = &attemptTransport{next: transport, client: c}
	return &wrapped
}

// guardRedirect wraps a redirect policy: a downgrade to plain http is
// refused, and the Authorization header is dropped whenever the redirect
// leaves the original host and port (net/http only compares host names,
// so another port on the same host would otherwise receive it). The
// caller's own policy, if any, runs after.
func guardRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if via[len(via)-1].URL.Scheme == "https" && req.URL.Scheme != "https" {
			return ErrRedirectRefused
		}
		// On 301/302/303 net/http turns a DELETE, POST or PUT into a GET:
		// following it would report success for a call that never
		// happened. The redirect is returned as it is (an *APIError).
		if req.Method != via[0].Method {
			return http.ErrUseLastResponse
		}
		if req.URL.Host != via[0].URL.Host {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
}

// defaultTransport is a pooled transport tuned for many requests to the same
// few hosts (one per vendor API). A host never has more connections than
// its idle pool keeps, so concurrent callers reuse them instead of opening
// and closing connections as they go: beyond perHost requests in flight to
// one host, callers wait for a connection to come free (over HTTP/2 they
// share one anyway).
func defaultTransport() *http.Transport {
	const perHost = 64
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = int(numAPIs) * perHost
	t.MaxIdleConnsPerHost = perHost
	t.MaxConnsPerHost = perHost
	return t
}

// parseBaseURL validates a base URL option and returns it without a
// trailing slash, ready for paths to be appended.
func parseBaseURL(option, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", &ValidationError{Param: option, Reason: "must be an absolute http(s) URL"}
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &ValidationError{Param: option, Reason: "must not contain credentials, a query or a fragment"}
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", &ValidationError{Param: option, Reason: "plain http is only allowed for loopback hosts"}
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validHeaderValue reports whether s can be sent in a header without
// injection: printable ASCII only.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
