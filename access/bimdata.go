package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// BIMData invitation levels: the grant's Level is the invitation's status.
const (
	bimPending  = "pending"
	bimAccepted = "accepted"
	bimDenied   = "denied"
)

// bimDataConnector keeps two kinds of BIMData access. Identity-provider
// invitations are those BIMData sends to the organisation's identity
// provider, which accepts or denies them: nothing is created there; an
// invitation is accepted, denied, or its user deleted. Cloud and project
// roles are BIMData's collaboration: a person is invited into a cloud or a
// project with a role until they are a user of it, a member after, and
// the role of either is what the grant's Level says.
type bimDataConnector struct {
	c *invitations.Client
}

func newBIMDataConnector(c *invitations.Client) Connector {
	return &bimDataConnector{c: c}
}

func (b *bimDataConnector) API() invitations.API { return invitations.BIMData }

// bimRecord is inv as a record; ok is false for a status this package
// does not know (BIMData documents only P, A and D today).
func bimRecord(inv models.BIMDataInvitation) (Record, bool) {
	var level string
	var state State
	switch inv.Status {
	case models.BIMDataInvitationStatusPending:
		level, state = bimPending, StatePending
	// "W" (accepted, waiting for the user's first login) is what 2019
	// servers sent for an accepted invitation.
	case models.BIMDataInvitationStatusAccepted, "W":
		level, state = bimAccepted, StateAccepted
	case models.BIMDataInvitationStatusDenied:
		level, state = bimDenied, StateDenied
	default:
		return Record{}, false
	}
	id := strconv.FormatInt(inv.ID, 10)
	return Record{
		Email: inv.Email,
		Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: id, ScopeName: inv.CloudName, Level: level},
		State: state,
		ID:    id,
	}, true
}

