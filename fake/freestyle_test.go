package fake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

const fsAuth = "Bearer " + fake.FreestyleAPIKey

// fsRaw calls the fake's Freestyle API without the SDK, with the right key.
func fsRaw(t *testing.T, srv *testServer, method, path, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.BaseURLs.Freestyle+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", fsAuth)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// fsAPIError asserts err is a Freestyle API error with status and code.
func fsAPIError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.Equal(t, code, apiErr.Code)
	assert.NotEmpty(t, apiErr.Message)
}

func TestFakeFreestyleIdentityLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()

	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, ident.ID)
	assert.False(t, ident.Managed)

	listed, err := c.Identity.ListIdentities(ctx, nil).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []models.FreestyleIdentity{*ident}, listed)

	// Give it a token and permissions, then delete it: they all go.
	_, err = c.Identity.CreateGitToken(ctx, ident.ID)
	require.NoError(t, err)
	require.NoError(t, c.Identity.GrantGitPermission(ctx, ident.ID, fake.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	_, err = c.Identity.GrantVMPermission(ctx, ident.ID, "vm1", nil)
	require.NoError(t, err)

	require.NoError(t, c.Identity.DeleteIdentity(ctx, ident.ID))
	listed, err = c.Identity.ListIdentities(ctx, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, listed)
	fsAPIError(t, c.Identity.DeleteIdentity(ctx, ident.ID), 404, "IDENTITY_NOT_FOUND")
	_, err = c.Identity.ListGitTokens(ctx, ident.ID)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	_, err = c.Identity.ListGitPermissions(ctx, ident.ID, nil).Collect(0)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	_, err = c.Identity.ListVMPermissions(ctx, ident.ID, nil).Collect(0)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	_, err = c.Identity.DescribeVMPermission(ctx, ident.ID, "vm1")
	fsAPIError(t, err, 404, "IDENTITY_NOT_FOUND")

	// Every success is a 200, creates and deletes included, with {} when
	// there is nothing to say.
	resp, body := fsRaw(t, srv, http.MethodPost, "/identity/v1/identities", "")
	require.Equal(t, 200, resp.StatusCode)
	var created models.FreestyleIdentity
	require.NoError(t, json.Unmarshal([]byte(body), &created))
	resp, body = fsRaw(t, srv, http.MethodDelete, "/identity/v1/identities/"+created.ID, "")
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{}`, body)
	_, body = fsRaw(t, srv, http.MethodGet, "/identity/v1/identities", "")
	assert.JSONEq(t, `{"identities":[],"offset":0,"total":0}`, body)
}

func TestFakeFreestyleGitPermissionLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	repo := fake.FreestyleDemoRepoID

	require.NoError(t, c.Identity.GrantGitPermission(ctx, ident.ID, repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	err = c.Identity.GrantGitPermission(ctx, ident.ID, repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite})
	require.ErrorIs(t, err, invitations.ErrConflict)
	fsAPIError(t, err, 409, "PERMISSION_ALREADY_EXISTS")

	got, err := c.Identity.DescribeGitPermission(ctx, ident.ID, repo)
	require.NoError(t, err)
	require.NotNil(t, got.AccessLevel)
	assert.Equal(t, models.DescribeGitPermissionSuccess{Identity: ident.ID, Repo: repo, AccessLevel: got.AccessLevel}, *got)
	assert.Equal(t, models.GitAccessLevelRead, *got.AccessLevel)

	require.NoError(t, c.Identity.UpdateGitPermission(ctx, ident.ID, repo, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelWrite}))
	got, err = c.Identity.DescribeGitPermission(ctx, ident.ID, repo)
	require.NoError(t, err)
	require.NotNil(t, got.AccessLevel)
	assert.Equal(t, models.GitAccessLevelWrite, *got.AccessLevel)

	repos, err := c.Identity.ListGitPermissions(ctx, ident.ID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, repos, 1)
	assert.Equal(t, repo, repos[0].ID)
	require.NotNil(t, repos[0].Name)
	assert.Equal(t, "customer-42-site", *repos[0].Name)
	assert.Equal(t, fake.FreestyleAccountID, repos[0].AccountID)
	assert.Equal(t, models.GitAccessLevelWrite, repos[0].Permissions)
	assert.Equal(t, models.RepositoryVisibilityPrivate, repos[0].Visibility)

	require.NoError(t, c.Identity.RevokeGitPermission(ctx, ident.ID, repo))
	got, err = c.Identity.DescribeGitPermission(ctx, ident.ID, repo)
	require.NoError(t, err, "no access is described, not a 404")
	assert.Nil(t, got.AccessLevel)
	_, body := fsRaw(t, srv, http.MethodGet, "/identity/v1/identities/"+ident.ID+"/permissions/git/"+repo, "")
	assert.JSONEq(t, `{"identity":"`+ident.ID+`","repo":"`+repo+`","accessLevel":null}`, body)
	fsAPIError(t, c.Identity.RevokeGitPermission(ctx, ident.ID, repo), 404, "PERMISSION_NOT_FOUND")
	fsAPIError(t, c.Identity.UpdateGitPermission(ctx, ident.ID, repo, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelRead}), 404, "PERMISSION_NOT_FOUND")

	// Any UUID names an (unnamed, private) repository; anything else none.
	other := "0d4b7c3e-2f1a-4b9c-8d7e-6f5a4b3c2d1e"
	require.NoError(t, c.Identity.GrantGitPermission(ctx, ident.ID, other, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	repos, err = c.Identity.ListGitPermissions(ctx, ident.ID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, repos, 1)
	assert.Nil(t, repos[0].Name)
	err = c.Identity.GrantGitPermission(ctx, ident.ID, "no-such-repo", &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead})
	fsAPIError(t, err, 404, "GIT_REPOSITORY_NOT_FOUND")
	err = c.Identity.GrantGitPermission(ctx, ident.ID, repo, &models.GrantGitPermissionRequest{Permission: "admin"})
	fsAPIError(t, err, 400, "INVALID_REQUEST")
	_, err = c.Identity.DescribeGitPermission(ctx, "no-such-identity", repo)
	fsAPIError(t, err, 404, "IDENTITY_NOT_FOUND")

	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, fake.FreestyleDescribeGitPermission, last.Operation)
	assert.Equal(t, fake.FreestylePrefix+"/identity/v1/identities/no-such-identity/permissions/git/"+repo, last.Path)
}

func TestFakeFreestyleVMPermissionAllowedUsers(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()
	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	path := "/identity/v1/identities/" + ident.ID + "/permissions/vm/vm-a"

	// No body from the caller: the SDK sends {}, which allows every user.
	p, err := c.Identity.GrantVMPermission(ctx, ident.ID, "vm-a", nil)
	require.NoError(t, err)
	assert.True(t, p.AllowsAnyUser())
	assert.True(t, p.AllowedUsers.IsNull(), "sent as null, not left out")
	assert.Equal(t, "vm-a", p.VMID)
	assert.Equal(t, ident.ID, p.IdentityID)
	assert.Equal(t, fake.FreestyleAccountID, p.GrantedBy)
	assert.False(t, p.GrantedAt.IsZero())
	assert.NotEmpty(t, p.ID)
	_, body := fsRaw(t, srv, http.MethodGet, path, "")
	assert.Contains(t, body, `"allowedUsers":null`)

	_, err = c.Identity.GrantVMPermission(ctx, ident.ID, "vm-a", &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"alice"})})
	fsAPIError(t, err, 409, "PERMISSION_ALREADY_EXISTS")

	// null → list → null → empty list, each read back as set.
	updated, err := c.Identity.UpdateAllowedUsers(ctx, ident.ID, "vm-a", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{"alice", "bob"})})
	require.NoError(t, err)
	assert.False(t, updated.AllowsAnyUser())
	got, err := c.Identity.DescribeVMPermission(ctx, ident.ID, "vm-a")
	require.NoError(t, err)
	users, ok := got.AllowedUsers.Get()
	require.True(t, ok)
	assert.Equal(t, []string{"alice", "bob"}, users)
	assert.Equal(t, p.ID, got.ID, "an update keeps the permission")
	assert.Equal(t, p.GrantedAt, got.GrantedAt)

	updated, err = c.Identity.UpdateAllowedUsers(ctx, ident.ID, "vm-a", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()})
	require.NoError(t, err)
	assert.True(t, updated.AllowsAnyUser())
	got, err = c.Identity.DescribeVMPermission(ctx, ident.ID, "vm-a")
	require.NoError(t, err)
	assert.True(t, got.AllowedUsers.IsNull())

	updated, err = c.Identity.UpdateAllowedUsers(ctx, ident.ID, "vm-a", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value[[]string](nil)})
	require.NoError(t, err)
	assert.False(t, updated.AllowsAnyUser(), "an empty list allows no user, never every user")
	_, body = fsRaw(t, srv, http.MethodGet, path, "")
	assert.Contains(t, body, `"allowedUsers":[]`)

	// A grant restricted from the start, then the list, then revocation.
	p2, err := c.Identity.GrantVMPermission(ctx, ident.ID, "vm-b", &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"root"})})
	require.NoError(t, err)
	users, ok = p2.AllowedUsers.Get()
	require.True(t, ok)
	assert.Equal(t, []string{"root"}, users)
	perms, err := c.Identity.ListVMPermissions(ctx, ident.ID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, perms, 2)
	assert.Equal(t, "vm-a", perms[0].VMID)
	assert.Equal(t, "vm-b", perms[1].VMID)

	require.NoError(t, c.Identity.RevokeVMPermission(ctx, ident.ID, "vm-a"))
	_, err = c.Identity.DescribeVMPermission(ctx, ident.ID, "vm-a")
	require.ErrorIs(t, err, invitations.ErrNotFound)
	fsAPIError(t, err, 404, "VM_PERMISSION_NOT_FOUND")
	fsAPIError(t, c.Identity.RevokeVMPermission(ctx, ident.ID, "vm-a"), 404, "VM_PERMISSION_NOT_FOUND")
	_, err = c.Identity.UpdateAllowedUsers(ctx, ident.ID, "vm-a", &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()})
	fsAPIError(t, err, 404, "VM_PERMISSION_NOT_FOUND")
	perms, err = c.Identity.ListVMPermissions(ctx, ident.ID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, perms, 1)
	assert.Equal(t, p2.ID, perms[0].ID)

	// Raw bodies: a grant needs a body, an update needs allowedUsers.
	resp, body := fsRaw(t, srv, http.MethodPost, "/identity/v1/identities/"+ident.ID+"/permissions/vm/vm-c", "")
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"code":"INVALID_REQUEST"`)
	resp, _ = fsRaw(t, srv, http.MethodPut, "/identity/v1/identities/"+ident.ID+"/permissions/vm/vm-b", `{}`)
	assert.Equal(t, 400, resp.StatusCode, "an absent allowedUsers is not read as every user")
	resp, _ = fsRaw(t, srv, http.MethodPut, "/identity/v1/identities/"+ident.ID+"/permissions/vm/vm-b", `{"allowedUsers":["ok",""]}`)
	assert.Equal(t, 400, resp.StatusCode)
}

