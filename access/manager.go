package access

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/invitesdk/invitations"
)

// Manager audits, plans and applies people's access across the vendors
// through one invitations Client, keeping its state in a Store. It is safe
// for concurrent use; applies on one Store exclude each other through the
// Store's lock.
type Manager struct {
	client      *invitations.Client
	store       Store
	vendors     []Vendor
	conns       map[Vendor]connector
	tenants     []string
	concurrency int
	lockTimeout time.Duration
	source      string
	// notRead are the vendors in scope that cannot be read, with why
	// (WithNotRead).
	notRead map[Vendor]string
}

// Option configures a Manager in New.
type Option func(*Manager) error

// WithVendors limits the Manager to some vendors (default: all five).
// Grants on the others are neither read nor written.
func WithVendors(vendors ...Vendor) Option {
	return func(m *Manager) error {
		if len(vendors) == 0 {
			return errors.New("access: WithVendors: name at least one vendor")
		}
		for _, v := range vendors {
			if !slices.Contains(Vendors(), v) {
				return fmt.Errorf("access: WithVendors: unknown vendor %q", v)
			}
		}
		m.vendors = slices.Clone(vendors)
		return nil
	}
}

// WithPortworxTenants names the Portworx tenants whose invitations Audit
// reads and Plan compares (Portworx lists invitations per tenant). Tenants
// a desired PortworxAccess names are read too.
func WithPortworxTenants(tenantIDs ...string) Option {
	return func(m *Manager) error {
		m.tenants = append(m.tenants, tenantIDs...)
		return nil
	}
}

// WithConcurrency sets how many people's changes run at once on each
// vendor during an apply (default 4). Vendors always run in parallel; one
// person's changes on one vendor run one after another, in plan order. The
// Client's rate limits bound the requests whatever the concurrency.
func WithConcurrency(n int) Option {
	return func(m *Manager) error {
		if n < 1 {
			return errors.New("access: WithConcurrency: must be at least 1")
		}
		m.concurrency = n
		return nil
	}
}

// WithLockTimeout makes Lock (and Apply, which locks) wait up to d for an
// apply holding the state to end, trying again every lockRetry. The
// default, 0, fails at once with an error matching ErrLocked that names
// the holder, as terraform's -lock-timeout=0s does.
func WithLockTimeout(d time.Duration) Option {
	return func(m *Manager) error {
		if d < 0 {
			return errors.New("access: WithLockTimeout: must not be negative")
		}
		m.lockTimeout = d
		return nil
	}
}

// WithSource names the desired state the Manager plans for (the command
// gives its file's base name). An apply records it in a state that has
// none; a plan on a state recorded for another source carries a warning
// and, when it would prune, fails with ErrSourceMismatch (unless
// PlanOptions.AllowSourceMismatch): prune removes what the state says
// this package created, which would then be another desired state's
// people's grants.
func WithSource(name string) Option {
	return func(m *Manager) error {
		m.source = name
		return nil
	}
}

// New returns a Manager that reads and writes through client and keeps
// its state in store (NewFileStore for a JSON file).
func New(client *invitations.Client, store Store, opts ...Option) (*Manager, error) {
	if client == nil {
		return nil, errors.New("access: New: client must not be nil")
	}
	if store == nil {
		return nil, errors.New("access: New: store must not be nil")
	}
	m := &Manager{client: client, store: store, vendors: Vendors(), concurrency: 4}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	m.vendors = slices.DeleteFunc(m.vendors, func(v Vendor) bool { _, out := m.notRead[v]; return out })
	m.conns = map[Vendor]connector{
		GitGuardian: newGitGuardianConnector(client),
		Box:         newBoxConnector(client),
		Freestyle:   newFreestyleConnector(client),
		BIMData:     newBIMDataConnector(client),
		Portworx:    newPortworxConnector(client, m.tenants),
	}
	return m, nil
}
