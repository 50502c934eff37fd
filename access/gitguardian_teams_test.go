package access

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// The demo workspace's teams (fake/gitguardian_teams.go): the demo person
// (member 1002, also invited as invitation 1) is in the Demo Team as
// membership 5002, and invitation 1 is in it as team invitation 7001;
// invitation 2 (user002, manager) is in it as team invitation 7002.
const (
	ggDemoTeam     = "2002"
	ggPlatformTeam = "2003"
)

// ggManager is a Manager of GitGuardian alone over the demo fake.
func ggManager(t *testing.T, opts ...Option) (*invitationstest.TestServer, *Manager) {
	t.Helper()
	srv, c := demoFake(t)
	m, err := New(c, NewFileStore(filepath.Join(t.TempDir(), "state.json")), append([]Option{WithVendors(invitations.GitGuardian)}, opts...)...)
	require.NoError(t, err)
	return srv, m
}

// ggWrites describes the writes the fake received, oldest first, as
// "METHOD path body".
func ggWrites(srv *invitationstest.TestServer) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet {
			continue
		}
		line := r.Method + " " + strings.TrimPrefix(r.Path, "/gitguardian")
		if len(r.Body) > 0 {
			line += " " + string(r.Body)
		}
		out = append(out, line)
	}
	return out
}

// planLines describes a plan's changes as "action target key level".
func planLines(p *Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, strings.Join([]string{string(c.Action), c.Target, c.Key(), c.Grant.Level}, " "))
	}
	return out
}

func teamGrant(id, name string, p models.TeamPermission) Grant {
	return Grant{Vendor: invitations.GitGuardian, Kind: KindTeam, Scope: id, ScopeName: name, Level: string(p)}
}

func TestGitGuardianTeamsPlanAndApply(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t)
	people := []Person{
		{Email: invitationstest.DemoPersonEmail, GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []GitGuardianTeam{
			{Team: "demo team", Permission: models.TeamPermissionCanManage}, // names match without case
			{Team: "Platform"},
			{Team: "Nope"},
		}}},
		{Email: "user002@example.com", GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelManager, Teams: []GitGuardianTeam{
			{Team: "Demo Team", Permission: models.TeamPermissionCanManage},
			{Team: "Platform"},
		}}},
	}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, []Problem{{Email: invitationstest.DemoPersonEmail, Vendor: invitations.GitGuardian,
		Field: "people[0].GitGuardian.Teams[2].Team", Reason: `GitGuardian has no team named "Nope"`}}, plan.Problems)
	// The demo person is a member: their team access is team
	// memberships, the team invitation of their old pending invitation
	// stands for nothing. user002 is only invited: team invitations.
	assert.Equal(t, []string{
		"update team-membership:5002 gitguardian|team|2002|user001@example.com can_manage",
		"create member:1002 gitguardian|team|2003|user001@example.com cannot_manage",
		"update team-invitation:7002 gitguardian|team|2002|user002@example.com can_manage",
		"create invitation:2 gitguardian|team|2003|user002@example.com cannot_manage",
	}, planLines(plan))
	for _, c := range plan.Changes {
		assert.Empty(t, c.Note, "a team permission is patched, not re-invited: %s", c.Key())
	}
	require.Len(t, plan.Changes, 4)
	assert.Equal(t, "Demo Team", plan.Changes[0].Grant.ScopeName)
	assert.Equal(t, "cannot_manage", plan.Changes[0].From.Level)

	srv.ClearRequests()
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Key(), r.Err)
	}
	assert.Equal(t, []string{
		`PATCH /v1/teams/2002/team_memberships/5002 {"team_permission":"can_manage"}`,
		`POST /v1/teams/2003/team_memberships {"member_id":1002,"team_permission":"cannot_manage"}`,
		`PATCH /v1/teams/2002/team_invitations/7002 {"team_permission":"can_manage"}`,
		`POST /v1/teams/2003/team_invitations {"invitation_id":2,"team_permission":"cannot_manage"}`,
	}, ggSorted(ggWrites(srv)))

	plan, err = m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "re-run: nothing left")
}

