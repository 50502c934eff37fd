package fake

import (
	"net/http"
	"strings"
	"time"
)

// Request is one request as the fake received it.
type Request struct {
	// Operation is the operation the request reached, e.g.
	// GitGuardianCreateInvitations.
	Operation Operation
	Method    string
	// Path is the escaped path, including the API prefix.
	Path     string
	RawQuery string
	// Header is the request header, with the Authorization secret replaced
	// by "[redacted]" (the scheme is kept).
	Header http.Header
	Body   []byte
	Time   time.Time
}

// record logs a request and picks the fault that applies to it.
func (f *Fake) record(op Operation, r *http.Request, body []byte) *Fault {
	h := r.Header.Clone()
	if auth := h.Get("Authorization"); auth != "" {
		scheme, _, _ := strings.Cut(auth, " ")
		h.Set("Authorization", scheme+" [redacted]")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, Request{
		Operation: op, Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Header: h, Body: body, Time: f.now(),
	})
	return f.takeFault(op)
}

// Requests returns every request received so far, oldest first.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.log...)
}

// RequestCount returns how many requests reached op: one operation
// (BoxCreateGroupMembership), all of one API's (AllBox), or every request
// (AnyOperation). A request counts even when a fault answered it. It
// returns an error wrapping ErrUnknownOperation when op names nothing the
// fake serves, so that a mistyped name cannot make a "never reached"
// assertion pass; an invitationstest.TestServer's RequestCount fails the
// test instead.
func (f *Fake) RequestCount(op Operation) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := op.check(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range f.log {
		if op.selects(r.Operation) {
			n++
		}
	}
	return n, nil
}

// ClearRequests empties the request log.
func (f *Fake) ClearRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = nil
}
