package fake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// Demo Box ids: a group with enough members to page through, and users.
const (
	// BoxDemoGroupID is the demo group holding most demo users.
	BoxDemoGroupID = "57645"
	// BoxDemoUserID is a demo user who belongs to no group yet.
	BoxDemoUserID = "1434325"
	// BoxDemoPersonUserID is the Box user whose login is DemoPersonEmail.
	BoxDemoPersonUserID = "11446000"
	// BoxDemoLargeGroupID is the group WithBoxLargeGroup adds.
	BoxDemoLargeGroupID = "990001"
)

// boxStore is the fake Box enterprise. Its indexes keep every request a
// plan or an apply makes independent of the enterprise's size (but for
// the group or user it is about): memberships by id, by group, by user
// and by user and group, each list in creation order, as Box lists them;
// users' logins and names sorted, for filter_term.
type boxStore struct {
	nextID     int64
	maxOffset  int64
	users      map[string]*models.User
	userOrder  []string // user ids in creation order, as lists show them
	groups     map[string]*models.Group
	groupOrder []string

	byID    map[string]*models.GroupMembership
	byGroup map[string][]*models.GroupMembership // by group id, in creation order
	byUser  map[string][]*models.GroupMembership // by user id, in creation order
	byPair  map[boxPair]*models.GroupMembership

	// userKeys are the users' logins and names, lower-case, with their
	// places in userOrder, sorted on the first filter_term after a user is
	// added (keysSorted), for prefix searches. nonASCII says a login or a
	// name is not ASCII: filter_term then scans every user, Unicode case
	// folding being more than lower-casing.
	userKeys   []boxUserKey
	keysSorted bool
	nonASCII   bool

	// owned is how many items (files and folders, boxItemBytes each)
	// each user owns; a user's space_used follows it. sessions counts each
	// user's open sessions. TransferOwnedFolder moves items, DeleteUserByID
	// refuses a user who owns any (unless forced), TerminateUsersSessions
	// ends the sessions.
	owned        map[string]int64
	sessions     map[string]int
	nextFolderID int64
}

// boxPair is a membership's user id and group id.
type boxPair struct{ user, group string }

// boxUserKey is a user's login or name, lower-case, and their place in
// userOrder.
type boxUserKey struct {
	key string
	seq int
}

func newBoxStore(maxOffset int64) *boxStore {
	return &boxStore{
		nextID: 434534, maxOffset: maxOffset,
		users: map[string]*models.User{}, groups: map[string]*models.Group{},
		byID: map[string]*models.GroupMembership{}, byGroup: map[string][]*models.GroupMembership{},
		byUser: map[string][]*models.GroupMembership{}, byPair: map[boxPair]*models.GroupMembership{},
		owned: map[string]int64{}, sessions: map[string]int{}, nextFolderID: 7700000001,
	}
}

// newBox builds the Box store and how the fake serves it.
func (f *Fake) newBox() *vendor {
	s := newBoxStore(f.boxMaxOffset)
	f.box = s
	if f.demo {
		s.seed(f.now())
	}
	if f.boxLargeGroup > 0 {
		s.seedLargeGroup(f.now(), f.boxLargeGroup)
	}
	if f.generatedPeople > 0 {
		s.seedPeople(f.now(), f.generatedPeople)
	}
	v := &vendor{
		api:           invitations.Box,
		prefix:        BoxPrefix,
		authorization: []string{"Bearer " + BoxAccessToken},
		challenge:     `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`,
		errorBody:     boxError,
		demo: func() map[string]string {
			return map[string]string{"group_id": BoxDemoGroupID, "user_id": BoxDemoUserID, "person_login": DemoPersonEmail}
		},
		handlers: map[string]handler{
			"GetUserMemberships": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				id := r.PathValue("user_id")
				if _, ok := s.users[id]; !ok {
					writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
					return
				}
				s.list(w, r, s.byUser[id])
			},
			"GetGroupMemberships": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				id := r.PathValue("group_id")
				if _, ok := s.groups[id]; !ok {
					writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
					return
				}
				s.list(w, r, s.byGroup[id])
			},
			"GetUsers":  s.listUsers,
			"GetGroups": s.listGroups,
			"CreateGroupMembership": func(w http.ResponseWriter, r *http.Request, body []byte) {
				s.create(w, r, body, f.now())
			},
			"GetGroupMembershipByID": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if m := s.find(w, r); m != nil {
					writeMembership(w, r, http.StatusOK, m)
				}
			},
			"UpdateGroupMembershipByID": func(w http.ResponseWriter, r *http.Request, body []byte) {
				s.update(w, r, body, f.now())
			},
			"DeleteGroupMembershipByID": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if m := s.find(w, r); m != nil {
					s.remove(m)
					w.WriteHeader(http.StatusNoContent)
				}
			},
		},
	}
	maps.Copy(v.handlers, s.userHandlers(f.now))
	return v
}

