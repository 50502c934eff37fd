package access

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// demoServer starts a fake with the demo data and returns it with a client.
func demoServer(t *testing.T) (*invitationstest.TestServer, *invitations.Client) {
	t.Helper()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	return srv, c
}

// viewOf is a stateView over a snapshot mapping identities (email to id),
// with doubts as its in-doubt changes.
func viewOf(identities map[string]string, doubts ...DoubtfulChange) *stateView {
	snap := NewSnapshot()
	for email, id := range identities {
		SetFreestyleIdentity(snap, email, id)
	}
	for _, d := range doubts {
		snap.InDoubt[d.Change.Key()] = d
	}
	return &stateView{snap: snap}
}

// operations lists the operations the fake received, oldest first.
func operations(srv *invitationstest.TestServer) []invitationstest.Operation {
	var out []invitationstest.Operation
	for _, r := range srv.Requests() {
		out = append(out, r.Operation)
	}
	return out
}

// repeat is op n times.
func repeat(op invitationstest.Operation, n int) []invitationstest.Operation {
	return slices.Repeat([]invitationstest.Operation{op}, n)
}

// identityIDs lists the account's identities.
func identityIDs(t *testing.T, c *invitations.Client) []string {
	t.Helper()
	var ids []string
	for ident, err := range c.Identity.ListIdentities(context.Background(), nil).All() {
		require.NoError(t, err)
		ids = append(ids, ident.ID)
	}
	return ids
}

// demoGitGrants are the demo identity's git permissions, as the fake seeds
// them: seven repositories, write on every other one.
func demoGitGrants(t *testing.T, c *invitations.Client) []Grant {
	t.Helper()
	var out []Grant
	for repo, err := range c.Identity.ListGitPermissions(context.Background(), invitationstest.FreestyleDemoIdentityID, nil).All() {
		require.NoError(t, err)
		out = append(out, Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: repo.ID, Level: string(repo.Permissions)})
	}
	return out
}

func TestFreestyleReadMappedPerson(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	email := invitationstest.DemoPersonEmail
	st := viewOf(map[string]string{email: invitationstest.FreestyleDemoIdentityID})
	people := []Person{{
		Email: strings.ToUpper(email),
		Freestyle: &FreestyleAccess{
			Git: []FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
			VMs: []FreestyleVMPermission{{VMID: invitationstest.FreestyleDemoVMID, AllowedUsers: []string{"bob", "alice"}}, {VMID: "n3w0vm"}},
		},
	}}
	wantGit := demoGitGrants(t, c)
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(ctx, people, st)
	require.NoError(t, err)

	// 150 identities are listed in one page of 1,000; then the person's two lists.
	assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleListIdentities,
		invitationstest.FreestyleListGitPermissions, invitationstest.FreestyleListVMPermissions}, operations(srv))
	assert.Contains(t, srv.Requests()[0].RawQuery, "includeManaged=false", "managed identities are nobody's")
	id := invitationstest.FreestyleDemoIdentityID
	want := []Record{{Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}, State: StateGranted, ID: id}}
	for _, g := range wantGit {
		want = append(want, Record{Email: email, Grant: g, State: StateGranted, ID: id})
	}
	for _, vm := range []struct {
		id    string
		users []string
	}{{invitationstest.FreestyleDemoVMID, []string{"alice", "bob"}}, {"p8w1z7", nil}, {"m2c7r4", []string{"root"}}, {"t9v5n1", []string{}}, {"b4h8s6", nil}} {
		want = append(want, Record{Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindVM, Scope: vm.id, Users: vm.users}, State: StateGranted, ID: id})
	}
	assert.Equal(t, want, view.Have)
	// An empty allowed-users list allows nobody and stays apart from nil.
	assert.NotNil(t, view.Have[len(view.Have)-2].Grant.Users)

	assert.Equal(t, map[string][]Grant{email: {
		{Vendor: invitations.Freestyle, Kind: KindIdentity},
		{Vendor: invitations.Freestyle, Kind: KindGit, Scope: invitationstest.FreestyleDemoRepoID, Level: "read"},
		{Vendor: invitations.Freestyle, Kind: KindVM, Scope: invitationstest.FreestyleDemoVMID, Users: []string{"alice", "bob"}},
		{Vendor: invitations.Freestyle, Kind: KindVM, Scope: "n3w0vm"},
	}}, view.Want)
	assert.Nil(t, view.Want[email][3].Users, "no allowed users asked: every user")
	assert.Equal(t, map[string]string{email: id}, view.Subjects)
	// Asking for Freestyle names its identities: prune removes one
	// nobody asks for any more.
	assert.Equal(t, map[string]bool{"identity|": true, "git|" + invitationstest.FreestyleDemoRepoID: true, "vm|" + invitationstest.FreestyleDemoVMID: true, "vm|n3w0vm": true}, view.Scopes)
	assert.Empty(t, view.Problems)
	assert.Empty(t, adoptOf(view))
}

