package access

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/invitesdk/invitations"
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

// Snapshot is what no vendor can tell: which grants this package created,
// which changes are in doubt, and what each connector keeps of its own
// (see ConnectorState). It is small (one entry per person and grant) and
// read and written whole.
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
	// Vendors holds each connector's own part of the state, by its API:
	// keys and JSON values only that connector reads and writes (through
	// ConnectorState), such as whose each object it created is when the
	// vendor does not say.
	Vendors map[invitations.API]map[string]json.RawMessage `json:"vendors"`
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
	// Note is what the change's connector keeps beside it to settle it
	// later (see DoubtNoter), or nothing.
	Note json.RawMessage `json:"note,omitempty"`
}

// NewSnapshot returns an empty snapshot.
func NewSnapshot() *Snapshot {
	return &Snapshot{Vendors: map[invitations.API]map[string]json.RawMessage{}, Created: map[string]time.Time{}, InDoubt: map[string]DoubtfulChange{}, Removed: map[string]time.Time{}}
}

// normalize gives every map of s a value, whatever a store loaded (an
// older file, a field left out).
func (s *Snapshot) normalize() *Snapshot {
	if s == nil {
		return NewSnapshot()
	}
	if s.Vendors == nil {
		s.Vendors = map[invitations.API]map[string]json.RawMessage{}
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
	Lineage string                     `json:"lineage,omitempty"`
	Source  string                     `json:"source,omitempty"`
	Created map[string]*time.Time      `json:"created,omitempty"`
	InDoubt map[string]*DoubtfulChange `json:"in_doubt,omitempty"`
	Removed map[string]*time.Time      `json:"removed,omitempty"`
	// Vendors are the entries of the connectors' parts set (a JSON value)
	// or deleted (null in JSON, nil in Go), by API and key.
	Vendors map[invitations.API]map[string]json.RawMessage `json:"vendors,omitempty"`
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
	applyEntries(s.Created, d.Created)
	applyEntries(s.InDoubt, d.InDoubt)
	applyEntries(s.Removed, d.Removed)
	for api, entries := range d.Vendors {
		for k, v := range entries {
			if v == nil || string(v) == "null" {
				delete(s.Vendors[api], k)
				if len(s.Vendors[api]) == 0 {
					delete(s.Vendors, api)
				}
				continue
			}
			if s.Vendors[api] == nil {
				s.Vendors[api] = map[string]json.RawMessage{}
			}
			s.Vendors[api][k] = v
		}
	}
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

// Entry returns the entry key of api's part of the state (see
// ConnectorState): for tools that inspect or mend a state by hand.
func (s *Snapshot) Entry(api invitations.API, key string) (json.RawMessage, bool) {
	v, ok := s.Vendors[api][key]
	return v, ok
}

// SetEntry sets the entry key of api's part of the state to value, or
// deletes it when value is nil: for tools that mend a state by hand.
func (s *Snapshot) SetEntry(api invitations.API, key string, value json.RawMessage) {
	s.normalize()
	if value == nil {
		delete(s.Vendors[api], key)
		if len(s.Vendors[api]) == 0 {
			delete(s.Vendors, api)
		}
		return
	}
	if s.Vendors[api] == nil {
		s.Vendors[api] = map[string]json.RawMessage{}
	}
	s.Vendors[api][key] = value
}

// legacyState holds the fields states written before connectors kept
// their own parts had at their top level; UnmarshalJSON hands them to
// migrateLegacy, which moves them into their connector's part.
type legacyState struct {
	Identities        map[string]*string   `json:"identities"`
	KnownIdentitySets map[string]*[]string `json:"known_identity_sets"`
}

// UnmarshalJSON reads a snapshot, moving what older states kept at the
// top level into the connector's part that now keeps it.
func (s *Snapshot) UnmarshalJSON(data []byte) error {
	type plain Snapshot
	var w struct {
		*plain
		legacyState
	}
	w.plain = (*plain)(s)
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	s.normalize()
	migrateLegacy(s.Vendors, w.legacyState)
	compactEntries(s.Vendors)
	return nil
}

// UnmarshalJSON reads a delta, moving what older deltas kept at the top
// level into the connector's part that now keeps it.
func (d *Delta) UnmarshalJSON(data []byte) error {
	type plain Delta
	var w struct {
		*plain
		legacyState
	}
	w.plain = (*plain)(d)
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	if len(w.Identities) > 0 || len(w.KnownIdentitySets) > 0 {
		if d.Vendors == nil {
			d.Vendors = map[invitations.API]map[string]json.RawMessage{}
		}
		migrateLegacy(d.Vendors, w.legacyState)
	}
	compactEntries(d.Vendors)
	return nil
}

// UnmarshalJSON reads a doubtful change. The fields an older state kept
// beside the change, for its connector, become its note.
func (d *DoubtfulChange) UnmarshalJSON(data []byte) error {
	type plain DoubtfulChange
	if err := json.Unmarshal(data, (*plain)(d)); err != nil {
		return err
	}
	if d.Note != nil {
		d.Note = compact(d.Note)
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	delete(fields, "change")
	delete(fields, "since")
	delete(fields, "note")
	if len(fields) == 0 {
		return nil
	}
	note, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	d.Note = note
	return nil
}

// compactEntries compacts every value of parts (see compact).
func compactEntries(parts map[invitations.API]map[string]json.RawMessage) {
	for _, part := range parts {
		for k, v := range part {
			part[k] = compact(v)
		}
	}
}

// compact returns v without insignificant space, so that a value reads
// back the same whatever store kept it (an indented file, a jsonb
// column); null stays nil, a deletion in a delta.
func compact(v json.RawMessage) json.RawMessage {
	if v == nil || string(v) == "null" {
		return nil
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}
