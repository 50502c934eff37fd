package access_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// Each vendor's merge rule: grants are a union, one-valued fields take the
// highest, the person's own fields count as one more source.
func TestMergeRolesPerVendor(t *testing.T) {
	t.Parallel()
	const email = "ada@example.com"
	gg := func(level models.AccessLevel, teams ...access.GitGuardianTeam) *access.GitGuardianAccess {
		return &access.GitGuardianAccess{AccessLevel: level, Teams: teams}
	}
	for _, tc := range []struct {
		name  string
		own   access.Person
		roles []access.Role
		want  access.Person
	}{
		{
			name: "gitguardian: the highest level, teams by name without regard to case at the highest permission",
			own:  access.Person{GitGuardian: gg(models.AccessLevelRestricted, access.GitGuardianTeam{Team: "Platform"})},
			roles: []access.Role{
				{Name: "a", Access: access.Person{GitGuardian: gg(models.AccessLevelManager, access.GitGuardianTeam{Team: "platform", Permission: models.TeamPermissionCanManage})}},
				{Name: "b", Access: access.Person{GitGuardian: gg(models.AccessLevelMember, access.GitGuardianTeam{Team: "Demo Team"}, access.GitGuardianTeam{Team: "PLATFORM", Permission: models.TeamPermissionCannotManage})}},
			},
			want: access.Person{GitGuardian: gg(models.AccessLevelManager,
				access.GitGuardianTeam{Team: "platform", Permission: models.TeamPermissionCanManage}, access.GitGuardianTeam{Team: "Demo Team"})},
		},
		{
			name: "gitguardian: member beats restricted whichever comes first",
			roles: []access.Role{
				{Name: "a", Access: access.Person{GitGuardian: gg(models.AccessLevelMember)}},
				{Name: "b", Access: access.Person{GitGuardian: gg(models.AccessLevelRestricted)}},
			},
			want: access.Person{GitGuardian: gg(models.AccessLevelMember)},
		},
		{
			name: "box: groups by id or by name, admin beats member (and an empty role)",
			own:  access.Person{Box: []access.BoxMembership{{GroupName: "Engineering"}, {GroupID: "57645", Role: models.GroupMembershipRoleAdmin}}},
			roles: []access.Role{
				{Name: "a", Access: access.Person{Box: []access.BoxMembership{{GroupName: "Engineering", Role: models.GroupMembershipRoleAdmin}, {GroupID: "57645", Role: models.GroupMembershipRoleMember}}}},
				{Name: "b", Access: access.Person{Box: []access.BoxMembership{{GroupID: "119721"}, {GroupName: "All Staff", Role: models.GroupMembershipRoleMember}}}},
			},
			want: access.Person{Box: []access.BoxMembership{{GroupName: "Engineering", Role: models.GroupMembershipRoleAdmin},
				{GroupID: "57645", Role: models.GroupMembershipRoleAdmin}, {GroupID: "119721"}, {GroupName: "All Staff", Role: models.GroupMembershipRoleMember}}},
		},
		{
			name: "freestyle: repositories at the stronger permission, VMs with one list of users",
			roles: []access.Role{
				{Name: "a", Access: access.Person{Freestyle: &access.FreestyleAccess{
					Git: []access.FreestyleGitPermission{{RepoID: "r1", Permission: models.GitAccessLevelRead}, {RepoID: "r2", Permission: models.GitAccessLevelWrite}},
					VMs: []access.FreestyleVMPermission{{VMID: "v1", AllowedUsers: []string{"bob", "alice"}}, {VMID: "v2"}},
				}}},
				{Name: "b", Access: access.Person{Freestyle: &access.FreestyleAccess{
					Git: []access.FreestyleGitPermission{{RepoID: "r1", Permission: models.GitAccessLevelWrite}, {RepoID: "r2", Permission: models.GitAccessLevelRead}},
					VMs: []access.FreestyleVMPermission{{VMID: "v1", AllowedUsers: []string{"alice", "bob"}}, {VMID: "v2"}, {VMID: "v3", AllowedUsers: []string{}}},
				}}},
			},
			want: access.Person{Freestyle: &access.FreestyleAccess{
				Git: []access.FreestyleGitPermission{{RepoID: "r1", Permission: models.GitAccessLevelWrite}, {RepoID: "r2", Permission: models.GitAccessLevelWrite}},
				VMs: []access.FreestyleVMPermission{{VMID: "v1", AllowedUsers: []string{"bob", "alice"}}, {VMID: "v2"}, {VMID: "v3", AllowedUsers: []string{}}},
			}},
		},
		{
			name:  "freestyle: a role with nothing but the section asks for the identity",
			roles: []access.Role{{Name: "a", Access: access.Person{Freestyle: &access.FreestyleAccess{}}}},
			want:  access.Person{Freestyle: &access.FreestyleAccess{}},
		},
		{
			name: "bimdata: accept if any, clouds and projects at the highest role",
			own:  access.Person{BIMData: &access.BIMDataAccess{Clouds: []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataUser}}}},
			roles: []access.Role{
				{Name: "a", Access: access.Person{BIMData: &access.BIMDataAccess{Accept: true,
					Clouds:   []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataAdmin}},
					Projects: []access.BIMDataProjectAccess{{CloudID: 12, ProjectID: 15, Role: access.BIMDataGuest}, {CloudID: 12, ProjectID: 16, Role: access.BIMDataAdmin}}}}},
				{Name: "b", Access: access.Person{BIMData: &access.BIMDataAccess{
					Projects: []access.BIMDataProjectAccess{{CloudID: 12, ProjectID: 15, Role: access.BIMDataUser}, {CloudID: 12, ProjectID: 16, Role: access.BIMDataUser}}}}},
			},
			want: access.Person{BIMData: &access.BIMDataAccess{Accept: true,
				Clouds:   []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataAdmin}},
				Projects: []access.BIMDataProjectAccess{{CloudID: 12, ProjectID: 15, Role: access.BIMDataUser}, {CloudID: 12, ProjectID: 16, Role: access.BIMDataAdmin}}}},
		},
		{
			name: "bimdata: no role accepts",
			roles: []access.Role{{Name: "a", Access: access.Person{BIMData: &access.BIMDataAccess{
				Clouds: []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataUser}}}}}},
			want: access.Person{BIMData: &access.BIMDataAccess{Clouds: []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataUser}}}},
		},
		{
			name: "portworx: invitations and role bindings by scope, roles united and sorted",
			own: access.Person{Portworx: []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-viewer"}}},
				PortworxRoleBindings: []access.PortworxRoleBinding{{ProjectID: "p1", Roles: []string{"project-writer"}}}},
			roles: []access.Role{
				{Name: "a", Access: access.Person{Portworx: []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-admin", "tenant-viewer"}}, {AccountID: "a1", Roles: []string{"account-admin"}}}}},
				{Name: "b", Access: access.Person{PortworxRoleBindings: []access.PortworxRoleBinding{{ProjectID: "p1", Roles: []string{"project-admin"}}, {TenantID: "t1", Roles: []string{"x"}}}}},
			},
			want: access.Person{
				Portworx:             []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-admin", "tenant-viewer"}}, {AccountID: "a1", Roles: []string{"account-admin"}}},
				PortworxRoleBindings: []access.PortworxRoleBinding{{ProjectID: "p1", Roles: []string{"project-admin", "project-writer"}}, {TenantID: "t1", Roles: []string{"x"}}},
			},
		},
		{
			name: "grants of other vendors: a union by key",
			own:  access.Person{Grants: []access.Grant{{Vendor: "acme", Kind: "seat", Scope: "s1", Level: "editor"}}},
			roles: []access.Role{
				{Name: "a", Access: access.Person{Grants: []access.Grant{{Vendor: "acme", Kind: "seat", Scope: "s1", Level: "editor"}, {Vendor: "acme", Kind: "seat", Scope: "s2", Level: "viewer"}}}},
			},
			want: access.Person{Grants: []access.Grant{{Vendor: "acme", Kind: "seat", Scope: "s1", Level: "editor"}, {Vendor: "acme", Kind: "seat", Scope: "s2", Level: "viewer"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			own := tc.own
			own.Email = email
			for _, r := range tc.roles {
				own.Roles = append(own.Roles, r.Name)
			}
			require.NoError(t, access.Validate([]access.Person{own}, tc.roles...))
			got, err := access.MergeRoles(own, tc.roles...)
			require.NoError(t, err)
			want := tc.want
			want.Email, want.Roles = email, own.Roles
			assert.Equal(t, want, got)
		})
	}
}

// A person without roles, or absent, is their own fields, whatever the
// roles defined.
func TestMergeRolesLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	roles := []access.Role{{Name: "dev", Access: access.Person{Box: []access.BoxMembership{{GroupID: "1"}}}}}
	own := access.Person{Email: "a@example.com", Box: []access.BoxMembership{{GroupID: "2"}, {GroupID: "2"}}}
	got, err := access.MergeRoles(own, roles...)
	require.NoError(t, err)
	assert.Equal(t, own, got)
	absent := access.Person{Email: "a@example.com", Absent: true, Roles: []string{"dev", "nobody"}}
	got, err = access.MergeRoles(absent, roles...)
	require.NoError(t, err)
	assert.Equal(t, absent, got)
}

// What cannot hold twice is an error naming both places, in Field and
// Also, as Validate and Plan return it.
func TestMergeRolesConflictNamesBoth(t *testing.T) {
	t.Parallel()
	vm := func(users ...string) access.Person {
		return access.Person{Freestyle: &access.FreestyleAccess{VMs: []access.FreestyleVMPermission{{VMID: "v0"}, {VMID: "v1", AllowedUsers: users}}}}
	}
	for _, tc := range []struct {
		name               string
		own                access.Person
		roles              []access.Role
		field, also, error string
	}{
		{
			name:  "two lists of users",
			roles: []access.Role{{Name: "dev", Access: vm("alice")}, {Name: "ops", Access: vm("alice", "bob")}},
			field: "roles[dev].Freestyle.VMs[1].AllowedUsers", also: "roles[ops].Freestyle.VMs[1].AllowedUsers",
			error: "access: invalid roles[dev].Freestyle.VMs[1].AllowedUsers: ada@example.com cannot have both: VM v1 for users alice here, " +
				"for users alice, bob in the other; also set by roles[ops].Freestyle.VMs[1].AllowedUsers",
		},
		{
			name:  "every user and a list",
			roles: []access.Role{{Name: "ops", Access: vm()}, {Name: "dev", Access: vm("alice")}},
			field: "roles[ops].Freestyle.VMs[1].AllowedUsers", also: "roles[dev].Freestyle.VMs[1].AllowedUsers",
			error: "access: invalid roles[ops].Freestyle.VMs[1].AllowedUsers: ada@example.com cannot have both: VM v1 for every user here, " +
				"for users alice in the other; also set by roles[dev].Freestyle.VMs[1].AllowedUsers",
		},
		{
			name:  "the person's own and a role's",
			own:   access.Person{Freestyle: &access.FreestyleAccess{VMs: []access.FreestyleVMPermission{{VMID: "v1", AllowedUsers: []string{}}}}},
			roles: []access.Role{{Name: "ops", Access: vm()}},
			field: "people[1].Freestyle.VMs[0].AllowedUsers", also: "roles[ops].Freestyle.VMs[1].AllowedUsers",
			error: "access: invalid people[1].Freestyle.VMs[0].AllowedUsers: ada@example.com cannot have both: VM v1 for no user here, " +
				"for every user in the other; also set by roles[ops].Freestyle.VMs[1].AllowedUsers",
		},
		{
			name: "a grant of another vendor at two levels",
			roles: []access.Role{
				{Name: "a", Access: access.Person{Grants: []access.Grant{{Vendor: "acme", Kind: "seat", Scope: "s1", Level: "editor"}}}},
				{Name: "b", Access: access.Person{Grants: []access.Grant{{Vendor: "acme", Kind: "seat", Scope: "s1", Level: "viewer"}}}},
			},
			field: "roles[a].Grants[0].Level", also: "roles[b].Grants[0].Level",
			error: "access: invalid roles[a].Grants[0].Level: ada@example.com cannot have both: acme seat s1 (editor) here, acme seat s1 (viewer) in the other; also set by roles[b].Grants[0].Level",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.own
			p.Email = "ada@example.com"
			for _, r := range tc.roles {
				p.Roles = append(p.Roles, r.Name)
			}
			people := []access.Person{{Email: "bob@example.com"}, p}
			err := access.Validate(people, tc.roles...)
			var ipe *access.InvalidPersonError
			require.ErrorAs(t, err, &ipe)
			assert.Equal(t, tc.field, ipe.Field)
			assert.Equal(t, tc.also, ipe.Also)
			assert.EqualError(t, err, tc.error)

			_, err = access.MergeRoles(p, tc.roles...)
			require.ErrorAs(t, err, &ipe)
			assert.Equal(t, tc.also, ipe.Also, "MergeRoles names the same places")

			e := newEnv(t)
			m, err := access.New(e.client, e.store, access.WithRoles(tc.roles...))
			require.NoError(t, err)
			_, err = m.Plan(t.Context(), people, access.PlanOptions{})
			assert.EqualError(t, err, tc.error, "Plan refuses it before any request")
			assert.Zero(t, e.writes.Load())
		})
	}
}

