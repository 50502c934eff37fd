package access

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// demoFake starts the fake with its demo data and returns it with a
// client over loopback.
func demoFake(t *testing.T) (*invitationstest.TestServer, *invitations.Client) {
	t.Helper()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	return srv, c
}

// loggedOps returns the operations the fake received, in order.
func loggedOps(srv *invitationstest.TestServer) []invitationstest.Operation {
	var ops []invitationstest.Operation
	for _, r := range srv.Requests() {
		ops = append(ops, r.Operation)
	}
	return ops
}

// pagedRequests describes each request the fake received, oldest first,
// as its operation followed by key=value for each query key named (empty
// when the request did not send it): "gitguardian.ListMembers
// per_page=100 cursor=".
func pagedRequests(t *testing.T, srv *invitationstest.TestServer, keys ...string) []string {
	t.Helper()
	var out []string
	for _, r := range srv.Requests() {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		line := string(r.Operation)
		for _, k := range keys {
			line += " " + k + "=" + q.Get(k)
		}
		out = append(out, line)
	}
	return out
}

// collectAudit ranges over a connector's audit until it ends or n records
// were taken (n <= 0: all of them).
func collectAudit(t *testing.T, c testConn, n int) []Record {
	t.Helper()
	var out []Record
	for r, err := range c.audit(t.Context(), &stateView{snap: NewSnapshot()}) {
		require.NoError(t, err)
		out = append(out, r)
		if len(out) == n {
			break
		}
	}
	return out
}

func TestGitGuardianRead(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	people := []Person{
		{Email: "USER001@example.com", GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelManager}},
		{Email: "nobody@example.com", GitGuardian: &GitGuardianAccess{}},
		{Email: "member01@example.com", Absent: true, GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelManager}},
		{Email: "user002@example.com"}, // asks for nothing on GitGuardian
	}
	view, err := asTest(newGitGuardianConnector(c)).read(t.Context(), people, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)

	workspace := func(level models.AccessLevel) Grant {
		return Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: string(level)}
	}
	assert.Equal(t, []Record{
		{Email: invitationstest.DemoPersonEmail, Grant: workspace(models.AccessLevelMember), State: StateMember, ID: "member:1002"},
		{Email: "member01@example.com", Grant: workspace(models.AccessLevelMember), State: StateMember, ID: "member:1003"},
		{Email: invitationstest.DemoPersonEmail, Grant: workspace(models.AccessLevelMember), State: StatePending, ID: "invitation:1"},
		{Email: "user002@example.com", Grant: workspace(models.AccessLevelManager), State: StatePending, ID: "invitation:2"},
		// Someone is absent: the teams are read. The demo person's team
		// invitation (of invitation 1) is left out: they are a member.
		{Email: invitationstest.DemoPersonEmail, Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), State: StateMember, ID: "team-membership:5002"},
		{Email: "member01@example.com", Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), State: StateMember, ID: "team-membership:5004"},
		{Email: "user002@example.com", Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), State: StatePending, ID: "team-invitation:7002"},
	}, view.Have)
	assert.Equal(t, map[string][]Grant{
		"user001@example.com": {workspace(models.AccessLevelManager)},
		"nobody@example.com":  {workspace(models.AccessLevelMember)}, // no level: GitGuardian's default
	}, view.Want)
	assert.Equal(t, map[string]bool{"workspace|": true}, view.Scopes)
	assert.Empty(t, view.Problems)
	assert.Equal(t, map[string]string{"user001@example.com": "member:1002"}, view.Subjects, "what a team create would address")

	// The whole workspace once, 100 a page: 45 members on one page, 240
	// invitations on three; then the 3 teams and, for each, its
	// memberships and team invitations.
	assert.Equal(t, []invitationstest.Operation{
		invitationstest.GitGuardianListMembers,
		invitationstest.GitGuardianListInvitations, invitationstest.GitGuardianListInvitations, invitationstest.GitGuardianListInvitations,
		invitationstest.GitGuardianListTeams,
		invitationstest.GitGuardianListTeamMemberships, invitationstest.GitGuardianListTeamInvitations,
		invitationstest.GitGuardianListTeamMemberships, invitationstest.GitGuardianListTeamInvitations,
		invitationstest.GitGuardianListTeamMemberships, invitationstest.GitGuardianListTeamInvitations,
	}, loggedOps(srv))
	for _, r := range srv.Requests() {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		assert.Equal(t, "100", q.Get("per_page"), r.Operation)
	}
}

