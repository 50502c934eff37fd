package access

import (
	"context"
	"iter"
)

// connector is one vendor's side of the package: its reads and writes,
// translated to records, grants and changes. The engine (plan.go,
// apply.go) does the rest, the same way for every vendor: it compares,
// orders, classifies outcomes and keeps the state.
type connector interface {
	vendor() Vendor
	// read returns what the vendor holds for people (and, for pruning, in
	// the scopes their grants name) and what each of them should have
	// there. Reads only.
	read(ctx context.Context, people []Person, st *stateView) (*vendorView, error)
	// audit streams every record the vendor holds about people, lazily.
	audit(ctx context.Context, st *stateView) iter.Seq2[Record, error]
	// unreadable says why the connector can read nothing as configured
	// ("no tenant to read"), or "".
	unreadable() string
	// execute sends ch and returns, for a create, the id of what it made
	// (a Freestyle identity's id, which later changes address). The error
	// is the SDK's, unclassified: the engine tells done from in doubt.
	execute(ctx context.Context, ch Change, st *stateView) (id string, err error)
}

// vendorView is what a connector read for a plan.
type vendorView struct {
	// Have are the current records of the people, and of anyone in the
	// scopes in Scopes (which prune may clean).
	Have []Record
	// Want maps a person's email (lower-case) to the grants they should
	// have on this vendor, resolved (a Box group name to its id). An
	// absent person has no entry.
	Want map[string][]Grant
	// Subjects maps an email (lower-case) to the vendor id a create for
	// that person addresses, when the vendor needs one: the Box user id,
	// the Freestyle identity id once known. Creates carry it as Target.
	Subjects map[string]string
	// Scopes are the scopes the desired state names ("kind|scope", e.g.
	// "group|57645"): prune removes grants there that nobody wants.
	Scopes map[string]bool
	// Problems are desired grants that cannot be planned, with why (no
	// Box user with that login, an unknown group name, an in-doubt
	// identity that cannot be told apart).
	Problems []Problem
	// Adopt maps an email to the Freestyle identity an in-doubt create is
	// now known to have made; the apply records it in the state.
	Adopt map[string]string
	// Reissue, when set, tells the records whose level is changed by
	// replacing what holds them (a pending invitation deleted and sent
	// anew: a new id, a new email to the person): a plan says "re-invite".
	Reissue func(Record) bool
	// NotRead says why nothing could be read, when nothing could.
	NotRead string
	// Partial lists what the read left out ("12 identities belong to
	// nobody the state knows"): the plan's Coverage says so.
	Partial []string
	// KnownIdentities are the ids of every Freestyle identity that exists
	// now: an identity create that ends in doubt is settled later by
	// what appears beside them.
	KnownIdentities []string
}

// Problem is a desired grant that cannot be planned.
type Problem struct {
	Email  string `json:"email"`
	Vendor Vendor `json:"vendor"`
	Reason string `json:"reason"`
	// Field, when set, is the desired-state field at fault, named as
	// InvalidPersonError names fields ("people[3].Box[0].GroupID"), so
	// that a reader of a file can point at its line.
	Field string `json:"field,omitempty"`
	// Key, when set, is the grant (Grant.Key) the problem keeps from being
	// planned: no create is planned for it (an identity whose in-doubt
	// create cannot be told apart from others must not be created twice).
	Key string `json:"key,omitempty"`
}

// partlyDone is the error of a change made of several writes that stopped
// after some were done (a re-invite: the old invitation deleted, the new
// one not sent). Its outcome is in doubt: the next plan re-reads the
// vendor, and plans what is missing with a reason that says so.
type partlyDone struct {
	// done says what was done, e.g. "the pending invitation was deleted".
	done string
	err  error
}

func (e *partlyDone) Error() string { return e.done + ", then: " + e.err.Error() }
func (e *partlyDone) Unwrap() error { return e.err }
