package access

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// Every rule of a desired state names the person and the field at fault,
// as a reader of a file maps it back to its lines.
func TestValidateNamesTheFieldAndWhy(t *testing.T) {
	t.Parallel()
	const a = "a@example.com"
	for _, tc := range []struct {
		people        []Person
		field, reason string
	}{
		{[]Person{{}}, "people[0].Email", "missing: every person needs an email"},
		{[]Person{{Email: "not an email"}}, "people[0].Email", `"not an email" is not an email address`},
		{[]Person{{Email: "Ada <a@example.com>"}}, "people[0].Email", `"Ada <a@example.com>" is not an email address`},
		{[]Person{{Email: a}, {Email: "A@example.com"}}, "people[1].Email", "A@example.com is also people[0]: give each person one entry"},
		{[]Person{{Email: a, GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelOwner}}}, "people[0].GitGuardian.AccessLevel", `"owner": must be manager, member or restricted`},
		{[]Person{{Email: a, GitGuardian: &GitGuardianAccess{}}}, "people[0].GitGuardian.AccessLevel", "missing: give manager, member or restricted"},
		{[]Person{{Email: a, Box: []BoxMembership{{}}}}, "people[0].Box[0]", "needs a group name or a group id"},
		{[]Person{{Email: a, Box: []BoxMembership{{GroupID: "1", Role: "owner"}}}}, "people[0].Box[0].Role", `"owner": must be member or admin`},
		{[]Person{{Email: a, Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{Permission: models.GitAccessLevelRead}}}}}, "people[0].Freestyle.Git[0].RepoID", "missing: give the repository's id"},
		{[]Person{{Email: a, Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: "r", Permission: "admin"}}}}}, "people[0].Freestyle.Git[0].Permission", `"admin": must be read or write`},
		{[]Person{{Email: a, Freestyle: &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: "r"}}}}}, "people[0].Freestyle.Git[0].Permission", "missing: give read or write"},
		{[]Person{{Email: a, Freestyle: &FreestyleAccess{VMs: []FreestyleVMPermission{{VMID: " "}}}}}, "people[0].Freestyle.VMs[0].VMID", "missing: give the VM's id"},
		{[]Person{{Email: a, Portworx: []PortworxAccess{{TenantID: "t", ProjectID: "p", Roles: []string{"x"}}}}}, "people[0].Portworx[0]", "needs exactly one of account, tenant and project"},
		{[]Person{{Email: a, Portworx: []PortworxAccess{{Roles: []string{"x"}}}}}, "people[0].Portworx[0]", "needs exactly one of account, tenant and project"},
		{[]Person{{Email: a, Portworx: []PortworxAccess{{TenantID: "t"}}}}, "people[0].Portworx[0].Roles", "missing: name at least one role"},
		{[]Person{{Email: a, Portworx: []PortworxAccess{{TenantID: "t", Roles: []string{}}}}}, "people[0].Portworx[0].Roles", "must name at least one role"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Clouds: []BIMDataCloudAccess{{Role: "user"}}}}}, "people[0].BIMData.Clouds[0].CloudID", "missing: give the cloud's id"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Clouds: []BIMDataCloudAccess{{CloudID: 1, Role: "guest"}}}}}, "people[0].BIMData.Clouds[0].Role", `"guest": must be admin or user`},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Clouds: []BIMDataCloudAccess{{CloudID: 1, Role: "user"}, {CloudID: 1, Role: "admin"}}}}}, "people[0].BIMData.Clouds[1].CloudID", "cloud 1 is also Clouds[0]: give it one role"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Projects: []BIMDataProjectAccess{{ProjectID: 2, Role: "user"}}}}}, "people[0].BIMData.Projects[0].CloudID", "missing: give the id of the project's cloud"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Projects: []BIMDataProjectAccess{{CloudID: 1, Role: "user"}}}}}, "people[0].BIMData.Projects[0].ProjectID", "missing: give the project's id"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Projects: []BIMDataProjectAccess{{CloudID: 1, ProjectID: 2}}}}}, "people[0].BIMData.Projects[0].Role", "missing: give admin, user or guest"},
		{[]Person{{Email: a, BIMData: &BIMDataAccess{Projects: []BIMDataProjectAccess{{CloudID: 1, ProjectID: 2, Role: "guest"}, {CloudID: 1, ProjectID: 2, Role: "user"}}}}}, "people[0].BIMData.Projects[1].ProjectID", "project 1/2 is also Projects[0]: give it one role"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			var ipe *InvalidPersonError
			require.ErrorAs(t, Validate(tc.people), &ipe)
			assert.Equal(t, tc.field, ipe.Field)
			assert.Equal(t, tc.reason, ipe.Reason)
		})
	}
}