// Read fetches every identity-provider invitation in one request (the API
// does not page them), decoded one at a time and kept only for the people
// asked about. A denied invitation is no access, so it is neither had nor
// wanted: it is left as it is.
//
// When someone names a cloud or a project, or is absent (whose cloud and
// project access is removed), it also reads the clouds (see
// collaboration), whole: a few unpaged lists per cloud and project, the
// same for any number of people; so it does when PlanOptions.ScopesOf
// names a cloud or a project, whose scopes prune cleans.
func (b *bimDataConnector) Read(ctx context.Context, people []Person, opts PlanOptions, st *ConnectorState) (*View, error) {
	asked := make(map[string]bool, len(people))
	named := map[bimProject]bool{}
	collab := false
	for _, p := range people {
		asked[strings.ToLower(p.Email)] = true
		switch {
		case p.Absent:
			collab = true
		case p.BIMData != nil:
			for _, pr := range p.BIMData.Projects {
				named[bimProject{pr.CloudID, pr.ProjectID}] = true
			}
			collab = collab || len(p.BIMData.Clouds) > 0 || len(p.BIMData.Projects) > 0
		}
	}
	for _, a := range opts.ScopesOf {
		if a.BIMData != nil {
			for _, pr := range a.BIMData.Projects {
				named[bimProject{pr.CloudID, pr.ProjectID}] = true
			}
			collab = collab || len(a.BIMData.Clouds) > 0 || len(a.BIMData.Projects) > 0
		}
	}
	byEmail := map[string][]Record{}
	denied := map[string]int{}
	var links []string
	for inv, err := range b.c.SSO.StreamInvitations(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("access: bimdata invitations: %w", err)
		}
		links = append(links, inv.RedirectURI)
		r, ok := bimRecord(inv)
		if !ok {
			continue
		}
		email := strings.ToLower(r.Email)
		if !asked[email] {
			continue
		}
		if r.State == StateDenied {
			denied[email]++
			continue
		}
		if r.State == StateAccepted && st.Removed(r.Grant.Key(email)) {
			continue // its user was deleted; the invitation stays accepted
		}
		byEmail[email] = append(byEmail[email], r)
	}
	// A pending cloud or project invitation's role changes by cancelling
	// it and inviting again (execute): a re-invite. An identity-provider
	// invitation is accepted, not reissued.
	view := &View{Want: map[string][]Grant{}, Scopes: map[string]bool{}, Reissue: func(r Record) bool {
		return r.State == StatePending && (r.Grant.Kind == KindCloud || r.Grant.Kind == KindProject)
	}}
	var found *bimFound
	if collab {
		var err error
		if found, err = b.collaboration(ctx, named, links); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for i, p := range people {
		email := strings.ToLower(p.Email)
		if !seen[email] {
			seen[email] = true
			view.Have = append(view.Have, byEmail[email]...)
		}
		if p.Absent || p.BIMData == nil {
			continue
		}
		if p.BIMData.Accept {
			b.wantAccepted(view, p.Email, byEmail[email], denied[email])
		}
		field := func(f string, j int, sub string) string {
			return fmt.Sprintf("people[%d].BIMData.%s[%d].%s", i, f, j, sub)
		}
		problem := func(field, reason string) {
			view.Problems = append(view.Problems, Problem{Email: p.Email, Vendor: invitations.BIMData, Field: field, Reason: reason})
		}
		for j, c := range p.BIMData.Clouds {
			name, ok := found.clouds[c.CloudID]
			if !ok {
				problem(field("Clouds", j, "CloudID"), fmt.Sprintf("BIMData cloud %d is not one of the clouds the token reaches", c.CloudID))
				continue
			}
			g := bimCloudGrant(c.CloudID, name, c.Role)
			view.Want[email] = append(view.Want[email], g)
			view.Scopes[string(g.Kind)+"|"+g.Scope] = true
		}
		for j, pr := range p.BIMData.Projects {
			ref := bimProject{pr.CloudID, pr.ProjectID}
			if _, ok := found.clouds[pr.CloudID]; !ok {
				problem(field("Projects", j, "CloudID"), fmt.Sprintf("BIMData cloud %d is not one of the clouds the token reaches", pr.CloudID))
				continue
			}
			if found.missing[ref] {
				problem(field("Projects", j, "ProjectID"), fmt.Sprintf("BIMData cloud %d has no project %d", pr.CloudID, pr.ProjectID))
				continue
			}
			g := Grant{Vendor: invitations.BIMData, Kind: KindProject, Scope: ref.scope(), Level: pr.Role}
			view.Want[email] = append(view.Want[email], g)
			view.Scopes[string(g.Kind)+"|"+g.Scope] = true
		}
	}
	if found != nil {
		found.scopesOf(opts.ScopesOf, view.Scopes)
		// The people's records, and anyone's in the scopes the desired
		// state names, which prune may clean.
		for _, r := range found.records {
			if asked[strings.ToLower(r.Email)] || view.Scopes[string(r.Grant.Kind)+"|"+r.Grant.Scope] {
				view.Have = append(view.Have, r)
			}
		}
	}
	return view, nil
}

// wantAccepted wants the person's identity-provider invitations (had)
// accepted, or says why there is none to accept.
func (b *bimDataConnector) wantAccepted(view *View, email string, had []Record, denied int) {
	if len(had) == 0 {
		reason := "no pending BIMData invitation for " + email
		if denied > 0 {
			reason += fmt.Sprintf(" (%d denied, left as they are)", denied)
		}
		view.Problems = append(view.Problems, Problem{Email: email, Vendor: invitations.BIMData, Reason: reason})
		return
	}
	key := strings.ToLower(email)
	for _, r := range had {
		g := r.Grant
		g.Level = bimAccepted
		view.Want[key] = append(view.Want[key], g)
	}
}

// Audit yields every identity-provider invitation, denied ones included
// (one answer, decoded one invitation at a time as the loop asks), then
// every cloud's users and pending invitations and those of the projects
// the invitations' links name (see collaboration).
func (b *bimDataConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		var links []string
		for inv, err := range b.c.SSO.StreamInvitations(ctx, nil) {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: bimdata invitations: %w", err))
				return
			}
			links = append(links, inv.RedirectURI)
			if r, ok := bimRecord(inv); ok && !yield(r, nil) {
				return
			}
		}
		for r, err := range b.collabRecords(ctx, nil, links, nil) {
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
}