// rolesEnv is newEnv with a Manager that knows roles.
func rolesEnv(t *testing.T, roles ...access.Role) *env {
	t.Helper()
	e := newEnv(t)
	m, err := access.New(e.client, e.store, access.WithPortworxTenants(invitationstest.PortworxDemoTenantID), access.WithRoles(roles...))
	require.NoError(t, err)
	e.manager = m
	return e
}

// A plan of people with roles reads and plans the union of their access,
// and each create and update names the roles that ask for its grant: those
// whose level won where several do, none for a grant only the person's own
// fields ask for. An apply makes the vendors hold it: the next plan is
// empty.
func TestPlanWithRolesPlansTheUnionAndSaysWhereEachGrantComesFrom(t *testing.T) {
	t.Parallel()
	roles := []access.Role{
		{Name: "engineering", Access: access.Person{
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "platform"}}},
			Box:         []access.BoxMembership{{GroupName: "Engineering"}},
			Freestyle:   &access.FreestyleAccess{Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}}},
		}},
		{Name: "oncall", Access: access.Person{
			Box:       []access.BoxMembership{{GroupName: "Engineering", Role: models.GroupMembershipRoleAdmin}},
			Freestyle: &access.FreestyleAccess{VMs: []access.FreestyleVMPermission{{VMID: invitationstest.FreestyleDemoVMID}}},
			Portworx:  []access.PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-viewer"}}},
		}},
		{Name: "admins", Access: access.Person{
			Portworx: []access.PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-admin"}}},
		}},
		{Name: "unused", Access: access.Person{Box: []access.BoxMembership{{GroupID: invitationstest.BoxDemoGroupID}}}},
	}
	e := rolesEnv(t, roles...)
	people := []access.Person{
		{Email: "user201@example.com", Roles: []string{"engineering", "oncall", "admins"},
			// Her own: restricted loses to the role's member; the
			// repository at write beats the role's read.
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelRestricted},
			Freestyle:   &access.FreestyleAccess{Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelWrite}}},
		},
		// A member already: his own manager beats the role's member.
		{Email: "user202@example.com", Roles: []string{"engineering"}, GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelManager}},
	}
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{})
	require.NoError(t, err)
	require.Empty(t, plan.Problems)
	type line struct {
		action access.Action
		email  string
		grant  string
		roles  []string
	}
	var got []line
	for _, c := range plan.Changes {
		got = append(got, line{c.Action, c.Email, describeGrant(c.Grant), c.Roles})
	}
	assert.Equal(t, []line{
		// user201 has a pending invitation at restricted: the role's
		// member wins, a re-invite.
		{access.Update, "user201@example.com", "gitguardian workspace member", []string{"engineering"}},
		{access.Create, "user201@example.com", "gitguardian team 2003 Platform cannot_manage", []string{"engineering"}},
		{access.Update, "user202@example.com", "gitguardian workspace manager", nil},
		{access.Create, "user202@example.com", "gitguardian team 2003 Platform cannot_manage", []string{"engineering"}},
		{access.Create, "user201@example.com", "box group 119721 Engineering admin", []string{"oncall"}},
		{access.Create, "user202@example.com", "box group 119721 Engineering member", []string{"engineering"}},
		{access.Create, "user201@example.com", "freestyle identity", []string{"engineering", "oncall"}},
		{access.Create, "user201@example.com", "freestyle git " + invitationstest.FreestyleDemoRepoID + " write", nil},
		{access.Create, "user201@example.com", "freestyle vm " + invitationstest.FreestyleDemoVMID, []string{"oncall"}},
		{access.Create, "user202@example.com", "freestyle identity", []string{"engineering"}},
		{access.Create, "user202@example.com", "freestyle git " + invitationstest.FreestyleDemoRepoID + " read", []string{"engineering"}},
		{access.Create, "user201@example.com", "portworx invitation tenant:" + invitationstest.PortworxDemoTenantID + " tenant-admin,tenant-viewer", []string{"oncall", "admins"}},
	}, got)

	// A saved plan keeps where each grant comes from.
	data, err := json.Marshal(plan)
	require.NoError(t, err)
	var back access.Plan
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, plan.Changes, back.Changes)
	assert.Contains(t, string(data), `"roles":["oncall","admins"]`)

	assert.Equal(t, 1, e.converge(t, people, 3), "one apply makes the vendors hold the union")
}

