package invitations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const (
	freestyleAuth = "Bearer " + testFreestyleKey

	fsIdentity = "10a80a7a-1a32-4a74-b592-aa2a4ef691c5"
	fsRepo     = "2a069b2f-9d5f-47ed-b067-aeca843a01ba"
	fsVM       = "k3x9q2"
	fsTokenID  = "497f6eca-6276-4993-bfeb-53cbbbba6f08"
	// fsSecret is the token secret in testdata/freestyle/created_token.json.
	fsSecret = "fs-identity-secret-7d3c91b2e5"

	fsIdentityURL = testFreestyleBase + "/identity/v1/identities/" + fsIdentity
)

// fsAssertRequest checks the method, escaped path, raw query and common
// headers of one Freestyle request.
func fsAssertRequest(t *testing.T, req recorded, method, path, query string) {
	t.Helper()
	assert.Equal(t, method, req.Method)
	assert.Equal(t, path, req.Path)
	assert.Equal(t, query, req.Query)
	assertCommonHeaders(t, req, freestyleAuth)
}

func fsPtr[T any](v T) *T { return &v }

// ---- identities ----

func TestIdentityListIdentitiesPagesUntilTotal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
		jsonReply(200, fixture(t, "freestyle/identities_page1.json"), "X-Request-Id", "req-fs-1"),
		jsonReply(200, fixture(t, "freestyle/identities_page2.json")),
		jsonReply(200, fixture(t, "freestyle/identities_page3.json")),
		jsonReply(500, `{"message":"no fourth page should be asked for"}`),
	)
	pager := env.client.Identity.ListIdentities(t.Context(), &ListIdentitiesOptions{Limit: 2, IncludeManaged: fsPtr(true)})
	assert.Equal(t, 0, rec.count(), "a pager does no I/O until ranged")

	var pages []*Page[models.FreestyleIdentity]
	for page, err := range pager.Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 3)
	for i, wantQuery := range []string{
		"includeManaged=true&limit=2&offset=0",
		"includeManaged=true&limit=2&offset=2",
		"includeManaged=true&limit=2&offset=4",
	} {
		fsAssertRequest(t, reqs[i], http.MethodGet, "/identity/v1/identities", wantQuery)
		assert.Empty(t, reqs[i].Body)
	}

	require.Len(t, pages, 3)
	assert.Equal(t, int64(5), pages[0].Total)
	assert.True(t, pages[0].HasMore)
	assert.Equal(t, int64(2), pages[0].NextOffset)
	assert.Equal(t, "req-fs-1", pages[0].Response.RequestID)
	assert.True(t, pages[1].HasMore)
	assert.False(t, pages[2].HasMore)
	assert.Equal(t, []models.FreestyleIdentity{
		{ID: "0b8f2f0e-6a8e-4f5b-9d6e-2b1f6e7c9a10", Managed: false},
		{ID: "5c1d7a4b-3e2f-4a9b-8c7d-6e5f4a3b2c1d", Managed: true},
	}, pages[0].Items)
	assert.Equal(t, "f4fd0c8b-a7d2-45df-a538-55abc7bde453", pages[2].Items[0].ID)
}

func TestIdentityListIdentitiesQueryNames(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
		jsonReply(200, `{"identities":[],"offset":7,"total":0}`))

	// No options: only the offset the pager always sends.
	_, err := env.client.Identity.ListIdentities(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	// includeManaged=false is sent, since it differs from leaving it unset.
	_, err = env.client.Identity.ListIdentities(t.Context(), &ListIdentitiesOptions{Offset: 7, IncludeManaged: fsPtr(false)}).Collect(0)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	fsAssertRequest(t, reqs[0], http.MethodGet, "/identity/v1/identities", "offset=0")
	fsAssertRequest(t, reqs[1], http.MethodGet, "/identity/v1/identities", "includeManaged=false&offset=7")
}

func TestIdentityListIdentitiesEarlyBreakAndRangeTwice(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	page1 := jsonReply(200, fixture(t, "freestyle/identities_page1.json"))
	page2 := jsonReply(200, fixture(t, "freestyle/identities_page2.json"))
	page3 := jsonReply(200, fixture(t, "freestyle/identities_page3.json"))
	rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
		page1,               // the range that breaks early
		page1, page2, page3, // first full range
		page1, page2, page3, // second full range
	)
	pager := env.client.Identity.ListIdentities(t.Context(), &ListIdentitiesOptions{Limit: 2})

	for item, err := range pager.All() {
		require.NoError(t, err)
		assert.Equal(t, "0b8f2f0e-6a8e-4f5b-9d6e-2b1f6e7c9a10", item.ID)
		break
	}
	assert.Equal(t, 1, rec.count(), "breaking out of the loop fetches nothing more")

	first, err := pager.Collect(0)
	require.NoError(t, err)
	second, err := pager.Collect(0)
	require.NoError(t, err)
	assert.Len(t, first, 5)
	assert.Equal(t, first, second)

	reqs := rec.all()
	require.Len(t, reqs, 7)
	var queries []string
	for _, r := range reqs {
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{
		"limit=2&offset=0",
		"limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=4",
		"limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=4",
	}, queries, "each range starts over from the first page")
}

