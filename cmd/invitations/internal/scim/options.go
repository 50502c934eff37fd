package scim

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultMaxBody is the largest request body the server reads unless
// WithMaxBody says otherwise: 1 MiB, the payload size RFC 7644's examples
// give, far above any one user or group.
const DefaultMaxBody int64 = 1 << 20

// Option configures NewHandler.
type Option func(*config)

type config struct {
	token    string
	maxBody  int64
	logger   *slog.Logger
	onChange func()
	observer func(method string, status int, elapsed time.Duration)
}

// WithToken sets the bearer token every request must carry in its
// Authorization header. NewHandler fails without one.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithMaxBody sets the largest request body, in bytes, that the server
// reads (DefaultMaxBody without it); a larger one is refused with 413
// before anything is stored.
func WithMaxBody(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithLogger sets where the server logs each request: method, path,
// status and duration, for a write to a User its userName, and for a 500
// its cause; never the token, the query nor any other attribute. Without
// it the server logs nothing.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithOnChange sets a func called after every write the server stores
// (a create, a replace or patch that changed something, a delete), in
// the request's goroutine before the response is written: it should only
// signal, not work.
func WithOnChange(f func()) Option { return func(c *config) { c.onChange = f } }

// WithObserver sets a func called once for every request, when its
// response is written, with the request's method, the response's status
// and the time taken: for metrics.
func WithObserver(f func(method string, status int, elapsed time.Duration)) Option {
	return func(c *config) { c.observer = f }
}

func newConfig(opts []Option) (config, error) {
	c := config{maxBody: DefaultMaxBody}
	for _, o := range opts {
		o(&c)
	}
	if c.token == "" {
		return config{}, errors.New("scim: WithToken: the bearer token is empty")
	}
	if c.maxBody <= 0 {
		return config{}, fmt.Errorf("scim: WithMaxBody: %d bytes is not a size", c.maxBody)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.onChange == nil {
		c.onChange = func() {}
	}
	if c.observer == nil {
		c.observer = func(string, int, time.Duration) {}
	}
	return c, nil
}