func (s *boxStore) seed(now time.Time) {
	created := now.Add(-400 * 24 * time.Hour).Truncate(time.Second)
	groups := []*models.Group{
		s.addGroup(models.Group{ID: BoxDemoGroupID, Name: "Contractors", Description: "External contractors"}, created),
		s.addGroup(models.Group{ID: "119720", Name: "Support", Description: "Support Group - as imported from Active Directory", Provenance: "Active Directory", ExternalSyncIdentifier: "AD:119720"}, created),
		s.addGroup(models.Group{ID: "119721", Name: "Engineering"}, created),
	}
	s.addUser(models.User{ID: BoxDemoUserID, Name: "Sean Rose", Login: "sean@example.com", JobTitle: "Admin"}, created)
	for i := range 260 {
		at := now.Add(-time.Duration(260-i) * time.Hour)
		u := s.addUser(models.User{ID: strconv.Itoa(11446000 + i), Name: fmt.Sprintf("Demo User %d", i+1), Login: fmt.Sprintf("user%03d@example.com", i+1)}, at)
		s.add(u.Mini(), groups[0].Mini(), models.GroupMembershipRoleMember, at)
		if i%10 == 0 {
			s.add(u.Mini(), groups[1+i%2].Mini(), models.GroupMembershipRoleAdmin, at)
		}
	}
}

// seedLargeGroup adds BoxDemoLargeGroupID with n members of its own.
func (s *boxStore) seedLargeGroup(now time.Time, n int) {
	at := now.Add(-30 * 24 * time.Hour).Truncate(time.Second)
	g := s.addGroup(models.Group{ID: BoxDemoLargeGroupID, Name: "All Staff"}, at).Mini()
	for i := range n {
		u := s.addUser(models.User{ID: strconv.Itoa(20000000 + i), Name: fmt.Sprintf("Staff %d", i+1), Login: fmt.Sprintf("staff%05d@example.com", i+1)}, at)
		s.add(u.Mini(), g, models.GroupMembershipRoleMember, at)
	}
}

// seedPeople adds n users, person000001@example.com and on ("Person 1"
// and on), and ten groups without members, "Team 01" to "Team 10"
// (ids 880001 to 880010).
func (s *boxStore) seedPeople(now time.Time, n int) {
	at := now.Add(-60 * 24 * time.Hour).Truncate(time.Second)
	for j := range 10 {
		s.addGroup(models.Group{ID: boxTeamGroupID(j + 1), Name: fmt.Sprintf("Team %02d", j+1)}, at)
	}
	for i := range n {
		s.addUser(models.User{ID: strconv.Itoa(30000000 + i), Name: fmt.Sprintf("Person %d", i+1), Login: fmt.Sprintf("person%06d@example.com", i+1)}, at)
	}
}

// boxTeamGroupID is the id of the group "Team %02d" (j, from 1 to 10)
// that WithGeneratedPeople adds.
func boxTeamGroupID(j int) string { return strconv.Itoa(880000 + j) }

