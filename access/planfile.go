package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/invitesdk/invitations"
)

// PlanFormatVersion is the format_version of a plan written as JSON (see
// Plan.MarshalJSON). It changes when the layout does; UnmarshalJSON
// refuses any other with ErrPlanFormat.
const PlanFormatVersion = 1

// ErrPlanFormat is returned by Plan.UnmarshalJSON for a plan written in a
// format this package does not read: another format_version, or none.
var ErrPlanFormat = errors.New("access: unknown plan format")

// MemoDecoder is implemented by a connector whose reads leave a View.Memo
// that an apply of a saved plan needs. Plan.MarshalJSON writes each memo
// with encoding/json (a memo that cannot be encoded makes the plan
// unsavable); an apply of the plan read back gives the JSON to DecodeMemo
// once, and the connector's hooks get what it returns from
// ConnectorState.Memo. Without it they get the memo's JSON, as a
// json.RawMessage.
type MemoDecoder interface {
	DecodeMemo(data json.RawMessage) (any, error)
}

// planJSON is the layout of a plan written whole: the fields a reader of
// the plan sees, then what its reads settled for Apply to record.
type planJSON struct {
	FormatVersion int            `json:"format_version"`
	Changes       []Change       `json:"changes"`
	Problems      []Problem      `json:"problems"`
	Warnings      []string       `json:"warnings"`
	Serial        uint64         `json:"serial"`
	Lineage       string         `json:"lineage"`
	Coverage      Coverage       `json:"coverage"`
	GrantsRead    int            `json:"grants_read"`
	Targets       Targets        `json:"targets"`
	Settlement    settlementJSON `json:"settlement"`
}

// settlementJSON is what a plan's reads settled and gave the connectors:
// Plan's unexported part.
type settlementJSON struct {
	// Settled are the keys of earlier in-doubt changes the reads answered.
	Settled []string `json:"settled"`
	// StateWrites are the entries of the connectors' parts of the state
	// the apply records first (View.Writes), by vendor.
	StateWrites map[invitations.API]map[string]json.RawMessage `json:"state_writes"`
	// Memos are the connectors' View.Memo, as JSON, by vendor.
	Memos map[invitations.API]json.RawMessage `json:"memos"`
}

// MarshalJSON writes the plan whole, for an apply by another process:
// its changes, problems, warnings, coverage, targets and the version of
// the state it was made from, and what its reads settled (the connectors'
// writes to the state and their memos, see MemoDecoder), under
// format_version PlanFormatVersion. A plan holds grants, ids and emails,
// never a credential.
func (p *Plan) MarshalJSON() ([]byte, error) {
	out := planJSON{
		FormatVersion: PlanFormatVersion,
		Changes:       orEmpty(p.Changes),
		Problems:      orEmpty(p.Problems),
		Warnings:      orEmpty(p.Warnings),
		Serial:        p.Serial,
		Lineage:       p.Lineage,
		Coverage:      p.Coverage,
		GrantsRead:    p.GrantsRead,
		Targets:       p.Targets,
		Settlement: settlementJSON{
			Settled:     orEmpty(p.settled),
			StateWrites: map[invitations.API]map[string]json.RawMessage{},
			Memos:       map[invitations.API]json.RawMessage{},
		},
	}
	if out.Coverage.Vendors == nil {
		out.Coverage.Vendors = []VendorCoverage{}
	}
	for v, w := range p.writes {
		out.Settlement.StateWrites[v] = w
	}
	for v, raw := range p.savedMemos {
		out.Settlement.Memos[v] = raw
	}
	for _, v := range slices.Sorted(maps.Keys(p.memos)) {
		raw, err := json.Marshal(p.memos[v])
		if err != nil {
			return nil, fmt.Errorf("access: the plan cannot be written: %s's memo: %w", v, err)
		}
		out.Settlement.Memos[v] = raw
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads a plan MarshalJSON wrote, refusing another
// format_version with ErrPlanFormat. Apply carries it out as the plan it
// was: the same changes, and what its reads settled.
func (p *Plan) UnmarshalJSON(data []byte) error {
	var version struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &version); err != nil {
		return err
	}
	switch {
	case version.FormatVersion == nil:
		return fmt.Errorf("%w: no format_version", ErrPlanFormat)
	case *version.FormatVersion != PlanFormatVersion:
		return fmt.Errorf("%w: format_version %d (this version reads %d)", ErrPlanFormat, *version.FormatVersion, PlanFormatVersion)
	}
	var in planJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*p = Plan{
		Changes:    orNil(in.Changes),
		Problems:   orNil(in.Problems),
		Warnings:   orNil(in.Warnings),
		Serial:     in.Serial,
		Lineage:    in.Lineage,
		Coverage:   in.Coverage,
		GrantsRead: in.GrantsRead,
		Targets:    Targets{Vendors: orNil(in.Targets.Vendors), Emails: orNil(in.Targets.Emails)},
		settled:    orNil(in.Settlement.Settled),
		writes:     map[invitations.API]map[string]json.RawMessage{},
		memos:      map[invitations.API]any{},
		savedMemos: map[invitations.API]json.RawMessage{},
	}
	for v, w := range in.Settlement.StateWrites {
		entries := make(map[string]json.RawMessage, len(w))
		for k, e := range w {
			entries[k] = compact(e)
		}
		p.writes[v] = entries
	}
	for v, raw := range in.Settlement.Memos {
		if raw != nil && string(raw) != "null" {
			p.savedMemos[v] = raw
		}
	}
	return nil
}

// MarshalJSON writes both lists, empty ones as [], so that a reader of a
// plan finds the same shape whether it is targeted or not.
func (t Targets) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Vendors []invitations.API `json:"vendors"`
		Emails  []string          `json:"emails"`
	}{orEmpty(t.Vendors), orEmpty(t.Emails)})
}

// orEmpty returns s, or an empty slice for nil: JSON's [] rather than
// null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// orNil returns s, or nil when it is empty: a list read back compares
// with the one written.
func orNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// memosFor returns the memos an apply of plan gives the connectors'
// hooks: those of this process's reads, and those of a plan read back,
// decoded by their connector (see MemoDecoder).
func (m *Manager) memosFor(plan *Plan) (map[invitations.API]any, error) {
	out := maps.Clone(plan.memos)
	if out == nil {
		out = map[invitations.API]any{}
	}
	for v, raw := range plan.savedMemos {
		d, ok := m.conns[v].(MemoDecoder)
		if !ok {
			out[v] = raw
			continue
		}
		memo, err := d.DecodeMemo(raw)
		if err != nil {
			return nil, fmt.Errorf("access: the plan's %s memo: %w", v, err)
		}
		out[v] = memo
	}
	return out, nil
}

// Check returns an error matching ErrStalePlan when plan was made from
// another version of the state than the one under the lock, as Apply
// would refuse it: for a tool that says so before it shows or sends
// anything, such as an apply of a saved plan.
func (l *Locked) Check(ctx context.Context, plan *Plan) error {
	if err := l.held(); err != nil {
		return err
	}
	snap, err := l.m.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("access: loading the state: %w", err)
	}
	return staleness(plan, snap.normalize())
}
