package invitations

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const pxActorID = "a1c3e5f7-2b4d-4f6a-8c0e-1f2a3b4c5d6e"

// pxIAMBody is an IAM as the gateway writes it (every field, unpopulated
// ones too), for actor pxActorID.
const pxIAMBody = `{
  "meta": {
    "uid": "iam-5d0c7e3a-9b1f-4c2d-8e6a-7b8c9d0e1f2a", "name": "", "description": "", "resourceVersion": "3",
    "createTime": "2025-01-20T10:15:30.123Z", "updateTime": "2025-01-21T08:00:00Z",
    "labels": {}, "annotations": {},
    "parentReference": {"type": "account", "version": "v1", "uid": "` + pxAccountID + `"},
    "resourceNames": {"` + pxTenantUID + `": "Demo Organization"}
  },
  "config": {
    "actorId": "` + pxActorID + `", "actorType": "USER", "actorEmail": "jane.doe@example.com",
    "accessPolicy": {
      "globalScope": [], "account": ["account-reader"],
      "tenant": [{"roleName": "tenant-admin", "resourceIds": ["` + pxTenantUID + `"]}],
      "project": [{"roleName": "project-writer", "resourceIds": ["` + pxProjectID + `"]}],
      "namespace": []
    }
  }
}`

// pxWantIAM is pxIAMBody decoded.
func pxWantIAM(t *testing.T) *models.PortworxIAM {
	return &models.PortworxIAM{
		Meta: &models.PortworxMeta{
			UID: "iam-5d0c7e3a-9b1f-4c2d-8e6a-7b8c9d0e1f2a", ResourceVersion: "3",
			CreateTime: pxTime(t, "2025-01-20T10:15:30.123Z"), UpdateTime: pxTime(t, "2025-01-21T08:00:00Z"),
			Labels: map[string]string{}, Annotations: map[string]string{},
			ParentReference: &models.PortworxReference{Type: "account", Version: "v1", UID: pxAccountID},
			ResourceNames:   map[string]string{pxTenantUID: "Demo Organization"},
		},
		Config: &models.PortworxIAMConfig{
			ActorID: pxActorID, ActorType: "USER", ActorEmail: "jane.doe@example.com",
			AccessPolicy: models.PortworxAccessPolicy{
				GlobalScope: []string{}, Account: []string{"account-reader"},
				Tenant:    []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{pxTenantUID}}},
				Project:   []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{pxProjectID}}},
				Namespace: []models.PortworxRoleBinding{},
			},
		},
	}
}

// pxIAMPage is a ListIAM page holding IAMs for the actor ids given.
func pxIAMPage(current, next, total int, actors ...string) string {
	body := `{"iam": [`
	for i, a := range actors {
		if i > 0 {
			body += ","
		}
		body += `{"meta": {"uid": "iam-` + a + `"}, "config": {"actorId": "` + a + `", "actorType": "USER", "accessPolicy": {}}}`
	}
	return body + `], "pagination": {"totalRecords": "` + strconv.Itoa(total) + `", "currentPage": "` + strconv.Itoa(current) +
		`", "pageSize": "2", "totalPages": "2", "nextPage": "` + strconv.Itoa(next) + `", "prevPage": "-1"}}`
}

func TestPortworxIAMListIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := &recorder{}
	env.mock.RegisterResponder(http.MethodGet, testPortworxBase+"/core/v1/iam", func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		switch req.URL.Query().Get("pagination.pageNumber") {
		case "3":
			return jsonResponse(req, 200, pxIAMPage(3, 4, 3, "actor-1", "actor-2")), nil
		case "4":
			return jsonResponse(req, 200, pxIAMPage(4, -1, 3, "actor-3")), nil
		}
		return jsonResponse(req, 404, `{"code":5,"message":"Not Found","details":[]}`), nil
	})

	pager := env.client.IAM.ListIAM(t.Context(), pxTenantUID, &ListIAMOptions{
		ActorID: pxActorID, ProjectUID: pxProjectID, SortBy: models.PortworxIAMSortByEmail, SortOrder: models.PortworxSortOrderDesc,
		PageNumber: 3, PageSize: 2,
	})
	assert.Equal(t, 0, rec.count(), "the pager is returned without I/O")
	var pages []*Page[models.PortworxIAM]
	for page, err := range pager.Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}

	reqs := rec.all()
	require.Len(t, reqs, 2)
	for i, req := range reqs {
		assert.Equal(t, http.MethodGet, req.Method)
		assert.Equal(t, "/core/v1/iam", req.Path)
		assert.Equal(t, "actorId="+pxActorID+"&pagination.pageNumber="+strconv.Itoa(3+i)+"&pagination.pageSize=2&projectUid="+pxProjectID+
			"&sort.sortBy=EMAIL&sort.sortOrder=DESC&tenantUid="+pxTenantUID, req.Query)
		pxAssertHeaders(t, req, pxAccountID)
		assert.Empty(t, req.Body)
	}
	require.Len(t, pages, 2)
	assert.Equal(t, int64(3), pages[0].Total)
	assert.True(t, pages[0].HasMore)
	assert.Equal(t, int64(4), pages[0].NextPage)
	assert.False(t, pages[1].HasMore)
	var actors []string
	for _, p := range pages {
		for _, iam := range p.Items {
			actors = append(actors, iam.Config.ActorID)
		}
	}
	assert.Equal(t, []string{"actor-1", "actor-2", "actor-3"}, actors)
	assert.Equal(t, "USER", pages[1].Items[0].Config.ActorType)
}

func TestPortworxIAMListIAMMinimalQuery(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	body := `{"iam": [` + pxIAMBody + `], "pagination": {"totalRecords": "1", "currentPage": "1", "pageSize": "50", "totalPages": "1", "nextPage": "-1", "prevPage": "-1"}}`
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/iam", jsonReply(200, body))
	items, err := env.client.IAM.ListIAM(t.Context(), pxTenantUID, nil).Collect(0)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "pagination.pageNumber=1&pagination.pageSize=50&tenantUid="+pxTenantUID, req.Query,
		"a page number always travels with a page size; the deprecated filters are never sent")
	pxAssertHeaders(t, req, "")
	require.Len(t, items, 1)
	assert.Equal(t, *pxWantIAM(t), items[0])
}

func TestPortworxIAMListIAMValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sent := pxCatchAll(env)
	cases := map[string]struct {
		tenant string
		opts   *ListIAMOptions
		param  string
	}{
		"no tenant":          {"", nil, "tenantUID"},
		"blank tenant":       {"  ", nil, "tenantUID"},
		"blank actor":        {pxTenantUID, &ListIAMOptions{ActorID: " "}, "ActorID"},
		"blank project":      {pxTenantUID, &ListIAMOptions{ProjectUID: "\t"}, "ProjectUID"},
		"negative page":      {pxTenantUID, &ListIAMOptions{PageNumber: -1}, "PageNumber"},
		"negative page size": {pxTenantUID, &ListIAMOptions{PageSize: -5}, "PageSize"},
	}
	for name, tc := range cases {
		_, err := env.client.IAM.ListIAM(t.Context(), tc.tenant, tc.opts).Collect(0)
		var valErr *ValidationError
		require.ErrorAs(t, err, &valErr, name)
		assert.Equal(t, tc.param, valErr.Param, name)
	}
	assert.Equal(t, 0, sent.count(), "nothing is sent for invalid input")
}

func TestPortworxIAMCreateIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/iam", jsonReply(200, pxIAMBody))

	at := pxTime(t, "2025-01-01T00:00:00Z")
	got, err := env.client.IAM.CreateIAM(t.Context(), &models.PortworxIAM{
		// Output-only fields a caller may copy from a read are not sent.
		Meta: &models.PortworxMeta{UID: "iam-x", Name: "jane", Labels: map[string]string{"team": "platform"}, CreateTime: at, ResourceNames: map[string]string{"a": "b"}},
		Config: &models.PortworxIAMConfig{ActorID: pxActorID, ActorType: "USER", ActorEmail: "jane.doe@example.com", AccessPolicy: models.PortworxAccessPolicy{
			Account: []string{"account-reader"},
			Tenant:  []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{pxTenantUID}}},
		}},
	})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/core/v1/iam", req.Path)
	assert.Empty(t, req.Query)
	pxAssertHeaders(t, req, pxAccountID)
	assert.JSONEq(t, `{
		"meta": {"name": "jane", "labels": {"team": "platform"}},
		"config": {"actorId": "`+pxActorID+`", "accessPolicy": {
			"account": ["account-reader"],
			"tenant": [{"roleName": "tenant-admin", "resourceIds": ["`+pxTenantUID+`"]}]}}}`, string(req.Body),
		"the IAM itself is the body (body: \"iam\"), without output-only fields")
	assert.Equal(t, pxWantIAM(t), got)
}

func TestPortworxIAMCreateIAMValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sent := pxCatchAll(env)
	role := models.PortworxAccessPolicy{Account: []string{"account-admin"}}
	cases := map[string]struct {
		iam   *models.PortworxIAM
		param string
	}{
		"nil":           {nil, "iam"},
		"no config":     {&models.PortworxIAM{}, "iam.config"},
		"no actor":      {&models.PortworxIAM{Config: &models.PortworxIAMConfig{AccessPolicy: role}}, "iam.config.actorId"},
		"blank actor":   {&models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: " ", AccessPolicy: role}}, "iam.config.actorId"},
		"no role":       {&models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID}}, "iam.config.accessPolicy"},
		"blank account": {&models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID, AccessPolicy: models.PortworxAccessPolicy{Account: []string{""}}}}, "iam.config.accessPolicy.account[0]"},
		"blank role name": {&models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID, AccessPolicy: models.PortworxAccessPolicy{
			Project: []models.PortworxRoleBinding{{RoleName: "project-admin"}, {ResourceIDs: []string{pxProjectID}}}}}}, "iam.config.accessPolicy.project[1].roleName"},
		"blank resource": {&models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID, AccessPolicy: models.PortworxAccessPolicy{
			Namespace: []models.PortworxRoleBinding{{RoleName: "namespace-admin", ResourceIDs: []string{"ns-1", " "}}}}}}, "iam.config.accessPolicy.namespace[0].resourceIds[1]"},
	}
	for name, tc := range cases {
		_, err := env.client.IAM.CreateIAM(t.Context(), tc.iam)
		var valErr *ValidationError
		require.ErrorAs(t, err, &valErr, name)
		assert.Equal(t, tc.param, valErr.Param, name)
	}
	assert.Equal(t, 0, sent.count(), "nothing is sent for invalid input")
}

func TestPortworxIAMGetIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/iam/"+pxActorID, jsonReply(200, pxIAMBody))
	got, err := env.client.IAM.GetIAM(t.Context(), pxActorID)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/core/v1/iam/"+pxActorID, req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	pxAssertHeaders(t, req, "")
	assert.Equal(t, pxWantIAM(t), got)
}

func TestPortworxIAMDeleteIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testPortworxBase+"/core/v1/iam/"+pxActorID, jsonReply(200, "{}"))
	require.NoError(t, env.client.IAM.DeleteIAM(t.Context(), pxActorID))
	req := rec.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, "/core/v1/iam/"+pxActorID, req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	pxAssertHeaders(t, req, "")
}

func TestPortworxIAMGrantIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithPortworxAccountID(pxAccountID))
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/iam/"+pxActorID+":grant", jsonReply(200, `{"message": "role binding granted"}`))
	got, err := env.client.IAM.GrantIAM(t.Context(), pxActorID, &models.PortworxGrantIAMRequest{
		PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenantUID},
		AccessPolicy:     models.PortworxAccessPolicy{Project: []models.PortworxRoleBinding{{RoleName: "project-admin", ResourceIDs: []string{pxProjectID}}}},
	})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/core/v1/iam/"+pxActorID+":grant", req.Path, "the colon of the verb is not escaped")
	assert.Empty(t, req.Query)
	pxAssertHeaders(t, req, pxAccountID)
	assert.JSONEq(t, `{"tenantId": "`+pxTenantUID+`", "accessPolicy": {"project": [{"roleName": "project-admin", "resourceIds": ["`+pxProjectID+`"]}]}}`, string(req.Body),
		"the actor travels in the path only, and only the set member of the scope oneof is sent")
	assert.Equal(t, &models.PortworxGrantIAMResponse{Message: "role binding granted"}, got)
}

