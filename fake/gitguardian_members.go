package fake

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations/models"
)

// Demo GitGuardian member ids. Member ids are numbered apart from
// invitation ids, so that mixing the two up finds nothing.
const (
	// GitGuardianDemoOwnerID is the workspace owner, whom nobody can remove.
	GitGuardianDemoOwnerID = int64(1001)
	// GitGuardianDemoMemberID is the member whose email is DemoPersonEmail.
	GitGuardianDemoMemberID = int64(1002)
)

// ggMembers is the fake workspace's member list, ordered by id.
type ggMembers struct {
	nextID  int64
	members []models.Member
	// emails counts the members of each email (lower-cased), for the
	// "already in the workspace" check of an invitation create without a
	// scan of every member. Members never change email.
	emails map[string]int
}

func (s *gitGuardianStore) seedMembers(now time.Time) {
	s.mem.nextID = GitGuardianDemoOwnerID
	ago := func(days int) time.Time {
		return now.Add(-time.Duration(days) * 24 * time.Hour).UTC().Truncate(time.Microsecond)
	}
	login := func(days int) *time.Time { t := ago(days); return &t }
	s.mem.add(models.Member{Name: "Olivia Owner", Email: "owner@example.com", AccessLevel: models.AccessLevelOwner, Active: true, CreatedAt: ago(900), LastLogin: login(1)})
	s.mem.add(models.Member{Name: "Demo User 1", Email: DemoPersonEmail, AccessLevel: models.AccessLevelMember, Active: true, CreatedAt: ago(300), LastLogin: login(3)})
	levels := []models.AccessLevel{models.AccessLevelMember, models.AccessLevelManager, models.AccessLevelRestricted}
	for i := range 43 {
		m := models.Member{
			Name: fmt.Sprintf("Team Member %d", i+1), Email: fmt.Sprintf("member%02d@example.com", i+1),
			AccessLevel: levels[i%len(levels)], Active: i%9 != 8, CreatedAt: ago(200 - i),
		}
		if i%4 != 3 { // every fourth member never logged in
			m.LastLogin = login(i % 30)
		}
		s.mem.add(m)
	}
}

// seedGeneratedMembers adds n members of its own (WithGeneratedMembers),
// for audits at scale.
func (s *gitGuardianStore) seedGeneratedMembers(now time.Time, n int) {
	if s.mem.nextID == 0 {
		s.mem.nextID = GitGuardianDemoOwnerID
	}
	at := now.Add(-30 * 24 * time.Hour).UTC().Truncate(time.Second)
	for i := range n {
		s.mem.add(models.Member{Name: fmt.Sprintf("Generated %d", i+1), Email: fmt.Sprintf("gen%06d@example.com", i+1),
			AccessLevel: models.AccessLevelMember, Active: true, CreatedAt: at})
	}
}

func (m *ggMembers) add(member models.Member) models.Member {
	member.ID, member.Role = m.nextID, member.AccessLevel
	m.nextID++
	m.members = append(m.members, member)
	if m.emails == nil {
		m.emails = map[string]int{}
	}
	m.emails[strings.ToLower(member.Email)]++
	return member
}

// remove deletes the member at index i.
func (m *ggMembers) remove(i int) {
	if email := strings.ToLower(m.members[i].Email); m.emails[email] > 1 {
		m.emails[email]--
	} else {
		delete(m.emails, email)
	}
	m.members = slices.Delete(m.members, i, i+1)
}

func (m *ggMembers) find(id string) (int, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 0, false
	}
	return slices.BinarySearchFunc(m.members, n, func(x models.Member, id int64) int { return cmp.Compare(x.ID, id) })
}

// isMember reports whether email belongs to a member.
func (m *ggMembers) isMember(email string) bool {
	return m.emails[strings.ToLower(email)] > 0
}

func (s *gitGuardianStore) getInvitation(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.find(r.PathValue("invitation_id"))
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	writeJSON(w, http.StatusOK, s.invitations[i])
}

