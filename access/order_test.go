package access

import (
	"context"
	"iter"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
)

// leavePolicy is the made-up vendor's offboarding policy: whether an
// absent person's account is deleted.
type leavePolicy struct{ deleteAccount bool }

func (leavePolicy) Vendor() invitations.API { return "ordered" }

// orderedConnector is a made-up vendor whose absent people lose, in this
// order, their sessions, their content (moved away) and their account;
// the account is deleted only when the policy says so, and only after the
// content moved. fail decides each change's error.
type orderedConnector struct {
	mu   sync.Mutex
	sent []string
	fail func(Change) error
}

func (c *orderedConnector) API() invitations.API { return "ordered" }

func (c *orderedConnector) Read(_ context.Context, people []Person, opts PlanOptions, _ *ConnectorState) (*View, error) {
	view := &View{}
	policy, _ := opts.OffboardingFor("ordered").(leavePolicy)
	for _, p := range people {
		// Listed in no particular order: the plan orders them by Rank.
		view.Have = append(view.Have,
			Record{Email: p.Email, Grant: Grant{Vendor: "ordered", Kind: "content"}, State: StateGranted, ID: "c"},
			Record{Email: p.Email, Grant: Grant{Vendor: "ordered", Kind: "sessions"}, State: StateGranted, ID: "s"})
		if policy.deleteAccount {
			view.Have = append(view.Have, Record{Email: p.Email, Grant: Grant{Vendor: "ordered", Kind: "account"}, State: StateMember, ID: "a"})
		}
	}
	return view, nil
}

func (c *orderedConnector) Audit(context.Context, *ConnectorState) iter.Seq2[Record, error] {
	return func(func(Record, error) bool) {}
}

func (c *orderedConnector) Execute(_ context.Context, ch Change, _ *ConnectorState) error {
	c.mu.Lock()
	c.sent = append(c.sent, ch.Email+" "+string(ch.Grant.Kind))
	c.mu.Unlock()
	return c.fail(ch)
}

func (c *orderedConnector) Rank(ch Change) int {
	return map[Kind]int{"sessions": 0, "content": 1, "account": 2}[ch.Grant.Kind]
}

func (c *orderedConnector) DependsOn(ch, earlier Change) bool {
	return ch.Grant.Kind == "account" && earlier.Grant.Kind == "content"
}

// A connector's Rank orders each person's changes, whatever order its
// read found them in; a change that depends on an earlier one that did
// not succeed is skipped, naming it; the Manager's offboarding policy
// reaches the connector's read, and a plan's own policy wins over it.
func TestOrderedAndDependentChanges(t *testing.T) {
	t.Parallel()
	conn := &orderedConnector{fail: func(ch Change) error {
		if ch.Email == "bob@example.com" && ch.Grant.Kind == "content" {
			return &invitations.APIError{StatusCode: http.StatusBadRequest}
		}
		return nil
	}}
	client, err := invitations.NewClient()
	require.NoError(t, err)
	m, err := New(client, NewFileStore(filepath.Join(t.TempDir(), "state.json")), WithConnector(conn), WithVendors("ordered"),
		WithConcurrency(1), WithOffboarding(leavePolicy{deleteAccount: true}))
	require.NoError(t, err)
	people := []Person{{Email: "ada@example.com", Absent: true}, {Email: "bob@example.com", Absent: true}}

	kept, err := m.Plan(t.Context(), people, PlanOptions{Offboarding: []OffboardingPolicy{leavePolicy{}}})
	require.NoError(t, err)
	assert.Len(t, kept.Changes, 4, "the plan's own policy keeps the accounts")

	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	var order []string
	for _, ch := range plan.Changes {
		order = append(order, ch.Email+" "+string(ch.Grant.Kind))
	}
	assert.Equal(t, []string{
		"ada@example.com sessions", "ada@example.com content", "ada@example.com account",
		"bob@example.com sessions", "bob@example.com content", "bob@example.com account",
	}, order, "each person's changes by rank, then people by email")

	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	outcomes := map[string]Outcome{}
	for _, r := range results {
		outcomes[r.Change.Email+" "+string(r.Change.Grant.Kind)] = r.Outcome
	}
	assert.Equal(t, Done, outcomes["ada@example.com account"])
	assert.Equal(t, Failed, outcomes["bob@example.com content"])
	assert.Equal(t, Skipped, outcomes["bob@example.com account"], "the account needs its content moved first")
	assert.Equal(t, Done, outcomes["bob@example.com sessions"], "a change it does not depend on is sent")
	assert.Equal(t, []string{
		"ada@example.com sessions", "ada@example.com content", "ada@example.com account",
		"bob@example.com sessions", "bob@example.com content",
	}, conn.sent, "applied in the plan's order; bob's account never sent")
	for _, r := range results {
		if r.Change.Email == "bob@example.com" && r.Change.Grant.Kind == "account" {
			assert.ErrorContains(t, r.Err, "not sent: it needs the remove ordered content of bob@example.com, which ended failed")
		}
	}
}

func TestOffboardingForTakesTheLastPolicyOfTheVendor(t *testing.T) {
	t.Parallel()
	opts := PlanOptions{Offboarding: []OffboardingPolicy{leavePolicy{deleteAccount: true}, nil, leavePolicy{}}}
	assert.Equal(t, leavePolicy{}, opts.OffboardingFor("ordered"))
	assert.Nil(t, opts.OffboardingFor(invitations.Box), "a vendor without a policy takes its defaults")
	_, err := New(&invitations.Client{}, NewFileStore(filepath.Join(t.TempDir(), "s.json")), WithOffboarding(nil))
	assert.ErrorContains(t, err, "WithOffboarding: a policy is nil")
}
