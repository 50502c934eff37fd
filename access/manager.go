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
	client  *invitations.Client
	store   Store
	vendors []invitations.API
	conns   map[invitations.API]Connector
	// order is every vendor with a connector, in the one order: the
	// shipped ones, then those WithConnector added, in the order added.
	order []invitations.API
	// extra are the connectors WithConnector gave, in order.
	extra       []Connector
	tenants     []string
	concurrency int
	lockTimeout time.Duration
	source      string
	// notRead are the vendors in scope that cannot be read, with why
	// (WithNotRead).
	notRead map[invitations.API]string
	// offboarding are the policies of WithOffboarding.
	offboarding []OffboardingPolicy
	// roles are the roles of WithRoles.
	roles []Role
}

// Option configures a Manager in New.
type Option func(*Manager) error

// WithOffboarding sets what removing a person does on some vendors beyond
// removing their grants (see OffboardingPolicy), for every plan and
// offboarding of the Manager; PlanOptions.Offboarding overrides it vendor
// by vendor. Vendors without a policy take their defaults.
func WithOffboarding(policies ...OffboardingPolicy) Option {
	return func(m *Manager) error {
		for _, p := range policies {
			if p == nil {
				return errors.New("access: WithOffboarding: a policy is nil")
			}
		}
		m.offboarding = append(m.offboarding, policies...)
		return nil
	}
}

// WithVendors limits the Manager to some vendors (default: every vendor
// with a connector: the five shipped and those WithConnector adds).
// Grants on the others are neither read nor written. A vendor the package
// does not ship needs its connector (WithConnector).
func WithVendors(vendors ...invitations.API) Option {
	return func(m *Manager) error {
		if len(vendors) == 0 {
			return errors.New("access: WithVendors: name at least one vendor")
		}
		m.vendors = slices.Clone(vendors)
		return nil
	}
}

// WithConnector adds c, a connector for a vendor the package does not
// ship, or replaces the shipped connector of c.API(). Its vendor is in
// the Manager's scope unless WithVendors leaves it out; vendors the
// package does not ship come after the shipped ones, in the order added,
// wherever plans and coverage list vendors.
func WithConnector(c Connector) Option {
	return func(m *Manager) error {
		if c == nil {
			return errors.New("access: WithConnector: connector must not be nil")
		}
		if c.API() == "" {
			return errors.New("access: WithConnector: the connector's API must not be empty")
		}
		m.extra = append(m.extra, c)
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
	m := &Manager{client: client, store: store, concurrency: 4}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	m.conns = map[invitations.API]Connector{}
	for _, c := range shippedConnectors(client, m.tenants) {
		m.order = append(m.order, c.API())
		m.conns[c.API()] = c
	}
	for _, c := range m.extra {
		if _, ok := m.conns[c.API()]; !ok {
			m.order = append(m.order, c.API())
		}
		m.conns[c.API()] = c
	}
	if m.vendors == nil {
		m.vendors = slices.Clone(m.order)
	}
	for _, v := range m.vendors {
		if _, ok := m.conns[v]; !ok {
			return nil, fmt.Errorf("access: WithVendors: unknown vendor %q", v)
		}
	}
	m.vendors = slices.DeleteFunc(m.vendors, func(v invitations.API) bool { _, out := m.notRead[v]; return out })
	return m, nil
}

// shippedConnectors builds the connectors of the vendors the SDK ships
// over c, in the SDK's order.
func shippedConnectors(c *invitations.Client, portworxTenants []string) []Connector {
	build := map[invitations.API]func() Connector{
		invitations.GitGuardian: func() Connector { return newGitGuardianConnector(c) },
		invitations.Box:         func() Connector { return newBoxConnector(c) },
		invitations.Freestyle:   func() Connector { return newFreestyleConnector(c) },
		invitations.BIMData:     func() Connector { return newBIMDataConnector(c) },
		invitations.Portworx:    func() Connector { return newPortworxConnector(c, portworxTenants) },
	}
	var out []Connector
	for _, v := range invitations.Vendors() {
		if b, ok := build[v.API]; ok {
			out = append(out, b())
		}
	}
	return out
}

// shippedMergeRules are the rules by which a person's roles merge into
// the fields of the vendors the SDK ships (see MergeRoles), by vendor:
// each lives beside its connector.
func shippedMergeRules() map[invitations.API]mergeRule {
	return map[invitations.API]mergeRule{
		invitations.GitGuardian: ggMergeRoles,
		invitations.Box:         boxMergeRoles,
		invitations.Freestyle:   freestyleMergeRoles,
		invitations.BIMData:     bimMergeRoles,
		invitations.Portworx:    portworxMergeRoles,
	}
}
