package access

import (
	"context"
	"errors"
	"time"
)

// ErrLocked is returned by Store.Lock when another apply holds the store.
// The error wrapping it says who holds it, when known.
var ErrLocked = errors.New("access: state is locked by another apply")

// ErrStalePlan is returned by Apply for a plan made from another state
// than the one under the lock: another apply saved since (a higher
// serial), or the state is another one (another lineage). Plan again.
var ErrStalePlan = errors.New("access: the state changed since the plan was made")

// ErrSourceMismatch is returned by Plan when the state was made for
// another desired state (see WithSource) and the plan would prune: the
// grants the state says this package created may be the other desired
// state's people's. PlanOptions.AllowSourceMismatch goes on anyway.
var ErrSourceMismatch = errors.New("access: the state was made for another desired state")

// Snapshot is what no vendor can tell: whose each Freestyle identity is,
// which grants this package created, and which changes are in doubt. It is
// small (one entry per person and grant) and read and written whole.
//
// Like terraform's state it carries a serial, incremented by every save an
// apply makes, and a lineage, a random id fixed when the state is first
// saved: a plan records both, and an apply refuses a plan made from
// another state or an older version of this one.
type Snapshot struct {
	// Serial counts the saves of this state; 0 is a state never saved.
	Serial uint64 `json:"serial"`
	// Lineage is a random id given to the state at its first save and
	// kept ever after: two states with other lineages are not versions of
	// one another.
	Lineage string `json:"lineage,omitempty"`
	// Source names the desired state this state was made for (the
	// command records its file's base name), so that a state used for
	// another one is noticed: see WithSource.
	Source string `json:"source,omitempty"`
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
	// KnownIdentitySets are the Freestyle identities that existed when an
	// apply began, by an id of the apply's, kept while an identity create
	// of that apply is in doubt (DoubtfulChange.KnownIdentitySet names
	// it): written once per apply rather than once per create.
	KnownIdentitySets map[string][]string `json:"known_identity_sets,omitempty"`
}

// DoubtfulChange is a change that may have reached the vendor without an
// answer.
type DoubtfulChange struct {
	Change Change    `json:"change"`
	Since  time.Time `json:"since"`
	// KnownIdentities are the Freestyle identities that existed before an
	// identity create in doubt: one found later that is not among them
	// and is nobody's is the one it created. States written since
	// KnownIdentitySet was added name a set instead.
	KnownIdentities []string `json:"known_identities,omitempty"`
	// KnownIdentitySet names the entry of Snapshot.KnownIdentitySets
	// holding the identities that existed before the create.
	KnownIdentitySet string `json:"known_identity_set,omitempty"`
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

// Delta is what one save changes in a Snapshot: the new serial, and the
// entries set (a value) or removed (null in JSON, a nil pointer in Go) in
// each map. An apply saves after every change; a Store that implements
// DeltaStore records the delta alone, so that an apply writes in
// proportion to its changes rather than to the state's size.
type Delta struct {
	// Serial is the snapshot's serial after the delta.
	Serial uint64 `json:"serial"`
	// Lineage and Source, when set, are the snapshot's from now on.
	Lineage           string                     `json:"lineage,omitempty"`
	Source            string                     `json:"source,omitempty"`
	Identities        map[string]*string         `json:"identities,omitempty"`
	Created           map[string]*time.Time      `json:"created,omitempty"`
	InDoubt           map[string]*DoubtfulChange `json:"in_doubt,omitempty"`
	Removed           map[string]*time.Time      `json:"removed,omitempty"`
	KnownIdentitySets map[string]*[]string       `json:"known_identity_sets,omitempty"`
}

// ApplyTo makes the delta's changes to s.
func (d *Delta) ApplyTo(s *Snapshot) {
	s.normalize()
	s.Serial = d.Serial
	if d.Lineage != "" {
		s.Lineage = d.Lineage
	}
	if d.Source != "" {
		s.Source = d.Source
	}
	applyEntries(s.Identities, d.Identities)
	applyEntries(s.Created, d.Created)
	applyEntries(s.InDoubt, d.InDoubt)
	applyEntries(s.Removed, d.Removed)
	if len(d.KnownIdentitySets) > 0 && s.KnownIdentitySets == nil {
		s.KnownIdentitySets = map[string][]string{}
	}
	applyEntries(s.KnownIdentitySets, d.KnownIdentitySets)
}

// applyEntries sets to's entries from from's values, and removes those
// whose value is nil.
func applyEntries[V any](to map[string]V, from map[string]*V) {
	for k, v := range from {
		if v == nil {
			delete(to, k)
		} else {
			to[k] = *v
		}
	}
}

// DeltaStore is a Store that records a save as a Delta, in time and space
// proportional to the delta: FileStore appends it to a journal beside its
// file, pgstate to a table of changes. Load returns the stored snapshot
// with the recorded deltas applied. Apply records a delta after every
// change and compacts at its start and its end; Stores without it are
// given the whole snapshot after every change.
type DeltaStore interface {
	Store
	// SaveDelta records d, made to the snapshot as Load returns it now,
	// durably before it returns: a crash after it loses nothing of d, a
	// crash during it loses d whole or nothing.
	SaveDelta(ctx context.Context, d *Delta) error
	// Compact folds the recorded deltas into the stored snapshot; Load
	// returns the same snapshot before and after.
	Compact(ctx context.Context) error
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