func TestIdentityListIdentitiesEndsOnEmptyPageBeforeTotal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Identities deleted while listing: total says 5 but the list runs dry.
	rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
		jsonReply(200, fixture(t, "freestyle/identities_page1.json")),
		jsonReply(200, `{"identities":[],"offset":2,"total":5}`),
	)
	got, err := env.client.Identity.ListIdentities(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "offset=2", reqs[1].Query, "without a limit, the next offset follows the items received")
}

func TestIdentityCreateIdentity(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities",
		jsonReply(200, fixture(t, "freestyle/identity.json")))
	got, err := env.client.Identity.CreateIdentity(t.Context())
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodPost, "/identity/v1/identities", "")
	assert.Empty(t, req.Body, "create identity has no request body")
	assert.Equal(t, &models.FreestyleIdentity{ID: "0b8f2f0e-6a8e-4f5b-9d6e-2b1f6e7c9a10", Managed: false}, got)
}

func TestIdentityDeleteIdentity(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, fsIdentityURL, jsonReply(200, fixture(t, "freestyle/empty.json")))
	require.NoError(t, env.client.Identity.DeleteIdentity(t.Context(), fsIdentity))
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodDelete, "/identity/v1/identities/"+fsIdentity, "")
	assert.Empty(t, req.Body)
}

// ---- git permissions ----

func TestIdentityListGitPermissionsEndsOnShortPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/git",
		jsonReply(200, fixture(t, "freestyle/git_permissions_page1.json")),
		jsonReply(200, fixture(t, "freestyle/git_permissions_page2.json")),
		jsonReply(500, `{"message":"no third page should be asked for"}`),
	)
	var pages []*Page[models.AccessibleRepository]
	for page, err := range env.client.Identity.ListGitPermissions(t.Context(), fsIdentity, &ListGitPermissionsOptions{Limit: 2}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2, "a page shorter than the limit ends the list")
	fsAssertRequest(t, reqs[0], http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/git", "limit=2&offset=0")
	fsAssertRequest(t, reqs[1], http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/git", "limit=2&offset=2")

	require.Len(t, pages, 2)
	assert.Equal(t, int64(-1), pages[0].Total, "the API reports no total")
	assert.True(t, pages[0].HasMore)
	assert.False(t, pages[1].HasMore)
	assert.Equal(t, models.AccessibleRepository{
		ID:          fsRepo,
		Name:        fsPtr("customer-42-site"),
		AccountID:   "3d07c219-0a88-45be-9cfc-91e9d095a1e9",
		Permissions: models.GitAccessLevelWrite,
		Visibility:  models.RepositoryVisibilityPrivate,
	}, pages[0].Items[0])
	assert.Nil(t, pages[0].Items[1].Name, "null name")
	assert.Equal(t, models.GitAccessLevelRead, pages[0].Items[1].Permissions)
	assert.Equal(t, models.RepositoryVisibilityPublic, pages[0].Items[1].Visibility)
	// Values this SDK does not know still decode.
	assert.Equal(t, models.GitAccessLevel("admin"), pages[1].Items[0].Permissions)
	assert.Equal(t, models.RepositoryVisibility("internal"), pages[1].Items[0].Visibility)
}

func TestIdentityListGitPermissionsFullPageThenEmpty(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/git",
		jsonReply(200, fixture(t, "freestyle/git_permissions_page1.json")),
		jsonReply(200, fixture(t, "freestyle/git_permissions_empty.json")),
	)
	got, err := env.client.Identity.ListGitPermissions(t.Context(), fsIdentity, &ListGitPermissionsOptions{Limit: 2, Offset: 4}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=2&offset=4", reqs[0].Query)
	assert.Equal(t, "limit=2&offset=6", reqs[1].Query)
}

func TestIdentityListGitPermissionsEarlyBreak(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/git",
		jsonReply(200, fixture(t, "freestyle/git_permissions_page1.json")))
	n := 0
	for _, err := range env.client.Identity.ListGitPermissions(t.Context(), fsIdentity, &ListGitPermissionsOptions{Limit: 2}).All() {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 1, rec.count())
}

func TestIdentityDescribeGitPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/git/"+fsRepo,
		jsonReply(200, fixture(t, "freestyle/git_permission.json")),
		jsonReply(200, fixture(t, "freestyle/git_permission_none.json")),
	)
	got, err := env.client.Identity.DescribeGitPermission(t.Context(), fsIdentity, fsRepo)
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/git/"+fsRepo, "")
	assert.Equal(t, &models.DescribeGitPermissionSuccess{
		Identity:    fsIdentity,
		Repo:        fsRepo,
		AccessLevel: fsPtr(models.GitAccessLevelWrite),
	}, got)

	none, err := env.client.Identity.DescribeGitPermission(t.Context(), fsIdentity, fsRepo)
	require.NoError(t, err)
	assert.Nil(t, none.AccessLevel, "accessLevel null: no access")
}

func TestIdentityGrantGitPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, fsIdentityURL+"/permissions/git/"+fsRepo,
		jsonReply(200, fixture(t, "freestyle/empty.json")))
	err := env.client.Identity.GrantGitPermission(t.Context(), fsIdentity, fsRepo,
		&models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead})
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodPost, "/identity/v1/identities/"+fsIdentity+"/permissions/git/"+fsRepo, "")
	assert.JSONEq(t, `{"permission":"read"}`, string(req.Body))
}

func TestIdentityUpdateGitPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPut, fsIdentityURL+"/permissions/git/"+fsRepo,
		jsonReply(200, fixture(t, "freestyle/empty.json")))
	err := env.client.Identity.UpdateGitPermission(t.Context(), fsIdentity, fsRepo,
		&models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelWrite})
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodPut, "/identity/v1/identities/"+fsIdentity+"/permissions/git/"+fsRepo, "")
	assert.JSONEq(t, `{"permission":"write"}`, string(req.Body))
}

func TestIdentityRevokeGitPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, fsIdentityURL+"/permissions/git/"+fsRepo,
		jsonReply(200, fixture(t, "freestyle/empty.json")))
	require.NoError(t, env.client.Identity.RevokeGitPermission(t.Context(), fsIdentity, fsRepo))
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodDelete, "/identity/v1/identities/"+fsIdentity+"/permissions/git/"+fsRepo, "")
	assert.Empty(t, req.Body)
}

// ---- VM permissions ----

func TestIdentityListVMPermissions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/vm",
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page1.json")),
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page2.json")),
		jsonReply(500, `{"message":"no third page should be asked for"}`),
	)
	var pages []*Page[models.VMPermission]
	for page, err := range env.client.Identity.ListVMPermissions(t.Context(), fsIdentity, &ListVMPermissionsOptions{Limit: 2}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2, "the list ends at the reported total")
	fsAssertRequest(t, reqs[0], http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/vm", "limit=2&offset=0")
	fsAssertRequest(t, reqs[1], http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/vm", "limit=2&offset=2")

	require.Len(t, pages, 2)
	assert.Equal(t, int64(3), pages[0].Total)
	assert.True(t, pages[0].HasMore)
	assert.False(t, pages[1].HasMore)

	restricted := pages[0].Items[0]
	assert.Equal(t, "497f6eca-6276-4993-bfeb-53cbbbba6f08", restricted.ID)
	assert.Equal(t, "k3x9q2", restricted.VMID)
	assert.Equal(t, "ebc92baa-b430-498d-b30d-132ff32a5256", restricted.IdentityID)
	assert.Equal(t, "f4fd0c8b-a7d2-45df-a538-55abc7bde453", restricted.GrantedBy)
	assert.True(t, time.Date(2026, 3, 2, 17, 45, 10, 0, time.UTC).Equal(restricted.GrantedAt))
	users, ok := restricted.AllowedUsers.Get()
	assert.True(t, ok)
	assert.Equal(t, []string{"alice", "bob"}, users)
	assert.False(t, restricted.AllowsAnyUser())

	anyUser := pages[0].Items[1]
	assert.True(t, anyUser.AllowedUsers.IsNull(), "allowedUsers null")
	assert.True(t, anyUser.AllowsAnyUser())

	absent := pages[1].Items[0]
	assert.True(t, absent.AllowedUsers.IsZero(), "allowedUsers absent")
	assert.True(t, absent.AllowsAnyUser())
	assert.True(t, time.Date(2026, 3, 6, 9, 30, 0, 123456000, time.UTC).Equal(absent.GrantedAt))
}

func TestIdentityListVMPermissionsRangeTwice(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/vm",
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page1.json")),
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page2.json")),
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page1.json")),
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page2.json")),
	)
	pager := env.client.Identity.ListVMPermissions(t.Context(), fsIdentity, nil)
	for range 2 {
		got, err := pager.Collect(0)
		require.NoError(t, err)
		assert.Len(t, got, 3)
	}
	var queries []string
	for _, r := range rec.all() {
		queries = append(queries, r.Query)
	}
	assert.Equal(t, []string{"offset=0", "offset=2", "offset=0", "offset=2"}, queries)
}

func TestIdentityDescribeVMPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/vm/"+fsVM,
		jsonReply(200, fixture(t, "freestyle/vm_permission.json")))
	got, err := env.client.Identity.DescribeVMPermission(t.Context(), fsIdentity, fsVM)
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/permissions/vm/"+fsVM, "")
	assert.Equal(t, &models.VMPermission{
		ID:           "497f6eca-6276-4993-bfeb-53cbbbba6f08",
		VMID:         "k3x9q2",
		IdentityID:   "ebc92baa-b430-498d-b30d-132ff32a5256",
		AllowedUsers: models.Value([]string{"alice"}),
		GrantedAt:    time.Date(2026, 3, 2, 17, 45, 10, 0, time.UTC),
		GrantedBy:    "f4fd0c8b-a7d2-45df-a538-55abc7bde453",
	}, got)
}

func TestIdentityGrantVMPermissionBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body *models.GrantVMPermissionRequest
		want string // exact bytes: null and absent mean different things
	}{
		{"nil body sends an empty object", nil, `{}`},
		{"absent", &models.GrantVMPermissionRequest{}, `{}`},
		{"null allows every user", &models.GrantVMPermissionRequest{AllowedUsers: models.Null[[]string]()}, `{"allowedUsers":null}`},
		{"list", &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"alice", "bob"})}, `{"allowedUsers":["alice","bob"]}`},
		{"nil list is an empty list, never null", &models.GrantVMPermissionRequest{AllowedUsers: models.Value[[]string](nil)}, `{"allowedUsers":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPost, fsIdentityURL+"/permissions/vm/"+fsVM,
				jsonReply(200, fixture(t, "freestyle/vm_permission.json")))
			got, err := env.client.Identity.GrantVMPermission(t.Context(), fsIdentity, fsVM, tc.body)
			require.NoError(t, err)
			req := rec.only(t)
			fsAssertRequest(t, req, http.MethodPost, "/identity/v1/identities/"+fsIdentity+"/permissions/vm/"+fsVM, "")
			assert.Equal(t, tc.want, string(req.Body))
			assert.Equal(t, "497f6eca-6276-4993-bfeb-53cbbbba6f08", got.ID)
			users, _ := got.AllowedUsers.Get()
			assert.Equal(t, []string{"alice"}, users)
		})
	}
}

func TestIdentityUpdateAllowedUsers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		body    *models.UpdateAllowedUsersRequest
		want    string
		reply   string
		anyUser bool
	}{
		{"null allows every user", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()}, `{"allowedUsers":null}`, "freestyle/vm_permission_any_user.json", true},
		{"list", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{"alice"})}, `{"allowedUsers":["alice"]}`, "freestyle/vm_permission.json", false},
		{"empty list", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{})}, `{"allowedUsers":[]}`, "freestyle/vm_permission.json", false},
		{"nil list", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value[[]string](nil)}, `{"allowedUsers":[]}`, "freestyle/vm_permission.json", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPut, fsIdentityURL+"/permissions/vm/"+fsVM,
				jsonReply(200, fixture(t, tc.reply)))
			got, err := env.client.Identity.UpdateAllowedUsers(t.Context(), fsIdentity, fsVM, tc.body)
			require.NoError(t, err)
			req := rec.only(t)
			fsAssertRequest(t, req, http.MethodPut, "/identity/v1/identities/"+fsIdentity+"/permissions/vm/"+fsVM, "")
			assert.Equal(t, tc.want, string(req.Body))
			assert.Equal(t, tc.anyUser, got.AllowsAnyUser())
			assert.Equal(t, "k3x9q2", got.VMID)
		})
	}
}

func TestIdentityRevokeVMPermission(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, fsIdentityURL+"/permissions/vm/"+fsVM,
		jsonReply(200, fixture(t, "freestyle/empty.json")))
	require.NoError(t, env.client.Identity.RevokeVMPermission(t.Context(), fsIdentity, fsVM))
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodDelete, "/identity/v1/identities/"+fsIdentity+"/permissions/vm/"+fsVM, "")
	assert.Empty(t, req.Body)
}

func TestIdentityPathParamsAreEscaped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testFreestyleBase+"/identity/v1/identities/id%3Fx/permissions/vm/vm%2F1%20a%3Ab",
		jsonReply(200, `{}`))
	require.NoError(t, env.client.Identity.RevokeVMPermission(t.Context(), "id?x", "vm/1 a:b"))
	req := rec.only(t)
	assert.Equal(t, "/identity/v1/identities/id%3Fx/permissions/vm/vm%2F1%20a%3Ab", req.Path)
	assert.Equal(t, "", req.Query)
}

// ---- tokens ----

func TestIdentityListGitTokens(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/tokens",
		jsonReply(200, fixture(t, "freestyle/tokens.json")))
	got, err := env.client.Identity.ListGitTokens(t.Context(), fsIdentity)
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodGet, "/identity/v1/identities/"+fsIdentity+"/tokens", "")
	assert.Equal(t, []models.AccessTokenInfo{
		{ID: "497f6eca-6276-4993-bfeb-53cbbbba6f08"},
		{ID: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"},
	}, got)
}

func TestIdentityCreateGitToken(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, fsIdentityURL+"/tokens",
		jsonReply(200, fixture(t, "freestyle/created_token.json")))
	got, err := env.client.Identity.CreateGitToken(t.Context(), fsIdentity)
	require.NoError(t, err)
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodPost, "/identity/v1/identities/"+fsIdentity+"/tokens", "")
	assert.Empty(t, req.Body, "create token has no request body")
	assert.Equal(t, fsTokenID, got.ID)
	assert.Equal(t, fsSecret, got.Token.Reveal(), "the caller can read the secret")
	assert.False(t, got.Token.IsZero())
}

func TestIdentityRevokeGitToken(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, fsIdentityURL+"/tokens/"+fsTokenID,
		jsonReply(200, fixture(t, "freestyle/empty.json")))
	require.NoError(t, env.client.Identity.RevokeGitToken(t.Context(), fsIdentity, fsTokenID))
	req := rec.only(t)
	fsAssertRequest(t, req, http.MethodDelete, "/identity/v1/identities/"+fsIdentity+"/tokens/"+fsTokenID, "")
	assert.Empty(t, req.Body)
}

// ---- the token secret never shows ----

func TestFreestyleTokenSecretRedacted(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, fsIdentityURL+"/tokens",
		jsonReply(200, fixture(t, "freestyle/created_token.json")))
	ct, err := env.client.Identity.CreateGitToken(t.Context(), fsIdentity)
	require.NoError(t, err)
	require.Equal(t, fsSecret, ct.Token.Reveal())

	type wrapper struct {
		Exported   models.CreatedToken
		unexported models.CreatedToken
		secret     models.TokenSecret
		List       []models.CreatedToken
		Map        map[string]models.TokenSecret
	}
	w := wrapper{Exported: *ct, unexported: *ct, secret: ct.Token, List: []models.CreatedToken{*ct}, Map: map[string]models.TokenSecret{"t": ct.Token}}

	var outputs []string
	for _, v := range []any{ct, *ct, ct.Token, &ct.Token, w, &w} {
		outputs = append(outputs,
			fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v),
			fmt.Sprintf("%q|%x|%X|%d|%10.3s|%T", v, v, v, v, v, v),
			fmt.Sprint(v), fmt.Sprintln(v),
		)
	}
	outputs = append(outputs, ct.Token.String(), ct.Token.GoString())

	// slog, both built-in handlers, the secret logged on its own, in the
	// model, and inside a caller's struct.
	var jsonLog, textLog bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&jsonLog, nil), slog.NewTextHandler(&textLog, nil)} {
		logger := slog.New(h)
		logger.Info("created", "token", ct, "value", *ct, "secret", ct.Token, "wrapped", w)
		logger.Info("group", slog.Group("g", slog.Any("token", ct)))
	}
	outputs = append(outputs, jsonLog.String(), textLog.String())

	// encoding/json, as loggers and debug dumps use it.
	for _, v := range []any{ct, w} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		outputs = append(outputs, string(b))
	}

	for _, out := range outputs {
		assert.NotContains(t, out, fsSecret)
		assert.NotContains(t, out, "7d3c91")
	}
	assert.Contains(t, fmt.Sprintf("%v", ct), "[REDACTED]")
	assert.Contains(t, fmt.Sprintf("%+v", ct), fsTokenID, "the token id is not secret")
	assert.Contains(t, jsonLog.String(), `"token":{"id":"`+fsTokenID+`","token":"[REDACTED]"}`)
	assert.Contains(t, textLog.String(), "token.token=[REDACTED]")
	b, _ := json.Marshal(ct)
	assert.JSONEq(t, `{"id":"`+fsTokenID+`","token":"[REDACTED]"}`, string(b))

	// The zero secret shows as empty, and a secret built by hand behaves
	// like a decoded one.
	var zero models.TokenSecret
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", fmt.Sprint(zero))
	assert.Equal(t, "", zero.Reveal())
	made := models.NewTokenSecret("s3cr3t-value")
	assert.Equal(t, "[REDACTED]", fmt.Sprintf("%v", made))
	assert.Equal(t, "s3cr3t-value", made.Reveal())
}

func TestFreestyleTokenSecretDecodeErrors(t *testing.T) {
	t.Parallel()
	var ct models.CreatedToken
	err := json.Unmarshal([]byte(`{"id":"x","token":12345}`), &ct)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "12345")
	require.NoError(t, json.Unmarshal([]byte(`{"id":"x","token":null}`), &ct))
	assert.True(t, ct.Token.IsZero())
}

// ---- errors ----

func TestFreestyleErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		sentinel error
		code     string
		message  string
		details  string
	}{
		{"code and message", 404, fixture(t, "freestyle/error_code.json"), ErrNotFound, "IDENTITY_NOT_FOUND", "Identity not found", ""},
		{"error and message", 403, fixture(t, "freestyle/error_error.json"), ErrForbidden, "CANNOT_DELETE_MANAGED_IDENTITY", "Managed identities cannot be deleted", ""},
		{"message only", 409, fixture(t, "freestyle/error_message.json"), ErrConflict, "", "Permission already exists", ""},
		{"error as a sentence", 401, `{"error":"Invalid API key"}`, ErrUnauthorized, "", "Invalid API key", ""},
		{"extra fields kept", 404, `{"code":"VM_PERMISSION_NOT_FOUND","message":"No permission","vmId":"k3x9q2"}`, ErrNotFound, "VM_PERMISSION_NOT_FOUND", "No permission", `{"vmId":"k3x9q2"}`},
		{"numeric code", 409, `{"code":409,"message":"Permission already exists"}`, ErrConflict, "409", "Permission already exists", ""},
		{"numeric code with fraction", 404, `{"code":404.0,"message":"Identity not found"}`, ErrNotFound, "404.0", "Identity not found", ""},
		{"code neither string nor number", 404, `{"code":{"n":1},"message":"Identity not found"}`, ErrNotFound, "", "Identity not found", `{"code":{"n":1}}`},
		{"JSON string", 404, `"Identity not found"`, ErrNotFound, "", "Identity not found", ""},
		{"plain text", 404, "not found here", ErrNotFound, "", "not found here", ""},
		{"HTML", 404, "<html><body>nginx</body></html>", ErrNotFound, "", "", ""},
		{"other JSON", 404, `{"errors":[{"detail":"x"}]}`, ErrNotFound, "", `{"errors":[{"detail":"x"}]}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodDelete, fsIdentityURL, jsonReply(tc.status, tc.body, "X-Request-Id", "req-err"))
			err := env.client.Identity.DeleteIdentity(t.Context(), fsIdentity)
			require.Error(t, err)
			assert.Equal(t, 1, rec.count())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, errors.Is(err, tc.sentinel))
			assert.Equal(t, "Freestyle", apiErr.API)
			assert.Equal(t, http.MethodDelete, apiErr.Method)
			assert.Equal(t, fsIdentityURL, apiErr.URL)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, "req-err", apiErr.RequestID)
			assert.Equal(t, tc.body, string(apiErr.Body), "the raw body is kept")
			if tc.details == "" {
				assert.Empty(t, apiErr.Details)
			} else {
				assert.JSONEq(t, tc.details, string(apiErr.Details))
			}
			if tc.code != "" {
				assert.Contains(t, err.Error(), tc.code)
			}
			assert.NotContains(t, err.Error(), testFreestyleKey)
		})
	}
}

func TestFreestyleErrorOnPagerIsYieldedOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, fsIdentityURL+"/permissions/vm",
		jsonReply(200, fixture(t, "freestyle/vm_permissions_page1.json")),
		jsonReply(404, fixture(t, "freestyle/error_code.json")),
	)
	var items int
	var errs []error
	for _, err := range env.client.Identity.ListVMPermissions(t.Context(), fsIdentity, nil).All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items++
	}
	assert.Equal(t, 2, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrNotFound)
	assert.Equal(t, 2, rec.count())
}

// ---- validation: nothing is sent ----

func TestIdentityValidationSendsNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var recs []*recorder
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		recs = append(recs, env.route(method, `=~^`+testFreestyleBase+`/`, jsonReply(200, `{}`)))
	}
	ctx := t.Context()
	id := env.client.Identity
	cases := []struct {
		name  string
		param string
		call  func() error
	}{
		{"DeleteIdentity empty", "identityID", func() error { return id.DeleteIdentity(ctx, "") }},
		{"DeleteIdentity blank", "identityID", func() error { return id.DeleteIdentity(ctx, "  ") }},
		{"DeleteIdentity dot-dot", "identityID", func() error { return id.DeleteIdentity(ctx, "..") }},
		{"DeleteIdentity control", "identityID", func() error { return id.DeleteIdentity(ctx, "a\nb") }},
		{"DescribeGitPermission repo", "repoID", func() error { _, err := id.DescribeGitPermission(ctx, fsIdentity, ""); return err }},
		{"DescribeGitPermission identity", "identityID", func() error { _, err := id.DescribeGitPermission(ctx, ".", fsRepo); return err }},
		{"GrantGitPermission nil body", "body", func() error { return id.GrantGitPermission(ctx, fsIdentity, fsRepo, nil) }},
		{"GrantGitPermission no permission", "permission", func() error {
			return id.GrantGitPermission(ctx, fsIdentity, fsRepo, &models.GrantGitPermissionRequest{})
		}},
		{"GrantGitPermission repo", "repoID", func() error {
			return id.GrantGitPermission(ctx, fsIdentity, "", &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead})
		}},
		{"UpdateGitPermission nil body", "body", func() error { return id.UpdateGitPermission(ctx, fsIdentity, fsRepo, nil) }},
		{"UpdateGitPermission no permission", "permission", func() error {
			return id.UpdateGitPermission(ctx, fsIdentity, fsRepo, &models.UpdateGitPermissionRequest{})
		}},
		{"RevokeGitPermission", "repoID", func() error { return id.RevokeGitPermission(ctx, fsIdentity, "..") }},
		{"DescribeVMPermission", "vmID", func() error { _, err := id.DescribeVMPermission(ctx, fsIdentity, ""); return err }},
		{"GrantVMPermission vm", "vmID", func() error { _, err := id.GrantVMPermission(ctx, fsIdentity, "", nil); return err }},
		{"GrantVMPermission blank user", "allowedUsers[1]", func() error {
			_, err := id.GrantVMPermission(ctx, fsIdentity, fsVM, &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"alice", " "})})
			return err
		}},
		{"UpdateAllowedUsers nil body", "body", func() error { _, err := id.UpdateAllowedUsers(ctx, fsIdentity, fsVM, nil); return err }},
		{"UpdateAllowedUsers absent", "allowedUsers", func() error {
			_, err := id.UpdateAllowedUsers(ctx, fsIdentity, fsVM, &models.UpdateAllowedUsersRequest{})
			return err
		}},
		{"UpdateAllowedUsers blank user", "allowedUsers[0]", func() error {
			_, err := id.UpdateAllowedUsers(ctx, fsIdentity, fsVM, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{""})})
			return err
		}},
		{"UpdateAllowedUsers identity", "identityID", func() error {
			_, err := id.UpdateAllowedUsers(ctx, "", fsVM, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()})
			return err
		}},
		{"RevokeVMPermission", "vmID", func() error { return id.RevokeVMPermission(ctx, fsIdentity, " ") }},
		{"ListGitTokens", "identityID", func() error { _, err := id.ListGitTokens(ctx, ""); return err }},
		{"CreateGitToken", "identityID", func() error { _, err := id.CreateGitToken(ctx, ""); return err }},
		{"RevokeGitToken", "tokenID", func() error { return id.RevokeGitToken(ctx, fsIdentity, "") }},
		{"ListIdentities limit", "Limit", func() error {
			_, err := id.ListIdentities(ctx, &ListIdentitiesOptions{Limit: -1}).Collect(0)
			return err
		}},
		{"ListIdentities offset", "Offset", func() error {
			_, err := id.ListIdentities(ctx, &ListIdentitiesOptions{Offset: -5}).Collect(0)
			return err
		}},
		{"ListGitPermissions identity", "identityID", func() error {
			_, err := id.ListGitPermissions(ctx, "", nil).Collect(0)
			return err
		}},
		{"ListGitPermissions limit", "Limit", func() error {
			_, err := id.ListGitPermissions(ctx, fsIdentity, &ListGitPermissionsOptions{Limit: -2}).Collect(0)
			return err
		}},
		{"ListVMPermissions identity", "identityID", func() error {
			_, err := id.ListVMPermissions(ctx, "..", nil).Collect(0)
			return err
		}},
		{"ListVMPermissions offset", "Offset", func() error {
			_, err := id.ListVMPermissions(ctx, fsIdentity, &ListVMPermissionsOptions{Offset: -1}).Collect(0)
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, tc.name) {
			assert.Equal(t, tc.param, ve.Param, tc.name)
			assert.ErrorIs(t, err, ErrInvalidParameter, tc.name)
		}
	}
	for _, rec := range recs {
		assert.Equal(t, 0, rec.count(), "no request may be sent for invalid input")
	}
}

