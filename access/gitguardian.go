package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// GitGuardian record ids say which object is behind a grant: for the
// workspace grant, a member (who accepted) or a pending invitation; for a
// team grant, a team membership (of a member) or a team invitation (of a
// pending invitation). Ids of each kind are numbered apart, so the prefix
// is what tells them apart.
const (
	ggMemberPrefix         = "member:"
	ggInvitationPrefix     = "invitation:"
	ggTeamMembershipPrefix = "team-membership:"
	ggTeamInvitationPrefix = "team-invitation:"
	// ggDeactivatePrefix targets a member that an offboarding deactivates
	// rather than removes (GitGuardianOffboarding): the removal says so
	// in its target, which a plan written to a file keeps.
	ggDeactivatePrefix = "deactivate-member:"
)

// ggPerPage is GitGuardian's largest page: per_page is 1 to 100, default
// 20 (spec/gitguardian.md 3, from the per_page parameter of GitGuardian's
// OpenAPI document; GitGuardian's own ggtools pages with 100). Every list
// the connector makes (members, invitations, teams, team memberships and
// team invitations) sends it: the fewest requests for a full list.
const ggPerPage = 100

// GitGuardianMemberOffboarding is what an offboarding does to a
// GitGuardian workspace member.
type GitGuardianMemberOffboarding string

// What an offboarding does to a member.
const (
	// GitGuardianMemberRemove removes the member from the workspace (the
	// default): their seat is freed; their history stays with GitGuardian.
	GitGuardianMemberRemove GitGuardianMemberOffboarding = "remove"
	// GitGuardianMemberDeactivate makes the member inactive: they can no
	// longer sign in, and an owner can reactivate them as they were.
	GitGuardianMemberDeactivate GitGuardianMemberOffboarding = "deactivate"
)

// GitGuardianOffboarding is what removing a person (Person.Absent,
// Manager.Offboard) does on GitGuardian. Whatever it says, their team
// memberships and team invitations are removed first (a deactivated member
// keeps them otherwise), then the member is removed or deactivated, then a
// pending workspace invitation of theirs is deleted: the access they have
// now ends before the access they could get by accepting.
type GitGuardianOffboarding struct {
	// Member is GitGuardianMemberRemove (also when empty) or
	// GitGuardianMemberDeactivate.
	Member GitGuardianMemberOffboarding
}

// Vendor returns invitations.GitGuardian.
func (GitGuardianOffboarding) Vendor() invitations.API { return invitations.GitGuardian }

// ggPolicyMember is the field of a GitGuardian offboarding policy as
// errors name it: the desired-state file's name, which it maps to its
// line.
const ggPolicyMember = "offboarding.gitguardian.member"

// Validate checks o as a plan does before any request: an
// *InvalidPersonError naming the field when Member is none of the known
// actions.
func (o GitGuardianOffboarding) Validate() error {
	switch o.Member {
	case "", GitGuardianMemberRemove, GitGuardianMemberDeactivate:
		return nil
	}
	return &InvalidPersonError{Field: ggPolicyMember, Reason: fmt.Sprintf("%q: must be %s or %s", o.Member, GitGuardianMemberRemove, GitGuardianMemberDeactivate)}
}

// ggOffboarding is the member action of opts' GitGuardian policy: remove
// without one.
func ggOffboarding(opts PlanOptions) (GitGuardianMemberOffboarding, error) {
	var o GitGuardianOffboarding
	switch p := opts.OffboardingFor(invitations.GitGuardian).(type) {
	case nil:
	case GitGuardianOffboarding:
		o = p
	case *GitGuardianOffboarding:
		o = *p
	default:
		return "", fmt.Errorf("access: gitguardian offboarding: a %T is not a GitGuardianOffboarding", p)
	}
	if err := o.Validate(); err != nil {
		return "", err
	}
	return cmp.Or(o.Member, GitGuardianMemberRemove), nil
}

// gitGuardianConnector keeps GitGuardian workspace access (one grant per
// person, an invitation until they accept it, a membership after) and
// the person's teams (one grant per team, a team invitation or a team
// membership likewise).
type gitGuardianConnector struct {
	c *invitations.Client
}

func newGitGuardianConnector(c *invitations.Client) Connector {
	return &gitGuardianConnector{c: c}
}

func (g *gitGuardianConnector) API() invitations.API { return invitations.GitGuardian }

