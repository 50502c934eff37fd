package scim_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// FuzzHandlerBodies sends any body to each endpoint that takes one: the
// answer is never a 5xx, an error is a SCIM error body, a refused request
// stores nothing, and what is stored reads back.
func FuzzHandlerBodies(f *testing.F) {
	for _, seed := range []string{rfcUser, oktaUser, entraUser, `{}`, `[]`, `{"schemas":`, `null`,
		`{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","value":{"active":"False"}}]}`,
		`{"schemas":["` + patchOp + `"],"Operations":[{"op":"remove","path":"members[value eq \"` + bjensen + `\"]"}]}`,
		`{"schemas":["` + patchOp + `"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"x@example.com"}]}`,
		`{"schemas":["` + patchOp + `"],"Operations":[{"op":"add","path":"members","value":[{"value":"` + jsmith + `"}]}]}`,
		`{"schemas":["` + coreGroup + `"],"displayName":"G","members":[{"value":"` + mandy + `"}]}`,
	} {
		for target := range uint8(5) {
			f.Add(target, seed)
		}
	}
	targets := []struct{ method, path string }{
		{"POST", "/scim/v2/Users"},
		{"PUT", "/scim/v2/Users/" + bjensen},
		{"PATCH", "/scim/v2/Users/" + bjensen},
		{"POST", "/scim/v2/Groups"},
		{"PATCH", "/scim/v2/Groups/" + tourGuides},
	}
	f.Fuzz(func(t *testing.T, target uint8, body string) {
		s := newTestServer(t)
		before := snapshot(t, s.store)
		tg := targets[int(target)%len(targets)]
		r := s.do(t, request{method: tg.method, path: tg.path, body: body,
			header: map[string]string{"Content-Type": "application/scim+json"}})
		require.Less(t, r.status, 500, "%s %s %q: %s", tg.method, tg.path, body, r.raw)
		if r.status >= 400 {
			require.Equal(t, []any{errorSchema}, r.body["schemas"], r.raw)
			require.Equal(t, before, snapshot(t, s.store))
			return
		}
		users, err := scim.Users(context.Background(), s.store)
		require.NoError(t, err)
		for _, u := range users {
			require.NotEmpty(t, u.UserName)
		}
		groups, err := scim.Groups(context.Background(), s.store)
		require.NoError(t, err)
		for _, g := range groups {
			require.NotEmpty(t, g.DisplayName)
		}
		got := s.do(t, request{method: "GET", path: tg.path})
		require.Equal(t, 200, got.status, got.raw)
		var any map[string]any
		require.NoError(t, json.Unmarshal([]byte(got.raw), &any))
	})
}

// FuzzListFilter sends any filter to both lists: the answer is a list or
// a SCIM error of scimType invalidFilter (or a 400 for the parameters),
// never a 5xx.
func FuzzListFilter(f *testing.F) {
	for _, seed := range []string{`userName eq "bjensen@example.com"`, `members eq "` + mandy + `"`,
		`emails[type eq "work" and value co "@"]`, `emails.value pr`, `name eq "x"`, `not (active eq true)`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`, `displayName sw "T" or externalId eq 7`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "x"`, `members[value eq 1]`, `((`} {
		f.Add(false, seed)
		f.Add(true, seed)
	}
	f.Fuzz(func(t *testing.T, groups bool, filter string) {
		s := newTestServer(t)
		path := "/Users"
		if groups {
			path = "/Groups"
		}
		r := s.do(t, get(path+"?filter="+q(filter)))
		require.Less(t, r.status, 500, "%q: %s", filter, r.raw)
		if r.status != 200 {
			require.Equal(t, 400, r.status, r.raw)
			require.Equal(t, []any{errorSchema}, r.body["schemas"], r.raw)
		}
	})
}
