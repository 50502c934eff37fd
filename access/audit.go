package access

import (
	"context"
	"fmt"
	"iter"
	"sync"
)

// Audit streams every record the vendors hold about people: one goroutine
// per vendor reads lazily, and records are yielded as they arrive, so a
// hundred thousand of them never sit in memory at once. Records of one
// vendor come in its own order; vendors interleave. A vendor's failure is
// yielded once, as an error naming the vendor, and the other vendors go
// on; breaking the loop stops every reader before Audit's loop returns.
// Freestyle identities carry no email: the state says whose each is, and
// one it does not know comes with an empty Email.
func (m *Manager) Audit(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		snap, err := m.store.Load(ctx)
		if err != nil {
			yield(Record{}, fmt.Errorf("access: loading the state: %w", err))
			return
		}
		snap = snap.normalize()
		sv := &stateView{snap: snap}
		ctx, cancel := context.WithCancel(ctx)
		type item struct {
			rec Record
			err error
		}
		out := make(chan item, 64)
		var wg sync.WaitGroup
		for _, v := range m.vendors {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rec, err := range m.conns[v].Audit(ctx, &ConnectorState{sv: sv, api: v}) {
					if err != nil {
						err = fmt.Errorf("access: auditing %s: %w", v, err)
					}
					select {
					case out <- item{rec, err}:
					case <-ctx.Done():
						return
					}
					if err != nil {
						return
					}
				}
			}()
		}
		go func() {
			wg.Wait()
			close(out)
		}()
		defer func() {
			cancel()
			for range out { // let every reader see the cancellation and end
			}
		}()
		for it := range out {
			if !yield(it.rec, it.err) {
				return
			}
		}
	}
}
