// Package fake is an in-memory fake of the five vendor APIs the invitations
// SDK drives, for tests, demos and the command `invitations fake`. It is
// stateful (creating, listing, updating and deleting really change its
// store), faithful to each vendor's wire format (auth headers, JSON names,
// status codes, error bodies, pagination), safe for concurrent requests,
// and it can inject faults and records every request it receives.
//
// Start one on an address with Start and get a Client wired to it:
//
//	srv, err := fake.Start("127.0.0.1:0", fake.WithDemoData())
//	...
//	defer srv.Close()
//	client, err := srv.Client() // no backoff between retries
//	...
//	err = srv.Inject(fake.Fault{Operation: fake.BoxCreateGroupMembership, Status: 503})
//	n, err := srv.RequestCount(fake.BoxCreateGroupMembership)
//
// Tests use package invitationstest instead, whose NewTestServer closes
// the server when the test ends and turns misuse into a failed test. This
// package imports neither testing nor net/http/httptest, so that a program
// embedding the fake links no test code.
//
// Operations are named by the Operation constants, one per operation of
// the SDK's operation table (invitations.Operations); an unknown name is
// an error (ErrUnknownOperation), so that a typo cannot make a test pass
// without testing anything. The demo data's ids are the constants named
// *Demo* (DemoPersonEmail, BoxDemoGroupID, PortworxDemoTenantID, ...).
//
// Every API lives under its own prefix of the server's URL; see BaseURLs.
// Everything the fake can do from Go it can also do over HTTP, under
// AdminPrefix (see NewFake), for tests written in other languages.
package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/invitesdk/invitations"
)

// Credentials the fake accepts. A request without the right one gets the
// vendor's 401.
const (
	GitGuardianAPIKey   = "fake-gitguardian-key"
	BoxAccessToken      = "fake-box-token"
	FreestyleAPIKey     = "fake-freestyle-key"
	BIMDataAccessToken  = "fake-bimdata-token"
	BIMDataAPIKey       = "fake-bimdata-apikey"
	PortworxAccessToken = "fake-portworx-token"
)

// DemoPersonEmail is a person the demo data knows in every API: a
// GitGuardian workspace member (besides a pending invitation, kept for the
// invitation examples, which the live API would refuse for a member), a
// Box user (login) with group memberships, a BIMData user and a Portworx
// invitation. The offboard example removes them by default.
const DemoPersonEmail = "user001@example.com"

// Path prefixes of each API under the server root.
const (
	GitGuardianPrefix = "/gitguardian"
	BoxPrefix         = "/box/2.0"
	FreestylePrefix   = "/freestyle"
	BIMDataPrefix     = "/bimdata"
	PortworxPrefix    = "/portworx"
	// AdminPrefix is where the fake's own HTTP API lives: a prefix no
	// vendor uses. See NewFake.
	AdminPrefix = "/_fake"
)

// BaseURLs are the base URLs of the five APIs served from one root URL.
type BaseURLs struct {
	GitGuardian, Box, Freestyle, BIMData, Portworx string
}

// BaseURLsAt returns the base URLs of the APIs served at root
// (e.g. "http://127.0.0.1:8080").
func BaseURLsAt(root string) BaseURLs {
	root = strings.TrimRight(root, "/")
	return BaseURLs{
		GitGuardian: root + GitGuardianPrefix,
		Box:         root + BoxPrefix,
		Freestyle:   root + FreestylePrefix,
		BIMData:     root + BIMDataPrefix,
		Portworx:    root + PortworxPrefix,
	}
}

// Option configures a Fake.
type Option func(*Fake)

// WithDemoData seeds every API with demo data: a few hundred invitations,
// group members and identities, so that pagination is visible.
func WithDemoData() Option {
	return func(f *Fake) { f.demo = true }
}

// WithBoxMaxOffset makes the fake Box answer 400 to a list whose offset
// exceeds n. The default, 10000, is what Box's OpenAPI document says
// ("offsets exceeding 10000 are rejected"); Box's pagination guide says
// the maximum is 9999. Either way the SDK stops with ErrOffsetLimit.
func WithBoxMaxOffset(n int64) Option {
	return func(f *Fake) { f.boxMaxOffset = n }
}

// WithBoxLargeGroup adds a Box group, BoxDemoLargeGroupID ("All Staff"),
// with n generated members (users "staff%05d@example.com"), so that lists
// can be paged up to Box's offset ceiling.
func WithBoxLargeGroup(n int) Option {
	return func(f *Fake) { f.boxLargeGroup = n }
}

// WithGeneratedMembers adds n GitGuardian workspace members
// (gen000001@example.com and on), for audits and benchmarks at scale.
func WithGeneratedMembers(n int) Option {
	return func(f *Fake) { f.generatedMembers = n }
}

// WithGeneratedPeople adds n people (person000001@example.com and on),
// known to Box as users (with ten empty groups, "Team 01" to "Team 10")
// and to BIMData with a pending identity-provider invitation each, for
// benchmarks at scale.
func WithGeneratedPeople(n int) Option {
	return func(f *Fake) { f.generatedPeople = n }
}

// WithLatency delays every answer by d.
func WithLatency(d time.Duration) Option {
	return func(f *Fake) { f.latency = d }
}

