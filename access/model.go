package access

import (
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// Person is what should be true for one person across the vendors. A nil
// or empty field asks for nothing on that vendor: what the person has
// there is left alone (unless Prune names the scope, see PlanOptions).
// Absent asks for the person to be removed everywhere.
type Person struct {
	// Email identifies the person on every vendor (Box: the user's login).
	Email string
	// Absent offboards the person: every grant found on any vendor is
	// removed, and every other field is ignored.
	Absent bool
	// GitGuardian is the workspace access the person should have: an
	// invitation while they have not accepted, a membership after.
	GitGuardian *GitGuardianAccess
	// Box lists the groups the person should belong to.
	Box []BoxMembership
	// Freestyle is the identity the person should have, with its
	// permissions.
	Freestyle *FreestyleAccess
	// BIMData asks for the person's pending identity-provider invitation
	// to be accepted, and lists the clouds and projects they should be in.
	BIMData *BIMDataAccess
	// Portworx lists the invitations the person should have.
	Portworx []PortworxAccess
	// PortworxRoleBindings lists the IAM roles the person's Portworx user
	// should hold, by account, tenant or project.
	PortworxRoleBindings []PortworxRoleBinding
	// Grants are grants on vendors without a field above: those of
	// connectors added with WithConnector. Each Grant's Vendor names its
	// connector, which reads the person's with GrantsFor; the shipped
	// connectors read only their own fields.
	Grants []Grant
	// Roles names roles (WithRoles) whose access the person holds besides
	// the fields above: the person's access is the union of theirs and
	// their roles' (see MergeRoles for how one-valued fields merge).
	Roles []string
}

// GrantsFor returns the person's Grants on vendor, in order.
func (p Person) GrantsFor(vendor invitations.API) []Grant {
	var out []Grant
	for _, g := range p.Grants {
		if g.Vendor == vendor {
			out = append(out, g)
		}
	}
	return out
}

// GitGuardianAccess is a GitGuardian workspace access level and the
// teams the person should be in.
type GitGuardianAccess struct {
	AccessLevel models.AccessLevel
	// Teams lists the teams the person should be in: a team invitation
	// while they have only a pending workspace invitation, a team
	// membership once they are a member.
	Teams []GitGuardianTeam
}

// GitGuardianTeam is a place in one GitGuardian team, named as the
// workspace names it.
type GitGuardianTeam struct {
	// Team is the team's name (GitGuardian's names are unique without
	// regard to case).
	Team string
	// Permission is can_manage (a team leader) or cannot_manage; empty
	// means cannot_manage, what GitGuardian gives when none is sent.
	Permission models.TeamPermission
}

// BoxMembership is membership of one Box group, named by id or by name.
type BoxMembership struct {
	// GroupID is the group's id; when empty, GroupName is looked up.
	GroupID string
	// GroupName is the group's exact name, used when GroupID is empty.
	GroupName string
	// Role is member or admin; empty means member.
	Role models.GroupMembershipRole
}

// FreestyleAccess is a Freestyle identity and what it may reach.
type FreestyleAccess struct {
	// Git lists repository permissions.
	Git []FreestyleGitPermission
	// VMs lists VM permissions.
	VMs []FreestyleVMPermission
}

// FreestyleGitPermission is access to one git repository.
type FreestyleGitPermission struct {
	RepoID     string
	Permission models.GitAccessLevel
}

// FreestyleVMPermission is access to one VM, optionally limited to some of
// its users (nil: every user).
type FreestyleVMPermission struct {
	VMID         string
	AllowedUsers []string
}

// BIMDataAccess is what should happen to the person's BIMData
// identity-provider invitation, and the clouds and projects they should
// be in: an invitation until they are a user there, a membership after.
type BIMDataAccess struct {
	// Accept accepts the person's pending invitation.
	Accept bool
	// Clouds lists the clouds the person should be in, with their role.
	Clouds []BIMDataCloudAccess
	// Projects lists the projects the person should be in, with their
	// role.
	Projects []BIMDataProjectAccess
}

// BIMData roles, as the desired state names them (BIMData sends them as
// the numbers 100, 50 and 25). A cloud role is admin or user; a project
// role is any of the three.
const (
	BIMDataAdmin = "admin"
	BIMDataUser  = "user"
	BIMDataGuest = "guest"
)

// BIMDataCloudAccess is a role in one BIMData cloud.
type BIMDataCloudAccess struct {
	// CloudID is the cloud's id.
	CloudID int64
	// Role is BIMDataAdmin or BIMDataUser.
	Role string
}

// BIMDataProjectAccess is a role in one project of a BIMData cloud.
type BIMDataProjectAccess struct {
	// CloudID is the id of the project's cloud.
	CloudID int64
	// ProjectID is the project's id.
	ProjectID int64
	// Role is BIMDataAdmin, BIMDataUser or BIMDataGuest.
	Role string
}

// PortworxAccess is a Portworx invitation to exactly one of an account, a
// tenant or a project, with roles.
type PortworxAccess struct {
	AccountID, TenantID, ProjectID string
	Roles                          []string
}

// PortworxRoleBinding is IAM roles of the person's Portworx user in
// exactly one of an account, a tenant or a project. Unlike an invitation,
// it is granted to a user who exists: Portworx names users by id, which
// the connector finds by the person's email among the role bindings it
// reads.
type PortworxRoleBinding struct {
	AccountID, TenantID, ProjectID string
	Roles                          []string
}

// Kind is the kind of a grant.
type Kind string

// Grant kinds, by vendor.
const (
	KindWorkspace     Kind = "workspace"      // GitGuardian: invitation or membership
	KindTeam          Kind = "team"           // GitGuardian: team membership or team invitation; Scope is the team id
	KindGroup         Kind = "group"          // Box: group membership; Scope is the group id
	KindAccount       Kind = "account"        // Box: the person's user; Level is its status (active, inactive)
	KindSessions      Kind = "sessions"       // Box: an active user's sessions, which offboarding ends
	KindContent       Kind = "content"        // Box: an offboarded user's content, transferred; Scope is the receiving user's id
	KindIdentity      Kind = "identity"       // Freestyle: the person's identity
	KindGit           Kind = "git"            // Freestyle: Scope is the repository id
	KindVM            Kind = "vm"             // Freestyle: Scope is the VM id
	KindIDPInvitation Kind = "idp-invitation" // BIMData: Scope is the invitation id
	KindCloud         Kind = "cloud"          // BIMData: cloud role; Scope is the cloud id
	KindProject       Kind = "project"        // BIMData: project role; Scope is "<cloud id>/<project id>"
	KindInvitation    Kind = "invitation"     // Portworx: Scope is "account:<id>", "tenant:<id>" or "project:<id>"
	KindRoleBinding   Kind = "role-binding"   // Portworx: IAM roles of the person's user; Scope as an invitation's, or "namespace:<id>", "global"
	KindToken         Kind = "token"          // Freestyle: an access token of the person's identity; Scope is the token id
)

// Grant is one piece of access on one vendor: the unit of audit, plan and
// state.
type Grant struct {
	Vendor invitations.API `json:"vendor"`
	Kind   Kind            `json:"kind"`
	// Scope says where, for kinds that have one (a group, a repository).
	Scope string `json:"scope,omitempty"`
	// ScopeName is the scope's name, when the connector knows it (a Box
	// group's name from the desired state or a read, a BIMData cloud's),
	// for people reading a plan or an audit. It is not part of the grant's
	// identity: Key and level comparisons ignore it, and the state does not
	// keep it.
	ScopeName string `json:"scope_name,omitempty"`
	// Level is the access level, role or permission; several roles are
	// sorted and joined with ",".
	Level string `json:"level,omitempty"`
	// Users are a Freestyle VM permission's allowed users: nil (null in
	// JSON) for every user, an empty list for nobody.
	Users []string `json:"users"`
}

// Key identifies the grant of one person regardless of its level: two
// grants with the same key are the same access at possibly other levels.
func (g Grant) Key(email string) string {
	return strings.Join([]string{string(g.Vendor), string(g.Kind), g.Scope, strings.ToLower(email)}, "|")
}

// State is what a vendor says about a grant.
type State string

// Record states.
const (
	StateMember   State = "member"   // an accepted membership (GitGuardian member, Box membership)
	StatePending  State = "pending"  // an invitation not yet accepted
	StateGranted  State = "granted"  // a Freestyle identity, permission or token; a Portworx role binding
	StateAccepted State = "accepted" // a BIMData invitation accepted
	StateDenied   State = "denied"   // a BIMData invitation denied
	StateInactive State = "inactive" // a deactivated account (a GitGuardian member made inactive)
)

// Record is one grant a vendor holds for one person, as read.
type Record struct {
	// Email is the person's; empty for a Freestyle identity no state
	// entry ties to anyone.
	Email string `json:"email"`
	Grant Grant  `json:"grant"`
	State State  `json:"state"`
	// ID is the vendor's id of the object behind the grant (an invitation,
	// a member, a membership, an identity), which a removal targets.
	ID string `json:"id,omitempty"`
}

// Action is what a change does.
type Action string

// Actions.
const (
	Create Action = "create"
	Update Action = "update"
	Remove Action = "remove"
)

// Change is one write a plan asks for.
type Change struct {
	Action Action `json:"action"`
	Email  string `json:"email"`
	// Grant is the grant to create or update to, or the one to remove.
	Grant Grant `json:"grant"`
	// From is the current grant, for an update.
	From *Grant `json:"from,omitempty"`
	// Target is the vendor id the write addresses (a membership, a
	// member, an invitation, an identity), when it needs one.
	Target string `json:"target,omitempty"`
	// Reason says why, for people reading the plan.
	Reason string `json:"reason"`
	// Note, when set, says in a few words why beside what the change
	// does, for a one-line display: "absent", "prune", "re-invite", or
	// the earlier change in doubt it completes.
	Note string `json:"note,omitempty"`
	// Roles names the person's roles that ask for the grant, for a create
	// or an update, in the order the person names them: where the grant
	// comes from. Where several ask for it at different levels, those
	// whose level the grant has. Empty when only the person's own fields
	// ask for it.
	Roles []string `json:"roles,omitempty"`
}

// Key identifies the change's grant (see Grant.Key).
func (c Change) Key() string { return c.Grant.Key(c.Email) }

// Outcome is how a change ended.
type Outcome string

// Outcomes.
const (
	// Done: the vendor did it.
	Done Outcome = "done"
	// AlreadyDone: the vendor says it was already so (a 409 on a create,
	// a 404 on a removal, GitGuardian's "already in the workspace").
	AlreadyDone Outcome = "already done"
	// Failed: the vendor refused, with the error.
	Failed Outcome = "failed"
	// InDoubt: the request may have reached the vendor and no answer
	// came. It is never sent again blindly: the next plan re-reads the
	// vendor and settles it.
	InDoubt Outcome = "in doubt"
	// Skipped: not attempted, because an earlier change it depends on
	// (the person's Freestyle identity) did not succeed, or the apply was
	// stopped.
	Skipped Outcome = "skipped"
)

// Result is the outcome of one change of an apply.
type Result struct {
	Change  Change  `json:"change"`
	Outcome Outcome `json:"outcome"`
	// Err is the vendor's error for Failed and InDoubt.
	Err error `json:"-"`
}
