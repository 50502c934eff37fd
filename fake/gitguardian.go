package fake

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// gitGuardianStore is the fake GitGuardian workspace.
type gitGuardianStore struct {
	nextID      int64
	invitations []models.Invitation // ordered by id
	// invited counts the invitations of each email (lower-cased), for the
	// duplicate check of a create without a scan of every invitation.
	invited   map[string]int
	incidents []models.IncidentWithoutOccurrences
	access    map[resourceKey]models.IncidentPermissionEnum
	mem       ggMembers
	teams     ggTeams
}

type resourceKey struct {
	invitationID, resourceID int64
}

// newGitGuardian builds the GitGuardian store and how the fake serves it.
func (f *Fake) newGitGuardian() *vendor {
	f.gg = &gitGuardianStore{nextID: 1, invited: map[string]int{}, access: map[resourceKey]models.IncidentPermissionEnum{}}
	f.gg.teams.init()
	if f.demo {
		f.gg.seed(f.now())
		f.gg.seedMembers(f.now())
		f.gg.seedTeams()
	}
	f.gg.seedGeneratedMembers(f.now(), f.generatedMembers)
	s := f.gg
	return &vendor{
		api:           invitations.GitGuardian,
		prefix:        GitGuardianPrefix,
		authorization: []string{"Token " + GitGuardianAPIKey},
		errorBody: func(status int, _, message string) any {
			if status == http.StatusUnauthorized {
				message = "Invalid API key."
			}
			return map[string]string{"detail": message}
		},
		throttled: func(retryAfter int) string {
			return "Request was throttled. Expected available in " + strconv.Itoa(retryAfter) + " seconds."
		},
		demo: func() map[string]string { return map[string]string{"person_email": DemoPersonEmail} },
		handlers: map[string]handler{
			"ListInvitations": s.listInvitations,
			"CreateInvitations": func(w http.ResponseWriter, r *http.Request, body []byte) {
				s.createInvitation(w, r, body, f.now())
			},
			"GetInvitation":                      s.getInvitation,
			"DeleteInvitation":                   s.deleteInvitation,
			"ResendInvitation":                   s.resendInvitation,
			"GetInvitationResourceAccess":        s.getAccess,
			"SetInvitationResourceAccess":        s.setAccess,
			"RevokeInvitationResourceAccess":     s.revokeAccess,
			"ListInvitationSecretIncidentAccess": s.listIncidents,
			"ListMembers":                        s.listMembers,
			"GetMember":                          s.getMember,
			"UpdateMember":                       s.updateMember,
			"DeleteMember":                       s.deleteMember,
			"ListTeams":                          s.listTeams,
			"CreateTeams":                        s.createTeams,
			"GetTeam":                            s.getTeam,
			"UpdateTeam":                         s.updateTeam,
			"DeleteTeam":                         s.deleteTeam,
			"ListTeamMemberships":                s.listTeamMemberships,
			"CreateTeamMembership":               s.createTeamMembership,
			"UpdateTeamMembership":               s.updateTeamMembership,
			"DeleteTeamMembership":               s.deleteTeamMembership,
			"ListMemberTeamMemberships":          s.listMemberTeamMemberships,
			"ListTeamInvitations":                s.listTeamInvitations,
			"CreateTeamInvitations":              s.createTeamInvitations,
			"UpdateTeamInvitation":               s.updateTeamInvitation,
			"DeleteTeamInvitation":               s.deleteTeamInvitation,
		},
	}
}

func (s *gitGuardianStore) seed(now time.Time) {
	levels := []models.AccessLevel{models.AccessLevelMember, models.AccessLevelManager, models.AccessLevelRestricted}
	for i := range 240 {
		s.add(fmt.Sprintf("user%03d@example.com", i+1), levels[i%len(levels)], now.Add(-time.Duration(240-i)*time.Hour))
	}
	severities := []models.SeverityEnum{models.SeverityCritical, models.SeverityHigh, models.SeverityMedium, models.SeverityLow}
	for i := range 30 {
		id := int64(3000 + i)
		s.incidents = append(s.incidents, models.IncidentWithoutOccurrences{
			ID: id, Date: now.Add(-time.Duration(i) * 24 * time.Hour),
			Detector:       models.Detector{Name: "slack_bot_token", DisplayName: "Slack Bot Token", Nature: "specific", Family: "apikey", DetectorGroupName: "slackbot_token", DetectorGroupDisplayName: "Slack Bot Token"},
			SecretHash:     fmt.Sprintf("hash%04d", i),
			GitGuardianURL: fmt.Sprintf("https://dashboard.gitguardian.com/workspace/1/incidents/%d", id),
			Status:         models.StatusTriggered, Severity: severities[i%len(severities)], Validity: models.ValidityValid,
			OccurrencesCount: int64(1 + i%5), Tags: []models.TagEnum{models.TagFromHistoricalScan},
		})
		// The first invitations can see some incidents.
		s.access[resourceKey{invitationID: int64(1 + i%3), resourceID: id}] = models.IncidentPermissionCanView
	}
}

