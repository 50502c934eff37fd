package invitations_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

const concWorkers = 64

// concResult is what one worker did and saw; the test checks it once all
// workers are done.
type concResult struct {
	problems []string // failed checks, with what was expected

	invitationID int64  // GitGuardian invitation created then deleted
	membershipID string // Box membership created then deleted
	identityID   string // Freestyle identity created then deleted
	tokenID      string // Freestyle token created then revoked
	tokenSecret  string
	pxUID        string // Portworx invitation created then deleted
	acceptErr    error  // BIMData accept of the one denied demo invitation
}

func (r *concResult) check(ok bool, format string, args ...any) bool {
	if !ok {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
	return ok
}

// noErr records err, if any, under what.
func (r *concResult) noErr(err error, what string) bool {
	return r.check(err == nil, "%s: %v", what, err)
}

// isStatus records a check that err is an *APIError with status.
func (r *concResult) isStatus(err error, status int, what string) {
	var apiErr *invitations.APIError
	r.check(errors.As(err, &apiErr) && apiErr.StatusCode == status, "%s: want %d, got %v", what, status, err)
}

// firstN ranges a pager and breaks after n items, checking each with ok.
func firstN[T any](r *concResult, what string, p *invitations.Pager[T], n int, ok func(T) bool) []T {
	var got []T
	for item, err := range p.All() {
		if !r.noErr(err, what) {
			return got
		}
		r.check(ok(item), "%s: unexpected item %+v", what, item)
		got = append(got, item)
		if len(got) == n {
			break
		}
	}
	r.check(len(got) == n, "%s: got %d items, want %d", what, len(got), n)
	return got
}

func concGitGuardian(ctx context.Context, c *invitations.Client, k int, r *concResult) {
	firstN(r, "ListInvitations", c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 5}), 12,
		func(inv models.Invitation) bool { return inv.ID > 0 && strings.HasSuffix(inv.Email, "@example.com") })

	email := fmt.Sprintf("concurrent-%02d@example.com", k)
	inv, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: email, AccessLevel: models.AccessLevelRestricted}, nil)
	if !r.noErr(err, "CreateInvitations") {
		return
	}
	r.invitationID = inv.ID
	r.check(inv.Email == email && inv.AccessLevel == models.AccessLevelRestricted, "created %+v", inv)
	_, err = c.Invitations.ResendInvitation(ctx, inv.ID)
	r.noErr(err, "ResendInvitation")

	incident := int64(3000 + k%30)
	access := &models.ResourceInvitationAccess{InvitationID: inv.ID, ResourceType: models.ResourceTypeSecretIncidents, ResourceID: incident, Permission: models.IncidentPermissionCanEdit}
	_, err = c.Invitations.SetInvitationResourceAccess(ctx, access)
	r.noErr(err, "SetInvitationResourceAccess")
	got, err := c.Invitations.GetInvitationResourceAccess(ctx, inv.ID, models.ResourceTypeSecretIncidents, incident)
	if r.noErr(err, "GetInvitationResourceAccess") {
		r.check(*got == *access, "access %+v, want %+v", got, access)
	}
	firstN(r, "ListInvitationSecretIncidentAccess", c.Invitations.ListInvitationSecretIncidentAccess(ctx, inv.ID, nil), 1,
		func(inc models.IncidentWithoutOccurrences) bool { return inc.ID == incident })
	r.noErr(c.Invitations.RevokeInvitationResourceAccess(ctx, access), "RevokeInvitationResourceAccess")

	r.noErr(c.Invitations.DeleteInvitation(ctx, inv.ID), "DeleteInvitation")
	r.isStatus(c.Invitations.DeleteInvitation(ctx, inv.ID), http.StatusNotFound, "DeleteInvitation again")
}

// concBoxGroup is a demo group with no members: each worker adds one of
// the demo users to it, and removes them.
const concBoxGroup = "119721"

