package invitations

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const (
	pxAccountID = "acct-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
	pxTenantUID = "0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b"
	pxProjectID = "8c6b0f0e-2d7a-4d43-9c5e-2f0b6a9f3e11"
	pxInviteUID = "6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b"
)

// pxNewInvitation is a tenant-scoped invitation granting a project role,
// as a caller would build it.
func pxNewInvitation() *models.PortworxInvitation {
	return &models.PortworxInvitation{
		Meta: &models.PortworxMeta{Name: "platform team onboarding", Labels: map[string]string{"team": "platform"}},
		Config: &models.PortworxInvitationConfig{
			UserEmail: "jane.doe@example.com",
			AccessPolicy: models.PortworxAccessPolicy{
				Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{pxProjectID}}},
			},
			TenantID: pxTenantUID,
		},
	}
}

func pxTime(t *testing.T, s string) *time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return &v
}

// pxAssertHeaders checks the headers of every Portworx request, with the
// account header when the client was given one.
func pxAssertHeaders(t *testing.T, req recorded, accountID string) {
	t.Helper()
	assertCommonHeaders(t, req, "Bearer "+testPortworxToken)
	if accountID == "" {
		assert.Empty(t, req.Header.Values("Px-Account-Id"))
	} else {
		assert.Equal(t, []string{accountID}, req.Header.Values("Px-Account-Id"))
	}
}

// pxPagedRoute answers GET /core/v1/invite with pages[pagination.pageNumber]
// (404 for a page not listed) and records every request.
func pxPagedRoute(env *testEnv, pages map[string]string) *recorder {
	rec := &recorder{}
	env.mock.RegisterResponder(http.MethodGet, testPortworxBase+"/core/v1/invite", func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		status, body := http.StatusOK, pages[req.URL.Query().Get("pagination.pageNumber")]
		if body == "" {
			status, body = http.StatusNotFound, `{"code":5,"message":"Not Found","details":[]}`
		}
		return &http.Response{
			StatusCode: status,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(bytes.NewReader([]byte(body))),
			Request:    req,
		}, nil
	})
	return rec
}

// pxCatchAll records every request that matched no route and answers it
// 404, so a test can see exactly where a request went.
func pxCatchAll(env *testEnv) *recorder {
	rec := &recorder{}
	env.mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		return &http.Response{
			StatusCode: http.StatusNotFound,
			Header:     http.Header{"Content-Type": {"application/json"}},
			Body:       io.NopCloser(bytes.NewReader([]byte(`{"code":5,"message":"Not Found","details":[]}`))),
			Request:    req,
		}, nil
	})
	return rec
}

func pxUIDs(items []models.PortworxInvitation) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Meta.UID)
	}
	return out
}

func TestAccountInvitationsCreateInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/create.json")))

	got, err := env.client.AccountInvitations.CreateInvitation(t.Context(), pxNewInvitation())
	require.NoError(t, err)

	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/core/v1/invite", req.Path)
	assert.Empty(t, req.Query)
	pxAssertHeaders(t, req, pxAccountID)
	assert.JSONEq(t, fixture(t, "portworx/create_request.json"), string(req.Body))

	want := &models.PortworxInvitation{
		Meta: &models.PortworxMeta{
			UID:             pxInviteUID,
			Name:            "platform team onboarding",
			ResourceVersion: "1",
			CreateTime:      pxTime(t, "2025-01-20T10:15:30.123Z"),
			UpdateTime:      pxTime(t, "2025-01-20T10:15:30.123Z"),
			Labels:          map[string]string{"team": "platform"},
			Annotations:     map[string]string{},
			ResourceNames:   map[string]string{},
		},
		Config: &models.PortworxInvitationConfig{
			UserEmail: "jane.doe@example.com",
			AccessPolicy: models.PortworxAccessPolicy{
				GlobalScope: []string{},
				Account:     []string{},
				Tenant:      []models.PortworxRoleBinding{},
				Project:     []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{pxProjectID}}},
				Namespace:   []models.PortworxRoleBinding{},
			},
			TenantID: pxTenantUID,
		},
		Status: &models.PortworxInvitationStatus{Phase: models.PortworxInvitationPhasePending},
	}
	assert.Equal(t, want, got)
}

