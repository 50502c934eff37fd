package models

import (
	"encoding/json"
	"time"
)

// Box group memberships, users and groups (https://api.box.com/2.0). Box
// sends every id as a JSON string.

// GroupMembershipRole is a member's role in a Box group.
type GroupMembershipRole string

// Known roles.
const (
	GroupMembershipRoleMember GroupMembershipRole = "member"
	GroupMembershipRoleAdmin  GroupMembershipRole = "admin"
)

// UserMini is the short form of a Box user.
type UserMini struct {
	ID    string `json:"id"`
	Type  string `json:"type,omitempty"`
	Name  string `json:"name,omitempty"`
	Login string `json:"login,omitempty"`
}

// GroupMini is the short form of a Box group.
type GroupMini struct {
	ID        string `json:"id"`
	Type      string `json:"type,omitempty"`
	Name      string `json:"name,omitempty"`
	GroupType string `json:"group_type,omitempty"` // managed_group or all_users_group
}

// GroupMembership ties a user to a group. When the call asked for
// specific fields, the others are absent: hence the pointers.
type GroupMembership struct {
	ID    string              `json:"id"`
	Type  string              `json:"type,omitempty"`
	User  *UserMini           `json:"user,omitempty"`
	Group *GroupMini          `json:"group,omitempty"`
	Role  GroupMembershipRole `json:"role,omitempty"`
	// ConfigurablePermissions applies to admins only; keys such as
	// can_run_reports, can_instant_login, can_create_accounts, can_edit_accounts.
	ConfigurablePermissions map[string]bool `json:"configurable_permissions,omitempty"`
	CreatedAt               *time.Time      `json:"created_at,omitempty"`
	ModifiedAt              *time.Time      `json:"modified_at,omitempty"`
}

// GroupMembershipsOrder is one sort key of a membership collection.
type GroupMembershipsOrder struct {
	By        string `json:"by"`
	Direction string `json:"direction"` // ASC or DESC
}

// GroupMemberships is one page of memberships, as Box sends it.
type GroupMemberships struct {
	TotalCount int64                   `json:"total_count"`
	Limit      int64                   `json:"limit"`
	Offset     int64                   `json:"offset"`
	Order      []GroupMembershipsOrder `json:"order,omitempty"`
	Entries    []GroupMembership       `json:"entries"`
}

// Ref names a Box user or group by id in a request body.
type Ref struct {
	ID string `json:"id"`
}

// CreateGroupMembershipRequest is the body of POST /group_memberships.
type CreateGroupMembershipRequest struct {
	// User to add. Required.
	User Ref `json:"user"`
	// Group to add the user to. Required.
	Group Ref `json:"group"`
	// Role in the group; Box defaults to member.
	Role GroupMembershipRole `json:"role,omitempty"`
	// ConfigurablePermissions has three states: absent (Box's defaults),
	// Null (disable every configurable permission), or a map (each key set
	// as given; keys left out stay enabled). Admins only.
	ConfigurablePermissions Nullable[map[string]bool] `json:"configurable_permissions,omitzero"`
}

// UpdateGroupMembershipRequest is the body of PUT /group_memberships/{id}.
// Fields left zero are not sent.
type UpdateGroupMembershipRequest struct {
	Role GroupMembershipRole `json:"role,omitempty"`
	// ConfigurablePermissions: see CreateGroupMembershipRequest.
	ConfigurablePermissions Nullable[map[string]bool] `json:"configurable_permissions,omitzero"`
}

// UserType selects the kind of users GET /users lists.
type UserType string

// Known user types.
const (
	// UserTypeAll lists every kind of user; an external one only when
	// filter_term is their whole login.
	UserTypeAll UserType = "all"
	// UserTypeManaged lists managed and app users.
	UserTypeManaged UserType = "managed"
	// UserTypeExternal lists external users whose login is filter_term.
	UserTypeExternal UserType = "external"
)

// UserStatus is a Box user's account status.
type UserStatus string

// Known user statuses.
const (
	UserStatusActive                 UserStatus = "active"
	UserStatusInactive               UserStatus = "inactive"
	UserStatusCannotDeleteEdit       UserStatus = "cannot_delete_edit"
	UserStatusCannotDeleteEditUpload UserStatus = "cannot_delete_edit_upload"
)

