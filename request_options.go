package invitations

import (
	"net/http"
	"strings"
)

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
