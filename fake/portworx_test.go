package fake_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

const pxAuth = "Bearer " + fake.PortworxAccessToken

// pxAPIError asserts err is a Portworx *invitations.APIError with status and
// gRPC code name.
func pxAPIError(t *testing.T, err error, status int, code string) *invitations.APIError {
	t.Helper()
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Portworx", apiErr.API)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, code, apiErr.Code)
	return apiErr
}

func pxTenantInvitation(email, tenant string) *models.PortworxInvitation {
	return &models.PortworxInvitation{
		Meta: &models.PortworxMeta{Name: "platform onboarding", Labels: map[string]string{"team": "platform"}},
		Config: &models.PortworxInvitationConfig{
			UserEmail: email,
			TenantID:  tenant,
			AccessPolicy: models.PortworxAccessPolicy{
				Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{tenant}}},
			},
		},
	}
}

func TestFakePortworxInvitationLifecycle(t *testing.T) {
	t.Parallel()
	const tenant, account = "tenant-1", "account-1"
	srv, c := newServer(t)
	ctx := t.Context()
	svc := c.AccountInvitations
	inAccount := invitations.WithHeader("px-account-id", account)

	inv, err := svc.CreateInvitation(ctx, pxTenantInvitation("jane@example.com", tenant), inAccount)
	require.NoError(t, err)
	require.NotNil(t, inv.Meta)
	uid := inv.Meta.UID
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, uid)
	assert.Equal(t, "platform onboarding", inv.Meta.Name)
	assert.Equal(t, map[string]string{"team": "platform"}, inv.Meta.Labels)
	assert.Equal(t, "1", inv.Meta.ResourceVersion)
	require.NotNil(t, inv.Meta.CreateTime)
	assert.Equal(t, &models.PortworxReference{Type: "tenant", Version: "v1", UID: tenant}, inv.Meta.ParentReference)
	assert.Equal(t, "jane@example.com", inv.Config.UserEmail)
	assert.Equal(t, tenant, inv.Config.TenantID)
	assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{tenant}}}, inv.Config.AccessPolicy.Tenant)
	assert.Equal(t, models.PortworxInvitationPhasePending, inv.Status.Phase)

	_, err = svc.CreateInvitation(ctx, pxTenantInvitation("JANE@example.com", tenant))
	require.ErrorIs(t, err, invitations.ErrConflict)
	pxAPIError(t, err, 409, "ALREADY_EXISTS")

	got, err := svc.GetInvitation(ctx, uid)
	require.NoError(t, err)
	assert.Equal(t, inv, got)

	listed, err := svc.ListInvitations(ctx, tenant, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assert.Equal(t, uid, listed[0].Meta.UID)

	require.NoError(t, svc.NotifyUser(ctx, uid))
	assert.Equal(t, 1, srv.PortworxNotifications(uid), "one email was re-sent")
	assert.Equal(t, 1, srv.PortworxNotifications(""))

	accepted, err := svc.AcceptInvitation(ctx, account)
	require.NoError(t, err)
	assert.Equal(t, "1 invitation(s) accepted", accepted.Message)
	got, err = svc.GetInvitation(ctx, uid)
	require.NoError(t, err)
	assert.Equal(t, models.PortworxInvitationPhaseAccepted, got.Status.Phase)
	assert.Equal(t, "2", got.Meta.ResourceVersion)
	assert.False(t, got.Meta.UpdateTime.Before(*got.Meta.CreateTime))

	_, err = svc.AcceptInvitation(ctx, account)
	pxAPIError(t, err, 404, "NOT_FOUND")
	err = svc.NotifyUser(ctx, uid)
	pxAPIError(t, err, 400, "FAILED_PRECONDITION")
	assert.Equal(t, 1, srv.PortworxNotifications(uid), "an accepted invitation is not emailed again")

	require.NoError(t, svc.DeleteInvitation(ctx, uid, nil))
	_, err = svc.GetInvitation(ctx, uid)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	require.ErrorIs(t, svc.DeleteInvitation(ctx, uid, nil), invitations.ErrNotFound)
	listed, err = svc.ListInvitations(ctx, tenant, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, listed)

	for op, n := range map[fake.Operation]int{
		fake.PortworxCreateInvitation: 2, fake.PortworxGetInvitation: 3, fake.PortworxListInvitations: 2,
		fake.PortworxNotifyUser: 2, fake.PortworxAcceptInvitation: 2, fake.PortworxDeleteInvitation: 2,
	} {
		assert.Equal(t, n, srv.RequestCount(op), op)
	}
}

