package invitationstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations/models"
)

// Demo Box ids: a group with enough members to page through, and users.
const (
	// BoxDemoGroupID is the demo group holding most demo users.
	BoxDemoGroupID = "57645"
	// BoxDemoUserID is a demo user who belongs to no group yet.
	BoxDemoUserID = "1434325"
)

// boxStore is the fake Box enterprise.
type boxStore struct {
	nextID      int64
	users       map[string]models.UserMini
	groups      map[string]models.GroupMini
	memberships []*models.GroupMembership // ordered by creation
}

func (f *Fake) registerBox() {
	s := &boxStore{nextID: 434534, users: map[string]models.UserMini{}, groups: map[string]models.GroupMini{}}
	f.box = s
	if f.demo {
		s.seed(f.now())
	}
	v := &vendor{
		name:       "box",
		prefix:     BoxPrefix,
		authorized: exactly("Bearer " + BoxAccessToken),
		errorBody:  boxError,
	}
	f.handle(v, "GetUserMemberships", "GET /users/{user_id}/memberships", func(w http.ResponseWriter, r *http.Request, _ []byte) {
		id := r.PathValue("user_id")
		if _, ok := s.users[id]; !ok {
			writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
			return
		}
		s.list(w, r, func(m *models.GroupMembership) bool { return m.User.ID == id })
	})
	f.handle(v, "GetGroupMemberships", "GET /groups/{group_id}/memberships", func(w http.ResponseWriter, r *http.Request, _ []byte) {
		id := r.PathValue("group_id")
		if _, ok := s.groups[id]; !ok {
			writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
			return
		}
		s.list(w, r, func(m *models.GroupMembership) bool { return m.Group.ID == id })
	})
	f.handle(v, "CreateGroupMembership", "POST /group_memberships", func(w http.ResponseWriter, r *http.Request, body []byte) {
		s.create(w, r, body, f.now())
	})
	f.handle(v, "GetGroupMembershipByID", "GET /group_memberships/{id}", func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if m := s.find(w, r); m != nil {
			writeMembership(w, r, http.StatusOK, m)
		}
	})
	f.handle(v, "UpdateGroupMembershipByID", "PUT /group_memberships/{id}", func(w http.ResponseWriter, r *http.Request, body []byte) {
		s.update(w, r, body, f.now())
	})
	f.handle(v, "DeleteGroupMembershipByID", "DELETE /group_memberships/{id}", func(w http.ResponseWriter, r *http.Request, _ []byte) {
		if m := s.find(w, r); m != nil {
			s.memberships = slices.DeleteFunc(s.memberships, func(x *models.GroupMembership) bool { return x == m })
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

func (s *boxStore) seed(now time.Time) {
	groups := []models.GroupMini{
		{ID: BoxDemoGroupID, Type: "group", Name: "Contractors", GroupType: "managed_group"},
		{ID: "119720", Type: "group", Name: "Support", GroupType: "managed_group"},
		{ID: "119721", Type: "group", Name: "Engineering", GroupType: "managed_group"},
	}
	for _, g := range groups {
		s.groups[g.ID] = g
	}
	s.users[BoxDemoUserID] = models.UserMini{ID: BoxDemoUserID, Type: "user", Name: "Sean Rose", Login: "sean@example.com"}
	for i := range 260 {
		u := models.UserMini{ID: strconv.Itoa(11446000 + i), Type: "user", Name: fmt.Sprintf("Demo User %d", i+1), Login: fmt.Sprintf("user%03d@example.com", i+1)}
		s.users[u.ID] = u
		created := now.Add(-time.Duration(260-i) * time.Hour)
		s.add(u, groups[0], models.GroupMembershipRoleMember, created)
		if i%10 == 0 {
			s.add(u, groups[1+i%2], models.GroupMembershipRoleAdmin, created)
		}
	}
}

func (s *boxStore) add(u models.UserMini, g models.GroupMini, role models.GroupMembershipRole, at time.Time) *models.GroupMembership {
	at = at.Truncate(time.Second)
	m := &models.GroupMembership{ID: strconv.FormatInt(s.nextID, 10), Type: "group_membership", User: &u, Group: &g, Role: role, CreatedAt: &at, ModifiedAt: &at}
	s.nextID++
	s.memberships = append(s.memberships, m)
	return m
}

func boxError(status int, code, message string) any {
	if status == http.StatusUnauthorized {
		code, message = "unauthorized", "Unauthorized"
	}
	if status == http.StatusTooManyRequests {
		message = "Request rate limit exceeded, please try again later"
	}
	return map[string]any{
		"type": "error", "status": status, "code": code, "message": message, "context_info": nil,
		"help_url":   "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/",
		"request_id": fmt.Sprintf("fake%08x", time.Now().UnixNano()&0xffffffff),
	}
}

func writeBoxError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, boxError(status, code, message))
}

// list answers a Box collection: limit defaults to 100 and is clamped to
// 1000, offsets past 10000 are rejected with 400, like the real API.
func (s *boxStore) list(w http.ResponseWriter, r *http.Request, keep func(*models.GroupMembership) bool) {
	q := r.URL.Query()
	limit, offset := int64(100), int64(0)
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid value for limit")
			return
		}
		limit = min(max(n, 1), 1000)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 10000 {
			writeJSON(w, http.StatusBadRequest, map[string]any{
				"type": "error", "status": 400, "code": "bad_request", "message": "Bad Request",
				"context_info": map[string]any{"errors": []map[string]string{{"reason": "invalid_parameter", "name": "offset", "message": "Invalid value '" + v + "'."}}},
				"request_id":   "fakeoffset",
			})
			return
		}
		offset = n
	}
	var all []models.GroupMembership
	for _, m := range s.memberships {
		if keep(m) {
			all = append(all, *m)
		}
	}
	page := all[min(offset, int64(len(all))):min(offset+limit, int64(len(all)))]
	if page == nil {
		page = []models.GroupMembership{}
	}
	writeJSON(w, http.StatusOK, models.GroupMemberships{
		TotalCount: int64(len(all)), Limit: limit, Offset: offset,
		Order: []models.GroupMembershipsOrder{{By: "type", Direction: "ASC"}}, Entries: page,
	})
}