func TestFreestyleReadUnmappedAndGone(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	// gone@ is mapped to an identity that no longer exists; new@ to none;
	// absent@ is mapped and offboarded: records, their tokens among them,
	// no wants.
	st := viewOf(map[string]string{"gone@example.com": "f5e1de00-0001-4000-8000-00000000ffff", "absent@example.com": invitationstest.FreestyleDemoIdentityID})
	people := []Person{
		{Email: "new@example.com", Freestyle: &FreestyleAccess{}},
		{Email: "gone@example.com", Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelWrite}}}},
		{Email: "absent@example.com", Absent: true, Freestyle: &FreestyleAccess{}},
	}
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(ctx, people, st)
	require.NoError(t, err)

	assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleListIdentities,
		invitationstest.FreestyleListGitTokens, invitationstest.FreestyleListGitPermissions, invitationstest.FreestyleListVMPermissions}, operations(srv))
	assert.Len(t, view.Have, 1+2+7+5)
	tokens, err := c.Identity.ListGitTokens(ctx, invitationstest.FreestyleDemoIdentityID)
	require.NoError(t, err)
	require.Len(t, tokens, 2)
	assert.Equal(t, []Grant{freestyleTokenGrant(tokens[0].ID), freestyleTokenGrant(tokens[1].ID)}, []Grant{view.Have[1].Grant, view.Have[2].Grant})
	for _, r := range view.Have {
		assert.Equal(t, "absent@example.com", r.Email)
	}
	assert.Equal(t, map[string][]Grant{
		"new@example.com":  {{Vendor: invitations.Freestyle, Kind: KindIdentity}},
		"gone@example.com": {{Vendor: invitations.Freestyle, Kind: KindIdentity}, {Vendor: invitations.Freestyle, Kind: KindGit, Scope: invitationstest.FreestyleDemoRepoID, Level: "write"}},
	}, view.Want)
	assert.Equal(t, map[string]string{"absent@example.com": invitationstest.FreestyleDemoIdentityID}, view.Subjects)
}

// identityDoubt is an identity create for email in doubt, made when known
// were the account's identities.
func identityDoubt(email string, known []string) DoubtfulChange {
	return DoubtfulChange{
		Change: Change{Action: Create, Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}},
		Note:   knownNote(known),
	}
}

func TestFreestyleReadSettlesDoubts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		created int // identities created after the doubtful create's snapshot
	}{{"exactly one new identity is adopted", 1}, {"two new identities are a problem", 2}, {"no new identity changes nothing", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoServer(t)
			ctx := context.Background()
			email := "doubt@example.com"
			known := identityIDs(t, c)
			// The demo identity is someone's: it is never a candidate.
			owned := map[string]string{invitationstest.DemoPersonEmail: invitationstest.FreestyleDemoIdentityID}
			// An identity made since, which the state gives to someone
			// else (their create succeeded), is no candidate either.
			other, err := c.Identity.CreateIdentity(ctx)
			require.NoError(t, err)
			owned["other@example.com"] = other.ID
			var created []string
			for range tc.created {
				ident, err := c.Identity.CreateIdentity(ctx)
				require.NoError(t, err)
				created = append(created, ident.ID)
			}
			st := viewOf(owned, identityDoubt(email, known),
				// A git grant in doubt and a doubt on another vendor are not identity creates.
				DoubtfulChange{Change: Change{Action: Create, Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: invitationstest.FreestyleDemoRepoID, Level: "read"}}},
				DoubtfulChange{Change: Change{Action: Create, Email: email, Grant: Grant{Vendor: invitations.Box, Kind: KindIdentity}}},
			)
			people := []Person{{Email: email, Freestyle: &FreestyleAccess{}}}
			srv.ClearRequests()

			view, err := asTest(newFreestyleConnector(c)).read(ctx, people, st)
			require.NoError(t, err)

			assert.Equal(t, map[string][]Grant{email: {{Vendor: invitations.Freestyle, Kind: KindIdentity}}}, view.Want, "Want stays what is desired")
			switch tc.created {
			case 1:
				id := created[0]
				assert.Equal(t, map[string]string{email: id}, adoptOf(view))
				assert.Equal(t, map[string]string{email: id}, view.Subjects)
				assert.Equal(t, []Record{{Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}, State: StateGranted, ID: id}}, view.Have)
				assert.Empty(t, view.Problems)
				// 152 identities now: one page.
				assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleListIdentities,
					invitationstest.FreestyleListGitPermissions, invitationstest.FreestyleListVMPermissions}, operations(srv))
			case 2:
				assert.Empty(t, adoptOf(view))
				assert.Empty(t, view.Have)
				assert.Empty(t, view.Subjects)
				require.Len(t, view.Problems, 1)
				assert.Equal(t, email, view.Problems[0].Email)
				assert.Equal(t, invitations.Freestyle, view.Problems[0].Vendor)
				assert.Contains(t, view.Problems[0].Reason, "cannot tell which of them")
				assert.Contains(t, view.Problems[0].Reason, "2 new identities")
			default:
				assert.Empty(t, adoptOf(view))
				assert.Empty(t, view.Have)
				assert.Empty(t, view.Problems)
				assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleListIdentities}, operations(srv))
			}
		})
	}
}

func TestFreestyleReadSettlesTwoDoubtsInTurn(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	ctx := context.Background()
	before := identityIDs(t, c)
	first, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	second, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	// b's create was sent after a's identity existed: its only candidate is
	// second, which leaves a with first alone.
	st := viewOf(nil, identityDoubt("a@example.com", before), identityDoubt("b@example.com", append(slices.Clone(before), first.ID)))

	view, err := asTest(newFreestyleConnector(c)).read(ctx, nil, st)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a@example.com": first.ID, "b@example.com": second.ID}, adoptOf(view))
	assert.Empty(t, view.Problems)
}

