package access

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

const (
	pxTenant  = invitationstest.PortworxDemoTenantID
	pxProject = invitationstest.PortworxDemoProjectID
	// pxStaging is the demo tenant's second project.
	pxStaging = "d2a4c6e8-1b3d-4f5a-8c7e-9f0a1b2c3d4e"
)

// pxGrant is a Portworx invitation grant.
func pxGrant(scope, level string) Grant {
	return Grant{Vendor: invitations.Portworx, Kind: KindInvitation, Scope: scope, Level: level}
}

// tenantsListed returns the tenantUid of every ListInvitations request.
func tenantsListed(t *testing.T, srv *invitationstest.TestServer) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		if r.Operation != invitationstest.PortworxListInvitations {
			continue
		}
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		out = append(out, q.Get("tenantUid"))
	}
	return out
}

// recordsOf returns the records of email in have.
func recordsOf(have []Record, email string) []Record {
	var out []Record
	for _, r := range have {
		if r.Email == email {
			out = append(out, r)
		}
	}
	return out
}

func TestPortworxReadPeopleAndDesiredTenants(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	people := []Person{
		// Known to the demo tenant, nothing desired: their invitation is read.
		{Email: "User001@Example.com"},
		// Absent: read, nothing wanted.
		{Email: "user003@example.com", Absent: true, Portworx: []PortworxAccess{{TenantID: "ignored"}}},
		// Wants a tenant nobody configured: that tenant is listed too.
		{Email: "new@example.com", Portworx: []PortworxAccess{{TenantID: "tenant-x", Roles: []string{"b", "a", "b"}}}},
	}
	srv.ClearRequests()

	view, err := asTest(newPortworxConnector(c, []string{pxTenant, pxTenant})).read(context.Background(), people, viewOf(nil))
	require.NoError(t, err)

	// 120 invitations in the demo tenant, one page of 1,000; one page of tenant-x.
	assert.Equal(t, []string{pxTenant, "tenant-x"}, tenantsListed(t, srv))
	assert.Equal(t, repeat(invitationstest.PortworxListInvitations, 2), operations(srv))
	assert.Equal(t, []Record{
		{Email: "user001@example.com", Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject), State: StatePending, ID: invitationstest.PortworxDemoInvitationUID},
		{Email: "user003@example.com", Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject+",project-writer@project:"+pxStaging+",tenant-admin"), State: StatePending, ID: "6f1c2a8e-3b4d-4e5f-9a0b-000000000003"},
	}, view.Have)
	assert.Equal(t, map[string][]Grant{"new@example.com": {pxGrant("tenant:tenant-x", "a,b")}}, view.Want)
	assert.Equal(t, map[string]bool{"invitation|tenant:tenant-x": true}, view.Scopes)
	assert.Empty(t, view.Problems)
	assert.Empty(t, view.Subjects)
}

func TestPortworxReadScopesAndStates(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	people := []Person{
		{Email: "user004@example.com"}, // accepted
		{Email: "lead@example.com", Portworx: []PortworxAccess{{ProjectID: pxProject, Roles: []string{"project-admin"}}}},
	}
	view, err := asTest(newPortworxConnector(c, []string{pxTenant})).read(context.Background(), people, viewOf(nil))
	require.NoError(t, err)

	assert.Equal(t, []Record{{Email: "user004@example.com", Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject), State: StateMember, ID: "6f1c2a8e-3b4d-4e5f-9a0b-000000000004"}},
		recordsOf(view.Have, "user004@example.com"))
	// Everyone invited to the desired project is read, for prune: every
	// third demo invitation, one in four of them accepted.
	inScope, accepted := 0, 0
	for _, r := range view.Have {
		if r.Grant.Scope != "project:"+pxProject {
			continue
		}
		inScope++
		assert.Equal(t, "project-admin", r.Grant.Level)
		if r.State == StateMember {
			accepted++
		}
	}
	assert.Equal(t, 40, inScope)
	assert.Equal(t, 10, accepted)
	assert.Len(t, view.Have, 41)
	assert.Equal(t, []Record{{Email: "user002@example.com", Grant: pxGrant("project:"+pxProject, "project-admin"), State: StatePending, ID: "6f1c2a8e-3b4d-4e5f-9a0b-000000000002"}},
		recordsOf(view.Have, "user002@example.com"))
}