// describeGrant is a grant on one line, for comparing plans.
func describeGrant(g access.Grant) string {
	return strings.Join(slices.DeleteFunc([]string{string(g.Vendor), string(g.Kind), g.Scope, g.ScopeName, g.Level}, func(s string) bool { return s == "" }), " ")
}

// A problem a read finds in a grant a role asks for names the role's
// field, and a person's own the person's index in the desired state, also
// when a target leaves others out.
func TestPlanProblemsNameTheRoleField(t *testing.T) {
	t.Parallel()
	roles := []access.Role{{Name: "dev", Access: access.Person{
		GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "Platform"}, {Team: "Nowhere"}}},
	}}}
	e := rolesEnv(t, roles...)
	people := []access.Person{
		{Email: "user201@example.com", Box: []access.BoxMembership{{GroupName: "No Such Group"}}},
		{Email: "user202@example.com", Roles: []string{"dev"}, Box: []access.BoxMembership{{GroupName: "Engineering"}, {GroupName: "No Such Group"}},
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "Demo Team"}}}},
	}
	plan, err := e.manager.Plan(t.Context(), people, access.PlanOptions{Targets: access.Targets{Emails: []string{"user202@example.com"}}})
	require.NoError(t, err)
	fields := map[string]invitations.API{}
	for _, p := range plan.Problems {
		fields[p.Field] = p.Vendor
	}
	assert.Equal(t, map[string]invitations.API{
		"roles[dev].GitGuardian.Teams[1].Team": invitations.GitGuardian,
		"people[1].Box[1].GroupName":           invitations.Box,
	}, fields)
}

