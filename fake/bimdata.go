package fake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// Demo BIMData data: the invitations received by the identity provider and
// the users it manages. DemoPersonEmail is also a user, with a pending
// invitation of their own.
const (
	// BIMDataDemoInvitationID is a pending demo invitation to a project,
	// for user@example.com (BIMDataDemoUserEmail, who already exists).
	BIMDataDemoInvitationID = 123
	// BIMDataDemoCloudInvitationID is a pending demo invitation to a cloud
	// only: its project name, project role and sender are null.
	BIMDataDemoCloudInvitationID = 124
	// BIMDataDemoAcceptedInvitationID is a demo invitation already
	// accepted: accepting or denying it again is answered 400.
	BIMDataDemoAcceptedInvitationID = 127
	// BIMDataDemoDeniedInvitationID is a demo invitation already denied:
	// it can still be accepted, but not denied again.
	BIMDataDemoDeniedInvitationID = 128
	// BIMDataDemoUserEmail is a demo BIMData user that DeleteUser can
	// delete.
	BIMDataDemoUserEmail = "user@example.com"
)

// bimDataStore is the fake BIMData state: the invitations sent to one
// identity provider, the BIMData users it manages, and the clouds and
// projects those users belong to.
type bimDataStore struct {
	invitations []models.BIMDataInvitation // ordered by id
	users       map[string]bool            // lower-cased emails
	collab      collaboration
}

// newBIMData builds the BIMData store and how the fake serves it.
func (f *Fake) newBIMData() *vendor {
	s := &bimDataStore{users: map[string]bool{}}
	f.bim = s
	if f.demo {
		s.seed()
		s.collab.seed(f.now())
	}
	if f.generatedPeople > 0 {
		s.seedPeople(f.now(), f.generatedPeople)
	}
	handlers := map[string]handler{
		"AcceptInvitation": s.accept,
		"DenyInvitation":   s.deny,
		"GetInvitation": func(w http.ResponseWriter, r *http.Request, _ []byte) {
			if inv := s.find(w, r); inv != nil {
				writeJSON(w, http.StatusOK, bimDataWire(*inv))
			}
		},
		"GetInvitations": s.list,
		"DeleteUser":     s.deleteUser,
	}
	maps.Copy(handlers, s.collab.handlers())
	return &vendor{
		api:           invitations.BIMData,
		prefix:        BIMDataPrefix,
		authorization: []string{"Bearer " + BIMDataAccessToken, "ApiKey " + BIMDataAPIKey},
		errorBody:     bimDataError,
		demo: func() map[string]string {
			return map[string]string{
				"invitation_id": strconv.Itoa(BIMDataDemoInvitationID), "cloud_invitation_id": strconv.Itoa(BIMDataDemoCloudInvitationID),
				"accepted_invitation_id": strconv.Itoa(BIMDataDemoAcceptedInvitationID), "denied_invitation_id": strconv.Itoa(BIMDataDemoDeniedInvitationID),
				"user_email": BIMDataDemoUserEmail, "person_email": DemoPersonEmail,
				"cloud_id": strconv.Itoa(BIMDataDemoCloudID), "project_id": strconv.Itoa(BIMDataDemoProjectID),
				"person_user_id": strconv.Itoa(BIMDataDemoPersonUserID), "person_project_user_id": strconv.Itoa(BIMDataDemoPersonProjectUserID),
				"cloud_user_invitation_id":   strconv.Itoa(BIMDataDemoCloudUserInvitationID),
				"project_user_invitation_id": strconv.Itoa(BIMDataDemoProjectUserInvitationID),
			}
		},
		handlers: handlers,
	}
}

func (s *bimDataStore) seed() {
	str := func(v string) *string { return &v }
	role := func(v models.BIMDataRole) *models.BIMDataRole { return &v }
	const app = "111111"
	s.invitations = []models.BIMDataInvitation{
		{
			ID: BIMDataDemoInvitationID, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/12/project/15",
			CloudName: "Awesome Cloud", CloudRole: models.BIMDataRoleUser, Email: BIMDataDemoUserEmail,
			ProjectName: str("Awesome Project"), ProjectRole: role(models.BIMDataRoleAdmin),
			Status: models.BIMDataInvitationStatusPending, SenderProviderSub: str("12345678-564798-8789-784563"),
		},
		{
			ID: BIMDataDemoCloudInvitationID, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/12",
			CloudName: "Awesome Cloud", CloudRole: models.BIMDataRoleAdmin, Email: "admin@example.com",
			Status: models.BIMDataInvitationStatusPending,
		},
		{
			ID: 125, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/12/project/16",
			CloudName: "Awesome Cloud", CloudRole: models.BIMDataRoleUser, Email: "guest@example.com",
			ProjectName: str("Site Survey"), ProjectRole: role(models.BIMDataRoleGuest),
			Status: models.BIMDataInvitationStatusPending, SenderProviderSub: str("12345678-564798-8789-784563"),
		},
		{
			ID: 126, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/31/project/40",
			CloudName: "Harbour Works", CloudRole: models.BIMDataRoleUser, Email: DemoPersonEmail,
			ProjectName: str("Quay Extension"), ProjectRole: role(models.BIMDataRoleUser),
			Status: models.BIMDataInvitationStatusPending, SenderProviderSub: str("a1b2c3d4-0000-4000-8000-000000000126"),
		},
		{
			ID: BIMDataDemoAcceptedInvitationID, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/31",
			CloudName: "Harbour Works", CloudRole: models.BIMDataRoleUser, Email: "architect@example.com",
			Status: models.BIMDataInvitationStatusAccepted, SenderProviderSub: str("a1b2c3d4-0000-4000-8000-000000000127"),
		},
		{
			ID: BIMDataDemoDeniedInvitationID, ClientID: app, RedirectURI: "https://platform.bimdata.io/cloud/31/project/41",
			CloudName: "Harbour Works", CloudRole: models.BIMDataRoleUser, Email: "contractor@example.com",
			ProjectName: str("Dry Dock"), ProjectRole: role(models.BIMDataRoleGuest),
			Status: models.BIMDataInvitationStatusDenied,
		},
	}
	for _, email := range []string{BIMDataDemoUserEmail, DemoPersonEmail, "architect@example.com", "owner@example.com"} {
		s.users[strings.ToLower(email)] = true
	}
}