// ggSorted sorts writes by person as the fake's ids show them: the
// engine runs two people's changes at once, each person's in order.
func ggSorted(writes []string) []string {
	var first, second []string
	for _, w := range writes {
		if strings.Contains(w, `"invitation_id":2`) || strings.Contains(w, "team_invitations/7002") {
			second = append(second, w)
		} else {
			first = append(first, w)
		}
	}
	return append(first, second...)
}

func TestGitGuardianTeamsOfANewPerson(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t)
	people := []Person{{Email: "ada@example.com", GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []GitGuardianTeam{{Team: "Platform", Permission: models.TeamPermissionCanManage}}}}}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"create  gitguardian|workspace||ada@example.com member",
		"create  gitguardian|team|2003|ada@example.com can_manage",
	}, planLines(plan), "the invitation first; the team invitation finds it when it runs")

	srv.ClearRequests()
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	for _, r := range results {
		assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Key(), r.Err)
	}
	assert.Equal(t, []string{
		`POST /v1/invitations {"email":"ada@example.com","access_level":"member"}`,
		`POST /v1/teams/2003/team_invitations {"invitation_id":241,"team_permission":"can_manage"}`,
	}, ggWrites(srv))

	plan, err = m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes)
}

func TestGitGuardianReinviteCarriesTheTeams(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t)
	// user002 is invited as manager, in the Demo Team; deleting the
	// invitation to invite them as member takes them out of it.
	people := []Person{{Email: "user002@example.com", GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []GitGuardianTeam{{Team: "Demo Team"}}}}}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"update invitation:2 gitguardian|workspace||user002@example.com member",
		"create  gitguardian|team|2002|user002@example.com cannot_manage",
	}, planLines(plan))

	srv.ClearRequests()
	_, err = m.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"DELETE /v1/invitations/2",
		`POST /v1/invitations {"email":"user002@example.com","access_level":"member"}`,
		`POST /v1/teams/2002/team_invitations {"invitation_id":241,"team_permission":"cannot_manage"}`,
	}, ggWrites(srv))
	plan, err = m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes)
}

func TestGitGuardianTeamCreateNeedsTheInvitation(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t)
	people := []Person{{Email: "ada@example.com", GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []GitGuardianTeam{{Team: "Platform"}}}}}
	plan, err := m.Plan(t.Context(), people, PlanOptions{})
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.GitGuardianCreateInvitations, Status: 403})
	srv.ClearRequests()
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	require.Len(t, results, 2)
	assert.Equal(t, Failed, results[0].Outcome)
	assert.Equal(t, Skipped, results[1].Outcome)
	assert.ErrorContains(t, results[1].Err, "not sent")
	assert.Zero(t, srv.RequestCount(invitationstest.GitGuardianCreateTeamInvitations))
	assert.Zero(t, srv.RequestCount(invitationstest.GitGuardianListInvitations), "no search for an invitation that was not made")
}

