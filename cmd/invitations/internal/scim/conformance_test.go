package scim_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// conformance is one request from a public document of SCIM: RFC 7644's
// examples, Okta's SCIM 2.0 reference, Microsoft Entra ID's SCIM
// endpoint tutorial; or a bad request of the kinds the server must
// refuse. Each runs on a fresh server with the fixtures.
type conformance struct {
	source string
	name   string
	req    request
	status int
	// For an error: its scimType and a part of its detail. The response
	// must be a SCIM error body, and the store and change count as they
	// were.
	scimType, detail string
	check            func(t *testing.T, s *testServer, r response)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	rows := append(append(append(discoveryRows(), userRows()...), groupRows()...), refusalRows()...)
	seen := map[string]bool{}
	for _, tc := range rows {
		name := tc.source + ": " + tc.name
		require.False(t, seen[name], "two rows named %q", name)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t)
			before := snapshot(t, s.store)
			r := s.do(t, tc.req)
			require.Equal(t, tc.status, r.status, "response: %s", r.raw)
			if tc.status >= 400 {
				requireError(t, r, tc.status, tc.scimType, tc.detail)
				require.Equal(t, before, snapshot(t, s.store), "a refused request changes nothing")
				require.Zero(t, s.changes.Load(), "a refused request is no change")
			}
			if tc.check != nil {
				tc.check(t, s, r)
			}
		})
	}
}

// requireError checks a SCIM error body (RFC 7644 §3.12).
func requireError(t *testing.T, r response, status int, scimType, detail string) {
	t.Helper()
	require.Equal(t, "application/scim+json", r.header.Get("Content-Type"))
	require.Equal(t, []any{errorSchema}, r.body["schemas"], "body: %s", r.raw)
	require.Equal(t, itoa(status), r.body["status"])
	if scimType == "" {
		require.NotContains(t, r.body, "scimType")
	} else {
		require.Equal(t, scimType, r.body["scimType"])
	}
	if detail != "" {
		require.Contains(t, r.body["detail"], detail)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// q escapes a filter for a URL.
func q(filter string) string { return url.QueryEscape(filter) }

func get(path string) request { return request{method: "GET", path: "/scim/v2" + path} }

func send(method, path, body string) request {
	return request{method: method, path: "/scim/v2" + path, body: body}
}

func patch(path string, ops string) request {
	return send("PATCH", path, `{"schemas":["`+patchOp+`"],"Operations":[`+ops+`]}`)
}

// listOf checks a list response of exactly these ids.
func listOf(total int, want ...string) func(*testing.T, *testServer, response) {
	return func(t *testing.T, _ *testServer, r response) {
		t.Helper()
		require.Equal(t, []any{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}, r.body["schemas"])
		require.EqualValues(t, total, r.body["totalResults"])
		require.EqualValues(t, len(want), r.body["itemsPerPage"])
		if want == nil {
			want = []string{}
		}
		require.Equal(t, want, ids(r.body))
	}
}

// written checks a write: one change, the response's ETag and
// meta.version at version, and then check on the stored attributes.
func written(typ, id string, version int64, check func(t *testing.T, attrs map[string]any)) func(*testing.T, *testServer, response) {
	return func(t *testing.T, s *testServer, r response) {
		t.Helper()
		require.Equal(t, int64(1), s.changes.Load(), "one change")
		etag := `W/"` + itoa(int(version)) + `"`
		require.Equal(t, etag, r.header.Get("ETag"))
		require.Equal(t, etag, at(r.body, "meta.version"))
		res, attrs := s.stored(t, typ, id)
		require.Equal(t, version, res.Version)
		if check != nil {
			check(t, attrs)
		}
	}
}

// unchanged checks a write that changed nothing: no change, no new
// version.
func unchanged(typ, id string) func(*testing.T, *testServer, response) {
	return func(t *testing.T, s *testServer, r response) {
		t.Helper()
		require.Zero(t, s.changes.Load())
		res, _ := s.stored(t, typ, id)
		require.Equal(t, int64(1), res.Version)
		require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	}
}

func discoveryRows() []conformance {
	return []conformance{
		{source: "RFC 7644 §4", name: "ServiceProviderConfig", req: get("/ServiceProviderConfig"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}, r.body["schemas"])
				assert.Equal(t, true, at(r.body, "patch.supported"))
				assert.Equal(t, true, at(r.body, "filter.supported"))
				assert.EqualValues(t, 100, at(r.body, "filter.maxResults"))
				assert.Equal(t, true, at(r.body, "etag.supported"))
				assert.Equal(t, false, at(r.body, "bulk.supported"))
				assert.Equal(t, false, at(r.body, "sort.supported"))
				assert.Equal(t, false, at(r.body, "changePassword.supported"))
				assert.Equal(t, "oauthbearertoken", at(r.body, "authenticationSchemes[0].type"))
			}},
		{source: "RFC 7644 §4", name: "ResourceTypes", req: get("/ResourceTypes"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.EqualValues(t, 2, r.body["totalResults"])
				assert.Equal(t, "User", at(r.body, "Resources[0].name"))
				assert.Equal(t, "/Users", at(r.body, "Resources[0].endpoint"))
				assert.Equal(t, coreUser, at(r.body, "Resources[0].schema"))
				assert.Equal(t, enterprise, at(r.body, "Resources[0].schemaExtensions[0].schema"))
				assert.Equal(t, false, at(r.body, "Resources[0].schemaExtensions[0].required"))
				assert.Equal(t, "Group", at(r.body, "Resources[1].name"))
				assert.Equal(t, "/Groups", at(r.body, "Resources[1].endpoint"))
				assert.Equal(t, coreGroup, at(r.body, "Resources[1].schema"))
			}},
		{source: "RFC 7644 §4", name: "ResourceTypes/Group", req: get("/ResourceTypes/Group"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, "Group", r.body["id"])
				assert.Equal(t, "/Groups", r.body["endpoint"])
			}},
		{source: "RFC 7644 §4", name: "Schemas", req: get("/Schemas"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				var got []string
				for _, s := range r.body["Resources"].([]any) {
					got = append(got, at(s, "id").(string))
				}
				assert.Subset(t, got, []string{coreUser, coreGroup, enterprise})
			}},
		{source: "RFC 7644 §4", name: "Schemas/User", req: get("/Schemas/" + coreUser), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, coreUser, r.body["id"])
				assert.Equal(t, "userName", at(r.body, "attributes[0].name"))
				assert.Equal(t, true, at(r.body, "attributes[0].required"))
			}},
		{source: "RFC 7644 §4", name: "Schemas of an unknown URN", req: get("/Schemas/urn:example:nothing"), status: 404},
		{source: "RFC 7644 §3.11", name: "/Me is not served", req: get("/Me"), status: 501},
	}
}