func TestFakePortworxScopes(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	svc := c.AccountInvitations

	// A project invitation in a demo project is listed under the demo tenant.
	inv, err := svc.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
		UserEmail: "ada@example.com", ProjectID: fake.PortworxDemoProjectID,
		AccessPolicy: models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{fake.PortworxDemoProjectID}}}},
	}})
	require.NoError(t, err)
	assert.Equal(t, "project", inv.Meta.ParentReference.Type)
	assert.Equal(t, "Demo Project", inv.Meta.ResourceNames[fake.PortworxDemoProjectID])
	inProject, err := svc.ListInvitations(ctx, fake.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{ProjectUID: fake.PortworxDemoProjectID, PageSize: 200}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, inProject, 121, "every demo invitation binds a role on the demo project")
	assert.Equal(t, inv.Meta.UID, inProject[120].Meta.UID, "oldest first")

	// An account invitation is in no tenant's list, but is accepted in its account.
	acct, err := svc.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
		UserEmail: "ada@example.com", AccountID: fake.PortworxDemoAccountID,
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-admin"}},
	}})
	require.NoError(t, err)
	all, err := svc.ListInvitations(ctx, fake.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: 500}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, all, 121)

	// Deleting one project's part of a tenant invitation keeps the rest.
	multi := all[2] // user003: tenant-admin, project-writer on both demo projects
	require.Equal(t, "user003@example.com", multi.Config.UserEmail)
	require.NoError(t, svc.DeleteInvitation(ctx, multi.Meta.UID, &invitations.DeleteAccountInvitationOptions{ProjectID: fake.PortworxDemoProjectID}))
	after, err := svc.GetInvitation(ctx, multi.Meta.UID)
	require.NoError(t, err)
	require.Len(t, after.Config.AccessPolicy.Project, 1)
	assert.NotContains(t, after.Config.AccessPolicy.Project[0].ResourceIDs, fake.PortworxDemoProjectID)
	assert.Len(t, after.Config.AccessPolicy.Tenant, 1)
	assert.Equal(t, "2", after.Meta.ResourceVersion)
	err = svc.DeleteInvitation(ctx, multi.Meta.UID, &invitations.DeleteAccountInvitationOptions{ProjectID: fake.PortworxDemoProjectID})
	pxAPIError(t, err, 404, "NOT_FOUND")
	// A project invitation deleted for its own project is gone.
	require.NoError(t, svc.DeleteInvitation(ctx, inv.Meta.UID, &invitations.DeleteAccountInvitationOptions{ProjectID: fake.PortworxDemoProjectID}))
	_, err = svc.GetInvitation(ctx, inv.Meta.UID)
	require.ErrorIs(t, err, invitations.ErrNotFound)

	// Accepting in the demo account accepts its pending invitations: the 90
	// pending demo ones (every fourth is accepted already) and ada's.
	res, err := svc.AcceptInvitation(ctx, fake.PortworxDemoAccountID)
	require.NoError(t, err)
	assert.Equal(t, "91 invitation(s) accepted", res.Message)
	got, err := svc.GetInvitation(ctx, acct.Meta.UID)
	require.NoError(t, err)
	assert.Equal(t, models.PortworxInvitationPhaseAccepted, got.Status.Phase)
	assert.Equal(t, 1, srv.RequestCount(fake.PortworxAcceptInvitation))
}