// executeOne runs ch on a fresh demo fake and returns what it returned and
// the operations the fake received for it.
func executeOne(t *testing.T, srv *invitationstest.TestServer, c *invitations.Client, st *stateView, ch Change) (string, []invitationstest.Operation) {
	t.Helper()
	srv.ClearRequests()
	id, err := asTest(newFreestyleConnector(c)).execute(context.Background(), ch, st)
	require.NoError(t, err)
	return id, operations(srv)
}

func TestFreestyleExecute(t *testing.T) {
	t.Parallel()
	demo := invitationstest.FreestyleDemoIdentityID
	repo := invitationstest.FreestyleDemoRepoID
	vm := invitationstest.FreestyleDemoVMID
	newRepo := "9b2c0d4e-1111-4222-8333-444455556666"
	email := invitationstest.DemoPersonEmail
	gitGrant := func(repo, level string) Grant {
		return Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: repo, Level: level}
	}
	vmGrant := func(vm string, users []string) Grant {
		return Grant{Vendor: invitations.Freestyle, Kind: KindVM, Scope: vm, Users: users}
	}

	t.Run("create identity", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		id, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Create, Email: "new@example.com", Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleCreateIdentity}, ops)
		assert.NotEmpty(t, id)
		assert.Contains(t, identityIDs(t, c), id)
	})
	t.Run("remove identity", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Remove, Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}, Target: demo})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleDeleteIdentity}, ops)
		assert.NotContains(t, identityIDs(t, c), demo)
	})
	t.Run("create git on the identity the state maps", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		// No Target: the identity was created earlier in the same apply.
		_, ops := executeOne(t, srv, c, viewOf(map[string]string{email: demo}), Change{Action: Create, Email: strings.ToUpper(email), Grant: gitGrant(newRepo, "read")})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleGrantGitPermission}, ops)
		assert.Equal(t, "/freestyle/identity/v1/identities/"+demo+"/permissions/git/"+newRepo, srv.Requests()[0].Path)
		assert.JSONEq(t, `{"permission":"read"}`, string(srv.Requests()[0].Body))
		assert.Contains(t, demoGitGrants(t, c), gitGrant(newRepo, "read"))
	})
	t.Run("update git", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Update, Email: email, Grant: gitGrant(repo, "read"), Target: demo})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleUpdateGitPermission}, ops)
		assert.Contains(t, demoGitGrants(t, c), gitGrant(repo, "read"))
	})
	t.Run("remove git", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Remove, Email: email, Grant: gitGrant(repo, "write"), Target: demo})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleRevokeGitPermission}, ops)
		for _, g := range demoGitGrants(t, c) {
			assert.NotEqual(t, repo, g.Scope)
		}
	})
	for _, tc := range []struct {
		name  string
		users []string
		body  string
	}{{"create vm for some users", []string{"alice"}, `{"allowedUsers":["alice"]}`}, {"create vm for every user", nil, `{"allowedUsers":null}`}, {"create vm for nobody", []string{}, `{"allowedUsers":[]}`}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoServer(t)
			_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Create, Email: email, Grant: vmGrant("z9z9z9", tc.users), Target: demo})
			assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleGrantVMPermission}, ops)
			assert.JSONEq(t, tc.body, string(srv.Requests()[0].Body))
			perm, err := c.Identity.DescribeVMPermission(context.Background(), demo, "z9z9z9")
			require.NoError(t, err)
			users, restricted := perm.AllowedUsers.Get()
			assert.Equal(t, tc.users != nil, restricted)
			assert.ElementsMatch(t, tc.users, users)
		})
	}
	t.Run("update vm", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Update, Email: email, Grant: vmGrant(vm, []string{"carol"}), Target: demo})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleUpdateAllowedUsers}, ops)
		perm, err := c.Identity.DescribeVMPermission(context.Background(), demo, vm)
		require.NoError(t, err)
		users, _ := perm.AllowedUsers.Get()
		assert.Equal(t, []string{"carol"}, users)
	})
	t.Run("remove vm", func(t *testing.T) {
		t.Parallel()
		srv, c := demoServer(t)
		_, ops := executeOne(t, srv, c, viewOf(nil), Change{Action: Remove, Email: email, Grant: vmGrant(vm, []string{"alice", "bob"}), Target: demo})
		assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleRevokeVMPermission}, ops)
		_, err := c.Identity.DescribeVMPermission(context.Background(), demo, vm)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
}

func TestFreestyleExecuteErrors(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	conn := asTest(newFreestyleConnector(c))
	srv.ClearRequests()

	// No Target and no identity in the state: nothing to address.
	_, err := conn.execute(ctx, Change{Action: Create, Email: "x@example.com", Grant: Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: invitationstest.FreestyleDemoRepoID, Level: "read"}}, viewOf(nil))
	assert.ErrorContains(t, err, "no identity of x@example.com")
	assert.Empty(t, operations(srv))

	// The SDK's error comes back as it is, for the engine to classify.
	_, err = conn.execute(ctx, Change{Action: Create, Email: "x@example.com", Grant: Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: invitationstest.FreestyleDemoRepoID, Level: "write"}, Target: invitationstest.FreestyleDemoIdentityID}, viewOf(nil))
	assert.ErrorIs(t, err, invitations.ErrConflict)
	var apiErr *invitations.APIError
	assert.ErrorAs(t, err, &apiErr)
}

func TestFreestyleAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	owner := invitationstest.DemoPersonEmail
	st := viewOf(map[string]string{owner: invitationstest.FreestyleDemoIdentityID})
	conn := asTest(newFreestyleConnector(c))
	srv.ClearRequests()

	identities, tokens, perms := 0, 0, 0
	for r, err := range conn.audit(ctx, st) {
		require.NoError(t, err)
		switch r.Grant.Kind {
		case KindIdentity:
			identities++
		case KindToken:
			tokens++
			assert.NotEmpty(t, r.Grant.Scope, "a token's id")
		default:
			perms++
		}
		if r.ID == invitationstest.FreestyleDemoIdentityID {
			assert.Equal(t, owner, r.Email)
		} else {
			assert.Empty(t, r.Email, "nobody's identity")
		}
		assert.Equal(t, StateGranted, r.State)
	}
	// 150 identities (managed ones are not listed); the demo identity holds
	// 2 tokens, 7 git and 5 VM permissions, five others one of each.
	assert.Equal(t, 150, identities)
	assert.Equal(t, 2+5, tokens)
	assert.Equal(t, 7+5+5*2, perms)
	assert.Equal(t, 1, srv.RequestCount(invitationstest.FreestyleListIdentities))
	assert.Equal(t, 150, srv.RequestCount(invitationstest.FreestyleListGitTokens))
	assert.Equal(t, 150, srv.RequestCount(invitationstest.FreestyleListGitPermissions))
	assert.Equal(t, 150, srv.RequestCount(invitationstest.FreestyleListVMPermissions))
}

func TestFreestyleAuditIsLazy(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	srv.ClearRequests()
	asTest(newFreestyleConnector(c)).audit(context.Background(), viewOf(nil))
	assert.Empty(t, srv.Requests(), "nothing is asked before the loop")

	// The demo identity comes first (1 + 2 tokens + 7 git + 5 VM records); breaking
	// the loop anywhere leaves at most a window of identities read ahead
	// of it, not the 150 of the account. Each break on a fresh fake: a
	// read the break cancelled may reach the fake after audit returned.
	for _, take := range []int{1, 2, 1 + 2 + 7 + 5, 1 + 2 + 7 + 5 + 1} {
		srv, c := demoServer(t)
		srv.ClearRequests()
		n := 0
		for _, err := range asTest(newFreestyleConnector(c)).audit(context.Background(), viewOf(nil)) {
			require.NoError(t, err)
			if n++; n == take {
				break
			}
		}
		done := 0 // identities whose records were all yielded
		if take > 1+2+7+5 {
			done = 1
		}
		assert.Equal(t, 1, srv.RequestCount(invitationstest.FreestyleListIdentities), "after %d records", take)
		assert.Positive(t, srv.RequestCount(invitationstest.FreestyleListGitPermissions), "after %d records: the first identity is read", take)
		assert.LessOrEqual(t, srv.RequestCount(invitationstest.FreestyleListGitPermissions), done+freestyleConcurrency, "after %d records", take)
		assert.LessOrEqual(t, srv.RequestCount(invitationstest.FreestyleListVMPermissions), done+freestyleConcurrency, "after %d records", take)
	}
}

func TestFreestyleAuditError(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	// Every VM list fails: the identities are read concurrently, but the
	// first error yielded is the first identity's, after its records.
	srv.Inject(invitationstest.Fault{Operation: invitationstest.FreestyleListVMPermissions, Status: 403, Times: -1})
	var errs []error
	n := 0
	for _, err := range asTest(newFreestyleConnector(c)).audit(context.Background(), viewOf(nil)) {
		n++
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1, "one error, as the last element")
	assert.ErrorIs(t, errs[0], invitations.ErrForbidden)
	assert.Equal(t, 1+2+7+1, n)
}

// freestylePeople creates n identities, each with read access to a
// repository of its own, and returns people mapped to them (in the reverse
// of the order they were created, so that an order of completion would
// show), the state mapping them, and the records a read should find, in
// the order of people.
func freestylePeople(t *testing.T, c *invitations.Client, n int) ([]Person, map[string]string, []Record) {
	t.Helper()
	ctx := context.Background()
	mapped := map[string]string{}
	var people []Person
	var have []Record
	for i := n - 1; i >= 0; i-- {
		ident, err := c.Identity.CreateIdentity(ctx)
		require.NoError(t, err)
		repo := fmt.Sprintf("9b2c0d4e-1111-4222-8333-%012d", i)
		require.NoError(t, c.Identity.GrantGitPermission(ctx, ident.ID, repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
		email := fmt.Sprintf("p%02d@example.com", i)
		mapped[email] = ident.ID
		people = append(people, Person{Email: email, Freestyle: &FreestyleAccess{}})
		have = append(have,
			Record{Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}, State: StateGranted, ID: ident.ID},
			Record{Email: email, Grant: Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: repo, Level: "read"}, State: StateGranted, ID: ident.ID})
	}
	return people, mapped, have
}

