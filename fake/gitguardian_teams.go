package fake

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations/models"
)

// Demo GitGuardian team ids. Teams, team memberships and team invitations
// are numbered apart from each other and from invitations and members, so
// that mixing two kinds of id up finds nothing.
const (
	// GitGuardianDemoGlobalTeamID is the workspace's global team ("All
	// incidents"), which cannot be deleted.
	GitGuardianDemoGlobalTeamID = int64(2001)
	// GitGuardianDemoTeamID is the team the demo person (member
	// GitGuardianDemoMemberID) is in.
	GitGuardianDemoTeamID = int64(2002)
	// GitGuardianDemoTeamMembershipID is the demo person's membership of
	// GitGuardianDemoTeamID.
	GitGuardianDemoTeamMembershipID = int64(5002)
	// GitGuardianDemoTeamInvitationID puts the demo person's pending
	// invitation (invitation 1, DemoPersonEmail) in GitGuardianDemoTeamID.
	GitGuardianDemoTeamInvitationID = int64(7001)
)

// ggTeams is the fake workspace's teams, with their memberships and team
// invitations, each ordered by id.
type ggTeams struct {
	nextTeam, nextMembership, nextInvitation int64
	teams                                    []models.Team
	memberships                              []models.TeamMembership
	invitations                              []models.TeamInvitation
}

func (t *ggTeams) init() {
	t.nextTeam, t.nextMembership, t.nextInvitation = GitGuardianDemoGlobalTeamID, 5001, GitGuardianDemoTeamInvitationID
}

// seedTeams adds the demo teams: the global team with the owner; the demo
// team, led by the owner, with the demo person and a dozen members, and
// the demo person's pending invitation; and a platform team.
func (s *gitGuardianStore) seedTeams() {
	t := &s.teams
	global := t.addTeam("All incidents", nil, true)
	demoDesc, platformDesc := "Where the demo person works", "Infrastructure and CI"
	demo := t.addTeam("Demo Team", &demoDesc, false)
	platform := t.addTeam("Platform", &platformDesc, false)
	t.addMembership(global.ID, GitGuardianDemoOwnerID, true, models.IncidentPermissionFullAccess)
	t.addMembership(demo.ID, GitGuardianDemoMemberID, false, models.IncidentPermissionCanView)
	t.addMembership(demo.ID, GitGuardianDemoOwnerID, true, models.IncidentPermissionFullAccess)
	perms := []models.IncidentPermissionEnum{models.IncidentPermissionCanView, models.IncidentPermissionCanEdit}
	for i := range 12 {
		t.addMembership(demo.ID, GitGuardianDemoMemberID+1+int64(i), false, perms[i%len(perms)])
	}
	for i := range 5 {
		t.addMembership(platform.ID, GitGuardianDemoMemberID+13+int64(i), i == 0, models.IncidentPermissionCanEdit)
	}
	t.addInvitation(demo.ID, 1, false, models.IncidentPermissionCanView)
	t.addInvitation(demo.ID, 2, false, models.IncidentPermissionCanEdit)
	t.addInvitation(platform.ID, 3, true, models.IncidentPermissionFullAccess)
}

func (t *ggTeams) addTeam(name string, description *string, global bool) models.Team {
	team := models.Team{ID: t.nextTeam, Name: name, Description: description, IsGlobal: global,
		GitGuardianURL: fmt.Sprintf("https://dashboard.gitguardian.com/workspace/1/settings/workspace/teams/%d", t.nextTeam)}
	t.nextTeam++
	t.teams = append(t.teams, team)
	return team
}

// ggTeamPermission is the team permission of a leader or not: the API sends
// both, can_manage exactly for team leaders.
func ggTeamPermission(leader bool) models.TeamPermission {
	if leader {
		return models.TeamPermissionCanManage
	}
	return models.TeamPermissionCannotManage
}

func (t *ggTeams) addMembership(teamID, memberID int64, leader bool, incident models.IncidentPermissionEnum) models.TeamMembership {
	m := models.TeamMembership{ID: t.nextMembership, TeamID: teamID, MemberID: memberID,
		IsTeamLeader: leader, TeamPermission: ggTeamPermission(leader), IncidentPermission: incident}
	t.nextMembership++
	t.memberships = append(t.memberships, m)
	return m
}

