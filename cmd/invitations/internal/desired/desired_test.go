package desired

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/models"
)

func TestParseReadsEveryField(t *testing.T) {
	t.Parallel()
	f, err := Parse("people.yaml", []byte(`
people:
  - email: ada@example.com
    gitguardian: {access_level: manager}
    box: [{group: Engineering}, {group_id: 119721, role: admin}]
    freestyle:
      git: [{repo: r1, permission: write}]
      vms: [{vm: v1}, {vm: v2, users: []}, {vm: v3, users: [alice]}]
    bimdata: {accept: true, clouds: [{cloud: 12, role: admin}], projects: [{cloud: 12, project: 15, role: guest}]}
    portworx: [{tenant: t1, roles: [tenant-admin]}, {project: p1, roles: [a, b]}]
  - email: bob@example.com
    absent: true
prune: true
prune_all: true
portworx_tenants: [t1]
`))
	require.NoError(t, err)
	assert.Equal(t, []access.Person{{
		Email:       "ada@example.com",
		GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelManager},
		Box:         []access.BoxMembership{{GroupName: "Engineering"}, {GroupID: "119721", Role: models.GroupMembershipRoleAdmin}},
		Freestyle: &access.FreestyleAccess{
			Git: []access.FreestyleGitPermission{{RepoID: "r1", Permission: models.GitAccessLevelWrite}},
			VMs: []access.FreestyleVMPermission{{VMID: "v1"}, {VMID: "v2", AllowedUsers: []string{}}, {VMID: "v3", AllowedUsers: []string{"alice"}}},
		},
		BIMData: &access.BIMDataAccess{Accept: true, Clouds: []access.BIMDataCloudAccess{{CloudID: 12, Role: access.BIMDataAdmin}},
			Projects: []access.BIMDataProjectAccess{{CloudID: 12, ProjectID: 15, Role: access.BIMDataGuest}}},
		Portworx: []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-admin"}}, {ProjectID: "p1", Roles: []string{"a", "b"}}},
	}, {Email: "bob@example.com", Absent: true}}, f.People)
	assert.True(t, f.Prune)
	assert.True(t, f.PruneAll)
	assert.Equal(t, []string{"t1"}, f.PortworxTenants)
	assert.Equal(t, []invitations.API{invitations.GitGuardian, invitations.Box, invitations.Freestyle, invitations.BIMData, invitations.Portworx}, f.Grants(), "ada asks a grant of every vendor")
	assert.True(t, f.HasAbsent(), "bob is absent")
}