func TestFreestyleReadRequests(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	people, mapped, want := freestylePeople(t, c, 16)
	// Two people without an identity yet: nothing to read for them.
	people = append(people, Person{Email: "new1@example.com", Freestyle: &FreestyleAccess{}}, Person{Email: "new2@example.com"})
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(context.Background(), people, viewOf(mapped))
	require.NoError(t, err)
	assert.Equal(t, want, view.Have, "records in the order of people, whatever order the reads ended in")

	// One page of every identity (150 demo ones and 16), then two lists
	// per mapped person, each in one request: 1 + 2*16, the least the API
	// allows (it has no list of permissions across identities).
	reqs := pagedRequests(t, srv, "limit", "includeManaged")
	require.NotEmpty(t, reqs)
	assert.Equal(t, "freestyle.ListIdentities limit=1000 includeManaged=false", reqs[0])
	assert.ElementsMatch(t, append(
		slices.Repeat([]string{"freestyle.ListGitPermissions limit=100 includeManaged="}, 16),
		slices.Repeat([]string{"freestyle.ListVMPermissions limit=1000 includeManaged="}, 16)...), reqs[1:])
}

// inFlight wraps a handler and counts the requests it serves at once that
// match, keeping the most it ever saw.
type inFlight struct {
	h     http.Handler
	match func(*http.Request) bool
	now   atomic.Int64
	most  atomic.Int64
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.match(r) {
		n := f.now.Add(1)
		defer f.now.Add(-1)
		for m := f.most.Load(); n > m && !f.most.CompareAndSwap(m, n); m = f.most.Load() {
		}
	}
	f.h.ServeHTTP(w, r)
}

// slowPermissionsServer serves a fake whose permission lists take 30 ms
// each, counting how many of them are in flight at once.
func slowPermissionsServer(t *testing.T, opts ...invitationstest.Option) (*invitationstest.Fake, *inFlight, *invitations.Client) {
	t.Helper()
	fake := invitationstest.NewFake(opts...)
	for _, op := range []invitationstest.Operation{invitationstest.FreestyleListGitPermissions, invitationstest.FreestyleListVMPermissions} {
		require.NoError(t, fake.Inject(invitationstest.Fault{Operation: op, Latency: 30 * time.Millisecond, Times: -1}))
	}
	counter := &inFlight{h: fake, match: func(r *http.Request) bool { return strings.Contains(r.URL.Path, "/permissions/") }}
	ts := httptest.NewServer(counter)
	t.Cleanup(ts.Close)
	c, err := invitations.NewClient(append(invitationstest.ClientOptions(invitationstest.BaseURLsAt(ts.URL)), invitations.WithRetryWait(0, 0))...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return fake, counter, c
}

func TestFreestyleReadsIdentitiesConcurrently(t *testing.T) {
	t.Parallel()
	_, counter, c := slowPermissionsServer(t)
	people, mapped, want := freestylePeople(t, c, 16)

	view, err := asTest(newFreestyleConnector(c)).read(context.Background(), people, viewOf(mapped))
	require.NoError(t, err)
	assert.Equal(t, want, view.Have)
	// One at a time, the 32 lists would never overlap; the read keeps
	// freestyleConcurrency of them in flight, and no more.
	assert.GreaterOrEqual(t, counter.most.Load(), int64(freestyleConcurrency/2), "the reads overlap")
	assert.LessOrEqual(t, counter.most.Load(), int64(freestyleConcurrency), "within the bound")
}

func TestFreestyleAuditReadsAWindowConcurrentlyInOrder(t *testing.T) {
	t.Parallel()
	_, counter, c := slowPermissionsServer(t)
	_, mapped, _ := freestylePeople(t, c, 24)
	owners := map[string]string{}
	for email, id := range mapped {
		owners[id] = email
	}
	order := identityIDs(t, c)
	require.Len(t, order, 24)

	var got []string // identity ids, as their records come
	for r, err := range asTest(newFreestyleConnector(c)).audit(context.Background(), viewOf(mapped)) {
		require.NoError(t, err)
		assert.Equal(t, owners[r.ID], r.Email)
		if r.Grant.Kind == KindIdentity {
			got = append(got, r.ID)
		}
	}
	assert.Equal(t, order, got, "identities in the order Freestyle lists them")
	assert.GreaterOrEqual(t, counter.most.Load(), int64(freestyleConcurrency/2), "the window's reads overlap")
	assert.LessOrEqual(t, counter.most.Load(), int64(freestyleConcurrency), "no more than the window")
}

func TestFreestyleReadFailsOnAPermissionListError(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	people, mapped, _ := freestylePeople(t, c, 16)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.FreestyleListVMPermissions, Status: 403})

	view, err := asTest(newFreestyleConnector(c)).read(context.Background(), people, viewOf(mapped))
	assert.Nil(t, view)
	require.ErrorIs(t, err, invitations.ErrForbidden)
	assert.ErrorContains(t, err, "freestyle: list VM permissions of identity")

	// A context that ends while the reads run ends the read with it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = (&freestyleConnector{c: c}).readAll(ctx, []freestyleSubject{{email: "a@example.com", id: mapped["p00@example.com"]}})
	require.ErrorIs(t, err, context.Canceled)
}

// guardRequests lists the requests of the new-identities guard: the
// permission lists asked for one item (the plan's own reads ask for more).
func guardRequests(t *testing.T, srv *invitationstest.TestServer) []string {
	t.Helper()
	var out []string
	for _, r := range pagedRequests(t, srv, "limit") {
		if strings.HasSuffix(r, " limit=1") {
			out = append(out, r)
		}
	}
	return out
}