func TestIdentityInvalidPagerYieldsErrorOnEveryRange(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, `=~^`+testFreestyleBase+`/`, jsonReply(200, `{}`))
	pager := env.client.Identity.ListGitPermissions(t.Context(), "", nil)
	for range 2 {
		n := 0
		for item, err := range pager.All() {
			n++
			assert.Equal(t, models.AccessibleRepository{}, item)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "identityID", ve.Param)
		}
		assert.Equal(t, 1, n)
	}
	assert.Equal(t, 0, rec.count())
}

// ---- retries ----

func TestIdentityUnsafeOperationsAreNotRetriedOn500(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		url  string
		call func(env *testEnv) error
	}{
		{"CreateIdentity", testFreestyleBase + "/identity/v1/identities", func(env *testEnv) error {
			_, err := env.client.Identity.CreateIdentity(t.Context())
			return err
		}},
		{"CreateGitToken", fsIdentityURL + "/tokens", func(env *testEnv) error {
			_, err := env.client.Identity.CreateGitToken(t.Context(), fsIdentity)
			return err
		}},
		{"GrantGitPermission", fsIdentityURL + "/permissions/git/" + fsRepo, func(env *testEnv) error {
			return env.client.Identity.GrantGitPermission(t.Context(), fsIdentity, fsRepo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite})
		}},
		{"GrantVMPermission", fsIdentityURL + "/permissions/vm/" + fsVM, func(env *testEnv) error {
			_, err := env.client.Identity.GrantVMPermission(t.Context(), fsIdentity, fsVM, nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPost, tc.url,
				jsonReply(500, `{"code":"INTERNAL_ERROR","message":"Internal error"}`),
				jsonReply(200, `{}`))
			err := tc.call(env)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 500, apiErr.StatusCode)
			assert.Equal(t, "INTERNAL_ERROR", apiErr.Code)
			assert.Equal(t, 1, rec.count(), "an unsafe call reaches the server exactly once")
		})
	}
}