func TestGitGuardianReadRequestsDoNotGrowWithPeople(t *testing.T) {
	t.Parallel()
	// 45 demo members and 250 generated ones, 240 invitations: three pages
	// of 100 each, whoever is planned.
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData(), invitationstest.WithGeneratedMembers(250))
	c, err := srv.Client()
	require.NoError(t, err)
	conn := asTest(newGitGuardianConnector(c))
	want := []string{
		"gitguardian.ListMembers per_page=100 cursor=",
		"gitguardian.ListMembers per_page=100 cursor=cD0xMDA=", // p=100
		"gitguardian.ListMembers per_page=100 cursor=cD0yMDA=", // p=200
		"gitguardian.ListInvitations per_page=100 cursor=",
		"gitguardian.ListInvitations per_page=100 cursor=cD0xMDA=",
		"gitguardian.ListInvitations per_page=100 cursor=cD0yMDA=",
	}
	for _, n := range []int{1, 60} {
		var people []Person
		for i := range n {
			// Half members, half invitees, all wanted as managers.
			email := fmt.Sprintf("gen%06d@example.com", i+1)
			if i%2 == 1 {
				email = fmt.Sprintf("user%03d@example.com", i+1)
			}
			people = append(people, Person{Email: email, GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelManager}})
		}
		srv.ClearRequests()
		view, err := conn.read(t.Context(), people, &stateView{snap: NewSnapshot()})
		require.NoError(t, err)
		assert.Len(t, view.Have, n, "each person has one grant")
		assert.Equal(t, want, pagedRequests(t, srv, "per_page", "cursor"), "%d people", n)
	}

	// Nobody asked for a team and nobody is absent: no team was read.
	// The audit lists the same way, then the teams.
	srv.ClearRequests()
	assert.Len(t, collectAudit(t, conn, 0), 45+250+240+20+3)
	teams := []string{"gitguardian.ListTeams per_page=100 cursor="}
	for range 3 {
		teams = append(teams, "gitguardian.ListTeamMemberships per_page=100 cursor=", "gitguardian.ListTeamInvitations per_page=100 cursor=")
	}
	assert.Equal(t, append(want, teams...), pagedRequests(t, srv, "per_page", "cursor"))
}

func TestGitGuardianReadNobodyWantsIt(t *testing.T) {
	t.Parallel()
	_, c := demoFake(t)
	view, err := asTest(newGitGuardianConnector(c)).read(t.Context(), []Person{{Email: "nobody@example.com"}}, &stateView{snap: NewSnapshot()})
	require.NoError(t, err)
	assert.Empty(t, view.Have)
	assert.Empty(t, view.Want)
	assert.Empty(t, view.Scopes, "a workspace nobody asks for is no scope to prune")
}