const (
	// RFC 7644 §3.3's user.
	rfcUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","externalId":"bjensen",` +
		`"name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara"}}`
	// Okta's "Create the User" request.
	oktaUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local",` +
		`"name":{"givenName":"Test","familyName":"User"},` +
		`"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],` +
		`"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],` +
		`"password":"1mz050nq","active":true}`
	// Entra ID's "Create User" request.
	entraUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",` +
		`"active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],` +
		`"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},` +
		`"roles":[]}`
)

// newID returns the id of the resource a create made, checking its
// Location and meta.
func newID(t *testing.T, r response, endpoint string) string {
	t.Helper()
	id, _ := r.body["id"].(string)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	require.Equal(t, "/scim/v2/"+endpoint+"/"+id, r.header.Get("Location"))
	require.Equal(t, r.header.Get("Location"), at(r.body, "meta.location"))
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, at(r.body, "meta.created"), at(r.body, "meta.lastModified"))
	return id
}

func typedUser(t *testing.T, s *testServer, id string) scim.User {
	t.Helper()
	users, err := scim.Users(context.Background(), s.store)
	require.NoError(t, err)
	for _, u := range users {
		if u.ID == id {
			return u
		}
	}
	t.Fatalf("no user %s", id)
	return scim.User{}
}

func userRows() []conformance {
	return []conformance{
		// Create.
		{source: "RFC 7644 §3.3", name: "create a user", req: send("POST", "/Users", rfcUser), status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.Equal(t, "bjensen", r.body["userName"])
				assert.Equal(t, "User", at(r.body, "meta.resourceType"))
				assert.Equal(t, []any{coreUser, enterprise}, r.body["schemas"])
				res, attrs := s.stored(t, scim.TypeUser, id)
				assert.Equal(t, "bjensen", res.Unique)
				assert.Equal(t, map[string]any{
					"userName": "bjensen", "externalId": "bjensen",
					"name": map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
				}, attrs, "stored without schemas, id or meta")
				assert.Equal(t, int64(1), s.changes.Load())
				u := typedUser(t, s, id)
				assert.Equal(t, scim.User{ID: id, UserName: "bjensen", Active: true}, u,
					"active when sent without active; no email when userName is none")
			}},
		{source: "Okta", name: "create a user", req: send("POST", "/Users", oktaUser), status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.NotContains(t, r.body, "password", "a password is never returned")
				_, attrs := s.stored(t, scim.TypeUser, id)
				assert.NotContains(t, attrs, "password", "nor kept")
				assert.NotContains(t, attrs, "groups", "groups is the server's to say")
				assert.Equal(t, "00ujl29u0le5T6Aj10h7", attrs["externalId"])
				assert.Equal(t, "en-US", attrs["locale"])
				assert.Equal(t, scim.User{ID: id, UserName: "test.user@okta.local", Active: true, Email: "test.user@okta.local"},
					typedUser(t, s, id))
			}},
		{source: "Entra ID", name: "create a user", req: send("POST", "/Users", entraUser), status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.NotContains(t, r.body, "roles", "an empty list is no value")
				assert.Equal(t, "User", at(r.body, "meta.resourceType"))
				u := typedUser(t, s, id)
				assert.Equal(t, "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com", u.Email)
				assert.True(t, u.Active)
			}},
		{source: "Entra ID", name: "create a user with enterprise attributes",
			req: send("POST", "/Users", `{"schemas":["`+coreUser+`","`+enterprise+`"],"userName":"ada@example.com",`+
				`"`+enterprise+`":{"department":"Engineering","employeeNumber":"701984","manager":{"value":"`+bjensen+`"}}}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.Equal(t, "Engineering", at(r.body, "{"+enterprise+"}.department"))
				_, attrs := s.stored(t, scim.TypeUser, id)
				assert.Equal(t, map[string]any{"department": "Engineering", "employeeNumber": "701984",
					"manager": map[string]any{"value": bjensen}}, attrs[enterprise])
			}},
		{source: "Entra ID", name: "create a user with string booleans",
			req: send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","active":"False",`+
				`"emails":[{"value":"ada@example.com","type":"work","primary":"True"}]}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.Equal(t, false, r.body["active"])
				_, attrs := s.stored(t, scim.TypeUser, id)
				assert.Equal(t, false, attrs["active"])
				assert.Equal(t, true, at(attrs, "emails[0].primary"))
				assert.False(t, typedUser(t, s, id).Active)
			}},
		{source: "RFC 7644 §3.3", name: "create with Content-Type application/json and a charset",
			req: request{method: "POST", path: "/scim/v2/Users", body: rfcUser,
				header: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
			status: 201},
		{source: "RFC 7644 §3.3", name: "create with a userName taken, in other case",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"BJensen@Example.com"}`),
			status: 409, scimType: "uniqueness", detail: "another User has this userName"},
		{source: "RFC 7644 §3.3", name: "create a user with an inactive user's userName",
			req: send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"jsmith@example.com"}`), status: 409,
			scimType: "uniqueness", detail: "userName"},
		{source: "RFC 7644 §3.6", name: "create a user with a deleted user's userName",
			req: send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"gone@example.com"}`), status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Users")
				assert.NotEqual(t, gone, id)
				assert.True(t, typedUser(t, s, gone).Deleted)
				assert.False(t, typedUser(t, s, id).Deleted)
			}},

		// Read.
		{source: "RFC 7644 §3.4.1", name: "get a user", req: get("/Users/" + bjensen), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, bjensen, r.body["id"])
				assert.Equal(t, `W/"1"`, r.header.Get("ETag"))
				assert.Equal(t, "/scim/v2/Users/"+bjensen, at(r.body, "meta.location"))
				assert.Equal(t, "Barbara", at(r.body, "name.givenName"))
				assert.Equal(t, "bjensen", r.body["externalId"])
			}},
		{source: "RFC 7644 §3.4.1", name: "get an unknown user", req: get("/Users/4a9e4a0f"), status: 404,
			detail: `no User has id "4a9e4a0f"`},
		{source: "RFC 7644 §3.4.1", name: "get a group as a user", req: get("/Users/" + tourGuides), status: 404},
		{source: "Okta", name: "look a user up by userName before creating it",
			req: get("/Users?filter=" + q(`userName eq "bjensen@example.com"`) + "&startIndex=1&count=100"), status: 200,
			check: listOf(1, bjensen)},
		{source: "Okta", name: "look up a user that is not there",
			req: get("/Users?filter=" + q(`userName eq "test.user@okta.local"`) + "&startIndex=1&count=100"), status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				listOf(0)(t, s, r)
				assert.Equal(t, []any{}, r.body["Resources"], "an empty list, not null")
			}},
		{source: "Entra ID", name: "look a user up by userName, in other case",
			req: get("/Users?filter=" + q(`userName eq "MPEPPERIDGE@example.com"`)), status: 200, check: listOf(1, mandy)},
		{source: "Entra ID", name: "look a user up by externalId",
			req: get("/Users?filter=" + q(`externalId eq "bjensen"`)), status: 200, check: listOf(1, bjensen)},
		{source: "RFC 7644 §3.4.2.2", name: "filter on a sub-attribute of a multi-valued attribute",
			req: get("/Users?filter=" + q(`emails.value eq "mpepperidge@example.com"`)), status: 200, check: listOf(1, mandy)},
		{source: "RFC 7644 §3.4.2.2", name: "filter with a value path",
			req: get("/Users?filter=" + q(`emails[type eq "work" and value co "smith"]`)), status: 200, check: listOf(1, jsmith)},
		{source: "RFC 7644 §3.4.2.2", name: "filter on a boolean",
			req: get("/Users?filter=" + q(`active eq false`)), status: 200, check: listOf(1, jsmith)},
		{source: "RFC 7644 §3.4.2.2", name: "filter with or and not",
			req: get("/Users?filter=" + q(`userName sw "b" or not (name.givenName pr)`)), status: 200,
			check: listOf(2, bjensen, jsmith)},
		{source: "RFC 7644 §3.4.2.2", name: "filter on meta.lastModified",
			req: get("/Users?filter=" + q(`meta.lastModified gt "2011-05-13T04:42:34Z"`)), status: 200,
			check: listOf(3, bjensen, mandy, jsmith)},
		{source: "RFC 7644 §3.4.2.2", name: "filter on id",
			req: get("/Users?filter=" + q(`id eq "`+mandy+`"`)), status: 200, check: listOf(1, mandy)},
		{source: "RFC 7644 §3.4.2.4", name: "a page: startIndex and count",
			req: get("/Users?startIndex=2&count=1"), status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				listOf(3, mandy)(t, s, r)
				assert.EqualValues(t, 2, r.body["startIndex"])
			}},
		{source: "RFC 7644 §3.4.2.4", name: "count=0 gives only totalResults",
			req: get("/Users?count=0"), status: 200, check: listOf(3)},
		{source: "RFC 7644 §3.4.2.4", name: "a startIndex past the end",
			req: get("/Users?startIndex=9"), status: 200, check: listOf(3)},
		{source: "RFC 7644 §3.4.2.4", name: "a startIndex below 1 is 1",
			req: get("/Users?startIndex=-4&count=2"), status: 200, check: listOf(3, bjensen, mandy)},
		{source: "RFC 7644 §3.4.2.5", name: "attributes=userName",
			req: get("/Users/" + bjensen + "?attributes=userName"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.ElementsMatch(t, []string{"id", "schemas", "meta", "userName"}, keys(r.body))
			}},
		{source: "RFC 7644 §3.4.2.5", name: "excludedAttributes=emails,name.givenName",
			req: get("/Users/" + bjensen + "?excludedAttributes=emails,name.givenName"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.NotContains(t, r.body, "emails")
				assert.Equal(t, map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen"}, r.body["name"])
			}},

		// Replace.
		{source: "RFC 7644 §3.5.1", name: "replace a user",
			req: send("PUT", "/Users/"+bjensen, `{"schemas":["`+coreUser+`"],"id":"`+bjensen+`","userName":"bjensen@example.com",`+
				`"externalId":"bjensen","name":{"formatted":"Ms. Barbara J Jensen III","familyName":"Jensen","givenName":"Barbara","middleName":"Jane"},`+
				`"roles":[],"emails":[{"value":"bjensen@example.com"},{"value":"babs@jensen.org"}]}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, "Jane", at(attrs, "name.middleName"))
				assert.Equal(t, []any{map[string]any{"value": "bjensen@example.com"}, map[string]any{"value": "babs@jensen.org"}}, attrs["emails"])
				assert.NotContains(t, attrs, "active", "what the PUT leaves out is gone")
			})},
		{source: "Okta", name: "update a user (PUT)",
			req: send("PUT", "/Users/"+mandy, `{"schemas":["`+coreUser+`"],"id":"`+mandy+`","userName":"mandy.p@example.com",`+
				`"name":{"givenName":"Mandy","familyName":"Pepperidge"},"emails":[{"primary":true,"value":"mandy.p@example.com","type":"work"}],`+
				`"active":true,"meta":{"resourceType":"User"}}`),
			status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				written(scim.TypeUser, mandy, 2, nil)(t, s, r)
				res, _ := s.stored(t, scim.TypeUser, mandy)
				assert.Equal(t, "mandy.p@example.com", res.Unique, "the unique name follows the userName")
			}},
		{source: "RFC 7644 §3.5.1", name: "replace a user with what it is",
			req: send("PUT", "/Users/"+jsmith, `{"schemas":["`+coreUser+`"],"userName":"jsmith@example.com","active":false,`+
				`"emails":[{"value":"jsmith@example.com","type":"work"}]}`),
			status: 200, check: unchanged(scim.TypeUser, jsmith)},
		{source: "RFC 7644 §3.14", name: "replace with If-Match of the version",
			req: request{method: "PUT", path: "/scim/v2/Users/" + jsmith, body: `{"schemas":["` + coreUser + `"],"userName":"jsmith@example.com"}`,
				header: map[string]string{"If-Match": `W/"1"`}},
			status: 200, check: written(scim.TypeUser, jsmith, 2, nil)},
		{source: "RFC 7644 §3.14", name: "replace with a strong If-Match of the version",
			req: request{method: "PUT", path: "/scim/v2/Users/" + jsmith, body: `{"schemas":["` + coreUser + `"],"userName":"jsmith@example.com"}`,
				header: map[string]string{"If-Match": `"1"`}},
			status: 200, check: written(scim.TypeUser, jsmith, 2, nil)},
		{source: "RFC 7644 §3.14", name: "replace with If-Match *",
			req: request{method: "PUT", path: "/scim/v2/Users/" + jsmith, body: `{"schemas":["` + coreUser + `"],"userName":"jsmith@example.com"}`,
				header: map[string]string{"If-Match": `*`}},
			status: 200, check: written(scim.TypeUser, jsmith, 2, nil)},
		{source: "RFC 7644 §3.14", name: "replace with If-Match of another version",
			req: request{method: "PUT", path: "/scim/v2/Users/" + jsmith, body: `{"schemas":["` + coreUser + `"],"userName":"jsmith@example.com"}`,
				header: map[string]string{"If-Match": `W/"7", W/"3"`}},
			status: 412, detail: `If-Match does not name the resource's version, W/"1"`},
		{source: "RFC 7644 §3.5.1", name: "replace an unknown user",
			req:    send("PUT", "/Users/nobody", `{"schemas":["`+coreUser+`"],"userName":"x@example.com"}`),
			status: 404, detail: `no User has id "nobody"`},
		{source: "RFC 7644 §3.5.1", name: "replace a user with another's userName",
			req:    send("PUT", "/Users/"+jsmith, `{"schemas":["`+coreUser+`"],"userName":"BJENSEN@example.com"}`),
			status: 409, scimType: "uniqueness", detail: "userName"},
		{source: "RFC 7644 §3.5.1", name: "replace without userName",
			req:    send("PUT", "/Users/"+jsmith, `{"schemas":["`+coreUser+`"],"displayName":"J"}`),
			status: 400, scimType: "invalidValue", detail: "userName is required"},

		// Patch.
		{source: "Okta", name: "deactivate a user",
			req: patch("/Users/"+bjensen, `{"op":"replace","value":{"id":"`+bjensen+`","active":false}}`), status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
					assert.Equal(t, false, attrs["active"])
					assert.Equal(t, "Barbara", at(attrs, "name.givenName"), "the rest stays")
				})(t, s, r)
				assert.Equal(t, false, r.body["active"])
				assert.False(t, typedUser(t, s, bjensen).Active)
			}},
		{source: "Entra ID", name: "disable a user",
			req: patch("/Users/"+bjensen, `{"op":"Replace","path":"active","value":false}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, false, attrs["active"])
			})},
		{source: "Entra ID", name: "disable a user with a string boolean",
			req: patch("/Users/"+bjensen, `{"op":"Replace","path":"active","value":"False"}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, false, attrs["active"])
			})},
		{source: "Entra ID", name: "disable a user without a path, string boolean",
			req: patch("/Users/"+bjensen, `{"op":"Replace","value":{"active":"False"}}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, false, attrs["active"])
			})},
		{source: "Entra ID", name: "update a user's attributes",
			req: patch("/Users/"+bjensen,
				`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},`+
					`{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"},`+
					`{"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}`),
			status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
					assert.Equal(t, []any{map[string]any{"value": "updatedEmail@microsoft.com", "type": "work", "primary": true}}, attrs["emails"])
					assert.Equal(t, "updatedFamilyName", at(attrs, "name.familyName"))
					assert.Equal(t, "Barbara", at(attrs, "name.givenName"))
				})(t, s, r)
				res, _ := s.stored(t, scim.TypeUser, bjensen)
				assert.Equal(t, "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com", res.Unique)
				assert.Equal(t, "updatedEmail@microsoft.com", typedUser(t, s, bjensen).Email)
			}},
		{source: "Entra ID", name: "add a home email to a user without one",
			req:    patch("/Users/"+mandy, `{"op":"Add","path":"emails[type eq \"home\"].value","value":"mandy@home.example"}`),
			status: 200,
			check: written(scim.TypeUser, mandy, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{
					map[string]any{"value": "mpepperidge@example.com", "type": "work"},
					map[string]any{"value": "mandy@home.example", "type": "home"},
				}, attrs["emails"])
			})},
		{source: "Entra ID", name: "set the manager by id",
			req: patch("/Users/"+mandy, `{"op":"Add","path":"`+enterprise+`:manager","value":"`+bjensen+`"}`), status: 200,
			check: written(scim.TypeUser, mandy, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, map[string]any{"manager": map[string]any{"value": bjensen}}, attrs[enterprise])
			})},
		{source: "Entra ID", name: "set the department",
			req: patch("/Users/"+mandy, `{"op":"Add","path":"`+enterprise+`:department","value":"Tours"}`), status: 200,
			check: written(scim.TypeUser, mandy, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, map[string]any{"department": "Tours"}, attrs[enterprise])
			})},
		{source: "RFC 7644 §3.5.2.1", name: "add an email",
			req:    patch("/Users/"+bjensen, `{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{
					map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
					map[string]any{"value": "babs@jensen.org", "type": "home"},
				}, attrs["emails"])
			})},
		{source: "RFC 7644 §3.5.2.1", name: "add a primary email: the old one is primary no more",
			req:    patch("/Users/"+bjensen, `{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","primary":true}]}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{
					map[string]any{"value": "bjensen@example.com", "type": "work"},
					map[string]any{"value": "babs@jensen.org", "primary": true},
				}, attrs["emails"])
			})},
		{source: "RFC 7643 §2.4", name: "mark another email primary through a filter",
			req: patch("/Users/"+bjensen, `{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]},`+
				`{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{
					map[string]any{"value": "bjensen@example.com", "type": "work"},
					map[string]any{"value": "babs@jensen.org", "type": "home", "primary": true},
				}, attrs["emails"])
			})},
		{source: "RFC 7643 §2.4", name: "mark two emails primary through a filter",
			req: patch("/Users/"+bjensen, `{"op":"add","path":"emails","value":[{"value":"babs@jensen.org","type":"work"}]},`+
				`{"op":"replace","path":"emails[type eq \"work\"].primary","value":true}`),
			status: 400, scimType: "invalidValue", detail: "the filter selects 2 values of emails to be primary"},
		{source: "RFC 7644 §3.5.2.3", name: "replace the value a filter selects, keeping its other sub-attributes",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"babs@example.com"}}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{map[string]any{"value": "babs@example.com", "type": "work", "primary": true}}, attrs["emails"])
			})},
		{source: "RFC 7644 §3.5.2.1", name: "add attributes without a path",
			req:    patch("/Users/"+bjensen, `{"op":"add","value":{"nickName":"Babs","name.middleName":"Jane","`+enterprise+`":{"division":"Tours"}}}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, "Babs", attrs["nickName"])
				assert.Equal(t, "Jane", at(attrs, "name.middleName"))
				assert.Equal(t, "Jensen", at(attrs, "name.familyName"))
				assert.Equal(t, map[string]any{"division": "Tours"}, attrs[enterprise])
			})},
		{source: "RFC 7644 §3.5.2.2", name: "remove a sub-attribute",
			req: patch("/Users/"+bjensen, `{"op":"remove","path":"name.formatted"}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, map[string]any{"familyName": "Jensen", "givenName": "Barbara"}, attrs["name"])
			})},
		{source: "RFC 7644 §3.5.2.2", name: "remove the values a filter selects",
			req: patch("/Users/"+bjensen, `{"op":"remove","path":"emails[type eq \"work\"]"}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.NotContains(t, attrs, "emails")
			})},
		{source: "RFC 7644 §3.5.2.3", name: "replace a complex attribute keeps the sub-attributes not given",
			req: patch("/Users/"+bjensen, `{"op":"replace","path":"name","value":{"givenName":"Babs"}}`), status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, map[string]any{"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Babs"}, attrs["name"])
			})},
		{source: "RFC 7644 §3.5.2.3", name: "replace all values of a multi-valued attribute",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"emails","value":[{"value":"babs@jensen.org","type":"home"}]}`),
			status: 200,
			check: written(scim.TypeUser, bjensen, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, []any{map[string]any{"value": "babs@jensen.org", "type": "home"}}, attrs["emails"])
			})},
		{source: "RFC 7644 §3.5.2.3", name: "replace nothing new",
			req: patch("/Users/"+bjensen, `{"op":"replace","path":"active","value":true}`), status: 200,
			check: unchanged(scim.TypeUser, bjensen)},
		{source: "RFC 7644 §3.14", name: "patch with If-Match of another version",
			req: request{method: "PATCH", path: "/scim/v2/Users/" + bjensen,
				body:   `{"schemas":["` + patchOp + `"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
				header: map[string]string{"If-Match": `W/"2"`}},
			status: 412, detail: "If-Match"},
		{source: "RFC 7644 §3.5.2", name: "patch an unknown user",
			req: patch("/Users/nobody", `{"op":"replace","path":"active","value":false}`), status: 404, detail: "nobody"},
		{source: "RFC 7644 §3.5.2", name: "patch an unknown attribute",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"shoeSize","value":"9"}`),
			status: 400, scimType: "invalidPath", detail: `no attribute "shoeSize"`},
		{source: "RFC 7644 §3.5.2", name: "patch an unknown sub-attribute",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"name.nickName","value":"B"}`),
			status: 400, scimType: "invalidPath", detail: `name has no sub-attribute "nickName"`},
		{source: "RFC 7644 §3.5.2", name: "patch an unknown attribute without a path",
			req:    patch("/Users/"+bjensen, `{"op":"replace","value":{"active":false,"shoeSize":"9"}}`),
			status: 400, scimType: "invalidPath", detail: `no attribute "shoeSize"`},
		{source: "RFC 7644 §3.5.2", name: "patch a path that does not parse",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"emails[type eq","value":"x"}`),
			status: 400, scimType: "invalidPath", detail: "is not a SCIM attribute path"},
		{source: "RFC 7644 §3.5.2", name: "an op that is not add, remove or replace",
			req:    patch("/Users/"+bjensen, `{"op":"move","path":"active","value":false}`),
			status: 400, scimType: "invalidValue", detail: `Operations[0].op "move" is not add, remove or replace`},
		{source: "RFC 7644 §3.5.2", name: "a PATCH body without its schema",
			req:    send("PATCH", "/Users/"+bjensen, `{"Operations":[{"op":"replace","path":"active","value":false}]}`),
			status: 400, scimType: "invalidValue", detail: "schemas must be"},
		{source: "RFC 7644 §3.5.2", name: "a PATCH body without operations",
			req:    send("PATCH", "/Users/"+bjensen, `{"schemas":["`+patchOp+`"],"Operations":[]}`),
			status: 400, scimType: "invalidValue", detail: "Operations must be an array of at least one operation"},
		{source: "RFC 7644 §3.5.2.2", name: "remove without a path",
			req:    patch("/Users/"+bjensen, `{"op":"remove","value":{"active":false}}`),
			status: 400, scimType: "noTarget", detail: "remove needs a path"},
		{source: "RFC 7644 §3.5.2.3", name: "replace values no filter of equalities describes",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"emails[value co \"nowhere\"].type","value":"home"}`),
			status: 400, scimType: "noTarget", detail: "no value of emails matches the filter"},
		{source: "RFC 7644 §3.5.2.2", name: "remove userName",
			req:    patch("/Users/"+bjensen, `{"op":"remove","path":"userName"}`),
			status: 400, scimType: "invalidValue", detail: "userName is required"},
		{source: "RFC 7643 §4.1.2", name: "patch the read-only groups",
			req:    patch("/Users/"+bjensen, `{"op":"add","path":"groups","value":[{"value":"`+tourGuides+`"}]}`),
			status: 400, scimType: "mutability", detail: "groups is read-only"},
		{source: "RFC 7644 §3.5.2", name: "a value of the wrong type",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"active","value":"maybe"}`),
			status: 400, scimType: "invalidValue", detail: "Operations[0].value is a string: want true or false"},
		{source: "RFC 7644 §3.5.2", name: "a userName taken by another",
			req:    patch("/Users/"+bjensen, `{"op":"replace","path":"userName","value":"mpepperidge@example.com"}`),
			status: 409, scimType: "uniqueness", detail: "userName"},

		// Delete.
		{source: "RFC 7644 §3.6", name: "delete a user", req: request{method: "DELETE", path: "/scim/v2/Users/" + bjensen}, status: 204,
			check: func(t *testing.T, s *testServer, r response) {
				assert.Empty(t, r.raw)
				assert.Equal(t, int64(1), s.changes.Load())
				assert.Equal(t, 404, s.do(t, get("/Users/"+bjensen)).status, "gone for SCIM")
				u := typedUser(t, s, bjensen)
				assert.True(t, u.Deleted, "kept, deleted, for the offboarding")
				assert.Equal(t, "bjensen@example.com", u.Email)
				again := s.do(t, send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"bjensen@example.com"}`))
				assert.Equal(t, 201, again.status, "the userName is free again: %s", again.raw)
			}},
		{source: "RFC 7644 §3.6", name: "delete an unknown user", req: request{method: "DELETE", path: "/scim/v2/Users/nobody"},
			status: 404, detail: "nobody"},
		{source: "RFC 7644 §3.14", name: "delete with If-Match of another version",
			req:    request{method: "DELETE", path: "/scim/v2/Users/" + bjensen, header: map[string]string{"If-Match": `W/"9"`}},
			status: 412, detail: "If-Match"},
		{source: "RFC 7644 §3.14", name: "delete with If-Match of the version",
			req:    request{method: "DELETE", path: "/scim/v2/Users/" + bjensen, header: map[string]string{"If-Match": `W/"1"`}},
			status: 204},
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func groupRows() []conformance {
	members := func(want ...string) func(t *testing.T, attrs map[string]any) {
		if want == nil {
			want = []string{}
		}
		return func(t *testing.T, attrs map[string]any) {
			t.Helper()
			assert.Equal(t, want, memberIDs(attrs))
		}
	}
	return []conformance{
		{source: "RFC 7644 §3.3", name: "create a group with a member",
			req: send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"Night Tours",`+
				`"members":[{"value":"`+jsmith+`","$ref":"https://example.com/v2/Users/`+jsmith+`","display":"J Smith"}]}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Groups")
				res, attrs := s.stored(t, scim.TypeGroup, id)
				assert.Empty(t, res.Unique, "display names are not unique")
				assert.Equal(t, []string{jsmith}, memberIDs(attrs))
				groups, err := scim.Groups(context.Background(), s.store)
				require.NoError(t, err)
				assert.Contains(t, groups, scim.Group{ID: id, DisplayName: "Night Tours", Members: []string{jsmith}})
			}},
		{source: "Okta", name: "create a group",
			req:    send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"Test SCIMv2","members":[]}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Groups")
				_, attrs := s.stored(t, scim.TypeGroup, id)
				assert.Equal(t, map[string]any{"displayName": "Test SCIMv2"}, attrs)
			}},
		{source: "Entra ID", name: "create a group",
			req: send("POST", "/Groups", `{"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","schemas":["`+coreGroup+`",`+
				`"http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"displayName","meta":{"resourceType":"Group"}}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				id := newID(t, r, "Groups")
				_, attrs := s.stored(t, scim.TypeGroup, id)
				assert.Equal(t, map[string]any{"displayName": "displayName", "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"}, attrs)
			}},
		{source: "RFC 7644 §3.3", name: "create a group with a member twice",
			req: send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"Twice",`+
				`"members":[{"value":"`+jsmith+`"},{"value":"`+jsmith+`","display":"again"}]}`),
			status: 201,
			check: func(t *testing.T, s *testServer, r response) {
				_, attrs := s.stored(t, scim.TypeGroup, newID(t, r, "Groups"))
				assert.Equal(t, []any{map[string]any{"value": jsmith}}, attrs["members"])
			}},
		{source: "RFC 7644 §3.3", name: "create a group with an unknown member",
			req:    send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"Ghosts","members":[{"value":"nobody"}]}`),
			status: 400, scimType: "invalidValue", detail: `members: no User has id "nobody"`},
		{source: "RFC 7644 §3.3", name: "create a group with a group member",
			req: send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"Nested",`+
				`"members":[{"value":"`+tourGuides+`","type":"Group"}]}`),
			status: 400, scimType: "invalidValue", detail: `members[0].type is "Group": only users can be members`},
		{source: "RFC 7644 §3.3", name: "create a group without displayName",
			req:    send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"members":[]}`),
			status: 400, scimType: "invalidValue", detail: "displayName is required"},
		{source: "Okta", name: "look a group up by displayName",
			req: get("/Groups?filter=" + q(`displayName eq "Tour Guides"`) + "&startIndex=1&count=100"), status: 200,
			check: listOf(1, tourGuides)},
		{source: "Entra ID", name: "look a group up by displayName, excluding members",
			req: get("/Groups?excludedAttributes=members&filter=" + q(`displayName eq "Tour Guides"`)), status: 200,
			check: func(t *testing.T, s *testServer, r response) {
				listOf(1, tourGuides)(t, s, r)
				assert.Nil(t, at(r.body, "Resources[0].members"))
				assert.Equal(t, "Tour Guides", at(r.body, "Resources[0].displayName"))
			}},
		{source: "Entra ID", name: "get a group, excluding members",
			req: get("/Groups/" + tourGuides + "?excludedAttributes=members"), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.ElementsMatch(t, []string{"id", "schemas", "meta", "displayName"}, keys(r.body))
			}},
		{source: "RFC 7644 §3.4.1", name: "get a group", req: get("/Groups/" + tourGuides), status: 200,
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, "Tour Guides", r.body["displayName"])
				assert.Equal(t, bjensen, at(r.body, "members[0].value"))
				assert.Equal(t, "Babs Jensen", at(r.body, "members[0].display"))
				assert.Equal(t, []any{coreGroup}, r.body["schemas"])
			}},
		{source: "RFC 7644 §3.4.2.2", name: "the groups a user is a member of",
			req: get("/Groups?filter=" + q(`members eq "`+mandy+`"`)), status: 200, check: listOf(1, tourGuides)},
		{source: "RFC 7644 §3.4.2.2", name: "the groups a user is a member of, by value path",
			req: get("/Groups?filter=" + q(`members[value eq "`+jsmith+`"]`)), status: 200, check: listOf(0)},
		{source: "RFC 7644 §3.5.2.1", name: "add a member",
			req: patch("/Groups/"+tourGuides, `{"op":"add","path":"members","value":[{"display":"J Smith",`+
				`"$ref":"https://example.com/v2/Users/`+jsmith+`","value":"`+jsmith+`"}]}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members(bjensen, mandy, jsmith))},
		{source: "Okta", name: "add members",
			req:    patch("/Groups/"+employees, `{"op":"add","path":"members","value":[{"value":"`+bjensen+`","display":"bjensen@example.com"},{"value":"`+jsmith+`","display":"jsmith@example.com"}]}`),
			status: 200, check: written(scim.TypeGroup, employees, 2, members(bjensen, jsmith))},
		{source: "Okta", name: "remove a member",
			req:    patch("/Groups/"+tourGuides, `{"op":"remove","path":"members[value eq \"`+bjensen+`\"]"}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members(mandy))},
		{source: "Okta", name: "rename a group",
			req: patch("/Groups/"+tourGuides, `{"op":"replace","value":{"id":"`+tourGuides+`","displayName":"Test SCIMv2"}}`), status: 200,
			check: written(scim.TypeGroup, tourGuides, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, "Test SCIMv2", attrs["displayName"])
				assert.Equal(t, []string{bjensen, mandy}, memberIDs(attrs))
			})},
		{source: "RFC 7644 §3.5.2.2", name: "remove all members",
			req:    patch("/Groups/"+tourGuides, `{"op":"remove","path":"members"}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members())},
		{source: "RFC 7644 §3.5.2.3", name: "replace the members",
			req:    patch("/Groups/"+tourGuides, `{"op":"replace","path":"members","value":[{"value":"`+jsmith+`"},{"value":"`+mandy+`"}]}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members(jsmith, mandy))},
		{source: "RFC 7644 §3.5.2.3", name: "remove all members, then add one",
			req: patch("/Groups/"+tourGuides, `{"op":"remove","path":"members"},`+
				`{"op":"add","path":"members","value":[{"value":"`+jsmith+`"}]}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members(jsmith))},
		{source: "Entra ID", name: "add a member",
			req:    patch("/Groups/"+employees, `{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+mandy+`"}]}`),
			status: 200, check: written(scim.TypeGroup, employees, 2, members(mandy))},
		{source: "Entra ID", name: "remove a member",
			req:    patch("/Groups/"+tourGuides, `{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+bjensen+`"}]}`),
			status: 200, check: written(scim.TypeGroup, tourGuides, 2, members(mandy))},
		{source: "Entra ID", name: "rename a group",
			req:    patch("/Groups/"+tourGuides, `{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}`),
			status: 200,
			check: written(scim.TypeGroup, tourGuides, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName", attrs["displayName"])
			})},
		{source: "Entra ID", name: "add and remove one member in one request",
			req: patch("/Groups/"+employees, `{"op":"Add","path":"members","value":[{"$ref":null,"value":"`+jsmith+`"}]},`+
				`{"op":"Remove","path":"members","value":[{"$ref":null,"value":"`+jsmith+`"}]}`),
			status: 200, check: unchanged(scim.TypeGroup, employees)},
		{source: "RFC 7644 §3.5.2.1", name: "add a member already there",
			req:    patch("/Groups/"+tourGuides, `{"op":"add","path":"members","value":[{"value":"`+mandy+`","display":"Mandy Pepperidge"}]}`),
			status: 200, check: unchanged(scim.TypeGroup, tourGuides)},
		{source: "RFC 7644 §3.5.2.1", name: "add an unknown member",
			req:    patch("/Groups/"+tourGuides, `{"op":"add","path":"members","value":[{"value":"nobody"}]}`),
			status: 400, scimType: "invalidValue", detail: `members: no User has id "nobody"`},
		{source: "RFC 7644 §3.5.2.1", name: "add a deleted member",
			req:    patch("/Groups/"+tourGuides, `{"op":"add","path":"members","value":[{"value":"`+gone+`"}]}`),
			status: 400, scimType: "invalidValue", detail: `no User has id "` + gone + `"`},
		{source: "RFC 7644 §3.5.1", name: "replace a group",
			req: send("PUT", "/Groups/"+tourGuides, `{"schemas":["`+coreGroup+`"],"displayName":"Guides",`+
				`"members":[{"value":"`+mandy+`"},{"value":"`+jsmith+`"}]}`),
			status: 200,
			check: written(scim.TypeGroup, tourGuides, 2, func(t *testing.T, attrs map[string]any) {
				assert.Equal(t, map[string]any{"displayName": "Guides",
					"members": []any{map[string]any{"value": mandy}, map[string]any{"value": jsmith}}}, attrs)
			})},
		{source: "RFC 7644 §3.6", name: "delete a group", req: request{method: "DELETE", path: "/scim/v2/Groups/" + tourGuides}, status: 204,
			check: func(t *testing.T, s *testServer, _ response) {
				groups, err := scim.Groups(context.Background(), s.store)
				require.NoError(t, err)
				assert.Equal(t, []scim.Group{{ID: employees, DisplayName: "Employees", Members: []string{}}}, groups)
				assert.Equal(t, int64(1), s.changes.Load())
			}},
	}
}