func concBox(ctx context.Context, c *invitations.Client, k int, r *concResult) {
	members := firstN(r, "GetGroupMemberships", c.Memberships.GetGroupMemberships(ctx, invitationstest.BoxDemoGroupID, &invitations.ListMembershipsOptions{Limit: 50}), 120,
		func(m models.GroupMembership) bool {
			return m.Group != nil && m.Group.ID == invitationstest.BoxDemoGroupID
		})
	ids := map[string]bool{}
	for _, m := range members {
		ids[m.ID] = true
	}
	r.check(len(ids) == len(members), "GetGroupMemberships: %d distinct ids in %d items", len(ids), len(members))

	user := strconv.Itoa(11446000 + k)
	m, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: user}, Group: models.Ref{ID: concBoxGroup}}, nil)
	if !r.noErr(err, "CreateGroupMembership") {
		return
	}
	r.membershipID = m.ID
	r.check(m.User != nil && m.User.ID == user && m.Group != nil && m.Group.ID == concBoxGroup && m.Role == models.GroupMembershipRoleMember, "created %+v", m)

	got, err := c.Memberships.GetGroupMembershipByID(ctx, m.ID, nil)
	if r.noErr(err, "GetGroupMembershipByID") {
		r.check(got.ID == m.ID && got.User.ID == user, "got %+v", got)
	}
	updated, err := c.Memberships.UpdateGroupMembershipByID(ctx, m.ID, &models.UpdateGroupMembershipRequest{Role: models.GroupMembershipRoleAdmin}, nil)
	if r.noErr(err, "UpdateGroupMembershipByID") {
		r.check(updated.Role == models.GroupMembershipRoleAdmin, "updated %+v", updated)
	}
	all, err := c.Memberships.GetUserMemberships(ctx, user, nil).Collect(0)
	if r.noErr(err, "GetUserMemberships") {
		r.check(slices.ContainsFunc(all, func(x models.GroupMembership) bool { return x.ID == m.ID && x.Role == models.GroupMembershipRoleAdmin }),
			"GetUserMemberships(%s) lacks %s: %+v", user, m.ID, all)
	}

	r.noErr(c.Memberships.DeleteGroupMembershipByID(ctx, m.ID), "DeleteGroupMembershipByID")
	_, err = c.Memberships.GetGroupMembershipByID(ctx, m.ID, nil)
	r.isStatus(err, http.StatusNotFound, "GetGroupMembershipByID after delete")
}

