package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// BIMData identity-provider invitations (https://api.bimdata.io/identity-provider/...).

// BIMDataInvitationStatus is the state of a BIMData invitation, also used
// to filter GET /identity-provider/invitation.
type BIMDataInvitationStatus string

// The current invitation statuses (BIMData's API documents list A, D and
// P). An invitation starts Pending; a Denied one can still be accepted
// later. Any other value, such as the "W" of 2019 documents, still
// decodes as it is.
const (
	BIMDataInvitationStatusAccepted BIMDataInvitationStatus = "A"
	BIMDataInvitationStatusDenied   BIMDataInvitationStatus = "D"
	BIMDataInvitationStatusPending  BIMDataInvitationStatus = "P"
)

// BIMDataInvitationStatusWaiting ("accepted, waiting for the user's first
// login") appears only in BIMData's 2019 API documents; current servers
// neither send it nor accept it as a filter.
//
// Deprecated: not a current status. Compare with the literal "W" if old
// data must be recognised.
const BIMDataInvitationStatusWaiting BIMDataInvitationStatus = "W"

// BIMDataRole is a cloud or project role, sent as a JSON integer.
type BIMDataRole int

// Known roles. Guest exists for projects only.
const (
	BIMDataRoleAdmin BIMDataRole = 100
	BIMDataRoleUser  BIMDataRole = 50
	BIMDataRoleGuest BIMDataRole = 25
)

// BIMDataClientID is the id of the application that created an
// invitation. The current API sends it as a JSON integer (111111); older
// versions sent a string ("111111"). Both decode, and the text is kept as
// sent.
type BIMDataClientID string

// UnmarshalJSON accepts a JSON number, a JSON string or null (empty).
func (c *BIMDataClientID) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*c = ""
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*c = BIMDataClientID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("BIMData client_id: want a number or a string, got %s", data)
	}
	*c = BIMDataClientID(n.String())
	return nil
}

// MarshalJSON writes an integer id as a JSON number, as the current API
// does, and any other id as a string.
func (c BIMDataClientID) MarshalJSON() ([]byte, error) {
	// Only a canonical integer ("5", not "+5" or "007") is valid JSON as a bare number.
	if n, err := strconv.ParseInt(string(c), 10, 64); err == nil && strconv.FormatInt(n, 10) == string(c) {
		return []byte(c), nil
	}
	return json.Marshal(string(c))
}

// Int64 returns the id as an integer, and false when it is not one.
func (c BIMDataClientID) Int64() (int64, bool) {
	n, err := strconv.ParseInt(string(c), 10, 64)
	return n, err == nil
}

// BIMDataInvitation is an invitation received by an identity provider
// (the response of both invitation GETs). The same id is reused when the
// invitation is resent.
type BIMDataInvitation struct {
	ID int64 `json:"id"`
	// ClientID is the application that created the invitation.
	ClientID BIMDataClientID `json:"client_id"`
	// RedirectURI is where the user lands after accepting.
	RedirectURI string `json:"redirect_uri"`
	CloudName   string `json:"cloud_name"`
	// CloudRole is the role the user gets in the cloud on acceptance.
	CloudRole BIMDataRole `json:"cloud_role"`
	// Email is the invitee's address.
	Email string `json:"email"`
	// ProjectName is nil when the invitation is for the cloud only.
	ProjectName *string `json:"project_name,omitempty"`
	// ProjectRole is nil when the invitation is for the cloud only.
	ProjectRole *BIMDataRole `json:"project_role,omitempty"`
	// Status is empty when the API omits it.
	Status BIMDataInvitationStatus `json:"status,omitempty"`
	// SenderProviderSub is the sender's OIDC sub (or SAML equivalent) as
	// given by the identity provider itself, not the broker's; nil when an
	// application sent the invitation.
	SenderProviderSub *string `json:"sender_provider_sub,omitempty"`
}

// BIMDataSelectUserRequest is the body of DELETE /identity-provider/user.
type BIMDataSelectUserRequest struct {
	// Email of the user to delete. Required.
	Email string `json:"email"`
}

// BIMData collaboration: clouds, their users and invitations, and those of
// their projects (https://api.bimdata.io/cloud/...). Field names are those
// of BIMData's current generated clients (python-api-client 10.x), which
// differ in places from the 2021 API document; see each type.