// Execute sends ch (see execute).
func (b *bimDataConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := b.execute(ctx, ch, st)
	return err
}

// execute sends a cloud or project change (see executeRole), or one to an
// identity-provider invitation: it accepts one (update to accepted),
// denies a pending one (remove), or deletes the user of an accepted one
// (remove): once accepted, the access is the BIMData user itself.
// It returns the id of what a create made, if any.
func (b *bimDataConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	if ch.Grant.Kind == KindCloud || ch.Grant.Kind == KindProject {
		return "", b.executeRole(ctx, ch)
	}
	id, err := strconv.ParseInt(cmp.Or(ch.Target, ch.Grant.Scope), 10, 64)
	if err != nil || id <= 0 {
		return "", fmt.Errorf("access: bimdata: target %q is not an invitation id", cmp.Or(ch.Target, ch.Grant.Scope))
	}
	switch {
	case ch.Action == Update && ch.Grant.Level == bimAccepted:
		return "", b.c.SSO.AcceptInvitation(ctx, id)
	case ch.Action == Remove && ch.Grant.Level == bimPending:
		return "", b.c.SSO.DenyInvitation(ctx, id)
	case ch.Action == Remove && ch.Grant.Level == bimAccepted:
		return "", b.c.SSO.DeleteUser(ctx, ch.Email)
	}
	return "", fmt.Errorf("access: bimdata: cannot %s an invitation to %q", ch.Action, ch.Grant.Level)
}

// executeRole sends one cloud or project change: a create invites, an
// update changes a member's role or reissues a pending invitation, a
// removal removes the member or cancels the invitation. The target says
// which (bimUserPrefix and bimMemberPrefix: a member; bimInvitePrefix: an
// invitation).
func (b *bimDataConnector) executeRole(ctx context.Context, ch Change) error {
	col := b.c.Collaboration
	var (
		invite, cancel, update, remove func(id int64) error
		role                           models.BIMDataRole
		member                         string
	)
	switch ch.Grant.Kind {
	case KindCloud:
		cloudID, err := strconv.ParseInt(ch.Grant.Scope, 10, 64)
		if err != nil || cloudID <= 0 {
			return fmt.Errorf("access: bimdata: scope %q is not a cloud id", ch.Grant.Scope)
		}
		role, member = bimRoles[ch.Grant.Level], bimUserPrefix
		invite = func(int64) error {
			_, err := col.InviteCloudUser(ctx, cloudID, &models.BIMDataCloudInvitationRequest{
				Email: ch.Email, RedirectURI: fmt.Sprintf("%s/cloud/%d", bimPlatform, cloudID), Role: role})
			return err
		}
		cancel = func(id int64) error { return col.CancelCloudUserInvitation(ctx, cloudID, id) }
		update = func(id int64) error {
			_, err := col.UpdateCloudUser(ctx, cloudID, id, &models.BIMDataUpdateCloudUserRequest{CloudRole: role})
			return err
		}
		remove = func(id int64) error { return col.DeleteCloudUser(ctx, cloudID, id) }
	default:
		ref, err := bimProjectScope(ch.Grant.Scope)
		if err != nil {
			return err
		}
		role, member = bimRoles[ch.Grant.Level], bimMemberPrefix
		invite = func(int64) error {
			_, err := col.InviteProjectUser(ctx, ref.cloud, ref.project, &models.BIMDataProjectInvitationRequest{
				Email: ch.Email, RedirectURI: fmt.Sprintf("%s/cloud/%d/project/%d", bimPlatform, ref.cloud, ref.project), Role: role})
			return err
		}
		cancel = func(id int64) error { return col.CancelProjectUserInvitation(ctx, ref.cloud, ref.project, id) }
		update = func(id int64) error {
			_, err := col.UpdateProjectUser(ctx, ref.cloud, ref.project, id, &models.BIMDataUpdateProjectUserRequest{Role: role})
			return err
		}
		remove = func(id int64) error { return col.DeleteProjectUser(ctx, ref.cloud, ref.project, id) }
	}
	if ch.Action == Create {
		return invite(0)
	}
	prefix, id, err := bimTarget(ch.Target, member)
	if err != nil {
		return err
	}
	switch {
	case ch.Action == Remove && prefix == member:
		return remove(id)
	case ch.Action == Remove:
		return cancel(id)
	case ch.Action == Update && prefix == member:
		return update(id)
	case ch.Action == Update:
		// An invitation's role cannot be changed: it is replaced. One
		// already gone (404) is what the cancel wanted, so the new one is
		// still sent; any other failure stops before it, so that a person
		// never holds two invitations.
		if err := cancel(id); err != nil && !errors.Is(err, invitations.ErrNotFound) {
			return err
		}
		if err := invite(0); err != nil {
			return &PartlyDone{Done: "the pending invitation was cancelled", Err: err}
		}
		return nil
	}
	return fmt.Errorf("access: bimdata: unknown action %q", ch.Action)
}