// Without roles a plan is what it was: no change names a role.
func TestPlanWithoutRolesNamesNone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plan, err := e.manager.Plan(t.Context(), team(3), access.PlanOptions{NewIdentitiesOK: true})
	require.NoError(t, err)
	require.NotEmpty(t, plan.Changes)
	for _, c := range plan.Changes {
		assert.Nil(t, c.Roles, "%s %s", c.Email, c.Key())
	}
}

// A role named in the desired state that the Manager does not know stops
// the plan before any request; an offboarding names no role.
func TestPlanRefusesAnUnknownRole(t *testing.T) {
	t.Parallel()
	e := rolesEnv(t, access.Role{Name: "dev"}, access.Role{Name: "ops"})
	_, err := e.manager.Plan(t.Context(), []access.Person{{Email: "a@example.com", Roles: []string{"dev", "qa"}}}, access.PlanOptions{})
	var ipe *access.InvalidPersonError
	require.ErrorAs(t, err, &ipe)
	assert.Equal(t, "people[0].Roles[1]", ipe.Field)
	assert.Equal(t, "no role qa; the roles are: dev, ops", ipe.Reason)
	assert.Zero(t, e.writes.Load())

	_, err = access.New(e.client, e.store, access.WithRoles(access.Role{}))
	assert.EqualError(t, err, "access: WithRoles: a role has no name")
	plan, err := e.manager.Offboard(t.Context(), "user150@example.com")
	require.NoError(t, err)
	assert.NotEmpty(t, plan.Changes)
	for _, c := range plan.Changes {
		assert.Nil(t, c.Roles)
	}
}

