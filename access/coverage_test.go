package access_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
)

// A plan and an audit say what they read: a vendor put in scope as not
// readable, Portworx without a tenant, Freestyle identities nobody the
// state knows; a complete read is complete.
func TestCoverageSaysWhatWasRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	offboard := []access.Person{{Email: invitationstest.DemoPersonEmail, Absent: true}}

	m, err := access.New(e.client, e.store, access.WithNotRead(invitations.Freestyle, "FREESTYLE_API_KEY not set"))
	require.NoError(t, err)
	before := len(e.srv.Requests())
	plan, err := m.Plan(t.Context(), offboard, access.PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, access.Coverage{Vendors: []access.VendorCoverage{
		{Vendor: invitations.GitGuardian, Read: true},
		{Vendor: invitations.Box, Read: true},
		{Vendor: invitations.Freestyle, NotRead: "FREESTYLE_API_KEY not set"},
		{Vendor: invitations.BIMData, Read: true},
		{Vendor: invitations.Portworx, NotRead: "no tenant to read: invitations are listed per tenant"},
	}}, plan.Coverage)
	assert.False(t, plan.Coverage.Complete())
	assert.Equal(t, "Read: gitguardian, box, bimdata. Not read: freestyle (FREESTYLE_API_KEY not set), portworx (no tenant to read: invitations are listed per tenant).", plan.Coverage.String())
	for _, r := range e.srv.Requests()[before:] {
		assert.NotContains(t, string(r.Operation), "freestyle", "a vendor not read is not asked")
	}
	for _, c := range plan.Changes {
		assert.NotEqual(t, invitations.Freestyle, c.Grant.Vendor)
	}
	assert.Equal(t, plan.Coverage.Vendors[:4], m.Coverage().Vendors[:4], "an audit's coverage, before it reads")

	// The demo's state and a tenant: everything is read.
	plan, err = e.manager.Plan(t.Context(), offboard, access.PlanOptions{})
	require.NoError(t, err)
	assert.True(t, plan.Coverage.Complete(), plan.Coverage.String())
	assert.Positive(t, plan.GrantsRead)
	for _, c := range plan.Changes {
		// Removals, but the Box account, which offboarding deactivates.
		if c.Action != access.Remove {
			assert.Equal(t, access.KindAccount, c.Grant.Kind, c.Reason)
		}
	}

	// A state that knows no identity: Freestyle is partly read.
	lost, err := access.New(e.client, access.NewFileStore(t.TempDir()+"/state.json"), access.WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	plan, err = lost.Plan(t.Context(), offboard, access.PlanOptions{})
	require.NoError(t, err)
	fs, ok := plan.Coverage.Of(invitations.Freestyle)
	require.True(t, ok)
	assert.True(t, fs.Read)
	assert.Equal(t, []string{"150 identities belong to nobody the state knows"}, fs.Partial)
	assert.Contains(t, plan.Coverage.String(), "Partly read: freestyle (150 identities belong to nobody the state knows).")

	// Prune with nobody is refused before any read.
	before = len(e.srv.Requests())
	_, err = e.manager.Plan(t.Context(), nil, access.PlanOptions{Prune: true})
	require.ErrorIs(t, err, access.ErrPruneEverything)
	assert.Equal(t, before, len(e.srv.Requests()))
}

// A Portworx tenant the credentials cannot list is a partial read, named;
// the other tenants are read.
func TestAPortworxTenantThatCannotBeListedIsAPartialRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxListInvitations, Status: 403})
	e.srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxListIAM, Status: 403})
	m, err := access.New(e.client, e.store, access.WithVendors(invitations.Portworx), access.WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	require.NoError(t, err)
	plan, err := m.Plan(t.Context(), []access.Person{{Email: invitationstest.DemoPersonEmail, Absent: true}}, access.PlanOptions{})
	require.NoError(t, err, "one tenant's refusal does not end the plan")
	px, _ := plan.Coverage.Of(invitations.Portworx)
	assert.Equal(t, []string{
		"tenant " + invitationstest.PortworxDemoTenantID + " cannot be listed (403 Forbidden)",
		"the role bindings of tenant " + invitationstest.PortworxDemoTenantID + " cannot be listed (403 Forbidden)",
	}, px.Partial)
	assert.False(t, plan.Coverage.Complete())
	assert.Empty(t, plan.Changes)
}
