package invitations

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// RawRequest is a call to an endpoint this SDK does not wrap, made with
// Client.Do through the same base URL, credential, retries, redirect
// guard, logging, hooks and error decoding as every wrapped call.
type RawRequest struct {
	// API is the vendor API to call; its base URL and credential are used.
	API API
	// Method is the HTTP method, e.g. "GET" or "PATCH".
	Method string
	// Path is relative to the API's base URL, e.g. "v1/members/{}". Each
	// "{}" is filled with the next of PathParams, escaped as one path
	// segment exactly as the wrapped calls escape ids, so a parameter can
	// never change which route is called. A leading "/" is ignored.
	Path string
	// PathParams fill Path's "{}" placeholders, in order.
	PathParams []string
	// Query is sent as the query string; nil sends none.
	Query url.Values
	// Body, when non-nil, is sent as JSON (encoding/json), with
	// Content-Type: application/json.
	Body any
	// Retry says whether the call is safe to repeat after a failure whose
	// effect on the server is unknown. It must be set: there is no safe
	// default. Unsafe calls are retried only on 429 or when the request
	// provably never left; Idempotent ones also on network errors and on
	// 500, 502, 503 and 504.
	Retry RetryClass
}

// Do sends req and, on a 2xx answer, reads its body into out: JSON decoded
// into out, or the raw bytes when out is a *[]byte (bounded, like every
// body, by WithMaxResponseBytes); with a nil out the body is discarded.
// A non-2xx answer is an *APIError, a failed connection a
// *TransportError, and an invalid req a *ValidationError returned before
// anything is sent. The Response is returned whenever an answer arrived.
//
// For example, to call GitGuardian's GET /v1/audit_logs:
//
//	var logs []map[string]any
//	_, err := client.Do(ctx, &invitations.RawRequest{
//		API: invitations.GitGuardian, Method: "GET", Path: "v1/audit_logs",
//		Query: url.Values{"per_page": {"20"}}, Retry: invitations.Idempotent,
//	}, &logs)
func (c *Client) Do(ctx context.Context, req *RawRequest, out any, opts ...RequestOption) (*Response, error) {
	if req == nil {
		return nil, &ValidationError{Param: "RawRequest", Reason: "must not be nil"}
	}
	r, err := req.build()
	if err != nil {
		return nil, err
	}
	return c.do(ctx, r, out, opts)
}

// build checks req and turns it into the SDK's own request.
func (req *RawRequest) build() (*request, error) {
	if _, ok := req.API.index(); !ok {
		return nil, &ValidationError{Param: "RawRequest.API", Reason: knownAPIs()}
	}
	if !validHeaderName(req.Method) || strings.ToUpper(req.Method) != req.Method {
		return nil, &ValidationError{Param: "RawRequest.Method", Reason: "must be an upper-case HTTP method such as GET"}
	}
	if req.Retry != Unsafe && req.Retry != Idempotent {
		return nil, &ValidationError{Param: "RawRequest.Retry", Reason: "must be Unsafe or Idempotent"}
	}
	path := strings.TrimPrefix(req.Path, "/")
	if err := checkRawPath(path); err != nil {
		return nil, err
	}
	if n := strings.Count(path, "{}"); n != len(req.PathParams) {
		return nil, &ValidationError{Param: "RawRequest.PathParams", Reason: "has " + strconv.Itoa(len(req.PathParams)) + " values for " + strconv.Itoa(n) + ` "{}" in Path`}
	}
	params := make([]pathParam, len(req.PathParams))
	for i, v := range req.PathParams {
		params[i] = idParam("RawRequest.PathParams["+strconv.Itoa(i)+"]", v)
	}
	r := newRequest(req.API, req.Method, path, req.Retry).withParams(params...).withBody(req.Body)
	if len(req.Query) > 0 {
		r.query = req.Query
	}
	return r, r.err
}

// checkRawPath accepts a relative path whose segments are plain: no query,
// fragment, scheme or host, no "." or ".." (which would climb out of the
// base URL's own path, such as a self-hosted GitGuardian's "/exposed"),
// and nothing that needs escaping (ids go through PathParams).
func checkRawPath(path string) error {
	bad := func(reason string) error { return &ValidationError{Param: "RawRequest.Path", Reason: reason} }
	if path == "" {
		return bad("must not be empty")
	}
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "":
			return bad("must not contain empty segments (\"//\")")
		case ".", "..":
			return bad(`must not contain "." or ".." segments`)
		}
	}
	for i := 0; i < len(path); i++ {
		ch := path[i]
		if ch <= 0x20 || ch >= 0x7f || strings.IndexByte(`?#%\"<>^`+"`|", ch) >= 0 {
			return bad("must be a plain relative path: put ids in PathParams and the query in Query")
		}
	}
	return nil
}
