package access

import (
	"encoding/json"
	"maps"
	"sync"
	"time"

	"github.com/invitesdk/invitations"
)

// stateView is the snapshot as connectors and the apply see it: safe for
// the vendors' goroutines to share. Changes go through its set and delete
// methods, which, during an apply, record the delta the next save writes.
type stateView struct {
	mu   sync.Mutex
	snap *Snapshot
	// pending is what changed since the last save, when recording.
	pending *Delta
}

// removed reports whether this package removed the grant with key.
func (v *stateView) removed(key string) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.snap.Removed[key]
	return ok
}

// doubts returns the in-doubt changes of vendor.
func (v *stateView) doubts(vendor invitations.API) []DoubtfulChange {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []DoubtfulChange
	for _, d := range v.snap.InDoubt {
		if d.Change.Grant.Vendor == vendor {
			out = append(out, d)
		}
	}
	return out
}

// entry returns the entry key of vendor's part.
func (v *stateView) entry(vendor invitations.API, key string) (json.RawMessage, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.snap.Vendors[vendor][key]
	return e, ok
}

// entries returns a copy of vendor's part.
func (v *stateView) entries(vendor invitations.API) map[string]json.RawMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	return maps.Clone(v.snap.Vendors[vendor])
}

// record starts recording changes into a delta (see takeDelta).
func (v *stateView) record() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending = &Delta{}
}

// takeDelta returns what changed since the last call (or record), as the
// delta of the next serial, and starts a new one. The caller holds mu.
func (v *stateView) takeDelta() *Delta {
	d := v.pending
	v.pending = &Delta{}
	v.snap.Serial++
	d.Serial = v.snap.Serial
	return d
}

// The setters below change the snapshot and record the change; the
// caller holds mu.

func (v *stateView) setLineage(lineage string) {
	v.snap.Lineage = lineage
	if v.pending != nil {
		v.pending.Lineage = lineage
	}
}

func (v *stateView) setSource(source string) {
	v.snap.Source = source
	if v.pending != nil {
		v.pending.Source = source
	}
}

// setEntry sets (value not nil) or deletes (nil) the entry key of
// vendor's part.
func (v *stateView) setEntry(vendor invitations.API, key string, value json.RawMessage) {
	part := v.snap.Vendors[vendor]
	if value == nil {
		if _, ok := part[key]; !ok {
			return
		}
		delete(part, key)
		if len(part) == 0 {
			delete(v.snap.Vendors, vendor)
		}
	} else {
		if part == nil {
			part = map[string]json.RawMessage{}
			v.snap.Vendors[vendor] = part
		}
		part[key] = value
	}
	if v.pending != nil {
		if v.pending.Vendors == nil {
			v.pending.Vendors = map[invitations.API]map[string]json.RawMessage{}
		}
		if v.pending.Vendors[vendor] == nil {
			v.pending.Vendors[vendor] = map[string]json.RawMessage{}
		}
		v.pending.Vendors[vendor][key] = value
	}
}

func (v *stateView) setCreated(key string, at time.Time) {
	v.snap.Created[key] = at
	if v.pending != nil {
		note(&v.pending.Created, key, &at)
	}
}

func (v *stateView) deleteCreated(key string) {
	if _, ok := v.snap.Created[key]; !ok {
		return
	}
	delete(v.snap.Created, key)
	if v.pending != nil {
		note(&v.pending.Created, key, nil)
	}
}

func (v *stateView) setInDoubt(key string, d DoubtfulChange) {
	v.snap.InDoubt[key] = d
	if v.pending != nil {
		note(&v.pending.InDoubt, key, &d)
	}
}

func (v *stateView) deleteInDoubt(key string) {
	if _, ok := v.snap.InDoubt[key]; !ok {
		return
	}
	delete(v.snap.InDoubt, key)
	if v.pending != nil {
		note(&v.pending.InDoubt, key, nil)
	}
}

func (v *stateView) setRemoved(key string, at time.Time) {
	v.snap.Removed[key] = at
	if v.pending != nil {
		note(&v.pending.Removed, key, &at)
	}
}

func (v *stateView) deleteRemoved(key string) {
	if _, ok := v.snap.Removed[key]; !ok {
		return
	}
	delete(v.snap.Removed, key)
	if v.pending != nil {
		note(&v.pending.Removed, key, nil)
	}
}

// note records key's new value (nil: removed) in a delta's map.
func note[V any](m *map[string]*V, key string, value *V) {
	if *m == nil {
		*m = map[string]*V{}
	}
	(*m)[key] = value
}
