package models

import (
	"encoding/json"
	"time"
)

// GitGuardian workspace invitations (https://api.gitguardian.com/v1/invitations).

// AccessLevel is a GitGuardian member access level. Owners cannot be
// invited; "viewer" only appears in old data.
type AccessLevel string

// Known access levels.
const (
	AccessLevelOwner      AccessLevel = "owner"
	AccessLevelManager    AccessLevel = "manager"
	AccessLevelMember     AccessLevel = "member"
	AccessLevelRestricted AccessLevel = "restricted"
	AccessLevelViewer     AccessLevel = "viewer" // legacy, before 2024
)

// Invitation is a pending GitGuardian workspace invitation.
type Invitation struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	// AccessLevel is the invitee's access level once accepted. Servers
	// that still send only the legacy "role" field fill it from Role.
	AccessLevel AccessLevel `json:"access_level"`
	// Role is the deprecated alias of AccessLevel, still sent by the API.
	Role AccessLevel `json:"role,omitempty"`
	// Date is when the invitation was created.
	Date time.Time `json:"date"`
}

// UnmarshalJSON decodes an invitation, falling back to the legacy "role"
// field when "access_level" is absent.
func (i *Invitation) UnmarshalJSON(data []byte) error {
	type plain Invitation
	if err := json.Unmarshal(data, (*plain)(i)); err != nil {
		return err
	}
	if i.AccessLevel == "" {
		i.AccessLevel = i.Role
	}
	return nil
}

// CreateInvitationsRequest is the body of POST /v1/invitations. Only
// access_level is sent, not the deprecated role, as GitGuardian's own
// clients do.
type CreateInvitationsRequest struct {
	// Email of the person to invite. Required.
	Email string `json:"email"`
	// AccessLevel granted on acceptance; the server default is member.
	AccessLevel AccessLevel `json:"access_level,omitempty"`
}

// ResendInvitationOkResponse is the answer to POST /v1/invitations/{id}/resend.
type ResendInvitationOkResponse struct {
	Detail string `json:"detail"`
}

// ListInvitationsOrdering sorts GET /v1/invitations; a leading "-" means descending.
type ListInvitationsOrdering string

// Known invitation orderings.
const (
	ListInvitationsOrderingDate     ListInvitationsOrdering = "date"
	ListInvitationsOrderingDateDesc ListInvitationsOrdering = "-date"
)

// ResourceType is the kind of resource an invitation can be given access to.
type ResourceType string

// Known resource types.
const (
	ResourceTypeSecretIncidents ResourceType = "secret-incidents"
)

// IncidentPermissionEnum is the access an invitation has to an incident.
type IncidentPermissionEnum string

// Known incident permissions.
const (
	IncidentPermissionCanView    IncidentPermissionEnum = "can_view"
	IncidentPermissionCanEdit    IncidentPermissionEnum = "can_edit"
	IncidentPermissionFullAccess IncidentPermissionEnum = "full_access"
)

// ResourceInvitationAccess is an invitation's direct access to one resource:
// the body of the resource-access PUT and DELETE and the answer of GET and PUT.
type ResourceInvitationAccess struct {
	InvitationID int64                  `json:"invitation_id"`
	ResourceID   int64                  `json:"resource_id"`
	ResourceType ResourceType           `json:"resource_type"`
	Permission   IncidentPermissionEnum `json:"permission,omitempty"`
}

// StatusEnum is a secret incident's status.
type StatusEnum string

// Known incident statuses.
const (
	StatusIgnored   StatusEnum = "IGNORED"
	StatusTriggered StatusEnum = "TRIGGERED"
	StatusAssigned  StatusEnum = "ASSIGNED"
	StatusResolved  StatusEnum = "RESOLVED"
)

// SeverityEnum is a secret incident's severity.
type SeverityEnum string

// Known severities.
const (
	SeverityCritical SeverityEnum = "critical"
	SeverityHigh     SeverityEnum = "high"
	SeverityMedium   SeverityEnum = "medium"
	SeverityLow      SeverityEnum = "low"
	SeverityInfo     SeverityEnum = "info"
	SeverityUnknown  SeverityEnum = "unknown"
)

