package models

import "time"

// Box group memberships (https://api.box.com/2.0). Box sends every id as a
// JSON string.

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
