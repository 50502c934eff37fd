package invitations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
)

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
			api := c.cfg.api(r.api)
			return nil, &DecodeError{API: api.Name, Method: r.method, URL: redactURL(api.baseURL + "/" + r.path), StatusCode: meta.StatusCode, Err: errNullBody}
		}
		out = new(T)
	}
	return out, nil
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