// ggGrant is the workspace grant at level.
func ggGrant(level models.AccessLevel) Grant {
	return Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: string(level)}
}

// ggTeamGrant is a place in team with permission.
func ggTeamGrant(team models.Team, permission models.TeamPermission) Grant {
	return Grant{Vendor: invitations.GitGuardian, Kind: KindTeam, Scope: strconv.FormatInt(team.ID, 10), ScopeName: team.Name, Level: string(permission)}
}

func ggMemberRecord(m models.Member) Record {
	state := StateMember
	if !m.Active {
		state = StateInactive
	}
	return Record{Email: m.Email, Grant: ggGrant(m.AccessLevel), State: state, ID: ggMemberPrefix + strconv.FormatInt(m.ID, 10)}
}

func ggInvitationRecord(inv models.Invitation) Record {
	return Record{Email: inv.Email, Grant: ggGrant(inv.AccessLevel), State: StatePending, ID: ggInvitationPrefix + strconv.FormatInt(inv.ID, 10)}
}

// ggPermission is a team permission as read: the API sends both fields,
// can_manage exactly for team leaders; a server that sends only the
// leader flag still reads right.
func ggPermission(p models.TeamPermission, leader bool) models.TeamPermission {
	switch {
	case p != "":
		return p
	case leader:
		return models.TeamPermissionCanManage
	}
	return models.TeamPermissionCannotManage
}

// ggWantedLevel is the level a person asks for; none means member, the
// level GitGuardian itself gives an invitation that names none.
func ggWantedLevel(a *GitGuardianAccess) models.AccessLevel {
	return cmp.Or(a.AccessLevel, models.AccessLevelMember)
}

// ggWantedPermission is the team permission a person asks for; none
// means cannot_manage, what GitGuardian gives when none is sent.
func ggWantedPermission(t GitGuardianTeam) models.TeamPermission {
	return cmp.Or(t.Permission, models.TeamPermissionCannotManage)
}

// ggMergeRoles is GitGuardian's rule for a person's roles (MergeRoles):
// the highest access level (manager > member > restricted), and the union
// of the teams, one per name without regard to case (as GitGuardian
// compares them), at the highest permission (can_manage > cannot_manage,
// which an empty permission means).
func ggMergeRoles(m *roleMerge) error {
	level, ok, err := mergeOne(m, ".GitGuardian.AccessLevel", func(p Person) (models.AccessLevel, bool) {
		if p.GitGuardian == nil {
			return "", false
		}
		return p.GitGuardian.AccessLevel, true
	}, itemRule[models.AccessLevel]{
		join: highest(func(l models.AccessLevel) int {
			return rankOf(l, models.AccessLevelRestricted, models.AccessLevelMember, models.AccessLevelManager)
		}),
		grant: func(models.AccessLevel) roleGrant {
			return roleGrant{vendor: invitations.GitGuardian, kind: KindWorkspace}
		},
	})
	if err != nil || !ok {
		return err
	}
	teams, err := mergeList(m, ".GitGuardian.Teams", func(p Person) []GitGuardianTeam {
		if p.GitGuardian == nil {
			return nil
		}
		return p.GitGuardian.Teams
	}, itemRule[GitGuardianTeam]{
		key: func(t GitGuardianTeam) string { return strings.ToLower(t.Team) },
		join: highest(func(t GitGuardianTeam) int {
			return rankOf(ggWantedPermission(t), models.TeamPermissionCannotManage, models.TeamPermissionCanManage)
		}),
		grant: func(t GitGuardianTeam) roleGrant {
			return roleGrant{vendor: invitations.GitGuardian, kind: KindTeam, name: t.Team}
		},
	})
	m.out.GitGuardian = &GitGuardianAccess{AccessLevel: level, Teams: teams}
	return err
}

// ggWorkspace is what a read of the workspace found: every record, and
// whose each member and invitation id is, which the team lists name.
type ggWorkspace struct {
	records     []Record
	members     map[int64]string // member id → email
	invitations map[int64]string // invitation id → email
}

