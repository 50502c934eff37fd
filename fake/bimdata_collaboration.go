package fake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations/models"
)

// Demo BIMData collaboration data: two clouds with two projects each.
// DemoPersonEmail is a user of BIMDataDemoCloudID and of its project
// BIMDataDemoProjectID, and has pending invitations to the other cloud
// (Harbour Works) and its project Quay Extension, the same the
// identity-provider invitation 126 offers.
const (
	// BIMDataDemoCloudID is the demo cloud "Awesome Cloud".
	BIMDataDemoCloudID = 12
	// BIMDataDemoProjectID is the demo project "Awesome Project" of
	// BIMDataDemoCloudID.
	BIMDataDemoProjectID = 15
	// BIMDataDemoPersonUserID is DemoPersonEmail's BIMData user id, as
	// GetCloudUsers lists it.
	BIMDataDemoPersonUserID = 2
	// BIMDataDemoPersonProjectUserID is DemoPersonEmail's membership of
	// BIMDataDemoProjectID (a project user id, not a user id).
	BIMDataDemoPersonProjectUserID = 302
	// BIMDataDemoCloudUserInvitationID is a pending invitation of
	// admin@example.com to BIMDataDemoCloudID, as an administrator.
	BIMDataDemoCloudUserInvitationID = 501
	// BIMDataDemoProjectUserInvitationID is a pending invitation of
	// BIMDataDemoUserEmail to BIMDataDemoProjectID, as an administrator.
	BIMDataDemoProjectUserInvitationID = 601
)

// bimCloud is one cloud of the fake BIMData.
type bimCloud struct {
	id        int64
	name      string
	isDefault bool
	created   time.Time
	members   []bimCloudMember                // ordered by user id
	invited   []models.BIMDataCloudInvitation // pending, ordered by id
	projects  []*bimProject                   // ordered by id
}

// bimCloudMember is a user's membership of a cloud.
type bimCloudMember struct {
	userID int64
	role   models.BIMDataRole
}

// bimProject is one project of a cloud.
type bimProject struct {
	id      int64
	name    string
	members []bimProjectMember                // ordered by membership id
	invited []models.BIMDataProjectInvitation // pending, ordered by id
}

// bimProjectMember is a user's membership of a project: its id is the one
// the project user routes take.
type bimProjectMember struct {
	id     int64
	userID int64
	role   models.BIMDataRole
}

// bimPerson is a BIMData account, as the collaboration routes show it.
type bimPerson struct {
	id                      int64
	email, first, last, sub string
	created                 time.Time
	provider                string
}

// collaboration is the fake's cloud state, kept beside the identity
// provider's invitations in bimDataStore.
type collaboration struct {
	clouds []*bimCloud  // ordered by id
	people []*bimPerson // ordered by id
	nextID int64        // the next invitation or membership id
}