func refusalRows() []conformance {
	big := `{"schemas":["` + coreUser + `"],"userName":"big@example.com","displayName":"` + strings.Repeat("a", 1<<20) + `"}`
	return []conformance{
		{source: "RFC 7644 §3.12", name: "a body that is not JSON",
			req: send("POST", "/Users", `{"schemas":`), status: 400, scimType: "invalidSyntax", detail: "the body is not JSON"},
		{source: "RFC 7644 §3.12", name: "a body that is an array",
			req: send("POST", "/Users", `[]`), status: 400, scimType: "invalidSyntax", detail: "the body is an array: want a JSON object"},
		{source: "RFC 7644 §3.12", name: "a body with more after its object",
			req: send("POST", "/Users", rfcUser+`{}`), status: 400, scimType: "invalidSyntax", detail: "more after"},
		{source: "RFC 7644 §3.12", name: "an empty body",
			req:    request{method: "POST", path: "/scim/v2/Users", header: map[string]string{"Content-Type": "application/scim+json"}},
			status: 400, scimType: "invalidSyntax", detail: "the body is empty"},
		{source: "RFC 7644 §3.12", name: "an unknown attribute",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","favouriteColour":"green"}`),
			status: 400, scimType: "invalidSyntax", detail: `unknown attribute "favouriteColour"`},
		{source: "RFC 7644 §3.12", name: "an unknown sub-attribute",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","name":{"givenName":"Ada","nickname":"A"}}`),
			status: 400, scimType: "invalidSyntax", detail: `unknown attribute "nickname" in name`},
		{source: "RFC 7644 §3.12", name: "an unknown attribute of the enterprise extension",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","`+enterprise+`":{"costCentre":"7"}}`),
			status: 400, scimType: "invalidSyntax", detail: `unknown attribute "costCentre" in ` + enterprise},
		{source: "RFC 7644 §3.12", name: "an extension the User resource does not declare",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","urn:example:acme:2.0:User":{"badge":"7"}}`),
			status: 400, scimType: "invalidSyntax", detail: `unknown attribute "urn:example:acme:2.0:User"`},
		{source: "RFC 7644 §3.12", name: "a group with a User attribute",
			req:    send("POST", "/Groups", `{"schemas":["`+coreGroup+`"],"displayName":"G","userName":"x"}`),
			status: 400, scimType: "invalidSyntax", detail: `unknown attribute "userName": the Group schema`},
		{source: "RFC 7644 §3.12", name: "one attribute twice, in two cases",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","UserName":"ada2@example.com"}`),
			status: 400, scimType: "invalidSyntax", detail: "are one attribute"},
		{source: "RFC 7644 §3.12", name: "a string for a boolean",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","active":"yes"}`),
			status: 400, scimType: "invalidValue", detail: "active is a string: want true or false"},
		{source: "RFC 7644 §3.12", name: "an object for a multi-valued attribute",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com","emails":{"value":"ada@example.com"}}`),
			status: 400, scimType: "invalidValue", detail: "emails is an object: want an array"},
		{source: "RFC 7644 §3.12", name: "a number for a string",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":42}`),
			status: 400, scimType: "invalidValue", detail: "userName is a number: want a string"},
		{source: "RFC 7644 §3.12", name: "no schemas",
			req:    send("POST", "/Users", `{"userName":"ada@example.com"}`),
			status: 400, scimType: "invalidSyntax", detail: "schemas is missing"},
		{source: "RFC 7644 §3.12", name: "the Group schema for a User",
			req:    send("POST", "/Users", `{"schemas":["`+coreGroup+`"],"userName":"ada@example.com"}`),
			status: 400, scimType: "invalidSyntax", detail: `schemas does not list "` + coreUser + `"`},
		{source: "RFC 7644 §3.12", name: "an empty userName",
			req:    send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":""}`),
			status: 400, scimType: "invalidValue", detail: "userName is required"},
		{source: "RFC 7643 §2.4", name: "two primary emails",
			req: send("POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"ada@example.com",`+
				`"emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}`),
			status: 400, scimType: "invalidValue", detail: "emails: 2 values are primary"},
		{source: "RFC 7644 §3.1", name: "a Content-Type that is not JSON",
			req: request{method: "POST", path: "/scim/v2/Users", body: rfcUser,
				header: map[string]string{"Content-Type": "text/plain"}},
			status: 415, detail: `Content-Type is "text/plain": want application/scim+json or application/json`},
		{source: "RFC 7644 §3.1", name: "no Content-Type",
			req: request{method: "PATCH", path: "/scim/v2/Users/" + bjensen, body: `{}`,
				header: map[string]string{"Content-Type": ""}},
			status: 415, detail: "Content-Type is none"},
		{source: "RFC 7644 §3.12", name: "a body over the limit",
			req: send("POST", "/Users", big), status: 413, detail: "the body is over 1048576 bytes"},
		{source: "RFC 7644 §3.4.2.2", name: "a filter that does not parse",
			req: get("/Users?filter=" + q(`userName eq`)), status: 400, scimType: "invalidFilter"},
		{source: "RFC 7644 §3.4.2.2", name: "a filter on an unknown attribute",
			req: get("/Users?filter=" + q(`shoeSize eq "9"`)), status: 400, scimType: "invalidFilter"},
		{source: "RFC 7644 §3.4.2.2", name: "a filter on an unknown sub-attribute in a value path",
			req: get("/Users?filter=" + q(`emails[colour eq "red"]`)), status: 400, scimType: "invalidFilter",
			detail: `emails has no sub-attribute "colour"`},
		{source: "RFC 7644 §3.4.2.2", name: "a filter comparing a boolean with a string",
			req: get("/Users?filter=" + q(`active eq "yes"`)), status: 400, scimType: "invalidFilter",
			detail: "active eq compares a boolean attribute with a value of another type"},
		{source: "RFC 7644 §3.4.2.2", name: "a filter comparing a complex attribute",
			req: get("/Users?filter=" + q(`name eq "Babs"`)), status: 400, scimType: "invalidFilter",
			detail: "name is complex: compare one of its sub-attributes"},
		{source: "RFC 7644 §3.4.2.4", name: "a count that is not a number",
			req: get("/Users?count=ten"), status: 400, detail: "count"},
		{source: "RFC 6750 §3", name: "no token",
			req: request{method: "GET", path: "/scim/v2/Users", header: map[string]string{"Authorization": ""}}, status: 401,
			detail: "a bearer token is required",
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, `Bearer realm="scim"`, r.header.Get("WWW-Authenticate"))
			}},
		{source: "RFC 6750 §3", name: "a wrong token",
			req:    request{method: "POST", path: "/scim/v2/Users", body: rfcUser, header: map[string]string{"Authorization": "Bearer " + testToken + "x"}},
			status: 401, detail: "the bearer token is not the one",
			check: func(t *testing.T, _ *testServer, r response) {
				assert.Equal(t, `Bearer realm="scim", error="invalid_token"`, r.header.Get("WWW-Authenticate"))
			}},
		{source: "RFC 6750 §3", name: "basic authentication",
			req: request{method: "GET", path: "/scim/v2/Users", header: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}}, status: 401},
		{source: "RFC 6750 §2.1", name: "the scheme in lower case",
			req: request{method: "GET", path: "/scim/v2/Users", header: map[string]string{"Authorization": "bearer " + testToken}}, status: 200},
		{source: "RFC 7644 §3.12", name: "an unknown endpoint", req: get("/Widgets"), status: 404, detail: "does not exist"},
		{source: "RFC 7644 §3.12", name: "a path outside /scim/v2",
			req: request{method: "GET", path: "/scim/v22/Users"}, status: 404, detail: "SCIM is served under /scim/v2"},
	}
}