// ValidityEnum says whether a leaked secret still works.
type ValidityEnum string

// Known validities.
const (
	ValidityValid         ValidityEnum = "valid"
	ValidityInvalid       ValidityEnum = "invalid"
	ValidityFailedToCheck ValidityEnum = "failed_to_check"
	ValidityNoChecker     ValidityEnum = "no_checker"
	ValidityUnknown       ValidityEnum = "unknown"
)

// ListInvitationSecretIncidentAccessOrdering sorts the incidents an
// invitation can access; a leading "-" means descending.
type ListInvitationSecretIncidentAccessOrdering string

// Known incident orderings.
const (
	IncidentOrderingDate           ListInvitationSecretIncidentAccessOrdering = "date"
	IncidentOrderingDateDesc       ListInvitationSecretIncidentAccessOrdering = "-date"
	IncidentOrderingResolvedAt     ListInvitationSecretIncidentAccessOrdering = "resolved_at"
	IncidentOrderingResolvedAtDesc ListInvitationSecretIncidentAccessOrdering = "-resolved_at"
	IncidentOrderingIgnoredAt      ListInvitationSecretIncidentAccessOrdering = "ignored_at"
	IncidentOrderingIgnoredAtDesc  ListInvitationSecretIncidentAccessOrdering = "-ignored_at"
)

// SecretStatusEnum is why an incident was ignored.
type SecretStatusEnum string

// Known ignore reasons.
const (
	SecretStatusTestCredential SecretStatusEnum = "test_credential"
	SecretStatusFalsePositive  SecretStatusEnum = "false_positive"
	SecretStatusLowRisk        SecretStatusEnum = "low_risk"
	SecretStatusInvalid        SecretStatusEnum = "invalid"
)

// TagEnum is a tag GitGuardian puts on an incident.
type TagEnum string

// Known incident tags (the API adds more over time).
const (
	TagDefaultBranch      TagEnum = "DEFAULT_BRANCH"
	TagFromHistoricalScan TagEnum = "FROM_HISTORICAL_SCAN"
	TagIgnoredInCheckRun  TagEnum = "IGNORED_IN_CHECK_RUN"
	TagPublic             TagEnum = "PUBLIC"
	TagPubliclyExposed    TagEnum = "PUBLICLY_EXPOSED"
	TagPubliclyLeaked     TagEnum = "PUBLICLY_LEAKED"
	TagRegression         TagEnum = "REGRESSION"
	TagSensitiveFile      TagEnum = "SENSITIVE_FILE"
	TagTestFile           TagEnum = "TEST_FILE"
	TagFalsePositive      TagEnum = "FALSE_POSITIVE"
	TagVaulted            TagEnum = "VAULTED"
	TagRevocableByGG      TagEnum = "REVOCABLE_BY_GG"
	// TagNone is only a filter value: incidents without tags.
	TagNone TagEnum = "NONE"
)

// Detector identifies what found a secret.
type Detector struct {
	Name                     string `json:"name"`
	DisplayName              string `json:"display_name"`
	Nature                   string `json:"nature"` // specific, generic or custom
	Family                   string `json:"family,omitempty"`
	Category                 string `json:"category,omitempty"`
	DetectorGroupName        string `json:"detector_group_name,omitempty"`
	DetectorGroupDisplayName string `json:"detector_group_display_name,omitempty"`
}