func TestAccountInvitationsCreateInvitationSendsNoOutputOnlyFields(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/create.json")))

	// An invitation read back from the API, reused as a template.
	inv := pxNewInvitation()
	inv.Meta = &models.PortworxMeta{
		UID: "old-uid", ResourceVersion: "9", CreateTime: pxTime(t, "2025-01-01T00:00:00Z"),
		ParentReference: &models.PortworxReference{Type: "tenant", UID: pxTenantUID},
		ResourceNames:   map[string]string{pxTenantUID: "Acme"},
	}
	inv.Status = &models.PortworxInvitationStatus{Phase: models.PortworxInvitationPhaseAccepted}

	_, err := env.client.AccountInvitations.CreateInvitation(t.Context(), inv)
	require.NoError(t, err)
	req := rec.only(t)
	pxAssertHeaders(t, req, "")
	assert.JSONEq(t, `{"invitation":{"config":{
		"userEmail":"jane.doe@example.com",
		"accessPolicy":{"project":[{"roleName":"project-writer","resourceIds":["`+pxProjectID+`"]}]},
		"tenantId":"`+pxTenantUID+`"}}}`, string(req.Body))
}

func TestAccountInvitationsCreateInvitationValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		edit      func(*models.PortworxInvitation) *models.PortworxInvitation
		wantParam string
	}{
		{"nil invitation", func(*models.PortworxInvitation) *models.PortworxInvitation { return nil }, "invitation"},
		{"nil config", func(i *models.PortworxInvitation) *models.PortworxInvitation { i.Config = nil; return i }, "invitation.config"},
		{"no email", func(i *models.PortworxInvitation) *models.PortworxInvitation { i.Config.UserEmail = ""; return i }, "invitation.config.userEmail"},
		{"bad email", func(i *models.PortworxInvitation) *models.PortworxInvitation {
			i.Config.UserEmail = "Jane <jane@example.com>"
			return i
		}, "invitation.config.userEmail"},
		{"no scope", func(i *models.PortworxInvitation) *models.PortworxInvitation { i.Config.TenantID = ""; return i }, "invitation.config.accountId|tenantId|projectId"},
		{"two scopes", func(i *models.PortworxInvitation) *models.PortworxInvitation {
			i.Config.ProjectID = pxProjectID
			return i
		}, "invitation.config.projectId"},
		{"three scopes", func(i *models.PortworxInvitation) *models.PortworxInvitation {
			i.Config.AccountID, i.Config.ProjectID = pxAccountID, pxProjectID
			return i
		}, "invitation.config.tenantId"},
		{"blank scope", func(i *models.PortworxInvitation) *models.PortworxInvitation { i.Config.TenantID = "  "; return i }, "invitation.config.tenantId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/create.json")))
			got, err := env.client.AccountInvitations.CreateInvitation(t.Context(), tc.edit(pxNewInvitation()))
			assert.Nil(t, got)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tc.wantParam, verr.Param)
			assert.ErrorIs(t, err, ErrInvalidParameter)
			assert.Equal(t, 0, rec.count(), "nothing is sent")
		})
	}
}

func TestAccountInvitationsCreateInvitationEachScope(t *testing.T) {
	t.Parallel()
	for _, scope := range []string{"accountId", "tenantId", "projectId"} {
		t.Run(scope, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/create.json")))
			inv := pxNewInvitation()
			inv.Meta = nil
			inv.Config.TenantID = ""
			switch scope {
			case "accountId":
				inv.Config.AccountID = "scope-uid"
			case "tenantId":
				inv.Config.TenantID = "scope-uid"
			case "projectId":
				inv.Config.ProjectID = "scope-uid"
			}
			_, err := env.client.AccountInvitations.CreateInvitation(t.Context(), inv)
			require.NoError(t, err)
			var body struct {
				Invitation struct {
					Meta   json.RawMessage            `json:"meta"`
					Config map[string]json.RawMessage `json:"config"`
				} `json:"invitation"`
			}
			require.NoError(t, json.Unmarshal(rec.only(t).Body, &body))
			assert.Nil(t, body.Invitation.Meta, "no empty meta is sent")
			assert.JSONEq(t, `"scope-uid"`, string(body.Invitation.Config[scope]))
			assert.Len(t, body.Invitation.Config, 3, "userEmail, accessPolicy and exactly one scope")
		})
	}
}

