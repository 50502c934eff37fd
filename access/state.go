package access

import (
	"context"
	"errors"
	"time"
)

// ErrLocked is returned by Store.Lock when another apply holds the store.
// The error wrapping it says who holds it, when known.
var ErrLocked = errors.New("access: state is locked by another apply")

// Snapshot is what no vendor can tell: whose each Freestyle identity is,
// which grants this package created, and which changes are in doubt. It is
// small (one entry per person and grant) and read and written whole.
type Snapshot struct {
	// Identities maps a person's email (lower-case) to their Freestyle
	// identity id.
	Identities map[string]string `json:"identities"`
	// Created holds the keys (Grant.Key) of the grants this package
	// created, with when; prune removes only those unless told otherwise.
	Created map[string]time.Time `json:"created"`
	// InDoubt holds the changes whose outcome is unknown, by key.
	InDoubt map[string]DoubtfulChange `json:"in_doubt"`
	// Removed holds the keys of grants this package removed that a vendor
	// goes on showing (BIMData keeps an accepted invitation after its user
	// is deleted), so that they are not removed again.
	Removed map[string]time.Time `json:"removed"`
}

// DoubtfulChange is a change that may have reached the vendor without an
// answer.
type DoubtfulChange struct {
	Change Change    `json:"change"`
	Since  time.Time `json:"since"`
	// KnownIdentities are the Freestyle identities that existed before an
	// identity create in doubt: one found later that is not among them
	// and is nobody's is the one it created.
	KnownIdentities []string `json:"known_identities,omitempty"`
}

// NewSnapshot returns an empty snapshot.
func NewSnapshot() *Snapshot {
	return &Snapshot{Identities: map[string]string{}, Created: map[string]time.Time{}, InDoubt: map[string]DoubtfulChange{}, Removed: map[string]time.Time{}}
}

// normalize gives every map of s a value, whatever a store loaded (an
// older file, a field left out).
func (s *Snapshot) normalize() *Snapshot {
	if s == nil {
		return NewSnapshot()
	}
	if s.Identities == nil {
		s.Identities = map[string]string{}
	}
	if s.Created == nil {
		s.Created = map[string]time.Time{}
	}
	if s.InDoubt == nil {
		s.InDoubt = map[string]DoubtfulChange{}
	}
	if s.Removed == nil {
		s.Removed = map[string]time.Time{}
	}
	return s
}

// Store keeps the Snapshot between runs. Implementations: FileStore (one
// JSON file, the default) and pgstate.Store (PostgreSQL, for teams).
type Store interface {
	// Lock takes the store for one apply. A second Lock while it is held,
	// from this process or another, fails at once with an error matching
	// ErrLocked. The returned func releases it; a crashed holder's lock is
	// released by the operating system or the database.
	Lock(ctx context.Context) (unlock func() error, err error)
	// Load returns the stored snapshot, or an empty one when nothing was
	// stored yet.
	Load(ctx context.Context) (*Snapshot, error)
	// Save stores s whole, atomically: a reader sees the old snapshot or
	// the new one, never a mix.
	Save(ctx context.Context, s *Snapshot) error
}
