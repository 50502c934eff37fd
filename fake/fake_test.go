package fake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

// newServer starts a fake and a client on it (with zero backoff, as
// Server.Client gives).
func newServer(t *testing.T, opts ...fake.Option) (*testServer, *invitations.Client) {
	t.Helper()
	srv := newTestServer(t, opts...)
	c, err := srv.Client()
	require.NoError(t, err)
	return srv, c
}

// rawDo calls the fake without the SDK, with an optional JSON body.
func rawDo(t *testing.T, method, url, auth, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// rawGet is rawDo for a GET without a body.
func rawGet(t *testing.T, url, auth string) (*http.Response, string) {
	t.Helper()
	return rawDo(t, http.MethodGet, url, auth, "")
}

func TestFakeGitGuardianInvitationLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	ctx := t.Context()

	send := false
	inv, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelManager}, &invitations.CreateInvitationsOptions{SendEmail: &send})
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", inv.Email)
	assert.Equal(t, models.AccessLevelManager, inv.AccessLevel)

	_, err = c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com"}, nil)
	require.ErrorIs(t, err, invitations.ErrConflict)

	listed, err := c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: "ada"}).Collect(0)
	require.NoError(t, err)
	require.Len(t, listed, 1)
	assert.Equal(t, inv.ID, listed[0].ID)

	resent, err := c.Invitations.ResendInvitation(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, "Email sent", resent.Detail)

	require.NoError(t, c.Invitations.DeleteInvitation(ctx, inv.ID))
	require.ErrorIs(t, c.Invitations.DeleteInvitation(ctx, inv.ID), invitations.ErrNotFound)
	assert.Equal(t, 2, srv.RequestCount(fake.GitGuardianDeleteInvitation))
}

func TestFakeGitGuardianCursorPagination(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	var pages []*invitations.Page[models.Invitation]
	for page, err := range c.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{PerPage: 100, Ordering: models.ListInvitationsOrderingDateDesc}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 3, "240 demo invitations in pages of 100")
	assert.Len(t, pages[2].Items, 40)
	assert.True(t, pages[0].Items[0].Date.After(pages[0].Items[1].Date), "descending by date")
	assert.Equal(t, "100", pages[0].Response.Header.Get("X-Per-Page"))

	// The Link cursor is DRF style and repeats the other parameters.
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "ordering=-date&per_page=100", reqs[0].RawQuery)
	assert.Contains(t, reqs[1].RawQuery, "cursor="+strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte("p=100")), "=", "%3D"))
	assert.NotContains(t, pages[2].Response.Header.Get("Link"), `rel="next"`, "the last page links back only")

	resp, body := rawGet(t, srv.BaseURLs.GitGuardian+"/v1/invitations?per_page=101", "Token "+fake.GitGuardianAPIKey)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, "per_page")
}

func TestFakeGitGuardianResourceAccess(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	incidents, err := c.Invitations.ListInvitationSecretIncidentAccess(ctx, 1, &invitations.ListInvitationSecretIncidentAccessOptions{PerPage: 3}).Collect(0)
	require.NoError(t, err)
	require.Len(t, incidents, 10)

	access := &models.ResourceInvitationAccess{InvitationID: 5, ResourceID: incidents[0].ID, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionFullAccess}
	got, err := c.Invitations.SetInvitationResourceAccess(ctx, access)
	require.NoError(t, err)
	assert.Equal(t, access, got)
	got, err = c.Invitations.GetInvitationResourceAccess(ctx, 5, models.ResourceTypeSecretIncidents, incidents[0].ID)
	require.NoError(t, err)
	assert.Equal(t, models.IncidentPermissionFullAccess, got.Permission)
	require.NoError(t, c.Invitations.RevokeInvitationResourceAccess(ctx, access))
	_, err = c.Invitations.GetInvitationResourceAccess(ctx, 5, models.ResourceTypeSecretIncidents, incidents[0].ID)
	require.ErrorIs(t, err, invitations.ErrNotFound)
}

func TestFakeBoxMembershipLifecycle(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	m, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: fake.BoxDemoUserID}, Group: models.Ref{ID: "119720"}, Role: models.GroupMembershipRoleAdmin,
		ConfigurablePermissions: models.Value(map[string]bool{"can_run_reports": true}),
	}, nil)
	require.NoError(t, err)
	assert.Equal(t, models.GroupMembershipRoleAdmin, m.Role)
	assert.Equal(t, "sean@example.com", m.User.Login)

	_, err = c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: fake.BoxDemoUserID}, Group: models.Ref{ID: "119720"}}, nil)
	require.ErrorIs(t, err, invitations.ErrConflict)

	updated, err := c.Memberships.UpdateGroupMembershipByID(ctx, m.ID, &models.UpdateGroupMembershipRequest{Role: models.GroupMembershipRoleMember}, &invitations.GroupMembershipOptions{Fields: []string{"role"}})
	require.NoError(t, err)
	assert.Equal(t, &models.GroupMembership{ID: m.ID, Type: "group_membership", Role: models.GroupMembershipRoleMember}, updated)

	mine, err := c.Memberships.GetUserMemberships(ctx, fake.BoxDemoUserID, nil).Collect(0)
	require.NoError(t, err)
	require.Len(t, mine, 1)

	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(ctx, m.ID))
	_, err = c.Memberships.GetGroupMembershipByID(ctx, m.ID, nil)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "not_found", apiErr.Code)
	assert.NotEmpty(t, apiErr.RequestID)
}