func TestIdentitySafeOperationsAreRetried(t *testing.T) {
	t.Parallel()
	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		rec := env.route(http.MethodGet, fsIdentityURL+"/tokens",
			jsonReply(503, `{"message":"Service unavailable"}`),
			jsonReply(200, fixture(t, "freestyle/tokens.json")))
		got, err := env.client.Identity.ListGitTokens(t.Context(), fsIdentity)
		require.NoError(t, err)
		assert.Len(t, got, 2)
		assert.Equal(t, 2, rec.count())
	})
	t.Run("PUT", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		rec := env.route(http.MethodPut, fsIdentityURL+"/permissions/vm/"+fsVM,
			jsonReply(502, "Bad Gateway"),
			jsonReply(200, fixture(t, "freestyle/vm_permission.json")))
		_, err := env.client.Identity.UpdateAllowedUsers(t.Context(), fsIdentity, fsVM,
			&models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{"alice"})})
		require.NoError(t, err)
		reqs := rec.all()
		require.Len(t, reqs, 2)
		assert.Equal(t, string(reqs[0].Body), string(reqs[1].Body), "the retry sends the same body")
	})
	t.Run("DELETE", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		rec := env.route(http.MethodDelete, fsIdentityURL+"/tokens/"+fsTokenID,
			jsonReply(500, `{"code":"REVOKE_TOKEN_FAILED","message":"try again"}`),
			jsonReply(200, `{}`))
		require.NoError(t, env.client.Identity.RevokeGitToken(t.Context(), fsIdentity, fsTokenID))
		assert.Equal(t, 2, rec.count())
	})
	t.Run("pager page", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t)
		rec := env.route(http.MethodGet, testFreestyleBase+"/identity/v1/identities",
			jsonReply(200, fixture(t, "freestyle/identities_page1.json")),
			jsonReply(503, `{"message":"Service unavailable"}`),
			jsonReply(200, fixture(t, "freestyle/identities_page2.json")),
			jsonReply(200, fixture(t, "freestyle/identities_page3.json")))
		got, err := env.client.Identity.ListIdentities(t.Context(), &ListIdentitiesOptions{Limit: 2}).Collect(0)
		require.NoError(t, err)
		assert.Len(t, got, 5)
		reqs := rec.all()
		require.Len(t, reqs, 4)
		assert.Equal(t, "limit=2&offset=2", reqs[1].Query)
		assert.Equal(t, "limit=2&offset=2", reqs[2].Query, "the failed page is asked for again")
	})
}

