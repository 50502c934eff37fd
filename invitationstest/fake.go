// Package invitationstest is an in-memory fake of the five vendor APIs the
// invitations SDK drives, for tests and demos. It is stateful (creating,
// listing, updating and deleting really change its store), faithful to
// each vendor's wire format (auth headers, JSON names, status codes, error
// bodies, pagination), safe for concurrent requests, and it can inject
// faults and records every request it receives.
//
// Start one in a test with NewServer and get a Client wired to it:
//
//	srv := invitationstest.NewServer(invitationstest.WithDemoData())
//	defer srv.Close()
//	client, err := srv.Client()
//
// Every API lives under its own prefix of the server's URL; see BaseURLs.
package invitationstest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
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

// WithLatency delays every answer by d.
func WithLatency(d time.Duration) Option {
	return func(f *Fake) { f.latency = d }
}

// Fake is the fake as an http.Handler, for serving it on an address of
// your choice (see cmd/invitations-fake). Most tests use NewServer instead.
type Fake struct {
	mux     *http.ServeMux
	demo    bool
	latency time.Duration

	boxMaxOffset  int64 // largest list offset the fake Box accepts
	boxLargeGroup int   // members of the large Box group, 0 for none

	mu     sync.Mutex // guards everything below, and every vendor store
	log    []Request
	faults []*armedFault
	now    func() time.Time

	gg  *gitGuardianStore
	box *boxStore
	fs  *freestyleStore
	bim *bimDataStore
	px  *portworxStore
}

// NewFake returns the fake as a handler.
func NewFake(opts ...Option) *Fake {
	f := &Fake{mux: http.NewServeMux(), now: time.Now, boxMaxOffset: 10000}
	for _, opt := range opts {
		if opt != nil {
			opt(f)
		}
	}
	f.registerGitGuardian()
	f.registerBox()
	f.registerFreestyle()
	f.registerBIMData()
	f.registerPortworx()
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "no such route: " + r.Method + " " + r.URL.Path})
	})
	return f
}

// ServeHTTP serves the five APIs.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mux.ServeHTTP(w, r)
}

// vendor describes how one API authenticates and reports errors.
type vendor struct {
	name   string // "gitguardian", "box", ...: the prefix of operation names
	prefix string
	// authorized reports whether the Authorization header is accepted.
	authorized func(authorization string) bool
	// errorBody renders the vendor's error body for status and message.
	errorBody func(status int, code, message string) any
}

// handler is one operation's logic: it reads the request and writes the
// answer, with the Fake's lock held (the store is consistent within a call).
type handler func(w http.ResponseWriter, r *http.Request, body []byte)

// handle registers op ("METHOD /path", relative to the vendor prefix)
// under the operation name "<vendor>.<name>", wrapping it with the request
// log, auth, latency and faults.
func (f *Fake) handle(v *vendor, name, pattern string, h handler) {
	f.handleOn(f.mux, v, name, pattern, h)
}

// handleOn is handle on another mux, for a vendor that must route some
// requests itself before they reach an operation (Portworx custom verbs).
func (f *Fake) handleOn(mux *http.ServeMux, v *vendor, name, pattern string, h handler) {
	method, path, _ := strings.Cut(pattern, " ")
	op := v.name + "." + name
	mux.HandleFunc(method+" "+v.prefix+path, func(w http.ResponseWriter, r *http.Request) {
		body := readBody(r)
		fault := f.record(op, r, body)
		if f.latency > 0 {
			sleep(r, f.latency)
		}
		if fault != nil && fault.apply(w, r, v) {
			return
		}
		if !v.authorized(r.Header.Get("Authorization")) {
			if v.name == "box" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`)
			}
			writeJSON(w, http.StatusUnauthorized, v.errorBody(http.StatusUnauthorized, "unauthorized", "Invalid credentials."))
			return
		}
		if fault != nil && fault.Truncate {
			w = &truncatingWriter{ResponseWriter: w}
			defer w.(*truncatingWriter).flush()
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r, body)
	})
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

// exactly accepts an Authorization header equal to one of values.
func exactly(values ...string) func(string) bool {
	return func(got string) bool {
		for _, v := range values {
			if got == v {
				return true
			}
		}
		return false
	}
}