func TestGitGuardianExecute(t *testing.T) {
	t.Parallel()
	grant := func(level models.AccessLevel) Grant {
		return Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: string(level)}
	}
	tests := []struct {
		name   string
		change Change
		wantID string
		ops    []invitationstest.Operation
		check  func(t *testing.T, ctx context.Context, c *invitations.Client)
	}{{
		name:   "create invites",
		change: Change{Action: Create, Email: "ada@example.com", Grant: grant(models.AccessLevelManager)},
		wantID: "invitation:241",
		ops:    []invitationstest.Operation{invitationstest.GitGuardianCreateInvitations},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client) {
			inv, err := c.Invitations.GetInvitation(ctx, 241)
			require.NoError(t, err)
			assert.Equal(t, "ada@example.com", inv.Email)
			assert.Equal(t, models.AccessLevelManager, inv.AccessLevel)
		},
	}, {
		name:   "update member",
		change: Change{Action: Update, Email: invitationstest.DemoPersonEmail, Grant: grant(models.AccessLevelRestricted), Target: "member:1002"},
		ops:    []invitationstest.Operation{invitationstest.GitGuardianUpdateMember},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client) {
			m, err := c.Members.GetMember(ctx, invitationstest.GitGuardianDemoMemberID)
			require.NoError(t, err)
			assert.Equal(t, models.AccessLevelRestricted, m.AccessLevel)
		},
	}, {
		name:   "update invitation replaces it",
		change: Change{Action: Update, Email: "user002@example.com", Grant: grant(models.AccessLevelRestricted), Target: "invitation:2"},
		wantID: "invitation:241",
		ops:    []invitationstest.Operation{invitationstest.GitGuardianDeleteInvitation, invitationstest.GitGuardianCreateInvitations},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client) {
			_, err := c.Invitations.GetInvitation(ctx, 2)
			assert.ErrorIs(t, err, invitations.ErrNotFound)
			inv, err := c.Invitations.GetInvitation(ctx, 241)
			require.NoError(t, err)
			assert.Equal(t, "user002@example.com", inv.Email)
			assert.Equal(t, models.AccessLevelRestricted, inv.AccessLevel)
		},
	}, {
		name:   "update of an invitation already gone still invites",
		change: Change{Action: Update, Email: "ada@example.com", Grant: grant(models.AccessLevelMember), Target: "invitation:999"},
		wantID: "invitation:241",
		ops:    []invitationstest.Operation{invitationstest.GitGuardianDeleteInvitation, invitationstest.GitGuardianCreateInvitations},
	}, {
		name:   "remove member",
		change: Change{Action: Remove, Email: invitationstest.DemoPersonEmail, Grant: grant(models.AccessLevelMember), Target: "member:1002"},
		ops:    []invitationstest.Operation{invitationstest.GitGuardianDeleteMember},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client) {
			_, err := c.Members.GetMember(ctx, invitationstest.GitGuardianDemoMemberID)
			assert.ErrorIs(t, err, invitations.ErrNotFound)
			_, err = c.Invitations.GetInvitation(ctx, 1)
			assert.NoError(t, err, "the member's id is not taken for an invitation's")
		},
	}, {
		name:   "remove invitation",
		change: Change{Action: Remove, Email: invitationstest.DemoPersonEmail, Grant: grant(models.AccessLevelMember), Target: "invitation:1"},
		ops:    []invitationstest.Operation{invitationstest.GitGuardianDeleteInvitation},
		check: func(t *testing.T, ctx context.Context, c *invitations.Client) {
			_, err := c.Invitations.GetInvitation(ctx, 1)
			assert.ErrorIs(t, err, invitations.ErrNotFound)
			_, err = c.Members.GetMember(ctx, invitationstest.GitGuardianDemoMemberID)
			assert.NoError(t, err)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := demoFake(t)
			id, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), tt.change, &stateView{snap: NewSnapshot()})
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, id)
			assert.Equal(t, tt.ops, loggedOps(srv))
			if tt.check != nil {
				tt.check(t, t.Context(), c)
			}
		})
	}
}

