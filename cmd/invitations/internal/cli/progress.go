package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// readCounter counts the requests sent per vendor, for the display of a
// read in progress. The client's request hook feeds it.
type readCounter struct {
	mu     sync.Mutex
	counts map[string]int // by vendor display name (RequestInfo.API)
}

// observe counts one attempt of a request.
func (c *readCounter) observe(ri invitations.RequestInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[ri.API]++
}

// snapshot returns the counts so far.
func (c *readCounter) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// readProgressLine is the display of a read in progress: the requests
// done per vendor (in the vendors' order, those with any), and the time.
func readProgressLine(counts map[string]int, elapsed time.Duration) string {
	var parts []string
	for _, v := range invitations.Vendors() {
		if n := counts[v.Name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", v.API, n))
		}
	}
	what := "starting"
	if len(parts) > 0 {
		what = strings.Join(parts, ", ") + " requests done"
	}
	return fmt.Sprintf("Reading: %s, %s", what, elapsed.Round(100*time.Millisecond))
}

// showReading shows, on a terminal only, the requests done per vendor
// while a read runs, redrawn in place on stderr and erased when it ends:
// a slow vendor shows it is being read. Without a terminal it writes
// nothing. The returned func ends it.
func (a *app) showReading() func() {
	if !a.io.StderrTTY {
		return func() {}
	}
	return drawReading(a.io.Stderr, &a.reads, 200*time.Millisecond)
}

// drawReading redraws the read progress of counter on w every tick
// until the returned func is called (once or more), which draws it a
// last time and erases it.
func drawReading(w io.Writer, counter *readCounter, tick time.Duration) func() {
	start := time.Now()
	draw := func() {
		fmt.Fprintf(w, "\r\033[K%s", readProgressLine(counter.snapshot(), time.Since(start)))
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			draw()
			select {
			case <-t.C:
			case <-done:
				draw()
				fmt.Fprint(w, "\r\033[K")
				return
			}
		}
	}()
	return sync.OnceFunc(func() { close(done); <-stopped })
}

// readsShown is a planner whose reads show their progress (showReading).
type readsShown struct {
	p planner
	a *app
}

// showReads returns p with its reads' progress shown on a terminal.
func (a *app) showReads(p planner) planner { return readsShown{p: p, a: a} }

func (r readsShown) Plan(ctx context.Context, people []access.Person, opts access.PlanOptions) (*access.Plan, error) {
	defer r.a.showReading()()
	return r.p.Plan(ctx, people, opts)
}

func (r readsShown) Offboard(ctx context.Context, email string) (*access.Plan, error) {
	defer r.a.showReading()()
	return r.p.Offboard(ctx, email)
}