// IncidentWithoutOccurrences is a secret incident as listed by
// GET /v1/invitations/{id}/secret-incidents. Fields that older or newer
// servers may omit or send as null are pointers.
type IncidentWithoutOccurrences struct {
	ID                 int64             `json:"id"`
	Date               time.Time         `json:"date"`
	Detector           Detector          `json:"detector"`
	SecretID           *int64            `json:"secret_id,omitempty"`
	SecretHash         string            `json:"secret_hash"`
	HMSLHash           string            `json:"hmsl_hash,omitempty"`
	GitGuardianURL     string            `json:"gitguardian_url"`
	Regression         bool              `json:"regression"`
	Status             StatusEnum        `json:"status"`
	AssigneeID         *int64            `json:"assignee_id"`
	AssigneeEmail      *string           `json:"assignee_email"`
	OccurrencesCount   int64             `json:"occurrences_count"`
	IgnoreReason       *SecretStatusEnum `json:"ignore_reason"`
	TriggeredAt        *time.Time        `json:"triggered_at"`
	IgnoredAt          *time.Time        `json:"ignored_at"`
	IgnorerID          *int64            `json:"ignorer_id"`
	IgnorerAPITokenID  *string           `json:"ignorer_api_token_id"`
	ResolverID         *int64            `json:"resolver_id"`
	ResolverAPITokenID *string           `json:"resolver_api_token_id"`
	SecretRevoked      bool              `json:"secret_revoked"`
	Severity           SeverityEnum      `json:"severity"`
	Validity           ValidityEnum      `json:"validity"`
	ResolvedAt         *time.Time        `json:"resolved_at"`
	ShareURL           *string           `json:"share_url"`
	Tags               []TagEnum         `json:"tags"`
	IncidentName       string            `json:"incident_name,omitempty"`
	RiskScore          *int64            `json:"risk_score,omitempty"`
	IsVaulted          *bool             `json:"is_vaulted,omitempty"`
	// CustomTags, SecretPresence, PublicExposure, FeedbackList and
	// DestinationTickets are kept verbatim: newer servers send them and
	// their shapes still change.
	CustomTags         json.RawMessage `json:"custom_tags,omitempty"`
	SecretPresence     json.RawMessage `json:"secret_presence,omitempty"`
	PublicExposure     json.RawMessage `json:"public_exposure,omitempty"`
	FeedbackList       json.RawMessage `json:"feedback_list,omitempty"`
	DestinationTickets json.RawMessage `json:"destination_tickets,omitempty"`
}

// GitGuardian workspace members (https://api.gitguardian.com/v1/members):
// the people who accepted an invitation.

// Member is a GitGuardian workspace member.
type Member struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// AccessLevel is the member's access level. Servers that still send
	// only the legacy "role" field fill it from Role.
	AccessLevel AccessLevel `json:"access_level"`
	// Role is the deprecated alias of AccessLevel, still sent by the API.
	Role AccessLevel `json:"role,omitempty"`
	// Active is false for a deactivated member.
	Active bool `json:"active"`
	// CreatedAt is when the member joined the workspace.
	CreatedAt time.Time `json:"created_at"`
	// LastLogin is nil for a member who never logged in.
	LastLogin *time.Time `json:"last_login"`
}

// UnmarshalJSON decodes a member, falling back to the legacy "role" field
// when "access_level" is absent.
func (m *Member) UnmarshalJSON(data []byte) error {
	type plain Member
	if err := json.Unmarshal(data, (*plain)(m)); err != nil {
		return err
	}
	if m.AccessLevel == "" {
		m.AccessLevel = m.Role
	}
	return nil
}

// UpdateMemberRequest is the body of PATCH /v1/members/{member_id}. Fields
// left zero are not sent; at least one must be set.
type UpdateMemberRequest struct {
	// AccessLevel is the new access level: manager, member or
	// restricted (a member cannot be made owner this way).
	AccessLevel AccessLevel `json:"access_level,omitempty"`
	// Active deactivates (false) or reactivates (true) the member.
	Active *bool `json:"active,omitempty"`
}

// ListMembersOrdering sorts GET /v1/members; a leading "-" means descending.
type ListMembersOrdering string

// Known member orderings.
const (
	ListMembersOrderingCreatedAt     ListMembersOrdering = "created_at"
	ListMembersOrderingCreatedAtDesc ListMembersOrdering = "-created_at"
	ListMembersOrderingLastLogin     ListMembersOrdering = "last_login"
	ListMembersOrderingLastLoginDesc ListMembersOrdering = "-last_login"
)

// GitGuardian teams (https://api.gitguardian.com/v1/teams), their
// memberships (members in a team) and team invitations (pending
// invitations that join a team on acceptance).