func TestFakeBoxOffsetPagination(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	got, err := c.Memberships.GetGroupMemberships(t.Context(), fake.BoxDemoGroupID, &invitations.ListMembershipsOptions{Limit: 100}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 260)
	assert.Equal(t, 3, srv.RequestCount(fake.BoxGetGroupMemberships))

	auth := "Bearer " + fake.BoxAccessToken
	resp, body := rawGet(t, srv.BaseURLs.Box+"/groups/"+fake.BoxDemoGroupID+"/memberships?offset=10001", auth)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, body, `"name":"offset"`)
	_, body = rawGet(t, srv.BaseURLs.Box+"/groups/"+fake.BoxDemoGroupID+"/memberships?limit=5000", auth)
	var coll models.GroupMemberships
	require.NoError(t, json.Unmarshal([]byte(body), &coll))
	assert.Equal(t, int64(1000), coll.Limit, "limit is clamped to 1000")
	assert.Equal(t, int64(260), coll.TotalCount)
}

func TestFakeRejectsWrongCredentials(t *testing.T) {
	t.Parallel()
	srv := mustStart(t)
	t.Cleanup(srv.Close)
	resp, body := rawGet(t, srv.BaseURLs.GitGuardian+"/v1/invitations", "Bearer "+fake.GitGuardianAPIKey)
	assert.Equal(t, 401, resp.StatusCode)
	assert.JSONEq(t, `{"detail":"Invalid API key."}`, body)

	resp, body = rawGet(t, srv.BaseURLs.Box+"/group_memberships/1", "")
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "invalid_token")
	assert.Contains(t, body, `"code":"unauthorized"`)

	c, err := srv.Client(invitations.WithBoxAccessToken("wrong-token"))
	require.NoError(t, err)
	err = c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	require.ErrorIs(t, err, invitations.ErrUnauthorized)
	for _, r := range srv.Requests() {
		assert.NotContains(t, r.Header.Get("Authorization"), "wrong-token", "the log redacts secrets")
	}
}

func TestFakeFaultStatusWithRetryAfter(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	srv.Inject(fake.Fault{Operation: fake.BoxGetGroupMembershipByID, Status: 503, Times: 2})
	srv.Inject(fake.Fault{Operation: fake.GitGuardianCreateInvitations, Status: 429, RetryAfter: "0"})
	srv.Inject(fake.Fault{Operation: fake.GitGuardianResendInvitation, Status: 500})

	_, err := c.Memberships.GetGroupMembershipByID(t.Context(), "434534", nil)
	require.NoError(t, err, "a GET survives two 503s")
	assert.Equal(t, 3, srv.RequestCount(fake.BoxGetGroupMembershipByID))

	_, err = c.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "new@example.com"}, nil)
	require.NoError(t, err, "a 429 is retried even for a create")
	assert.Equal(t, 2, srv.RequestCount(fake.GitGuardianCreateInvitations))

	_, err = c.Invitations.ResendInvitation(t.Context(), 1)
	require.Error(t, err)
	assert.Equal(t, 1, srv.RequestCount(fake.GitGuardianResendInvitation), "an email is never sent twice")
}

func TestFakeFaultDropTruncateHang(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())

	srv.Inject(fake.Fault{Operation: fake.BoxGetGroupMembershipByID, Drop: true})
	_, err := c.Memberships.GetGroupMembershipByID(t.Context(), "434534", nil)
	require.NoError(t, err, "a dropped GET is retried")
	assert.Equal(t, 2, srv.RequestCount(fake.BoxGetGroupMembershipByID))

	srv.Inject(fake.Fault{Operation: fake.BoxCreateGroupMembership, Truncate: true})
	_, err = c.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{User: models.Ref{ID: fake.BoxDemoUserID}, Group: models.Ref{ID: "119721"}}, nil)
	var derr *invitations.DecodeError
	require.ErrorAs(t, err, &derr, "a truncated body is a decode error")
	assert.Equal(t, 1, srv.RequestCount(fake.BoxCreateGroupMembership))

	srv.Inject(fake.Fault{Operation: fake.GitGuardianListInvitations, ResetMidBody: true, Times: -1})
	_, err = c.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.Error(t, err)

	srv.Inject(fake.Fault{Operation: fake.BoxDeleteGroupMembershipByID, Hang: true, Times: -1})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestFakeFaultHTMLBody(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	srv.Inject(fake.Fault{Operation: "gitguardian", Status: 502, Body: "<html><h1>502 Bad Gateway</h1></html>", Times: -1})
	_, err := c.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 502, apiErr.StatusCode)
	assert.Contains(t, string(apiErr.Body), "Bad Gateway")
	srv.ClearFaults()
	_, err = c.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.NoError(t, err)
}

func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "concurrent" + string(rune('a'+i)) + "@example.com"
			_, err := c.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: email}, nil)
			assert.NoError(t, err)
			_, err = c.Memberships.GetGroupMemberships(t.Context(), fake.BoxDemoGroupID, nil).Collect(0)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 16, srv.RequestCount(fake.GitGuardianCreateInvitations))
}