func (s *boxStore) find(w http.ResponseWriter, r *http.Request) *models.GroupMembership {
	id := r.PathValue("id")
	for _, m := range s.memberships {
		if m.ID == id {
			return m
		}
	}
	writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
	return nil
}

// boxMembershipBody is the create/update body, with configurable
// permissions kept raw to tell absent, null and a map apart.
type boxMembershipBody struct {
	User                    *models.Ref                `json:"user"`
	Group                   *models.Ref                `json:"group"`
	Role                    models.GroupMembershipRole `json:"role"`
	ConfigurablePermissions json.RawMessage            `json:"configurable_permissions"`
}

func (b *boxMembershipBody) apply(w http.ResponseWriter, m *models.GroupMembership) bool {
	switch b.Role {
	case "":
	case models.GroupMembershipRoleMember, models.GroupMembershipRoleAdmin:
		m.Role = b.Role
	default:
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid role")
		return false
	}
	switch raw := strings.TrimSpace(string(b.ConfigurablePermissions)); raw {
	case "":
	case "null":
		m.ConfigurablePermissions = map[string]bool{}
	default:
		var perms map[string]bool
		if json.Unmarshal(b.ConfigurablePermissions, &perms) != nil {
			writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid configurable_permissions")
			return false
		}
		m.ConfigurablePermissions = perms
	}
	return true
}

func (s *boxStore) create(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	var b boxMembershipBody
	if !decodeJSON(body, &b) || b.User == nil || b.Group == nil || b.User.ID == "" || b.Group.ID == "" {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "user and group are required")
		return
	}
	u, okU := s.users[b.User.ID]
	g, okG := s.groups[b.Group.ID]
	if !okU || !okG {
		writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
		return
	}
	for _, m := range s.memberships {
		if m.User.ID == u.ID && m.Group.ID == g.ID {
			writeBoxError(w, http.StatusConflict, "conflict", "User is already a member of this group")
			return
		}
	}
	m := models.GroupMembership{Role: models.GroupMembershipRoleMember}
	if !b.apply(w, &m) {
		return
	}
	added := s.add(u, g, m.Role, now)
	added.ConfigurablePermissions = m.ConfigurablePermissions
	writeMembership(w, r, http.StatusCreated, added)
}

func (s *boxStore) update(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	m := s.find(w, r)
	if m == nil {
		return
	}
	var b boxMembershipBody
	if !decodeJSON(body, &b) {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid JSON body")
		return
	}
	updated := *m
	if !b.apply(w, &updated) {
		return
	}
	at := now.Truncate(time.Second)
	updated.ModifiedAt = &at
	*m = updated
	writeMembership(w, r, http.StatusOK, m)
}

// writeMembership answers one membership, reduced to id, type and the
// requested fields when the query has "fields".
func writeMembership(w http.ResponseWriter, r *http.Request, status int, m *models.GroupMembership) {
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		writeJSON(w, status, m)
		return
	}
	full := map[string]json.RawMessage{}
	b, _ := json.Marshal(m)
	_ = json.Unmarshal(b, &full)
	out := map[string]json.RawMessage{"id": full["id"], "type": full["type"]}
	for _, f := range strings.Split(fields, ",") {
		if v, ok := full[f]; ok {
			out[f] = v
		}
	}
	writeJSON(w, status, out)
}
