package serve

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
	"github.com/invitesdk/invitations/models"
)

func TestPeople(t *testing.T) {
	t.Parallel()
	mapping := map[string][]string{
		"Engineering": {"engineering"},
		"Ops":         {"ops", "engineering"},
		"sales":       {"sales"},
		"SALES":       {"sales-lead"},
		"Support":     {"support"},
		"support":     {"support-lower"},
	}
	member := &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember}
	active := func(id, email string) scim.User {
		return scim.User{ID: id, UserName: id, Active: true, Email: email}
	}
	for _, tc := range []struct {
		name           string
		filePeople     []access.Person
		users          []scim.User
		groups         []scim.Group
		unmappedAbsent bool
		want           []access.Person
		notes          []string
	}{
		{
			name:   "an active user holds the union of their mapped groups' roles, sorted",
			users:  []scim.User{active("u1", "ada@example.com")},
			groups: []scim.Group{{ID: "g1", DisplayName: "Ops", Members: []string{"u1"}}, {ID: "g2", DisplayName: "Engineering", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com", Roles: []string{"engineering", "ops"}}},
		},
		{
			name:   "a group matches a mapping without regard to case when no name is exact",
			users:  []scim.User{active("u1", "ada@example.com")},
			groups: []scim.Group{{ID: "g1", DisplayName: "ENGINEERING", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com", Roles: []string{"engineering"}}},
		},
		{
			name:   "an exact name wins over names of another case",
			users:  []scim.User{active("u1", "ada@example.com")},
			groups: []scim.Group{{ID: "g1", DisplayName: "support", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com", Roles: []string{"support-lower"}}},
		},
		{
			name:   "without an exact name, every name of another case counts",
			users:  []scim.User{active("u1", "ada@example.com")},
			groups: []scim.Group{{ID: "g1", DisplayName: "Sales", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com", Roles: []string{"sales", "sales-lead"}}},
		},
		{
			name: "inactive and deleted users are absent",
			users: []scim.User{
				{ID: "u1", UserName: "ada", Email: "ada@example.com"},
				{ID: "u2", UserName: "bob", Active: true, Email: "bob@example.com", Deleted: true},
			},
			groups: []scim.Group{{ID: "g1", DisplayName: "Engineering", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com", Absent: true}, {Email: "bob@example.com", Absent: true}},
		},
		{
			name:   "an active user in no mapped group is a person without grants",
			users:  []scim.User{active("u1", "ada@example.com")},
			groups: []scim.Group{{ID: "g1", DisplayName: "Unmapped", Members: []string{"u1"}}},
			want:   []access.Person{{Email: "ada@example.com"}},
		},
		{
			name:           "or absent, when asked",
			users:          []scim.User{active("u1", "ada@example.com")},
			unmappedAbsent: true,
			want:           []access.Person{{Email: "ada@example.com", Absent: true}},
		},
		{
			name: "a live user wins over a deleted one with the same email",
			users: []scim.User{
				{ID: "u1", UserName: "ada.old", Email: "Ada@example.com", Deleted: true},
				active("u2", "ada@example.com"),
			},
			groups: []scim.Group{{ID: "g1", DisplayName: "Engineering", Members: []string{"u1", "u2"}}},
			want:   []access.Person{{Email: "ada@example.com", Roles: []string{"engineering"}}},
		},
		{
			name: "an active user wins over an inactive one; the active ones' roles add up",
			users: []scim.User{
				{ID: "u1", UserName: "ada.inactive", Email: "ada@example.com"},
				active("u2", "ada@example.com"),
				active("u3", "ADA@example.com"),
			},
			groups: []scim.Group{
				{ID: "g1", DisplayName: "Ops", Members: []string{"u1"}},
				{ID: "g2", DisplayName: "Engineering", Members: []string{"u2"}},
				{ID: "g3", DisplayName: "Support", Members: []string{"u3"}},
			},
			want: []access.Person{{Email: "ada@example.com", Roles: []string{"engineering", "support"}}},
		},
		{
			name:       "the file's person keeps their fields and places and gains the groups' roles after their own",
			filePeople: []access.Person{{Email: "zoe@example.com", GitGuardian: member, Roles: []string{"support"}}, {Email: "ada@example.com"}},
			users:      []scim.User{active("u1", "ZOE@example.com"), active("u2", "bob@example.com")},
			groups:     []scim.Group{{ID: "g1", DisplayName: "Ops", Members: []string{"u1", "u2"}}},
			want: []access.Person{
				{Email: "zoe@example.com", GitGuardian: member, Roles: []string{"support", "engineering", "ops"}},
				{Email: "ada@example.com"},
				{Email: "bob@example.com", Roles: []string{"engineering", "ops"}},
			},
		},
		{
			name:       "the identity provider deactivating the file's person makes them absent",
			filePeople: []access.Person{{Email: "zoe@example.com", GitGuardian: member}},
			users:      []scim.User{{ID: "u1", UserName: "zoe", Email: "zoe@example.com"}},
			want:       []access.Person{{Email: "zoe@example.com", Absent: true}},
		},
		{
			name:           "the file's person in no mapped group keeps their access, even with unmapped absent",
			filePeople:     []access.Person{{Email: "zoe@example.com", GitGuardian: member}},
			users:          []scim.User{active("u1", "zoe@example.com")},
			unmappedAbsent: true,
			want:           []access.Person{{Email: "zoe@example.com", GitGuardian: member}},
		},
		{
			name:       "the file's absent person stays absent",
			filePeople: []access.Person{{Email: "zoe@example.com", Absent: true}},
			users:      []scim.User{active("u1", "zoe@example.com")},
			groups:     []scim.Group{{ID: "g1", DisplayName: "Engineering", Members: []string{"u1"}}},
			want:       []access.Person{{Email: "zoe@example.com", Absent: true}},
			notes:      []string{`SCIM user "u1" is active, but the file says their email is absent: kept absent`},
		},
		{
			name: "users without a usable email are left out and noted by userName",
			users: []scim.User{
				{ID: "u1", UserName: "no-email", Active: true},
				{ID: "u2", UserName: "bad", Active: true, Email: "Ada <ada@example.com>"},
				{ID: "u3", UserName: "gone", Email: "not an email", Deleted: true},
			},
			groups: []scim.Group{{ID: "g1", DisplayName: "Engineering", Members: []string{"u1", "u2"}}},
			notes: []string{
				`SCIM user "no-email" has no usable email: left out`,
				`SCIM user "bad" has no usable email: left out`,
				`SCIM user "gone" has no usable email: left out`,
			},
		},
		{
			name:       "people from the identity provider come after the file's, sorted by email",
			filePeople: []access.Person{{Email: "zoe@example.com", GitGuardian: member}},
			users: []scim.User{
				active("u1", "carl@example.com"), {ID: "u2", UserName: "bob", Email: "bob@example.com"}, active("u3", "Ada@example.com"),
			},
			groups: []scim.Group{{ID: "g1", DisplayName: "Engineering", Members: []string{"u1", "u3"}}},
			want: []access.Person{
				{Email: "zoe@example.com", GitGuardian: member},
				{Email: "Ada@example.com", Roles: []string{"engineering"}},
				{Email: "bob@example.com", Absent: true},
				{Email: "carl@example.com", Roles: []string{"engineering"}},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := &desired.File{Path: "people.yaml", People: tc.filePeople, Groups: mapping}
			got, notes := People(file, tc.users, tc.groups, tc.unmappedAbsent)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.notes, notes)
			var roles []access.Role
			for _, name := range []string{"engineering", "ops", "sales", "sales-lead", "support", "support-lower"} {
				roles = append(roles, access.Role{Name: name})
			}
			assert.NoError(t, access.Validate(got, roles...), "a desired state the engine accepts")
		})
	}
}

// People leaves the file's people as they were: it works on a copy.
func TestPeopleDoesNotChangeTheFile(t *testing.T) {
	t.Parallel()
	file := &desired.File{People: []access.Person{{Email: "zoe@example.com", Roles: []string{"support"}}}, Groups: map[string][]string{"Ops": {"ops"}}}
	users := []scim.User{{ID: "u1", UserName: "zoe", Active: true, Email: "zoe@example.com"}}
	got, _ := People(file, users, []scim.Group{{ID: "g1", DisplayName: "Ops", Members: []string{"u1"}}}, false)
	assert.Equal(t, []string{"support", "ops"}, got[0].Roles)
	assert.Equal(t, []string{"support"}, file.People[0].Roles)
}