// Read lists the whole workspace once (members, then invitations) rather
// than searching per person: two paged lists cost fewer requests than one
// search per person as soon as there are more than a few people. When
// someone asks for a team or is absent, it also lists the teams and each
// team's memberships and invitations: two lists a team, whoever is
// planned. PlanOptions.ScopesOf names the workspace and teams as the
// people's entries do (a team in it has the teams listed too).
func (g *gitGuardianConnector) Read(ctx context.Context, people []Person, opts PlanOptions, _ *ConnectorState) (*View, error) {
	member, err := ggOffboarding(opts)
	if err != nil {
		return nil, err
	}
	// A pending invitation's level changes by deleting it and inviting
	// again (execute): a re-invite. A team invitation's is patched.
	view := &View{Want: map[string][]Grant{}, Scopes: map[string]bool{}, Subjects: map[string]string{},
		Reissue: func(r Record) bool { return r.Grant.Kind == KindWorkspace && r.State == StatePending }}
	emails := map[string]bool{}
	needTeams := false
	for _, p := range people {
		emails[strings.ToLower(p.Email)] = true
		needTeams = needTeams || p.Absent || (p.GitGuardian != nil && len(p.GitGuardian.Teams) > 0)
	}
	for _, a := range opts.ScopesOf {
		needTeams = needTeams || (a.GitGuardian != nil && len(a.GitGuardian.Teams) > 0)
	}
	ws := ggWorkspace{members: map[int64]string{}, invitations: map[int64]string{}}
	for r, err := range g.workspace(ctx, &ws) {
		if err != nil {
			return nil, err
		}
		ws.records = append(ws.records, r)
	}
	var teams []models.Team
	if needTeams {
		for t, err := range g.c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				return nil, fmt.Errorf("access: gitguardian teams: %w", err)
			}
			teams = append(teams, t)
		}
	}

	// What each person holds: the workspace records, in the order read
	// (members first: a plan's update targets a member before an
	// invitation of the same person).
	byEmail := map[string][]Record{}
	for _, r := range ws.records {
		if e := strings.ToLower(r.Email); emails[e] {
			byEmail[e] = append(byEmail[e], r)
		}
	}
	// reinvited are the people whose only workspace access, a pending
	// invitation at another level than asked, the plan replaces: the
	// vendor drops its team invitations with it, so theirs are planned
	// anew, for the new invitation.
	reinvited := map[string]bool{}
	for i, p := range people {
		email := strings.ToLower(p.Email)
		if p.Absent || p.GitGuardian == nil {
			continue
		}
		want := []Grant{ggGrant(ggWantedLevel(p.GitGuardian))}
		view.Scopes[string(KindWorkspace)+"|"] = true
		for j, t := range p.GitGuardian.Teams {
			team, ok := ggFindTeam(teams, t.Team)
			if !ok {
				view.Problems = append(view.Problems, Problem{Email: p.Email, Vendor: invitations.GitGuardian,
					Field: fmt.Sprintf("people[%d].GitGuardian.Teams[%d].Team", i, j), Reason: fmt.Sprintf("GitGuardian has no team named %q", t.Team)})
				continue
			}
			tg := ggTeamGrant(team, ggWantedPermission(t))
			want = append(want, tg)
			view.Scopes[string(KindTeam)+"|"+tg.Scope] = true
		}
		view.Want[email] = want
		subject, reissue := ggSubject(byEmail[email], want[0])
		if subject != "" {
			view.Subjects[email] = subject
		}
		reinvited[email] = reissue
	}

	// The scopes of PlanOptions.ScopesOf, as the people's: nobody wants
	// anything there. A team GitGuardian does not know names nothing.
	for _, a := range opts.ScopesOf {
		if a.GitGuardian == nil {
			continue
		}
		view.Scopes[string(KindWorkspace)+"|"] = true
		for _, t := range a.GitGuardian.Teams {
			if team, ok := ggFindTeam(teams, t.Team); ok {
				view.Scopes[string(KindTeam)+"|"+ggTeamGrant(team, "").Scope] = true
			}
		}
	}

	absent := map[string]bool{}
	for _, p := range people {
		if p.Absent {
			absent[strings.ToLower(p.Email)] = true
		}
	}
	for _, r := range ws.records {
		email := strings.ToLower(r.Email)
		if !emails[email] {
			continue
		}
		if absent[email] && member == GitGuardianMemberDeactivate && strings.HasPrefix(r.ID, ggMemberPrefix) {
			if r.State == StateInactive {
				// Deactivated already: nothing is left to do.
				continue
			}
			r.ID = ggDeactivatePrefix + strings.TrimPrefix(r.ID, ggMemberPrefix)
		}
		view.Have = append(view.Have, r)
	}
	for _, team := range teams {
		for r, err := range g.teamRecords(ctx, team, &ws) {
			if err != nil {
				return nil, err
			}
			email := strings.ToLower(r.Email)
			if !emails[email] && !view.Scopes[string(KindTeam)+"|"+r.Grant.Scope] {
				continue
			}
			// A member's team access is their team membership: a team
			// invitation of theirs (of a workspace invitation still
			// pending beside the membership) neither gives nor stands for
			// it, and a re-invited person's go with the old invitation.
			// Both are removed only with the person.
			if r.State == StatePending && !absent[email] && (reinvited[email] || ggIsMember(byEmail[email])) {
				continue
			}
			view.Have = append(view.Have, r)
		}
	}
	return view, nil
}