// BIMDataCloud is a cloud the caller belongs to (GET /cloud): a user's
// clouds, or those an application was given access to.
type BIMDataCloud struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// IsDefault marks the cloud BIMData created for its user at sign-up.
	IsDefault bool `json:"is_default,omitempty"`
	// CreatorApp is the application that created the cloud, nil when a
	// person did.
	CreatorApp *string `json:"creator_app,omitempty"`
	// Image is the cloud's picture, nil when it has none.
	Image     *string    `json:"image,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// BIMDataCloudUser is a member of a cloud: an element of
// GET /cloud/{cloud_pk}/user (UserCloud) and the answer of
// PATCH /cloud/{cloud_pk}/user/{id} (User). ID is the user's id, which
// UpdateCloudUser and DeleteCloudUser take.
type BIMDataCloudUser struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	// Firstname, Lastname, ProfilePicture and Sub are nil when the user
	// has none (BIMData's current clients declare them nullable).
	Firstname      *string `json:"firstname,omitempty"`
	Lastname       *string `json:"lastname,omitempty"`
	ProfilePicture *string `json:"profile_picture,omitempty"`
	// Sub is the user's subject at BIMData's identity broker (Keycloak).
	Sub *string `json:"sub,omitempty"`
	// Provider is the identity provider the user signs in with.
	Provider string `json:"provider,omitempty"`
	// CloudRole is BIMDataRoleAdmin or BIMDataRoleUser.
	CloudRole BIMDataRole `json:"cloud_role"`
	// InAllProjects is true for a user added to every project of the
	// cloud, present and future.
	InAllProjects bool       `json:"in_all_projects,omitempty"`
	CreatedAt     *time.Time `json:"created_at,omitempty"`
	UpdatedAt     *time.Time `json:"updated_at,omitempty"`
}

// BIMDataUpdateCloudUserRequest is the body of
// PATCH /cloud/{cloud_pk}/user/{id}. BIMData renamed its field from "role"
// (the 2021 document) to "cloud_role" in 2022; the SDK sends "cloud_role",
// as BIMData's current clients do.
type BIMDataUpdateCloudUserRequest struct {
	// CloudRole is the new role: BIMDataRoleAdmin or BIMDataRoleUser.
	CloudRole BIMDataRole `json:"cloud_role"`
}

// BIMDataProjectUser is a member of a project: an element of
// GET /cloud/{cloud_pk}/project/{project_pk}/user and the answer of its
// PATCH (UserProject). ID is the project membership's id, not the user's:
// UpdateProjectUser and DeleteProjectUser take it.
type BIMDataProjectUser struct {
	// ID identifies the membership in the project.
	ID int64 `json:"id"`
	// UserID is the user's id (BIMDataCloudUser.ID); nil, with
	// InvitationID set, for a person invited who has no account yet
	// (BIMData's clients declare both nullable).
	UserID       *int64 `json:"user_id,omitempty"`
	InvitationID *int64 `json:"invitation_id,omitempty"`
	Email        string `json:"email"`
	// Firstname, Lastname, ProfilePicture and Sub are nil when the user
	// has none.
	Firstname      *string `json:"firstname,omitempty"`
	Lastname       *string `json:"lastname,omitempty"`
	ProfilePicture *string `json:"profile_picture,omitempty"`
	Sub            *string `json:"sub,omitempty"`
	// Role is the role in the project: admin, user or guest.
	Role BIMDataRole `json:"role"`
	// CloudRole is the role in the project's cloud.
	CloudRole     BIMDataRole `json:"cloud_role,omitempty"`
	InAllProjects bool        `json:"in_all_projects,omitempty"`
}

// BIMDataUpdateProjectUserRequest is the body of
// PATCH /cloud/{cloud_pk}/project/{project_pk}/user/{id}.
type BIMDataUpdateProjectUserRequest struct {
	// Role is the new role: BIMDataRoleAdmin, BIMDataRoleUser or
	// BIMDataRoleGuest.
	Role BIMDataRole `json:"role"`
}

// BIMDataCloudInvitation is a pending invitation to a cloud
// (GET and POST /cloud/{cloud_pk}/invitation).
type BIMDataCloudInvitation struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	RedirectURI string `json:"redirect_uri"`
	// Role is the cloud role the invitee gets.
	Role BIMDataRole `json:"role"`
	// ProjectRole is the role the invitee gets in every project when
	// InAllProjects is set; nil otherwise.
	ProjectRole   *BIMDataRole `json:"project_role,omitempty"`
	InAllProjects bool         `json:"in_all_projects,omitempty"`
}

// BIMDataCloudInvitationRequest is the body of
// POST /cloud/{cloud_pk}/invitation (CloudInvitationRequest).
type BIMDataCloudInvitationRequest struct {
	// Email is the invitee's address. Required.
	Email string `json:"email"`
	// RedirectURI is where the invitee lands after accepting. Required.
	RedirectURI string `json:"redirect_uri"`
	// Role is the cloud role: BIMDataRoleAdmin or BIMDataRoleUser.
	// Required by the SDK: BIMData makes an invitee without one an
	// administrator.
	Role BIMDataRole `json:"role"`
	// ProjectRole, with InAllProjects, is the role a non-admin invitee
	// gets in every project of the cloud.
	ProjectRole *BIMDataRole `json:"project_role,omitempty"`
	// InAllProjects invites a non-admin user into every existing project
	// too; ProjectRole is then required.
	InAllProjects bool `json:"in_all_projects,omitempty"`
}

// BIMDataProjectInvitation is a pending invitation to a project
// (GET and POST /cloud/{cloud_pk}/project/{project_pk}/invitation).
type BIMDataProjectInvitation struct {
	ID          int64  `json:"id"`
	Email       string `json:"email"`
	RedirectURI string `json:"redirect_uri"`
	// Role is the project role the invitee gets.
	Role BIMDataRole `json:"role"`
}

// BIMDataProjectInvitationRequest is the body of
// POST /cloud/{cloud_pk}/project/{project_pk}/invitation.
type BIMDataProjectInvitationRequest struct {
	// Email is the invitee's address. Required.
	Email string `json:"email"`
	// RedirectURI is where the invitee lands after accepting. Required.
	RedirectURI string `json:"redirect_uri"`
	// Role is the project role: admin, user or guest. Required.
	Role BIMDataRole `json:"role"`
}
