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

// pxRoleBinding is a Portworx role-binding grant.
func pxRoleBinding(scope, name, level string) Grant {
	return Grant{Vendor: invitations.Portworx, Kind: KindRoleBinding, Scope: scope, ScopeName: name, Level: level}
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

	// 120 invitations in the demo tenant, one page of 1,000; one page of
	// tenant-x. Someone is absent: the role bindings of both tenants too.
	assert.Equal(t, []string{pxTenant, "tenant-x"}, tenantsListed(t, srv))
	assert.Equal(t, append(repeat(invitationstest.PortworxListInvitations, 2), repeat(invitationstest.PortworxListIAM, 2)...), operations(srv))
	assert.Equal(t, []Record{
		{Email: "user001@example.com", Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject), State: StatePending, ID: invitationstest.PortworxDemoInvitationUID},
		{Email: "user003@example.com", Grant: pxGrant("tenant:"+pxTenant, "project-writer@project:"+pxProject+",project-writer@project:"+pxStaging+",tenant-admin"), State: StatePending, ID: "6f1c2a8e-3b4d-4e5f-9a0b-000000000003"},
		// The demo person's user holds two role bindings.
		{Email: "user001@example.com", Grant: pxRoleBinding("project:"+pxProject, "Demo Project", "project-writer"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
		{Email: "user001@example.com", Grant: pxRoleBinding("tenant:"+pxTenant, "Demo Organization", "tenant-admin"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
	}, view.Have)
	assert.Equal(t, map[string][]Grant{"new@example.com": {pxGrant("tenant:tenant-x", "a,b")}}, view.Want)
	assert.Equal(t, map[string]bool{"invitation|tenant:tenant-x": true}, view.Scopes)
	assert.Empty(t, view.Problems)
	assert.Equal(t, map[string]string{"user001@example.com": invitationstest.PortworxDemoActorID}, view.Subjects)
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
	var bindings []Record
	for r, err := range conn.audit(ctx, viewOf(nil)) {
		require.NoError(t, err)
		assert.NotEmpty(t, r.Email)
		assert.NotEmpty(t, r.ID)
		if r.Grant.Kind == KindRoleBinding {
			bindings = append(bindings, r)
			continue
		}
		assert.Equal(t, KindInvitation, r.Grant.Kind)
		assert.Empty(t, bindings, "invitations first")
		n++
		if r.State == StateMember {
			accepted++
		}
	}
	assert.Equal(t, 120, n)
	assert.Equal(t, 30, accepted)
	// The users who accepted hold the roles of their invitation, one
	// record per scope; the demo person holds two besides.
	assert.Equal(t, []Record{
		{Email: "user001@example.com", Grant: pxRoleBinding("project:"+pxProject, "Demo Project", "project-writer"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
		{Email: "user001@example.com", Grant: pxRoleBinding("tenant:"+pxTenant, "Demo Organization", "tenant-admin"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
	}, bindings[:2])
	users := map[string]bool{}
	for _, r := range bindings {
		users[r.Email] = true
		assert.Equal(t, StateGranted, r.State)
	}
	assert.Len(t, users, 1+30)
	assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxListInvitations, invitationstest.PortworxListIAM}, operations(srv))

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
	assert.Equal(t, 1120+52, n, "the invitations, and the role bindings of 31 users")
	assert.Equal(t, append(demoTenant, "portworx.ListIAM tenantUid="+pxTenant+" pagination.pageNumber=1 pagination.pageSize=1000"),
		pagedRequests(t, srv, keys...), "the audit lists the same way")
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

// iamOf returns the role bindings of the demo person's user.
func iamOf(t *testing.T, c *invitations.Client) models.PortworxAccessPolicy {
	t.Helper()
	iam, err := c.IAM.GetIAM(context.Background(), invitationstest.PortworxDemoActorID)
	require.NoError(t, err)
	return iam.Config.AccessPolicy
}

func TestPortworxReadRoleBindings(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	email := invitationstest.DemoPersonEmail
	people := []Person{
		{Email: email, PortworxRoleBindings: []PortworxRoleBinding{
			{TenantID: pxTenant, Roles: []string{"tenant-viewer", "tenant-admin"}},
			{ProjectID: pxStaging, Roles: []string{"project-reader"}},
		}},
		// No user of theirs holds a role: nobody to grant to.
		{Email: "new@example.com", PortworxRoleBindings: []PortworxRoleBinding{{TenantID: pxTenant, Roles: []string{"tenant-viewer"}}}},
	}
	srv.ClearRequests()

	view, err := asTest(newPortworxConnector(c, nil)).read(context.Background(), people, viewOf(nil))
	require.NoError(t, err)

	// The tenant a role binding names is listed, invitations and roles.
	assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxListInvitations, invitationstest.PortworxListIAM}, operations(srv))
	assert.Equal(t, map[string][]Grant{
		email:             {pxRoleBinding("tenant:"+pxTenant, "", "tenant-admin,tenant-viewer"), pxRoleBinding("project:"+pxStaging, "", "project-reader")},
		"new@example.com": {pxRoleBinding("tenant:"+pxTenant, "", "tenant-viewer")},
	}, view.Want)
	assert.Equal(t, map[string]string{email: invitationstest.PortworxDemoActorID}, view.Subjects)
	require.Len(t, view.Problems, 1)
	assert.Equal(t, pxRoleBinding("tenant:"+pxTenant, "", "tenant-viewer").Key("new@example.com"), view.Problems[0].Key)
	assert.Contains(t, view.Problems[0].Reason, "no Portworx user with this email holds a role")
	assert.Equal(t, "people[1].PortworxRoleBindings[0]", view.Problems[0].Field)
	assert.True(t, view.Scopes["role-binding|tenant:"+pxTenant])
	assert.Equal(t, []Record{
		{Email: email, Grant: pxRoleBinding("project:"+pxProject, "Demo Project", "project-writer"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
		{Email: email, Grant: pxRoleBinding("tenant:"+pxTenant, "Demo Organization", "tenant-admin"), State: StateGranted, ID: invitationstest.PortworxDemoActorID},
	}, recordsOf(view.Have, email)[1:], "after their invitation")
	assert.False(t, view.Reissue(recordsOf(view.Have, email)[1]), "roles change in place")
	assert.True(t, view.Reissue(recordsOf(view.Have, email)[0]), "an invitation is re-sent")

	// Without an absent person or a desired role binding, no IAM is read.
	srv.ClearRequests()
	_, err = asTest(newPortworxConnector(c, []string{pxTenant})).read(context.Background(), []Person{{Email: email}}, viewOf(nil))
	require.NoError(t, err)
	assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxListInvitations}, operations(srv))
}

func TestPortworxPlanRoleBindings(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	m, err := New(c, NewFileStore(t.TempDir()+"/state.json"), WithVendors(invitations.Portworx), WithPortworxTenants(pxTenant))
	require.NoError(t, err)
	email := invitationstest.DemoPersonEmail
	plan, err := m.Plan(context.Background(), []Person{{Email: email, PortworxRoleBindings: []PortworxRoleBinding{
		{TenantID: pxTenant, Roles: []string{"tenant-viewer"}},
		{ProjectID: pxProject, Roles: []string{"project-writer"}},
		{ProjectID: pxStaging, Roles: []string{"project-reader"}},
	}}}, PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 2)
	// A new scope is a create; other roles in a scope an update in place
	// (a mover), not a removal and a grant, nor a re-invite.
	assert.Equal(t, Change{Action: Create, Email: email, Grant: pxRoleBinding("project:"+pxStaging, "", "project-reader"), Target: invitationstest.PortworxDemoActorID,
		Reason: email + " should have portworx role-binding project:" + pxStaging + " (project-reader)"}, plan.Changes[0])
	up := plan.Changes[1]
	assert.Equal(t, Update, up.Action)
	assert.Empty(t, up.Note)
	assert.Equal(t, "tenant-admin", up.From.Level)
	assert.Equal(t, "tenant-viewer", up.Grant.Level)
	assert.Equal(t, invitationstest.PortworxDemoActorID, up.Target)
}

func TestPortworxExecuteRoleBindings(t *testing.T) {
	t.Parallel()
	actor := invitationstest.PortworxDemoActorID
	email := invitationstest.DemoPersonEmail
	tenantAdmin := pxRoleBinding("tenant:"+pxTenant, "", "tenant-admin")
	bind := func(role, id string) []models.PortworxRoleBinding {
		return []models.PortworxRoleBinding{{RoleName: role, ResourceIDs: []string{id}}}
	}

	t.Run("create grants", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Create, Email: email, Grant: pxRoleBinding("project:"+pxStaging, "", "a,b"), Target: actor}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxGrantIAM}, operations(srv))
		assert.Equal(t, "/portworx/core/v1/iam/"+actor+":grant", srv.Requests()[0].Path)
		assert.JSONEq(t, `{"projectId":"`+pxStaging+`","accessPolicy":{"project":[{"roleName":"a","resourceIds":["`+pxStaging+`"]},{"roleName":"b","resourceIds":["`+pxStaging+`"]}]}}`, string(srv.Requests()[0].Body))
		assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{pxProject}}, {RoleName: "a", ResourceIDs: []string{pxStaging}}, {RoleName: "b", ResourceIDs: []string{pxStaging}}},
			iamOf(t, c).Project)
	})
	t.Run("create on an account", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Create, Email: email, Grant: pxRoleBinding("account:"+invitationstest.PortworxDemoAccountID, "", "account-viewer"), Target: actor}, viewOf(nil))
		require.NoError(t, err)
		assert.JSONEq(t, `{"accountId":"`+invitationstest.PortworxDemoAccountID+`","accessPolicy":{"account":["account-viewer"]}}`, string(srv.Requests()[0].Body))
		assert.Equal(t, []string{"account-viewer"}, iamOf(t, c).Account)
	})
	t.Run("update grants the new roles, then revokes the old", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		from := tenantAdmin
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Update, Email: email, Grant: pxRoleBinding("tenant:"+pxTenant, "", "tenant-viewer"), From: &from, Target: actor}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxGrantIAM, invitationstest.PortworxRevokeIAM}, operations(srv))
		assert.JSONEq(t, `{"tenantId":"`+pxTenant+`","accessPolicy":{"tenant":[{"roleName":"tenant-viewer","resourceIds":["`+pxTenant+`"]}]}}`, string(srv.Requests()[0].Body))
		assert.JSONEq(t, `{"tenantId":"`+pxTenant+`","accessPolicy":{"tenant":[{"roleName":"tenant-admin","resourceIds":["`+pxTenant+`"]}]}}`, string(srv.Requests()[1].Body))
		assert.Equal(t, bind("tenant-viewer", pxTenant), iamOf(t, c).Tenant)
	})
	t.Run("update that only drops a role revokes only", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, err := c.IAM.GrantIAM(context.Background(), actor, &models.PortworxGrantIAMRequest{PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenant}, AccessPolicy: models.PortworxAccessPolicy{Tenant: bind("tenant-viewer", pxTenant)}})
		require.NoError(t, err)
		srv.ClearRequests()
		from := pxRoleBinding("tenant:"+pxTenant, "", "tenant-admin,tenant-viewer")
		_, err = asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Update, Email: email, Grant: pxRoleBinding("tenant:"+pxTenant, "", "tenant-viewer"), From: &from, Target: actor}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxRevokeIAM}, operations(srv))
		assert.Equal(t, bind("tenant-viewer", pxTenant), iamOf(t, c).Tenant)
	})
	t.Run("update whose revoke fails is partly done", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.PortworxRevokeIAM, Status: 403})
		from := tenantAdmin
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Update, Email: email, Grant: pxRoleBinding("tenant:"+pxTenant, "", "tenant-viewer"), From: &from, Target: actor}, viewOf(nil))
		var partly *PartlyDone
		require.ErrorAs(t, err, &partly)
		assert.ErrorIs(t, err, invitations.ErrForbidden)
		assert.Equal(t, "the roles tenant-viewer were granted", partly.Done)
	})
	t.Run("remove revokes, a second time is a 404", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		conn := asTest(newPortworxConnector(c, nil))
		srv.ClearRequests()
		ch := Change{Action: Remove, Email: email, Grant: tenantAdmin, Target: actor}
		_, err := conn.execute(context.Background(), ch, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxRevokeIAM}, operations(srv))
		assert.Empty(t, iamOf(t, c).Tenant)
		_, err = conn.execute(context.Background(), ch, viewOf(nil))
		assert.ErrorIs(t, err, invitations.ErrNotFound, "for the engine to call already done")
	})
	t.Run("remove of a namespace role deletes what is left", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		_, err := asTest(newPortworxConnector(c, nil)).execute(context.Background(),
			Change{Action: Remove, Email: email, Grant: pxRoleBinding("namespace:ns1", "", "ns-admin"), Target: actor}, viewOf(nil))
		require.NoError(t, err)
		assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxDeleteIAM}, operations(srv))
		_, err = c.IAM.GetIAM(context.Background(), actor)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
	t.Run("no user or no scope sends nothing", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		srv.ClearRequests()
		conn := asTest(newPortworxConnector(c, nil))
		_, err := conn.execute(context.Background(), Change{Action: Create, Email: email, Grant: tenantAdmin}, viewOf(nil))
		assert.ErrorContains(t, err, "no Portworx user")
		_, err = conn.execute(context.Background(), Change{Action: Create, Email: email, Grant: pxRoleBinding("global", "", "r"), Target: actor}, viewOf(nil))
		assert.ErrorContains(t, err, `"global"`)
		assert.Empty(t, operations(srv))
	})
}

