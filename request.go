package invitations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"
)

// Response is the metadata of a completed call. Capture it with
// CaptureResponse; pages carry it too.
type Response struct {
	// StatusCode is the HTTP status of the final attempt.
	StatusCode int
	// Header is the response header.
	Header http.Header
	// RequestID is the vendor's request id header, when sent.
	RequestID string
	// RetryAfter is the server's Retry-After (Box and GitGuardian send it
	// when throttling), zero when absent.
	RetryAfter time.Duration
	// RateLimit is what the server said about its quota in RateLimit-* or
	// X-RateLimit-* headers, nil when it sent none.
	RateLimit *RateLimit
	// PerPage is the page size the server applied (GitGuardian's
	// X-Per-Page), zero when not sent. Pages also carry the next cursor,
	// offset or page number.
	PerPage int
}

// newResponse reads the metadata of resp.
func newResponse(resp *http.Response) *Response {
	meta := &Response{StatusCode: resp.StatusCode, Header: resp.Header, RequestID: requestID(resp.Header)}
	if v := resp.Header.Get("Retry-After"); v != "" {
		meta.RetryAfter, _ = parseRetryAfter(v, time.Now())
	}
	if v := resp.Header.Get("X-Per-Page"); v != "" {
		meta.PerPage, _ = strconv.Atoi(v)
	}
	meta.RateLimit = parseRateLimit(resp.Header, time.Now())
	return meta
}

// RequestOption adjusts one call: extra headers, capturing the response.
// Options are applied after the Client's defaults; none can change the
// credential.
type RequestOption func(*requestOptions) error

type requestOptions struct {
	header   http.Header
	response *Response
}