// ggFindTeam finds the team named name, without regard to case as
// GitGuardian compares team names.
func ggFindTeam(teams []models.Team, name string) (models.Team, bool) {
	for _, t := range teams {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return models.Team{}, false
}

// ggIsMember reports whether records (a person's workspace records) hold
// a member.
func ggIsMember(records []Record) bool {
	for _, r := range records {
		if strings.HasPrefix(r.ID, ggMemberPrefix) {
			return true
		}
	}
	return false
}

// ggSubject is what a person's team creates address, given their
// workspace records and the workspace grant they should have: their
// member, else their pending invitation, unless the plan replaces it
// (reissue: a new invitation at another level), in which case the team
// creates find the new one when they run.
func ggSubject(records []Record, want Grant) (subject string, reissue bool) {
	for _, r := range records {
		if strings.HasPrefix(r.ID, ggMemberPrefix) {
			return r.ID, false
		}
	}
	for _, r := range records {
		if sameLevel(r.Grant, want) {
			return r.ID, false
		}
	}
	return "", len(records) > 0
}

// workspace streams the members, then the pending invitations, noting in
// ws whose each id is.
func (g *gitGuardianConnector) workspace(ctx context.Context, ws *ggWorkspace) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for m, err := range g.c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian members: %w", err))
				return
			}
			ws.members[m.ID] = m.Email
			if !yield(ggMemberRecord(m), nil) {
				return
			}
		}
		for inv, err := range g.c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian invitations: %w", err))
				return
			}
			ws.invitations[inv.ID] = inv.Email
			if !yield(ggInvitationRecord(inv), nil) {
				return
			}
		}
	}
}

// teamRecords streams team's memberships, then its team invitations, as
// records of the people ws names. One of a member or an invitation that
// ws does not hold (made after ws was read) is left out: whose it is is
// unknown.
func (g *gitGuardianConnector) teamRecords(ctx context.Context, team models.Team, ws *ggWorkspace) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for m, err := range g.c.Teams.ListTeamMemberships(ctx, team.ID, &invitations.ListTeamMembershipsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian team %d memberships: %w", team.ID, err))
				return
			}
			email, ok := ws.members[m.MemberID]
			if !ok {
				continue
			}
			r := Record{Email: email, Grant: ggTeamGrant(team, ggPermission(m.TeamPermission, m.IsTeamLeader)), State: StateMember,
				ID: ggTeamMembershipPrefix + strconv.FormatInt(m.ID, 10)}
			if !yield(r, nil) {
				return
			}
		}
		for ti, err := range g.c.Teams.ListTeamInvitations(ctx, team.ID, &invitations.ListTeamInvitationsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian team %d invitations: %w", team.ID, err))
				return
			}
			email, ok := ws.invitations[ti.InvitationID]
			if !ok {
				continue
			}
			r := Record{Email: email, Grant: ggTeamGrant(team, ggPermission(ti.TeamPermission, ti.IsTeamLeader)), State: StatePending,
				ID: ggTeamInvitationPrefix + strconv.FormatInt(ti.ID, 10)}
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Audit streams the members, the pending invitations, then each team's
// memberships and team invitations.
func (g *gitGuardianConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		ws := &ggWorkspace{members: map[int64]string{}, invitations: map[int64]string{}}
		for r, err := range g.workspace(ctx, ws) {
			if !yield(r, err) || err != nil {
				return
			}
		}
		for team, err := range g.c.Teams.ListTeams(ctx, &invitations.ListTeamsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian teams: %w", err))
				return
			}
			for r, err := range g.teamRecords(ctx, team, ws) {
				if !yield(r, err) || err != nil {
					return
				}
			}
		}
	}
}

// Execute sends ch (see execute).
func (g *gitGuardianConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := g.execute(ctx, ch, st)
	return err
}