// UserNotificationEmail is the alternate address a user's notifications
// go to once confirmed.
type UserNotificationEmail struct {
	Email       string `json:"email"`
	IsConfirmed bool   `json:"is_confirmed"`
}

// User is a Box user as GET /users lists them (Box's User, with the
// fields of User (Full) that callers ask for with "fields"). Login is the
// user's primary email address. When the call asked for specific fields,
// only those and the mini fields (id, type, name, login) are present.
type User struct {
	ID    string `json:"id"`
	Type  string `json:"type,omitempty"`
	Name  string `json:"name,omitempty"`
	Login string `json:"login,omitempty"`

	CreatedAt         *time.Time             `json:"created_at,omitempty"`
	ModifiedAt        *time.Time             `json:"modified_at,omitempty"`
	Language          string                 `json:"language,omitempty"`
	Timezone          string                 `json:"timezone,omitempty"`
	SpaceAmount       *int64                 `json:"space_amount,omitempty"`
	SpaceUsed         *int64                 `json:"space_used,omitempty"`
	MaxUploadSize     *int64                 `json:"max_upload_size,omitempty"`
	Status            UserStatus             `json:"status,omitempty"`
	JobTitle          string                 `json:"job_title,omitempty"`
	Phone             string                 `json:"phone,omitempty"`
	Address           string                 `json:"address,omitempty"`
	AvatarURL         string                 `json:"avatar_url,omitempty"`
	NotificationEmail *UserNotificationEmail `json:"notification_email,omitempty"`

	// Role (admin, coadmin or user) and ExternalAppUserID come with
	// fields=role / fields=external_app_user_id.
	Role              string `json:"role,omitempty"`
	ExternalAppUserID string `json:"external_app_user_id,omitempty"`

	// The fields below are User (Full)'s: Box sends them when "fields"
	// names them. The booleans are pointers, as absent is not false.
	TrackingCodes                 []TrackingCode  `json:"tracking_codes,omitempty"`
	CanSeeManagedUsers            *bool           `json:"can_see_managed_users,omitempty"`
	IsSyncEnabled                 *bool           `json:"is_sync_enabled,omitempty"`
	IsExternalCollabRestricted    *bool           `json:"is_external_collab_restricted,omitempty"`
	IsExemptFromDeviceLimits      *bool           `json:"is_exempt_from_device_limits,omitempty"`
	IsExemptFromLoginVerification *bool           `json:"is_exempt_from_login_verification,omitempty"`
	Enterprise                    *UserEnterprise `json:"enterprise,omitempty"`
	MyTags                        []string        `json:"my_tags,omitempty"`
	Hostname                      string          `json:"hostname,omitempty"`
	IsPlatformAccessOnly          *bool           `json:"is_platform_access_only,omitempty"`
}

// TrackingCode is an admin-defined attribute of a user (name and value),
// for reports; the enterprise must have turned tracking codes on.
type TrackingCode struct {
	Type  string `json:"type,omitempty"` // always tracking_code
	Name  string `json:"name,omitempty"`
	Value string `json:"value,omitempty"`
}

// UserEnterprise is the enterprise a user belongs to.
type UserEnterprise struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type,omitempty"` // always enterprise
	Name string `json:"name,omitempty"`
}

// UserRole is the enterprise role PUT /users/{user_id} can give: an admin
// is made so in the Admin Console, not through the API.
type UserRole string

// Roles the update accepts.
const (
	UserRoleCoadmin UserRole = "coadmin"
	UserRoleUser    UserRole = "user"
)

// NotificationEmailUpdate is the alternate notification address
// PUT /users/{user_id} sets; Box emails it to be confirmed.
type NotificationEmailUpdate struct {
	Email string `json:"email"`
}