// validHeaderName reports whether key is an RFC 9110 token, the only form
// a header name may take.
func validHeaderName(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// reservedHeader reports headers the SDK owns: a RequestOption may not set
// them. User-Agent has WithUserAgent; Content-Type is always JSON, since
// the SDK encodes every body.
func reservedHeader(key string) bool {
	switch http.CanonicalHeaderKey(key) {
	case "Authorization", "Host", "Content-Length", "Transfer-Encoding", "Connection", "User-Agent", "Content-Type":
		return true
	}
	return false
}

// WithHeader sets an extra header on one call, such as Box "As-User", or
// replaces one of the API's fixed headers (Portworx "px-account-id").
// Accept may be replaced, for a raw call (Client.Do) that reads bytes of
// another type; every other call decodes JSON whatever it says. Setting
// Authorization, User-Agent (see WithUserAgent), Content-Type or a header
// that frames the message (Host, Content-Length, Transfer-Encoding,
// Connection) is an error. On an Unsafe call an Idempotency-Key or
// X-Idempotency-Key header is handed to the transport under its lower-case
// name (the same header to the server): under its usual name net/http
// would take it as leave to resend the call on its own.
func WithHeader(key, value string) RequestOption {
	return func(o *requestOptions) error {
		if !validHeaderName(key) {
			return &ValidationError{Param: "WithHeader key", Reason: "must be a valid header name"}
		}
		if reservedHeader(key) {
			return &ValidationError{Param: "WithHeader " + http.CanonicalHeaderKey(key), Reason: "is set by the SDK and cannot be overridden"}
		}
		if !validHeaderValue(value) {
			return &ValidationError{Param: "WithHeader " + http.CanonicalHeaderKey(key), Reason: "value must be printable ASCII"}
		}
		if o.header == nil {
			o.header = http.Header{}
		}
		o.header.Set(key, value)
		return nil
	}
}

// CaptureResponse stores the call's response metadata (status, headers,
// request id) into dst when the call completes, successfully or not.
func CaptureResponse(dst *Response) RequestOption {
	return func(o *requestOptions) error {
		if dst == nil {
			return &ValidationError{Param: "CaptureResponse", Reason: "must not be nil"}
		}
		o.response = dst
		return nil
	}
}

// request is one API call, built by a service method. Building never
// fails on the spot: the first problem (an invalid path parameter, query
// option or field) is kept in err, and do or the pager returns it before
// any I/O. Service methods stay a straight line.
type request struct {
	api    API
	method string
	path   string     // relative to the API base URL, no leading slash; "{}" placeholders until withParams
	query  url.Values // may be nil
	body   any        // sent as JSON when non-nil
	// class says whether the call is safe to repeat after a failure whose
	// effect on the server is unknown (5xx, a reset connection).
	class RetryClass
	// okStatus, when set, is the only success status; others are errors.
	okStatus []int
	// nullIsEmpty makes doJSON read a null body as an empty value, for
	// lists returned whole (not through a Pager).
	nullIsEmpty bool
	err         error
}

// newRequest starts a request on path, whose "{}" placeholders are filled
// by withParams.
func newRequest(api API, method, path string, class RetryClass) *request {
	return &request{api: api, method: method, path: path, class: class}
}

// withParams fills the path's "{}" placeholders, each parameter escaped as
// one path segment (see pathf).
func (r *request) withParams(params ...pathParam) *request {
	if r.err == nil {
		r.path, r.err = pathf(r.path, params...)
	}
	return r
}

// withQuery encodes an options struct (go-querystring tags) as the query.
// A nil pointer leaves the query empty.
func (r *request) withQuery(opts any) *request {
	if r.err != nil {
		return r
	}
	v, err := query.Values(opts)
	if err != nil {
		r.err = &ValidationError{Param: "options", Reason: err.Error()}
		return r
	}
	r.query = v
	return r
}

// withBody sets the JSON body.
func (r *request) withBody(body any) *request {
	r.body = body
	return r
}

// check keeps the first of errs (input checks made by the caller) unless
// the request already failed.
func (r *request) check(errs ...error) *request {
	if r.err == nil {
		r.err = firstError(errs...)
	}
	return r
}

// nullAsEmpty makes doJSON read a null body as an empty value.
func (r *request) nullAsEmpty() *request {
	r.nullIsEmpty = true
	return r
}

// expect makes status the only success status.
func (r *request) expect(status int) *request {
	r.okStatus = []int{status}
	return r
}

// do sends r and decodes a 2xx JSON body into out (when out is non-nil and
// the status is not 204). Non-2xx answers become *APIError.
func (c *Client) do(ctx context.Context, r *request, out any, opts []RequestOption) (*Response, error) {
	if r.err != nil {
		return nil, r.err
	}
	if ctx == nil {
		return nil, &ValidationError{Param: "ctx", Reason: "must not be nil"}
	}
	var ro requestOptions
	if len(opts) > 0 {
		// The options fill a heap copy (they are opaque functions, so
		// whatever they are given escapes): calls without options do not
		// pay for it.
		p := new(requestOptions)
		for _, opt := range opts {
			if opt == nil {
				continue
			}
			if err := opt(p); err != nil {
				return nil, err
			}
		}
		ro = *p
	}
	api := &c.cfg.apis[r.api]
	if api.baseURL == "" {
		return nil, fmt.Errorf("%w for %s: set %s", ErrNoBaseURL, api.name, api.baseURLOption)
	}
	if api.credential == nil {
		return nil, fmt.Errorf("%w for %s: set %s", ErrNoCredential, api.name, api.credentialOption)
	}
	authorization, err := api.credential.authorization(ctx)
	if err != nil {
		return nil, fmt.Errorf("invitations: %s credential: %w", api.name, err)
	}

	rawURL := api.baseURL + "/" + r.path
	if len(r.query) > 0 {
		rawURL += "?" + r.query.Encode()
	}
	var body *bytes.Buffer
	if r.body != nil {
		body = new(bytes.Buffer)
		enc := json.NewEncoder(body)
		enc.SetEscapeHTML(false) // send "<" and "&" as themselves, as the vendors' own clients do
		if err := enc.Encode(r.body); err != nil {
			return nil, &ValidationError{Param: "body", Reason: err.Error()}
		}
		if n := body.Len(); n > 0 && body.Bytes()[n-1] == '\n' {
			body.Truncate(n - 1) // Encode ends the value with a newline
		}
	}

	ctx, st := newCallState(withRetryClass(ctx, r.class), api, r.class, authorization)
	var reqBody any
	if body != nil {
		// A *bytes.Buffer, which retryablehttp rereads for each attempt,
		// fits in the interface without the allocation a []byte needs.
		reqBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, rawURL, reqBody)
	if err != nil {
		return nil, &ValidationError{Param: "request", Reason: err.Error()}
	}
	// The SDK's own header values share one backing array: one allocation
	// instead of one per header. Each slice is capped at its own element,
	// so an append to one header can never write into another. The keys
	// are canonical, so assigning is what Header.Set would do.
	vals := []string{"application/json", c.cfg.userAgent, authorization, "application/json"}
	h := req.Header
	h["Accept"] = vals[0:1:1]
	h["User-Agent"] = vals[1:2:2]
	if body != nil {
		h["Content-Type"] = vals[3:4:4]
	}
	for k, vs := range api.header {
		h[k] = vs
	}
	for k, vs := range ro.header {
		h[k] = vs
	}
	// Last, so nothing above can replace the credential.
	h["Authorization"] = vals[2:3:3]

	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil { // a retry could not be prepared; this answer was already drained
			closeBody(resp.Body)
		}
		return nil, c.transportError(ctx, st, r.method, rawURL, err)
	}
	defer closeBody(resp.Body)

	meta := newResponse(resp)
	if ro.response != nil {
		*ro.response = *meta
	}
	if !c.successStatus(r, resp.StatusCode) {
		return meta, c.apiError(st, r.method, rawURL, resp.Body, meta)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return meta, nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw, err = c.readBody(resp.Body)
	} else {
		err = c.decodeBody(resp.Body, out)
	}
	if errors.Is(err, errStreamStopped) {
		return meta, nil
	}
	if err != nil {
		return meta, c.decodeError(st, r.method, rawURL, resp.StatusCode, err)
	}
	return meta, nil
}