func TestAccountInvitationsListInvitations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/list_single.json")))

	pager := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, &ListAccountInvitationsOptions{ProjectUID: pxProjectID, PageSize: 50})
	assert.Equal(t, 0, rec.count(), "the pager is returned without I/O")

	var pages []*Page[models.PortworxInvitation]
	for page, err := range pager.Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 1)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/core/v1/invite", req.Path)
	assert.Equal(t, "pagination.pageNumber=1&pagination.pageSize=50&projectUid="+pxProjectID+"&tenantUid="+pxTenantUID, req.Query)
	pxAssertHeaders(t, req, pxAccountID)
	assert.Empty(t, req.Body)

	page := pages[0]
	assert.Equal(t, int64(2), page.Total)
	assert.False(t, page.HasMore)
	require.Len(t, page.Items, 2)
	assert.Equal(t, []string{pxInviteUID, "a7d93c10-5e2b-4f61-8b7a-93c0d1e2f3a4"}, pxUIDs(page.Items))
	second := page.Items[1]
	assert.Equal(t, "ops.lead@example.com", second.Config.UserEmail)
	assert.Equal(t, []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{pxTenantUID}}}, second.Config.AccessPolicy.Tenant)
	assert.Equal(t, models.PortworxInvitationPhaseAccepted, second.Status.Phase)
	assert.Nil(t, second.Meta.ParentReference)
}

func TestAccountInvitationsListInvitationsMinimalQuery(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/list_single.json")))
	_, err := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "pagination.pageNumber=1&pagination.pageSize=50&tenantUid="+pxTenantUID, req.Query,
		"a page number always travels with a page size: the documented default")
	pxAssertHeaders(t, req, "")
}

func TestAccountInvitationsListInvitationsPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := pxPagedRoute(env, map[string]string{
		"1": fixture(t, "portworx/list_page1.json"),
		"2": fixture(t, "portworx/list_page2.json"),
		"3": fixture(t, "portworx/list_page3.json"),
	})
	pager := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, &ListAccountInvitationsOptions{PageSize: 2})
	wantUIDs := []string{
		"6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b", "a7d93c10-5e2b-4f61-8b7a-93c0d1e2f3a4",
		"3e9f1b22-8c4d-4a6e-b1f0-7d2c3b4a5e6f", "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
		"9b8a7c6d-5e4f-4321-a0b9-c8d7e6f5a4b3",
	}

	// Whole pages: numbers, totals, and the end on nextPage -1.
	var nextPages []int64
	var more []bool
	var items []models.PortworxInvitation
	for page, err := range pager.Pages() {
		require.NoError(t, err)
		nextPages = append(nextPages, page.NextPage)
		more = append(more, page.HasMore)
		assert.Equal(t, int64(5), page.Total)
		items = append(items, page.Items...)
	}
	assert.Equal(t, []int64{2, 3, 0}, nextPages)
	assert.Equal(t, []bool{true, true, false}, more)
	assert.Equal(t, wantUIDs, pxUIDs(items))
	reqs := rec.all()
	require.Len(t, reqs, 3)
	for i, req := range reqs {
		assert.Equal(t, "pagination.pageNumber="+strconv.Itoa(i+1)+"&pagination.pageSize=2&tenantUid="+pxTenantUID, req.Query)
		pxAssertHeaders(t, req, "")
	}

	// Ranging again starts over from page 1.
	got, err := pager.Collect(0)
	require.NoError(t, err)
	assert.Equal(t, wantUIDs, pxUIDs(got))
	reqs = rec.all()
	require.Len(t, reqs, 6)
	assert.Contains(t, reqs[3].Query, "pagination.pageNumber=1&")

	// Breaking early sends no further request.
	for item, err := range pager.All() {
		require.NoError(t, err)
		assert.Equal(t, wantUIDs[0], item.Meta.UID)
		break
	}
	assert.Equal(t, 7, rec.count())
}

func TestAccountInvitationsListInvitationsStartPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := pxPagedRoute(env, map[string]string{
		"2": fixture(t, "portworx/list_page2.json"),
		"3": fixture(t, "portworx/list_page3.json"),
	})
	got, err := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, &ListAccountInvitationsOptions{PageNumber: 2, PageSize: 2}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 3)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "pagination.pageNumber=2&pagination.pageSize=2&tenantUid="+pxTenantUID, reqs[0].Query)
	assert.Equal(t, "pagination.pageNumber=3&pagination.pageSize=2&tenantUid="+pxTenantUID, reqs[1].Query)
}

func TestAccountInvitationsListInvitationsEndsWithoutNextPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/list_numbers.json")))
	var pages []*Page[models.PortworxInvitation]
	for page, err := range env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 1)
	assert.Equal(t, 1, rec.count(), "an absent nextPage ends the list")
	assert.Equal(t, int64(2), pages[0].Total, "totalRecords sent as a JSON number")
	assert.False(t, pages[0].HasMore)
}