func (c *collaboration) seed(now time.Time) {
	at := now.Add(-90 * 24 * time.Hour).UTC().Truncate(time.Second)
	person := func(id int64, email, first, last string) *bimPerson {
		return &bimPerson{id: id, email: email, first: first, last: last, created: at, provider: "bimdataconnect",
			sub: fmt.Sprintf("5f0c1d2e-0000-4000-8000-%012d", id)}
	}
	c.people = []*bimPerson{
		person(1, "owner@example.com", "Olivia", "Owner"),
		person(BIMDataDemoPersonUserID, DemoPersonEmail, "Demo", "Person"),
		person(3, "architect@example.com", "Ari", "Tect"),
	}
	const redirect = "https://platform.bimdata.io"
	c.clouds = []*bimCloud{
		{
			id: BIMDataDemoCloudID, name: "Awesome Cloud", isDefault: true, created: at,
			members: []bimCloudMember{{1, models.BIMDataRoleAdmin}, {BIMDataDemoPersonUserID, models.BIMDataRoleUser}},
			invited: []models.BIMDataCloudInvitation{
				{ID: BIMDataDemoCloudUserInvitationID, Email: "admin@example.com", RedirectURI: redirect + "/cloud/12", Role: models.BIMDataRoleAdmin},
				{ID: 502, Email: BIMDataDemoUserEmail, RedirectURI: redirect + "/cloud/12/project/15", Role: models.BIMDataRoleUser},
				{ID: 503, Email: "guest@example.com", RedirectURI: redirect + "/cloud/12/project/16", Role: models.BIMDataRoleUser},
			},
			projects: []*bimProject{
				{
					id: BIMDataDemoProjectID, name: "Awesome Project",
					members: []bimProjectMember{{301, 1, models.BIMDataRoleAdmin}, {BIMDataDemoPersonProjectUserID, BIMDataDemoPersonUserID, models.BIMDataRoleUser}},
					invited: []models.BIMDataProjectInvitation{
						{ID: BIMDataDemoProjectUserInvitationID, Email: BIMDataDemoUserEmail, RedirectURI: redirect + "/cloud/12/project/15", Role: models.BIMDataRoleAdmin},
					},
				},
				{
					id: 16, name: "Site Survey",
					members: []bimProjectMember{{303, 1, models.BIMDataRoleAdmin}, {304, BIMDataDemoPersonUserID, models.BIMDataRoleGuest}},
					invited: []models.BIMDataProjectInvitation{
						{ID: 602, Email: "guest@example.com", RedirectURI: redirect + "/cloud/12/project/16", Role: models.BIMDataRoleGuest},
					},
				},
			},
		},
		{
			id: 31, name: "Harbour Works", created: at,
			members: []bimCloudMember{{1, models.BIMDataRoleAdmin}, {3, models.BIMDataRoleUser}},
			invited: []models.BIMDataCloudInvitation{
				{ID: 504, Email: DemoPersonEmail, RedirectURI: redirect + "/cloud/31/project/40", Role: models.BIMDataRoleUser},
			},
			projects: []*bimProject{
				{
					id: 40, name: "Quay Extension",
					members: []bimProjectMember{{305, 1, models.BIMDataRoleAdmin}},
					invited: []models.BIMDataProjectInvitation{
						{ID: 603, Email: DemoPersonEmail, RedirectURI: redirect + "/cloud/31/project/40", Role: models.BIMDataRoleUser},
					},
				},
				{
					id: 41, name: "Dry Dock",
					members: []bimProjectMember{{306, 1, models.BIMDataRoleAdmin}, {307, 3, models.BIMDataRoleUser}},
				},
			},
		},
	}
	c.nextID = 1000
}

// handlers are the collaboration operations' handlers, by SDK method name.
func (c *collaboration) handlers() map[string]handler {
	return map[string]handler{
		"GetClouds": func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			out := make([]models.BIMDataCloud, 0, len(c.clouds))
			for _, cl := range c.clouds {
				created := cl.created
				out = append(out, models.BIMDataCloud{ID: cl.id, Name: cl.name, IsDefault: cl.isDefault, CreatedAt: &created, UpdatedAt: &created})
			}
			writeJSON(w, http.StatusOK, out)
		},
		"GetCloudUsers":             c.cloudUsers,
		"UpdateCloudUser":           c.updateCloudUser,
		"DeleteCloudUser":           c.deleteCloudUser,
		"GetCloudInvitations":       c.cloudInvitations,
		"InviteCloudUser":           c.inviteCloudUser,
		"CancelCloudUserInvitation": c.cancelCloudInvitation,
		"GetProjectUsers":           c.projectUsers,
		"UpdateProjectUser":         c.updateProjectUser,
		"DeleteProjectUser":         c.deleteProjectUser,
		"GetProjectInvitations":     c.projectInvitations,
		"InviteProjectUser":         c.inviteProjectUser,
		"CancelProjectUserInvitation": func(w http.ResponseWriter, r *http.Request, _ []byte) {
			if p := c.findProject(w, r); p != nil {
				if i, ok := bimIndex(w, r, p.invited, func(inv models.BIMDataProjectInvitation) int64 { return inv.ID }); ok {
					p.invited = slices.Delete(p.invited, i, i+1)
					w.WriteHeader(http.StatusNoContent)
				}
			}
		},
	}
}

// bimNotFound is DRF's 404.
func bimNotFound(w http.ResponseWriter) { bimDataDetail(w, http.StatusNotFound, "Not found.") }

// bimPathID reads an integer path value; DRF answers a malformed id as an
// unknown one, 404.
func bimPathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil
}

// bimIndex finds the element of items (ordered by id) whose id is the
// {id} path value, answering 404 itself when there is none.
func bimIndex[T any](w http.ResponseWriter, r *http.Request, items []T, idOf func(T) int64) (int, bool) {
	if id, ok := bimPathID(r, "id"); ok {
		if i, found := slices.BinarySearchFunc(items, id, func(e T, id int64) int { return cmp.Compare(idOf(e), id) }); found {
			return i, true
		}
	}
	bimNotFound(w)
	return 0, false
}

func (c *collaboration) findCloud(w http.ResponseWriter, r *http.Request) *bimCloud {
	if id, ok := bimPathID(r, "cloud_pk"); ok {
		if i, found := slices.BinarySearchFunc(c.clouds, id, func(cl *bimCloud, id int64) int { return cmp.Compare(cl.id, id) }); found {
			return c.clouds[i]
		}
	}
	bimNotFound(w)
	return nil
}