func TestFakePortworxPageNumberPagination(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	var pages []*invitations.Page[models.PortworxInvitation]
	for page, err := range c.AccountInvitations.ListInvitations(t.Context(), fake.PortworxDemoTenantID, nil).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 3, "120 demo invitations in pages of 50 by default")
	assert.Len(t, pages[0].Items, 50)
	assert.Len(t, pages[2].Items, 20)
	assert.Equal(t, int64(120), pages[0].Total)
	assert.Equal(t, int64(2), pages[0].NextPage)
	assert.Equal(t, int64(3), pages[1].NextPage)
	assert.False(t, pages[2].HasMore)
	assert.Equal(t, "user001@example.com", pages[0].Items[0].Config.UserEmail)
	assert.Equal(t, fake.PortworxDemoInvitationUID, pages[0].Items[0].Meta.UID)
	assert.Equal(t, fake.DemoPersonEmail, pages[0].Items[0].Config.UserEmail)
	assert.Equal(t, "user120@example.com", pages[2].Items[19].Config.UserEmail)

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, fake.PortworxListInvitations, r.Operation)
		assert.Contains(t, r.RawQuery, "tenantUid="+fake.PortworxDemoTenantID)
		assert.Contains(t, r.RawQuery, "pagination.pageNumber="+string(rune('1'+i)))
	}

	got, err := c.AccountInvitations.ListInvitations(t.Context(), fake.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageNumber: 2, PageSize: 40}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 80, "pages 2 and 3 of 40")
	assert.Equal(t, "user041@example.com", got[0].Config.UserEmail)

	// The wire: int64 as strings, nextPage -1 on the last page.
	resp, body := rawGet(t, srv.BaseURLs.Portworx+"/core/v1/invite?tenantUid="+fake.PortworxDemoTenantID+"&pagination.pageNumber=3&pagination.pageSize=50", pxAuth)
	require.Equal(t, 200, resp.StatusCode)
	var page struct {
		Invitations []json.RawMessage          `json:"invitations"`
		Pagination  map[string]json.RawMessage `json:"pagination"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	assert.Len(t, page.Invitations, 20)
	want := map[string]string{"totalRecords": `"120"`, "currentPage": `"3"`, "pageSize": `"50"`, "totalPages": `"3"`, "nextPage": `"-1"`, "prevPage": `"2"`}
	for k, v := range want {
		assert.Equal(t, v, string(page.Pagination[k]), k)
	}
	// The gateway's proto names are accepted in the query too.
	_, body = rawGet(t, srv.BaseURLs.Portworx+"/core/v1/invite?tenant_uid="+fake.PortworxDemoTenantID+"&pagination.page_size=7&pagination.page_number=2", pxAuth)
	assert.Contains(t, body, `"currentPage":"2"`)
	assert.Contains(t, body, `"pageSize":"7"`)
	// A page number without a page size is page size 0 to the service:
	// an empty page, and no next one.
	_, body = rawGet(t, srv.BaseURLs.Portworx+"/core/v1/invite?tenantUid="+fake.PortworxDemoTenantID+"&pagination.pageNumber=1", pxAuth)
	assert.Contains(t, body, `"invitations":[]`)
	assert.Contains(t, body, `"totalRecords":"120"`)
	assert.Contains(t, body, `"nextPage":"-1"`)
	for _, r := range reqs {
		assert.Contains(t, r.RawQuery, "pagination.pageSize=50", "the SDK always sends a page size")
	}
	// Past the end: no invitations, still a well-formed page.
	_, body = rawGet(t, srv.BaseURLs.Portworx+"/core/v1/invite?tenantUid="+fake.PortworxDemoTenantID+"&pagination.pageNumber=9", pxAuth)
	assert.Contains(t, body, `"invitations":[]`)
	assert.Contains(t, body, `"nextPage":"-1"`)
}

func TestFakePortworxWireFormat(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData())
	resp, body := rawGet(t, srv.BaseURLs.Portworx+"/core/v1/invite/"+fake.PortworxDemoInvitationUID, pxAuth)
	require.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var inv map[string]map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &inv))
	meta, cfg, status := inv["meta"], inv["config"], inv["status"]
	assert.Equal(t, fake.PortworxDemoInvitationUID, meta["uid"])
	assert.Equal(t, "1", meta["resourceVersion"])
	assert.Regexp(t, regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$`), meta["createTime"])
	// Unpopulated fields are emitted, as the gateway's default marshaler does.
	assert.Equal(t, "", meta["name"])
	assert.Equal(t, map[string]any{}, meta["labels"])
	assert.Contains(t, meta, "annotations")
	assert.Equal(t, []any{}, cfg["accessPolicy"].(map[string]any)["globalScope"])
	assert.Equal(t, "", status["reason"])
	assert.Equal(t, "PENDING", status["phase"])
	// Only the set member of the scope oneof is written.
	assert.Equal(t, fake.PortworxDemoTenantID, cfg["tenantId"])
	assert.NotContains(t, cfg, "accountId")
	assert.NotContains(t, cfg, "projectId")

	resp, body = rawDo(t, http.MethodDelete, srv.BaseURLs.Portworx+"/core/v1/invite/"+fake.PortworxDemoInvitationUID, pxAuth, "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{}`, body)
}