func TestPortworxIAMRecords(t *testing.T) {
	t.Parallel()
	iam := &models.PortworxIAM{
		Meta: &models.PortworxMeta{ParentReference: &models.PortworxReference{UID: "acct"}, ResourceNames: map[string]string{"t": "T"}},
		Config: &models.PortworxIAMConfig{ActorID: "u", ActorEmail: "X@Example.com", AccessPolicy: models.PortworxAccessPolicy{
			GlobalScope: []string{"g"}, Account: []string{"z", "y"},
			Tenant:    []models.PortworxRoleBinding{{RoleName: "b", ResourceIDs: []string{"t"}}, {RoleName: "a", ResourceIDs: []string{"t", "t2"}}, {RoleName: "all"}},
			Namespace: []models.PortworxRoleBinding{{RoleName: "ns", ResourceIDs: []string{"n"}}},
		}},
	}
	rec := func(scope, name, level string) Record {
		return Record{Email: "x@example.com", Grant: pxRoleBinding(scope, name, level), State: StateGranted, ID: "u"}
	}
	assert.Equal(t, []Record{
		rec("account:acct", "", "y,z"), rec("global", "", "g"), rec("namespace:n", "", "ns"),
		rec("tenant", "", "all"), rec("tenant:t", "T", "a,b"), rec("tenant:t2", "", "a"),
	}, portworxIAMRecords(iam))
	iam.Config.ActorEmail = ""
	assert.Empty(t, portworxIAMRecords(iam), "a service account is nobody's")
}