func (t *ggTeams) addInvitation(teamID, invitationID int64, leader bool, incident models.IncidentPermissionEnum) models.TeamInvitation {
	ti := models.TeamInvitation{ID: t.nextInvitation, TeamID: teamID, InvitationID: invitationID,
		IsTeamLeader: leader, TeamPermission: ggTeamPermission(leader), IncidentPermission: incident}
	t.nextInvitation++
	t.invitations = append(t.invitations, ti)
	return ti
}

// dropMember removes a removed member's team memberships.
func (t *ggTeams) dropMember(memberID int64) {
	t.memberships = slices.DeleteFunc(t.memberships, func(m models.TeamMembership) bool { return m.MemberID == memberID })
}

// dropInvitation removes a deleted invitation's team invitations.
func (t *ggTeams) dropInvitation(invitationID int64) {
	t.invitations = slices.DeleteFunc(t.invitations, func(ti models.TeamInvitation) bool { return ti.InvitationID == invitationID })
}

// ggFindID finds id (a path value) in items ordered by id.
func ggFindID[T any](items []T, id string, idOf func(T) int64) (int, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, false
	}
	return slices.BinarySearchFunc(items, n, func(x T, id int64) int { return cmp.Compare(idOf(x), id) })
}

// team resolves the team of the path (wildcard name: the document writes
// {teams_id} on the one-team routes and {team_id} below them), answering
// 404 itself.
func (s *gitGuardianStore) team(w http.ResponseWriter, r *http.Request, name string) (int, bool) {
	i, ok := ggFindID(s.teams.teams, r.PathValue(name), func(t models.Team) int64 { return t.ID })
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
	}
	return i, ok
}

// ggFieldError answers a 400 in DRF's field-map shape.
func ggFieldError(w http.ResponseWriter, field, message string) {
	writeJSON(w, http.StatusBadRequest, map[string][]string{field: {message}})
}

// ggBoolQuery reads an optional boolean query parameter, answering 400
// itself when it is not one.
func ggBoolQuery(w http.ResponseWriter, r *http.Request, name string) (*bool, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		ggFieldError(w, name, "Must be a valid boolean.")
		return nil, false
	}
	return &b, true
}

// ggIntQuery reads an optional integer query parameter (0 when absent),
// answering 400 itself when it is not one.
func ggIntQuery(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		ggFieldError(w, name, "A valid integer is required.")
		return 0, false
	}
	return n, true
}

func ggValidTeamPermission(p models.TeamPermission) bool {
	return p == models.TeamPermissionCanManage || p == models.TeamPermissionCannotManage
}

func ggValidIncidentPermission(p models.IncidentPermissionEnum) bool {
	switch p {
	case models.IncidentPermissionCanView, models.IncidentPermissionCanEdit, models.IncidentPermissionFullAccess:
		return true
	}
	return false
}

// ggPermissionFilter is the team_permission, is_team_leader and
// incident_permission filters of the membership and team-invitation
// lists.
type ggPermissionFilter struct {
	team     models.TeamPermission
	leader   *bool
	incident models.IncidentPermissionEnum
}

func ggReadPermissionFilter(w http.ResponseWriter, r *http.Request) (ggPermissionFilter, bool) {
	q := r.URL.Query()
	f := ggPermissionFilter{team: models.TeamPermission(q.Get("team_permission")), incident: models.IncidentPermissionEnum(q.Get("incident_permission"))}
	if f.team != "" && !ggValidTeamPermission(f.team) {
		ggFieldError(w, "team_permission", "Select a valid choice.")
		return f, false
	}
	if f.incident != "" && !ggValidIncidentPermission(f.incident) {
		ggFieldError(w, "incident_permission", "Select a valid choice.")
		return f, false
	}
	var ok bool
	f.leader, ok = ggBoolQuery(w, r, "is_team_leader")
	return f, ok
}

func (f ggPermissionFilter) keeps(leader bool, incident models.IncidentPermissionEnum) bool {
	return (f.team == "" || f.team == ggTeamPermission(leader)) && (f.leader == nil || *f.leader == leader) &&
		(f.incident == "" || f.incident == incident)
}

