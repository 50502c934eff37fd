package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/invitesdk/invitations/models"
)

// boxItemBytes is the size of each item a fake Box user owns.
const boxItemBytes = 1 << 20

// boxRootFolder is every account's root folder, "All Files".
var boxRootFolder = models.FolderMini{ID: "0", Type: "folder", Name: "All Files"}

// BoxUserOwnedItems returns how many items the fake Box user userID owns,
// and whether the user exists. With WithDemoData every user owns one item
// per character of their login (DemoPersonEmail's user, 19).
func (f *Fake) BoxUserOwnedItems(userID string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.box.users[userID]; !ok {
		return 0, false
	}
	return f.box.owned[userID], true
}

// BoxUserSessions returns how many sessions the fake Box user userID has
// open, and whether the user exists. Box's API cannot list sessions; this
// lets a test see what TerminateUsersSessions did. Every user starts with
// one.
func (f *Fake) BoxUserSessions(userID string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.box.users[userID]; !ok {
		return 0, false
	}
	return f.box.sessions[userID], true
}

// userHandlers serves Box's user operations.
func (s *boxStore) userHandlers(now func() time.Time) map[string]handler {
	return map[string]handler{
		"GetUserByID": func(w http.ResponseWriter, r *http.Request, _ []byte) {
			if u := s.findUser(w, r); u != nil {
				writeBoxUser(w, r, u)
			}
		},
		"UpdateUserByID": func(w http.ResponseWriter, r *http.Request, body []byte) {
			s.updateUser(w, r, body, now())
		},
		"DeleteUserByID": s.deleteUser,
		"TransferOwnedFolder": func(w http.ResponseWriter, r *http.Request, body []byte) {
			s.transfer(w, r, body, now())
		},
		"TerminateUsersSessions": s.terminateSessions,
	}
}

// findUser returns the user the path names, or answers 404.
func (s *boxStore) findUser(w http.ResponseWriter, r *http.Request) *models.User {
	if u, ok := s.users[r.PathValue("user_id")]; ok {
		return u
	}
	writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
	return nil
}

// writeBoxUser answers one user, reduced to the mini fields and those
// asked for when the query has "fields".
func writeBoxUser(w http.ResponseWriter, r *http.Request, u *models.User) {
	writeJSON(w, http.StatusOK, boxFields(u, r.URL.Query().Get("fields"), "id", "type", "name", "login"))
}

// boxBoolParam reads an optional boolean query parameter, answering 400
// naming it when it is not "true" or "false".
func boxBoolParam(w http.ResponseWriter, r *http.Request, name string) (value, ok bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		writeBoxParamError(w, name, v)
		return false, false
	}
	return b, true
}

// boxUserUpdate is the body of PUT /users/{user_id}, with enterprise and
// notification_email kept raw to tell absent and null apart.
type boxUserUpdate struct {
	Enterprise                    json.RawMessage       `json:"enterprise"`
	Notify                        *bool                 `json:"notify"`
	Name                          *string               `json:"name"`
	Login                         *string               `json:"login"`
	Role                          *string               `json:"role"`
	Language                      *string               `json:"language"`
	IsSyncEnabled                 *bool                 `json:"is_sync_enabled"`
	JobTitle                      *string               `json:"job_title"`
	Phone                         *string               `json:"phone"`
	Address                       *string               `json:"address"`
	TrackingCodes                 []models.TrackingCode `json:"tracking_codes"`
	CanSeeManagedUsers            *bool                 `json:"can_see_managed_users"`
	Timezone                      *string               `json:"timezone"`
	IsExternalCollabRestricted    *bool                 `json:"is_external_collab_restricted"`
	IsExemptFromDeviceLimits      *bool                 `json:"is_exempt_from_device_limits"`
	IsExemptFromLoginVerification *bool                 `json:"is_exempt_from_login_verification"`
	IsPasswordResetRequired       *bool                 `json:"is_password_reset_required"`
	Status                        *string               `json:"status"`
	SpaceAmount                   *int64                `json:"space_amount"`
	NotificationEmail             json.RawMessage       `json:"notification_email"`
	ExternalAppUserID             *string               `json:"external_app_user_id"`
}

