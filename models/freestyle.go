package models

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"
)

// Freestyle identities, access tokens and git and VM permissions
// (https://api.freestyle.sh/identity/v1). Every JSON name is camelCase on
// the wire. Ids are UUID strings, except VM ids, which are opaque strings.

// GitAccessLevel is an identity's access to a Freestyle git repository
// (the API's AccessLevel).
type GitAccessLevel string

// Known git access levels.
const (
	GitAccessLevelRead  GitAccessLevel = "read"
	GitAccessLevelWrite GitAccessLevel = "write"
)

// RepositoryVisibility says whether a Freestyle git repository is public.
type RepositoryVisibility string

// Known repository visibilities.
const (
	RepositoryVisibilityPublic  RepositoryVisibility = "public"
	RepositoryVisibilityPrivate RepositoryVisibility = "private"
)

// FreestyleIdentity is an identity: a principal that can be given access
// tokens and git and VM permissions. Managed identities are created by
// Freestyle itself and cannot be deleted or modified.
type FreestyleIdentity struct {
	ID      string `json:"id"`
	Managed bool   `json:"managed"`
}

// ListIdentitiesSuccess is one page of GET /identity/v1/identities.
type ListIdentitiesSuccess struct {
	Identities []FreestyleIdentity `json:"identities"`
	// Offset echoes the offset of the page.
	Offset int64 `json:"offset"`
	// Total is the number of identities in the whole list.
	Total int64 `json:"total"`
}

// CreatedToken is the answer to POST /identity/v1/identities/{identity}/tokens.
// The secret is returned only by that call and cannot be listed or fetched
// again: store it at once with Token.Reveal().
type CreatedToken struct {
	// ID identifies the token, for example to revoke it.
	ID string `json:"id"`
	// Token is the secret. It prints and logs as "[REDACTED]"; read it
	// with Reveal.
	Token TokenSecret `json:"token"`
}

// LogValue makes slog record the token id and a redacted secret.
func (t CreatedToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", t.ID), slog.Any("token", t.Token))
}

// AccessTokenInfo is an identity's access token as listed: its id only,
// never the secret.
type AccessTokenInfo struct {
	ID string `json:"id"`
}

// ListGitTokensSuccess is the answer to GET /identity/v1/identities/{identity}/tokens.
type ListGitTokensSuccess struct {
	Tokens []AccessTokenInfo `json:"tokens"`
}

// DescribeGitPermissionSuccess is an identity's access to one repository.
type DescribeGitPermissionSuccess struct {
	// Identity is the identity id.
	Identity string `json:"identity"`
	// Repo is the repository id.
	Repo string `json:"repo"`
	// AccessLevel is nil when the API sends null, that is when the
	// identity has no access to the repository.
	AccessLevel *GitAccessLevel `json:"accessLevel,omitempty"`
}

// AccessibleRepository is a repository an identity can access, with the
// identity's access level.
type AccessibleRepository struct {
	ID string `json:"id"`
	// Name is nil for a repository without a name.
	Name      *string `json:"name"`
	AccountID string  `json:"accountId"`
	// Permissions is the identity's single access level on the repository,
	// despite the plural name.
	Permissions GitAccessLevel       `json:"permissions"`
	Visibility  RepositoryVisibility `json:"visibility"`
}

// ListGitPermissionSuccess is one page of
// GET /identity/v1/identities/{identity}/permissions/git. It carries no
// total: the list ends on a page shorter than the limit asked for.
type ListGitPermissionSuccess struct {
	Repositories []AccessibleRepository `json:"repositories"`
}

// GrantGitPermissionRequest is the body of
// POST /identity/v1/identities/{identity}/permissions/git/{repo}.
type GrantGitPermissionRequest struct {
	// Permission to grant. Required.
	Permission GitAccessLevel `json:"permission"`
}

// UpdateGitPermissionRequest is the body of
// PUT /identity/v1/identities/{identity}/permissions/git/{repo}.
type UpdateGitPermissionRequest struct {
	// Permission to set. Required.
	Permission GitAccessLevel `json:"permission"`
}

// VMPermission is an identity's permission on one VM, which also lets it
// SSH into the VM.
type VMPermission struct {
	ID         string `json:"id"`
	VMID       string `json:"vmId"`
	IdentityID string `json:"identityId"`
	// AllowedUsers lists the Linux users the identity may act and SSH as.
	// Null or absent means any user: see AllowsAnyUser.
	AllowedUsers Nullable[[]string] `json:"allowedUsers,omitzero"`
	GrantedAt    time.Time          `json:"grantedAt"`
	// GrantedBy is the id of who granted the permission.
	GrantedBy string `json:"grantedBy"`
}

// AllowsAnyUser reports whether the identity may act as any Linux user on
// the VM (allowedUsers null or absent), rather than only those listed.
func (p *VMPermission) AllowsAnyUser() bool {
	_, restricted := p.AllowedUsers.Get()
	return !restricted
}