// Every mistake names the file, the line and column, and the field, before
// anything is sent.
func TestParseErrorsNameFileLineAndField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown top field", "people: []\nprnue: true\n", "p.yaml:2:1: prnue: unknown field (known fields: people, roles, groups, prune, prune_all, portworx_tenants, offboarding)"},
		{"unknown person field", "people:\n  - email: a@example.com\n    gitlab: {}\n", "p.yaml:3:5: people[0].gitlab: unknown field"},
		{"unknown vendor field", "people:\n  - email: a@example.com\n    box: [{group: E, rol: admin}]\n", "p.yaml:3:22: people[0].box[0].rol: unknown field (known fields: group, group_id, role)"},
		{"bad email", "people:\n  - email: not-an-email\n", `p.yaml:2:12: people[0].email: "not-an-email" is not an email address`},
		{"email with a name", "people:\n  - email: Ada <a@example.com>\n", `people[0].email: "Ada <a@example.com>" is not an email address`},
		{"no email", "people:\n  - absent: true\n", "p.yaml:2:5: people[0].email: missing"},
		{"duplicate email", "people:\n  - email: a@example.com\n  - email: A@example.com\n", "p.yaml:3:12: people[1].email: A@example.com is also people[0]"},
		{"bad access level", "people:\n  - email: a@example.com\n    gitguardian: {access_level: owner}\n", `p.yaml:3:33: people[0].gitguardian.access_level: "owner": must be manager, member or restricted`},
		{"no access level", "people:\n  - email: a@example.com\n    gitguardian: {}\n", "people[0].gitguardian.access_level: missing"},
		{"bad role", "people:\n  - email: a@example.com\n    box: [{group: E, role: owner}]\n", `p.yaml:3:28: people[0].box[0].role: "owner": must be member or admin`},
		{"box without group", "people:\n  - email: a@example.com\n    box: [{role: admin}]\n", "p.yaml:3:11: people[0].box[0]: needs a group name or a group id"},
		{"box with both", "people:\n  - email: a@example.com\n    box: [{group: E, group_id: 1}]\n", "people[0].box[0]: give group or group_id, not both"},
		{"box not a list", "people:\n  - email: a@example.com\n    box: {group: E}\n", "p.yaml:3:10: people[0].box: must be a list, not a mapping"},
		{"bad git permission", "people:\n  - email: a@example.com\n    freestyle: {git: [{repo: r, permission: admin}]}\n", `people[0].freestyle.git[0].permission: "admin": must be read or write`},
		{"git without repo", "people:\n  - email: a@example.com\n    freestyle: {git: [{permission: read}]}\n", "people[0].freestyle.git[0].repo: missing"},
		{"vm without id", "people:\n  - email: a@example.com\n    freestyle: {vms: [{users: [a]}]}\n", "people[0].freestyle.vms[0].vm: missing"},
		{"vm users not strings", "people:\n  - email: a@example.com\n    freestyle: {vms: [{vm: v, users: [[a]]}]}\n", "people[0].freestyle.vms[0].users[0]: must be a string, not a list"},
		{"portworx two scopes", "people:\n  - email: a@example.com\n    portworx: [{tenant: t, project: p, roles: [r]}]\n", "p.yaml:3:16: people[0].portworx[0]: needs exactly one of account, tenant and project"},
		{"portworx no scope", "people:\n  - email: a@example.com\n    portworx: [{roles: [r]}]\n", "people[0].portworx[0]: needs exactly one of account, tenant and project"},
		{"portworx no roles", "people:\n  - email: a@example.com\n    portworx: [{tenant: t, roles: []}]\n", "people[0].portworx[0].roles: must name at least one role"},
		{"bimdata accept not bool", "people:\n  - email: a@example.com\n    bimdata: {accept: yes please}\n", `people[0].bimdata.accept: must be true or false, not "yes please"`},
		{"bimdata cloud not a number", "people:\n  - email: a@example.com\n    bimdata: {clouds: [{cloud: twelve, role: user}]}\n", `p.yaml:3:32: people[0].bimdata.clouds[0].cloud: must be a positive whole number (an id), not "twelve"`},
		{"bimdata cloud id zero", "people:\n  - email: a@example.com\n    bimdata: {clouds: [{cloud: 0, role: user}]}\n", `people[0].bimdata.clouds[0].cloud: must be a positive whole number (an id), not "0"`},
		{"bimdata cloud role", "people:\n  - email: a@example.com\n    bimdata: {clouds: [{cloud: 12, role: guest}]}\n", `p.yaml:3:42: people[0].bimdata.clouds[0].role: "guest": must be admin or user`},
		{"bimdata cloud twice", "people:\n  - email: a@example.com\n    bimdata: {clouds: [{cloud: 12, role: user}, {cloud: 12, role: admin}]}\n", `p.yaml:3:57: people[0].bimdata.clouds[1].cloud: cloud 12 is also Clouds[0]: give it one role`},
		{"bimdata project missing", "people:\n  - email: a@example.com\n    bimdata:\n      projects:\n        - {cloud: 12, role: user}\n", `p.yaml:5:11: people[0].bimdata.projects[0].project: missing`},
		{"bimdata project role", "people:\n  - email: a@example.com\n    bimdata: {projects: [{cloud: 12, project: 15, role: owner}]}\n", `people[0].bimdata.projects[0].role: "owner": must be admin, user or guest`},
		{"bimdata project field", "people:\n  - email: a@example.com\n    bimdata: {projects: [{cloud: 12, projet: 15, role: user}]}\n", `people[0].bimdata.projects[0].projet: unknown field (known fields: cloud, project, role)`},
		{"bimdata unknown field", "people:\n  - email: a@example.com\n    bimdata: {cloud: [{cloud: 12, role: user}]}\n", `people[0].bimdata.cloud: unknown field (known fields: accept, clouds, projects)`},
		{"absent with access", "people:\n  - email: a@example.com\n    absent: true\n    box: [{group: E}]\n", "p.yaml:4:5: people[0].box: an absent person is removed everywhere"},
		{"field twice", "people:\n  - email: a@example.com\n    email: b@example.com\n", "p.yaml:3:5: people[0].email: given twice"},
		{"no people", "prune: true\n", "p.yaml:1:1: people: missing"},
		{"empty file", "", "p.yaml: the file is empty"},
		{"syntax", "people:\n  - email: [\n", "p.yaml:"},
		{"prune not bool", "people: []\nprune: maybe\n", `p.yaml:2:8: prune: must be true or false, not "maybe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// access's own validation, naming "people[1].Box[0].Role", is mapped back
// to that field's line.
func TestExplainMapsInvalidPersonToTheLine(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("people:\n  - email: a@example.com\n  - email: b@example.com\n    box:\n      - group: E\n        role: member\n"))
	require.NoError(t, err)
	for field, want := range map[string]string{
		"people[1].Box[0].Role":      "p.yaml:6:15: people[1].box[0].role: bad",
		"people[1].Box[0].GroupName": "p.yaml:5:16: people[1].box[0].group: bad",
		"people[1].Box[0].GroupID":   "p.yaml:5:9: people[1].box[0]: bad", // not in the file: its parent
		"people[0].Email":            "p.yaml:2:12: people[0].email: bad",
		"people[7].Email":            "p.yaml: people[7].Email: bad",
	} {
		got := f.Explain(&access.InvalidPersonError{Field: field, Reason: "bad"})
		assert.EqualError(t, got, want, field)
	}
	other := errors.New("other")
	assert.Same(t, other, f.Explain(other))
}

// A control character in any string of the file (a value, a key, a place
// the parser does not read) is refused, named by line, column and field,
// and shown as U+XXXX: the message is safe to print on a terminal.
func TestParseRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	const head = "people:\n  - email: a@example.com\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"escaped ESC in a repo", head + "    freestyle:\n      git:\n        - repo: \"\\e[2J\\e[31mFAKE\"\n          permission: read\n",
			"p.yaml:5:17: people[0].freestyle.git[0].repo: contains a control character (U+001B) at character 1 of the value: remove it"},
		{"escaped ESC in a flow repo", head + "    freestyle: {git: [{repo: \"r\\e[2J\", permission: read}]}\n",
			"p.yaml:3:30: people[0].freestyle.git[0].repo: contains a control character (U+001B) at character 2 of the value: remove it"},
		{"C1 in an email", "people:\n  - email: \"a\\x9b@example.com\"\n",
			"p.yaml:2:12: people[0].email: contains a control character (U+009B) at character 2 of the value: remove it"},
		{"NUL in an access level", head + "    gitguardian: {access_level: \"manager\\0\"}\n",
			"p.yaml:3:33: people[0].gitguardian.access_level: contains a control character (U+0000) at character 8 of the value: remove it"},
		{"NEL in a role", head + "    box: [{group: E, role: \"admin\\N\"}]\n",
			"p.yaml:3:28: people[0].box[0].role: contains a control character (U+0085) at character 6 of the value: remove it"},
		{"tab in a VM user", head + "    freestyle: {vms: [{vm: v, users: [\"al\\tice\"]}]}\n",
			"p.yaml:3:39: people[0].freestyle.vms[0].users[0]: contains a control character (U+0009) at character 3 of the value: remove it"},
		{"raw tab in a plain value", head + "    box: [{group: En\tg}]\n",
			"p.yaml:3:19: people[0].box[0].group: contains a control character (U+0009) at character 3 of the value: remove it"},
		{"line break in a literal block", head + "    box:\n      - group: |\n          Eng\n",
			"p.yaml:4:16: people[0].box[0].group: contains a control character (U+000A) at character 4 of the value: remove it"},
		{"portworx tenant", "people: []\nportworx_tenants: [\"t\\x01\"]\n",
			"p.yaml:2:20: portworx_tenants[0]: contains a control character (U+0001) at character 2 of the value: remove it"},
		{"in a key", head + "    \"gi\\etlab\": {}\n",
			`p.yaml:3:5: people[0]."gi\x1btlab": the field name contains a control character (U+001B): remove it`},
		{"under an unknown field", head + "    gitlab: {role: \"\\e]0;pwned\\a\"}\n",
			"p.yaml:3:20: people[0].gitlab.role: contains a control character (U+001B) at character 1 of the value: remove it"},
		{"raw ESC in a quoted value", head + "    box: [{group: \"E\x1b[2J\"}]\n",
			"p.yaml:3:21: people[0].box[0].group: contains a control character (U+001B): remove it"},
		{"raw C1 in a plain value", head + "    box: [{group: E\u009bx}]\n",
			"p.yaml:3:20: people[0].box[0].group: contains a control character (U+009B): remove it"},
		{"raw DEL in a key", head + "    bo\x7fx: []\n",
			`p.yaml:3:7: people[0]."bo\x7fx": the field name contains a control character (U+007F): remove it`},
		{"raw ESC in a comment", head + "# see \x1b[2J\n",
			"p.yaml:3:7: the file contains a control character (U+001B): remove it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Equal(t, tc.want, err.Error())
			for _, r := range err.Error() {
				assert.False(t, isControl(r), "the message holds U+%04X", r)
			}
		})
	}
}

// A file holds one YAML document: a second one is refused, not ignored.
func TestParseRefusesSeveralDocuments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"two", "people: []\n---\npeople:\n  - email: a@example.com\n", "p.yaml:2:1: the file holds several YAML documents; the second starts at line 2: keep one"},
		{"after a leading ---", "---\npeople: []\n\n---\nprune: true\n", "p.yaml:4:1: the file holds several YAML documents; the second starts at line 4: keep one"},
		{"an empty second", "people: []\n---\n", "p.yaml:2:1: the file holds several YAML documents; the second starts at line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	for _, one := range []string{"---\npeople: []\n", "people: []\n...\n", "# c\n---\npeople: []\n...\n"} {
		_, err := Parse("p.yaml", []byte(one))
		assert.NoError(t, err, "%q", one)
	}
}

// A YAML syntax error names the line and the column of the problem, even
// where yaml.v3 names no line or another one.
func TestParseSyntaxErrorsNameLineAndColumn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"tab indenting", "people:\n\t- email: a@example.com\n", "p.yaml:2:1: found character that cannot start any token"},
		{"tab in a mapping", "people:\n  - email: a\n\tbox: x\n", "p.yaml:3:1: found a tab character that violates indentation"},
		{"bad character on line 1", "@people: []\n", "p.yaml:1:1: found character that cannot start any token"},
		{"backquote", "people: []\nprune: `x`\n", "p.yaml:2:8: found character that cannot start any token"},
		{"unknown alias", "people:\n  - email: *nope\n", "p.yaml:2:12: unknown anchor 'nope' referenced"},
		{"unknown alias in a flow list", "people: [*nope]\n", "p.yaml:1:10: unknown anchor 'nope' referenced"},
		{"value too indented", "people:\n  - email: a@example.com\n     box: []\n", "p.yaml:3:9: mapping values are not allowed in this context"},
		{"key under-indented", "people:\n  - email: a@example.com\n   box: []\n", "p.yaml:3:4: did not find expected '-' indicator"},
		{"key at the list's indent", "people:\n  - email: a@example.com\n  box: []\n", "p.yaml:3:3: did not find expected '-' indicator"},
		{"quoted key at the list's indent", "people:\n  - email: a@example.com\n  \"box\": []\n", "p.yaml:3:3: did not find expected '-' indicator"},
		{"entry in a mapping", "people: []\n- prune\n", "p.yaml:2:1: did not find expected key"},
		{"missing comma", "people:\n  - email: a@example.com\n    box: [{group: E} {group: F}]\n", "p.yaml:3:22: did not find expected ',' or ']'"},
		{"missing comma, first line", "people: [{email: a@example.com} {email: b@example.com}]\n", "p.yaml:1:33: did not find expected ',' or ']'"},
		{"missing comma across lines", "people: [{email: a@example.com}\n  x]\n", "p.yaml:2:3: did not find expected ',' or ']'"},
		{"list never closed", "people:\n  - email: a@example.com\n    box: [{group: E}\n", "p.yaml:3:21: did not find expected ',' or ']' at the end of the file"},
		{"mapping never closed", "people: [{email: a@example.com\n", "p.yaml:1:31: did not find expected ',' or '}' at the end of the file"},
		{"empty list item", "people: [a, , b]\n", "p.yaml:1:13: did not find expected node content"},
		{"closing bracket as a value", "people: ]\n", "p.yaml:1:9: did not find expected node content"},
		{"string never closed", "people:\n  - email: \"a@example.com\n", "p.yaml:2:12: found unexpected end of stream"},
		{"string never closed, first line", "people: 'a\n", "p.yaml:1:9: found unexpected end of stream"},
		{"bad escape", "people:\n  - email: \"a\\qb\"\n", "p.yaml:2:14: found unknown escape character"},
		{"key without value", "people: []\nprune\n", "p.yaml:2:1: could not find expected ':'"},
		{"text after a quoted value", "people: \"x\" y\n", "p.yaml:1:13: did not find expected key"},
		{"undefined tag handle", "people: !foo!bar x\n", "p.yaml:1:9: found undefined tag handle"},
		{"tab in a literal block", "people: |\n  x\n\ty\n", "p.yaml:3:1: found a tab character where an indentation space is expected"},
		{"wide characters before", "people: [{email: é@example.com} {email: b}]\n", "p.yaml:1:33: did not find expected ',' or ']'"},
		{"in the second document", "people: []\n---\nprune: [\n", "p.yaml:3:9: did not find expected node content at the end of the file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// The file is read as yaml.v3 reads it: UTF-8 with or without a byte order
// mark, or UTF-16 with one; positions are in characters after the mark;
// bytes that are not UTF-8 are refused where they are.
func TestParseEncodings(t *testing.T) {
	t.Parallel()
	const text = "people:\n  - email: a@example.com\n    box: [{group: Équipe}]\n"
	utf16 := func(bigEndian bool) []byte {
		out := []byte{0xff, 0xfe}
		if bigEndian {
			out = []byte{0xfe, 0xff}
		}
		for _, r := range text {
			hi, lo := byte(r>>8), byte(r)
			if bigEndian {
				out = append(out, hi, lo)
			} else {
				out = append(out, lo, hi)
			}
		}
		return out
	}
	for name, data := range map[string][]byte{
		"UTF-8":          []byte(text),
		"UTF-8 with BOM": append([]byte("\xef\xbb\xbf"), text...),
		"UTF-16LE":       utf16(false),
		"UTF-16BE":       utf16(true),
	} {
		f, err := Parse("p.yaml", data)
		require.NoError(t, err, name)
		assert.Equal(t, "Équipe", f.People[0].Box[0].GroupName, name)
	}
	_, err := Parse("p.yaml", []byte("\xef\xbb\xbfpeople:\n  - email: é@\n"))
	assert.EqualError(t, err, `p.yaml:2:12: people[0].email: "é@" is not an email address`)
	_, err = Parse("p.yaml", []byte("\xef\xbb\xbfprune: `x`\n"))
	assert.EqualError(t, err, "p.yaml:1:8: found character that cannot start any token")
	_, err = Parse("p.yaml", []byte("people:\n  - email: é\xff\n"))
	assert.EqualError(t, err, "p.yaml:2:13: byte 0xFF is not UTF-8: save the file as UTF-8 text")
}

// Locate names where an access field path is in the file, for plan
// problems: the field, else its closest parent, else the person, else the
// file.
func TestLocate(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("people:\n  - email: a@example.com\n  - email: b@example.com\n    box:\n      - group: E\n        role: member\n    portworx: [{tenant: t, roles: [r]}]\n"))
	require.NoError(t, err)
	for field, want := range map[string][2]string{
		"people[1].Box[0].Role":        {"p.yaml:6:15", "people[1].box[0].role"},
		"people[1].Box[0].GroupName":   {"p.yaml:5:16", "people[1].box[0].group"},
		"people[1].Box[0].GroupID":     {"p.yaml:5:9", "people[1].box[0]"},
		"people[1].Portworx[0].Roles":  {"p.yaml:7:35", "people[1].portworx[0].roles"},
		"people[1].Portworx[0].Tenant": {"p.yaml:7:16", "people[1].portworx[0]"},
		"people[1].Freestyle":          {"p.yaml:3:5", "people[1]"},
		"people[0].Email":              {"p.yaml:2:12", "people[0].email"},
		"people[0]":                    {"p.yaml:2:5", "people[0]"},
		"people[7].Email":              {"p.yaml", "people[7].Email"},
		"":                             {"p.yaml", ""},
	} {
		loc, name := f.Locate(field)
		assert.Equal(t, want, [2]string{loc, name}, field)
	}
}

// Whatever the file, Parse does not panic, every error is an *Error naming
// a line and a column (but for an empty file), and no message holds a
// control character.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"people:\n  - email: a@example.com\n    box: [{group: E}, {group_id: 1, role: admin}]\n    freestyle: {git: [{repo: r, permission: read}], vms: [{vm: v, users: [u]}]}\n",
		"people: [{email: a@example.com} {email: b}]\n",
		"people:\n\t- email: \"a\\e\"\n",
		"people: *nope\n---\n",
		"people: [\"\x1b\", '\u009b']\n",
		"%YAML 1.1\n---\npeople: !!str |\n  x\n",
		"roles: {a: {freestyle: {vms: [{vm: v}]}}, b: {freestyle: {vms: [{vm: v, users: []}]}}}\ngroups: {G: [a, b]}\npeople: [{email: a@example.com, roles: [a, b]}]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("p.yaml", data)
		if err == nil {
			return
		}
		var derr *Error
		require.ErrorAs(t, err, &derr)
		if !strings.HasPrefix(derr.Msg, "the file is empty") {
			assert.Positive(t, derr.Line, err.Error())
			assert.Positive(t, derr.Column, err.Error())
		}
		for _, r := range err.Error() {
			require.False(t, isControl(r), "%q holds U+%04X", err.Error(), r)
		}
	})
}

// A BIMData problem of a read (an unknown cloud or project) names its
// field as access does, mapped to the line of the file.
func TestExplainMapsBIMDataFields(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("people:\n  - email: a@example.com\n    bimdata:\n      clouds: [{cloud: 99, role: user}]\n      projects:\n        - cloud: 12\n          project: 98\n          role: user\n"))
	require.NoError(t, err)
	for field, want := range map[string]string{
		"people[0].BIMData.Clouds[0].CloudID":     "p.yaml:4:24: people[0].bimdata.clouds[0].cloud: bad",
		"people[0].BIMData.Projects[0].CloudID":   "p.yaml:6:18: people[0].bimdata.projects[0].cloud: bad",
		"people[0].BIMData.Projects[0].ProjectID": "p.yaml:7:20: people[0].bimdata.projects[0].project: bad",
		"people[0].BIMData.Projects[0].Role":      "p.yaml:8:17: people[0].bimdata.projects[0].role: bad",
	} {
		assert.EqualError(t, f.Explain(&access.InvalidPersonError{Field: field, Reason: "bad"}), want, field)
	}
}

func TestParseBoxOffboarding(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte(`
people: [{email: ada@example.com, absent: true}]
offboarding:
  box: {account: delete, transfer_to: boss@example.com, end_sessions: false}
`))
	require.NoError(t, err)
	no := false
	assert.Equal(t, []access.OffboardingPolicy{access.BoxOffboarding{Account: access.BoxAccountDelete, TransferTo: "boss@example.com", EndSessions: &no}}, f.Offboarding)

	f, err = Parse("p.yaml", []byte("people: []\noffboarding:\n  box: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []access.OffboardingPolicy{access.BoxOffboarding{}}, f.Offboarding, "what the file leaves out is access's default")

	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown account", "people: []\noffboarding:\n  box:\n    account: archive\n",
			`p.yaml:4:14: offboarding.box.account: "archive": must be deactivate, delete or keep`},
		{"transfer_to not an email", "people: []\noffboarding:\n  box:\n    account: delete\n    transfer_to: the boss\n",
			`p.yaml:5:18: offboarding.box.transfer_to: "the boss" is not an email address`},
		{"end_sessions not a boolean", "people: []\noffboarding:\n  box: {end_sessions: yes please}\n",
			`p.yaml:3:23: offboarding.box.end_sessions: must be true or false`},
		{"unknown field", "people: []\noffboarding:\n  box: {acount: delete}\n",
			"p.yaml:3:9: offboarding.box.acount: unknown field (known fields: account, transfer_to, end_sessions)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tc.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseGitGuardianTeams(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte(`
people:
  - email: ada@example.com
    gitguardian:
      access_level: member
      teams:
        - Platform
        - {team: Demo Team, permission: can_manage}
        - team: Security
`))
	require.NoError(t, err)
	assert.Equal(t, &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember, Teams: []access.GitGuardianTeam{
		{Team: "Platform"}, {Team: "Demo Team", Permission: models.TeamPermissionCanManage}, {Team: "Security"},
	}}, f.People[0].GitGuardian)

	// A plan's problem with a team (no team of that name) names the
	// line of the team's name.
	for field, want := range map[string]string{
		"people[0].GitGuardian.Teams[0].Team":       "p.yaml:7:11: people[0].gitguardian.teams[0]: bad",
		"people[0].GitGuardian.Teams[1].Team":       "p.yaml:8:18: people[0].gitguardian.teams[1].team: bad",
		"people[0].GitGuardian.Teams[1].Permission": "p.yaml:8:41: people[0].gitguardian.teams[1].permission: bad",
	} {
		assert.EqualError(t, f.Explain(&access.InvalidPersonError{Field: field, Reason: "bad"}), want, field)
	}

	head := "people:\n  - email: a@example.com\n    gitguardian:\n      access_level: member\n      teams:\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"bad permission", head + "        - {team: Platform, permission: owner}\n",
			`p.yaml:6:40: people[0].gitguardian.teams[0].permission: "owner": must be can_manage or cannot_manage`},
		{"no team", head + "        - {permission: can_manage}\n", "p.yaml:6:11: people[0].gitguardian.teams[0].team: missing"},
		{"empty name", head + "        - \"\"\n", "p.yaml:6:11: people[0].gitguardian.teams[0]: must not be empty"},
		{"a team twice", head + "        - Platform\n        - {team: platform, permission: can_manage}\n",
			`p.yaml:7:18: people[0].gitguardian.teams[1].team: team "platform" is also Teams[0]: name each team once`},
		{"unknown field", head + "        - {team: Platform, role: admin}\n",
			"p.yaml:6:28: people[0].gitguardian.teams[0].role: unknown field (known fields: team, permission)"},
		{"not a list", "people:\n  - email: a@example.com\n    gitguardian: {access_level: member, teams: Platform}\n",
			"p.yaml:3:48: people[0].gitguardian.teams: must be a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseGitGuardianOffboarding(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte("people: []\noffboarding:\n  gitguardian: {member: deactivate}\n"))
	require.NoError(t, err)
	assert.Equal(t, []access.OffboardingPolicy{access.GitGuardianOffboarding{Member: access.GitGuardianMemberDeactivate}}, f.Offboarding)

	f, err = Parse("p.yaml", []byte("people: []\noffboarding:\n  gitguardian: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []access.OffboardingPolicy{access.GitGuardianOffboarding{}}, f.Offboarding, "what the file leaves out is access's default")

	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown action", "people: []\noffboarding:\n  gitguardian:\n    member: archive\n",
			`p.yaml:4:13: offboarding.gitguardian.member: "archive": must be remove or deactivate`},
		{"unknown field", "people: []\noffboarding:\n  gitguardian: {members: remove}\n",
			"p.yaml:3:17: offboarding.gitguardian.members: unknown field (known fields: member)"},
		{"not a mapping", "people: []\noffboarding:\n  gitguardian: deactivate\n",
			"p.yaml:3:16: offboarding.gitguardian: must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("p.yaml", []byte(tc.yaml))
			var derr *Error
			require.ErrorAs(t, err, &derr)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A person's portworx section is a list of invitations, as it always was,
// or a mapping of invitations and role bindings.
func TestParsePortworxRoleBindings(t *testing.T) {
	t.Parallel()
	f, err := Parse("p.yaml", []byte(`
people:
  - email: ada@example.com
    portworx:
      invitations: [{tenant: t1, roles: [tenant-admin]}]
      role_bindings:
        - {tenant: t1, roles: [tenant-viewer, tenant-admin]}
        - {project: p1, roles: [project-reader]}
        - {account: a1, roles: [account-viewer]}
  - email: bob@example.com
    portworx: {role_bindings: [{project: p2, roles: [r]}]}
  - email: cy@example.com
    portworx: [{tenant: t2, roles: [r]}]
`))
	require.NoError(t, err)
	assert.Equal(t, []access.Person{{
		Email:    "ada@example.com",
		Portworx: []access.PortworxAccess{{TenantID: "t1", Roles: []string{"tenant-admin"}}},
		PortworxRoleBindings: []access.PortworxRoleBinding{
			{TenantID: "t1", Roles: []string{"tenant-viewer", "tenant-admin"}},
			{ProjectID: "p1", Roles: []string{"project-reader"}},
			{AccountID: "a1", Roles: []string{"account-viewer"}},
		},
	}, {
		Email:                "bob@example.com",
		PortworxRoleBindings: []access.PortworxRoleBinding{{ProjectID: "p2", Roles: []string{"r"}}},
	}, {
		Email:    "cy@example.com",
		Portworx: []access.PortworxAccess{{TenantID: "t2", Roles: []string{"r"}}},
	}}, f.People)
	assert.Equal(t, []invitations.API{invitations.Portworx}, f.Grants())

	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", "people:\n  - email: a@example.com\n    portworx: {roles: [r]}\n",
			"p.yaml:3:16: people[0].portworx.roles: unknown field (known fields: invitations, role_bindings)"},
		{"scalar", "people:\n  - email: a@example.com\n    portworx: t1\n",
			`p.yaml:3:15: people[0].portworx: must be a list of invitations or a mapping with the fields invitations, role_bindings, not "t1"`},
		{"two scopes", "people:\n  - email: a@example.com\n    portworx:\n      role_bindings: [{tenant: t, project: p, roles: [r]}]\n",
			"p.yaml:4:23: people[0].portworx.role_bindings[0]: needs exactly one of account, tenant and project"},
		{"no roles", "people:\n  - email: a@example.com\n    portworx:\n      role_bindings: [{tenant: t}]\n",
			"p.yaml:4:23: people[0].portworx.role_bindings[0].roles: missing: name at least one role"},
		{"a scope twice", "people:\n  - email: a@example.com\n    portworx:\n      role_bindings:\n        - {tenant: t, roles: [a]}\n        - {tenant: t, roles: [b]}\n",
			"p.yaml:6:11: people[0].portworx.role_bindings[1]: tenant:t has role binding 0 already: give each scope one entry with all its roles"},
		{"a comma in a role", "people:\n  - email: a@example.com\n    portworx:\n      role_bindings: [{tenant: t, roles: [\"a,b\"]}]\n",
			`people[0].portworx.role_bindings[0].roles: "a,b": a role is not blank and has no ","`},
	} {
		_, err := Parse("p.yaml", []byte(tc.yaml))
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
	}
}
