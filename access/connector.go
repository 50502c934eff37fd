package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/invitesdk/invitations"
)

// Connector is one vendor's side of the package: its reads and writes,
// translated to records, grants and changes. The engine (Plan, Apply,
// Audit) does the rest the same way for every connector: it compares what
// a read found with what people should have, orders the changes, runs
// them with bounded concurrency, classifies their outcomes and keeps the
// state. The package ships a connector for each vendor the SDK ships; a
// program adds one for another vendor with WithConnector (see
// examples/connector).
//
// A Connector must be safe for concurrent use: the engine reads every
// vendor at once and runs several people's changes on one vendor at once
// (never two changes of one person on one vendor).
//
// Beyond these methods, a connector may implement the optional
// interfaces Classifier, Prerequisites, Ordered, Dependent, SerialCreates,
// DoubtNoter, Tidier, NotReadable, MemoDecoder and Lookuper, each a rule or a service only
// some vendors need; the engine asks for them with a type assertion, as
// io.Copy asks for io.WriterTo. Small interfaces rather than one declared
// value keep a connector without those rules down to the four methods
// below, and let each rule carry its own documentation.
type Connector interface {
	// API names the vendor: the Vendor of every grant the connector reads
	// or writes, and the key of its part of the state.
	API() invitations.API
	// Read returns what the vendor holds for people (and, for pruning,
	// in the scopes their grants name) and what each of them should have
	// there. The entries of opts.ScopesOf (the roles', with Prune) name
	// scopes as people's entries do, and are read the same way, with
	// their scopes in View.Scopes, but nobody wants anything for them. It
	// sends reads only, and st is read-only: what an apply of the plan
	// should record goes in View.Writes.
	Read(ctx context.Context, people []Person, opts PlanOptions, st *ConnectorState) (*View, error)
	// Audit streams every record the vendor holds about people, lazily:
	// an error ends the stream. st is read-only.
	Audit(ctx context.Context, st *ConnectorState) iter.Seq2[Record, error]
	// Execute sends ch. What it writes to st (the id of an object the
	// change created, which later changes address) is recorded when the
	// change ends Done or AlreadyDone, in the save that records that
	// outcome, and dropped otherwise. The error is the vendor's,
	// unclassified: the engine and Classifier tell done from failed or in
	// doubt.
	Execute(ctx context.Context, ch Change, st *ConnectorState) error
}

// Classifier is implemented by a connector whose vendor answers some
// writes with an error that means the change was already so (a 409 on
// adding a member who is one). The engine first applies its own rules (no
// error: Done; the SDK's outcome-unknown error or a PartlyDone: InDoubt;
// not sent because the apply stopped: Skipped), then asks Classify, then
// treats a 404 on a removal as AlreadyDone and anything else as Failed.
type Classifier interface {
	// Classify returns the outcome of ch that ended in err (never nil),
	// or "" to leave it to the engine. Returning Skipped records err as
	// the reason the change was not sent.
	Classify(ch Change, err error) Outcome
}

// Prerequisites is implemented by a connector on which a person's grants
// hang on one grant of theirs (an account that must exist before its
// permissions). Such a grant is planned before the person's other changes
// on the vendor when created and after them when removed; when its create
// does not succeed the person's other creates there are Skipped; and a
// Problem keyed to it (Problem.Key) keeps the person's other grants there
// from being planned.
type Prerequisites interface {
	// Prerequisite reports whether g is such a grant.
	Prerequisite(g Grant) bool
}

// Ordered is implemented by a connector whose changes of one person must
// run in an order of their own (sessions ended before an account is
// removed, content transferred before it is deleted). The plan lists a
// person's changes on the vendor by rank, lowest first, then by grant;
// apply runs them in that order. Without it the order is Prerequisites'
// (the prerequisite grant created first and removed last).
type Ordered interface {
	// Rank orders ch among its person's changes on the vendor.
	Rank(ch Change) int
}

// Dependent is implemented by a connector some of whose changes must not
// be sent once an earlier change of the same person did not succeed (an
// account deleted only after its content was transferred). Such a change
// is Skipped, saying which change it needed.
type Dependent interface {
	// DependsOn reports whether ch needs earlier, a change of the same
	// person on the vendor that the plan runs before it, to have ended
	// Done or AlreadyDone.
	DependsOn(ch, earlier Change) bool
}