func TestPortworxIAMRevokeIAM(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/iam/"+pxActorID+":revoke", jsonReply(200, `{"message": "role binding revoked"}`))
	got, err := env.client.IAM.RevokeIAM(t.Context(), pxActorID, &models.PortworxRevokeIAMRequest{
		PortworxIAMScope: models.PortworxIAMScope{AccountID: pxAccountID},
		AccessPolicy:     models.PortworxAccessPolicy{Account: []string{"account-admin"}},
	})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/core/v1/iam/"+pxActorID+":revoke", req.Path)
	pxAssertHeaders(t, req, "")
	assert.JSONEq(t, `{"accountId": "`+pxAccountID+`", "accessPolicy": {"account": ["account-admin"]}}`, string(req.Body))
	assert.Equal(t, &models.PortworxRevokeIAMResponse{Message: "role binding revoked"}, got)
}

func TestPortworxIAMGrantRevokeValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sent := pxCatchAll(env)
	policy := models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{pxTenantUID}}}}
	cases := map[string]struct {
		actor string
		scope *models.PortworxIAMScope
		pol   models.PortworxAccessPolicy
		param string
	}{
		"no actor":    {"", &models.PortworxIAMScope{TenantID: pxTenantUID}, policy, "actorID"},
		"blank actor": {" ", &models.PortworxIAMScope{TenantID: pxTenantUID}, policy, "actorID"},
		"dot actor":   {"..", &models.PortworxIAMScope{TenantID: pxTenantUID}, policy, "actorID"},
		"nil request": {pxActorID, nil, policy, "req"},
		"no scope":    {pxActorID, &models.PortworxIAMScope{}, policy, "req.accountId|tenantId|projectId"},
		"two scopes":  {pxActorID, &models.PortworxIAMScope{TenantID: pxTenantUID, ProjectID: pxProjectID}, policy, "req.projectId"},
		"blank scope": {pxActorID, &models.PortworxIAMScope{AccountID: " "}, policy, "req.accountId"},
		"no role":     {pxActorID, &models.PortworxIAMScope{TenantID: pxTenantUID}, models.PortworxAccessPolicy{}, "req.accessPolicy"},
		"blank role": {pxActorID, &models.PortworxIAMScope{TenantID: pxTenantUID},
			models.PortworxAccessPolicy{GlobalScope: []string{" "}}, "req.accessPolicy.globalScope[0]"},
	}
	for name, tc := range cases {
		var grant *models.PortworxGrantIAMRequest
		var revoke *models.PortworxRevokeIAMRequest
		if tc.scope != nil {
			grant = &models.PortworxGrantIAMRequest{PortworxIAMScope: *tc.scope, AccessPolicy: tc.pol}
			revoke = &models.PortworxRevokeIAMRequest{PortworxIAMScope: *tc.scope, AccessPolicy: tc.pol}
		}
		_, err := env.client.IAM.GrantIAM(t.Context(), tc.actor, grant)
		var valErr *ValidationError
		require.ErrorAs(t, err, &valErr, "GrantIAM: "+name)
		assert.Equal(t, tc.param, valErr.Param, "GrantIAM: "+name)
		_, err = env.client.IAM.RevokeIAM(t.Context(), tc.actor, revoke)
		require.ErrorAs(t, err, &valErr, "RevokeIAM: "+name)
		assert.Equal(t, tc.param, valErr.Param, "RevokeIAM: "+name)
	}
	for _, actor := range []string{"", " "} {
		_, err := env.client.IAM.GetIAM(t.Context(), actor)
		assert.ErrorAs(t, err, new(*ValidationError))
		assert.ErrorAs(t, env.client.IAM.DeleteIAM(t.Context(), actor), new(*ValidationError))
	}
	assert.Equal(t, 0, sent.count(), "nothing is sent for invalid input")
}

func TestPortworxIAMActorStaysInItsSegment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	sent := pxCatchAll(env)
	// An actor id holding a colon or a slash cannot reach another route or
	// verb: the SDK escapes both.
	_, err := env.client.IAM.GetIAM(t.Context(), "x:revoke")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = env.client.IAM.GrantIAM(t.Context(), "a/b", &models.PortworxGrantIAMRequest{
		PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenantUID}, AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-reader"}}})
	require.ErrorIs(t, err, ErrNotFound)
	reqs := sent.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/core/v1/iam/x%3Arevoke", reqs[0].Path)
	assert.Equal(t, "/core/v1/iam/a%2Fb:grant", reqs[1].Path)
}

func TestPortworxIAMErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testPortworxBase+"/core/v1/iam/"+pxActorID,
		jsonReply(404, `{"code": 5, "message": "iam for actor not found", "details": []}`, "X-Request-Id", "req-1"))
	env.route(http.MethodPost, testPortworxBase+"/core/v1/iam",
		jsonReply(409, `{"code": 6, "message": "iam already exists", "details": [{"@type": "type.googleapis.com/google.rpc.ResourceInfo", "resourceName": "iam"}]}`))
	env.route(http.MethodPost, testPortworxBase+"/core/v1/iam/"+pxActorID+":revoke",
		jsonReply(403, `{"code": 7, "message": "permission denied", "details": []}`))

	_, err := env.client.IAM.GetIAM(t.Context(), pxActorID)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "Portworx", apiErr.API)
	assert.Equal(t, "NOT_FOUND", apiErr.Code)
	assert.Equal(t, "iam for actor not found", apiErr.Message)
	assert.Nil(t, apiErr.Details)
	assert.Equal(t, "req-1", apiErr.RequestID)
	assert.NotContains(t, err.Error(), testPortworxToken)

	_, err = env.client.IAM.CreateIAM(t.Context(), &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID,
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-reader"}}}})
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrConflict)
	assert.Equal(t, "ALREADY_EXISTS", apiErr.Code)
	assert.JSONEq(t, `[{"@type": "type.googleapis.com/google.rpc.ResourceInfo", "resourceName": "iam"}]`, string(apiErr.Details))

	_, err = env.client.IAM.RevokeIAM(t.Context(), pxActorID, &models.PortworxRevokeIAMRequest{
		PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenantUID}, AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-reader"}}})
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, ErrForbidden)
	assert.Equal(t, "PERMISSION_DENIED", apiErr.Code)
}

func TestPortworxIAMRetryClasses(t *testing.T) {
	t.Parallel()
	grant := &models.PortworxGrantIAMRequest{PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenantUID},
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-reader"}}}
	revoke := &models.PortworxRevokeIAMRequest{PortworxIAMScope: models.PortworxIAMScope{TenantID: pxTenantUID},
		AccessPolicy: models.PortworxAccessPolicy{Account: []string{"account-reader"}}}
	create := &models.PortworxIAM{Config: &models.PortworxIAMConfig{ActorID: pxActorID, AccessPolicy: grant.AccessPolicy}}
	calls := map[string]struct {
		method, path, ok string
		sends            int // requests a 503 then a 200 lead to
		call             func(s *IAMService) error
	}{
		"CreateIAM": {http.MethodPost, "/core/v1/iam", pxIAMBody, 1, func(s *IAMService) error {
			_, err := s.CreateIAM(t.Context(), create)
			return err
		}},
		"GrantIAM": {http.MethodPost, "/core/v1/iam/" + pxActorID + ":grant", `{"message": ""}`, 1, func(s *IAMService) error {
			_, err := s.GrantIAM(t.Context(), pxActorID, grant)
			return err
		}},
		"RevokeIAM": {http.MethodPost, "/core/v1/iam/" + pxActorID + ":revoke", `{"message": ""}`, 2, func(s *IAMService) error {
			_, err := s.RevokeIAM(t.Context(), pxActorID, revoke)
			return err
		}},
		"GetIAM": {http.MethodGet, "/core/v1/iam/" + pxActorID, pxIAMBody, 2, func(s *IAMService) error {
			_, err := s.GetIAM(t.Context(), pxActorID)
			return err
		}},
		"DeleteIAM": {http.MethodDelete, "/core/v1/iam/" + pxActorID, `{}`, 2, func(s *IAMService) error {
			return s.DeleteIAM(t.Context(), pxActorID)
		}},
		"ListIAM": {http.MethodGet, "/core/v1/iam", `{"iam": [], "pagination": null}`, 2, func(s *IAMService) error {
			_, err := s.ListIAM(t.Context(), pxTenantUID, nil).Collect(0)
			return err
		}},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(tc.method, testPortworxBase+tc.path,
				jsonReply(503, `{"code": 14, "message": "unavailable", "details": []}`), jsonReply(200, tc.ok))
			err := tc.call(env.client.IAM)
			assert.Equal(t, tc.sends, rec.count())
			if tc.sends == 1 {
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr, "granting is not repeated after a failure of unknown effect")
				assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}