func TestGitGuardianOffboard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		opts   []Option
		plan   PlanOptions
		member string // the member's removal: target and write
		write  string
		active bool // whether the member is still there, inactive
	}{
		{name: "remove by default", member: "member:1002", write: "DELETE /v1/members/1002"},
		{name: "remove", plan: PlanOptions{Offboarding: []OffboardingPolicy{GitGuardianOffboarding{Member: GitGuardianMemberRemove}}},
			member: "member:1002", write: "DELETE /v1/members/1002"},
		{name: "deactivate", opts: []Option{WithOffboarding(GitGuardianOffboarding{Member: GitGuardianMemberDeactivate})},
			member: "deactivate-member:1002", write: `PATCH /v1/members/1002 {"active":false}`, active: true},
		{name: "the plan's policy wins", opts: []Option{WithOffboarding(GitGuardianOffboarding{Member: GitGuardianMemberRemove})},
			plan:   PlanOptions{Offboarding: []OffboardingPolicy{&GitGuardianOffboarding{Member: GitGuardianMemberDeactivate}}},
			member: "deactivate-member:1002", write: `PATCH /v1/members/1002 {"active":false}`, active: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, m := ggManager(t, tt.opts...)
			c, err := srv.Client()
			require.NoError(t, err)
			people := []Person{{Email: invitationstest.DemoPersonEmail, Absent: true}}
			plan, err := m.Plan(t.Context(), people, tt.plan)
			require.NoError(t, err)
			// Teams first, then the member, then the invitation.
			assert.Equal(t, []string{
				"remove team-membership:5002 gitguardian|team|2002|user001@example.com cannot_manage",
				"remove team-invitation:7001 gitguardian|team|2002|user001@example.com cannot_manage",
				"remove " + tt.member + " gitguardian|workspace||user001@example.com member",
				"remove invitation:1 gitguardian|workspace||user001@example.com member",
			}, planLines(plan))

			srv.ClearRequests()
			results, err := m.Apply(t.Context(), plan)
			require.NoError(t, err)
			for _, r := range results {
				assert.Equal(t, Done, r.Outcome, "%s: %v", r.Change.Target, r.Err)
			}
			assert.Equal(t, []string{
				"DELETE /v1/teams/2002/team_memberships/5002",
				"DELETE /v1/teams/2002/team_invitations/7001",
				tt.write,
				"DELETE /v1/invitations/1",
			}, ggWrites(srv))

			mem, err := c.Members.GetMember(t.Context(), invitationstest.GitGuardianDemoMemberID)
			if tt.active {
				require.NoError(t, err)
				assert.False(t, mem.Active)
				var teams int
				for _, err := range c.Teams.ListMemberTeamMemberships(t.Context(), mem.ID, nil).All() {
					require.NoError(t, err)
					teams++
				}
				assert.Zero(t, teams, "a deactivated member keeps no team")
			} else {
				assert.ErrorIs(t, err, invitations.ErrNotFound)
			}

			srv.ClearRequests()
			again, err := m.Plan(t.Context(), people, tt.plan)
			require.NoError(t, err)
			assert.Empty(t, again.Changes, "nothing left")
			_, err = m.Apply(t.Context(), again)
			require.NoError(t, err)
			assert.Empty(t, ggWrites(srv), "a second offboard sends no write")
		})
	}
}

func TestGitGuardianOffboardKeepsGoingPastATeam(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t, WithOffboarding(GitGuardianOffboarding{Member: GitGuardianMemberDeactivate}))
	plan, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.GitGuardianDeleteTeamMembership, Status: 403})
	results, err := m.Apply(t.Context(), plan)
	require.NoError(t, err)
	var outcomes []Outcome
	for _, r := range results {
		outcomes = append(outcomes, r.Outcome)
	}
	assert.Equal(t, []Outcome{Failed, Done, Done, Done}, outcomes, "the member is deactivated even when a team removal failed")

	// The next offboard plans what failed, and only that.
	plan, err = m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	require.NoError(t, err)
	assert.Equal(t, []string{"remove team-membership:5002 gitguardian|team|2002|user001@example.com cannot_manage"}, planLines(plan))
}

func TestGitGuardianOffboardingPolicyMustBeKnown(t *testing.T) {
	t.Parallel()
	srv, m := ggManager(t, WithOffboarding(GitGuardianOffboarding{Member: "archive"}))
	_, err := m.Offboard(t.Context(), invitationstest.DemoPersonEmail)
	var inv *InvalidPersonError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, &InvalidPersonError{Field: "offboarding.gitguardian.member", Reason: `"archive": must be remove or deactivate`}, inv)
	assert.Empty(t, srv.Requests(), "refused before any read")
}