// listMembers answers GET /v1/members with its documented filters:
// search (name or email, case-insensitive substring), access_level and
// its older name role, active, and ordering; then cursor pages.
func (s *gitGuardianStore) listMembers(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	search := strings.ToLower(q.Get("search"))
	level := models.AccessLevel(cmp.Or(q.Get("access_level"), q.Get("role")))
	var active *bool
	if v := q.Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"active": {"Must be a valid boolean."}})
			return
		}
		active = &b
	}
	// Filtered or sorted, the list is a copy; a plain page of a large
	// workspace reads the store in place (the handler holds the lock).
	items := s.mem.members
	if search != "" || level != "" || active != nil || q.Get("ordering") != "" {
		items = slices.Clone(items)
	}
	items = slices.DeleteFunc(items, func(m models.Member) bool {
		return (search != "" && !strings.Contains(strings.ToLower(m.Email), search) && !strings.Contains(strings.ToLower(m.Name), search)) ||
			(level != "" && m.AccessLevel != level) || (active != nil && m.Active != *active)
	})
	// Never-logged-in members sort last ascending and first descending,
	// as PostgreSQL orders NULLs.
	lastLogin := func(a, b models.Member) int {
		switch {
		case a.LastLogin == nil && b.LastLogin == nil:
			return 0
		case a.LastLogin == nil:
			return 1
		case b.LastLogin == nil:
			return -1
		}
		return a.LastLogin.Compare(*b.LastLogin)
	}
	switch q.Get("ordering") {
	case "":
	case string(models.ListMembersOrderingCreatedAt):
		slices.SortStableFunc(items, func(a, b models.Member) int { return a.CreatedAt.Compare(b.CreatedAt) })
	case string(models.ListMembersOrderingCreatedAtDesc):
		slices.SortStableFunc(items, func(a, b models.Member) int { return b.CreatedAt.Compare(a.CreatedAt) })
	case string(models.ListMembersOrderingLastLogin):
		slices.SortStableFunc(items, lastLogin)
	case string(models.ListMembersOrderingLastLoginDesc):
		slices.SortStableFunc(items, func(a, b models.Member) int { return lastLogin(b, a) })
	default:
		writeJSON(w, http.StatusBadRequest, map[string][]string{"ordering": {"Select a valid choice."}})
		return
	}
	writeCursorPage(w, r, items)
}

// member resolves {member_id}, answering 404 itself.
func (s *gitGuardianStore) member(w http.ResponseWriter, r *http.Request) (int, bool) {
	i, ok := s.mem.find(r.PathValue("member_id"))
	if !ok {
		ggDetail(w, http.StatusNotFound, "Not found.")
	}
	return i, ok
}

func (s *gitGuardianStore) getMember(w http.ResponseWriter, r *http.Request, _ []byte) {
	if i, ok := s.member(w, r); ok {
		writeJSON(w, http.StatusOK, s.mem.members[i])
	}
}

// sendEmailOK checks the optional send_email query flag.
func sendEmailOK(w http.ResponseWriter, r *http.Request) bool {
	if v := r.URL.Query().Get("send_email"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string][]string{"send_email": {"Must be a valid boolean."}})
			return false
		}
	}
	return true
}

// updateMember answers PATCH /v1/members/{id}: access_level (or the
// older role) among the non-owner levels, and active. The owner cannot be
// changed (403).
func (s *gitGuardianStore) updateMember(w http.ResponseWriter, r *http.Request, body []byte) {
	i, ok := s.member(w, r)
	if !ok || !sendEmailOK(w, r) {
		return
	}
	var req struct {
		AccessLevel models.AccessLevel `json:"access_level"`
		Role        models.AccessLevel `json:"role"`
		Active      *bool              `json:"active"`
	}
	if !decodeJSON(body, &req) {
		ggDetail(w, http.StatusBadRequest, "Invalid data.")
		return
	}
	m := &s.mem.members[i]
	if m.AccessLevel == models.AccessLevelOwner {
		ggDetail(w, http.StatusForbidden, "Permission denied.")
		return
	}
	if level := cmp.Or(req.AccessLevel, req.Role); level != "" {
		switch level {
		case models.AccessLevelManager, models.AccessLevelMember, models.AccessLevelRestricted:
			m.AccessLevel, m.Role = level, level
		default:
			writeJSON(w, http.StatusBadRequest, map[string][]string{"access_level": {fmt.Sprintf("%q is not a valid choice.", level)}})
			return
		}
	}
	if req.Active != nil {
		m.Active = *req.Active
	}
	writeJSON(w, http.StatusOK, m)
}

// deleteMember answers DELETE /v1/members/{id} with 204; the owner cannot
// be removed (403, the document's "Forbidden Call").
func (s *gitGuardianStore) deleteMember(w http.ResponseWriter, r *http.Request, _ []byte) {
	i, ok := s.member(w, r)
	if !ok || !sendEmailOK(w, r) {
		return
	}
	if s.mem.members[i].AccessLevel == models.AccessLevelOwner {
		ggDetail(w, http.StatusForbidden, "Permission denied.")
		return
	}
	s.teams.dropMember(s.mem.members[i].ID)
	s.mem.remove(i)
	w.Header().Set("Allow", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}