// UpdateUserRequest is the body of PUT /users/{user_id}. Every field is
// optional: nil pointers, empty enums and absent Nullables are not sent,
// and Box leaves those attributes as they are.
type UpdateUserRequest struct {
	// Status activates or deactivates the account: UserStatusInactive
	// blocks the user from logging in while keeping their content, the
	// reversible way to remove someone.
	Status UserStatus `json:"status,omitempty"`
	// Enterprise, when Null, rolls the user out of the enterprise into a
	// free account (they keep their content); a value is sent as given.
	Enterprise Nullable[string] `json:"enterprise,omitzero"`
	// Notify says whether the user is emailed on being rolled out of the
	// enterprise.
	Notify *bool `json:"notify,omitempty"`
	// Name is the display name, up to 50 characters.
	Name *string `json:"name,omitempty"`
	// Login is the primary email address; Box refuses to change it while
	// the user's address is unconfirmed.
	Login *string `json:"login,omitempty"`
	// Role is the enterprise role, coadmin or user.
	Role UserRole `json:"role,omitempty"`
	// Language is a modified ISO 639-1 code, such as "en".
	Language *string `json:"language,omitempty"`
	// IsSyncEnabled allows Box Sync.
	IsSyncEnabled *bool `json:"is_sync_enabled,omitempty"`
	// JobTitle is up to 100 characters; an empty string clears it.
	JobTitle *string `json:"job_title,omitempty"`
	// Phone is up to 100 characters; an empty string clears it.
	Phone *string `json:"phone,omitempty"`
	// Address is up to 255 characters; an empty string clears it.
	Address *string `json:"address,omitempty"`
	// TrackingCodes replaces the user's tracking codes: nil sends
	// nothing, an empty non-nil slice removes them all.
	TrackingCodes []TrackingCode `json:"tracking_codes,omitzero"`
	// CanSeeManagedUsers shows the other managed users in the user's
	// contacts.
	CanSeeManagedUsers *bool `json:"can_see_managed_users,omitempty"`
	// Timezone is an IANA name, such as "Europe/Paris".
	Timezone *string `json:"timezone,omitempty"`
	// IsExternalCollabRestricted keeps the user from collaborating with
	// people outside the enterprise.
	IsExternalCollabRestricted *bool `json:"is_external_collab_restricted,omitempty"`
	// IsExemptFromDeviceLimits exempts the user from the enterprise's
	// device limits.
	IsExemptFromDeviceLimits *bool `json:"is_exempt_from_device_limits,omitempty"`
	// IsExemptFromLoginVerification exempts the user from two-factor
	// authentication.
	IsExemptFromLoginVerification *bool `json:"is_exempt_from_login_verification,omitempty"`
	// IsPasswordResetRequired makes the user reset their password at the
	// next login.
	IsPasswordResetRequired *bool `json:"is_password_reset_required,omitempty"`
	// SpaceAmount is the storage allowed, in bytes; -1 is unlimited.
	SpaceAmount *int64 `json:"space_amount,omitempty"`
	// NotificationEmail sets the alternate notification address, or
	// removes it when Null.
	NotificationEmail Nullable[NotificationEmailUpdate] `json:"notification_email,omitzero"`
	// ExternalAppUserID ties an app user to an identity provider's id;
	// only the application that created the app user may change it.
	ExternalAppUserID *string `json:"external_app_user_id,omitempty"`
}

// TransferOwnedFolderRequest is the body of PUT /users/{user_id}/folders/0:
// whom the user's content goes to.
type TransferOwnedFolderRequest struct {
	// OwnedBy is the user who receives the content. Required.
	OwnedBy Ref `json:"owned_by"`
}