// arrayStream decodes a JSON array (or null, an empty one) one item at a
// time, handing each to yield as it is read: memory stays bounded by one
// item whatever the array's length.
type arrayStream[T any] struct {
	yield func(T, error) bool
}

func (a *arrayStream[T]) decodeFrom(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("a JSON array was expected, not %v", tok)
	}
	for dec.More() {
		var item T
		if err := dec.Decode(&item); err != nil {
			return err
		}
		if !a.yield(item, nil) {
			return errStreamStopped
		}
	}
	_, err = dec.Token() // the closing ']'
	return err
}

// doStream sends r and yields the items of the JSON array its 2xx answer
// holds, decoding each as the loop asks for it; a failure (the call's, or
// the body's midway) is yielded once, last. Breaking the loop leaves the
// rest of the body unread.
func doStream[T any](ctx context.Context, c *Client, r *request, opts []RequestOption) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		stopped := false
		stream := &arrayStream[T]{yield: func(item T, err error) bool {
			if !yield(item, err) {
				stopped = true
			}
			return !stopped
		}}
		if _, err := c.do(ctx, r, stream, opts); err != nil && !stopped {
			var zero T
			yield(zero, err)
		}
	}
}

// errNullBody reports a body of null (or none) where the operation returns
// one object: taking it as an empty object would lose what the server did.
var errNullBody = errors.New("null or empty body where an object was expected")

// doJSON sends r and returns the decoded 2xx body as a new T. A null body
// is a *DecodeError, unless r reads it as an empty value (nullIsEmpty).
func doJSON[T any](ctx context.Context, c *Client, r *request, opts []RequestOption) (*T, error) {
	var out *T // stays nil for a JSON null: decoding allocates the T
	meta, err := c.do(ctx, r, &out, opts)
	if err != nil {
		return nil, err
	}
	if out == nil {
		if !r.nullIsEmpty {
			api := &c.cfg.apis[r.api]
			return nil, &DecodeError{API: api.name, Method: r.method, URL: redactURL(api.baseURL + "/" + r.path), StatusCode: meta.StatusCode, Err: errNullBody}
		}
		out = new(T)
	}
	return out, nil
}

func (c *Client) successStatus(r *request, status int) bool {
	if len(r.okStatus) > 0 {
		for _, s := range r.okStatus {
			if s == status {
				return true
			}
		}
		return false
	}
	return status >= 200 && status < 300
}

