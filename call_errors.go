package invitations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// decodeError builds the *DecodeError of a 2xx answer that could not be
// read. It keeps none of the body: a success body can hold a secret the
// server has just issued (Freestyle's one-time token).
func (c *Client) decodeError(st *callState, method, rawURL string, status int, err error) *DecodeError {
	return &DecodeError{API: st.api.Name, Method: method, URL: redactURL(rawURL), StatusCode: status, Err: err}
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
		API:        api.Name,
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
		API:      st.api.Name,
		Method:   method,
		URL:      redactURL(rawURL),
		Attempts: max(st.sent(), 1),
		Sent:     st.maybeActed.Load(),
		Read:     st.class == Idempotent && (method == http.MethodGet || method == http.MethodHead),
		Err:      err,
	}
}
