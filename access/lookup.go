package access

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
)

// Lookup describes one kind of object a connector can list for the people
// who write a desired state: the ids a file names (Box groups, Portworx
// tenants' invitations) are found by listing them, not by guessing. A
// Lookup is data only; Manager.Lookup runs it.
type Lookup struct {
	// Kind names the lookup, unique across connectors: "box-groups".
	Kind string `json:"kind"`
	// Vendor is the connector's API.
	Vendor invitations.API `json:"vendor"`
	// Summary says in one line what is listed and what for.
	Summary string `json:"summary"`
	// Columns name the values of each row, in order.
	Columns []string `json:"columns"`
	// Params are the values the list needs, every one required (Portworx
	// lists invitations per tenant: "tenant").
	Params []LookupParam `json:"params"`
}

// LookupParam is a value a Lookup needs.
type LookupParam struct {
	// Name is the parameter's name, lower-case: a command makes it a flag.
	Name string `json:"name"`
	// Usage says what to give.
	Usage string `json:"usage"`
}

// Lookuper is implemented by a connector that lists objects a desired
// state refers to. A connector without it offers no lookup.
type Lookuper interface {
	// Lookups describes the lookups the connector offers. It sends
	// nothing: a command asks for it before it has credentials.
	Lookups() []Lookup
	// Lookup streams the rows of the lookup kind (one of Lookups), each
	// in the order of its Columns, a batch at a time as the vendor's
	// pages arrive; an error ends the stream. args holds a value for
	// every one of the lookup's Params. st is read-only.
	Lookup(ctx context.Context, kind string, args map[string]string, st *ConnectorState) iter.Seq2[[][]string, error]
}

// Lookups describes the lookups of the connectors the package ships, in
// the SDK's vendor order, then those of extra: what a command offers
// (kinds, columns, parameters) before it connects. Run one with
// Manager.Lookup.
func Lookups(extra ...Connector) []Lookup {
	var out []Lookup
	for _, c := range append(shippedConnectors(nil, nil), extra...) {
		if l, ok := c.(Lookuper); ok {
			out = append(out, l.Lookups()...)
		}
	}
	return out
}

// Lookup streams the rows of the lookup kind, declared by a connector of
// the Manager's vendors, in batches as the vendor's pages arrive. args
// must give every parameter the lookup declares, and nothing else. The
// state is read (a Freestyle identity's owner is what the state records),
// never written. An unknown kind, a vendor out of scope or a missing
// argument is an error before any request.
func (m *Manager) Lookup(ctx context.Context, kind string, args map[string]string) iter.Seq2[[][]string, error] {
	fail := func(err error) iter.Seq2[[][]string, error] {
		return func(yield func([][]string, error) bool) { yield(nil, err) }
	}
	var conn Lookuper
	var lookup Lookup
	var kinds []string
	for _, v := range m.order {
		l, ok := m.conns[v].(Lookuper)
		if !ok {
			continue
		}
		for _, d := range l.Lookups() {
			kinds = append(kinds, d.Kind)
			if d.Kind == kind && conn == nil {
				conn, lookup = l, d
			}
		}
	}
	if conn == nil {
		return fail(fmt.Errorf("access: unknown lookup %q: the lookups are %s", kind, strings.Join(kinds, ", ")))
	}
	if why, ok := m.notRead[lookup.Vendor]; ok {
		return fail(fmt.Errorf("access: lookup %s: %s cannot be read: %s", kind, lookup.Vendor, why))
	}
	if !slices.Contains(m.vendors, lookup.Vendor) {
		return fail(fmt.Errorf("access: lookup %s: %s is not among the Manager's vendors", kind, lookup.Vendor))
	}
	for _, p := range lookup.Params {
		if strings.TrimSpace(args[p.Name]) == "" {
			return fail(fmt.Errorf("access: lookup %s needs %s (%s)", kind, p.Name, p.Usage))
		}
	}
	for name := range args {
		if !slices.ContainsFunc(lookup.Params, func(p LookupParam) bool { return p.Name == name }) {
			return fail(fmt.Errorf("access: lookup %s takes no %s", kind, name))
		}
	}
	return func(yield func([][]string, error) bool) {
		snap, err := m.store.Load(ctx)
		if err != nil {
			yield(nil, fmt.Errorf("access: loading the state: %w", err))
			return
		}
		st := &ConnectorState{sv: &stateView{snap: snap.normalize()}, api: lookup.Vendor}
		for rows, err := range conn.Lookup(ctx, kind, args, st) {
			if err != nil {
				err = fmt.Errorf("access: lookup %s: %w", kind, err)
			}
			if !yield(rows, err) || err != nil {
				return
			}
		}
	}
}

// lookupBatch is how many rows a lookup over a list that is not paged
// (or is decoded one item at a time) yields at once.
const lookupBatch = 100

// batched groups the items of seq into batches of lookupBatch rows, row
// making each item's row (ok false leaves the item out). An error is
// yielded after the rows before it, and ends the stream.
func batched[T any](seq iter.Seq2[T, error], row func(T) ([]string, bool)) iter.Seq2[[][]string, error] {
	return func(yield func([][]string, error) bool) {
		var rows [][]string
		for item, err := range seq {
			if err != nil {
				if len(rows) > 0 && !yield(rows, nil) {
					return
				}
				yield(nil, err)
				return
			}
			if r, ok := row(item); ok {
				rows = append(rows, r)
			}
			if len(rows) == lookupBatch {
				if !yield(rows, nil) {
					return
				}
				rows = nil
			}
		}
		if len(rows) > 0 {
			yield(rows, nil)
		}
	}
}

// pagedRows is the pages of seq as batches of rows, row making each
// item's row.
func pagedRows[T any](seq iter.Seq2[*invitations.Page[T], error], row func(T) []string) iter.Seq2[[][]string, error] {
	return func(yield func([][]string, error) bool) {
		for page, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			rows := make([][]string, 0, len(page.Items))
			for _, item := range page.Items {
				rows = append(rows, row(item))
			}
			if len(rows) > 0 && !yield(rows, nil) {
				return
			}
		}
	}
}

// unknownLookup is the error of a connector asked for a kind it does not
// declare (Manager.Lookup never asks it).
func unknownLookup(vendor invitations.API, kind string) iter.Seq2[[][]string, error] {
	return func(yield func([][]string, error) bool) {
		yield(nil, fmt.Errorf("%s offers no lookup %q", vendor, kind))
	}
}