func TestGitGuardianTeamOutcomes(t *testing.T) {
	t.Parallel()
	_, c := demoFake(t)
	conn := newGitGuardianConnector(c)
	st := &stateView{snap: NewSnapshot()}
	cl := conn.(Classifier)

	// Already in the team: 409, already done.
	ch := Change{Action: Create, Email: invitationstest.DemoPersonEmail, Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), Target: "member:1002"}
	_, err := asTest(conn).execute(t.Context(), ch, st)
	require.ErrorIs(t, err, invitations.ErrConflict)
	assert.Equal(t, AlreadyDone, cl.Classify(ch, err))
	// A conflict on a workspace create is no such answer.
	assert.Equal(t, Outcome(""), cl.Classify(Change{Action: Create, Grant: ggGrant(models.AccessLevelMember)}, err))

	// A team membership gone: 404, which the engine counts as done.
	ch = Change{Action: Remove, Email: invitationstest.DemoPersonEmail, Grant: ch.Grant, Target: "team-membership:9999"}
	_, err = asTest(conn).execute(t.Context(), ch, st)
	assert.ErrorIs(t, err, invitations.ErrNotFound)

	// A team change addresses a team object; anything else is refused
	// before a request.
	for _, target := range []string{"member:1002", "team-membership:", "invitation:1"} {
		_, err = asTest(conn).execute(t.Context(), Change{Action: Update, Email: "x@example.com", Grant: ch.Grant, Target: target}, st)
		assert.ErrorContains(t, err, "is not one of team-membership:<id>, team-invitation:<id>", target)
	}
	_, err = asTest(conn).execute(t.Context(), Change{Action: Remove, Email: "x@example.com", Grant: teamGrant("x", "", ""), Target: "team-membership:1"}, st)
	assert.ErrorContains(t, err, "not a team id")
}

func TestGitGuardianAuditReadsTeams(t *testing.T) {
	t.Parallel()
	srv, c := demoFake(t)
	recs := collectAudit(t, asTest(newGitGuardianConnector(c)), 0)
	// 45 members, 240 invitations, then 20 team memberships and 3 team
	// invitations in 3 teams.
	require.Len(t, recs, 45+240+20+3)
	var demo []Record
	for _, r := range recs[285:] {
		if r.Email == invitationstest.DemoPersonEmail {
			demo = append(demo, r)
		}
	}
	assert.Equal(t, []Record{
		{Email: invitationstest.DemoPersonEmail, Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), State: StateMember, ID: "team-membership:5002"},
		{Email: invitationstest.DemoPersonEmail, Grant: teamGrant(ggDemoTeam, "Demo Team", models.TeamPermissionCannotManage), State: StatePending, ID: "team-invitation:7001"},
	}, demo)
	leaders := 0
	for _, r := range recs[285:] {
		if r.Grant.Level == string(models.TeamPermissionCanManage) {
			leaders++
		}
	}
	assert.Equal(t, 4, leaders, "the owner leads two teams, a member leads Platform, invitation 3 will")
	assert.Equal(t, 1, srv.RequestCount(invitationstest.GitGuardianListTeams))
	assert.Equal(t, 3, srv.RequestCount(invitationstest.GitGuardianListTeamMemberships))
	assert.Equal(t, 3, srv.RequestCount(invitationstest.GitGuardianListTeamInvitations))

	// A deactivated member reads as inactive.
	inactive := 0
	for _, r := range recs[:45] {
		if r.State == StateInactive {
			inactive++
		}
	}
	assert.Equal(t, 4, inactive, "the demo data's members 9, 18, 27 and 36 are inactive")
}

// ggJSON is v as JSON, for a plan's change as a plan file keeps it.
func ggJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestGitGuardianTeamChangeInJSON(t *testing.T) {
	t.Parallel()
	_, m := ggManager(t)
	plan, err := m.Plan(t.Context(), []Person{{Email: invitationstest.DemoPersonEmail, GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []GitGuardianTeam{{Team: "Platform", Permission: models.TeamPermissionCanManage}}}}}, PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Changes, 1)
	assert.JSONEq(t, `{"action":"create","email":"user001@example.com","target":"member:1002",
		"grant":{"vendor":"gitguardian","kind":"team","scope":"2003","scope_name":"Platform","level":"can_manage","users":null},
		"reason":"user001@example.com should have gitguardian team 2003 (can_manage)"}`, ggJSON(t, plan.Changes[0]))
}