// Prune looks in the scopes every role names, held or not: once the last
// holders of a role lose it (an identity provider took them out of its
// group), what the role gave them is removed on every vendor, although no
// person names its scopes now; what they had by hand there stays.
func TestPruneRemovesWhatARoleGaveOnceNobodyHoldsIt(t *testing.T) {
	t.Parallel()
	tenant := invitationstest.PortworxDemoTenantID
	project := fmt.Sprintf("%d/%d", invitationstest.BIMDataDemoCloudID, invitationstest.BIMDataDemoProjectID)
	e := rolesEnv(t, pruneRoles()...)
	holders := []access.Person{
		{Email: "user202@example.com", Roles: []string{"engineering"}},
		// Portworx's IAM finds a user who holds a role: user004 accepted
		// a demo invitation.
		{Email: "user004@example.com", Roles: []string{"operators"}},
	}
	plan, err := e.manager.Plan(t.Context(), holders, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	require.Empty(t, plan.Problems)
	assert.ElementsMatch(t, []string{
		"create user202@example.com gitguardian team 2003 Platform cannot_manage",
		"create user202@example.com box group 119721 Engineering member",
		"create user202@example.com freestyle identity",
		"create user202@example.com freestyle git " + invitationstest.FreestyleDemoRepoID + " read",
		"create user202@example.com freestyle vm " + invitationstest.FreestyleDemoVMID,
		"create user202@example.com bimdata cloud 12 Awesome Cloud user",
		"create user202@example.com bimdata project " + project + " guest",
		"create user202@example.com portworx invitation tenant:" + tenant + " tenant-viewer",
		"create user004@example.com portworx role-binding tenant:" + tenant + " tenant-viewer",
	}, planLines(plan), "user202 is a GitGuardian member already: only the team is new")
	results, err := e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	assertAllDone(t, results)

	left := []access.Person{{Email: "user202@example.com"}, {Email: "user004@example.com"}}
	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "without prune nothing is removed")

	// A plan targeted at one of them looks in the roles' scopes too, and
	// changes nobody else.
	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true, Targets: access.Targets{Emails: []string{"user004@example.com"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"remove user004@example.com portworx role-binding tenant:" + tenant + " Demo Organization tenant-viewer"}, planLines(plan))

	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	require.Empty(t, plan.Problems)
	assert.ElementsMatch(t, []string{
		"remove user202@example.com gitguardian team 2003 Platform cannot_manage",
		"remove user202@example.com box group 119721 Engineering member",
		"remove user202@example.com freestyle git " + invitationstest.FreestyleDemoRepoID + " read",
		"remove user202@example.com freestyle vm " + invitationstest.FreestyleDemoVMID,
		// The identity was made for the role and nothing asks for
		// Freestyle for user202 now; their GitGuardian membership was
		// there before: it stays.
		"remove user202@example.com freestyle identity",
		"remove user202@example.com bimdata cloud 12 Awesome Cloud user",
		"remove user202@example.com bimdata project " + project + " guest",
		"remove user202@example.com portworx invitation tenant:" + tenant + " tenant-viewer",
		"remove user004@example.com portworx role-binding tenant:" + tenant + " Demo Organization tenant-viewer",
	}, planLines(plan))
	results, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	assertAllDone(t, results)

	writes := e.writes.Load()
	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "the vendors hold nothing of the role any more")
	_, err = e.manager.Apply(t.Context(), plan)
	require.NoError(t, err)
	assert.Equal(t, writes, e.writes.Load(), "a second apply sends nothing")
}