func TestValidateAcceptsWhatCanBePlanned(t *testing.T) {
	t.Parallel()
	assert.NoError(t, Validate([]Person{{Email: "a@example.com", Absent: true, Box: []BoxMembership{{}}}}), "an absent person's other fields are ignored")
	assert.NoError(t, Validate([]Person{{
		Email:       "a@example.com",
		GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember},
		Box:         []BoxMembership{{GroupName: "Engineering"}, {GroupID: "1", Role: models.GroupMembershipRoleAdmin}},
		Freestyle:   &FreestyleAccess{Git: []FreestyleGitPermission{{RepoID: "r", Permission: models.GitAccessLevelWrite}}, VMs: []FreestyleVMPermission{{VMID: "v"}}},
		BIMData: &BIMDataAccess{Accept: true, Clouds: []BIMDataCloudAccess{{CloudID: 1, Role: BIMDataAdmin}, {CloudID: 2, Role: BIMDataUser}},
			Projects: []BIMDataProjectAccess{{CloudID: 1, ProjectID: 2, Role: BIMDataGuest}, {CloudID: 1, ProjectID: 3, Role: BIMDataGuest}}},
		Portworx: []PortworxAccess{{TenantID: "t", Roles: []string{"tenant.admin"}}},
	}}))
	assert.NoError(t, Validate(nil))
}

// Roles are checked like people, named roles[NAME]; the roles people name
// must exist, once each.
func TestValidateRoles(t *testing.T) {
	t.Parallel()
	const a = "a@example.com"
	dev := Role{Name: "dev", Access: Person{Box: []BoxMembership{{GroupID: "1"}}}}
	ops := Role{Name: "ops"}
	for _, tc := range []struct {
		name          string
		people        []Person
		roles         []Role
		field, reason string
	}{
		{"a role's field", nil, []Role{dev, {Name: "qa", Access: Person{Box: []BoxMembership{{GroupID: "1", Role: "owner"}}}}},
			"roles[qa].Box[0].Role", `"owner": must be member or admin`},
		{"a role's gitguardian", nil, []Role{{Name: "qa", Access: Person{GitGuardian: &GitGuardianAccess{}}}},
			"roles[qa].GitGuardian.AccessLevel", "missing: give manager, member or restricted"},
		{"a role's duplicate team", nil, []Role{{Name: "qa", Access: Person{GitGuardian: &GitGuardianAccess{AccessLevel: models.AccessLevelMember,
			Teams: []GitGuardianTeam{{Team: "A"}, {Team: "a"}}}}}}, "roles[qa].GitGuardian.Teams[1].Team", `team "a" is also Teams[0]: name each team once`},
		{"two roles of one name", nil, []Role{dev, ops, {Name: "dev"}}, "roles[dev]", "two roles are named dev: give each its own name"},
		{"a blank name", nil, []Role{{Name: " "}}, "roles[ ]", `" " is not a role name: a name is not blank, has no space at either end and no "[", "]" or ","`},
		{"a name with a bracket", nil, []Role{{Name: "a]b"}}, "roles[a]b]", `"a]b" is not a role name: a name is not blank, has no space at either end and no "[", "]" or ","`},
		{"a role with an email", nil, []Role{{Name: "qa", Access: Person{Email: a}}}, "roles[qa].Email", "a role gives access, to whoever names it: it has no email"},
		{"a role that is absent", nil, []Role{{Name: "qa", Access: Person{Absent: true}}}, "roles[qa].Absent", "a role gives access: it cannot be absent"},
		{"a role naming roles", nil, []Role{dev, {Name: "qa", Access: Person{Roles: []string{"dev"}}}}, "roles[qa].Roles", "a role cannot name roles: name them beside it in Person.Roles"},
		{"an unknown role", []Person{{Email: a, Roles: []string{"dev", "qa"}}}, []Role{ops, dev}, "people[0].Roles[1]", "no role qa; the roles are: dev, ops"},
		{"no roles at all", []Person{{Email: a, Roles: []string{"dev"}}}, nil, "people[0].Roles[0]", "no role dev: no roles are defined"},
		{"a role named twice", []Person{{Email: a, Roles: []string{"dev", "ops", "dev"}}}, []Role{dev, ops}, "people[0].Roles[2]", "role dev is also Roles[0]: name each role once"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ipe *InvalidPersonError
			require.ErrorAs(t, Validate(tc.people, tc.roles...), &ipe)
			assert.Equal(t, tc.field, ipe.Field)
			assert.Equal(t, tc.reason, ipe.Reason)
			assert.Empty(t, ipe.Also)
		})
	}
	assert.NoError(t, Validate([]Person{{Email: a, Absent: true, Roles: []string{"nobody"}}}, dev), "an absent person's roles are ignored")
	assert.NoError(t, Validate([]Person{{Email: a, Roles: []string{"dev", "ops"}, Box: []BoxMembership{{GroupID: "1", Role: models.GroupMembershipRoleAdmin}}}}, dev, ops))
}