// Classify says an invitation BIMData refuses because the person is
// already a member of the cloud or project was already done: they joined
// since the read. Should their role differ, the next plan updates it.
func (b *bimDataConnector) Classify(ch Change, err error) Outcome {
	var apiErr *invitations.APIError
	if ch.Action == Create && (ch.Grant.Kind == KindCloud || ch.Grant.Kind == KindProject) &&
		errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest &&
		strings.Contains(apiErr.Message, "already a member") {
		return AlreadyDone
	}
	return ""
}

// Rank orders a person's BIMData changes. Removals go from the narrowest
// access to the widest: project access, then cloud access (removing a
// cloud member also removes them from its projects, which would leave the
// project lines nothing to do), then the identity-provider user, whose
// deletion ends every membership at once. Grants go the other way: the
// cloud before its projects, because inviting someone into a project
// invites them into its cloud as a plain user when they are not invited
// there yet, which would take the place of the cloud role asked for.
func (b *bimDataConnector) Rank(ch Change) int {
	switch {
	case ch.Action == Remove && ch.Grant.Kind == KindProject:
		return 0
	case ch.Action == Remove && ch.Grant.Kind == KindCloud:
		return 1
	case ch.Grant.Kind == KindCloud:
		return 2
	case ch.Grant.Kind == KindProject:
		return 3
	case ch.Action == Remove:
		return 5 // the identity-provider user or invitation
	}
	return 4
}

// DependsOn holds a project invitation (a create or a re-invite) back when
// the invitation into its cloud, planned before it (Rank), did not
// succeed: sent alone it would invite the person into the cloud as a
// plain user. Removals depend on nothing: each removes access whether or
// not the others did.
func (b *bimDataConnector) DependsOn(ch, earlier Change) bool {
	if ch.Grant.Kind != KindProject || !bimInvites(ch) || earlier.Grant.Kind != KindCloud || !bimInvites(earlier) {
		return false
	}
	ref, err := bimProjectScope(ch.Grant.Scope)
	return err == nil && strconv.FormatInt(ref.cloud, 10) == earlier.Grant.Scope
}

// bimInvites reports whether ch sends an invitation: a create, or the
// re-invite of a pending invitation.
func bimInvites(ch Change) bool {
	return ch.Action == Create || (ch.Action == Update && strings.HasPrefix(ch.Target, bimInvitePrefix))
}

// bimPlatform is BIMData's web platform: an invitation's link opens the
// cloud or project there.
const bimPlatform = "https://platform.bimdata.io"

// The prefixes of a cloud or project record's ID: what a removal or an
// update addresses.
const (
	bimUserPrefix   = "user:"       // a cloud member: the user's id
	bimMemberPrefix = "member:"     // a project member: the membership's id
	bimInvitePrefix = "invitation:" // a pending cloud or project invitation
)

// bimRoles maps the desired state's role names to BIMData's numbers.
var bimRoles = map[string]models.BIMDataRole{
	BIMDataAdmin: models.BIMDataRoleAdmin,
	BIMDataUser:  models.BIMDataRoleUser,
	BIMDataGuest: models.BIMDataRoleGuest,
}