func concFreestyle(ctx context.Context, c *invitations.Client, k int, r *concResult) {
	firstN(r, "ListIdentities", c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: 4}), 7,
		func(id models.FreestyleIdentity) bool { return id.ID != "" })

	ident, err := c.Identity.CreateIdentity(ctx)
	if !r.noErr(err, "CreateIdentity") {
		return
	}
	r.identityID = ident.ID
	id, repo, vm := ident.ID, invitationstest.FreestyleDemoRepoID, fmt.Sprintf("vm%02d", k)

	r.noErr(c.Identity.GrantGitPermission(ctx, id, repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}), "GrantGitPermission")
	r.noErr(c.Identity.UpdateGitPermission(ctx, id, repo, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevelWrite}), "UpdateGitPermission")
	desc, err := c.Identity.DescribeGitPermission(ctx, id, repo)
	if r.noErr(err, "DescribeGitPermission") {
		r.check(desc.AccessLevel != nil && *desc.AccessLevel == models.GitAccessLevelWrite, "described %+v", desc)
	}
	repos, err := c.Identity.ListGitPermissions(ctx, id, &invitations.ListGitPermissionsOptions{Limit: 10}).Collect(0)
	if r.noErr(err, "ListGitPermissions") {
		r.check(len(repos) == 1 && repos[0].ID == repo && repos[0].Permissions == models.GitAccessLevelWrite, "repositories %+v", repos)
	}

	tok, err := c.Identity.CreateGitToken(ctx, id)
	if r.noErr(err, "CreateGitToken") {
		r.tokenID, r.tokenSecret = tok.ID, tok.Token.Reveal()
		r.check(tok.ID != "" && r.tokenSecret != "", "token %v", tok)
		tokens, err := c.Identity.ListGitTokens(ctx, id)
		if r.noErr(err, "ListGitTokens") {
			r.check(len(tokens) == 1 && tokens[0].ID == tok.ID, "tokens %+v", tokens)
		}
		r.noErr(c.Identity.RevokeGitToken(ctx, id, tok.ID), "RevokeGitToken")
	}

	user := fmt.Sprintf("user%02d", k)
	perm, err := c.Identity.GrantVMPermission(ctx, id, vm, &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{user})})
	if r.noErr(err, "GrantVMPermission") {
		users, restricted := perm.AllowedUsers.Get()
		r.check(perm.VMID == vm && perm.IdentityID == id && restricted && slices.Equal(users, []string{user}), "granted %+v", perm)
	}
	perm, err = c.Identity.UpdateAllowedUsers(ctx, id, vm, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()})
	if r.noErr(err, "UpdateAllowedUsers") {
		r.check(perm.AllowsAnyUser(), "updated %+v", perm)
	}
	described, err := c.Identity.DescribeVMPermission(ctx, id, vm)
	if r.noErr(err, "DescribeVMPermission") {
		r.check(described.VMID == vm && described.AllowsAnyUser(), "described %+v", described)
	}
	firstN(r, "ListVMPermissions", c.Identity.ListVMPermissions(ctx, id, nil), 1,
		func(p models.VMPermission) bool { return p.VMID == vm })
	r.noErr(c.Identity.RevokeVMPermission(ctx, id, vm), "RevokeVMPermission")
	r.noErr(c.Identity.RevokeGitPermission(ctx, id, repo), "RevokeGitPermission")

	r.noErr(c.Identity.DeleteIdentity(ctx, id), "DeleteIdentity")
	r.isStatus(c.Identity.DeleteIdentity(ctx, id), http.StatusNotFound, "DeleteIdentity again")
}

func concBIMData(ctx context.Context, c *invitations.Client, k int, r *concResult) {
	all, err := c.SSO.GetInvitations(ctx, nil)
	if r.noErr(err, "GetInvitations") {
		r.check(len(all) >= 6, "GetInvitations: %d invitations", len(all))
	}
	pending, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	if r.noErr(err, "GetInvitations pending") {
		r.check(len(pending) > 0 && !slices.ContainsFunc(pending, func(i models.BIMDataInvitation) bool { return i.Status != models.BIMDataInvitationStatusPending }),
			"pending %+v", pending)
	}
	inv, err := c.SSO.GetInvitation(ctx, invitationstest.BIMDataDemoInvitationID)
	if r.noErr(err, "GetInvitation") {
		r.check(inv.ID == invitationstest.BIMDataDemoInvitationID && inv.Email == invitationstest.BIMDataDemoUserEmail, "invitation %+v", inv)
	}
	// Every worker accepts the one denied invitation: one succeeds.
	r.acceptErr = c.SSO.AcceptInvitation(ctx, invitationstest.BIMDataDemoDeniedInvitationID)
	r.isStatus(c.SSO.DeleteUser(ctx, fmt.Sprintf("nobody-%02d@example.com", k)), http.StatusNotFound, "DeleteUser unknown")
}