// ggPermissionsBody is the permission part of the create and update bodies.
// Leadership comes as team_permission (the document) or is_team_leader
// (GitGuardian's own client); the latter wins when both are sent.
type ggPermissionsBody struct {
	TeamPermission     models.TeamPermission         `json:"team_permission"`
	IsTeamLeader       *bool                         `json:"is_team_leader"`
	IncidentPermission models.IncidentPermissionEnum `json:"incident_permission"`
}

// check answers 400 itself for an unknown permission.
func (b ggPermissionsBody) check(w http.ResponseWriter) bool {
	switch {
	case b.TeamPermission != "" && !ggValidTeamPermission(b.TeamPermission):
		ggFieldError(w, "team_permission", fmt.Sprintf("%q is not a valid choice.", b.TeamPermission))
		return false
	case b.IncidentPermission != "" && !ggValidIncidentPermission(b.IncidentPermission):
		ggFieldError(w, "incident_permission", fmt.Sprintf("%q is not a valid choice.", b.IncidentPermission))
		return false
	}
	return true
}

// apply sets what the body sets on a leader flag and an incident
// permission.
func (b ggPermissionsBody) apply(leader *bool, incident *models.IncidentPermissionEnum) {
	if b.TeamPermission != "" {
		*leader = b.TeamPermission == models.TeamPermissionCanManage
	}
	if b.IsTeamLeader != nil {
		*leader = *b.IsTeamLeader
	}
	if b.IncidentPermission != "" {
		*incident = b.IncidentPermission
	}
}

// listTeams answers GET /v1/teams: is_global and search (name or
// description, case-insensitive substring), then cursor pages.
func (s *gitGuardianStore) listTeams(w http.ResponseWriter, r *http.Request, _ []byte) {
	global, ok := ggBoolQuery(w, r, "is_global")
	if !ok {
		return
	}
	search := strings.ToLower(r.URL.Query().Get("search"))
	matches := func(t models.Team) bool {
		return strings.Contains(strings.ToLower(t.Name), search) ||
			(t.Description != nil && strings.Contains(strings.ToLower(*t.Description), search))
	}
	items := slices.DeleteFunc(slices.Clone(s.teams.teams), func(t models.Team) bool {
		return (global != nil && t.IsGlobal != *global) || (search != "" && !matches(t))
	})
	writeCursorPage(w, r, items)
}

// nameTaken reports whether another team than id has name (without case).
func (t *ggTeams) nameTaken(name string, id int64) bool {
	return slices.ContainsFunc(t.teams, func(team models.Team) bool { return team.ID != id && strings.EqualFold(team.Name, name) })
}

// createTeams answers POST /v1/teams: 201 with the team, 409 for a name
// already taken.
func (s *gitGuardianStore) createTeams(w http.ResponseWriter, _ *http.Request, body []byte) {
	var req struct {
		Name        string  `json:"name"`
		Description *string `json:"description"`
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		ggFieldError(w, "name", "This field may not be blank.")
		return
	}
	if s.teams.nameTaken(req.Name, 0) {
		ggDetail(w, http.StatusConflict, "Request conflicts with existing data.")
		return
	}
	desc := ""
	if req.Description != nil {
		desc = *req.Description
	}
	writeJSON(w, http.StatusCreated, s.teams.addTeam(req.Name, &desc, false))
}

func (s *gitGuardianStore) getTeam(w http.ResponseWriter, r *http.Request, _ []byte) {
	if i, ok := s.team(w, r, "teams_id"); ok {
		writeJSON(w, http.StatusOK, s.teams.teams[i])
	}
}

// updateTeam answers PATCH /v1/teams/{id}: name and description.
func (s *gitGuardianStore) updateTeam(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.team(w, r, "teams_id")
	if !ok {
		return
	}
	var req struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	team := &s.teams.teams[i]
	if req.Name != nil {
		if strings.TrimSpace(*req.Name) == "" {
			ggFieldError(w, "name", "This field may not be blank.")
			return
		}
		if s.teams.nameTaken(*req.Name, team.ID) {
			ggDetail(w, http.StatusConflict, "Request conflicts with existing data.")
			return
		}
		team.Name = *req.Name
	}
	if req.Description != nil {
		d := *req.Description
		team.Description = &d
	}
	writeJSON(w, http.StatusOK, team)
}

