package invitations

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-querystring/query"
)

// request is one API call, built by a service method from its Operation
// (or by Client.Do from a RawRequest). Building never
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
// by withParams: for calls the SDK does not wrap (Client.Do); a wrapped
// call starts from its Operation.
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

// withClass replaces the operation's retry class, for a call whose
// options make it unsafe to repeat.
func (r *request) withClass(class RetryClass) *request {
	r.class = class
	return r
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