// errBodyTooLarge reports a success body over the configured cap.
var errBodyTooLarge = errors.New("response body exceeds the size limit (WithMaxResponseBytes)")

// readBody reads a whole success body, for callers that take the bytes.
func (c *Client) readBody(body io.Reader) ([]byte, error) {
	lr := io.LimitedReader{R: body, N: c.cfg.maxBody + 1}
	b, err := io.ReadAll(&lr)
	if lr.N <= 0 {
		return nil, errBodyTooLarge
	}
	return b, err
}

// decodeBody streams JSON from the body into out, reading at most the
// configured cap. Trailing whitespace is allowed; trailing garbage is not.
// A body cut short, before or after a complete value, is reported as
// io.ErrUnexpectedEOF.
func (c *Client) decodeBody(body io.Reader, out any) error {
	lr := &io.LimitedReader{R: body, N: c.cfg.maxBody + 1}
	return decodeStream(lr, out)
}

// streamDecoder is an out that decodes itself from the body's decoder,
// as it reads: a list handed on item by item instead of held whole.
type streamDecoder interface {
	decodeFrom(dec *json.Decoder) error
}

// errStreamStopped ends a streamDecoder whose consumer asked for no more:
// the rest of the body is left unread, and the call ends without error.
var errStreamStopped = errors.New("stream stopped by its consumer")

func decodeStream(br *io.LimitedReader, out any) error {
	dec := json.NewDecoder(br)
	decode := func() error { return dec.Decode(out) }
	if sd, ok := out.(streamDecoder); ok {
		decode = func() error { return sd.decodeFrom(dec) }
	}
	if err := decode(); err != nil {
		if errors.Is(err, errStreamStopped) {
			return err
		}
		if br.N <= 0 {
			return errBodyTooLarge
		}
		if errors.Is(err, io.EOF) {
			return errors.New("empty body where JSON was expected")
		}
		return err
	}
	// Only whitespace may follow the value: a second value or garbage means
	// the body is not what the API documents. What the decoder has
	// buffered, then the stream to its end, is scanned through a small
	// buffer: asking the decoder for one more token would make it grow its
	// own buffer, a kilobyte or more on every call, to look past a final
	// newline.
	buffered, ok := dec.Buffered().(*bytes.Reader) // used as such, it costs no allocation
	if !ok {
		b, _ := io.ReadAll(dec.Buffered())
		buffered = bytes.NewReader(b)
	}
	tail := make([]byte, 256)
	for {
		var n int
		var err error
		if buffered.Len() > 0 {
			n, _ = buffered.Read(tail)
		} else {
			n, err = br.Read(tail)
		}
		if len(bytes.TrimLeft(tail[:n], " \t\r\n")) > 0 {
			if br.N <= 0 {
				return errBodyTooLarge
			}
			return errors.New("unexpected data after the JSON value")
		}
		if err != nil {
			if errors.Is(err, io.EOF) { // the body ends here
				break
			}
			// Cut short after a complete value (the connection closed
			// before Content-Length bytes came): a truncation like any other.
			return fmt.Errorf("reading the rest of the body: %w", err)
		}
	}
	if br.N <= 0 {
		return errBodyTooLarge
	}
	return nil
}

// decodeError builds the *DecodeError of a 2xx answer that could not be
// read. It keeps none of the body: a success body can hold a secret the
// server has just issued (Freestyle's one-time token).
func (c *Client) decodeError(st *callState, method, rawURL string, status int, err error) *DecodeError {
	return &DecodeError{API: st.api.name, Method: method, URL: redactURL(rawURL), StatusCode: status, Err: err}
}

