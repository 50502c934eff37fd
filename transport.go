package invitations

import (
	"io"
	"net/http"
	"time"
)

// idempotencyKeys are the header entries that make net/http take any
// request for idempotent, each with the lower-case entry unreplayable
// moves it to.
var idempotencyKeys = [...]struct{ canonical, lower string }{
	{"Idempotency-Key", "idempotency-key"},
	{"X-Idempotency-Key", "x-idempotency-key"},
}

// unreplayable returns the request to hand the transport for an Unsafe
// call's req: req itself when net/http would not take it for idempotent,
// else a copy that net/http never resends on its own (the http.Client
// above keeps req as it was, to follow a redirect with it). net/http resends a
// request on a fresh connection when a kept-alive one dies before any
// byte of the answer, if it takes the request for idempotent (see
// http.Transport): the method is GET, HEAD, OPTIONS or TRACE, or the header
// map has an "Idempotency-Key" or "X-Idempotency-Key" entry, and the body
// can be sent again (none, or GetBody set, as retryablehttp sets it). For
// an Unsafe call the copy that died may have been acted on, so a resend
// could invite or email twice, below the SDK's retry policy and unseen by
// it. Each condition is broken where that changes nothing on the wire:
//
//   - A caller's idempotency key moves to a lower-case entry of the same
//     name. Header names are case-insensitive, so the server reads the
//     same header (HTTP/2 sends every name in lower case anyway), but
//     net/http looks for the canonical entries only.
//   - A GET, HEAD, OPTIONS or TRACE loses GetBody, and one without a body
//     gets an empty body of its own, which net/http reads, finds empty and
//     sends no body for (but for a TRACE, which no vendor API has: an
//     empty chunked body).
//
// GetBody is kept on other methods, because dropping it would cost more
// than the resend: the HTTP/2 transport needs it to resend a request the
// server refused unprocessed (REFUSED_STREAM, GOAWAY), and net/http to
// resend one of which no byte was written; neither can act twice. An empty
// body of its own on a bodiless POST, PUT or PATCH would go out chunked
// instead of with Content-Length: 0. Only the transport's copy changes:
// the http.Client above keeps GetBody to follow a 307 or 308.
func unreplayable(orig *http.Request) *http.Request {
	if !takenForIdempotent(orig) {
		return orig
	}
	cp := *orig
	req := &cp
	cloned := false
	for _, k := range idempotencyKeys {
		vs, ok := req.Header[k.canonical]
		if !ok {
			continue
		}
		if !cloned {
			// The map is still orig's: write into a copy.
			req.Header, cloned = req.Header.Clone(), true
		}
		delete(req.Header, k.canonical)
		req.Header[k.lower] = append(req.Header[k.lower], vs...)
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		req.GetBody = nil
		if req.Body == nil || req.Body == http.NoBody {
			req.Body = emptyBody{}
		}
	}
	return req
}

// takenForIdempotent reports whether net/http takes req for idempotent,
// by its method or an idempotency key: what unreplayable undoes.
func takenForIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	for _, k := range idempotencyKeys {
		if _, ok := req.Header[k.canonical]; ok {
			return true
		}
	}
	return false
}

// emptyBody is an empty request body that net/http cannot rewind, since
// it has no GetBody to go with it: see unreplayable.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }

func (emptyBody) Close() error { return nil }

// attemptTransport sits under the SDK's http.Client: it learns, for each
// round trip, whether the request may have reached the server and how
// many times it was sent, keeps the transport below from resending an
// Unsafe call, and reports every round trip to the Client's logger and
// hooks when there are some.
type attemptTransport struct {
	next   http.RoundTripper
	client *Client
}

// CloseIdleConnections closes the pool's idle connections.
func (t *attemptTransport) CloseIdleConnections() {
	if ci, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st := callStateOf(req.Context())
	if st == nil { // not a call of this SDK: nothing to learn
		return t.next.RoundTrip(req)
	}
	limits := &t.client.limits[st.api.index]
	waited, release, err := limits.awaitTurn(req.Context(), st.api.Name, t.client.cfg.retry.maxRetryAfter, t.client.cfg.turnHook)
	if err != nil {
		t.report(req, st, waited, 0, nil, err)
		return nil, err // nothing was sent
	}
	ctxDoneBefore := req.Context().Err() != nil
	rt := new(roundTripTrace)
	st.roundTrip.Store(rt)
	out := req
	if st.class != Idempotent {
		out = unreplayable(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(out)
	st.roundTrip.CompareAndSwap(rt, nil)
	if err != nil {
		release()
	} else {
		limits.pauseOn(resp)
		resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	}
	// Writes reported after RoundTrip returned are left out: they belong
	// to a copy still being written when the answer (or the error) came,
	// not to a resend.
	if writes := rt.writes.Load(); writes > 1 || rt.resent.Load() {
		// The transport resent the request on its own: the copy it gave
		// up on may have been acted on, whatever the resend got, and each
		// copy written is an attempt. net/http also resends, whatever the
		// call, a copy of which no byte left; the trace cannot tell that
		// one apart, so it counts too: the count errs toward "sent".
		st.resends.Add(max(writes-1, 0))
		st.maybeActed.Store(true)
	}
	switch {
	case err != nil:
		if !ctxDoneBefore && !neverConnected(err) && !(rt.getConn.Load() && !rt.gotConn.Load()) {
			// Only a failure known to come before the request could be
			// written rules the server out: no connection yet. Once there
			// is one, net/http may still be writing the request when a
			// cancelled RoundTrip returns. A transport that does not
			// report its progress through httptrace counts as having
			// written.
			st.maybeActed.Store(true)
		}
	case resp.StatusCode >= 500:
		st.maybeActed.Store(true) // it failed while handling the request, perhaps after acting
	}
	t.report(req, st, waited, time.Since(start), resp, err)
	return resp, err
}