func TestFakePortworxRawRequestChecks(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData())
	base := srv.BaseURLs.Portworx

	post := func(body string) (int, map[string]any) {
		t.Helper()
		resp, b := rawDo(t, http.MethodPost, base+"/core/v1/invite", pxAuth, body)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(b), &out), b)
		return resp.StatusCode, out
	}
	status, st := post(`{"invitation":{"config":{"userEmail":"a@example.com","accessPolicy":{},"tenantId":"t1","projectId":"p1"}}}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, float64(3), st["code"])
	assert.Contains(t, st["message"], "oneof")
	assert.Equal(t, []any{}, st["details"])

	status, st = post(`{"invitation":{"config":{"userEmail":"a@example.com","accessPolicy":{}}}}`)
	assert.Equal(t, 400, status, "no scope")
	assert.Equal(t, float64(3), st["code"])

	status, st = post(`{"invitation":{"config":{"userEmail":"a@example.com","accessPolicy":{},"accountId":"","tenantId":"t1"}}}`)
	assert.Equal(t, 400, status, `"" counts as a set oneof member`)
	assert.Equal(t, float64(3), st["code"])

	status, _ = post(`{"invitation":`)
	assert.Equal(t, 400, status, "malformed JSON")

	// protojson accepts proto names in bodies too.
	status, st = post(`{"invitation":{"config":{"user_email":"snake@example.com","access_policy":{"tenant":[{"role_name":"tenant-admin","resource_ids":["t1"]}]},"tenant_id":"t1"}}}`)
	require.Equal(t, 200, status, st)
	cfg := st["config"].(map[string]any)
	assert.Equal(t, "snake@example.com", cfg["userEmail"])
	assert.Equal(t, "t1", cfg["tenantId"])

	resp, body := rawGet(t, base+"/core/v1/invite?pagination.pageNumber=1", pxAuth)
	assert.Equal(t, 400, resp.StatusCode, "tenantUid is required")
	assert.Contains(t, body, `"code":3`)
	assert.Contains(t, body, "tenant_uid")

	resp, body = rawGet(t, base+"/core/v1/invite?tenantUid=t1&pagination.pageSize=abc", pxAuth)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `parsing field \"page_size\"`)

	resp, body = rawGet(t, base+"/core/v1/invite?tenantUid=t1&tenantId=t1&projectId=p1", pxAuth)
	assert.Equal(t, 400, resp.StatusCode, "the deprecated oneof filter takes one member")
	assert.Contains(t, body, "oneof")

	resp, body = rawDo(t, http.MethodPost, base+"/core/v1/invite:accept", pxAuth, `{}`)
	assert.Equal(t, 400, resp.StatusCode, "accountId is required")
	assert.Contains(t, body, `"code":3`)

	// Routing errors look like grpc-gateway's.
	resp, body = rawDo(t, http.MethodPost, base+"/core/v1/invite/"+fake.PortworxDemoInvitationUID+":notify", pxAuth, "")
	assert.Equal(t, 501, resp.StatusCode)
	assert.JSONEq(t, `{"code":12,"message":"Method Not Allowed","details":[]}`, body)
	resp, _ = rawDo(t, http.MethodPut, base+"/core/v1/invite/"+fake.PortworxDemoInvitationUID, pxAuth, "{}")
	assert.Equal(t, 501, resp.StatusCode)
	resp, body = rawGet(t, base+"/core/v1/invitations", pxAuth)
	assert.Equal(t, 404, resp.StatusCode)
	assert.JSONEq(t, `{"code":5,"message":"Not Found","details":[]}`, body)

	// The five bodies reached CreateInvitation; routing errors reach no operation.
	assert.Equal(t, 5, srv.RequestCount(fake.PortworxCreateInvitation))
	assert.Equal(t, 0, srv.RequestCount(fake.PortworxNotifyUser))
}

func TestFakePortworxVerbRouting(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	svc := c.AccountInvitations

	// The SDK escapes a colon in a uid: "x:notify" is a uid, never the verb.
	_, err := svc.GetInvitation(ctx, "x:notify")
	apiErr := pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Contains(t, apiErr.Message, `"x:notify"`)
	err = svc.NotifyUser(ctx, "x:notify")
	apiErr = pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Contains(t, apiErr.Message, `"x:notify"`)
	require.NoError(t, svc.NotifyUser(ctx, fake.PortworxDemoInvitationUID))
	err = svc.NotifyUser(ctx, "a/b")
	apiErr = pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Contains(t, apiErr.Message, `"a/b"`, "an escaped slash stays in the uid")

	reqs := srv.Requests()
	require.Len(t, reqs, 4)
	assert.Equal(t, fake.PortworxGetInvitation, reqs[0].Operation)
	assert.Equal(t, fake.PortworxPrefix+"/core/v1/invite/x%3Anotify", reqs[0].Path)
	assert.Equal(t, fake.PortworxNotifyUser, reqs[1].Operation)
	assert.Equal(t, fake.PortworxPrefix+"/core/v1/invite/x%3Anotify:notify", reqs[1].Path)
	assert.Equal(t, fake.PortworxNotifyUser, reqs[2].Operation)
	assert.Equal(t, fake.PortworxNotifyUser, reqs[3].Operation)
	assert.Equal(t, fake.PortworxPrefix+"/core/v1/invite/a%2Fb:notify", reqs[3].Path)
	assert.Equal(t, 1, srv.PortworxNotifications(fake.PortworxDemoInvitationUID))
	assert.Equal(t, 0, srv.PortworxNotifications("x"))
}

func TestFakePortworxErrorBody(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	_, err := c.AccountInvitations.GetInvitation(t.Context(), "missing")
	require.ErrorIs(t, err, invitations.ErrNotFound)
	apiErr := pxAPIError(t, err, 404, "NOT_FOUND")
	assert.Equal(t, `invitation "missing" not found`, apiErr.Message)
	assert.Nil(t, apiErr.Details, "an empty details array is no details")

	_, err = c.AccountInvitations.ListInvitations(t.Context(), "no-such-tenant", nil).Collect(0)
	require.NoError(t, err, "an unknown tenant lists nothing")
	assert.Equal(t, 1, srv.RequestCount(fake.PortworxListInvitations))
}

func TestFakePortworxRejectsWrongToken(t *testing.T) {
	t.Parallel()
	srv := mustStart(t, fake.WithDemoData())
	t.Cleanup(srv.Close)
	url := srv.BaseURLs.Portworx + "/core/v1/invite/" + fake.PortworxDemoInvitationUID
	for _, auth := range []string{"", "Bearer wrong", "bearer " + fake.PortworxAccessToken, fake.PortworxAccessToken} {
		resp, body := rawGet(t, url, auth)
		assert.Equal(t, 401, resp.StatusCode, auth)
		assert.JSONEq(t, `{"code":16,"message":"invalid or missing bearer token","details":[]}`, body)
		assert.Equal(t, "invalid or missing bearer token", resp.Header.Get("WWW-Authenticate"))
	}

	c, err := srv.Client(invitations.WithPortworxAccessToken("wrong-token"), invitations.WithRetryWait(0, 0))
	require.NoError(t, err)
	err = c.AccountInvitations.NotifyUser(t.Context(), fake.PortworxDemoInvitationUID)
	require.ErrorIs(t, err, invitations.ErrUnauthorized)
	pxAPIError(t, err, 401, "UNAUTHENTICATED")
	assert.Equal(t, 0, srv.PortworxNotifications(""))
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Header.Get("Authorization"), "wrong-token", "the log redacts secrets")
	}
}