// seedPeople adds a pending invitation to the demo cloud for each of n
// people, person000001@example.com and on (WithGeneratedPeople), numbered
// after the invitations already there so that the list stays ordered by
// id. BIMData invitations carry no date: the time is taken only for the
// shape the seed functions share.
func (s *bimDataStore) seedPeople(_ time.Time, n int) {
	next := int64(1)
	if len(s.invitations) > 0 {
		next = s.invitations[len(s.invitations)-1].ID + 1
	}
	s.invitations = slices.Grow(s.invitations, n)
	for i := range n {
		s.invitations = append(s.invitations, models.BIMDataInvitation{
			ID: next + int64(i), ClientID: "111111", RedirectURI: "https://platform.bimdata.io/cloud/12",
			CloudName: "Awesome Cloud", CloudRole: models.BIMDataRoleUser, Email: fmt.Sprintf("person%06d@example.com", i+1),
			Status: models.BIMDataInvitationStatusPending,
		})
	}
}

// bimDataInvitationWire is models.BIMDataInvitation as the API sends it:
// the optional fields are present as null rather than left out.
type bimDataInvitationWire struct {
	ID                int64                          `json:"id"`
	ClientID          models.BIMDataClientID         `json:"client_id"`
	RedirectURI       string                         `json:"redirect_uri"`
	CloudName         string                         `json:"cloud_name"`
	CloudRole         models.BIMDataRole             `json:"cloud_role"`
	Email             string                         `json:"email"`
	ProjectName       *string                        `json:"project_name"`
	ProjectRole       *models.BIMDataRole            `json:"project_role"`
	Status            models.BIMDataInvitationStatus `json:"status"`
	SenderProviderSub *string                        `json:"sender_provider_sub"`
}

func bimDataWire(inv models.BIMDataInvitation) bimDataInvitationWire {
	return bimDataInvitationWire(inv)
}

// bimDataError renders a Django REST framework error: {"detail": "..."},
// with DRF's stock messages for the common statuses.
func bimDataError(status int, _, message string) any {
	switch {
	case status == http.StatusBadRequest:
		message = "Invalid input."
	case status == http.StatusUnauthorized:
		message = "Authentication credentials were not provided."
	case status == http.StatusForbidden:
		message = "You do not have permission to perform this action."
	case status == http.StatusNotFound:
		message = "Not found."
	case status == http.StatusTooManyRequests:
		message = "Request was throttled."
	case status >= 500:
		message = "A server error occurred."
	}
	return map[string]string{"detail": message}
}

func bimDataDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, map[string]string{"detail": detail})
}

// find resolves the {id} path value, answering 404 itself when there is
// no such invitation (DRF answers a malformed id the same way). The
// invitations are ordered by id: a binary search finds it.
func (s *bimDataStore) find(w http.ResponseWriter, r *http.Request) *models.BIMDataInvitation {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err == nil {
		i, ok := slices.BinarySearchFunc(s.invitations, id, func(inv models.BIMDataInvitation, id int64) int { return cmp.Compare(inv.ID, id) })
		if ok {
			return &s.invitations[i]
		}
	}
	bimDataDetail(w, http.StatusNotFound, "Not found.")
	return nil
}

// accept moves a pending or denied invitation to accepted (BIMData lets a
// denied invitation be accepted later). Accepting one already accepted is
// a 400: the decision has been taken.
func (s *bimDataStore) accept(w http.ResponseWriter, r *http.Request, _ []byte) {
	inv := s.find(w, r)
	if inv == nil {
		return
	}
	if inv.Status == models.BIMDataInvitationStatusAccepted {
		bimDataDetail(w, http.StatusBadRequest, "This invitation has already been accepted.")
		return
	}
	inv.Status = models.BIMDataInvitationStatusAccepted
	w.WriteHeader(http.StatusNoContent)
}