// OffboardingPolicy is what removing a person (Person.Absent,
// Manager.Offboard) does on one vendor beyond removing their grants: a
// connector with such choices (keep, deactivate or delete an account;
// move its content) defines its policy type, and its Read takes the
// policy from PlanOptions.OffboardingFor.
type OffboardingPolicy interface {
	// Vendor is the vendor the policy is for.
	Vendor() invitations.API
}

// SerialCreates is implemented by a connector some of whose creates must
// run one at a time: a vendor whose objects carry nothing that tells them
// apart, so that a create in doubt can only be settled later by the one
// new object that appeared. The engine runs those creates alone, records
// each as in doubt before sending it (so that a process killed after the
// create but before its outcome is saved leaves a doubt the next plan
// settles rather than a second object), and sends none after one ends in
// doubt.
type SerialCreates interface {
	// SerialCreate reports whether the create of g is such a create.
	SerialCreate(g Grant) bool
}

// DoubtNoter is implemented by a connector that keeps, beside a change in
// doubt, what its next read needs to settle it (the objects that existed
// before a create). The note is saved with the doubt
// (DoubtfulChange.Note) and gone with it.
type DoubtNoter interface {
	// NoteDoubt returns the note for ch, about to be recorded as in
	// doubt; it may also write entries of its part of the state to st
	// (saved together with the doubt). A nil note records none.
	NoteDoubt(ch Change, st *ConnectorState) (json.RawMessage, error)
}

// Tidier is implemented by a connector whose part of the state holds
// entries that other entries stop needing (a set of objects that only
// doubts refer to). The engine calls Tidy, with st writable, when an
// apply has settled doubts and when it ends.
type Tidier interface {
	Tidy(st *ConnectorState) error
}

// NotReadable is implemented by a connector that, as configured, may be
// unable to read anything (a vendor that lists per tenant, with no
// tenant given): the coverage of an audit says so before reading.
type NotReadable interface {
	// NotReadable says why nothing can be read, or "".
	NotReadable() string
}

// View is what a connector's Read found.
type View struct {
	// Have are the current records of the people, and of anyone in the
	// scopes in Scopes (which prune may clean).
	Have []Record
	// Want maps a person's email (lower-case) to the grants they should
	// have on this vendor, resolved (a group name to its id). An absent
	// person's entry, if any, lists what their vendor's offboarding
	// policy sets rather than removes (an account deactivated): their
	// other records are removed.
	Want map[string][]Grant
	// Subjects maps an email (lower-case) to the vendor id a create for
	// that person addresses, when the vendor needs one (a user id).
	// Creates carry it as Change.Target.
	Subjects map[string]string
	// Scopes are the scopes the desired state names, the people's
	// entries and PlanOptions.ScopesOf ("kind|scope", e.g.
	// "group|57645"; "kind|" for a kind without scopes, such as an
	// account): prune removes grants there that nobody wants.
	Scopes map[string]bool
	// Problems are desired grants that cannot be planned, with why.
	Problems []Problem
	// Reissue, when set, tells the records whose level is changed by
	// replacing what holds them (a pending invitation deleted and sent
	// anew: a new id, a new email to the person): a plan says "re-invite".
	Reissue func(Record) bool
	// NotRead says why nothing could be read, when nothing could.
	NotRead string
	// Partial lists what the read left out: the plan's Coverage says so.
	Partial []string
	// Settled are keys (Grant.Key) of creates in doubt that the read
	// found happened although Have does not show them (the person is not
	// in the desired state): an apply of the plan records them as done,
	// like the doubts Have answers.
	Settled []string
	// Writes are entries of the connector's part of the state that an
	// apply of the plan records before anything else (a nil value deletes
	// the entry): what the read settled, such as whose an object created
	// in doubt is.
	Writes map[string]json.RawMessage
	// Memo is given back to the connector's hooks (ConnectorState.Memo)
	// during an apply of the plan; it is not saved in the state. A plan
	// written as JSON (Plan.MarshalJSON) holds it encoded with
	// encoding/json: see MemoDecoder for how an apply of it reads it back.
	Memo any
}