func TestFreestyleGuardsNewIdentitiesWhenTheStateMapsNobody(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	repo := invitationstest.FreestyleDemoRepoID
	// The state was lost: it maps nobody, while the demo identities (the
	// first listed among them) have permissions nobody the state knows.
	people := []Person{
		{Email: "Ada@example.com", Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: repo, Permission: models.GitAccessLevelRead}}}},
		{Email: "bob@example.com", Freestyle: &FreestyleAccess{}},
		{Email: "box.only@example.com", Box: []BoxMembership{{GroupName: "Engineering"}}}, // no Freestyle access: nothing to create
		{Email: "gone@example.com", Absent: true, Freestyle: &FreestyleAccess{}},          // offboarded: nothing to create
	}
	st := viewOf(nil)
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(t.Context(), people, st)
	require.NoError(t, err)

	require.Len(t, view.Problems, 2, "one problem per identity the plan would create")
	for i, email := range []string{"ada@example.com", "bob@example.com"} {
		p := view.Problems[i]
		assert.Equal(t, email, p.Email)
		assert.Equal(t, invitations.Freestyle, p.Vendor)
		assert.Equal(t, Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}.Key(email), p.Key)
		assert.Contains(t, p.Reason, "the state maps nobody in the desired state to a Freestyle identity")
		assert.Contains(t, p.Reason, "of the 150 identities it maps to nobody at least one ("+invitationstest.FreestyleDemoIdentityID+") has permissions")
		assert.Contains(t, p.Reason, "`invitations state import freestyle "+email+" IDENTITY_ID`")
		assert.True(t, strings.HasSuffix(p.Reason, "or plan with new identities allowed (--new-identities-ok)"), p.Reason)
		assert.True(t, newIdentitiesBlocked(p))
	}
	// The demo identity, listed first, has a git permission: one request
	// of one item answers, and the scan stops there.
	assert.Equal(t, []string{"freestyle.ListIdentities limit=1000", "freestyle.ListGitPermissions limit=1"}, pagedRequests(t, srv, "limit"))

	// The problems keep diff from planning the identities and, without
	// them, every other Freestyle grant of those people.
	changes, _ := diff(shipped(invitations.Freestyle), people, view, st.snap, PlanOptions{})
	assert.Empty(t, changes)

	// What Plan does with PlanOptions.NewIdentitiesOK: drop the problems;
	// the creates go ahead.
	view.Problems = slices.DeleteFunc(view.Problems, newIdentitiesBlocked)
	assert.Empty(t, view.Problems)
	changes, _ = diff(shipped(invitations.Freestyle), people, view, st.snap, PlanOptions{NewIdentitiesOK: true})
	var planned []string
	for _, ch := range changes {
		planned = append(planned, string(ch.Action)+" "+ch.Email+" "+string(ch.Grant.Kind))
	}
	assert.Equal(t, []string{"create ada@example.com identity", "create ada@example.com git", "create bob@example.com identity"}, planned)
}

func TestFreestyleNewIdentitiesBlockedKnowsOnlyTheGuardsProblems(t *testing.T) {
	t.Parallel()
	key := Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}.Key("ada@example.com")
	guard := Problem{Email: "ada@example.com", Vendor: invitations.Freestyle, Key: key, Reason: "the state may have been lost: " + newIdentitiesHint}
	assert.True(t, newIdentitiesBlocked(guard))
	// An identity create in doubt that cannot be told apart stays a
	// problem whatever the options: that identity may exist.
	doubt := Problem{Email: "ada@example.com", Vendor: invitations.Freestyle, Key: key, Reason: "an identity create is in doubt and 2 new identities are nobody's: cannot tell which of them is ada@example.com's; map it in the state by hand"}
	assert.False(t, newIdentitiesBlocked(doubt))
	other := guard
	other.Vendor = invitations.Box
	assert.False(t, newIdentitiesBlocked(other), "another vendor's")
	other = guard
	other.Key = Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: "r"}.Key("ada@example.com")
	assert.False(t, newIdentitiesBlocked(other), "not an identity create")
}

func TestFreestyleNewIdentitiesGuardHoldsThePlan(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	m, err := New(c, NewFileStore(filepath.Join(t.TempDir(), "state.json")), WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	people := []Person{{Email: "ada@example.com", Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}}}}}

	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "no identity, and so no permission, is created")
	require.Len(t, plan.Problems, 1)
	assert.Equal(t, Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}.Key("ada@example.com"), plan.Problems[0].Key)
	assert.True(t, newIdentitiesBlocked(plan.Problems[0]))
}