func concPortworx(ctx context.Context, c *invitations.Client, k int, r *concResult) {
	firstN(r, "ListInvitations", c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: 25}), 60,
		func(inv models.PortworxInvitation) bool {
			return inv.Meta != nil && inv.Meta.UID != "" && inv.Config != nil
		})

	email := fmt.Sprintf("concurrent-%02d@example.com", k)
	created, err := c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
		UserEmail: email, TenantID: invitationstest.PortworxDemoTenantID,
		AccessPolicy: models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{invitationstest.PortworxDemoTenantID}}}},
	}})
	if !r.noErr(err, "CreateInvitation") {
		return
	}
	if !r.check(created.Meta != nil && created.Meta.UID != "" && created.Config != nil && created.Config.UserEmail == email, "created %+v", created) {
		return
	}
	uid := created.Meta.UID
	r.pxUID = uid
	got, err := c.AccountInvitations.GetInvitation(ctx, uid)
	if r.noErr(err, "GetInvitation") {
		r.check(got.Config.UserEmail == email && got.Status != nil && got.Status.Phase == models.PortworxInvitationPhasePending, "got %+v", got)
	}
	r.noErr(c.AccountInvitations.NotifyUser(ctx, uid), "NotifyUser")
	r.noErr(c.AccountInvitations.DeleteInvitation(ctx, uid, nil), "DeleteInvitation")
	_, err = c.AccountInvitations.GetInvitation(ctx, uid)
	r.isStatus(err, http.StatusNotFound, "GetInvitation after delete")
}

func TestOneClientSharedByManyGoroutines(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	client, err := srv.Client(invitations.WithRetryWait(0, 0))
	require.NoError(t, err)

	scenarios := []func(ctx context.Context, c *invitations.Client, k int, r *concResult){
		concGitGuardian, concBox, concFreestyle, concBIMData, concPortworx,
	}
	results := make([]concResult, concWorkers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for k := range concWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Each worker runs every scenario, starting at a different
			// one, so that all five APIs are called at once.
			for i := range scenarios {
				scenarios[(k+i)%len(scenarios)](t.Context(), client, k, &results[k])
			}
		}()
	}
	close(start)
	wg.Wait()

	invitationIDs, memberships, identities, tokens, secrets, uids := map[int64]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	accepted := 0
	for k, r := range results {
		assert.Empty(t, r.problems, "worker %d", k)
		invitationIDs[r.invitationID]++
		memberships[r.membershipID]++
		identities[r.identityID]++
		tokens[r.tokenID]++
		secrets[r.tokenSecret]++
		uids[r.pxUID]++
		if r.acceptErr == nil {
			accepted++
		} else {
			var apiErr *invitations.APIError
			if assert.ErrorAs(t, r.acceptErr, &apiErr, "worker %d", k) {
				assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode, "worker %d", k)
			}
		}
	}
	// Every worker created its own resources, none twice.
	for name, n := range map[string]int{
		"invitation ids": len(invitationIDs), "memberships": len(memberships), "identities": len(identities),
		"tokens": len(tokens), "token secrets": len(secrets), "Portworx uids": len(uids),
	} {
		assert.Equal(t, concWorkers, n, "distinct %s", name)
	}
	assert.Equal(t, 1, accepted, "exactly one worker accepted the denied invitation")

	// Nothing was sent twice: the fake saw each create, send and accept once per worker.
	for _, op := range []invitationstest.Operation{
		"gitguardian.CreateInvitations", "gitguardian.ResendInvitation", "box.CreateGroupMembership", "freestyle.CreateIdentity",
		"freestyle.CreateGitToken", "freestyle.GrantVMPermission", "bimdata.AcceptInvitation", "portworx.CreateInvitation", "portworx.NotifyUser",
	} {
		assert.Equal(t, concWorkers, srv.RequestCount(op), op)
	}

	// And everything created was removed again.
	left, err := client.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{Search: "concurrent-", PerPage: 100}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, left)
	members, err := client.Memberships.GetGroupMemberships(t.Context(), concBoxGroup, nil).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, members)
	pending, err := client.AccountInvitations.ListInvitations(t.Context(), invitationstest.PortworxDemoTenantID, &invitations.ListAccountInvitationsOptions{PageSize: 1000}).Collect(0)
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(pending, func(inv models.PortworxInvitation) bool {
		return strings.HasPrefix(inv.Config.UserEmail, "concurrent-")
	}))
	t.Logf("%d workers, %d requests reached the fake", concWorkers, srv.RequestCount(""))
}