func (s *gitGuardianStore) add(email string, level models.AccessLevel, date time.Time) models.Invitation {
	inv := models.Invitation{ID: s.nextID, Email: email, AccessLevel: level, Role: level, Date: date.UTC()}
	s.nextID++
	s.invitations = append(s.invitations, inv)
	s.invited[strings.ToLower(email)]++
	return inv
}

func (s *gitGuardianStore) find(id string) (int, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(s.invitations, n, func(inv models.Invitation, id int64) int { return cmp.Compare(inv.ID, id) })
	return i, ok
}

func ggDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

func (s *gitGuardianStore) listInvitations(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	// Filtered or sorted, the list is a copy; a plain page of a large
	// workspace reads the store in place (the handler holds the lock).
	items := s.invitations
	if q.Get("search") != "" || q.Get("ordering") != "" {
		items = slices.Clone(items)
	}
	if search := strings.ToLower(q.Get("search")); search != "" {
		items = slices.DeleteFunc(items, func(inv models.Invitation) bool { return !strings.Contains(strings.ToLower(inv.Email), search) })
	}
	switch q.Get("ordering") {
	case "date":
		slices.SortStableFunc(items, func(a, b models.Invitation) int { return a.Date.Compare(b.Date) })
	case "-date":
		slices.SortStableFunc(items, func(a, b models.Invitation) int { return b.Date.Compare(a.Date) })
	case "":
	default:
		writeJSON(w, http.StatusBadRequest, map[string][]string{"ordering": {"Select a valid choice."}})
		return
	}
	writeCursorPage(w, r, items)
}

// writeCursorPage answers a list the way GitGuardian does: a bare JSON
// array, per_page 1..100 (default 20), and a Link header whose rel="next"
// URL carries a DRF-style cursor (base64 of "p=<offset>") and repeats the
// other query parameters. The last page has an empty Link header.
func writeCursorPage[T any](w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	perPage := 20
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"per_page": {"Ensure this value is between 1 and 100."}})
			return
		}
		perPage = n
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		p, ok := strings.CutPrefix(string(raw), "p=")
		n, convErr := strconv.Atoi(p)
		if err != nil || !ok || convErr != nil || n < 0 {
			ggDetail(w, http.StatusNotFound, "Invalid cursor")
			return
		}
		offset = n
	}
	end := min(offset+perPage, len(items))
	page := items[min(offset, len(items)):end]
	var links []string
	link := func(off int, rel string) {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", base64.StdEncoding.EncodeToString([]byte("p="+strconv.Itoa(off))))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: nq.Encode()}
		links = append(links, fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel))
	}
	if end < len(items) {
		link(end, "next")
	}
	if offset > 0 {
		link(max(offset-perPage, 0), "prev")
	}
	w.Header().Set("Link", strings.Join(links, ","))
	w.Header().Set("X-Per-Page", strconv.Itoa(perPage))
	if page == nil {
		page = []T{}
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *gitGuardianStore) createInvitation(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	var req struct {
		Email       string             `json:"email"`
		AccessLevel models.AccessLevel `json:"access_level"`
		Role        models.AccessLevel `json:"role"`
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	if addr, err := mail.ParseAddress(req.Email); err != nil || addr.Address != req.Email {
		writeJSON(w, http.StatusBadRequest, map[string][]string{"email": {"Enter a valid email address."}})
		return
	}
	level := cmp.Or(req.AccessLevel, req.Role, models.AccessLevelMember)
	switch level {
	case models.AccessLevelManager, models.AccessLevelMember, models.AccessLevelRestricted:
	default:
		writeJSON(w, http.StatusBadRequest, map[string][]string{"access_level": {fmt.Sprintf("%q is not a valid choice.", level)}})
		return
	}
	if v := r.URL.Query().Get("send_email"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"send_email": {"Must be a valid boolean."}})
			return
		}
	}
	if s.invited[strings.ToLower(req.Email)] > 0 {
		ggDetail(w, http.StatusConflict, "Request conflicts with existing data.")
		return
	}
	if s.mem.isMember(req.Email) {
		// The 2023 document's answer for a person already in the
		// workspace: 200 with a list of details, not an invitation.
		writeJSON(w, http.StatusOK, []map[string]string{{"details": "User already in the workspace"}})
		return
	}
	writeJSON(w, http.StatusCreated, s.add(req.Email, level, now))
}