func TestFreestyleNewIdentitiesGuardNeedsAStateThatKnowsNobody(t *testing.T) {
	t.Parallel()
	ada := Person{Email: "ada@example.com", Freestyle: &FreestyleAccess{}}
	for _, tc := range []struct {
		name   string
		st     *stateView
		people []Person
		adaNew bool // ada's identity is to be created
	}{
		{"the state maps a desired person", viewOf(map[string]string{"ada@example.com": invitationstest.FreestyleDemoIdentityID}),
			[]Person{ada, {Email: "bob@example.com", Freestyle: &FreestyleAccess{}}}, false},
		{"the state maps a desired person to an identity since deleted", viewOf(map[string]string{"bob@example.com": "f5e1de00-0001-4000-8000-00000000ffff"}),
			[]Person{ada, {Email: "bob@example.com", Freestyle: &FreestyleAccess{}}}, true},
		{"the state maps an absent person", viewOf(map[string]string{"bob@example.com": invitationstest.FreestyleDemoIdentityID}),
			[]Person{ada, {Email: "bob@example.com", Absent: true}}, true},
		{"the state maps a person without Freestyle access", viewOf(map[string]string{"bob@example.com": invitationstest.FreestyleDemoIdentityID}),
			[]Person{ada, {Email: "bob@example.com"}}, true},
		{"an identity create of a desired person is in doubt", viewOf(nil, identityDoubt("bob@example.com", nil)),
			[]Person{ada, {Email: "BOB@example.com", Freestyle: &FreestyleAccess{}}}, true},
		{"no identity would be created", viewOf(nil),
			[]Person{{Email: "ada@example.com", Absent: true}, {Email: "bob@example.com"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoServer(t)
			srv.ClearRequests()
			view, err := asTest(newFreestyleConnector(c)).read(t.Context(), tc.people, tc.st)
			require.NoError(t, err)
			for _, p := range view.Problems {
				assert.False(t, newIdentitiesBlocked(p), p.Reason)
			}
			assert.Empty(t, guardRequests(t, srv), "the guard does not apply: it reads nothing")
			if tc.adaNew {
				changes, _ := diff(shipped(invitations.Freestyle), tc.people, view, tc.st.snap, PlanOptions{})
				assert.Contains(t, changes, Change{Action: Create, Email: "ada@example.com", Grant: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity},
					Reason: "ada@example.com should have freestyle identity"}, "ada's identity is created")
			}
		})
	}
}

// bareServer starts a fake without demo data and returns it with a client.
func bareServer(t *testing.T) (*invitationstest.TestServer, *invitations.Client) {
	t.Helper()
	srv := invitationstest.NewTestServer(t)
	c, err := srv.Client()
	require.NoError(t, err)
	return srv, c
}

func TestFreestyleNewIdentitiesGuardNeedsAPermissionNobodyOwns(t *testing.T) {
	t.Parallel()
	srv, c := bareServer(t)
	ctx := t.Context()
	// Two identities nobody owns, without permissions, and one with a
	// permission that the state gives to someone outside the desired state.
	var bare []string
	for range 2 {
		ident, err := c.Identity.CreateIdentity(ctx)
		require.NoError(t, err)
		bare = append(bare, ident.ID)
	}
	owned, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Identity.GrantGitPermission(ctx, owned.ID, invitationstest.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	st := viewOf(map[string]string{"other@example.com": owned.ID})
	people := []Person{{Email: "ada@example.com", Freestyle: &FreestyleAccess{}}}
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(ctx, people, st)
	require.NoError(t, err)
	assert.Empty(t, view.Problems, "no identity nobody owns has a permission: nothing was lost")
	// Each identity nobody owns is asked both lists, one item each; the
	// owned one is not asked.
	assert.Equal(t, []string{
		"freestyle.ListGitPermissions limit=1", "freestyle.ListVMPermissions limit=1",
		"freestyle.ListGitPermissions limit=1", "freestyle.ListVMPermissions limit=1",
	}, guardRequests(t, srv))
	for _, r := range srv.Requests()[1:] {
		assert.NotContains(t, r.Path, owned.ID)
	}
	changes, _ := diff(shipped(invitations.Freestyle), people, view, st.snap, PlanOptions{})
	require.Len(t, changes, 1)
	assert.Equal(t, Create, changes[0].Action)

	// A VM permission counts as much as a git one.
	_, err = c.Identity.GrantVMPermission(ctx, bare[1], invitationstest.FreestyleDemoVMID, &models.GrantVMPermissionRequest{AllowedUsers: models.Null[[]string]()})
	require.NoError(t, err)
	srv.ClearRequests()
	view, err = asTest(newFreestyleConnector(c)).read(ctx, people, st)
	require.NoError(t, err)
	require.Len(t, view.Problems, 1)
	assert.True(t, newIdentitiesBlocked(view.Problems[0]))
	assert.Contains(t, view.Problems[0].Reason, "of the 2 identities it maps to nobody at least one ("+bare[1]+")")
}

func TestFreestyleNewIdentitiesGuardStopsAtTheFirstPermission(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	// The state maps the demo identity, first listed, to someone outside
	// the desired state: the scan starts after it. Of the 149 identities
	// nobody owns, the 25th is the first with a permission (git and VM).
	st := viewOf(map[string]string{"other@example.com": invitationstest.FreestyleDemoIdentityID})
	people := []Person{{Email: "ada@example.com", Freestyle: &FreestyleAccess{}}}
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(t.Context(), people, st)
	require.NoError(t, err)
	require.Len(t, view.Problems, 1)
	assert.True(t, newIdentitiesBlocked(view.Problems[0]))
	assert.Contains(t, view.Problems[0].Reason, "of the 149 identities it maps to nobody")

	// 24 identities without permissions cost both lists; the 25th answers
	// at its git list; the 124 after it are not asked.
	want := []string{"freestyle.ListIdentities limit=1000"}
	for range 24 {
		want = append(want, "freestyle.ListGitPermissions limit=1", "freestyle.ListVMPermissions limit=1")
	}
	want = append(want, "freestyle.ListGitPermissions limit=1")
	assert.Equal(t, want, pagedRequests(t, srv, "limit"))
}

func TestFreestyleNewIdentitiesGuardFailsOnAListError(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.FreestyleListGitPermissions, Status: 403})
	view, err := asTest(newFreestyleConnector(c)).read(t.Context(), []Person{{Email: "ada@example.com", Freestyle: &FreestyleAccess{}}}, viewOf(nil))
	assert.Nil(t, view)
	require.ErrorIs(t, err, invitations.ErrForbidden)
	assert.ErrorContains(t, err, "freestyle: list git permissions of identity "+invitationstest.FreestyleDemoIdentityID)
}