// apiError reads a bounded copy of an error body, lets the vendor's
// decoder fill in code, message and details, and scrubs every credential
// the call sent from what the server may have echoed back.
func (c *Client) apiError(st *callState, method, rawURL string, respBody io.Reader, meta *Response) *APIError {
	api := st.api
	limit := min(int64(maxErrorBody), c.cfg.maxBody)
	body, _ := io.ReadAll(io.LimitReader(respBody, limit))
	body = st.scrubBytes(body)
	e := &APIError{
		API:        api.name,
		Method:     method,
		URL:        redactURL(rawURL),
		StatusCode: meta.StatusCode,
		RequestID:  st.scrub(meta.RequestID),
		RetryAfter: meta.RetryAfter,
		Header:     st.scrubHeader(meta.Header),
		Body:       body,
		Attempts:   st.sent(),
	}
	if api.decodeError != nil {
		api.decodeError(e, body)
	}
	if e.Message == "" {
		e.Message = textMessage(body)
	}
	// The decoders read the scrubbed body, but a credential may be split
	// by JSON escapes there and joined again in the decoded strings.
	e.Code, e.Message, e.HelpURL = st.scrub(e.Code), st.scrub(e.Message), st.scrub(e.HelpURL)
	for k, msgs := range e.FieldErrors {
		for i := range msgs {
			msgs[i] = st.scrub(msgs[i])
		}
		e.FieldErrors[k] = msgs
	}
	e.Details = st.scrubBytes(e.Details)
	return e
}

// transportError explains a call that got no HTTP answer. A cancelled or
// expired context is reported as such (errors.Is(err, context.Canceled)).
func (c *Client) transportError(ctx context.Context, st *callState, method, rawURL string, err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err // its URL is unredacted; ours replaces it
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return &TransportError{
		API:      st.api.name,
		Method:   method,
		URL:      redactURL(rawURL),
		Attempts: max(st.sent(), 1),
		Sent:     st.maybeActed.Load(),
		Read:     st.class == Idempotent && (method == http.MethodGet || method == http.MethodHead),
		Err:      err,
	}
}

// closeBody drains a little of what is left, so the connection can be
// reused, and closes.
func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 4<<10)
	_ = b.Close()
}

// requestID returns the vendor's request id header.
func requestID(h http.Header) string {
	for _, k := range [...]string{"X-Request-Id", "Box-Request-Id", "X-Correlation-Id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// pathParam is a path parameter and the name to report when it is invalid.
type pathParam struct {
	name    string
	value   string
	invalid string // set when the parameter is known to be invalid, with the reason
}

// idParam is a string path parameter.
func idParam(name, value string) pathParam { return pathParam{name: name, value: value} }

// intParam is an integer path parameter; it must be positive.
func intParam(name string, value int64) pathParam {
	if value <= 0 {
		return pathParam{name: name, invalid: "must be a positive integer"}
	}
	return pathParam{name: name, value: strconv.FormatInt(value, 10)}
}

// pathf fills each "{}" in format with the next parameter, escaped as one
// path segment. Empty, blank, "." and ".." values and control characters
// are rejected, so a parameter can never change which route is called.
func pathf(format string, params ...pathParam) (string, error) {
	var b strings.Builder
	b.Grow(len(format) + 16*len(params))
	rest := format
	for _, p := range params {
		i := strings.Index(rest, "{}")
		if i < 0 {
			return "", fmt.Errorf("invitations: path %q has no placeholder for %s", format, p.name)
		}
		if err := checkPathValue(p); err != nil {
			return "", err
		}
		b.WriteString(rest[:i])
		b.WriteString(escapeSegment(p.value))
		rest = rest[i+2:]
	}
	b.WriteString(rest)
	return b.String(), nil
}

func checkPathValue(p pathParam) error {
	v := p.value
	switch {
	case p.invalid != "":
		return &ValidationError{Param: p.name, Reason: p.invalid}
	case strings.TrimSpace(v) == "":
		return &ValidationError{Param: p.name, Reason: "must not be empty"}
	case v == "." || v == "..":
		return &ValidationError{Param: p.name, Reason: `must not be "." or ".."`}
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return &ValidationError{Param: p.name, Reason: "must not contain control characters"}
		}
	}
	return nil
}

// escapeSegment escapes v as a single path segment. Beyond url.PathEscape it
// escapes ":" so an id cannot reach a custom-verb route such as
// Portworx's "/invite/{uid}:notify".
func escapeSegment(v string) string {
	return strings.ReplaceAll(url.PathEscape(v), ":", "%3A")
}