func TestAccountInvitationsListInvitationsStopsOnLoopingPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// A server naming the current page, or a page before it, as next.
	rec := pxPagedRoute(env, map[string]string{
		"1": `{"invitations":[{"meta":{"uid":"a"}}],"pagination":{"currentPage":"1","nextPage":"2"}}`,
		"2": `{"invitations":[{"meta":{"uid":"b"}}],"pagination":{"currentPage":"2","nextPage":"1"}}`,
	})
	got, err := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, pxUIDs(got))
	assert.Equal(t, 2, rec.count())

	// An empty page ends the list whatever nextPage says.
	env2 := newTestEnv(t)
	rec2 := pxPagedRoute(env2, map[string]string{
		"1": `{"invitations":[],"pagination":{"currentPage":"1","nextPage":"2"}}`,
		"2": `{"invitations":[{"meta":{"uid":"never"}}],"pagination":{"nextPage":"-1"}}`,
	})
	got, err = env2.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Equal(t, 1, rec2.count())
}

func TestAccountInvitationsListInvitationsValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		tenantUID string
		opts      *ListAccountInvitationsOptions
		wantParam string
	}{
		{"missing tenantUid", "", nil, "tenantUID"},
		{"blank tenantUid", "   ", &ListAccountInvitationsOptions{PageSize: 10}, "tenantUID"},
		{"negative page", pxTenantUID, &ListAccountInvitationsOptions{PageNumber: -1}, "PageNumber"},
		{"negative size", pxTenantUID, &ListAccountInvitationsOptions{PageSize: -5}, "PageSize"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/list_single.json")))
			pager := env.client.AccountInvitations.ListInvitations(t.Context(), tc.tenantUID, tc.opts)
			require.NotNil(t, pager)
			for range 2 { // every range reports the error, without I/O
				n := 0
				for item, err := range pager.All() {
					n++
					assert.Zero(t, item)
					var verr *ValidationError
					require.ErrorAs(t, err, &verr)
					assert.Equal(t, tc.wantParam, verr.Param)
				}
				assert.Equal(t, 1, n)
			}
			assert.Equal(t, 0, rec.count())
		})
	}
}

func TestAccountInvitationsGetInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	const uid = "a7d93c10-5e2b-4f61-8b7a-93c0d1e2f3a4"
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+uid, jsonReply(200, fixture(t, "portworx/get.json")))

	got, err := env.client.AccountInvitations.GetInvitation(t.Context(), uid)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/core/v1/invite/"+uid, req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	pxAssertHeaders(t, req, pxAccountID)

	want := &models.PortworxInvitation{
		Meta: &models.PortworxMeta{
			UID:             uid,
			ResourceVersion: "3",
			CreateTime:      pxTime(t, "2025-01-12T08:02:11Z"),
			UpdateTime:      pxTime(t, "2025-01-13T16:40:05.482913Z"),
			Labels:          map[string]string{},
			Annotations:     map[string]string{},
			ParentReference: &models.PortworxReference{Type: "tenant", Version: "v1", UID: pxTenantUID},
			ResourceNames:   map[string]string{pxTenantUID: "Acme Data Platform"},
		},
		Config: &models.PortworxInvitationConfig{
			UserEmail: "ops.lead@example.com",
			AccessPolicy: models.PortworxAccessPolicy{
				GlobalScope: []string{},
				Account:     []string{},
				Tenant:      []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{pxTenantUID}}},
				Project:     []models.PortworxRoleBinding{},
				Namespace:   []models.PortworxRoleBinding{},
			},
			TenantID: pxTenantUID,
		},
		Status: &models.PortworxInvitationStatus{Reason: "invitation accepted by user", Phase: models.PortworxInvitationPhaseAccepted},
	}
	assert.Equal(t, want, got)
}

func TestAccountInvitationsDeleteInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodDelete, testPortworxBase+"/core/v1/invite/"+pxInviteUID, jsonReply(200, fixture(t, "portworx/empty.json")))

	require.NoError(t, env.client.AccountInvitations.DeleteInvitation(t.Context(), pxInviteUID, nil))
	require.NoError(t, env.client.AccountInvitations.DeleteInvitation(t.Context(), pxInviteUID, &DeleteAccountInvitationOptions{ProjectID: pxProjectID}))

	reqs := rec.all()
	require.Len(t, reqs, 2)
	for _, req := range reqs {
		assert.Equal(t, http.MethodDelete, req.Method)
		assert.Equal(t, "/core/v1/invite/"+pxInviteUID, req.Path)
		assert.Empty(t, req.Body)
		pxAssertHeaders(t, req, pxAccountID)
	}
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, "projectId="+pxProjectID, reqs[1].Query)
}

func TestAccountInvitationsAcceptInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite:accept", jsonReply(200, fixture(t, "portworx/accept.json")))

	got, err := env.client.AccountInvitations.AcceptInvitation(t.Context(), pxAccountID)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/core/v1/invite:accept", req.Path, "the custom verb's colon is sent as is")
	assert.Empty(t, req.Query)
	pxAssertHeaders(t, req, pxAccountID)
	assert.JSONEq(t, `{"accountId":"`+pxAccountID+`"}`, string(req.Body))
	assert.Equal(t, &models.PortworxAcceptInvitationResponse{Message: "2 invitation(s) accepted"}, got)

	_, err = env.client.AccountInvitations.AcceptInvitation(t.Context(), " ")
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "accountID", verr.Param)
	assert.Equal(t, 1, rec.count())
}

func TestAccountInvitationsNotifyUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+pxInviteUID+":notify", jsonReply(200, fixture(t, "portworx/empty.json")))

	require.NoError(t, env.client.AccountInvitations.NotifyUser(t.Context(), pxInviteUID))
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/core/v1/invite/"+pxInviteUID+":notify", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	pxAssertHeaders(t, req, pxAccountID)
}

func TestAccountInvitationsUIDStaysInItsSegment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	catch := pxCatchAll(env)
	notify := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/x:notify", jsonReply(200, "{}"))
	accept := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite:accept", jsonReply(200, "{}"))
	svc := env.client.AccountInvitations
	ctx := t.Context()

	_, err := svc.GetInvitation(ctx, "x:notify")
	require.ErrorIs(t, err, ErrNotFound)
	require.ErrorIs(t, svc.DeleteInvitation(ctx, "x:notify", nil), ErrNotFound)
	require.ErrorIs(t, svc.NotifyUser(ctx, "a/b"), ErrNotFound)
	require.ErrorIs(t, svc.NotifyUser(ctx, "x:notify"), ErrNotFound)
	_, err = svc.GetInvitation(ctx, "../invite:accept")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = svc.GetInvitation(ctx, "a?b#c")
	require.ErrorIs(t, err, ErrNotFound)

	assert.Equal(t, 0, notify.count(), "a uid never reaches the notify route")
	assert.Equal(t, 0, accept.count(), "a uid never reaches the accept route")
	var got []string
	for _, r := range catch.all() {
		got = append(got, r.Method+" "+r.Path+"?"+r.Query)
	}
	assert.Equal(t, []string{
		"GET /core/v1/invite/x%3Anotify?",
		"DELETE /core/v1/invite/x%3Anotify?",
		"GET /core/v1/invite/a%2Fb:notify?",
		"GET /core/v1/invite/x%3Anotify:notify?",
		"GET /core/v1/invite/..%2Finvite%3Aaccept?",
		"GET /core/v1/invite/a%3Fb%23c?",
	}, got)

	for _, uid := range []string{"", " ", ".", "..", "a\nb"} {
		_, err := svc.GetInvitation(ctx, uid)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, "uid %q", uid)
		assert.Equal(t, "uid", verr.Param)
		require.ErrorAs(t, svc.NotifyUser(ctx, uid), &verr)
		require.ErrorAs(t, svc.DeleteInvitation(ctx, uid, nil), &verr)
	}
	assert.Len(t, catch.all(), 6, "invalid uids send nothing")
}

func TestAccountInvitationsAccountIDHeader(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "  ", "acct\r\nX-Evil: 1", "ä"} {
		_, err := NewClient(WithPortworxAccountID(bad))
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, "%q", bad)
		assert.Equal(t, "WithPortworxAccountID", verr.Param)
	}

	// The option's value is per Client; one call can name another account.
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	other := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+pxInviteUID, jsonReply(200, fixture(t, "portworx/get.json")))
	otherRec := other.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+pxInviteUID, jsonReply(200, fixture(t, "portworx/get.json")))

	_, err := env.client.AccountInvitations.GetInvitation(t.Context(), pxInviteUID, WithHeader("px-account-id", "acct-other"))
	require.NoError(t, err)
	_, err = env.client.AccountInvitations.GetInvitation(t.Context(), pxInviteUID)
	require.NoError(t, err)
	_, err = other.client.AccountInvitations.GetInvitation(t.Context(), pxInviteUID)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	pxAssertHeaders(t, reqs[0], "acct-other")
	pxAssertHeaders(t, reqs[1], pxAccountID)
	pxAssertHeaders(t, otherRec.only(t), "")
}