func TestFreestyleNewIdentitiesGuardLeavesAdoptedIdentitiesOut(t *testing.T) {
	t.Parallel()
	srv, c := bareServer(t)
	ctx := t.Context()
	// The only identity with a permission is the one an identity create
	// in doubt of someone outside the desired state made: adopted, it is
	// theirs, not nobody's.
	ident, err := c.Identity.CreateIdentity(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Identity.GrantGitPermission(ctx, ident.ID, invitationstest.FreestyleDemoRepoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelRead}))
	st := viewOf(nil, identityDoubt("other@example.com", nil))
	srv.ClearRequests()

	view, err := asTest(newFreestyleConnector(c)).read(ctx, []Person{{Email: "ada@example.com", Freestyle: &FreestyleAccess{}}}, st)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"other@example.com": ident.ID}, adoptOf(view))
	assert.Empty(t, view.Problems)
	assert.Empty(t, guardRequests(t, srv), "no identity is nobody's: nothing to read")
}

// The demo person offboarded on Freestyle: their identity's tokens
// revoked first, then its permissions, then the identity deleted; a
// second offboard sends no write.
func TestFreestyleOffboardRevokesTokensFirst(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	ctx := context.Background()
	email := invitationstest.DemoPersonEmail
	id := invitationstest.FreestyleDemoIdentityID
	store := NewFileStore(t.TempDir() + "/state.json")
	snap := NewSnapshot()
	SetFreestyleIdentity(snap, email, id)
	require.NoError(t, store.Save(ctx, snap))
	m, err := New(c, store, WithVendors(invitations.Freestyle))
	require.NoError(t, err)
	tokens, err := c.Identity.ListGitTokens(ctx, id)
	require.NoError(t, err)
	require.Len(t, tokens, 2)

	plan, err := m.Offboard(ctx, email)
	require.NoError(t, err)
	var kinds []Kind
	for _, ch := range plan.Changes {
		assert.Equal(t, Remove, ch.Action)
		assert.Equal(t, id, ch.Target)
		kinds = append(kinds, ch.Grant.Kind)
	}
	want := append(append(append([]Kind{KindToken, KindToken}, slices.Repeat([]Kind{KindGit}, 7)...), slices.Repeat([]Kind{KindVM}, 5)...), KindIdentity)
	assert.Equal(t, want, kinds)
	assert.Equal(t, tokens[0].ID, plan.Changes[0].Grant.Scope)

	srv.ClearRequests()
	results, err := m.Apply(ctx, plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
	ops := operations(srv)
	require.Len(t, ops, 2+7+5+1)
	assert.Equal(t, repeat(invitationstest.FreestyleRevokeGitToken, 2), ops[:2])
	assert.Equal(t, "/freestyle/identity/v1/identities/"+id+"/tokens/"+tokens[0].ID, srv.Requests()[0].Path)
	assert.Equal(t, repeat(invitationstest.FreestyleRevokeGitPermission, 7), ops[2:9])
	assert.Equal(t, repeat(invitationstest.FreestyleRevokeVMPermission, 5), ops[9:14])
	assert.Equal(t, invitationstest.FreestyleDeleteIdentity, ops[14])
	for _, r := range srv.Requests() {
		assert.NotContains(t, string(r.Body), "fsit_", "no token secret is sent")
	}

	srv.ClearRequests()
	again, err := m.Offboard(ctx, email)
	require.NoError(t, err)
	assert.True(t, again.Empty(), "nothing left: %v", again.Changes)
	_, err = m.Apply(ctx, again)
	require.NoError(t, err)
	assert.Equal(t, []invitationstest.Operation{invitationstest.FreestyleListIdentities}, operations(srv), "reads only")
}

// A token already revoked (404) is already done.
func TestFreestyleTokenRevokedTwiceIsAlreadyDone(t *testing.T) {
	t.Parallel()
	_, c := demoServer(t)
	ctx := context.Background()
	id := invitationstest.FreestyleDemoIdentityID
	tokens, err := c.Identity.ListGitTokens(ctx, id)
	require.NoError(t, err)
	ch := Change{Action: Remove, Email: invitationstest.DemoPersonEmail, Grant: freestyleTokenGrant(tokens[0].ID), Target: id}
	conn := asTest(newFreestyleConnector(c))
	_, err = conn.execute(ctx, ch, viewOf(nil))
	require.NoError(t, err)
	_, err = conn.execute(ctx, ch, viewOf(nil))
	assert.ErrorIs(t, err, invitations.ErrNotFound)
	left, err := c.Identity.ListGitTokens(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, tokens[1:], left)
}

func TestFreestyleRank(t *testing.T) {
	t.Parallel()
	f := &freestyleConnector{}
	rank := func(a Action, k Kind) int { return f.Rank(Change{Action: a, Grant: Grant{Kind: k}}) }
	assert.Less(t, rank(Create, KindIdentity), rank(Create, KindGit), "the identity is created first")
	assert.Less(t, rank(Remove, KindToken), rank(Remove, KindGit))
	assert.Less(t, rank(Remove, KindGit), rank(Remove, KindIdentity), "the identity is deleted last")
	assert.Equal(t, rank(Remove, KindGit), rank(Remove, KindVM))
}