// ListVMPermissionsSuccess is one page of
// GET /identity/v1/identities/{identity}/permissions/vm.
type ListVMPermissionsSuccess struct {
	Permissions []VMPermission `json:"permissions"`
	// Offset echoes the offset of the page.
	Offset int64 `json:"offset"`
	// Total is the number of permissions in the whole list.
	Total int64 `json:"total"`
}

// GrantVMPermissionRequest is the body of
// POST /identity/v1/identities/{identity}/permissions/vm/{vm_id}.
type GrantVMPermissionRequest struct {
	// AllowedUsers restricts the Linux users the identity may SSH as:
	// Value(list) allows only those users; Null() allows every user, as
	// does leaving it absent (the zero value, not sent). A Value holding a
	// nil slice is sent as an empty list, never as null, so a list that
	// happens to be empty can never widen access to every user.
	AllowedUsers Nullable[[]string] `json:"allowedUsers,omitzero"`
}

// MarshalJSON sends AllowedUsers as described on the field.
func (r GrantVMPermissionRequest) MarshalJSON() ([]byte, error) {
	type wire GrantVMPermissionRequest
	w := wire(r)
	w.AllowedUsers = listNeverNull(r.AllowedUsers)
	return json.Marshal(w)
}

// UpdateAllowedUsersRequest is the body of
// PUT /identity/v1/identities/{identity}/permissions/vm/{vm_id}
// (UpdateAllowedUsersRequestBody).
type UpdateAllowedUsersRequest struct {
	// AllowedUsers is required: Null() allows every Linux user (sent as
	// "allowedUsers": null); Value(list) allows only those users. A Value
	// holding a nil slice is sent as an empty list, never as null.
	AllowedUsers Nullable[[]string] `json:"allowedUsers,omitzero"`
}

// MarshalJSON sends AllowedUsers as described on the field.
func (r UpdateAllowedUsersRequest) MarshalJSON() ([]byte, error) {
	type wire UpdateAllowedUsersRequest
	w := wire(r)
	w.AllowedUsers = listNeverNull(r.AllowedUsers)
	return json.Marshal(w)
}

// listNeverNull turns Value(nil) into Value([]string{}): encoding/json
// writes a nil slice as null, which here would mean "every user".
func listNeverNull(n Nullable[[]string]) Nullable[[]string] {
	if v, ok := n.Get(); ok && v == nil {
		return Value([]string{})
	}
	return n
}

// redacted is what a TokenSecret prints instead of the secret.
const redacted = "[REDACTED]"

// TokenSecret holds a secret the API returns once, such as a Freestyle
// identity access token. It never shows the secret through fmt (every
// verb, including %v, %+v, %#v and %x, also inside structs, maps and
// slices), slog, or encoding/json: all of them write "[REDACTED]". Reveal
// returns the secret itself, for storing it or sending it on; encode what
// Reveal returns when you need the secret in JSON.
//
// The zero TokenSecret holds no secret and prints as "".
type TokenSecret struct {
	// The pointer keeps the secret out of reflection-based printing: fmt
	// prints a nested pointer as an address, even through unexported
	// fields where no method can be called.
	secret *string
}

// NewTokenSecret wraps s, for example to build a CreatedToken in a test.
func NewTokenSecret(s string) TokenSecret { return TokenSecret{secret: &s} }

// Reveal returns the secret.
func (t TokenSecret) Reveal() string {
	if t.secret == nil {
		return ""
	}
	return *t.secret
}

// IsZero reports whether there is no secret.
func (t TokenSecret) IsZero() bool { return t.secret == nil || *t.secret == "" }

func (t TokenSecret) masked() string {
	if t.IsZero() {
		return ""
	}
	return redacted
}

// String returns "[REDACTED]".
func (t TokenSecret) String() string { return t.masked() }

// GoString returns "[REDACTED]", so %#v hides the secret too.
func (t TokenSecret) GoString() string { return t.masked() }

// Format writes "[REDACTED]" for every fmt verb.
func (t TokenSecret) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, strconv.Quote(t.masked()))
		return
	}
	_, _ = io.WriteString(f, t.masked())
}

// LogValue makes slog record "[REDACTED]".
func (t TokenSecret) LogValue() slog.Value { return slog.StringValue(t.masked()) }

// MarshalJSON writes "[REDACTED]", so that logging or dumping a model as
// JSON cannot leak the secret. Use Reveal to encode the secret itself.
func (t TokenSecret) MarshalJSON() ([]byte, error) { return json.Marshal(t.masked()) }

// UnmarshalJSON reads the secret from a JSON string.
func (t *TokenSecret) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("token secret: expected a JSON string")
	}
	t.secret = s
	return nil
}
