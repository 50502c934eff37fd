package fake_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

func pxActors(items []models.PortworxIAM) []string {
	out := make([]string, 0, len(items))
	for _, iam := range items {
		out = append(out, iam.Config.ActorID)
	}
	return out
}

func pxEmails(items []models.PortworxIAM) []string {
	out := make([]string, 0, len(items))
	for _, iam := range items {
		out = append(out, iam.Config.ActorEmail)
	}
	return out
}

func TestFakePortworxIAMDemoData(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	me, err := c.IAM.GetIAM(ctx, fake.PortworxDemoActorID)
	require.NoError(t, err)
	assert.Equal(t, fake.PortworxDemoActorID, me.Config.ActorID)
	assert.Equal(t, "USER", me.Config.ActorType)
	assert.Equal(t, fake.DemoPersonEmail, me.Config.ActorEmail)
	assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{fake.PortworxDemoTenantID}}}, me.Config.AccessPolicy.Tenant)
	assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID}}}, me.Config.AccessPolicy.Project)
	assert.Equal(t, &models.PortworxReference{Type: "account", Version: "v1", UID: fake.PortworxDemoAccountID}, me.Meta.ParentReference)
	assert.Equal(t, map[string]string{fake.PortworxDemoTenantID: "Demo Organization", fake.PortworxDemoProjectID: "Demo Project"}, me.Meta.ResourceNames)

	// The demo person and the 30 users whose demo invitation was accepted
	// (every fourth: user004, user008, ...) hold roles in the demo tenant.
	all, err := c.IAM.ListIAM(ctx, fake.PortworxDemoTenantID, &invitations.ListIAMOptions{PageSize: 10}).Collect(0)
	require.NoError(t, err)
	require.Len(t, all, 31)
	assert.Equal(t, fake.DemoPersonEmail, all[0].Config.ActorEmail)
	assert.Equal(t, "user004@example.com", all[1].Config.ActorEmail)
	// Each holds the roles of the invitation they accepted.
	invitation := models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID}}}}
	assert.Equal(t, invitation.Project, all[1].Config.AccessPolicy.Project)

	_, err = c.IAM.GetIAM(ctx, fake.PortworxDemoServiceAccountID)
	require.ErrorIs(t, err, invitations.ErrNotFound, "the demo service account holds no role yet")
}

func TestFakePortworxIAMListFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	tenant := fake.PortworxDemoTenantID

	var sizes []int
	for page, err := range c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{PageSize: 10}).Pages() {
		require.NoError(t, err)
		assert.Equal(t, int64(31), page.Total)
		sizes = append(sizes, len(page.Items))
	}
	assert.Equal(t, []int{10, 10, 10, 1}, sizes)
	assert.Equal(t, 4, srv.RequestCount(fake.PortworxListIAM))

	desc, err := c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{SortBy: models.PortworxIAMSortByEmail, SortOrder: models.PortworxSortOrderDesc, PageSize: 3}).Collect(3)
	require.NoError(t, err)
	assert.Equal(t, []string{"user120@example.com", "user116@example.com", "user112@example.com"}, pxEmails(desc))
	asc, err := c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{SortBy: models.PortworxIAMSortByEmail}).Collect(2)
	require.NoError(t, err)
	assert.Equal(t, []string{fake.DemoPersonEmail, "user004@example.com"}, pxEmails(asc), "ascending by default")

	one, err := c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{ActorID: fake.PortworxDemoActorID}).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{fake.PortworxDemoActorID}, pxActors(one))

	// The users of the invitations with a role on both projects
	// (user012, user024, ... user120).
	staging, err := c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{ProjectUID: "d2a4c6e8-1b3d-4f5a-8c7e-9f0a1b2c3d4e"}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, staging, 10)
	assert.Equal(t, "user012@example.com", staging[0].Config.ActorEmail)

	none, err := c.IAM.ListIAM(ctx, "no-such-tenant", nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, none)

	base := srv.BaseURLs.Portworx + "/core/v1/iam"
	resp, body := rawGet(t, base, pxAuth)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"code": 3, "message": "tenant_uid: value is required", "details": []}`, body)
	resp, _ = rawGet(t, base+"?tenantUid="+tenant+"&sort.sortBy=NAME", pxAuth)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "an unknown enum name")
	resp, body = rawGet(t, base+"?tenant_uid="+tenant+"&sort.sort_by=1&sort.sort_order=2&pagination.page_size=1", pxAuth)
	require.Equal(t, http.StatusOK, resp.StatusCode, "proto names and enum numbers, as the gateway accepts them")
	var page struct {
		IAM []struct {
			Config struct{ ActorEmail string } `json:"config"`
		} `json:"iam"`
		Pagination map[string]string `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Len(t, page.IAM, 1)
	assert.Equal(t, "user120@example.com", page.IAM[0].Config.ActorEmail)
	assert.Equal(t, map[string]string{"totalRecords": "31", "currentPage": "1", "pageSize": "1", "totalPages": "31", "nextPage": "2", "prevPage": "-1"}, page.Pagination)
}

func TestFakePortworxIAMLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	svc := c.IAM
	sa := fake.PortworxDemoServiceAccountID
	projectRole := models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID}}}}

	created, err := svc.CreateIAM(ctx, &models.PortworxIAM{
		Meta:   &models.PortworxMeta{Name: "ci-deployer"},
		Config: &models.PortworxIAMConfig{ActorID: sa, AccessPolicy: projectRole},
	})
	require.NoError(t, err)
	assert.Equal(t, "ci-deployer", created.Meta.Name)
	assert.Regexp(t, `^iam-`, created.Meta.UID)
	assert.Equal(t, "1", created.Meta.ResourceVersion)
	assert.Equal(t, "SERVICE_ACCOUNT", created.Config.ActorType)
	assert.Empty(t, created.Config.ActorEmail)
	assert.Equal(t, projectRole.Project, created.Config.AccessPolicy.Project)
	assert.Equal(t, &models.PortworxReference{Type: "account", Version: "v1", UID: fake.PortworxDemoAccountID}, created.Meta.ParentReference)
	got, err := svc.GetIAM(ctx, sa)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	_, err = svc.CreateIAM(ctx, &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: sa, AccessPolicy: projectRole}})
	require.ErrorIs(t, err, invitations.ErrConflict)
	pxAPIError(t, err, 409, "ALREADY_EXISTS")
	_, err = svc.CreateIAM(ctx, &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: "no-such-actor", AccessPolicy: projectRole}})
	apiErr := pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Equal(t, `actor "no-such-actor" not found`, apiErr.Message)

	// Grant adds a role binding, and a resource to one the actor has.
	inTenant := models.PortworxIAMScope{TenantID: fake.PortworxDemoTenantID}
	const staging = "d2a4c6e8-1b3d-4f5a-8c7e-9f0a1b2c3d4e"
	granted, err := svc.GrantIAM(ctx, sa, &models.PortworxGrantIAMRequest{PortworxIAMScope: inTenant, AccessPolicy: models.PortworxAccessPolicy{
		Account: []string{"account-reader"},
		Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID, staging}}},
	}})
	require.NoError(t, err)
	assert.Equal(t, "2 role binding(s) granted", granted.Message)
	got, err = svc.GetIAM(ctx, sa)
	require.NoError(t, err)
	assert.Equal(t, "2", got.Meta.ResourceVersion)
	assert.Equal(t, []string{"account-reader"}, got.Config.AccessPolicy.Account)
	assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID, staging}}}, got.Config.AccessPolicy.Project)
	assert.Equal(t, "Staging", got.Meta.ResourceNames[staging])

	// Revoke removes a resource, then the whole role binding; a second
	// revoke finds nothing to remove.
	revoke := &models.PortworxRevokeIAMRequest{PortworxIAMScope: inTenant, AccessPolicy: models.PortworxAccessPolicy{
		Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{staging}}},
	}}
	revoked, err := svc.RevokeIAM(ctx, sa, revoke)
	require.NoError(t, err)
	assert.Equal(t, "1 role binding(s) revoked", revoked.Message)
	_, err = svc.RevokeIAM(ctx, sa, revoke)
	pxAPIError(t, err, 404, "NOT_FOUND")
	_, err = svc.RevokeIAM(ctx, sa, &models.PortworxRevokeIAMRequest{PortworxIAMScope: inTenant, AccessPolicy: models.PortworxAccessPolicy{
		Account: []string{"account-reader"}, Project: []models.PortworxRoleBinding{{RoleName: "project-writer"}},
	}})
	require.NoError(t, err)
	got, err = svc.GetIAM(ctx, sa)
	require.NoError(t, err)
	assert.Empty(t, got.Config.AccessPolicy.Account)
	assert.Empty(t, got.Config.AccessPolicy.Project)

	// The demo person loses the tenant role: offboarding's revoke.
	_, err = svc.RevokeIAM(ctx, fake.PortworxDemoActorID, &models.PortworxRevokeIAMRequest{PortworxIAMScope: inTenant, AccessPolicy: models.PortworxAccessPolicy{
		Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{fake.PortworxDemoTenantID}}},
	}})
	require.NoError(t, err)
	me, err := svc.GetIAM(ctx, fake.PortworxDemoActorID)
	require.NoError(t, err)
	assert.Empty(t, me.Config.AccessPolicy.Tenant)
	assert.Len(t, me.Config.AccessPolicy.Project, 1)

	// Scopes the fake does not know are 404; grants to an actor without
	// role bindings create them.
	_, err = svc.GrantIAM(ctx, sa, &models.PortworxGrantIAMRequest{PortworxIAMScope: models.PortworxIAMScope{ProjectID: "no-such-project"}, AccessPolicy: projectRole})
	apiErr = pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Equal(t, `project "no-such-project" not found`, apiErr.Message)
	_, err = svc.GrantIAM(ctx, "no-such-actor", &models.PortworxGrantIAMRequest{PortworxIAMScope: inTenant, AccessPolicy: projectRole})
	pxAPIError(t, err, 404, "NOT_FOUND")

	require.NoError(t, svc.DeleteIAM(ctx, sa))
	_, err = svc.GetIAM(ctx, sa)
	apiErr = pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Equal(t, `iam for actor "`+sa+`" not found`, apiErr.Message)
	assert.ErrorIs(t, svc.DeleteIAM(ctx, sa), invitations.ErrNotFound)
	listed, err := svc.ListIAM(ctx, fake.PortworxDemoTenantID, &invitations.ListIAMOptions{ActorID: sa}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, listed)

	_, err = svc.GrantIAM(ctx, sa, &models.PortworxGrantIAMRequest{PortworxIAMScope: models.PortworxIAMScope{AccountID: fake.PortworxDemoAccountID},
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-admin"}}})
	require.NoError(t, err)
	again, err := svc.GetIAM(ctx, sa)
	require.NoError(t, err)
	assert.Equal(t, []string{"account-admin"}, again.Config.AccessPolicy.Account)
	assert.NotEqual(t, created.Meta.UID, again.Meta.UID, "a new IAM")

	assert.Equal(t, 4, srv.RequestCount(fake.PortworxRevokeIAM))
}

func TestFakePortworxIAMWireFormat(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData())
	base := srv.BaseURLs.Portworx + "/core/v1/iam/"

	resp, body := rawGet(t, base+fake.PortworxDemoActorID, pxAuth)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var iam map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &iam))
	// Unpopulated fields are emitted, as the gateway's default marshaler does.
	assert.Equal(t, "", iam["meta"]["name"])
	assert.Equal(t, map[string]any{}, iam["meta"]["labels"])
	policy := iam["config"]["accessPolicy"].(map[string]any)
	assert.Equal(t, []any{}, policy["globalScope"])
	assert.Equal(t, []any{}, policy["namespace"])
	assert.Equal(t, "USER", iam["config"]["actorType"])

	// Request bodies: proto names are accepted, two scopes are a 400, and
	// a scope set to "" counts as set.
	resp, body = rawDo(t, http.MethodPost, base+fake.PortworxDemoActorID+":grant", pxAuth,
		`{"tenant_id": "`+fake.PortworxDemoTenantID+`", "access_policy": {"account": ["account-reader"]}}`)
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.JSONEq(t, `{"message": "1 role binding(s) granted"}`, body)
	resp, body = rawDo(t, http.MethodPost, base+fake.PortworxDemoActorID+":grant", pxAuth,
		`{"tenantId": "`+fake.PortworxDemoTenantID+`", "projectId": "`+fake.PortworxDemoProjectID+`", "accessPolicy": {"account": ["a"]}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, `GrantIAMRequest.resource_id is already set`)
	resp, body = rawDo(t, http.MethodPost, base+fake.PortworxDemoActorID+":revoke", pxAuth, `{"accountId": "", "accessPolicy": {"account": ["a"]}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"code": 3, "message": "accountId must not be empty", "details": []}`, body)
	resp, _ = rawDo(t, http.MethodPost, base+fake.PortworxDemoActorID+":grant", pxAuth, `{"tenantId": "`+fake.PortworxDemoTenantID+`", "accessPolicy": {}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a grant of nothing")
	resp, _ = rawDo(t, http.MethodPost, srv.BaseURLs.Portworx+"/core/v1/iam", pxAuth, `{"config": {"accessPolicy": {"account": ["a"]}}}`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a create without an actor")

	// The gateway's routing: another method on a known path is 501, and a
	// verb is routed only for its own method.
	resp, body = rawDo(t, http.MethodPut, base+fake.PortworxDemoActorID, pxAuth, `{}`)
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	assert.JSONEq(t, `{"code": 12, "message": "Method Not Allowed", "details": []}`, body)
	resp, _ = rawDo(t, http.MethodDelete, base+fake.PortworxDemoActorID, pxAuth, "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, body = rawGet(t, base+fake.PortworxDemoActorID, pxAuth)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"code": 5, "message": "iam for actor \"`+fake.PortworxDemoActorID+`\" not found", "details": []}`, body)
}

func TestFakePortworxIAMWithoutDemoData(t *testing.T) {
	t.Parallel()
	_, c := newServer(t)
	ctx := t.Context()
	items, err := c.IAM.ListIAM(ctx, fake.PortworxDemoTenantID, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, items)
	_, err = c.IAM.CreateIAM(ctx, &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: fake.PortworxDemoActorID,
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-admin"}}}})
	pxAPIError(t, err, 404, "NOT_FOUND")
}