func (c *collaboration) findProject(w http.ResponseWriter, r *http.Request) *bimProject {
	cl := c.findCloud(w, r)
	if cl == nil {
		return nil
	}
	if id, ok := bimPathID(r, "project_pk"); ok {
		if i, found := slices.BinarySearchFunc(cl.projects, id, func(p *bimProject, id int64) int { return cmp.Compare(p.id, id) }); found {
			return cl.projects[i]
		}
	}
	bimNotFound(w)
	return nil
}

func (c *collaboration) person(id int64) *bimPerson {
	if i, ok := slices.BinarySearchFunc(c.people, id, func(p *bimPerson, id int64) int { return cmp.Compare(p.id, id) }); ok {
		return c.people[i]
	}
	return nil
}

func (c *collaboration) personByEmail(email string) *bimPerson {
	for _, p := range c.people {
		if strings.EqualFold(p.email, email) {
			return p
		}
	}
	return nil
}

// forget removes the account with this email from every cloud and
// project, as deleting the BIMData user does.
func (c *collaboration) forget(email string) {
	p := c.personByEmail(email)
	if p == nil {
		return
	}
	for _, cl := range c.clouds {
		cl.removeMember(p.id)
	}
	c.people = slices.DeleteFunc(c.people, func(q *bimPerson) bool { return q == p })
}

// removeMember removes a user from the cloud and all its projects,
// reporting whether they were a member.
func (cl *bimCloud) removeMember(userID int64) bool {
	before := len(cl.members)
	cl.members = slices.DeleteFunc(cl.members, func(m bimCloudMember) bool { return m.userID == userID })
	for _, p := range cl.projects {
		p.members = slices.DeleteFunc(p.members, func(m bimProjectMember) bool { return m.userID == userID })
	}
	return len(cl.members) < before
}

func (cl *bimCloud) member(userID int64) (int, bool) {
	return slices.BinarySearchFunc(cl.members, userID, func(m bimCloudMember, id int64) int { return cmp.Compare(m.userID, id) })
}

// emailFilter is django-filter's email, email__contains,
// email__startswith and email__endswith lookups.
func emailFilter(q url.Values) func(email string) bool {
	exact, contains, prefix, suffix := q.Get("email"), q.Get("email__contains"), q.Get("email__startswith"), q.Get("email__endswith")
	return func(email string) bool {
		return (exact == "" || email == exact) && strings.Contains(email, contains) &&
			strings.HasPrefix(email, prefix) && strings.HasSuffix(email, suffix)
	}
}

func (c *collaboration) cloudUserWire(m bimCloudMember) models.BIMDataCloudUser {
	p := c.person(m.userID)
	created := p.created
	return models.BIMDataCloudUser{
		ID: p.id, Email: p.email, Firstname: &p.first, Lastname: &p.last, Sub: &p.sub, Provider: p.provider,
		CloudRole: m.role, CreatedAt: &created, UpdatedAt: &created,
	}
}

func (c *collaboration) projectUserWire(cl *bimCloud, m bimProjectMember) models.BIMDataProjectUser {
	p := c.person(m.userID)
	userID := p.id
	out := models.BIMDataProjectUser{
		ID: m.id, UserID: &userID, Email: p.email, Firstname: &p.first, Lastname: &p.last, Sub: &p.sub, Role: m.role,
	}
	if i, ok := cl.member(m.userID); ok {
		out.CloudRole = cl.members[i].role
	}
	return out
}

func (c *collaboration) cloudUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	cl := c.findCloud(w, r)
	if cl == nil {
		return
	}
	keep := emailFilter(r.URL.Query())
	out := []models.BIMDataCloudUser{}
	for _, m := range cl.members {
		if u := c.cloudUserWire(m); keep(u.Email) {
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *collaboration) updateCloudUser(w http.ResponseWriter, r *http.Request, body []byte) {
	cl := c.findCloud(w, r)
	if cl == nil {
		return
	}
	i, ok := bimIndex(w, r, cl.members, func(m bimCloudMember) int64 { return m.userID })
	if !ok {
		return
	}
	obj, ok := bimDataObject(w, body)
	if !ok {
		return
	}
	// A partial update: fields it does not know (the 2021 "role") are
	// ignored, as DRF ignores them.
	if role, present, ok := bimChoice(w, obj, "cloud_role", cloudRoles); !ok {
		return
	} else if present {
		cl.members[i].role = role
	}
	writeJSON(w, http.StatusOK, c.cloudUserWire(cl.members[i]))
}

func (c *collaboration) deleteCloudUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	cl := c.findCloud(w, r)
	if cl == nil {
		return
	}
	i, ok := bimIndex(w, r, cl.members, func(m bimCloudMember) int64 { return m.userID })
	if !ok {
		return
	}
	cl.removeMember(cl.members[i].userID)
	w.WriteHeader(http.StatusNoContent)
}

