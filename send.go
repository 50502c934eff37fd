package invitations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
)

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
	api := c.cfg.api(r.api)
	if api == nil {
		return nil, &ValidationError{Param: "API", Reason: knownAPIs()}
	}
	if api.baseURL == "" {
		return nil, fmt.Errorf("%w for %s: set %s", ErrNoBaseURL, api.Name, api.BaseURLOption)
	}
	if api.credential == nil {
		return nil, fmt.Errorf("%w for %s: set %s", ErrNoCredential, api.Name, api.CredentialOption)
	}
	authorization, err := api.credential.authorization(ctx)
	if err != nil {
		return nil, fmt.Errorf("invitations: %s credential: %w", api.Name, err)
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

// closeBody drains a little of what is left, so the connection can be
// reused, and closes.
func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 4<<10)
	_ = b.Close()
}
