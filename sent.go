package invitations

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
)

type callKey struct{}

// callState is shared by the attempts of one call, through its context:
// the retry hooks and the transport write it, do reads it when the call
// ends. Attempts run one after another, but the hooks and the transport
// may read it from other goroutines: hence the atomics.
type callState struct {
	api   *apiConfig
	class RetryClass // whether the call may be repeated; an Unsafe one is never resent by the transport (see unreplayable)
	// attempts started, counted by retryablehttp's RequestLogHook.
	attempts atomic.Int32
	// resends are the copies the transport below sent on its own, within
	// an attempt, beyond the attempt's first: net/http resends a request
	// it takes for idempotent when a kept-alive connection dies before
	// the answer. Each may have reached the server, so each is an attempt.
	resends    atomic.Int32
	maybeActed atomic.Bool // some attempt may have reached the server without an answer that rules out its effect
	// credentials are the Authorization values sent so far, scrubbed from
	// whatever the server echoes back into an error.
	credentials []string
	// trace is the call's connection trace, on its context; it reports to
	// the round trip in progress, roundTrip.
	trace     httptrace.ClientTrace
	roundTrip atomic.Pointer[roundTripTrace]
}

// newCallState returns the state of one call of class to api, whose first
// attempt sends authorization, and ctx carrying it and its connection
// trace (one per call, not per round trip: a call's cost stays that of
// net/http but for it).
func newCallState(ctx context.Context, api *apiConfig, class RetryClass, authorization string) (context.Context, *callState) {
	st := &callState{api: api, class: class, credentials: []string{authorization}}
	st.trace.GetConn = func(string) {
		if rt := st.roundTrip.Load(); rt != nil {
			if rt.writes.Load() > 0 {
				rt.resent.Store(true)
			}
			rt.getConn.Store(true)
		}
	}
	st.trace.GotConn = func(httptrace.GotConnInfo) {
		if rt := st.roundTrip.Load(); rt != nil {
			rt.gotConn.Store(true)
		}
	}
	st.trace.WroteRequest = func(httptrace.WroteRequestInfo) {
		if rt := st.roundTrip.Load(); rt != nil {
			rt.writes.Add(1)
		}
	}
	return httptrace.WithClientTrace(context.WithValue(ctx, callKey{}, st), &st.trace), st
}

func callStateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(callKey{}).(*callState)
	return st
}

// sent is how many times the request was sent so far: the attempts
// retryablehttp made and the copies the transport resent within them.
func (st *callState) sent() int {
	return int(st.attempts.Load() + st.resends.Load())
}

// roundTripTrace is what the call's trace saw of one round trip: whether
// the transport found a connection, and each time it wrote the request,
// resends included. A round trip has its own, installed in the call state
// for its length: net/http may run a callback late, on a goroutine of its
// own, after RoundTrip has returned, and a late write of one attempt must
// not count as a resend of the next.
type roundTripTrace struct {
	getConn atomic.Bool  // the transport started looking for a connection (so the trace works)
	gotConn atomic.Bool  // it had one: from then on, the request may be written at any moment
	writes  atomic.Int32 // WroteRequest events: the transport wrote the request, or tried to
	// resent: the transport looked for another connection after writing
	// the request once, to send it again. The copy written may have
	// reached the server, whatever becomes of the resend.
	resent atomic.Bool
}