// bimRoleName is role's name; a number BIMData adds later stays visible
// as itself (and differs from any role asked for).
func bimRoleName(role models.BIMDataRole) string {
	for name, r := range bimRoles {
		if r == role {
			return name
		}
	}
	return strconv.Itoa(int(role))
}

// bimTarget splits a record ID ("user:2", "invitation:504") into its
// prefix, which must be member or bimInvitePrefix, and its id.
func bimTarget(target, member string) (string, int64, error) {
	for _, prefix := range []string{member, bimInvitePrefix} {
		if rest, ok := strings.CutPrefix(target, prefix); ok {
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil && id > 0 {
				return prefix, id, nil
			}
		}
	}
	return "", 0, fmt.Errorf("access: bimdata: target %q is neither %s<id> nor %s<id>", target, member, bimInvitePrefix)
}

// bimProject names a project: its cloud's id and its own.
type bimProject struct{ cloud, project int64 }

// scope is the project's grant Scope, "<cloud>/<project>".
func (p bimProject) scope() string { return fmt.Sprintf("%d/%d", p.cloud, p.project) }

// bimProjectScope reads a project grant's Scope.
func bimProjectScope(scope string) (bimProject, error) {
	c, p, ok := strings.Cut(scope, "/")
	cloud, err1 := strconv.ParseInt(c, 10, 64)
	project, err2 := strconv.ParseInt(p, 10, 64)
	if !ok || err1 != nil || err2 != nil || cloud <= 0 || project <= 0 {
		return bimProject{}, fmt.Errorf("access: bimdata: scope %q is not <cloud id>/<project id>", scope)
	}
	return bimProject{cloud, project}, nil
}