func (s *gitGuardianStore) deleteInvitation(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.find(r.PathValue("invitation_id"))
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	id := s.invitations[i].ID
	email := strings.ToLower(s.invitations[i].Email)
	if s.invited[email]--; s.invited[email] <= 0 {
		delete(s.invited, email)
	}
	s.invitations = slices.Delete(s.invitations, i, i+1)
	for k := range s.access {
		if k.invitationID == id {
			delete(s.access, k)
		}
	}
	s.teams.dropInvitation(id)
	w.Header().Set("Allow", "DELETE, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

func (s *gitGuardianStore) resendInvitation(w http.ResponseWriter, r *http.Request, _ []byte) {
	if _, ok := s.find(r.PathValue("invitation_id")); !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	ggDetail(w, http.StatusOK, "Email sent")
}

// resource resolves the resource-access route, answering 404 itself when
// the invitation, the resource type or the incident does not exist.
func (s *gitGuardianStore) resource(w http.ResponseWriter, r *http.Request) (resourceKey, bool) {
	i, ok := s.find(r.PathValue("invitation_id"))
	rid, err := strconv.ParseInt(r.PathValue("resource_id"), 10, 64)
	if !ok || err != nil || r.PathValue("resource_type") != string(models.ResourceTypeSecretIncidents) ||
		!slices.ContainsFunc(s.incidents, func(inc models.IncidentWithoutOccurrences) bool { return inc.ID == rid }) {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return resourceKey{}, false
	}
	return resourceKey{invitationID: s.invitations[i].ID, resourceID: rid}, true
}

func accessBody(k resourceKey, p models.IncidentPermissionEnum) models.ResourceInvitationAccess {
	return models.ResourceInvitationAccess{InvitationID: k.invitationID, ResourceID: k.resourceID, ResourceType: models.ResourceTypeSecretIncidents, Permission: p}
}

func (s *gitGuardianStore) getAccess(w http.ResponseWriter, r *http.Request, _ []byte) {
	k, ok := s.resource(w, r)
	if !ok {
		return
	}
	p, ok := s.access[k]
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	writeJSON(w, http.StatusOK, accessBody(k, p))
}

func (s *gitGuardianStore) setAccess(w http.ResponseWriter, r *http.Request, body []byte) {
	k, ok := s.resource(w, r)
	if !ok {
		return
	}
	var req models.ResourceInvitationAccess
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	switch req.Permission {
	case models.IncidentPermissionCanView, models.IncidentPermissionCanEdit, models.IncidentPermissionFullAccess:
	default:
		writeJSON(w, http.StatusBadRequest, map[string][]string{"permission": {fmt.Sprintf("%q is not a valid choice.", req.Permission)}})
		return
	}
	s.access[k] = req.Permission
	writeJSON(w, http.StatusOK, accessBody(k, req.Permission))
}

func (s *gitGuardianStore) revokeAccess(w http.ResponseWriter, r *http.Request, _ []byte) {
	k, ok := s.resource(w, r)
	if !ok {
		return
	}
	if _, ok := s.access[k]; !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	delete(s.access, k)
	w.WriteHeader(http.StatusNoContent)
}

func (s *gitGuardianStore) listIncidents(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.find(r.PathValue("invitation_id"))
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	id := s.invitations[i].ID
	q := r.URL.Query()
	var items []models.IncidentWithoutOccurrences
	for _, inc := range s.incidents {
		if _, ok := s.access[resourceKey{invitationID: id, resourceID: inc.ID}]; !ok {
			continue
		}
		if (q.Get("status") != "" && string(inc.Status) != q.Get("status")) ||
			(q.Get("severity") != "" && string(inc.Severity) != q.Get("severity")) ||
			(q.Get("validity") != "" && string(inc.Validity) != q.Get("validity")) {
			continue
		}
		items = append(items, inc)
	}
	writeCursorPage(w, r, items)
}