// execute sends one change. A workspace create returns the new
// invitation's record id.
func (g *gitGuardianConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	if ch.Grant.Kind == KindTeam {
		return "", g.executeTeam(ctx, ch)
	}
	level := models.AccessLevel(ch.Grant.Level)
	switch ch.Action {
	case Create:
		return g.invite(ctx, ch.Email, level)
	case Update:
		prefix, id, err := ggTarget(ch.Target, ggMemberPrefix, ggInvitationPrefix)
		if err != nil {
			return "", err
		}
		if prefix == ggMemberPrefix {
			_, err := g.c.Members.UpdateMember(ctx, id, &models.UpdateMemberRequest{AccessLevel: level}, nil)
			return "", err
		}
		// An invitation's level cannot be changed: it is replaced. An
		// invitation already gone (404) is what the delete wanted, so
		// the new one is still sent; any other failure stops before it,
		// so that a person never ends up with two invitations.
		if err := g.c.Invitations.DeleteInvitation(ctx, id); err != nil && !errors.Is(err, invitations.ErrNotFound) {
			return "", err
		}
		newID, err := g.invite(ctx, ch.Email, level)
		if err != nil {
			return "", &PartlyDone{Done: "the pending invitation was deleted", Err: err}
		}
		return newID, nil
	case Remove:
		prefix, id, err := ggTarget(ch.Target, ggMemberPrefix, ggInvitationPrefix, ggDeactivatePrefix)
		if err != nil {
			return "", err
		}
		switch prefix {
		case ggMemberPrefix:
			return "", g.c.Members.DeleteMember(ctx, id, nil)
		case ggDeactivatePrefix:
			inactive := false
			_, err := g.c.Members.UpdateMember(ctx, id, &models.UpdateMemberRequest{Active: &inactive}, nil)
			return "", err
		}
		return "", g.c.Invitations.DeleteInvitation(ctx, id)
	}
	return "", fmt.Errorf("access: gitguardian: unknown action %q", ch.Action)
}

// executeTeam sends one team change: a team membership for a member, a
// team invitation for a pending invitation.
func (g *gitGuardianConnector) executeTeam(ctx context.Context, ch Change) error {
	teamID, err := strconv.ParseInt(ch.Grant.Scope, 10, 64)
	if err != nil || teamID <= 0 {
		return fmt.Errorf("access: gitguardian: team %q is not a team id", ch.Grant.Scope)
	}
	permission := models.TeamPermission(ch.Grant.Level)
	switch ch.Action {
	case Create:
		target := ch.Target
		if target == "" {
			if target, err = g.pendingInvitation(ctx, ch.Email); err != nil {
				return err
			}
		}
		prefix, id, err := ggTarget(target, ggMemberPrefix, ggInvitationPrefix)
		if err != nil {
			return err
		}
		if prefix == ggMemberPrefix {
			_, err = g.c.Teams.CreateTeamMembership(ctx, teamID, &models.CreateTeamMembershipRequest{MemberID: id, TeamPermission: permission}, nil)
			return err
		}
		_, err = g.c.Teams.CreateTeamInvitations(ctx, teamID, &models.CreateTeamInvitationsRequest{InvitationID: id, TeamPermission: permission})
		return err
	case Update:
		prefix, id, err := ggTarget(ch.Target, ggTeamMembershipPrefix, ggTeamInvitationPrefix)
		if err != nil {
			return err
		}
		if prefix == ggTeamMembershipPrefix {
			_, err = g.c.Teams.UpdateTeamMembership(ctx, teamID, id, &models.UpdateTeamMembershipRequest{TeamPermission: permission})
			return err
		}
		_, err = g.c.Teams.UpdateTeamInvitation(ctx, teamID, id, &models.UpdateTeamInvitationRequest{TeamPermission: permission})
		return err
	case Remove:
		prefix, id, err := ggTarget(ch.Target, ggTeamMembershipPrefix, ggTeamInvitationPrefix)
		if err != nil {
			return err
		}
		if prefix == ggTeamMembershipPrefix {
			return g.c.Teams.DeleteTeamMembership(ctx, teamID, id)
		}
		return g.c.Teams.DeleteTeamInvitation(ctx, teamID, id)
	}
	return fmt.Errorf("access: gitguardian: unknown action %q", ch.Action)
}

