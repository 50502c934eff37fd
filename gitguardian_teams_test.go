package invitations

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// Teams, memberships and team invitations as GitGuardian sends them
// (py-gitguardian's recorded traffic: tests/cassettes/test_global_team.yaml,
// test_create_team.yaml, test_create_team_member_parameters.yaml and
// test_create_team_invitation.yaml).
const (
	ggGlobalTeamJSON = `{"id":6,"is_global":true,"name":"All incidents","description":null,` +
		`"gitguardian_url":"http://localhost:3000/workspace/6/settings/user/teams/6"}`
	ggTeamJSON = `{"id":21,"is_global":false,"name":"PyGitGuardian team","description":"",` +
		`"gitguardian_url":"http://localhost:3000/workspace/6/settings/user/teams/21"}`
	ggTeamMembershipJSON = `{"id":29,"team_id":19,"member_id":17,"is_team_leader":false,` +
		`"team_permission":"cannot_manage","incident_permission":"can_view"}`
	ggTeamInvitationJSON = `{"id":52456,"team_id":799237,"invitation_id":25184,"is_team_leader":true,` +
		`"team_permission":"can_manage","incident_permission":"can_view"}`
)

func wantGGTeam21() models.Team {
	empty := ""
	return models.Team{ID: 21, Name: "PyGitGuardian team", Description: &empty,
		GitGuardianURL: "http://localhost:3000/workspace/6/settings/user/teams/21"}
}

func wantGGTeamMembership29() models.TeamMembership {
	return models.TeamMembership{ID: 29, TeamID: 19, MemberID: 17, TeamPermission: models.TeamPermissionCannotManage,
		IncidentPermission: models.IncidentPermissionCanView}
}

func TestTeamsListTeamsSendsFiltersAndFollowsLinkCursor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/teams",
		jsonReply(200, `[`+ggGlobalTeamJSON+`]`,
			"Link", `<http://api.gitguardian.com/v1/teams?cursor=cD0xNTA%3D>; rel="next",<http://api.gitguardian.com/v1/teams?cursor=cD0x>; rel="prev"`),
		jsonReply(200, `[`+ggTeamJSON+`]`, "Link", ""),
	)
	no := false
	got, err := env.client.Teams.ListTeams(t.Context(), &ListTeamsOptions{PerPage: 1, IsGlobal: &no, Search: "team"}).Collect(0)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v1/teams", reqs[0].Path)
	assert.Equal(t, "is_global=false&per_page=1&search=team", reqs[0].Query, "a false IsGlobal is sent, not dropped")
	assert.Equal(t, "cursor=cD0xNTA%3D&is_global=false&per_page=1&search=team", reqs[1].Query)
	assertCommonHeaders(t, reqs[0], ggAuth)
	assert.Empty(t, reqs[0].Body)

	require.Len(t, got, 2)
	assert.Equal(t, models.Team{ID: 6, Name: "All incidents", IsGlobal: true,
		GitGuardianURL: "http://localhost:3000/workspace/6/settings/user/teams/6"}, got[0], "a null description is nil")
	assert.Equal(t, wantGGTeam21(), got[1])
}