// pruneRoles are roles that give something on every vendor whose
// connector prunes: GitGuardian's workspace and a team, a Box group,
// Freestyle's identity, a repository and a VM, a BIMData cloud and
// project, a Portworx invitation; and a Portworx role binding.
func pruneRoles() []access.Role {
	return []access.Role{
		{Name: "engineering", Access: access.Person{
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "platform"}}},
			Box:         []access.BoxMembership{{GroupName: "Engineering"}},
			Freestyle: &access.FreestyleAccess{
				Git: []access.FreestyleGitPermission{{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelRead}},
				VMs: []access.FreestyleVMPermission{{VMID: invitationstest.FreestyleDemoVMID}},
			},
			BIMData: &access.BIMDataAccess{
				Clouds:   []access.BIMDataCloudAccess{{CloudID: invitationstest.BIMDataDemoCloudID, Role: access.BIMDataUser}},
				Projects: []access.BIMDataProjectAccess{{CloudID: invitationstest.BIMDataDemoCloudID, ProjectID: invitationstest.BIMDataDemoProjectID, Role: access.BIMDataGuest}},
			},
			Portworx: []access.PortworxAccess{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-viewer"}}},
		}},
		{Name: "operators", Access: access.Person{
			PortworxRoleBindings: []access.PortworxRoleBinding{{TenantID: invitationstest.PortworxDemoTenantID, Roles: []string{"tenant-viewer"}}},
		}},
	}
}

// planLines are a plan's changes, one line each: action, email, grant.
func planLines(plan *access.Plan) []string {
	var out []string
	for _, c := range plan.Changes {
		out = append(out, string(c.Action)+" "+c.Email+" "+describeGrant(c.Grant))
	}
	return out
}