// addUser stores a managed user with Box's defaults for what u leaves out.
func (s *boxStore) addUser(u models.User, at time.Time) *models.User {
	at = at.Truncate(time.Second)
	u.Type, u.CreatedAt, u.ModifiedAt = "user", &at, &at
	u.Language, u.Timezone, u.Status, u.Role = cmp.Or(u.Language, "en"), cmp.Or(u.Timezone, "America/Los_Angeles"), models.UserStatusActive, "user"
	// Every user owns one item per character of their login, and has one
	// session open.
	items := int64(len(u.Login))
	space, used, upload := int64(10<<30), items*boxItemBytes, int64(2<<30)
	u.SpaceAmount, u.SpaceUsed, u.MaxUploadSize = &space, &used, &upload
	u.AvatarURL = "https://app.box.com/api/avatar/large/" + u.ID
	s.users[u.ID] = &u
	s.owned[u.ID], s.sessions[u.ID] = items, 1
	s.userOrder = append(s.userOrder, u.ID)
	s.indexUser(len(s.userOrder)-1, &u)
	return &u
}

// indexUser adds the user at place seq of userOrder to userKeys.
func (s *boxStore) indexUser(seq int, u *models.User) {
	for _, key := range []string{u.Login, u.Name} {
		s.nonASCII = s.nonASCII || !isASCII(key)
		s.userKeys = append(s.userKeys, boxUserKey{key: strings.ToLower(key), seq: seq})
	}
	s.keysSorted = false
}

// reindexUsers rebuilds userKeys after a user left userOrder or changed
// their login or name: in time proportional to the users, which only
// those rarer writes pay.
func (s *boxStore) reindexUsers() {
	s.userKeys, s.nonASCII = s.userKeys[:0], false
	for seq, id := range s.userOrder {
		s.indexUser(seq, s.users[id])
	}
}

// addGroup stores a managed group.
func (s *boxStore) addGroup(g models.Group, at time.Time) *models.Group {
	g.Type, g.GroupType, g.CreatedAt, g.ModifiedAt = "group", "managed_group", &at, &at
	g.InvitabilityLevel, g.MemberViewabilityLevel = "admins_only", "admins_only"
	g.Permissions = &models.GroupPermissions{CanInviteAsCollaborator: true}
	s.groups[g.ID] = &g
	s.groupOrder = append(s.groupOrder, g.ID)
	return &g
}

func (s *boxStore) add(u models.UserMini, g models.GroupMini, role models.GroupMembershipRole, at time.Time) *models.GroupMembership {
	at = at.Truncate(time.Second)
	m := &models.GroupMembership{ID: strconv.FormatInt(s.nextID, 10), Type: "group_membership", User: &u, Group: &g, Role: role, CreatedAt: &at, ModifiedAt: &at}
	s.nextID++
	s.byID[m.ID] = m
	s.byGroup[g.ID] = append(s.byGroup[g.ID], m)
	s.byUser[u.ID] = append(s.byUser[u.ID], m)
	s.byPair[boxPair{u.ID, g.ID}] = m
	return m
}