// check answers 400 naming the first invalid field, as Box's
// invalid_parameter error does.
func (b *boxUserUpdate) check(w http.ResponseWriter) bool {
	bad := func(name, value string) bool {
		writeBoxParamError(w, name, value)
		return false
	}
	if b.Status != nil {
		switch models.UserStatus(*b.Status) {
		case models.UserStatusActive, models.UserStatusInactive, models.UserStatusCannotDeleteEdit, models.UserStatusCannotDeleteEditUpload:
		default:
			return bad("status", *b.Status)
		}
	}
	if b.Role != nil && *b.Role != string(models.UserRoleCoadmin) && *b.Role != string(models.UserRoleUser) {
		return bad("role", *b.Role)
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", b.Name, 50}, {"job_title", b.JobTitle, 100}, {"phone", b.Phone, 100}, {"address", b.Address, 255}} {
		if f.v != nil && utf8.RuneCountInString(*f.v) > f.max {
			return bad(f.name, *f.v)
		}
	}
	if b.Name != nil && strings.TrimSpace(*b.Name) == "" {
		return bad("name", *b.Name)
	}
	if b.Login != nil && !strings.Contains(*b.Login, "@") {
		return bad("login", *b.Login)
	}
	if raw := strings.TrimSpace(string(b.Enterprise)); raw != "" && raw != "null" {
		// Only rolling a user out (null) is modelled.
		return bad("enterprise", raw)
	}
	return true
}

func (s *boxStore) updateUser(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	u := s.findUser(w, r)
	if u == nil {
		return
	}
	var b boxUserUpdate
	if !decodeJSON(body, &b) {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Invalid JSON body")
		return
	}
	if !b.check(w) {
		return
	}
	var notification *models.UserNotificationEmail
	switch raw := strings.TrimSpace(string(b.NotificationEmail)); raw {
	case "", "null":
	default:
		var ne models.NotificationEmailUpdate
		if json.Unmarshal(b.NotificationEmail, &ne) != nil || !strings.Contains(ne.Email, "@") {
			writeBoxParamError(w, "notification_email", raw)
			return
		}
		notification = &models.UserNotificationEmail{Email: ne.Email}
	}
	if b.Login != nil && !strings.EqualFold(*b.Login, u.Login) && s.loginTaken(*b.Login) {
		writeBoxError(w, http.StatusConflict, "user_login_already_used", "User with the specified login already exists")
		return
	}

	reindex := (b.Login != nil && *b.Login != u.Login) || (b.Name != nil && *b.Name != u.Name)
	setString := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setBool := func(dst **bool, v *bool) {
		if v != nil {
			b := *v
			*dst = &b
		}
	}
	setString(&u.Name, b.Name)
	setString(&u.Login, b.Login)
	setString(&u.Language, b.Language)
	setString(&u.JobTitle, b.JobTitle)
	setString(&u.Phone, b.Phone)
	setString(&u.Address, b.Address)
	setString(&u.Timezone, b.Timezone)
	setString(&u.ExternalAppUserID, b.ExternalAppUserID)
	setString(&u.Role, b.Role)
	if b.Status != nil {
		u.Status = models.UserStatus(*b.Status)
	}
	setBool(&u.IsSyncEnabled, b.IsSyncEnabled)
	setBool(&u.CanSeeManagedUsers, b.CanSeeManagedUsers)
	setBool(&u.IsExternalCollabRestricted, b.IsExternalCollabRestricted)
	setBool(&u.IsExemptFromDeviceLimits, b.IsExemptFromDeviceLimits)
	setBool(&u.IsExemptFromLoginVerification, b.IsExemptFromLoginVerification)
	if b.SpaceAmount != nil {
		amount := *b.SpaceAmount
		u.SpaceAmount = &amount
	}
	if b.TrackingCodes != nil {
		codes := make([]models.TrackingCode, len(b.TrackingCodes))
		for i, c := range b.TrackingCodes {
			codes[i] = models.TrackingCode{Type: "tracking_code", Name: c.Name, Value: c.Value}
		}
		u.TrackingCodes = codes
	}
	switch strings.TrimSpace(string(b.NotificationEmail)) {
	case "":
	case "null":
		u.NotificationEmail = nil
	default:
		u.NotificationEmail = notification
	}
	at := now.Truncate(time.Second)
	u.ModifiedAt = &at
	if reindex {
		s.reindexUsers()
	}
	writeBoxUser(w, r, u)
	if strings.TrimSpace(string(b.Enterprise)) == "null" {
		// Rolled out into a free account: gone from the enterprise, with
		// their content.
		s.removeUser(u.ID)
	}
}

// loginTaken reports whether a user of the store has login (any case).
func (s *boxStore) loginTaken(login string) bool {
	for _, id := range s.userOrder {
		if strings.EqualFold(s.users[id].Login, login) {
			return true
		}
	}
	return false
}

// deleteUser answers DELETE /users/{user_id}: a user who owns content is
// refused unless force=true, as Box does (400 "User has managed
// content"); otherwise the user, their memberships and their content go.
func (s *boxStore) deleteUser(w http.ResponseWriter, r *http.Request, _ []byte) {
	u := s.findUser(w, r)
	if u == nil {
		return
	}
	force, ok := boxBoolParam(w, r, "force")
	if !ok {
		return
	}
	if _, ok := boxBoolParam(w, r, "notify"); !ok {
		return
	}
	if s.owned[u.ID] > 0 && !force {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "User has managed content")
		return
	}
	s.removeUser(u.ID)
	w.WriteHeader(http.StatusNoContent)
}