func TestPortworxReadProblems(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	people := []Person{{Email: "p@example.com", Portworx: []PortworxAccess{
		{AccountID: "a1", TenantID: "t1", Roles: []string{"r"}},
		{Roles: []string{"r"}},
		{ProjectID: "p1"},
		{AccountID: "a2", Roles: []string{"account-admin"}},
		{AccountID: "a2", Roles: []string{"other"}},
		{TenantID: "t3", Roles: []string{"ok", "a,b"}},
	}}}
	srv.ClearRequests()

	view, err := asTest(newPortworxConnector(c, nil)).read(context.Background(), people, viewOf(nil))
	require.NoError(t, err)

	assert.Empty(t, operations(srv), "no tenant to list")
	assert.Equal(t, map[string][]Grant{"p@example.com": {pxGrant("account:a2", "account-admin")}}, view.Want)
	var reasons []string
	for _, p := range view.Problems {
		assert.Equal(t, "p@example.com", p.Email)
		assert.Equal(t, invitations.Portworx, p.Vendor)
		reasons = append(reasons, p.Reason)
	}
	assert.Equal(t, []string{
		"a Portworx invitation needs exactly one of AccountID, TenantID or ProjectID, got 2",
		"a Portworx invitation needs exactly one of AccountID, TenantID or ProjectID, got 0",
		"the Portworx invitation to project:p1 has no roles",
		"two Portworx invitations to account:a2",
		`the Portworx invitation to tenant:t3 has the role "a,b": a role is not empty and has no "," or "@"`,
	}, reasons)
}

func TestPortworxExecuteCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, scope, body string
	}{
		{"tenant", "tenant:" + pxTenant, `{"invitation":{"config":{"userEmail":"new@example.com","tenantId":"` + pxTenant + `","accessPolicy":{"tenant":[{"roleName":"a","resourceIds":["` + pxTenant + `"]},{"roleName":"b","resourceIds":["` + pxTenant + `"]}]}}}}`},
		{"project", "project:" + pxProject, `{"invitation":{"config":{"userEmail":"new@example.com","projectId":"` + pxProject + `","accessPolicy":{"project":[{"roleName":"a","resourceIds":["` + pxProject + `"]},{"roleName":"b","resourceIds":["` + pxProject + `"]}]}}}}`},
		{"account", "account:" + invitationstest.PortworxDemoAccountID, `{"invitation":{"config":{"userEmail":"new@example.com","accountId":"` + invitationstest.PortworxDemoAccountID + `","accessPolicy":{"account":["a","b"]}}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoServer(t)
			ctx := context.Background()
			conn := asTest(newPortworxConnector(c, []string{pxTenant}))
			grant := pxGrant(tc.scope, "a,b")
			srv.ClearRequests()

			uid, err := conn.execute(ctx, Change{Action: Create, Email: "new@example.com", Grant: grant}, viewOf(nil))
			require.NoError(t, err)

			assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxCreateInvitation}, operations(srv))
			assert.JSONEq(t, tc.body, string(srv.Requests()[0].Body))
			// What was created reads back as the grant asked for.
			inv, err := c.AccountInvitations.GetInvitation(ctx, uid)
			require.NoError(t, err)
			r, ok := portworxRecord(inv)
			require.True(t, ok)
			assert.Equal(t, Record{Email: "new@example.com", Grant: grant, State: StatePending, ID: uid}, r)
		})
	}
}

func TestPortworxExecuteUpdateAndRemove(t *testing.T) {
	t.Parallel()
	uid := invitationstest.PortworxDemoInvitationUID
	email := invitationstest.DemoPersonEmail
	grant := pxGrant("tenant:"+pxTenant, "tenant-admin")

	t.Run("update deletes and creates", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		ctx := context.Background()
		conn := asTest(newPortworxConnector(c, []string{pxTenant}))
		srv.ClearRequests()

		newUID, err := conn.execute(ctx, Change{Action: Update, Email: email, Grant: grant, Target: uid}, viewOf(nil))
		require.NoError(t, err)

		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxDeleteInvitation, invitationstest.PortworxCreateInvitation}, operations(srv))
		assert.Equal(t, "/portworx/core/v1/invite/"+uid, srv.Requests()[0].Path)
		_, err = c.AccountInvitations.GetInvitation(ctx, uid)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
		view, err := conn.read(ctx, []Person{{Email: email}}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []Record{{Email: email, Grant: grant, State: StatePending, ID: newUID}}, view.Have)
	})
	t.Run("update of a deleted invitation creates it", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		ctx := context.Background()
		require.NoError(t, c.AccountInvitations.DeleteInvitation(ctx, uid, nil))
		srv.ClearRequests()

		_, err := asTest(newPortworxConnector(c, nil)).execute(ctx, Change{Action: Update, Email: email, Grant: grant, Target: uid}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxDeleteInvitation, invitationstest.PortworxCreateInvitation}, operations(srv))
	})
	t.Run("update stops when the delete fails", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxDeleteInvitation, Status: 403})
		srv.ClearRequests()

		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(), Change{Action: Update, Email: email, Grant: grant, Target: uid}, viewOf(nil))
		assert.ErrorIs(t, err, invitations.ErrForbidden)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxDeleteInvitation}, operations(srv))
	})
	t.Run("remove", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		ctx := context.Background()
		conn := asTest(newPortworxConnector(c, nil))
		srv.ClearRequests()

		_, err := conn.execute(ctx, Change{Action: Remove, Email: email, Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject), Target: uid}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxDeleteInvitation}, operations(srv))
		_, err = c.AccountInvitations.GetInvitation(ctx, uid)
		assert.ErrorIs(t, err, invitations.ErrNotFound)

		// Removing it again gives the SDK's 404, for the engine to call
		// already done.
		_, err = conn.execute(ctx, Change{Action: Remove, Email: email, Grant: grant, Target: uid}, viewOf(nil))
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
	t.Run("create of an existing invitation", func(t *testing.T) {
		t.Parallel()
		_, c := demoServer(t)
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(), Change{Action: Create, Email: email, Grant: grant}, viewOf(nil))
		assert.ErrorIs(t, err, invitations.ErrConflict)
	})
	t.Run("bad scope", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(), Change{Action: Create, Email: email, Grant: pxGrant("org:x", "r")}, viewOf(nil))
		assert.ErrorContains(t, err, `scope "org:x"`)
		assert.Empty(t, operations(srv))
	})
}

func TestPortworxAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	conn := asTest(newPortworxConnector(c, []string{pxTenant}))
	srv.ClearRequests()

	n, accepted := 0, 0
	for r, err := range conn.audit(ctx, viewOf(nil)) {
		require.NoError(t, err)
		n++
		if r.State == StateMember {
			accepted++
		}
		assert.Equal(t, KindInvitation, r.Grant.Kind)
		assert.NotEmpty(t, r.Email)
		assert.NotEmpty(t, r.ID)
	}
	assert.Equal(t, 120, n)
	assert.Equal(t, 30, accepted)
	assert.Equal(t, repeat(invitationstest.PortworxListInvitations, 1), operations(srv))

	for _, tc := range []struct{ take, requests int }{{1, 1}, {120, 1}} {
		srv.ClearRequests()
		i := 0
		for _, err := range conn.audit(ctx, viewOf(nil)) {
			require.NoError(t, err)
			if i++; i == tc.take {
				break
			}
		}
		assert.Equal(t, repeat(invitationstest.PortworxListInvitations, tc.requests), operations(srv), "after %d records", tc.take)
	}
}

func TestPortworxRecordLevel(t *testing.T) {
	t.Parallel()
	bind := func(role string, ids ...string) models.PortworxRoleBinding {
		return models.PortworxRoleBinding{RoleName: role, ResourceIDs: ids}
	}
	for _, tc := range []struct {
		name  string
		cfg   models.PortworxInvitationConfig
		scope string
		level string
	}{
		{"account roles on an account", models.PortworxInvitationConfig{AccountID: "a", AccessPolicy: models.PortworxAccessPolicy{Account: []string{"z", "y", "z"}}}, "account:a", "y,z"},
		{"everything else is qualified", models.PortworxInvitationConfig{TenantID: "t", AccessPolicy: models.PortworxAccessPolicy{
			GlobalScope: []string{"g"}, Account: []string{"acc"},
			Tenant:    []models.PortworxRoleBinding{bind("own", "t"), bind("other", "t2"), bind("bare")},
			Namespace: []models.PortworxRoleBinding{bind("ns", "t")}, // another kind with the scope's id
		}}, "tenant:t", "acc@account,bare@tenant,g@global,ns@namespace:t,other@tenant:t2,own"},
		{"project bindings", models.PortworxInvitationConfig{ProjectID: "p", AccessPolicy: models.PortworxAccessPolicy{
			Project: []models.PortworxRoleBinding{bind("w", "p", "q")},
		}}, "project:p", "w,w@project:q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.UserEmail = "X@Example.com"
			r, ok := portworxRecord(&models.PortworxInvitation{Meta: &models.PortworxMeta{UID: "u"}, Config: &tc.cfg})
			require.True(t, ok)
			assert.Equal(t, Record{Email: "x@example.com", Grant: pxGrant(tc.scope, tc.level), State: StatePending, ID: "u"}, r)
		})
	}
	_, ok := portworxRecord(&models.PortworxInvitation{Config: &models.PortworxInvitationConfig{UserEmail: "x@example.com"}})
	assert.False(t, ok, "no scope")
	_, ok = portworxRecord(&models.PortworxInvitation{})
	assert.False(t, ok, "no config")
}

// invitePortworx invites n people (bulk0001@example.com and on) to the
// demo tenant as tenant admins.
func invitePortworx(t *testing.T, c *invitations.Client, n int) {
	t.Helper()
	conn := asTest(newPortworxConnector(c, nil))
	for i := range n {
		_, err := conn.execute(context.Background(), Change{Action: Create, Email: fmt.Sprintf("bulk%04d@example.com", i+1), Grant: pxGrant("tenant:"+pxTenant, "tenant-admin")}, viewOf(nil))
		require.NoError(t, err)
	}
}

func TestPortworxReadRequests(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	invitePortworx(t, c, 1000) // 1,120 invitations in the demo tenant: two pages of 1,000
	conn := asTest(newPortworxConnector(c, []string{pxTenant}))
	demoTenant := []string{
		"portworx.ListInvitations tenantUid=" + pxTenant + " pagination.pageNumber=1 pagination.pageSize=1000",
		"portworx.ListInvitations tenantUid=" + pxTenant + " pagination.pageNumber=2 pagination.pageSize=1000",
	}
	keys := []string{"tenantUid", "pagination.pageNumber", "pagination.pageSize"}

	var people []Person
	for i := range 40 {
		people = append(people, Person{Email: fmt.Sprintf("bulk%04d@example.com", 25*i+1), Portworx: []PortworxAccess{{TenantID: pxTenant, Roles: []string{"tenant-admin"}}}})
	}
	people = append(people, Person{Email: "new@example.com", Portworx: []PortworxAccess{{TenantID: "tenant-x", Roles: []string{"r"}}}})
	srv.ClearRequests()
	view, err := conn.read(context.Background(), people, viewOf(nil))
	require.NoError(t, err)
	// The lists do not depend on the number of people: each tenant once,
	// 1,000 a page.
	assert.Equal(t, append(slices.Clone(demoTenant),
		"portworx.ListInvitations tenantUid=tenant-x pagination.pageNumber=1 pagination.pageSize=1000"), pagedRequests(t, srv, keys...))
	// The demo tenant is a desired scope: everyone invited to it is read,
	// for prune.
	assert.Len(t, view.Have, 1000+80)

	srv.ClearRequests()
	n := 0
	for _, err := range conn.audit(context.Background(), viewOf(nil)) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1120, n)
	assert.Equal(t, demoTenant, pagedRequests(t, srv, keys...), "the audit lists the same way")
}

func TestPortworxPageSizeRefusedFallsBackToTheDefault(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	conn := asTest(newPortworxConnector(c, []string{pxTenant}))
	srv.ClearRequests()
	srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxListInvitations, Status: 400})

	view, err := conn.read(context.Background(), []Person{{Email: "user001@example.com"}}, viewOf(nil))
	require.NoError(t, err)
	assert.Len(t, view.Have, 1)
	assert.Equal(t, []string{
		"portworx.ListInvitations pagination.pageNumber=1 pagination.pageSize=1000",
		"portworx.ListInvitations pagination.pageNumber=1 pagination.pageSize=50",
		"portworx.ListInvitations pagination.pageNumber=2 pagination.pageSize=50",
		"portworx.ListInvitations pagination.pageNumber=3 pagination.pageSize=50",
	}, pagedRequests(t, srv, "pagination.pageNumber", "pagination.pageSize"))

	// A refusal after the first page is not a new start: the tenant is
	// partly read, and the coverage says so.
	srv.ClearRequests()
	invitePortworx(t, c, 1000)
	srv.ClearRequests()
	// The first fault only takes the first page's turn; the second refuses
	// the second page.
	srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxListInvitations, Latency: time.Nanosecond})
	srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxListInvitations, Status: 400})
	view, err = conn.read(context.Background(), []Person{{Email: "user001@example.com"}}, viewOf(nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"tenant " + pxTenant + " cannot be listed (400 Bad Request)"}, view.Partial)
	assert.Equal(t, []string{
		"portworx.ListInvitations pagination.pageNumber=1 pagination.pageSize=1000",
		"portworx.ListInvitations pagination.pageNumber=2 pagination.pageSize=1000",
	}, pagedRequests(t, srv, "pagination.pageNumber", "pagination.pageSize"))
}