// Problem is a desired grant that cannot be planned.
type Problem struct {
	Email  string          `json:"email"`
	Vendor invitations.API `json:"vendor"`
	Reason string          `json:"reason"`
	// Field, when set, is the desired-state field at fault, named as
	// InvalidPersonError names fields ("people[3].Box[0].GroupID"), so
	// that a reader of a file can point at its line.
	Field string `json:"field,omitempty"`
	// Key, when set, is the grant (Grant.Key) the problem keeps from being
	// planned: no create is planned for it (an object whose in-doubt
	// create cannot be told apart from others must not be created twice).
	Key string `json:"key,omitempty"`
}

// PartlyDone is the error of a change made of several writes that stopped
// after some were done (a re-invite: the old invitation deleted, the new
// one not sent). Its outcome is in doubt: the next plan re-reads the
// vendor, and plans what is missing with a reason that says so.
type PartlyDone struct {
	// Done says what was done, e.g. "the pending invitation was deleted".
	Done string
	// Err is the error of the write that failed.
	Err error
}

func (e *PartlyDone) Error() string { return e.Done + ", then: " + e.Err.Error() }

// Unwrap returns Err.
func (e *PartlyDone) Unwrap() error { return e.Err }

// ConnectorState is a connector's handle on the state: its own part (a
// map of keys to JSON values that only it reads and writes, kept under its
// API in Snapshot.Vendors), the changes of its vendor in doubt, and the
// grants this package removed. During a read or an audit it is read-only;
// during an apply the engine gives a writable one, and records what the
// connector writes with the change's outcome, in the same save.
type ConnectorState struct {
	sv       *stateView
	api      invitations.API
	writable bool
	// writes are the entries set (nil: deleted) and not yet recorded.
	writes map[string]json.RawMessage
	memo   any
}

// errReadOnly is what a write to a read-only ConnectorState returns.
var errReadOnly = errors.New("access: the state is read-only during a read")

// Get returns the entry key of the connector's part.
func (s *ConnectorState) Get(key string) (json.RawMessage, bool) {
	if v, ok := s.writes[key]; ok {
		return v, v != nil
	}
	return s.sv.entry(s.api, key)
}

// Entries returns a copy of the connector's part, its writes included.
func (s *ConnectorState) Entries() map[string]json.RawMessage {
	out := s.sv.entries(s.api)
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	for k, v := range s.writes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// Set sets the entry key of the connector's part to value, a JSON value
// other than null. It fails on a read-only state.
func (s *ConnectorState) Set(key string, value json.RawMessage) error {
	if !s.writable {
		return errReadOnly
	}
	if !json.Valid(value) || string(value) == "null" {
		return fmt.Errorf("access: state entry %q: not a JSON value other than null", key)
	}
	s.note(key, compact(value))
	return nil
}

// Delete deletes the entry key of the connector's part, if any. It fails
// on a read-only state.
func (s *ConnectorState) Delete(key string) error {
	if !s.writable {
		return errReadOnly
	}
	s.note(key, nil)
	return nil
}

func (s *ConnectorState) note(key string, value json.RawMessage) {
	if s.writes == nil {
		s.writes = map[string]json.RawMessage{}
	}
	s.writes[key] = value
}

// InDoubt returns the changes of the connector's vendor whose outcome is
// unknown, with their notes (see DoubtNoter), in no particular order.
func (s *ConnectorState) InDoubt() []DoubtfulChange { return s.sv.doubts(s.api) }

// Removed reports whether this package removed the grant with key
// (Grant.Key) and the vendor may go on showing it.
func (s *ConnectorState) Removed(key string) bool { return s.sv.removed(key) }

// Memo returns View.Memo of the read the applied plan was made from, or
// nil outside an apply.
func (s *ConnectorState) Memo() any { return s.memo }

// flush records the writes in the state. The caller holds sv.mu.
func (s *ConnectorState) flush() bool {
	keys := slices.Sorted(maps.Keys(s.writes))
	for _, k := range keys {
		s.sv.setEntry(s.api, k, s.writes[k])
	}
	s.writes = nil
	return len(keys) > 0
}