// removeUser drops a user from the enterprise with their memberships,
// content and sessions.
func (s *boxStore) removeUser(id string) {
	for _, m := range slices.Clone(s.byUser[id]) {
		s.remove(m)
	}
	delete(s.users, id)
	delete(s.owned, id)
	delete(s.sessions, id)
	s.userOrder = slices.DeleteFunc(s.userOrder, func(x string) bool { return x == id })
	s.reindexUsers()
}

// boxTransferBody is the body of PUT /users/{user_id}/folders/0.
type boxTransferBody struct {
	OwnedBy *models.Ref `json:"owned_by"`
}

// transfer answers PUT /users/{user_id}/folders/0: the user's items move
// into a new folder of the destination user's root, which is returned.
// Each transfer creates a folder, even of an account that owns nothing
// any more, as a repeated call does on Box.
func (s *boxStore) transfer(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	from := s.findUser(w, r)
	if from == nil {
		return
	}
	if _, ok := boxBoolParam(w, r, "notify"); !ok {
		return
	}
	var b boxTransferBody
	if !decodeJSON(body, &b) || b.OwnedBy == nil || b.OwnedBy.ID == "" {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "owned_by is required")
		return
	}
	to, ok := s.users[b.OwnedBy.ID]
	switch {
	case !ok:
		writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
		return
	case to.ID == from.ID:
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Cannot transfer a user's content to themselves")
		return
	}
	items := s.owned[from.ID]
	s.owned[from.ID], s.owned[to.ID] = 0, s.owned[to.ID]+items
	for _, u := range []*models.User{from, to} {
		used := s.owned[u.ID] * boxItemBytes
		u.SpaceUsed = &used
	}
	at := now.Truncate(time.Second)
	size, owner, none := items*boxItemBytes, to.Mini(), false
	folder := &models.Folder{
		ID: strconv.FormatInt(s.nextFolderID, 10), Type: "folder", ETag: "0", SequenceID: "0",
		Name: fmt.Sprintf("%s's Files and Folders", from.Name), Size: &size,
		CreatedAt: &at, ModifiedAt: &at, ContentCreatedAt: &at, ContentModifiedAt: &at,
		PathCollection: &models.FolderPath{TotalCount: 1, Entries: []models.FolderMini{boxRootFolder}},
		CreatedBy:      &owner, ModifiedBy: &owner, OwnedBy: &owner, Parent: &boxRootFolder,
		ItemStatus: "active", HasCollaborations: &none,
	}
	s.nextFolderID++
	writeJSON(w, http.StatusOK, boxFields(folder, r.URL.Query().Get("fields"), "id", "type", "etag", "sequence_id", "name"))
}

// boxTerminateBody is the body of POST /users/terminate_sessions.
type boxTerminateBody struct {
	UserIDs    []string `json:"user_ids"`
	UserLogins []string `json:"user_logins"`
}

// terminateSessions answers POST /users/terminate_sessions: every named
// user's sessions end, and the answer is 202 with Box's message. An
// unknown id or login is a 404, and nothing ends.
func (s *boxStore) terminateSessions(w http.ResponseWriter, _ *http.Request, body []byte) {
	var b boxTerminateBody
	if !decodeJSON(body, &b) {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Supported payload format is JSON")
		return
	}
	if len(b.UserIDs) == 0 && len(b.UserLogins) == 0 {
		writeBoxError(w, http.StatusBadRequest, "bad_request", "Users can not be NULL or EMPTY")
		return
	}
	ids := slices.Clone(b.UserIDs)
	for _, id := range ids {
		if _, ok := s.users[id]; !ok {
			writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
			return
		}
	}
	for _, login := range b.UserLogins {
		id, ok := s.userByLogin(login)
		if !ok {
			writeBoxError(w, http.StatusNotFound, "not_found", "Not Found")
			return
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		s.sessions[id] = 0
	}
	writeJSON(w, http.StatusAccepted, models.SessionTerminationMessage{
		Message: "Request is successful, please check the admin events for the status of the job",
	})
}

// userByLogin finds the user whose login is login (any case), through
// the prefix index when it can.
func (s *boxStore) userByLogin(login string) (string, bool) {
	candidates := s.userOrder
	if login != "" && !s.nonASCII && isASCII(login) {
		candidates = s.usersStarting(login)
	}
	for _, id := range candidates {
		if strings.EqualFold(s.users[id].Login, login) {
			return id, true
		}
	}
	return "", false
}