// FolderMini is the short form of a Box folder.
type FolderMini struct {
	ID         string `json:"id"`
	Type       string `json:"type,omitempty"` // always folder
	ETag       string `json:"etag,omitempty"`
	SequenceID string `json:"sequence_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// FolderPath is the chain of folders from the root ("All Files", id 0)
// down to a folder's parent.
type FolderPath struct {
	TotalCount int64        `json:"total_count"`
	Entries    []FolderMini `json:"entries"`
}

// Folder is a Box folder (Folder (Full)): what a transfer of owned
// folders returns, the destination folder it created. When the call asked
// for specific fields, only those and the mini fields are present.
type Folder struct {
	ID         string `json:"id"`
	Type       string `json:"type,omitempty"` // always folder
	ETag       string `json:"etag,omitempty"`
	SequenceID string `json:"sequence_id,omitempty"`
	Name       string `json:"name,omitempty"`

	Description       string      `json:"description,omitempty"`
	Size              *int64      `json:"size,omitempty"`
	CreatedAt         *time.Time  `json:"created_at,omitempty"`
	ModifiedAt        *time.Time  `json:"modified_at,omitempty"`
	TrashedAt         *time.Time  `json:"trashed_at,omitempty"`
	PurgedAt          *time.Time  `json:"purged_at,omitempty"`
	ContentCreatedAt  *time.Time  `json:"content_created_at,omitempty"`
	ContentModifiedAt *time.Time  `json:"content_modified_at,omitempty"`
	PathCollection    *FolderPath `json:"path_collection,omitempty"`
	CreatedBy         *UserMini   `json:"created_by,omitempty"`
	ModifiedBy        *UserMini   `json:"modified_by,omitempty"`
	OwnedBy           *UserMini   `json:"owned_by,omitempty"`
	Parent            *FolderMini `json:"parent,omitempty"`
	// ItemStatus is active, trashed or deleted.
	ItemStatus        string `json:"item_status,omitempty"`
	HasCollaborations *bool  `json:"has_collaborations,omitempty"`
}

// TerminateUsersSessionsRequest is the body of POST
// /users/terminate_sessions: the users whose sessions end, by id, by
// login or both. Both lists are always sent, an unset one as [], as
// Box's document requires them and its official client sends them.
type TerminateUsersSessionsRequest struct {
	UserIDs    []string `json:"user_ids"`
	UserLogins []string `json:"user_logins"`
}

// MarshalJSON sends a nil list as [] rather than null.
func (r TerminateUsersSessionsRequest) MarshalJSON() ([]byte, error) {
	type wire TerminateUsersSessionsRequest
	w := wire(r)
	if w.UserIDs == nil {
		w.UserIDs = []string{}
	}
	if w.UserLogins == nil {
		w.UserLogins = []string{}
	}
	return json.Marshal(w)
}

// SessionTerminationMessage is Box's answer to a session termination: the
// jobs are queued, and their outcome shows in the enterprise's admin
// events.
type SessionTerminationMessage struct {
	Message string `json:"message"`
}

// Mini returns the short form of u, as memberships carry it.
func (u User) Mini() UserMini {
	return UserMini{ID: u.ID, Type: u.Type, Name: u.Name, Login: u.Login}
}

// Users is one page of GET /users, as Box sends it.
type Users struct {
	TotalCount int64                   `json:"total_count"`
	Limit      int64                   `json:"limit"`
	Offset     int64                   `json:"offset"`
	Order      []GroupMembershipsOrder `json:"order,omitempty"`
	Entries    []User                  `json:"entries"`
	// NextMarker, in a list paged by marker (usemarker=true), names the
	// next page; empty on the last. Such a list has no total, offset or
	// order.
	NextMarker string `json:"next_marker,omitempty"`
}

// Group is a Box group as GET /groups lists them (Box's Group (Full)).
// When the call asked for specific fields, only those and the mini
// fields (id, type, name, group_type) are present.
type Group struct {
	ID        string `json:"id"`
	Type      string `json:"type,omitempty"`
	Name      string `json:"name,omitempty"`
	GroupType string `json:"group_type,omitempty"` // managed_group or all_users_group

	CreatedAt              *time.Time        `json:"created_at,omitempty"`
	ModifiedAt             *time.Time        `json:"modified_at,omitempty"`
	Provenance             string            `json:"provenance,omitempty"`
	ExternalSyncIdentifier string            `json:"external_sync_identifier,omitempty"`
	Description            string            `json:"description,omitempty"`
	InvitabilityLevel      string            `json:"invitability_level,omitempty"`       // admins_only, admins_and_members, all_managed_users
	MemberViewabilityLevel string            `json:"member_viewability_level,omitempty"` // same values
	Permissions            *GroupPermissions `json:"permissions,omitempty"`
}

// GroupPermissions are what the caller may do with a group.
type GroupPermissions struct {
	CanInviteAsCollaborator bool `json:"can_invite_as_collaborator"`
}

// Mini returns the short form of g, as memberships carry it.
func (g Group) Mini() GroupMini {
	return GroupMini{ID: g.ID, Type: g.Type, Name: g.Name, GroupType: g.GroupType}
}

// Groups is one page of GET /groups, as Box sends it.
type Groups struct {
	TotalCount int64                   `json:"total_count"`
	Limit      int64                   `json:"limit"`
	Offset     int64                   `json:"offset"`
	Order      []GroupMembershipsOrder `json:"order,omitempty"`
	Entries    []Group                 `json:"entries"`
}
