package models

import "time"

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