func (c *collaboration) cloudInvitations(w http.ResponseWriter, r *http.Request, _ []byte) {
	if cl := c.findCloud(w, r); cl != nil {
		writeJSON(w, http.StatusOK, append([]models.BIMDataCloudInvitation{}, cl.invited...))
	}
}

func (c *collaboration) cancelCloudInvitation(w http.ResponseWriter, r *http.Request, _ []byte) {
	cl := c.findCloud(w, r)
	if cl == nil {
		return
	}
	if i, ok := bimIndex(w, r, cl.invited, func(inv models.BIMDataCloudInvitation) int64 { return inv.ID }); ok {
		cl.invited = slices.Delete(cl.invited, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	}
}

var (
	cloudRoles   = []models.BIMDataRole{models.BIMDataRoleAdmin, models.BIMDataRoleUser}
	projectRoles = []models.BIMDataRole{models.BIMDataRoleAdmin, models.BIMDataRoleUser, models.BIMDataRoleGuest}
)

// invitee reads the email and redirect_uri every invitation body has,
// answering DRF's 400 itself when they are not valid.
func invitee(w http.ResponseWriter, obj map[string]any) (email, redirect string, ok bool) {
	errs := map[string][]string{}
	email, emailErr := bimString(obj, "email")
	switch {
	case emailErr != "":
		errs["email"] = []string{emailErr}
	case !validDjangoEmail(email):
		errs["email"] = []string{"Enter a valid email address."}
	}
	redirect, redirectErr := bimString(obj, "redirect_uri")
	if u, err := url.Parse(redirect); redirectErr == "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		redirectErr = "Enter a valid URL."
	}
	if redirectErr != "" {
		errs["redirect_uri"] = []string{redirectErr}
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs)
		return "", "", false
	}
	return strings.ToLower(email), redirect, true
}

// inviteCloudUser creates a pending invitation, or answers the one the
// address already has: BIMData sends another email but keeps one
// invitation per address and cloud.
func (c *collaboration) inviteCloudUser(w http.ResponseWriter, r *http.Request, body []byte) {
	cl := c.findCloud(w, r)
	if cl == nil {
		return
	}
	obj, ok := bimDataObject(w, body)
	if !ok {
		return
	}
	email, redirect, ok := invitee(w, obj)
	if !ok {
		return
	}
	role, present, ok := bimChoice(w, obj, "role", cloudRoles)
	if !ok {
		return
	}
	if !present {
		role = models.BIMDataRoleAdmin // BIMData's default
	}
	projectRole, hasProjectRole, ok := bimChoice(w, obj, "project_role", projectRoles)
	if !ok {
		return
	}
	all, _ := obj["in_all_projects"].(bool)
	if all && !hasProjectRole {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"project_role": {"This field is required when in_all_projects is true."}})
		return
	}
	if p := c.personByEmail(email); p != nil {
		if _, member := cl.member(p.id); member {
			bimDataDetail(w, http.StatusBadRequest, "This user is already a member of this cloud.")
			return
		}
	}
	for i := range cl.invited {
		if cl.invited[i].Email == email {
			writeJSON(w, http.StatusCreated, cl.invited[i])
			return
		}
	}
	inv := models.BIMDataCloudInvitation{ID: c.newID(), Email: email, RedirectURI: redirect, Role: role, InAllProjects: all}
	if hasProjectRole {
		inv.ProjectRole = &projectRole
	}
	cl.invited = append(cl.invited, inv)
	writeJSON(w, http.StatusCreated, inv)
}

func (c *collaboration) newID() int64 {
	c.nextID++
	return c.nextID
}