func TestFakeFreestyleTokenSecretShownOnce(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()
	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)

	first, err := c.Identity.CreateGitToken(ctx, ident.ID)
	require.NoError(t, err)
	second, err := c.Identity.CreateGitToken(ctx, ident.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, first.ID)
	assert.NotEqual(t, first.ID, second.ID)
	secret := first.Token.Reveal()
	require.NotEmpty(t, secret)
	assert.NotEqual(t, "[REDACTED]", secret, "the wire carries the secret itself")
	assert.NotEqual(t, secret, second.Token.Reveal())

	tokens, err := c.Identity.ListGitTokens(ctx, ident.ID)
	require.NoError(t, err)
	assert.Equal(t, []models.AccessTokenInfo{{ID: first.ID}, {ID: second.ID}}, tokens)
	_, body := fsRaw(t, srv, http.MethodGet, "/identity/v1/identities/"+ident.ID+"/tokens", "")
	assert.NotContains(t, body, secret)
	assert.NotContains(t, body, `"token"`)

	require.NoError(t, c.Identity.RevokeGitToken(ctx, ident.ID, first.ID))
	tokens, err = c.Identity.ListGitTokens(ctx, ident.ID)
	require.NoError(t, err)
	assert.Equal(t, []models.AccessTokenInfo{{ID: second.ID}}, tokens)
	err = c.Identity.RevokeGitToken(ctx, ident.ID, first.ID)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	fsAPIError(t, err, 404, "TOKEN_NOT_FOUND")

	require.NoError(t, c.Identity.RevokeGitToken(ctx, ident.ID, second.ID))
	_, body = fsRaw(t, srv, http.MethodGet, "/identity/v1/identities/"+ident.ID+"/tokens", "")
	assert.JSONEq(t, `{"tokens":[]}`, body)
}