// The demo person offboarded on Portworx: their role bindings revoked,
// then their invitation deleted; a second offboard sends no write.
func TestPortworxOffboard(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	m, err := New(c, NewFileStore(t.TempDir()+"/state.json"), WithVendors(invitations.Portworx), WithPortworxTenants(pxTenant))
	require.NoError(t, err)
	email := invitationstest.DemoPersonEmail
	plan, err := m.Offboard(context.Background(), email)
	require.NoError(t, err)
	var kinds []Kind
	for _, ch := range plan.Changes {
		assert.Equal(t, Remove, ch.Action)
		kinds = append(kinds, ch.Grant.Kind)
	}
	assert.Equal(t, []Kind{KindRoleBinding, KindRoleBinding, KindInvitation}, kinds)

	srv.ClearRequests()
	results, err := m.Apply(context.Background(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxRevokeIAM, invitationstest.PortworxRevokeIAM, invitationstest.PortworxDeleteInvitation}, operations(srv))
	policy := iamOf(t, c)
	assert.Empty(t, policy.Tenant)
	assert.Empty(t, policy.Project)

	srv.ClearRequests()
	again, err := m.Offboard(context.Background(), email)
	require.NoError(t, err)
	assert.True(t, again.Empty(), "nothing left: %v", again.Changes)
	_, err = m.Apply(context.Background(), again)
	require.NoError(t, err)
	assert.Equal(t, []invitationstest.Operation{invitationstest.PortworxListInvitations, invitationstest.PortworxListIAM}, operations(srv), "reads only")
}
