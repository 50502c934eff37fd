package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
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