func TestFakeFreestyleIdentityPaginationWithTotal(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	var pages []*invitations.Page[models.FreestyleIdentity]
	for page, err := range c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: 60}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 3, "150 demo identities in pages of 60")
	assert.Equal(t, []int{60, 60, 30}, []int{len(pages[0].Items), len(pages[1].Items), len(pages[2].Items)})
	assert.Equal(t, int64(150), pages[0].Total)
	assert.Equal(t, int64(60), pages[0].NextOffset)
	assert.False(t, pages[2].HasMore)
	assert.Equal(t, fake.FreestyleDemoIdentityID, pages[0].Items[0].ID)
	seen := map[string]bool{}
	for _, p := range pages {
		for _, ident := range p.Items {
			assert.False(t, ident.Managed, "managed identities are left out by default")
			assert.False(t, seen[ident.ID], "no identity twice")
			seen[ident.ID] = true
		}
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "limit=60&offset=120", reqs[2].RawQuery)

	includeManaged := true
	all, err := c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{IncludeManaged: &includeManaged}).Collect(0)
	require.NoError(t, err)
	require.Len(t, all, 153)
	managed := 0
	for _, ident := range all {
		if ident.Managed {
			managed++
		}
	}
	assert.Equal(t, 3, managed)
	assert.Contains(t, all, models.FreestyleIdentity{ID: fake.FreestyleDemoManagedIdentityID, Managed: true})

	// The raw page echoes its offset; past the end it is empty.
	_, body := fsRaw(t, srv, http.MethodGet, "/identity/v1/identities?limit=2&offset=149", "")
	var page models.ListIdentitiesSuccess
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	assert.Equal(t, int64(149), page.Offset)
	assert.Equal(t, int64(150), page.Total)
	assert.Len(t, page.Identities, 1)
	_, body = fsRaw(t, srv, http.MethodGet, "/identity/v1/identities?offset=1000", "")
	assert.JSONEq(t, `{"identities":[],"offset":1000,"total":150}`, body)
	resp, body := fsRaw(t, srv, http.MethodGet, "/identity/v1/identities?limit=-1", "")
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, "INVALID_REQUEST")
	resp, body = fsRaw(t, srv, http.MethodGet, "/identity/v1/identities?includeManaged=maybe", "")
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"code":400`, "a schema rejection carries a numeric code")
}

func TestFakeFreestyleGitPermissionsShortPages(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	id := fake.FreestyleDemoIdentityID

	var sizes []int
	for page, err := range c.Identity.ListGitPermissions(ctx, id, &invitations.ListGitPermissionsOptions{Limit: 3}).Pages() {
		require.NoError(t, err)
		assert.Equal(t, int64(-1), page.Total, "this list reports no total")
		sizes = append(sizes, len(page.Items))
	}
	assert.Equal(t, []int{3, 3, 1}, sizes, "7 repositories end on a short page")
	assert.Equal(t, 3, srv.RequestCount(fake.FreestyleListGitPermissions))

	// A full last page needs one more, empty, page to end.
	repos, err := c.Identity.ListGitPermissions(ctx, id, &invitations.ListGitPermissionsOptions{Limit: 7}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, repos, 7)
	assert.Equal(t, 5, srv.RequestCount(fake.FreestyleListGitPermissions))
	assert.Equal(t, fake.FreestyleDemoRepoID, repos[0].ID)
	assert.Equal(t, models.GitAccessLevelWrite, repos[0].Permissions)
	assert.Nil(t, repos[1].Name, "a repository without a name")
	assert.Equal(t, models.RepositoryVisibilityPublic, repos[1].Visibility)

	_, body := fsRaw(t, srv, http.MethodGet, "/identity/v1/identities/"+id+"/permissions/git?limit=2&offset=6", "")
	assert.NotContains(t, body, "total")
	assert.NotContains(t, body, "offset")
	var page models.ListGitPermissionSuccess
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	assert.Len(t, page.Repositories, 1)
}

func TestFakeFreestyleVMPermissionPagination(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	var pages []*invitations.Page[models.VMPermission]
	for page, err := range c.Identity.ListVMPermissions(t.Context(), fake.FreestyleDemoIdentityID, &invitations.ListVMPermissionsOptions{Limit: 2}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 3)
	assert.Equal(t, int64(5), pages[0].Total)
	assert.Len(t, pages[2].Items, 1)
	assert.Equal(t, 3, srv.RequestCount(fake.FreestyleListVMPermissions))

	first := pages[0].Items[0]
	assert.Equal(t, fake.FreestyleDemoVMID, first.VMID)
	users, ok := first.AllowedUsers.Get()
	require.True(t, ok)
	assert.Equal(t, []string{"alice", "bob"}, users)
	assert.True(t, pages[0].Items[1].AllowsAnyUser())
	p, err := c.Identity.DescribeVMPermission(t.Context(), fake.FreestyleDemoIdentityID, fake.FreestyleDemoVMID)
	require.NoError(t, err)
	assert.Equal(t, first.ID, p.ID)
}

func TestFakeFreestyleManagedIdentity(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	id := fake.FreestyleDemoManagedIdentityID

	err := c.Identity.DeleteIdentity(ctx, id)
	require.ErrorIs(t, err, invitations.ErrForbidden)
	fsAPIError(t, err, 403, "CANNOT_DELETE_MANAGED_IDENTITY")
	err = c.Identity.GrantGitPermission(ctx, id, fake.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite})
	fsAPIError(t, err, 403, "CANNOT_MODIFY_MANAGED_IDENTITY")
	_, err = c.Identity.CreateGitToken(ctx, id)
	fsAPIError(t, err, 403, "CANNOT_MODIFY_MANAGED_IDENTITY")

	// Reading is allowed.
	repos, err := c.Identity.ListGitPermissions(ctx, id, nil).Collect(0)
	require.NoError(t, err)
	assert.Len(t, repos, 1)
}

func TestFakeFreestyleRejectsWrongCredentials(t *testing.T) {
	t.Parallel()
	srv := mustStart(t, fake.WithDemoData())
	t.Cleanup(srv.Close)
	url := srv.BaseURLs.Freestyle + "/identity/v1/identities"
	for _, auth := range []string{"", fake.FreestyleAPIKey, "Token " + fake.FreestyleAPIKey, "Bearer wrong"} {
		resp, body := rawGet(t, url, auth)
		assert.Equal(t, 401, resp.StatusCode, auth)
		assert.JSONEq(t, `{"code":"UNAUTHORIZED","message":"Invalid or missing API key."}`, body)
	}
	resp, _ := rawGet(t, url, fsAuth)
	assert.Equal(t, 200, resp.StatusCode)

	c, err := srv.Client(invitations.WithFreestyleAPIKey("wrong-key"))
	require.NoError(t, err)
	_, err = c.Identity.CreateIdentity(t.Context())
	require.ErrorIs(t, err, invitations.ErrUnauthorized)
	fsAPIError(t, err, 401, "UNAUTHORIZED")
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Header.Get("Authorization"), "wrong-key", "the log redacts secrets")
	}
}

func TestFakeFreestyleFaults(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()

	srv.Inject(fake.Fault{Operation: fake.FreestyleCreateIdentity, Status: 500})
	_, err := c.Identity.CreateIdentity(ctx)
	fsAPIError(t, err, 500, "INTERNAL_ERROR")
	assert.Equal(t, 1, srv.RequestCount(fake.FreestyleCreateIdentity), "a create is never sent twice")
	listed, err := c.Identity.ListIdentities(ctx, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, listed, "the failed create created nothing")

	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	srv.Inject(fake.Fault{Operation: fake.FreestyleCreateGitToken, Status: 503})
	_, err = c.Identity.CreateGitToken(ctx, ident.ID)
	require.Error(t, err)
	assert.Equal(t, 1, srv.RequestCount(fake.FreestyleCreateGitToken))

	srv.Inject(fake.Fault{Operation: fake.FreestyleListIdentities, Status: 503})
	listed, err = c.Identity.ListIdentities(ctx, nil).Collect(0)
	require.NoError(t, err, "a list survives a 503")
	assert.Len(t, listed, 1)
	assert.Equal(t, 3, srv.RequestCount(fake.FreestyleListIdentities))

	srv.Inject(fake.Fault{Operation: "freestyle", Status: 429, RetryAfter: "0"})
	require.NoError(t, c.Identity.DeleteIdentity(ctx, ident.ID), "a delete survives a 429")
	assert.Equal(t, 2, srv.RequestCount(fake.FreestyleDeleteIdentity))
}

func TestFakeFreestyleDeletedIdentitiesLeaveTheListInOrder(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	list := func(includeManaged bool) []string {
		t.Helper()
		var ids []string
		for ident, err := range c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: 7, IncludeManaged: &includeManaged}).All() {
			require.NoError(t, err)
			ids = append(ids, ident.ID)
		}
		return ids
	}
	before, beforeAll := list(false), list(true)
	require.Len(t, before, 150)

	// Delete every third unmanaged identity, one after another.
	var kept, gone []string
	for i, id := range before {
		if i%3 == 1 {
			gone = append(gone, id)
			continue
		}
		kept = append(kept, id)
	}
	for _, id := range gone {
		require.NoError(t, c.Identity.DeleteIdentity(ctx, id))
	}
	created, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	kept = append(kept, created.ID)

	assert.Equal(t, kept, list(false), "the rest in creation order, the new one last")
	all := list(true)
	assert.Len(t, all, len(beforeAll)-len(gone)+1, "managed identities stay")
	for _, id := range gone {
		assert.NotContains(t, all, id)
		_, err := c.Identity.ListGitPermissions(ctx, id, nil).Collect(0)
		fsAPIError(t, err, http.StatusNotFound, "IDENTITY_NOT_FOUND")
		fsAPIError(t, c.Identity.DeleteIdentity(ctx, id), http.StatusNotFound, "IDENTITY_NOT_FOUND")
	}
	// An identity still there is found and changed as before.
	require.NoError(t, c.Identity.GrantGitPermission(ctx, kept[1], fake.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	repos, err := c.Identity.ListGitPermissions(ctx, kept[1], nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, repos, 1)
	assert.Equal(t, fake.FreestyleDemoRepoID, repos[0].ID)
}