func TestFakePortworxNotifyFault(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	srv.Inject(fake.Fault{Operation: fake.PortworxNotifyUser, Status: 500})
	err := c.AccountInvitations.NotifyUser(t.Context(), fake.PortworxDemoInvitationUID)
	pxAPIError(t, err, 500, "INTERNAL")
	assert.Equal(t, 1, srv.RequestCount(fake.PortworxNotifyUser), "a notify is never retried: it sends an email")
	assert.Equal(t, 0, srv.PortworxNotifications(""), "the faulted request did not run")

	// A GET of the same path shape is not affected by the NotifyUser fault.
	srv.Inject(fake.Fault{Operation: fake.PortworxNotifyUser, Status: 503, Times: -1})
	_, err = c.AccountInvitations.GetInvitation(t.Context(), fake.PortworxDemoInvitationUID)
	require.NoError(t, err)
	err = c.AccountInvitations.NotifyUser(t.Context(), fake.PortworxDemoInvitationUID)
	pxAPIError(t, err, 503, "UNAVAILABLE")
	assert.Equal(t, 2, srv.RequestCount(fake.PortworxNotifyUser))

	// A truncated answer still runs the operation.
	srv.ClearFaults()
	srv.Inject(fake.Fault{Operation: fake.PortworxGetInvitation, Truncate: true})
	_, err = c.AccountInvitations.GetInvitation(t.Context(), fake.PortworxDemoInvitationUID)
	var derr *invitations.DecodeError
	require.ErrorAs(t, err, &derr)
}

