package access

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Lock retries while waiting for a held lock (WithLockTimeout) start at
// lockRetryFirst and double up to lockRetryMax.
const (
	lockRetryFirst = 50 * time.Millisecond
	lockRetryMax   = time.Second
)

// Locked is the state held for one run that reads the vendors and then
// writes: take it before the plan's reads, so that the plan is made from
// the state the apply will build on and no other apply can save between
// them. Release it with Unlock. A Locked is safe for concurrent use.
//
//	locked, err := m.Lock(ctx)
//	if err != nil { ... } // errors.Is(err, ErrLocked): another apply runs
//	defer locked.Unlock()
//	plan, err := locked.Plan(ctx, people, PlanOptions{})
//	...
//	results, err := locked.Apply(ctx, plan)
type Locked struct {
	m *Manager

	mu       sync.Mutex
	unlock   func() error
	released bool
}

// Lock takes the Store's lock, waiting up to WithLockTimeout for another
// apply to release it. It fails with an error matching ErrLocked that
// names the holder when the wait ends first, and with the context's error
// when ctx ends.
func (m *Manager) Lock(ctx context.Context) (*Locked, error) {
	unlock, err := m.lock(ctx)
	if err != nil {
		return nil, err
	}
	return &Locked{m: m, unlock: unlock}, nil
}

// lock takes the store's lock, trying again while another holder has it
// until the lock timeout.
func (m *Manager) lock(ctx context.Context) (func() error, error) {
	deadline := time.Now().Add(m.lockTimeout)
	wait := lockRetryFirst
	for {
		unlock, err := m.store.Lock(ctx)
		if err == nil {
			return unlock, nil
		}
		if !errors.Is(err, ErrLocked) || m.lockTimeout <= 0 {
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("%w (waited %s)", err, m.lockTimeout)
		}
		t := time.NewTimer(min(wait, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("access: waiting for the state lock: %w", ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, lockRetryMax)
	}
}

// errUnlocked is returned by a Locked's methods after Unlock.
var errUnlocked = errors.New("access: the state lock was released: Lock again")

// Plan is Manager.Plan under the lock.
func (l *Locked) Plan(ctx context.Context, people []Person, opts PlanOptions) (*Plan, error) {
	if err := l.held(); err != nil {
		return nil, err
	}
	return l.m.Plan(ctx, people, opts)
}

// Offboard is Manager.Offboard under the lock.
func (l *Locked) Offboard(ctx context.Context, email string) (*Plan, error) {
	if err := l.held(); err != nil {
		return nil, err
	}
	return l.m.Offboard(ctx, email)
}

// Apply is Manager.Apply under the lock already held: it carries plan
// out, or refuses it with ErrStalePlan when the state moved since the
// plan was made.
func (l *Locked) Apply(ctx context.Context, plan *Plan) ([]Result, error) {
	if err := l.held(); err != nil {
		return nil, err
	}
	return l.m.apply(ctx, plan)
}

// Unlock releases the lock; calling it again does nothing.
func (l *Locked) Unlock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	return l.unlock()
}

func (l *Locked) held() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return errUnlocked
	}
	return nil
}