func TestAccountInvitationsNoBaseURL(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	catch := pxCatchAll(env)
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: env.mock}), WithPortworxAccessToken(testPortworxToken))
	require.NoError(t, err)
	svc := c.AccountInvitations
	ctx := t.Context()

	_, createErr := svc.CreateInvitation(ctx, pxNewInvitation())
	_, getErr := svc.GetInvitation(ctx, pxInviteUID)
	_, acceptErr := svc.AcceptInvitation(ctx, pxAccountID)
	_, listErr := svc.ListInvitations(ctx, pxTenantUID, nil).Collect(0)
	for name, err := range map[string]error{
		"CreateInvitation": createErr,
		"GetInvitation":    getErr,
		"AcceptInvitation": acceptErr,
		"ListInvitations":  listErr,
		"DeleteInvitation": svc.DeleteInvitation(ctx, pxInviteUID, nil),
		"NotifyUser":       svc.NotifyUser(ctx, pxInviteUID),
	} {
		require.ErrorIs(t, err, ErrNoBaseURL, name)
		assert.Contains(t, err.Error(), "WithPortworxBaseURL", name)
	}
	assert.Equal(t, 0, catch.count())
}

func TestAccountInvitationsErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const uid = "0000dead-beef-4000-8000-000000000000"
	env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+uid, jsonReply(404, fixture(t, "portworx/error_not_found.json"), "X-Request-Id", "req-7f3a"))
	env.route(http.MethodPost, testPortworxBase+"/core/v1/invite", jsonReply(400, fixture(t, "portworx/error_invalid_argument.json")))
	env.route(http.MethodPost, testPortworxBase+"/core/v1/invite:accept", jsonReply(401, fixture(t, "portworx/error_unauthenticated.json"), "WWW-Authenticate", "token is expired"))
	env.route(http.MethodDelete, testPortworxBase+"/core/v1/invite/"+uid, jsonReply(409, fixture(t, "portworx/error_unknown_code.json")))
	env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+uid+":notify", reply{status: 403, body: "<html><body>403 Forbidden</body></html>", header: http.Header{"Content-Type": {"text/html"}}})

	_, err := env.client.AccountInvitations.GetInvitation(t.Context(), uid)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "Portworx", apiErr.API)
	assert.Equal(t, http.MethodGet, apiErr.Method)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, "NOT_FOUND", apiErr.Code)
	assert.Equal(t, "invitation not found", apiErr.Message)
	assert.Nil(t, apiErr.Details, "an empty details array is no detail")
	assert.Equal(t, "req-7f3a", apiErr.RequestID)
	assert.Contains(t, err.Error(), "404 NOT_FOUND: invitation not found")
	assert.NotContains(t, err.Error(), testPortworxToken)

	_, err = env.client.AccountInvitations.CreateInvitation(t.Context(), pxNewInvitation())
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Equal(t, "INVALID_ARGUMENT", apiErr.Code)
	assert.Equal(t, "invalid CreateInvitationRequest.Invitation: embedded message failed validation", apiErr.Message)
	assert.JSONEq(t, `[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[
		{"field":"invitation.config.user_email","description":"value must be a valid email address"}]}]`, string(apiErr.Details))

	_, err = env.client.AccountInvitations.AcceptInvitation(t.Context(), pxAccountID)
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, "UNAUTHENTICATED", apiErr.Code)
	assert.Equal(t, "token is expired", apiErr.Header.Get("WWW-Authenticate"))

	err = env.client.AccountInvitations.DeleteInvitation(t.Context(), uid, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrConflict)
	assert.Equal(t, "42", apiErr.Code, "an unknown code number is kept")
	assert.Equal(t, "something new", apiErr.Message)
	assert.Nil(t, apiErr.Details)

	err = env.client.AccountInvitations.NotifyUser(t.Context(), uid)
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Empty(t, apiErr.Code, "a proxy's HTML page has no gRPC code")
	assert.Contains(t, string(apiErr.Body), "403 Forbidden")
}