// deny moves a pending invitation to denied. Only a pending invitation
// can be denied: an accepted one has already added the user, and a denied
// one is denied already; both are a 400.
func (s *bimDataStore) deny(w http.ResponseWriter, r *http.Request, _ []byte) {
	inv := s.find(w, r)
	if inv == nil {
		return
	}
	switch inv.Status {
	case models.BIMDataInvitationStatusAccepted:
		bimDataDetail(w, http.StatusBadRequest, "This invitation has already been accepted.")
		return
	case models.BIMDataInvitationStatusDenied:
		bimDataDetail(w, http.StatusBadRequest, "This invitation has already been denied.")
		return
	}
	inv.Status = models.BIMDataInvitationStatusDenied
	w.WriteHeader(http.StatusNoContent)
}

// list answers every invitation as a bare array, unpaginated, filtered by
// ?status= like a django-filter choice filter: an empty value means no
// filter and one outside the current choices (A, D, P; not the "W" of
// 2019 documents) is a 400 field error.
func (s *bimDataStore) list(w http.ResponseWriter, r *http.Request, _ []byte) {
	status := models.BIMDataInvitationStatus(r.URL.Query().Get("status"))
	switch status {
	case "", models.BIMDataInvitationStatusAccepted, models.BIMDataInvitationStatusDenied,
		models.BIMDataInvitationStatusPending:
	default:
		writeJSON(w, http.StatusBadRequest, map[string][]string{
			"status": {fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", status)},
		})
		return
	}
	out := make([]bimDataInvitationWire, 0, len(s.invitations))
	for _, inv := range s.invitations {
		if status == "" || inv.Status == status {
			out = append(out, bimDataWire(inv))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// deleteUser deletes the user named by the JSON body {"email": ...},
// validated the way a DRF serializer with a required EmailField does.
func (s *bimDataStore) deleteUser(w http.ResponseWriter, _ *http.Request, body []byte) {
	email, ok := bimDataSelectUser(w, body)
	if !ok {
		return
	}
	key := strings.ToLower(email)
	if !s.users[key] {
		bimDataDetail(w, http.StatusNotFound, "Not found.")
		return
	}
	delete(s.users, key)
	// A deleted user leaves every cloud and project.
	s.collab.forget(key)
	w.WriteHeader(http.StatusNoContent)
}

// bimDataSelectUser reads the SelectUserRequest body, answering DRF's 400
// itself when it is not valid: a parse error as {"detail": ...}, anything
// else as a field error map.
func bimDataSelectUser(w http.ResponseWriter, body []byte) (string, bool) {
	fieldError := func(field, msg string) (string, bool) {
		writeJSON(w, http.StatusBadRequest, map[string][]string{field: {msg}})
		return "", false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		// DRF reads an empty body as an empty form.
		return fieldError("email", "This field is required.")
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		bimDataDetail(w, http.StatusBadRequest, "JSON parse error - "+err.Error())
		return "", false
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fieldError("non_field_errors", "Invalid data. Expected a dictionary, but got "+jsonTypeName(doc)+".")
	}
	raw, present := obj["email"]
	if !present {
		return fieldError("email", "This field is required.")
	}
	var email string
	switch v := raw.(type) {
	case nil:
		return fieldError("email", "This field may not be null.")
	case string:
		email = strings.TrimSpace(v) // DRF's CharField trims whitespace
	case float64:
		email = strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fieldError("email", "Not a valid string.")
	}
	if email == "" {
		return fieldError("email", "This field may not be blank.")
	}
	if !validDjangoEmail(email) {
		return fieldError("email", "Enter a valid email address.")
	}
	return email, true
}

// jsonTypeName names a decoded JSON value the way DRF names the Python
// type it decodes to.
func jsonTypeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case float64:
		return "float"
	case bool:
		return "bool"
	}
	return "NoneType"
}

var (
	djangoEmailUser   = regexp.MustCompile(`(?i)^[-!#$%&'*+/=?^_` + "`" + `{}|~0-9a-z]+(\.[-!#$%&'*+/=?^_` + "`" + `{}|~0-9a-z]+)*$`)
	djangoEmailDomain = regexp.MustCompile(`(?i)^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)
)

// validDjangoEmail approximates Django's EmailValidator for unquoted
// addresses: a dot-atom local part, and a domain that is "localhost" or
// has a top-level label of two or more characters. It is stricter than
// net/mail, which accepts a bare host such as "someone@intranet".
func validDjangoEmail(email string) bool {
	if len(email) > 320 {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return false
	}
	user, domain := email[:at], email[at+1:]
	if !djangoEmailUser.MatchString(user) {
		return false
	}
	if strings.EqualFold(domain, "localhost") {
		return true
	}
	return djangoEmailDomain.MatchString(domain) && !strings.HasSuffix(domain, "-") &&
		!slices.ContainsFunc(strings.Split(domain, "."), func(label string) bool { return len(label) > 63 })
}