func (c *collaboration) projectUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	p := c.findProject(w, r)
	if p == nil {
		return
	}
	cl := c.findCloud(w, r)
	keep := emailFilter(r.URL.Query())
	out := []models.BIMDataProjectUser{}
	for _, m := range p.members {
		if u := c.projectUserWire(cl, m); keep(u.Email) {
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *collaboration) updateProjectUser(w http.ResponseWriter, r *http.Request, body []byte) {
	p := c.findProject(w, r)
	if p == nil {
		return
	}
	i, ok := bimIndex(w, r, p.members, func(m bimProjectMember) int64 { return m.id })
	if !ok {
		return
	}
	obj, ok := bimDataObject(w, body)
	if !ok {
		return
	}
	if role, present, ok := bimChoice(w, obj, "role", projectRoles); !ok {
		return
	} else if present {
		p.members[i].role = role
	}
	writeJSON(w, http.StatusOK, c.projectUserWire(c.findCloud(w, r), p.members[i]))
}

func (c *collaboration) deleteProjectUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	p := c.findProject(w, r)
	if p == nil {
		return
	}
	if i, ok := bimIndex(w, r, p.members, func(m bimProjectMember) int64 { return m.id }); ok {
		p.members = slices.Delete(p.members, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (c *collaboration) projectInvitations(w http.ResponseWriter, r *http.Request, _ []byte) {
	if p := c.findProject(w, r); p != nil {
		writeJSON(w, http.StatusOK, append([]models.BIMDataProjectInvitation{}, p.invited...))
	}
}

// inviteProjectUser invites into a project, and into its cloud as a user
// when the person is neither a member of the cloud nor invited to it.
func (c *collaboration) inviteProjectUser(w http.ResponseWriter, r *http.Request, body []byte) {
	p := c.findProject(w, r)
	if p == nil {
		return
	}
	cl := c.findCloud(w, r)
	obj, ok := bimDataObject(w, body)
	if !ok {
		return
	}
	email, redirect, ok := invitee(w, obj)
	if !ok {
		return
	}
	role, present, ok := bimChoice(w, obj, "role", projectRoles)
	if !ok {
		return
	}
	if !present {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"role": {"This field is required."}})
		return
	}
	if person := c.personByEmail(email); person != nil {
		if slices.ContainsFunc(p.members, func(m bimProjectMember) bool { return m.userID == person.id }) {
			bimDataDetail(w, http.StatusBadRequest, "This user is already a member of this project.")
			return
		}
	}
	for i := range p.invited {
		if p.invited[i].Email == email {
			p.invited[i].Role, p.invited[i].RedirectURI = role, redirect
			writeJSON(w, http.StatusCreated, p.invited[i])
			return
		}
	}
	member := false
	if person := c.personByEmail(email); person != nil {
		_, member = cl.member(person.id)
	}
	if !member && !slices.ContainsFunc(cl.invited, func(inv models.BIMDataCloudInvitation) bool { return inv.Email == email }) {
		cl.invited = append(cl.invited, models.BIMDataCloudInvitation{ID: c.newID(), Email: email, RedirectURI: redirect, Role: models.BIMDataRoleUser})
	}
	inv := models.BIMDataProjectInvitation{ID: c.newID(), Email: email, RedirectURI: redirect, Role: role}
	p.invited = append(p.invited, inv)
	writeJSON(w, http.StatusCreated, inv)
}

// bimDataObject reads a JSON object body the way DRF's parser and
// serializer do, answering the 400 itself when it is not one: an empty
// body is an empty form.
func bimDataObject(w http.ResponseWriter, body []byte) (map[string]any, bool) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]any{}, true
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		bimDataDetail(w, http.StatusBadRequest, "JSON parse error - "+err.Error())
		return nil, false
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"non_field_errors": {"Invalid data. Expected a dictionary, but got " + jsonTypeName(doc) + "."}})
		return nil, false
	}
	return obj, true
}

// bimString reads a required string field, returning DRF's message when
// it is missing, null, blank or not a string.
func bimString(obj map[string]any, field string) (string, string) {
	raw, present := obj[field]
	if !present {
		return "", "This field is required."
	}
	switch v := raw.(type) {
	case nil:
		return "", "This field may not be null."
	case string:
		if v = strings.TrimSpace(v); v == "" {
			return "", "This field may not be blank."
		}
		return v, ""
	}
	return "", "Not a valid string."
}

// bimChoice reads an optional integer choice field (DRF's ChoiceField
// takes 50 or "50"), answering DRF's 400 itself for a value outside
// choices.
func bimChoice(w http.ResponseWriter, obj map[string]any, field string, choices []models.BIMDataRole) (models.BIMDataRole, bool, bool) {
	raw, present := obj[field]
	if !present {
		return 0, false, true
	}
	var text string
	switch v := raw.(type) {
	case float64:
		text = strconv.FormatFloat(v, 'f', -1, 64)
	case string:
		text = v
	default:
		text = fmt.Sprint(v)
	}
	if n, err := strconv.Atoi(text); err == nil && slices.Contains(choices, models.BIMDataRole(n)) {
		return models.BIMDataRole(n), true, true
	}
	writeJSON(w, http.StatusBadRequest, map[string][]string{field: {fmt.Sprintf("%q is not a valid choice.", text)}})
	return 0, false, false
}