func TestAccountInvitationsErrorCodeNames(t *testing.T) {
	t.Parallel()
	names := []string{
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
		"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
		"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
		"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
	}
	for code, name := range names {
		var e APIError
		decodePortworxError(&e, []byte(`{"code":`+strconv.Itoa(code)+`,"message":"m","details":[]}`))
		assert.Equal(t, name, e.Code, "code %d", code)
		assert.Equal(t, "m", e.Message)
	}
	cases := map[string]struct{ code, message string }{
		`{"code":17,"message":"x"}`:                   {"17", "x"},
		`{"code":-1,"message":"x"}`:                   {"-1", "x"},
		`{"code":"NOT_FOUND","message":"x"}`:          {"NOT_FOUND", "x"},
		`{"error":"legacy","code":5,"message":""}`:    {"NOT_FOUND", "legacy"},
		`{"message":"no code"}`:                       {"", "no code"},
		`{"code":null,"message":"null code"}`:         {"", "null code"},
		`not json`:                                    {"", ""},
		`[]`:                                          {"", ""},
		`{"code":5,"message":"d","details":"oops"}`:   {"NOT_FOUND", "d"},
		`{"code":5.0,"message":"float code"}`:         {"NOT_FOUND", "float code"},
		`{"code":3,"message":"x","details":[ ]}`:      {"INVALID_ARGUMENT", "x"},
		`{"code":3,"message":"x","extra":{"a":true}}`: {"INVALID_ARGUMENT", "x"},
		`{"code":1e40,"message":"huge"}`:              {"1e40", "huge"},
	}
	for body, want := range cases {
		var e APIError
		decodePortworxError(&e, []byte(body))
		assert.Equal(t, want.code, e.Code, body)
		assert.Equal(t, want.message, e.Message, body)
	}
}

func TestAccountInvitationsUnsafeCallsAreNotRetried(t *testing.T) {
	t.Parallel()
	calls := map[string]struct {
		method, path string
		call         func(s *AccountInvitationsService) error
	}{
		"CreateInvitation": {http.MethodPost, "/core/v1/invite", func(s *AccountInvitationsService) error {
			_, err := s.CreateInvitation(t.Context(), pxNewInvitation())
			return err
		}},
		"AcceptInvitation": {http.MethodPost, "/core/v1/invite:accept", func(s *AccountInvitationsService) error {
			_, err := s.AcceptInvitation(t.Context(), pxAccountID)
			return err
		}},
		"NotifyUser": {http.MethodGet, "/core/v1/invite/" + pxInviteUID + ":notify", func(s *AccountInvitationsService) error {
			return s.NotifyUser(t.Context(), pxInviteUID)
		}},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, status := range []int{500, 502, 503, 504} {
				env := newTestEnv(t)
				rec := env.route(tc.method, testPortworxBase+tc.path,
					jsonReply(status, fixture(t, "portworx/error_internal.json")),
					jsonReply(200, fixture(t, "portworx/create.json")))
				err := tc.call(env.client.AccountInvitations)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr, "status %d", status)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, "INTERNAL", apiErr.Code)
				assert.Equal(t, 1, rec.count(), "%s answered %d reaches the server exactly once", name, status)
			}

			// 429 means the server did nothing: retried, even for these.
			env := newTestEnv(t)
			rec := env.route(tc.method, testPortworxBase+tc.path,
				jsonReply(429, fixture(t, "portworx/error_rate_limited.json"), "Retry-After", "0"),
				jsonReply(200, fixture(t, "portworx/create.json")))
			require.NoError(t, tc.call(env.client.AccountInvitations))
			assert.Equal(t, 2, rec.count())
		})
	}
}

func TestAccountInvitationsSafeCallsAreRetried(t *testing.T) {
	t.Parallel()
	unavailable := jsonReply(503, fixture(t, "portworx/error_unavailable.json"))

	env := newTestEnv(t)
	get := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+pxInviteUID, unavailable, jsonReply(200, fixture(t, "portworx/get.json")))
	got, err := env.client.AccountInvitations.GetInvitation(t.Context(), pxInviteUID)
	require.NoError(t, err)
	assert.Equal(t, "ops.lead@example.com", got.Config.UserEmail)
	assert.Equal(t, 2, get.count())
	assert.Len(t, env.retryWaits(), 1)

	del := env.route(http.MethodDelete, testPortworxBase+"/core/v1/invite/"+pxInviteUID, jsonReply(500, fixture(t, "portworx/error_internal.json")), jsonReply(200, "{}"))
	require.NoError(t, env.client.AccountInvitations.DeleteInvitation(t.Context(), pxInviteUID, nil))
	assert.Equal(t, 2, del.count())

	list := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", unavailable, jsonReply(200, fixture(t, "portworx/list_single.json")))
	items, err := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	assert.Len(t, items, 2)
	assert.Equal(t, 2, list.count())
}

