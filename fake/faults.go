package fake

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour injected into the answers of the fake. The zero
// Fault with a Status answers the next matching request with that status.
type Fault struct {
	// Operation selects the requests affected: one operation
	// (BoxCreateGroupMembership), all of one API's (AllBox), or every
	// request (AnyOperation, the zero value). A name the fake does not
	// serve makes Inject fail.
	Operation Operation
	// Times is how many matching requests are affected: 0 means 1, and a
	// negative value means every one from now on.
	Times int
	// Status answers with this status and the vendor's error body (or
	// Body), without running the operation.
	Status int
	// RetryAfter is sent as the Retry-After header with Status.
	RetryAfter string
	// Body replaces the vendor's error body (with Status), e.g. an HTML
	// proxy page.
	Body string
	// ContentType is sent with Body; default text/html when Body starts
	// with "<", else application/json.
	ContentType string
	// EmptyBody answers Status with no body at all (Content-Length: 0),
	// still labelled application/json unless ContentType says otherwise,
	// as a broken proxy or server may do where JSON is due. Body is
	// ignored. Without Status it has no effect.
	EmptyBody bool
	// Latency delays the answer (the operation still runs).
	Latency time.Duration
	// Drop closes the connection without any answer, as a crashed server
	// or a reset connection does. The operation does not run.
	Drop bool
	// ResetMidBody runs nothing, sends a 200 with the start of a JSON body,
	// then closes the connection.
	ResetMidBody bool
	// Truncate runs the operation (its effect happens) but sends only the
	// first half of its body, with no Content-Length.
	Truncate bool
	// Hang never answers: the request stays open until the client gives up.
	Hang bool
}

type armedFault struct {
	Fault
	remaining int // < 0: unlimited
}

// Inject arms a fault; faults are matched in the order they were injected.
// It returns an error, and arms nothing, when fault.Operation names no
// operation of the fake (errors.Is(err, ErrUnknownOperation)) or a field
// is out of range. An invitationstest.TestServer's Inject fails
// the test instead.
func (f *Fake) Inject(fault Fault) error {
	if fault.Status != 0 && (fault.Status < 100 || fault.Status > 999) {
		return fmt.Errorf("fake: fault status %d is not an HTTP status", fault.Status)
	}
	if fault.Latency < 0 {
		return fmt.Errorf("fake: fault latency %v is negative", fault.Latency)
	}
	n := fault.Times
	if n == 0 {
		n = 1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := fault.Operation.check(); err != nil {
		return err
	}
	f.faults = append(f.faults, &armedFault{Fault: fault, remaining: n})
	return nil
}

// Faults returns the faults still armed, in matching order, with Times set
// to the number of requests each will still affect (-1: every one).
func (f *Fake) Faults() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.faults))
	for _, a := range f.faults {
		fault := a.Fault
		fault.Times = a.remaining
		out = append(out, fault)
	}
	return out
}

// ClearFaults disarms every fault.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

func (a *armedFault) matches(op Operation) bool {
	return a.Operation.selects(op)
}

// selects reports whether the selector sel (an operation, an API or
// AnyOperation) covers the operation op.
func (sel Operation) selects(op Operation) bool {
	return sel == AnyOperation || sel == op || (!strings.Contains(string(sel), ".") && op.API() == string(sel))
}

// takeFault returns the first armed fault matching op and uses it up once.
// The caller holds f.mu.
func (f *Fake) takeFault(op Operation) *Fault {
	for i, a := range f.faults {
		if a.remaining == 0 || !a.matches(op) {
			continue
		}
		if a.remaining > 0 {
			a.remaining--
		}
		if a.remaining == 0 {
			f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
		}
		fault := a.Fault
		return &fault
	}
	return nil
}

// apply performs the parts of a fault that replace the answer, and reports
// whether the answer has been given (the operation must not run).
func (fault *Fault) apply(w http.ResponseWriter, r *http.Request, v *vendor) bool {
	if fault.Latency > 0 {
		sleep(r, fault.Latency)
	}
	switch {
	case fault.Hang:
		<-r.Context().Done()
		return true
	case fault.Drop:
		hijackAndClose(w, nil)
		return true
	case fault.ResetMidBody:
		hijackAndClose(w, []byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"id\": 1, \"ema"))
		return true
	case fault.Status != 0:
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		if fault.EmptyBody {
			ct := fault.ContentType
			if ct == "" {
				ct = "application/json"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(fault.Status)
			return true
		}
		if fault.Body != "" {
			ct := fault.ContentType
			if ct == "" {
				ct = "application/json"
				if strings.HasPrefix(strings.TrimSpace(fault.Body), "<") {
					ct = "text/html"
				}
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(fault.Status)
			_, _ = w.Write([]byte(fault.Body))
			return true
		}
		writeJSON(w, fault.Status, v.errorBody(fault.Status, statusCode(fault.Status), http.StatusText(fault.Status)))
		return true
	}
	return false
}

// hijackAndClose writes raw (if any) straight to the connection and closes
// it, bypassing HTTP framing.
func hijackAndClose(w http.ResponseWriter, raw []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 has no connection to drop: a gateway error is the
		// closest honest answer.
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if len(raw) > 0 {
		_, _ = buf.Write(raw)
		_ = buf.Flush()
	}
	_ = conn.Close()
}

// truncatingWriter buffers an answer and sends only its first half.
type truncatingWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *truncatingWriter) WriteHeader(status int) { t.status = status }
func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.buf.Write(b)
}

func (t *truncatingWriter) flush() {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	half := t.buf.Bytes()[:t.buf.Len()/2]
	// Announce the full length, send half, then close: the client sees an
	// unexpected EOF inside the JSON.
	hj, ok := t.ResponseWriter.(http.Hijacker)
	if !ok {
		t.ResponseWriter.WriteHeader(t.status)
		_, _ = t.ResponseWriter.Write(half)
		return
	}
	head := "HTTP/1.1 " + strconv.Itoa(t.status) + " " + http.StatusText(t.status) + "\r\n" +
		"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(t.buf.Len()) + "\r\n\r\n"
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	_, _ = buf.WriteString(head)
	_, _ = buf.Write(half)
	_ = buf.Flush()
	_ = conn.Close()
}

// statusCode is a generic code word for a status, used in vendor error
// bodies that carry one.
func statusCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "internal_server_error"
	}
	return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}