func TestFreestyleBaseURLOption(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithFreestyleBaseURL("http://127.0.0.1:8080/fs/"))
	rec := env.route(http.MethodGet, "http://127.0.0.1:8080/fs/identity/v1/identities/"+fsIdentity+"/tokens",
		jsonReply(200, `{"tokens":[]}`))
	got, err := env.client.Identity.ListGitTokens(t.Context(), fsIdentity, WithHeader("X-Trace", "t-1"))
	require.NoError(t, err)
	assert.Empty(t, got)
	req := rec.only(t)
	assert.Equal(t, "/fs/identity/v1/identities/"+fsIdentity+"/tokens", req.Path)
	assert.Equal(t, "t-1", req.Header.Get("X-Trace"))
	assertCommonHeaders(t, req, freestyleAuth)
	assert.False(t, strings.Contains(env.client.String(), testFreestyleKey))
}

func TestOneTimeTokenSecretIsShownOnlyByReveal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-1/tokens",
		jsonReply(200, `{"id":"`+secOneTimeTokenID+`","token":"`+secOneTimeToken+`"}`))
	tok, err := env.client.Identity.CreateGitToken(t.Context(), "id-1")
	require.NoError(t, err)
	assert.Equal(t, secOneTimeToken, tok.Token.Reveal())
	assert.Equal(t, secOneTimeTokenID, tok.ID)

	var scan secScan
	wrapped := struct {
		tok    models.CreatedToken // unexported: fmt cannot call methods on it
		Tokens []*models.CreatedToken
		ByID   map[string]models.TokenSecret
	}{*tok, []*models.CreatedToken{tok}, map[string]models.TokenSecret{tok.ID: tok.Token}}
	for where, v := range map[string]any{"*CreatedToken": tok, "CreatedToken": *tok, "TokenSecret": tok.Token, "wrapped": wrapped, "&wrapped": &wrapped} {
		scan.addPrinted(where, v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		scan.add(where+" JSON", string(b))
		for _, h := range []string{"json", "text"} {
			var buf bytes.Buffer
			var l *slog.Logger
			if h == "json" {
				l = slog.New(slog.NewJSONHandler(&buf, nil))
			} else {
				l = slog.New(slog.NewTextHandler(&buf, nil))
			}
			l.Info("token", "value", v)
			scan.add(where+" slog "+h, buf.String())
		}
	}
	assert.Empty(t, scan.leaks())
	assert.Contains(t, fmt.Sprint(tok), "[REDACTED]")
	assert.Contains(t, fmt.Sprint(tok), secOneTimeTokenID, "the token id is not secret")
}

func TestListGitTokensEmptyIsAlwaysEmptySlice(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"empty array": `{"tokens": []}`,
		"null":        `{"tokens": null}`,
		"absent":      `{}`,
	} {
		env := newTestEnv(t)
		env.route(http.MethodGet, fsIdentityURL+"/tokens", jsonReply(200, body))
		got, err := env.client.Identity.ListGitTokens(t.Context(), fsIdentity)
		require.NoError(t, err, name)
		assert.NotNil(t, got, "%s: an empty list is [], not nil", name)
		assert.Empty(t, got, name)
		enc, err := json.Marshal(got)
		require.NoError(t, err)
		assert.JSONEq(t, `[]`, string(enc), name)
	}
}