func TestGitGuardianExecuteErrorsAsTheSDKGivesThem(t *testing.T) {
	t.Parallel()
	st := &stateView{snap: NewSnapshot()}
	grant := Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: string(models.AccessLevelMember)}

	t.Run("already in the workspace", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), Change{Action: Create, Email: "member01@example.com", Grant: grant}, st)
		var apiErr *invitations.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 200, apiErr.StatusCode)
	})
	t.Run("pending invitation", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), Change{Action: Create, Email: "user002@example.com", Grant: grant}, st)
		assert.ErrorIs(t, err, invitations.ErrConflict)
	})
	t.Run("removal of something gone", func(t *testing.T) {
		t.Parallel()
		_, c := demoFake(t)
		_, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), Change{Action: Remove, Email: "x@example.com", Grant: grant, Target: "member:9999"}, st)
		assert.ErrorIs(t, err, invitations.ErrNotFound)
	})
	t.Run("replacement stops when the delete is in doubt", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		srv.Inject(invitationstest.Fault{Operation: invitationstest.GitGuardianDeleteInvitation, Status: 503, RetryAfter: "0", Times: -1})
		_, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), Change{Action: Update, Email: "user002@example.com", Grant: grant, Target: "invitation:2"}, st)
		assert.ErrorIs(t, err, invitations.ErrOutcomeUnknown)
		assert.Zero(t, srv.RequestCount(invitationstest.GitGuardianCreateInvitations), "no second invitation while the first may still be there")
	})
	t.Run("bad target", func(t *testing.T) {
		t.Parallel()
		srv, c := demoFake(t)
		for _, target := range []string{"", "1002", "member:", "member:x", "invitation:-1", "identity:1"} {
			_, err := asTest(newGitGuardianConnector(c)).execute(t.Context(), Change{Action: Remove, Email: "x@example.com", Grant: grant, Target: target}, st)
			assert.ErrorContains(t, err, "is not one of member:<id>, invitation:<id>, deactivate-member:<id>", target)
		}
		assert.Empty(t, srv.Requests())
	})
}

func TestGitGuardianAudit(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	recs := collectAudit(t, asTest(newGitGuardianConnector(c)), 0)
	require.Len(t, recs, 45+240+20+3)
	assert.Equal(t, Record{Email: "owner@example.com", Grant: Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: "owner"}, State: StateMember, ID: "member:1001"}, recs[0])
	for _, r := range recs[:45] {
		assert.Contains(t, []State{StateMember, StateInactive}, r.State, r.ID)
		assert.True(t, strings.HasPrefix(r.ID, "member:"), r.ID)
	}
	for _, r := range recs[45:285] {
		assert.Equal(t, StatePending, r.State, r.ID)
	}
	assert.Equal(t, "invitation:240", recs[284].ID)
	assert.Equal(t, 1, srv.RequestCount(invitationstest.GitGuardianListMembers))
	assert.Equal(t, 3, srv.RequestCount(invitationstest.GitGuardianListInvitations))
}

func TestGitGuardianAuditIsLazy(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	conn := asTest(newGitGuardianConnector(c))
	seq := conn.audit(t.Context(), &stateView{snap: NewSnapshot()})
	assert.Empty(t, srv.Requests(), "nothing is asked before the loop")
	for range seq {
		break
	}
	assert.Equal(t, []invitationstest.Operation{invitationstest.GitGuardianListMembers}, loggedOps(srv))

	srv.ClearRequests()
	recs := collectAudit(t, conn, 50) // the 45 members and the first invitations
	assert.Equal(t, "invitation:5", recs[49].ID)
	assert.Equal(t, []invitationstest.Operation{invitationstest.GitGuardianListMembers, invitationstest.GitGuardianListInvitations}, loggedOps(srv))
}

func TestGitGuardianAuditStopsAtAnError(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.GitGuardianListInvitations, Status: 403})
	var n int
	var errs []error
	for r, err := range asTest(newGitGuardianConnector(c)).audit(t.Context(), &stateView{snap: NewSnapshot()}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		_ = r
	}
	assert.Equal(t, 45, n)
	require.Len(t, errs, 1)
	assert.True(t, errors.Is(errs[0], invitations.ErrForbidden), errs[0])
}