// deleteTeam answers DELETE /v1/teams/{id} with 204, removing the team's
// memberships and team invitations. The document says the global team
// cannot be deleted without saying how it answers; the fake answers 403.
func (s *gitGuardianStore) deleteTeam(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.team(w, r, "teams_id")
	if !ok {
		return
	}
	t := &s.teams
	if t.teams[i].IsGlobal {
		ggDetail(w, http.StatusForbidden, "Permission denied.")
		return
	}
	id := t.teams[i].ID
	t.teams = slices.Delete(t.teams, i, i+1)
	t.memberships = slices.DeleteFunc(t.memberships, func(m models.TeamMembership) bool { return m.TeamID == id })
	t.invitations = slices.DeleteFunc(t.invitations, func(ti models.TeamInvitation) bool { return ti.TeamID == id })
	w.WriteHeader(http.StatusNoContent)
}

// listTeamMemberships answers GET /v1/teams/{team_id}/team_memberships:
// member_id and the permission filters, then cursor pages.
func (s *gitGuardianStore) listTeamMemberships(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.team(w, r, "team_id")
	if !ok {
		return
	}
	memberID, ok := ggIntQuery(w, r, "member_id")
	if !ok {
		return
	}
	f, ok := ggReadPermissionFilter(w, r)
	if !ok {
		return
	}
	teamID := s.teams.teams[i].ID
	var items []models.TeamMembership
	for _, m := range s.teams.memberships {
		if m.TeamID == teamID && (memberID == 0 || m.MemberID == memberID) && f.keeps(m.IsTeamLeader, m.IncidentPermission) {
			items = append(items, m)
		}
	}
	writeCursorPage(w, r, items)
}

