package access

import (
	"strings"
	"sync"
	"time"
)

// stateView is the snapshot as connectors and the apply see it: safe for
// the vendors' goroutines to share. Changes go through its set and delete
// methods, which keep the identity owners' index and, during an apply,
// record the delta the next save writes.
type stateView struct {
	mu   sync.Mutex
	snap *Snapshot
	// owners maps a Freestyle identity id to its person's email, built on
	// first use and kept up to date by setIdentity and deleteIdentity.
	owners map[string]string
	// pending is what changed since the last save, when recording.
	pending *Delta
}

// identity returns the Freestyle identity id of email.
func (v *stateView) identity(email string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	id, ok := v.snap.Identities[strings.ToLower(email)]
	return id, ok
}

// owner returns whose the Freestyle identity id is, "" for nobody's.
func (v *stateView) owner(identityID string) string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.owners == nil {
		v.owners = make(map[string]string, len(v.snap.Identities))
		for email, id := range v.snap.Identities {
			v.owners[id] = email
		}
	}
	return v.owners[identityID]
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

// doubts returns the in-doubt changes of vendor, each with the
// identities known before it (from its known identity set, if it names
// one).
func (v *stateView) doubts(vendor Vendor) []DoubtfulChange {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []DoubtfulChange
	for _, d := range v.snap.InDoubt {
		if d.Change.Grant.Vendor != vendor {
			continue
		}
		if d.KnownIdentities == nil && d.KnownIdentitySet != "" {
			d.KnownIdentities = v.snap.KnownIdentitySets[d.KnownIdentitySet]
		}
		out = append(out, d)
	}
	return out
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

func (v *stateView) setIdentity(email, id string) {
	if old, ok := v.snap.Identities[email]; ok && v.owners != nil {
		delete(v.owners, old)
	}
	v.snap.Identities[email] = id
	if v.owners != nil {
		v.owners[id] = email
	}
	if v.pending != nil {
		note(&v.pending.Identities, email, &id)
	}
}

func (v *stateView) deleteIdentity(email string) {
	old, ok := v.snap.Identities[email]
	if !ok {
		return
	}
	delete(v.snap.Identities, email)
	if v.owners != nil {
		delete(v.owners, old)
	}
	if v.pending != nil {
		note(&v.pending.Identities, email, nil)
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

func (v *stateView) setKnownIdentitySet(id string, ids []string) {
	if v.snap.KnownIdentitySets == nil {
		v.snap.KnownIdentitySets = map[string][]string{}
	}
	v.snap.KnownIdentitySets[id] = ids
	if v.pending != nil {
		note(&v.pending.KnownIdentitySets, id, &ids)
	}
}

func (v *stateView) deleteKnownIdentitySet(id string) {
	if _, ok := v.snap.KnownIdentitySets[id]; !ok {
		return
	}
	delete(v.snap.KnownIdentitySets, id)
	if v.pending != nil {
		note(&v.pending.KnownIdentitySets, id, nil)
	}
}

// note records key's new value (nil: removed) in a delta's map.
func note[V any](m *map[string]*V, key string, value *V) {
	if *m == nil {
		*m = map[string]*V{}
	}
	(*m)[key] = value
}