// remove deletes m from the store: in time proportional to its group's
// and its user's memberships, not to the store's.
func (s *boxStore) remove(m *models.GroupMembership) {
	drop := func(ms []*models.GroupMembership) []*models.GroupMembership {
		return slices.DeleteFunc(ms, func(x *models.GroupMembership) bool { return x == m })
	}
	delete(s.byID, m.ID)
	delete(s.byPair, boxPair{m.User.ID, m.Group.ID})
	if s.byGroup[m.Group.ID] = drop(s.byGroup[m.Group.ID]); len(s.byGroup[m.Group.ID]) == 0 {
		delete(s.byGroup, m.Group.ID)
	}
	if s.byUser[m.User.ID] = drop(s.byUser[m.User.ID]); len(s.byUser[m.User.ID]) == 0 {
		delete(s.byUser, m.User.ID)
	}
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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

// boxPaging reads a Box collection's limit and offset: limit defaults to
// 100 and is clamped to 1000, and an offset past the store's ceiling
// (WithBoxMaxOffset) is answered 400 naming the offset, like the real API.
func (s *boxStore) boxPaging(w http.ResponseWriter, r *http.Request) (limit, offset int64, ok bool) {
	q := r.URL.Query()
	limit = 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid value for limit")
			return 0, 0, false
		}
		limit = min(max(n, 1), 1000)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > s.maxOffset {
			writeBoxParamError(w, "offset", v)
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
}

// boxPage is all[offset:offset+limit], clipped, never nil.
func boxPage[T any](all []T, limit, offset int64) []T {
	page := all[min(offset, int64(len(all))):min(offset+limit, int64(len(all)))]
	return append(make([]T, 0, len(page)), page...)
}

// boxOrder is the order every fake collection reports.
var boxOrder = []models.GroupMembershipsOrder{{By: "type", Direction: "ASC"}}

// list answers a membership collection: all, in creation order.
func (s *boxStore) list(w http.ResponseWriter, r *http.Request, all []*models.GroupMembership) {
	limit, offset, ok := s.boxPaging(w, r)
	if !ok {
		return
	}
	page := boxPage(all, limit, offset)
	entries := make([]models.GroupMembership, len(page))
	for i, m := range page {
		entries[i] = *m
	}
	writeJSON(w, http.StatusOK, models.GroupMemberships{
		TotalCount: int64(len(all)), Limit: limit, Offset: offset, Order: boxOrder, Entries: entries,
	})
}

// boxPrefix reports whether s starts with term, ignoring case.
func boxPrefix(s, term string) bool {
	return len(s) >= len(term) && strings.EqualFold(s[:len(term)], term)
}

// listUsers answers GET /users. filter_term keeps users whose name or
// login starts with it (every fake user is managed: user_type=external
// finds nobody); fields reduces each entry to the mini fields plus those
// asked for. With usemarker=true it pages by marker (next_marker, no
// total), past the offset ceiling, and refuses an offset.
func (s *boxStore) listUsers(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	userType := q.Get("user_type")
	switch userType {
	case "", string(models.UserTypeAll), string(models.UserTypeManaged), string(models.UserTypeExternal):
	default:
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid value for user_type")
		return
	}
	useMarker, marker := q.Get("usemarker") == "true", q.Get("marker")
	switch {
	case marker != "" && !useMarker:
		writeBoxParamError(w, "marker", marker)
		return
	case useMarker && q.Has("offset"):
		writeBoxParamError(w, "offset", q.Get("offset"))
		return
	}
	limit, offset, ok := s.boxPaging(w, r)
	if !ok {
		return
	}
	if marker != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(marker, boxMarkerPrefix), 10, 64)
		if !strings.HasPrefix(marker, boxMarkerPrefix) || err != nil || n < 0 {
			writeBoxParamError(w, "marker", marker)
			return
		}
		offset = n
	}
	term, appID := q.Get("filter_term"), q.Get("external_app_user_id")
	var all []string // user ids, in creation order
	switch {
	case userType == string(models.UserTypeExternal):
	case term == "" && appID == "":
		all = s.userOrder
	case term != "" && appID == "" && !s.nonASCII && isASCII(term):
		all = s.usersStarting(term)
	default:
		for _, id := range s.userOrder {
			u := s.users[id]
			if (term != "" && !boxPrefix(u.Name, term) && !boxPrefix(u.Login, term)) || (appID != "" && u.ExternalAppUserID != appID) {
				continue
			}
			all = append(all, id)
		}
	}
	page := boxPage(all, limit, offset)
	entries := make([]any, len(page))
	for i, id := range page {
		u := *s.users[id]
		entries[i] = boxFields(&u, q.Get("fields"), "id", "type", "name", "login")
	}
	if useMarker {
		var next any // null on the last page
		if end := offset + limit; end < int64(len(all)) {
			next = boxMarkerPrefix + strconv.FormatInt(end, 10)
		}
		writeJSON(w, http.StatusOK, map[string]any{"limit": limit, "next_marker": next, "entries": entries})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "limit": limit, "offset": offset, "order": boxOrder, "entries": entries})
}