// createTeamMembership answers POST /v1/teams/{team_id}/team_memberships:
// 201 with the membership; 400 for an unknown member, 409 for one already
// in the team. A new member is not a leader and can view incidents unless
// the body says otherwise.
func (s *gitGuardianStore) createTeamMembership(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.team(w, r, "team_id")
	if !ok || !sendEmailOK(w, r) {
		return
	}
	var req struct {
		MemberID int64 `json:"member_id"`
		ggPermissionsBody
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if !req.check(w) {
		return
	}
	if _, ok := s.mem.find(strconv.FormatInt(req.MemberID, 10)); !ok {
		ggFieldError(w, "member_id", fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", req.MemberID))
		return
	}
	teamID := s.teams.teams[i].ID
	if slices.ContainsFunc(s.teams.memberships, func(m models.TeamMembership) bool { return m.TeamID == teamID && m.MemberID == req.MemberID }) {
		ggDetail(w, http.StatusConflict, "Request conflicts with existing data.")
		return
	}
	leader, incident := false, models.IncidentPermissionCanView
	req.apply(&leader, &incident)
	writeJSON(w, http.StatusCreated, s.teams.addMembership(teamID, req.MemberID, leader, incident))
}

// teamMembership resolves {team_id} and {team_membership_id}: a membership
// of another team is not found.
func (s *gitGuardianStore) teamMembership(w http.ResponseWriter, r *http.Request) (int, bool) {
	ti, ok := s.team(w, r, "team_id")
	if !ok {
		return 0, false
	}
	i, ok := ggFindID(s.teams.memberships, r.PathValue("team_membership_id"), func(m models.TeamMembership) int64 { return m.ID })
	if !ok || s.teams.memberships[i].TeamID != s.teams.teams[ti].ID {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return 0, false
	}
	return i, true
}

func (s *gitGuardianStore) updateTeamMembership(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.teamMembership(w, r)
	if !ok {
		return
	}
	var req ggPermissionsBody
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if !req.check(w) {
		return
	}
	m := &s.teams.memberships[i]
	req.apply(&m.IsTeamLeader, &m.IncidentPermission)
	m.TeamPermission = ggTeamPermission(m.IsTeamLeader)
	writeJSON(w, http.StatusOK, m)
}

func (s *gitGuardianStore) deleteTeamMembership(w http.ResponseWriter, r *http.Request, _ []byte) {
	if i, ok := s.teamMembership(w, r); ok {
		s.teams.memberships = slices.Delete(s.teams.memberships, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	}
}

// listMemberTeamMemberships answers GET /v1/members/{member_id}/team_memberships,
// filtered by team_id.
func (s *gitGuardianStore) listMemberTeamMemberships(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.member(w, r)
	if !ok {
		return
	}
	teamID, ok := ggIntQuery(w, r, "team_id")
	if !ok {
		return
	}
	memberID := s.mem.members[i].ID
	var items []models.TeamMembership
	for _, m := range s.teams.memberships {
		if m.MemberID == memberID && (teamID == 0 || m.TeamID == teamID) {
			items = append(items, m)
		}
	}
	writeCursorPage(w, r, items)
}

// listTeamInvitations answers GET /v1/teams/{team_id}/team_invitations:
// invitation_id and the permission filters, then cursor pages.
func (s *gitGuardianStore) listTeamInvitations(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.team(w, r, "team_id")
	if !ok {
		return
	}
	invitationID, ok := ggIntQuery(w, r, "invitation_id")
	if !ok {
		return
	}
	f, ok := ggReadPermissionFilter(w, r)
	if !ok {
		return
	}
	teamID := s.teams.teams[i].ID
	var items []models.TeamInvitation
	for _, ti := range s.teams.invitations {
		if ti.TeamID == teamID && (invitationID == 0 || ti.InvitationID == invitationID) && f.keeps(ti.IsTeamLeader, ti.IncidentPermission) {
			items = append(items, ti)
		}
	}
	writeCursorPage(w, r, items)
}

// createTeamInvitations answers POST /v1/teams/{team_id}/team_invitations:
// 201 with the team invitation; 400 for an unknown (or accepted)
// invitation, 409 for one already in the team.
func (s *gitGuardianStore) createTeamInvitations(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.team(w, r, "team_id")
	if !ok {
		return
	}
	var req struct {
		InvitationID int64 `json:"invitation_id"`
		ggPermissionsBody
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if !req.check(w) {
		return
	}
	if _, ok := s.find(strconv.FormatInt(req.InvitationID, 10)); !ok {
		ggFieldError(w, "invitation_id", fmt.Sprintf("Invalid pk \"%d\" - object does not exist.", req.InvitationID))
		return
	}
	teamID := s.teams.teams[i].ID
	if slices.ContainsFunc(s.teams.invitations, func(ti models.TeamInvitation) bool {
		return ti.TeamID == teamID && ti.InvitationID == req.InvitationID
	}) {
		ggDetail(w, http.StatusConflict, "Request conflicts with existing data.")
		return
	}
	leader, incident := false, models.IncidentPermissionCanView
	req.apply(&leader, &incident)
	writeJSON(w, http.StatusCreated, s.teams.addInvitation(teamID, req.InvitationID, leader, incident))
}

// teamInvitation resolves {team_id} and {team_invitation_id}.
func (s *gitGuardianStore) teamInvitation(w http.ResponseWriter, r *http.Request) (int, bool) {
	ti, ok := s.team(w, r, "team_id")
	if !ok {
		return 0, false
	}
	i, ok := ggFindID(s.teams.invitations, r.PathValue("team_invitation_id"), func(x models.TeamInvitation) int64 { return x.ID })
	if !ok || s.teams.invitations[i].TeamID != s.teams.teams[ti].ID {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return 0, false
	}
	return i, true
}

func (s *gitGuardianStore) updateTeamInvitation(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.teamInvitation(w, r)
	if !ok {
		return
	}
	var req ggPermissionsBody
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if !req.check(w) {
		return
	}
	ti := &s.teams.invitations[i]
	req.apply(&ti.IsTeamLeader, &ti.IncidentPermission)
	ti.TeamPermission = ggTeamPermission(ti.IsTeamLeader)
	writeJSON(w, http.StatusOK, ti)
}

func (s *gitGuardianStore) deleteTeamInvitation(w http.ResponseWriter, r *http.Request, _ []byte) {
	if i, ok := s.teamInvitation(w, r); ok {
		s.teams.invitations = slices.Delete(s.teams.invitations, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	}
}