// Team is a GitGuardian team.
type Team struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Description is nil when the server sends null, as it does for the
	// workspace's global team.
	Description *string `json:"description"`
	// IsGlobal is true for the workspace's global team ("All incidents"),
	// which every workspace has and which cannot be created here.
	IsGlobal bool `json:"is_global"`
	// GitGuardianURL is the team's page on the dashboard.
	GitGuardianURL string `json:"gitguardian_url"`
}

// CreateTeamsRequest is the body of POST /v1/teams.
type CreateTeamsRequest struct {
	// Name of the team. Required.
	Name string `json:"name"`
	// Description of the team; empty is not sent.
	Description string `json:"description,omitempty"`
}

// UpdateTeamRequest is the body of PATCH /v1/teams/{teams_id}. Nil fields
// are not sent; at least one must be set. A pointer to "" clears the
// description.
type UpdateTeamRequest struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// TeamPermission is what a team member (or invitee) may do with the team
// itself.
type TeamPermission string

// Known team permissions.
const (
	// TeamPermissionCanManage is a team leader: manages the team's members
	// and perimeter.
	TeamPermissionCanManage TeamPermission = "can_manage"
	// TeamPermissionCannotManage is a plain team member.
	TeamPermissionCannotManage TeamPermission = "cannot_manage"
)

// TeamMembership is a workspace member's place in a team.
type TeamMembership struct {
	ID       int64 `json:"id"`
	TeamID   int64 `json:"team_id"`
	MemberID int64 `json:"member_id"`
	// IsTeamLeader is the live API's name for TeamPermission can_manage;
	// both are sent.
	IsTeamLeader       bool                   `json:"is_team_leader"`
	TeamPermission     TeamPermission         `json:"team_permission"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission"`
}

// CreateTeamMembershipRequest is the body of
// POST /v1/teams/{team_id}/team_memberships. Leadership can be given as
// TeamPermission (the document's field) or IsTeamLeader (what
// GitGuardian's own client sends); when both are set they must agree.
type CreateTeamMembershipRequest struct {
	// MemberID is the workspace member to add. Required.
	MemberID           int64                  `json:"member_id"`
	TeamPermission     TeamPermission         `json:"team_permission,omitempty"`
	IsTeamLeader       *bool                  `json:"is_team_leader,omitempty"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission,omitempty"`
}

// UpdateTeamMembershipRequest is the body of
// PATCH /v1/teams/{team_id}/team_memberships/{team_membership_id}, the
// document's fields (GitGuardian's client has no update call to show that
// is_team_leader is taken here too). Zero fields are not sent; at least
// one must be set.
type UpdateTeamMembershipRequest struct {
	TeamPermission     TeamPermission         `json:"team_permission,omitempty"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission,omitempty"`
}

// TeamInvitation is a pending workspace invitation's place in a team: the
// invitee joins the team when they accept.
type TeamInvitation struct {
	ID           int64 `json:"id"`
	TeamID       int64 `json:"team_id"`
	InvitationID int64 `json:"invitation_id"`
	// IsTeamLeader is the live API's name for TeamPermission can_manage;
	// both are sent.
	IsTeamLeader       bool                   `json:"is_team_leader"`
	TeamPermission     TeamPermission         `json:"team_permission"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission"`
}

// CreateTeamInvitationsRequest is the body of
// POST /v1/teams/{team_id}/team_invitations; leadership as in
// CreateTeamMembershipRequest.
type CreateTeamInvitationsRequest struct {
	// InvitationID is the pending workspace invitation. Required.
	InvitationID       int64                  `json:"invitation_id"`
	TeamPermission     TeamPermission         `json:"team_permission,omitempty"`
	IsTeamLeader       *bool                  `json:"is_team_leader,omitempty"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission,omitempty"`
}

// UpdateTeamInvitationRequest is the body of
// PATCH /v1/teams/{team_id}/team_invitations/{team_invitation_id}, the
// document's fields as for UpdateTeamMembershipRequest. Zero fields are
// not sent; at least one must be set.
type UpdateTeamInvitationRequest struct {
	TeamPermission     TeamPermission         `json:"team_permission,omitempty"`
	IncidentPermission IncidentPermissionEnum `json:"incident_permission,omitempty"`
}