func TestTeamsCreateGetUpdateDeleteTeam(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	create := env.route(http.MethodPost, testGitGuardianBase+"/v1/teams", jsonReply(201, ggTeamJSON))
	get := env.route(http.MethodGet, testGitGuardianBase+"/v1/teams/21", jsonReply(200, ggTeamJSON))
	update := env.route(http.MethodPatch, testGitGuardianBase+"/v1/teams/21",
		jsonReply(200, `{"id":21,"is_global":false,"name":"New","description":"New description","gitguardian_url":"u"}`))
	remove := env.route(http.MethodDelete, testGitGuardianBase+"/v1/teams/21", jsonReply(204, ""))

	team, err := env.client.Teams.CreateTeams(t.Context(), &models.CreateTeamsRequest{Name: "PyGitGuardian team"})
	require.NoError(t, err)
	assert.Equal(t, wantGGTeam21(), *team)
	req := create.only(t)
	assert.Empty(t, req.Query)
	assert.JSONEq(t, `{"name":"PyGitGuardian team"}`, string(req.Body), "an empty description is not sent")
	assertCommonHeaders(t, req, ggAuth)

	team, err = env.client.Teams.GetTeam(t.Context(), 21)
	require.NoError(t, err)
	assert.Equal(t, wantGGTeam21(), *team)
	assert.Empty(t, get.only(t).Body)

	name, desc := "New", "New description"
	team, err = env.client.Teams.UpdateTeam(t.Context(), 21, &models.UpdateTeamRequest{Name: &name, Description: &desc})
	require.NoError(t, err)
	assert.Equal(t, "New", team.Name)
	require.NotNil(t, team.Description)
	assert.Equal(t, "New description", *team.Description)
	// The body py-gitguardian sends in test_update_team.yaml.
	assert.JSONEq(t, `{"name":"New","description":"New description"}`, string(update.only(t).Body))

	require.NoError(t, env.client.Teams.DeleteTeam(t.Context(), 21))
	req = remove.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Empty(t, req.Body)
}

func TestTeamsUpdateTeamClearsDescription(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPatch, testGitGuardianBase+"/v1/teams/21", jsonReply(200, ggTeamJSON))
	empty := ""
	_, err := env.client.Teams.UpdateTeam(t.Context(), 21, &models.UpdateTeamRequest{Description: &empty})
	require.NoError(t, err)
	assert.JSONEq(t, `{"description":""}`, string(rec.only(t).Body))
}

func TestTeamsTeamMemberships(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	list := env.route(http.MethodGet, testGitGuardianBase+"/v1/teams/19/team_memberships", jsonReply(200, `[`+ggTeamMembershipJSON+`]`, "Link", ""))
	create := env.route(http.MethodPost, testGitGuardianBase+"/v1/teams/19/team_memberships", jsonReply(201, ggTeamMembershipJSON))
	update := env.route(http.MethodPatch, testGitGuardianBase+"/v1/teams/19/team_memberships/29",
		jsonReply(200, `{"id":29,"team_id":19,"member_id":17,"is_team_leader":true,"team_permission":"can_manage","incident_permission":"full_access"}`))
	remove := env.route(http.MethodDelete, testGitGuardianBase+"/v1/teams/19/team_memberships/29", jsonReply(204, ""))
	byMember := env.route(http.MethodGet, testGitGuardianBase+"/v1/members/17/team_memberships", jsonReply(200, `[`+ggTeamMembershipJSON+`]`, "Link", ""))

	no := false
	got, err := env.client.Teams.ListTeamMemberships(t.Context(), 19, &ListTeamMembershipsOptions{
		PerPage: 50, MemberID: 17, TeamPermission: models.TeamPermissionCannotManage, IsTeamLeader: &no,
		IncidentPermission: models.IncidentPermissionCanView,
	}).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []models.TeamMembership{wantGGTeamMembership29()}, got)
	assert.Equal(t, "incident_permission=can_view&is_team_leader=false&member_id=17&per_page=50&team_permission=cannot_manage", list.only(t).Query)

	m, err := env.client.Teams.CreateTeamMembership(t.Context(), 19,
		&models.CreateTeamMembershipRequest{MemberID: 17, IsTeamLeader: &no, IncidentPermission: models.IncidentPermissionCanView},
		&CreateTeamMembershipOptions{SendEmail: &no})
	require.NoError(t, err)
	assert.Equal(t, wantGGTeamMembership29(), *m)
	req := create.only(t)
	assert.Equal(t, "send_email=false", req.Query)
	// The request py-gitguardian sends in test_create_team_member_parameters.yaml.
	assert.JSONEq(t, `{"member_id":17,"is_team_leader":false,"incident_permission":"can_view"}`, string(req.Body))

	m, err = env.client.Teams.UpdateTeamMembership(t.Context(), 19, 29,
		&models.UpdateTeamMembershipRequest{TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionFullAccess})
	require.NoError(t, err)
	assert.True(t, m.IsTeamLeader)
	assert.Equal(t, models.TeamPermissionCanManage, m.TeamPermission)
	assert.JSONEq(t, `{"team_permission":"can_manage","incident_permission":"full_access"}`, string(update.only(t).Body))

	require.NoError(t, env.client.Teams.DeleteTeamMembership(t.Context(), 19, 29))
	assert.Empty(t, remove.only(t).Body)

	got, err = env.client.Teams.ListMemberTeamMemberships(t.Context(), 17, &ListMemberTeamMembershipsOptions{TeamID: 19}).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []models.TeamMembership{wantGGTeamMembership29()}, got)
	req = byMember.only(t)
	assert.Equal(t, "/v1/members/17/team_memberships", req.Path)
	assert.Equal(t, "team_id=19", req.Query)
	assertCommonHeaders(t, req, ggAuth)
}