// bimLinkedProject is the project an invitation's link opens
// (".../cloud/12/project/15"), if it names one.
func bimLinkedProject(link string) (bimProject, bool) {
	u, err := url.Parse(link)
	if err != nil {
		return bimProject{}, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+3 < len(parts); i++ {
		if parts[i] == "cloud" && parts[i+2] == "project" {
			if ref, err := bimProjectScope(parts[i+1] + "/" + parts[i+3]); err == nil {
				return ref, true
			}
		}
	}
	return bimProject{}, false
}

// bimMergeRoles is BIMData's rule for a person's roles (MergeRoles):
// Accept if any asks for it, and the union of the clouds and of the
// projects, each at the highest role (admin > user > guest).
func bimMergeRoles(m *roleMerge) error {
	bimOf := func(p Person) *BIMDataAccess {
		if p.BIMData == nil {
			return &BIMDataAccess{}
		}
		return p.BIMData
	}
	if !slices.ContainsFunc(m.srcs, func(s accessSource) bool { return s.access.BIMData != nil }) {
		return nil
	}
	rank := func(role string) int { return rankOf(role, BIMDataGuest, BIMDataUser, BIMDataAdmin) }
	accept, _, err := mergeOne(m, ".BIMData.Accept", func(p Person) (bool, bool) { return true, bimOf(p).Accept }, itemRule[bool]{
		join: func(a, _ bool) (bool, verdict, string) { return a, both, "" },
		grant: func(bool) roleGrant {
			return roleGrant{vendor: invitations.BIMData, kind: KindIDPInvitation, anyScope: true}
		},
	})
	if err != nil {
		return err
	}
	clouds, err := mergeList(m, ".BIMData.Clouds", func(p Person) []BIMDataCloudAccess { return bimOf(p).Clouds }, itemRule[BIMDataCloudAccess]{
		key:  func(c BIMDataCloudAccess) string { return strconv.FormatInt(c.CloudID, 10) },
		join: highest(func(c BIMDataCloudAccess) int { return rank(c.Role) }),
		grant: func(c BIMDataCloudAccess) roleGrant {
			return roleGrant{vendor: invitations.BIMData, kind: KindCloud, scope: strconv.FormatInt(c.CloudID, 10)}
		},
	})
	if err != nil {
		return err
	}
	projects, err := mergeList(m, ".BIMData.Projects", func(p Person) []BIMDataProjectAccess { return bimOf(p).Projects }, itemRule[BIMDataProjectAccess]{
		key:  func(pr BIMDataProjectAccess) string { return bimProject{pr.CloudID, pr.ProjectID}.scope() },
		join: highest(func(pr BIMDataProjectAccess) int { return rank(pr.Role) }),
		grant: func(pr BIMDataProjectAccess) roleGrant {
			return roleGrant{vendor: invitations.BIMData, kind: KindProject, scope: bimProject{pr.CloudID, pr.ProjectID}.scope()}
		},
	})
	m.out.BIMData = &BIMDataAccess{Accept: accept, Clouds: clouds, Projects: projects}
	return err
}

func bimCloudGrant(id int64, name, role string) Grant {
	return Grant{Vendor: invitations.BIMData, Kind: KindCloud, Scope: strconv.FormatInt(id, 10), ScopeName: name, Level: role}
}

// bimFound is what a read of the clouds found.
type bimFound struct {
	clouds  map[int64]string // the clouds the token reaches, by id: their names
	records []Record
	missing map[bimProject]bool // projects named that BIMData does not know
}

// scopesOf names in scopes (View.Scopes) the clouds and projects of
// PlanOptions.ScopesOf's entries, as Read names the people's, wanting
// nothing there. A cloud the token does not reach, or a project BIMData
// does not know, names nothing, and is nobody's problem.
func (f *bimFound) scopesOf(entries []Person, scopes map[string]bool) {
	for _, a := range entries {
		if a.BIMData == nil {
			continue
		}
		for _, c := range a.BIMData.Clouds {
			if _, ok := f.clouds[c.CloudID]; ok {
				scopes[string(KindCloud)+"|"+strconv.FormatInt(c.CloudID, 10)] = true
			}
		}
		for _, pr := range a.BIMData.Projects {
			ref := bimProject{pr.CloudID, pr.ProjectID}
			if _, ok := f.clouds[pr.CloudID]; ok && !f.missing[ref] {
				scopes[string(KindProject)+"|"+ref.scope()] = true
			}
		}
	}
}

// collaboration reads the clouds and the projects named (see
// collabRecords) whole.
func (b *bimDataConnector) collaboration(ctx context.Context, named map[bimProject]bool, links []string) (*bimFound, error) {
	found := &bimFound{clouds: map[int64]string{}, missing: map[bimProject]bool{}}
	for r, err := range b.collabRecords(ctx, named, links, found) {
		if err != nil {
			return nil, err
		}
		found.records = append(found.records, r)
	}
	return found, nil
}

// collabRecords streams, for every cloud the token reaches, its users
// and pending invitations, then those of each of its projects that is
// named or that an invitation's link opens (links: those of the
// identity-provider invitations, and of the clouds' invitations as they
// are read). BIMData's collaboration routes list no projects, so a project
// nobody names or links is not read: a person's memberships there are
// still removed with their cloud membership, but a pending invitation to
// it is not seen. found, when not nil, gets the clouds and the projects
// BIMData does not know (404).
func (b *bimDataConnector) collabRecords(ctx context.Context, named map[bimProject]bool, links []string, found *bimFound) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		col := b.c.Collaboration
		fail := func(what string, err error) { yield(Record{}, fmt.Errorf("access: bimdata %s: %w", what, err)) }
		clouds, err := col.GetClouds(ctx)
		if err != nil {
			fail("clouds", err)
			return
		}
		slices.SortFunc(clouds, func(a, b models.BIMDataCloud) int { return cmp.Compare(a.ID, b.ID) })
		names := map[int64]string{}
		for _, cl := range clouds {
			names[cl.ID] = cl.Name
			if found != nil {
				found.clouds[cl.ID] = cl.Name
			}
			users, err := col.GetCloudUsers(ctx, cl.ID, nil)
			if err != nil {
				fail(fmt.Sprintf("cloud %d users", cl.ID), err)
				return
			}
			for _, u := range users {
				r := Record{Email: u.Email, Grant: bimCloudGrant(cl.ID, cl.Name, bimRoleName(u.CloudRole)), State: StateMember,
					ID: bimUserPrefix + strconv.FormatInt(u.ID, 10)}
				if !yield(r, nil) {
					return
				}
			}
			invited, err := col.GetCloudInvitations(ctx, cl.ID)
			if err != nil {
				fail(fmt.Sprintf("cloud %d invitations", cl.ID), err)
				return
			}
			for _, inv := range invited {
				links = append(links, inv.RedirectURI)
				r := Record{Email: inv.Email, Grant: bimCloudGrant(cl.ID, cl.Name, bimRoleName(inv.Role)), State: StatePending,
					ID: bimInvitePrefix + strconv.FormatInt(inv.ID, 10)}
				if !yield(r, nil) {
					return
				}
			}
		}
		projects := map[bimProject]bool{}
		for p := range named {
			projects[p] = true
		}
		for _, link := range links {
			if p, ok := bimLinkedProject(link); ok {
				projects[p] = true
			}
		}
		refs := slices.SortedFunc(maps.Keys(projects), func(a, b bimProject) int {
			return cmp.Or(cmp.Compare(a.cloud, b.cloud), cmp.Compare(a.project, b.project))
		})
		for _, p := range refs {
			if _, ok := names[p.cloud]; !ok {
				continue
			}
			grant := func(role models.BIMDataRole) Grant {
				return Grant{Vendor: invitations.BIMData, Kind: KindProject, Scope: p.scope(), Level: bimRoleName(role)}
			}
			users, err := col.GetProjectUsers(ctx, p.cloud, p.project, nil)
			if errors.Is(err, invitations.ErrNotFound) {
				if found != nil {
					found.missing[p] = true
				}
				continue
			}
			if err != nil {
				fail("project "+p.scope()+" users", err)
				return
			}
			for _, u := range users {
				// A person invited who has no account yet is listed with
				// no user id; their invitation is the record.
				if u.UserID == nil {
					continue
				}
				r := Record{Email: u.Email, Grant: grant(u.Role), State: StateMember, ID: bimMemberPrefix + strconv.FormatInt(u.ID, 10)}
				if !yield(r, nil) {
					return
				}
			}
			invited, err := col.GetProjectInvitations(ctx, p.cloud, p.project)
			if err != nil {
				fail("project "+p.scope()+" invitations", err)
				return
			}
			for _, inv := range invited {
				r := Record{Email: inv.Email, Grant: grant(inv.Role), State: StatePending, ID: bimInvitePrefix + strconv.FormatInt(inv.ID, 10)}
				if !yield(r, nil) {
					return
				}
			}
		}
	}
}