// assertAllDone fails on a result that is not Done.
func assertAllDone(t *testing.T, results []access.Result) {
	t.Helper()
	for _, r := range results {
		assert.Equal(t, access.Done, r.Outcome, "%s: %v", r.Change.Reason, r.Err)
	}
}

// A role nobody holds costs a prune only the reads of its scopes: the
// members of its Box group (its name looked up), GitGuardian's teams,
// BIMData's clouds and its project, Portworx's role bindings; nobody is
// looked up or read person by person for it (Box users, Freestyle
// permissions), and without prune it costs nothing.
func TestPruneReadsTheScopesOfARoleNobodyHoldsOnly(t *testing.T) {
	t.Parallel()
	people := []access.Person{{Email: "user202@example.com"}}
	reads := func(roles []access.Role, opts access.PlanOptions) map[invitationstest.Operation]int {
		e := rolesEnv(t, roles...)
		e.srv.ClearRequests()
		plan, err := e.manager.Plan(t.Context(), people, opts)
		require.NoError(t, err)
		assert.Empty(t, plan.Changes)
		assert.Empty(t, plan.Problems)
		n := map[invitationstest.Operation]int{}
		for _, r := range e.srv.Requests() {
			n[r.Operation]++
		}
		return n
	}
	base := reads(nil, access.PlanOptions{Prune: true})
	withRoles := reads(pruneRoles(), access.PlanOptions{Prune: true})
	extra := map[invitationstest.Operation]int{}
	for op, n := range withRoles {
		if d := n - base[op]; d != 0 {
			extra[op] = d
		}
	}
	for op, n := range base {
		if _, ok := withRoles[op]; !ok {
			extra[op] = -n
		}
	}
	assert.Equal(t, map[invitationstest.Operation]int{
		invitationstest.BoxGetGroups:                   1, // the name Engineering looked up
		invitationstest.BoxGetGroupMemberships:         1, // its members: one page
		invitationstest.GitGuardianListTeams:           1,
		invitationstest.GitGuardianListTeamMemberships: 3, // each of the 3 teams'
		invitationstest.GitGuardianListTeamInvitations: 3,
		invitationstest.BIMDataGetClouds:               1,
		invitationstest.BIMDataGetCloudUsers:           2, // each of the 2 clouds'
		invitationstest.BIMDataGetCloudInvitations:     2,
		invitationstest.BIMDataGetProjectUsers:         4, // the role's project, and the 3 the invitations link
		invitationstest.BIMDataGetProjectInvitations:   4,
		invitationstest.PortworxListIAM:                1, // the role bindings of the tenant
	}, extra)
	assert.Equal(t, base, reads(pruneRoles(), access.PlanOptions{}), "without prune the roles' scopes are not read")
}

// PlanOptions.ScopesOf given by a program names scopes for prune as a
// role does; a scope that names nothing there (a group, team or cloud the
// vendor does not know) is nobody's problem; an entry is checked as a
// role's fields are.
func TestPlanScopesOfGivenByTheCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.converge(t, []access.Person{{Email: "user202@example.com", Box: []access.BoxMembership{{GroupName: "Engineering"}}}}, 3)
	left := []access.Person{{Email: "user202@example.com"}}
	plan, err := e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true})
	require.NoError(t, err)
	assert.Empty(t, plan.Changes, "nobody names Engineering")

	scopes := []access.Person{
		{Box: []access.BoxMembership{{GroupName: "Engineering"}}},
		{Box: []access.BoxMembership{{GroupName: "No Such Group"}},
			GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{{Team: "No Such Team"}}},
			BIMData:     &access.BIMDataAccess{Clouds: []access.BIMDataCloudAccess{{CloudID: 99, Role: access.BIMDataUser}}}},
	}
	plan, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true, ScopesOf: scopes})
	require.NoError(t, err)
	assert.Empty(t, plan.Problems)
	assert.Equal(t, []string{"remove user202@example.com box group 119721 Engineering member"}, planLines(plan))

	_, err = e.manager.Plan(t.Context(), left, access.PlanOptions{Prune: true, ScopesOf: []access.Person{{}, {Box: []access.BoxMembership{{GroupName: "Engineering", Role: "owner"}}}}})
	var invalid *access.InvalidPersonError
	require.ErrorAs(t, err, &invalid)
	assert.Equal(t, "ScopesOf[1].Box[0].Role", invalid.Field)
}