func TestTeamsTeamInvitations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	list := env.route(http.MethodGet, testGitGuardianBase+"/v1/teams/799237/team_invitations", jsonReply(200, `[`+ggTeamInvitationJSON+`]`, "Link", ""))
	create := env.route(http.MethodPost, testGitGuardianBase+"/v1/teams/799237/team_invitations", jsonReply(201, ggTeamInvitationJSON))
	update := env.route(http.MethodPatch, testGitGuardianBase+"/v1/teams/799237/team_invitations/52456", jsonReply(200, ggTeamInvitationJSON))
	remove := env.route(http.MethodDelete, testGitGuardianBase+"/v1/teams/799237/team_invitations/52456", jsonReply(204, ""))
	want := models.TeamInvitation{ID: 52456, TeamID: 799237, InvitationID: 25184, IsTeamLeader: true,
		TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionCanView}

	got, err := env.client.Teams.ListTeamInvitations(t.Context(), 799237, &ListTeamInvitationsOptions{
		InvitationID: 25184, TeamPermission: models.TeamPermissionCanManage, IncidentPermission: models.IncidentPermissionCanView,
	}).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []models.TeamInvitation{want}, got)
	assert.Equal(t, "incident_permission=can_view&invitation_id=25184&team_permission=can_manage", list.only(t).Query)

	yes := true
	ti, err := env.client.Teams.CreateTeamInvitations(t.Context(), 799237,
		&models.CreateTeamInvitationsRequest{InvitationID: 25184, IsTeamLeader: &yes, IncidentPermission: models.IncidentPermissionCanView})
	require.NoError(t, err)
	assert.Equal(t, want, *ti)
	req := create.only(t)
	assert.Empty(t, req.Query)
	// The request py-gitguardian sends in test_create_team_invitation.yaml.
	assert.JSONEq(t, `{"invitation_id":25184,"is_team_leader":true,"incident_permission":"can_view"}`, string(req.Body))

	ti, err = env.client.Teams.UpdateTeamInvitation(t.Context(), 799237, 52456, &models.UpdateTeamInvitationRequest{TeamPermission: models.TeamPermissionCanManage})
	require.NoError(t, err)
	assert.Equal(t, want, *ti)
	assert.JSONEq(t, `{"team_permission":"can_manage"}`, string(update.only(t).Body))

	require.NoError(t, env.client.Teams.DeleteTeamInvitation(t.Context(), 799237, 52456))
	assert.Equal(t, http.MethodDelete, remove.only(t).Method)
}

func TestTeamsErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testGitGuardianBase+"/v1/teams/404", jsonReply(404, `{"detail":"Not found."}`))
	env.route(http.MethodPost, testGitGuardianBase+"/v1/teams", jsonReply(409, `{"detail":"Request conflicts with existing data."}`))
	env.route(http.MethodPost, testGitGuardianBase+"/v1/teams/19/team_memberships", jsonReply(400, `{"member_id":["Invalid pk \"9\" - object does not exist."]}`))
	env.route(http.MethodDelete, testGitGuardianBase+"/v1/teams/19/team_invitations/404", jsonReply(404, `{"detail":"Not found."}`))

	_, err := env.client.Teams.GetTeam(t.Context(), 404)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Not found.", apiErr.Message)

	_, err = env.client.Teams.CreateTeams(t.Context(), &models.CreateTeamsRequest{Name: "Taken"})
	require.ErrorIs(t, err, ErrConflict)

	_, err = env.client.Teams.CreateTeamMembership(t.Context(), 19, &models.CreateTeamMembershipRequest{MemberID: 9}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)

	require.ErrorIs(t, env.client.Teams.DeleteTeamInvitation(t.Context(), 19, 404), ErrNotFound)
}

// Creates are not repeated after a server error (a team or a membership
// would be made twice); updates and deletes are.
func TestTeamsRetryClasses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		call               func(c *Client, t *testing.T) error
		sends              int
	}{
		{"create team", http.MethodPost, "/v1/teams", func(c *Client, t *testing.T) error {
			_, err := c.Teams.CreateTeams(t.Context(), &models.CreateTeamsRequest{Name: "A"})
			return err
		}, 1},
		{"create membership", http.MethodPost, "/v1/teams/19/team_memberships", func(c *Client, t *testing.T) error {
			_, err := c.Teams.CreateTeamMembership(t.Context(), 19, &models.CreateTeamMembershipRequest{MemberID: 17}, nil)
			return err
		}, 1},
		{"create team invitation", http.MethodPost, "/v1/teams/19/team_invitations", func(c *Client, t *testing.T) error {
			_, err := c.Teams.CreateTeamInvitations(t.Context(), 19, &models.CreateTeamInvitationsRequest{InvitationID: 3})
			return err
		}, 1},
		{"update membership", http.MethodPatch, "/v1/teams/19/team_memberships/29", func(c *Client, t *testing.T) error {
			_, err := c.Teams.UpdateTeamMembership(t.Context(), 19, 29, &models.UpdateTeamMembershipRequest{IncidentPermission: models.IncidentPermissionCanEdit})
			return err
		}, 3},
		{"delete team", http.MethodDelete, "/v1/teams/21", func(c *Client, t *testing.T) error {
			return c.Teams.DeleteTeam(t.Context(), 21)
		}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxRetries(2))
			rec := env.route(tc.method, testGitGuardianBase+tc.path, jsonReply(503, `{"detail":"API under scheduled maintenance."}`, "X-Maintenance", "true"))
			var apiErr *APIError
			require.ErrorAs(t, tc.call(env.client, t), &apiErr)
			assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
			assert.Equal(t, tc.sends, rec.count())
		})
	}
}

func TestTeamsValidateBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	yes, blank := true, " "
	ctx := t.Context()
	cases := []struct {
		name  string
		call  func() error
		param string
	}{
		{"list per_page 101", func() error {
			_, err := env.client.Teams.ListTeams(ctx, &ListTeamsOptions{PerPage: 101}).Collect(0)
			return err
		}, "PerPage"},
		{"create nil body", func() error { _, err := env.client.Teams.CreateTeams(ctx, nil); return err }, "body"},
		{"create without name", func() error {
			_, err := env.client.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Description: "d"})
			return err
		}, "body.Name"},
		{"create with a control character", func() error {
			_, err := env.client.Teams.CreateTeams(ctx, &models.CreateTeamsRequest{Name: "a", Description: "x\ny"})
			return err
		}, "body.Description"},
		{"get team 0", func() error { _, err := env.client.Teams.GetTeam(ctx, 0); return err }, "teamID"},
		{"update empty body", func() error {
			_, err := env.client.Teams.UpdateTeam(ctx, 21, &models.UpdateTeamRequest{})
			return err
		}, "body"},
		{"update blank name", func() error {
			_, err := env.client.Teams.UpdateTeam(ctx, 21, &models.UpdateTeamRequest{Name: &blank})
			return err
		}, "body.Name"},
		{"delete team -1", func() error { return env.client.Teams.DeleteTeam(ctx, -1) }, "teamID"},
		{"memberships of team 0", func() error {
			_, err := env.client.Teams.ListTeamMemberships(ctx, 0, nil).Collect(0)
			return err
		}, "teamID"},
		{"memberships member filter negative", func() error {
			_, err := env.client.Teams.ListTeamMemberships(ctx, 19, &ListTeamMembershipsOptions{MemberID: -2}).Collect(0)
			return err
		}, "MemberID"},
		{"membership without member", func() error {
			_, err := env.client.Teams.CreateTeamMembership(ctx, 19, &models.CreateTeamMembershipRequest{}, nil)
			return err
		}, "body.MemberID"},
		{"membership with contradicting leadership", func() error {
			_, err := env.client.Teams.CreateTeamMembership(ctx, 19, &models.CreateTeamMembershipRequest{
				MemberID: 17, TeamPermission: models.TeamPermissionCannotManage, IsTeamLeader: &yes}, nil)
			return err
		}, "body.IsTeamLeader"},
		{"update membership 0", func() error {
			_, err := env.client.Teams.UpdateTeamMembership(ctx, 19, 0, &models.UpdateTeamMembershipRequest{IncidentPermission: models.IncidentPermissionCanEdit})
			return err
		}, "teamMembershipID"},
		{"update membership with nothing", func() error {
			_, err := env.client.Teams.UpdateTeamMembership(ctx, 19, 29, &models.UpdateTeamMembershipRequest{})
			return err
		}, "body"},
		{"delete membership 0", func() error { return env.client.Teams.DeleteTeamMembership(ctx, 19, 0) }, "teamMembershipID"},
		{"memberships of member 0", func() error {
			_, err := env.client.Teams.ListMemberTeamMemberships(ctx, 0, nil).Collect(0)
			return err
		}, "memberID"},
		{"member's memberships team filter negative", func() error {
			_, err := env.client.Teams.ListMemberTeamMemberships(ctx, 17, &ListMemberTeamMembershipsOptions{TeamID: -1}).Collect(0)
			return err
		}, "TeamID"},
		{"team invitations per_page -1", func() error {
			_, err := env.client.Teams.ListTeamInvitations(ctx, 19, &ListTeamInvitationsOptions{PerPage: -1}).Collect(0)
			return err
		}, "PerPage"},
		{"team invitation without invitation", func() error {
			_, err := env.client.Teams.CreateTeamInvitations(ctx, 19, &models.CreateTeamInvitationsRequest{})
			return err
		}, "body.InvitationID"},
		{"team invitation nil body", func() error { _, err := env.client.Teams.CreateTeamInvitations(ctx, 19, nil); return err }, "body"},
		{"update team invitation with nothing", func() error {
			_, err := env.client.Teams.UpdateTeamInvitation(ctx, 19, 7, &models.UpdateTeamInvitationRequest{})
			return err
		}, "body"},
		{"delete team invitation 0", func() error { return env.client.Teams.DeleteTeamInvitation(ctx, 19, 0) }, "teamInvitationID"},
	}
	for _, tc := range cases {
		err := tc.call()
		var verr *ValidationError
		if assert.ErrorAs(t, err, &verr, tc.name) {
			assert.Equal(t, tc.param, verr.Param, tc.name)
		}
	}
	assert.Zero(t, env.mock.GetTotalCallCount(), "nothing was sent")
}
