package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/invitesdk/invitations/access"
)

// Defaults of a Reconciler.
const (
	DefaultDebounce  = 2 * time.Second
	DefaultMaxDelay  = 30 * time.Second
	DefaultPollEvery = 5 * time.Second
	DefaultRetryMin  = time.Second
	DefaultRetryMax  = 5 * time.Minute
	DefaultStopGrace = 20 * time.Second
)

// Option configures a Reconciler in NewReconciler.
type Option func(*settings) error

// settings are a Reconciler's options.
type settings struct {
	planOptions    access.PlanOptions
	unmappedAbsent bool
	removalLimit   func(*access.Plan) (int, string)
	debounce       time.Duration
	maxDelay       time.Duration
	pollEvery      time.Duration
	retryMin       time.Duration
	retryMax       time.Duration
	stopGrace      time.Duration
	logger         *slog.Logger
	metrics        *Metrics
	onRun          func(RunReport)
	clock          Clock
}

func defaults() settings {
	return settings{
		debounce: DefaultDebounce, maxDelay: DefaultMaxDelay, pollEvery: DefaultPollEvery,
		retryMin: DefaultRetryMin, retryMax: DefaultRetryMax, stopGrace: DefaultStopGrace,
		logger: slog.New(slog.DiscardHandler), clock: realClock{},
	}
}

// nonNegative refuses a negative duration, naming the option.
func nonNegative(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("serve: %s: must not be negative (got %s)", name, d)
	}
	return nil
}

// WithPlanOptions sets the options every plan is made with (the file's
// prune settings).
func WithPlanOptions(opts access.PlanOptions) Option {
	return func(s *settings) error {
		s.planOptions = opts
		return nil
	}
}

// WithUnmappedAbsent makes an active user in no mapped group absent
// (offboarded) instead of left alone.
func WithUnmappedAbsent(absent bool) Option {
	return func(s *settings) error {
		s.unmappedAbsent = absent
		return nil
	}
}

// WithRemovalLimit sets the guard against mass removals: limit returns,
// for a plan, how many removals it may have (negative: no limit) and how
// that limit was set, for the log. A plan above it is not applied.
// Without it, removals are not limited.
func WithRemovalLimit(limit func(plan *access.Plan) (max int, why string)) Option {
	return func(s *settings) error {
		if limit == nil {
			return errors.New("serve: WithRemovalLimit: limit must not be nil")
		}
		s.removalLimit = limit
		return nil
	}
}

// WithDebounce sets how long the input must stay still before a run
// (default 2s; 0: at once): an identity provider pushing a group sends
// many requests, which one run should follow.
func WithDebounce(d time.Duration) Option {
	return func(s *settings) error {
		if err := nonNegative("WithDebounce", d); err != nil {
			return err
		}
		s.debounce = d
		return nil
	}
}

// WithMaxDelay caps how long input that keeps changing delays a run
// (default 30s).
func WithMaxDelay(d time.Duration) Option {
	return func(s *settings) error {
		if err := nonNegative("WithMaxDelay", d); err != nil {
			return err
		}
		s.maxDelay = d
		return nil
	}
}

// WithPollEvery sets how often the store's generation is read, to see
// writes made through another process on the same store (default 5s; 0:
// never).
func WithPollEvery(d time.Duration) Option {
	return func(s *settings) error {
		if err := nonNegative("WithPollEvery", d); err != nil {
			return err
		}
		s.pollEvery = d
		return nil
	}
}

// WithBackoff sets the wait before retrying a run that failed: min,
// doubling after each failure up to max (default 1s to 5m). 0 retries at
// once.
func WithBackoff(minWait, maxWait time.Duration) Option {
	return func(s *settings) error {
		if err := nonNegative("WithBackoff", minWait); err != nil {
			return err
		}
		if maxWait < minWait {
			return fmt.Errorf("serve: WithBackoff: max (%s) must not be below min (%s)", maxWait, minWait)
		}
		s.retryMin, s.retryMax = minWait, maxWait
		return nil
	}
}

// WithStopGrace sets how long an apply under way may go on once Run's
// context ends (default 20s): it finishes if it can, else it stops
// sending changes and records what it did.
func WithStopGrace(d time.Duration) Option {
	return func(s *settings) error {
		if err := nonNegative("WithStopGrace", d); err != nil {
			return err
		}
		s.stopGrace = d
		return nil
	}
}

// WithLogger sets where each run is logged (default: nowhere).
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("serve: WithLogger: logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithMetrics sets the metrics the runs are counted in (default: metrics
// of the Reconciler's own, see Reconciler.Metrics).
func WithMetrics(m *Metrics) Option {
	return func(s *settings) error {
		if m == nil {
			return errors.New("serve: WithMetrics: metrics must not be nil")
		}
		s.metrics = m
		return nil
	}
}

// WithOnRun sets a function called with the report of each run, after it
// is logged and counted, from the Reconciler's goroutine.
func WithOnRun(fn func(RunReport)) Option {
	return func(s *settings) error {
		s.onRun = fn
		return nil
	}
}

// WithClock sets the clock the Reconciler waits on (default: the real
// one).
func WithClock(c Clock) Option {
	return func(s *settings) error {
		if c == nil {
			return errors.New("serve: WithClock: clock must not be nil")
		}
		s.clock = c
		return nil
	}
}