// Fake is the fake as an http.Handler, for serving it on an address of
// your choice (see `invitations fake`). Start serves one on an address;
// tests use invitationstest.NewTestServer.
type Fake struct {
	demo    bool
	latency time.Duration
	now     func() time.Time

	boxMaxOffset     int64                      // largest list offset the fake Box accepts
	boxLargeGroup    int                        // members of the large Box group, 0 for none
	quotas           map[invitations.API]*quota // see WithQuota
	generatedMembers int                        // GitGuardian members of WithGeneratedMembers
	generatedPeople  int                        // Box users and BIMData invitations of WithGeneratedPeople

	// serving is the mux requests are routed through. Reset swaps in a
	// fresh one, built with fresh stores.
	serving atomic.Pointer[http.ServeMux]

	mu sync.Mutex // guards everything below, and every vendor store
	// mux is the mux being built by the register functions.
	mux     *http.ServeMux
	routes  []Route   // every operation registered, in order
	vendors []*vendor // in the SDK's vendor order
	// problems say where the fake's stores and the SDK's operation
	// table disagree: an operation with no handler (it answers 501), a
	// handler no operation routes to, a vendor with no store.
	problems []string
	log      []Request
	faults   []*armedFault

	gg  *gitGuardianStore
	box *boxStore
	fs  *freestyleStore
	bim *bimDataStore
	px  *portworxStore
}

// NewFake returns the fake as a handler. Besides the five APIs it serves
// its own JSON API under AdminPrefix, for tests in any language:
//
//	GET    /_fake/health    {"status":"ok"}
//	GET    /_fake/routes    every operation's method and path, the base URL
//	                        and credentials of each API, and the demo ids
//	GET    /_fake/faults    the armed faults
//	POST   /_fake/faults    arm a fault: a JSON Fault, its fields in
//	                        snake_case (latency as a duration, "250ms"), e.g.
//	                        {"operation":"box.CreateGroupMembership","status":503,"times":2}
//	DELETE /_fake/faults    disarm every fault
//	GET    /_fake/requests  the request log, credentials redacted;
//	                        ?operation=box.CreateGroupMembership filters it
//	DELETE /_fake/requests  empty the request log
//	POST   /_fake/reset     back to the state NewFake created: seed data,
//	                        no fault, empty log
//
// An unknown operation or fault field is a 400. A known path asked with
// another method is a 405 with an Allow header; an unknown path under an
// API's prefix is a 404 in that vendor's error shape (Portworx answers as
// its gateway does: 501 and 404 google.rpc.Status bodies).
func NewFake(opts ...Option) *Fake {
	f := &Fake{now: time.Now, boxMaxOffset: 10000}
	for _, opt := range opts {
		if opt != nil {
			opt(f)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.build()
	return f
}

// build registers every route on a fresh mux with fresh stores (seeded
// when asked; see routeVendors) and starts serving it. The caller holds f.mu, which keeps
// the store fields consistent for the accessors that read them.
func (f *Fake) build() {
	f.mux = http.NewServeMux()
	f.routes = nil
	f.vendors = nil
	f.problems = nil
	f.routeVendors()
	f.registerAdmin()
	f.fillQuotas()
	f.serving.Store(f.mux)
}

// Reset returns the fake to the state NewFake created: every store back
// to its seed data (or empty), no armed fault, an empty request log.
// Requests in flight finish against the old state.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.build()
	f.log = nil
	f.faults = nil
}

// ServeHTTP serves the five APIs and the admin API.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mux := f.serving.Load()
	if _, pattern := mux.Handler(r); pattern == "" {
		f.routingError(w, r, mux)
		return
	}
	mux.ServeHTTP(w, r)
}

// routingError answers a request no route takes: 405 with Allow when the
// path is known under other methods, else 404, in the error shape of the
// vendor whose prefix the path is under.
func (f *Fake) routingError(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	// The mux's own answer says which of the two it is, and the Allow.
	probe := &headerProbe{header: http.Header{}}
	h, _ := mux.Handler(r)
	h.ServeHTTP(probe, r)
	status := probe.status
	if status != http.StatusMethodNotAllowed {
		status = http.StatusNotFound
	}
	if allow := probe.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	message := "no such route: " + r.Method + " " + r.URL.Path
	if status == http.StatusMethodNotAllowed {
		message = r.Method + " is not allowed on " + r.URL.Path
	}
	f.mu.Lock()
	v := f.vendorFor(r.URL.Path)
	f.mu.Unlock()
	if v != nil {
		writeJSON(w, status, v.errorBody(status, statusCode(status), message))
		return
	}
	if status == http.StatusNotFound && !isUnder(r.URL.Path, AdminPrefix) {
		message += " (GET " + AdminPrefix + "/routes lists them)"
	}
	writeJSON(w, status, adminError{Error: statusCode(status), Message: message})
}

// vendorFor returns the vendor whose prefix path is under, or nil. The
// caller holds f.mu.
func (f *Fake) vendorFor(path string) *vendor {
	for _, v := range f.vendors {
		if isUnder(path, v.prefix) {
			return v
		}
	}
	return nil
}

// isUnder reports whether path is prefix or below it.
func isUnder(path, prefix string) bool {
	rest, ok := strings.CutPrefix(path, prefix)
	return ok && (rest == "" || rest[0] == '/')
}

// headerProbe records what a handler would answer, discarding the body.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *headerProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

// sleep waits d or until the client goes away.
func sleep(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// readBody reads up to 1 MiB of the request body.
func readBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return b
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON decodes a request body, reporting whether it was valid JSON of
// the right shape.
func decodeJSON(body []byte, v any) bool {
	return len(body) > 0 && json.Unmarshal(body, v) == nil
}