// bimLookupInvitations is BIMData's lookup: the identity provider's
// invitations.
const bimLookupInvitations = "bimdata-invitations"

// Lookups offers the identity-provider invitations. The clouds' and
// projects' ids, which the desired state takes, are in an audit: the
// cloud and project grants' scopes, a cloud's with its name.
func (b *bimDataConnector) Lookups() []Lookup {
	return []Lookup{{Kind: bimLookupInvitations, Vendor: invitations.BIMData, Summary: "BIMData identity-provider invitations, with their status and cloud", Columns: []string{"id", "email", "status", "cloud", "cloud_role", "project", "project_role"}}}
}

// Lookup lists every invitation: one answer, decoded one invitation at a
// time. A status this package does not know is shown as BIMData sent it.
func (b *bimDataConnector) Lookup(ctx context.Context, kind string, _ map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != bimLookupInvitations {
		return unknownLookup(invitations.BIMData, kind)
	}
	return batched(b.c.SSO.StreamInvitations(ctx, nil), func(inv models.BIMDataInvitation) ([]string, bool) {
		status := string(inv.Status)
		if r, ok := bimRecord(inv); ok {
			status = r.Grant.Level
		}
		var project, projectRole string
		if inv.ProjectName != nil {
			project = *inv.ProjectName
		}
		if inv.ProjectRole != nil {
			projectRole = fmt.Sprint(*inv.ProjectRole)
		}
		return []string{strconv.FormatInt(inv.ID, 10), inv.Email, status, inv.CloudName, fmt.Sprint(inv.CloudRole), project, projectRole}, true
	})
}
