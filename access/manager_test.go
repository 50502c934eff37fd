package access_test

import (
	"context"
	"iter"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// stubConnector reads what it is given and records what it executes.
type stubConnector struct {
	api  invitations.API
	have []access.Record
	sent []access.Change
}

func (s *stubConnector) API() invitations.API { return s.api }

func (s *stubConnector) Read(_ context.Context, people []access.Person, _ access.PlanOptions, _ *access.ConnectorState) (*access.View, error) {
	view := &access.View{Have: s.have, Want: map[string][]access.Grant{}}
	for _, p := range people {
		if gs := p.GrantsFor(s.api); len(gs) > 0 {
			view.Want[p.Email] = gs
		}
	}
	return view, nil
}

func (s *stubConnector) Audit(context.Context, *access.ConnectorState) iter.Seq2[access.Record, error] {
	return func(yield func(access.Record, error) bool) {
		for _, r := range s.have {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (s *stubConnector) Execute(_ context.Context, ch access.Change, _ *access.ConnectorState) error {
	s.sent = append(s.sent, ch)
	return nil
}

func TestWithConnectorAddsAVendorAfterTheShippedOnes(t *testing.T) {
	t.Parallel()
	client, err := invitations.NewClient()
	require.NoError(t, err)
	acme := &stubConnector{api: "acme"}
	m, err := access.New(client, access.NewFileStore(filepath.Join(t.TempDir(), "state.json")),
		access.WithVendors("acme"), access.WithConnector(acme))
	require.NoError(t, err)
	g := access.Grant{Vendor: "acme", Kind: "team", Scope: "t1", Level: "member"}
	people := []access.Person{{Email: "ada@example.com", Grants: []access.Grant{g, {Vendor: "other", Kind: "x"}}}}
	plan, err := m.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1, "only the grants of the connector's vendor")
	assert.Equal(t, g, plan.Changes[0].Grant)
	assert.Equal(t, []access.VendorCoverage{{Vendor: "acme", Read: true}}, plan.Coverage.Vendors)
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, access.Done, results[0].Outcome)
	assert.Equal(t, plan.Changes, acme.sent)
}

func TestWithConnectorReplacesAShippedOne(t *testing.T) {
	t.Parallel()
	client, err := invitations.NewClient()
	require.NoError(t, err)
	box := &stubConnector{api: invitations.Box, have: []access.Record{{Email: "ada@example.com", State: access.StateMember,
		Grant: access.Grant{Vendor: invitations.Box, Kind: access.KindGroup, Scope: "g"}}}}
	m, err := access.New(client, access.NewFileStore(filepath.Join(t.TempDir(), "state.json")),
		access.WithConnector(box), access.WithVendors(invitations.Box))
	require.NoError(t, err)
	var got []access.Record
	for r, err := range m.Audit(t.Context()) {
		require.NoError(t, err)
		got = append(got, r)
	}
	assert.Equal(t, box.have, got, "the audit went through the replacement, not the Box API")
}

func TestWithVendorsNeedsAConnector(t *testing.T) {
	t.Parallel()
	client, err := invitations.NewClient()
	require.NoError(t, err)
	store := access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	_, err = access.New(client, store, access.WithVendors("acme"))
	assert.ErrorContains(t, err, `unknown vendor "acme"`)
	_, err = access.New(client, store, access.WithConnector(nil))
	assert.ErrorContains(t, err, "must not be nil")
	_, err = access.New(client, store, access.WithConnector(&stubConnector{}))
	assert.ErrorContains(t, err, "API must not be empty")
}

func TestPersonGrantsFor(t *testing.T) {
	t.Parallel()
	a1 := access.Grant{Vendor: "acme", Kind: "team", Scope: "1"}
	a2 := access.Grant{Vendor: "acme", Kind: "team", Scope: "2"}
	p := access.Person{Grants: []access.Grant{a1, {Vendor: "other"}, a2}}
	assert.Equal(t, []access.Grant{a1, a2}, p.GrantsFor("acme"))
	assert.Empty(t, p.GrantsFor(invitations.Box), "a shipped vendor's grants are in its own field")
}