// boxMarkerPrefix starts the fake's markers, followed by the offset of
// the page they name.
const boxMarkerPrefix = "fakemarker-"

// writeBoxParamError answers 400 naming an invalid query parameter, as Box
// does.
func writeBoxParamError(w http.ResponseWriter, name, value string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"type": "error", "status": 400, "code": "bad_request", "message": "Bad Request",
		"context_info": map[string]any{"errors": []map[string]string{{"reason": "invalid_parameter", "name": name, "message": "Invalid value '" + value + "'."}}},
		"request_id":   "fake" + name,
	})
}

// usersStarting returns the ids of the users whose login or name starts
// with term (ASCII, as every login and name is), in creation order, from
// the sorted keys.
func (s *boxStore) usersStarting(term string) []string {
	if !s.keysSorted {
		slices.SortFunc(s.userKeys, func(a, b boxUserKey) int { return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.seq, b.seq)) })
		s.keysSorted = true
	}
	term = strings.ToLower(term)
	i, _ := slices.BinarySearchFunc(s.userKeys, term, func(k boxUserKey, t string) int { return strings.Compare(k.key, t) })
	var seqs []int
	for ; i < len(s.userKeys) && strings.HasPrefix(s.userKeys[i].key, term); i++ {
		seqs = append(seqs, s.userKeys[i].seq)
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs) // found by both login and name
	ids := make([]string, len(seqs))
	for i, seq := range seqs {
		ids[i] = s.userOrder[seq]
	}
	return ids
}

// listGroups answers GET /groups: filter_term keeps groups whose name
// starts with it.
func (s *boxStore) listGroups(w http.ResponseWriter, r *http.Request, _ []byte) {
	limit, offset, ok := s.boxPaging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	term := q.Get("filter_term")
	var all []models.Group
	for _, id := range s.groupOrder {
		if g := s.groups[id]; term == "" || boxPrefix(g.Name, term) {
			all = append(all, *g)
		}
	}
	page := boxPage(all, limit, offset)
	entries := make([]any, len(page))
	for i := range page {
		entries[i] = boxFields(&page[i], q.Get("fields"), "id", "type", "name", "group_type")
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(all), "limit": limit, "offset": offset, "order": boxOrder, "entries": entries})
}

func (s *boxStore) find(w http.ResponseWriter, r *http.Request) *models.GroupMembership {
	if m, ok := s.byID[r.PathValue("group_membership_id")]; ok {
		return m
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
	user, okU := s.users[b.User.ID]
	group, okG := s.groups[b.Group.ID]
	if !okU || !okG {
		writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
		return
	}
	u, g := user.Mini(), group.Mini()
	if _, ok := s.byPair[boxPair{u.ID, g.ID}]; ok {
		writeBoxError(w, http.StatusConflict, "conflict", "User is already a member of this group")
		return
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
	writeJSON(w, status, boxFields(m, r.URL.Query().Get("fields"), "id", "type"))
}

// boxFields returns v as it is when fields is empty, else only its keep
// fields and those listed in fields (comma-separated), as Box does.
func boxFields(v any, fields string, keep ...string) any {
	if fields == "" {
		return v
	}
	full := map[string]json.RawMessage{}
	b, _ := json.Marshal(v)
	_ = json.Unmarshal(b, &full)
	out := map[string]json.RawMessage{}
	for _, f := range append(keep, strings.Split(fields, ",")...) {
		if v, ok := full[f]; ok {
			out[f] = v
		}
	}
	return out
}