// pendingInvitation finds email's pending workspace invitation: that of a
// person the same apply invited (or re-invited), whose id the plan could
// not know.
func (g *gitGuardianConnector) pendingInvitation(ctx context.Context, email string) (string, error) {
	for inv, err := range g.c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: email, PerPage: ggPerPage}).All() {
		if err != nil {
			return "", fmt.Errorf("access: gitguardian: finding the invitation of %s: %w", email, err)
		}
		if strings.EqualFold(inv.Email, email) {
			return ggInvitationPrefix + strconv.FormatInt(inv.ID, 10), nil
		}
	}
	return "", fmt.Errorf("access: gitguardian: %s has no pending invitation to put in a team", email)
}

func (g *gitGuardianConnector) invite(ctx context.Context, email string, level models.AccessLevel) (string, error) {
	inv, err := g.c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: email, AccessLevel: level}, nil)
	if err != nil {
		return "", err
	}
	return ggInvitationPrefix + strconv.FormatInt(inv.ID, 10), nil
}

// ggTarget splits a record id ("member:1002", "team-invitation:7001") of
// one of prefixes into its prefix and numeric id.
func ggTarget(target string, prefixes ...string) (prefix string, id int64, err error) {
	for _, prefix := range prefixes {
		if rest, ok := strings.CutPrefix(target, prefix); ok {
			id, err := strconv.ParseInt(rest, 10, 64)
			if err != nil || id <= 0 {
				break
			}
			return prefix, id, nil
		}
	}
	forms := make([]string, len(prefixes))
	for i, p := range prefixes {
		forms[i] = p + "<id>"
	}
	return "", 0, fmt.Errorf("access: gitguardian: target %q is not one of %s", target, strings.Join(forms, ", "))
}

// Classify says an invitation GitGuardian answers with a 200 error
// ("already in the workspace": the person is a member or invited) was
// already done, and so was a team create answered 409 (the member or the
// invitation is in the team already: a next plan corrects a permission
// that differs).
func (g *gitGuardianConnector) Classify(ch Change, err error) Outcome {
	if ch.Action != Create {
		return ""
	}
	var apiErr *invitations.APIError
	switch {
	case ch.Grant.Kind != KindTeam && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusOK:
		return AlreadyDone
	case ch.Grant.Kind == KindTeam && errors.Is(err, invitations.ErrConflict):
		return AlreadyDone
	}
	return ""
}

// Rank orders one person's GitGuardian changes: the workspace invitation
// (or its replacement) before the team invitations made for it; team
// removals before the member's removal or deactivation (a deactivated
// member keeps their teams otherwise); the member before a pending
// invitation beside it, so that the access the person has now ends before
// the access they could still get by accepting.
func (g *gitGuardianConnector) Rank(ch Change) int {
	switch {
	case ch.Grant.Kind == KindTeam && ch.Action == Remove:
		return 2
	case ch.Grant.Kind == KindTeam:
		return 1
	case ch.Action != Remove:
		return 0
	case strings.HasPrefix(ch.Target, ggInvitationPrefix):
		return 4
	}
	return 3
}

// DependsOn says a team create needs the person's workspace create or
// re-invite before it: without the invitation there is nothing to put in
// the team. A removal needs nothing: the member goes even when a team
// removal failed, since ending their access must not wait on it.
func (g *gitGuardianConnector) DependsOn(ch, earlier Change) bool {
	return ch.Grant.Kind == KindTeam && ch.Action == Create && earlier.Grant.Kind == KindWorkspace && earlier.Action != Remove
}

// ggLookupMembers is GitGuardian's lookup: the workspace's members.
const ggLookupMembers = "gitguardian-members"

// Lookups offers the workspace's members.
func (g *gitGuardianConnector) Lookups() []Lookup {
	return []Lookup{{Kind: ggLookupMembers, Vendor: invitations.GitGuardian, Summary: "GitGuardian workspace members, with their access levels", Columns: []string{"id", "email", "name", "access_level", "active"}}}
}

// Lookup lists the members, ggPerPage a page.
func (g *gitGuardianConnector) Lookup(ctx context.Context, kind string, _ map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != ggLookupMembers {
		return unknownLookup(invitations.GitGuardian, kind)
	}
	return pagedRows(g.c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: ggPerPage}).Pages(), func(m models.Member) []string {
		return []string{strconv.FormatInt(m.ID, 10), m.Email, m.Name, string(m.AccessLevel), strconv.FormatBool(m.Active)}
	})
}