func TestFakePortworxHeadIsNotRouted(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData())
	resp, _ := rawDo(t, http.MethodHead, srv.BaseURLs.Portworx+"/core/v1/invite/"+fake.PortworxDemoInvitationUID+":notify", pxAuth, "")
	assert.Equal(t, 501, resp.StatusCode)
	assert.Equal(t, 0, srv.PortworxNotifications(""), "a HEAD sends no email")
	assert.Equal(t, 0, srv.RequestCount(""))
}

func TestFakePortworxDeletesKeepListsAndChecksRight(t *testing.T) {
	t.Parallel()
	const tenant = fake.PortworxDemoTenantID
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	svc := c.AccountInvitations
	uids := func(opts *invitations.ListAccountInvitationsOptions) []string {
		t.Helper()
		var out []string
		for inv, err := range svc.ListInvitations(ctx, tenant, opts).All() {
			require.NoError(t, err)
			out = append(out, inv.Meta.UID)
		}
		return out
	}
	before := uids(nil)
	require.Len(t, before, 120)
	inProject := uids(&invitations.ListAccountInvitationsOptions{ProjectUID: fake.PortworxDemoProjectID})

	// Delete 80 of the 120, more than half: the store compacts its lists
	// along the way.
	var kept []string
	deleted := map[string]bool{}
	for i, uid := range before {
		if i%3 == 2 {
			kept = append(kept, uid)
			continue
		}
		require.NoError(t, svc.DeleteInvitation(ctx, uid, nil))
		deleted[uid] = true
	}
	assert.Equal(t, kept, uids(nil), "the rest in creation order")
	assert.Equal(t, kept, uids(&invitations.ListAccountInvitationsOptions{PageSize: 7}), "in pages too")
	var keptInProject []string
	for _, uid := range inProject {
		if !deleted[uid] {
			keptInProject = append(keptInProject, uid)
		}
	}
	assert.Equal(t, keptInProject, uids(&invitations.ListAccountInvitationsOptions{ProjectUID: fake.PortworxDemoProjectID}))
	for uid := range deleted {
		_, err := svc.GetInvitation(ctx, uid)
		require.ErrorIs(t, err, invitations.ErrNotFound)
	}

	// user001 (deleted) can be invited again; user003 (kept) cannot, in
	// any case.
	_, err := svc.CreateInvitation(ctx, pxTenantInvitation("user001@example.com", tenant))
	require.NoError(t, err)
	_, err = svc.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{UserEmail: "USER003@example.com", TenantID: tenant}})
	pxAPIError(t, err, 409, "ALREADY_EXISTS")

	// Accepting counts the pending invitations left (and the new one).
	pending := 1
	for _, uid := range kept {
		inv, err := svc.GetInvitation(ctx, uid)
		require.NoError(t, err)
		if inv.Status.Phase == models.PortworxInvitationPhasePending {
			pending++
		}
	}
	accepted, err := svc.AcceptInvitation(ctx, fake.PortworxDemoAccountID)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%d invitation(s) accepted", pending), accepted.Message)
	assert.Zero(t, srv.PortworxNotifications(""))
}