func TestAccountInvitationsDecodesProtojsonVariants(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testPortworxBase+"/core/v1/invite", jsonReply(200, fixture(t, "portworx/list_numbers.json")))
	items, err := env.client.AccountInvitations.ListInvitations(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, items, 2)

	first := items[0]
	assert.Equal(t, models.PortworxInvitationPhase("EXPIRED"), first.Status.Phase, "an unknown phase name is kept")
	assert.Equal(t, "invitation expired after 7 days", first.Status.Reason)
	assert.Equal(t, pxAccountID, first.Config.AccountID)
	assert.Equal(t, []string{"account-admin"}, first.Config.AccessPolicy.Account)
	assert.Equal(t, pxTime(t, "2025-02-01T09:00:00Z"), first.Meta.CreateTime)
	assert.Equal(t, 123456789, first.Meta.UpdateTime.Nanosecond(), "nine fractional digits")

	second := items[1]
	assert.Equal(t, models.PortworxInvitationPhaseAccepted, second.Status.Phase, "a numeric phase maps to its name")
	assert.Nil(t, second.Meta.CreateTime, "null timestamp")
	assert.Nil(t, second.Meta.UpdateTime)
	assert.Nil(t, second.Meta.ParentReference)
	assert.Equal(t, pxProjectID, second.Config.ProjectID)
	assert.Empty(t, second.Config.TenantID)
}

func TestPortworxInt64(t *testing.T) {
	t.Parallel()
	decode := map[string]models.Int64{
		`"12"`:                   12,
		`12`:                     12,
		`"-1"`:                   -1,
		`-1`:                     -1,
		`"9223372036854775807"`:  9223372036854775807,
		`-9223372036854775808`:   -9223372036854775808,
		`"0"`:                    0,
		`1e3`:                    1000,
		`"2.0"`:                  2,
		` "7" `:                  7,
		`"-9223372036854775808"`: -9223372036854775808,
	}
	for in, want := range decode {
		var got models.Int64
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{`""`, `"abc"`, `"1.5"`, `1.5`, `true`, `{}`, `"9223372036854775808"`, `"NaN"`} {
		var got models.Int64
		assert.Error(t, json.Unmarshal([]byte(in), &got), in)
	}

	// null leaves the value alone; an absent field stays zero.
	var p models.PortworxPageInfo
	require.NoError(t, json.Unmarshal([]byte(`{"totalRecords":null,"currentPage":"3","nextPage":4}`), &p))
	assert.Equal(t, models.PortworxPageInfo{CurrentPage: 3, NextPage: 4}, p)

	// Encoded as strings, as protojson does.
	out, err := json.Marshal(models.PortworxPageInfo{TotalRecords: 5, CurrentPage: 1, PageSize: 2, TotalPages: 3, NextPage: 2, PrevPage: -1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"totalRecords":"5","currentPage":"1","pageSize":"2","totalPages":"3","nextPage":"2","prevPage":"-1"}`, string(out))
	out, err = json.Marshal(models.Int64(-9223372036854775808))
	require.NoError(t, err)
	assert.Equal(t, `"-9223372036854775808"`, string(out))
}

func TestPortworxInvitationPhase(t *testing.T) {
	t.Parallel()
	decode := map[string]models.PortworxInvitationPhase{
		`"PENDING"`:           models.PortworxInvitationPhasePending,
		`"ACCEPTED"`:          models.PortworxInvitationPhaseAccepted,
		`"PHASE_UNSPECIFIED"`: models.PortworxInvitationPhaseUnspecified,
		`"REVOKED"`:           "REVOKED",
		`0`:                   models.PortworxInvitationPhaseUnspecified,
		`1`:                   models.PortworxInvitationPhasePending,
		`2`:                   models.PortworxInvitationPhaseAccepted,
		`9`:                   "9",
	}
	for in, want := range decode {
		var st models.PortworxInvitationStatus
		require.NoError(t, json.Unmarshal([]byte(`{"phase":`+in+`}`), &st), in)
		assert.Equal(t, want, st.Phase, in)
	}
	var st models.PortworxInvitationStatus
	require.NoError(t, json.Unmarshal([]byte(`{"phase":null}`), &st))
	assert.Empty(t, st.Phase)
	assert.Error(t, json.Unmarshal([]byte(`{"phase":true}`), &st))

	out, err := json.Marshal(models.PortworxInvitationStatus{Phase: "REVOKED"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"phase":"REVOKED"}`, string(out))
}

func TestAccountInvitationsConcurrentUse(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/"+pxInviteUID, jsonReply(200, fixture(t, "portworx/get.json")))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := env.client.AccountInvitations.GetInvitation(t.Context(), pxInviteUID)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	for _, req := range rec.all() {
		pxAssertHeaders(t, req, pxAccountID)
	}
	assert.Equal(t, 16, rec.count())
}
