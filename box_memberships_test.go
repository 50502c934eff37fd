package invitations

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const boxAuth = "Bearer " + testBoxToken

func TestMembershipsGetUserMemberships(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users/11446498/memberships",
		jsonReply(200, fixture(t, "box/user_memberships.json"), "Box-Request-Id", "req-1"),
		jsonReply(200, fixture(t, "box/user_memberships_page2.json")),
	)
	var pages []*Page[models.GroupMembership]
	for page, err := range env.client.Memberships.GetUserMemberships(t.Context(), "11446498", &ListMembershipsOptions{Limit: 2}, WithBoxAsUser("999")).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/2.0/users/11446498/memberships", reqs[0].Path)
	assert.Equal(t, "limit=2&offset=0", reqs[0].Query)
	assert.Equal(t, "limit=2&offset=2", reqs[1].Query)
	for _, req := range reqs {
		assert.Equal(t, http.MethodGet, req.Method)
		assertCommonHeaders(t, req, boxAuth)
		assert.Equal(t, "999", req.Header.Get("As-User"))
	}

	require.Len(t, pages, 2)
	assert.Equal(t, int64(3), pages[0].Total)
	assert.True(t, pages[0].HasMore)
	assert.Equal(t, int64(2), pages[0].NextOffset)
	assert.Equal(t, "req-1", pages[0].Response.RequestID)
	assert.False(t, pages[1].HasMore)

	first := pages[0].Items[0]
	created := time.Date(2013, 5, 16, 15, 27, 57, 0, time.FixedZone("", -7*3600))
	assert.Equal(t, "1560354", first.ID)
	assert.Equal(t, "group_membership", first.Type)
	assert.Equal(t, &models.UserMini{ID: "11446498", Type: "user", Name: "Aaron Levie", Login: "ceo@example.com"}, first.User)
	assert.Equal(t, &models.GroupMini{ID: "119720", Type: "group", Name: "Support", GroupType: "managed_group"}, first.Group)
	assert.Equal(t, models.GroupMembershipRoleMember, first.Role)
	require.NotNil(t, first.CreatedAt)
	assert.True(t, created.Equal(*first.CreatedAt))
	assert.Equal(t, models.GroupMembershipRole("submaster"), pages[1].Items[0].Role, "unknown role decodes")
}

func TestMembershipsGetGroupMemberships(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/groups/57645/memberships",
		jsonReply(200, `{"total_count":2,"limit":1000,"offset":0,"entries":[{"type":"group_membership","id":"434534"},{"type":"group_membership","id":"434535"}]}`))
	got, err := env.client.Memberships.GetGroupMemberships(t.Context(), "57645", nil).Collect(0)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "/2.0/groups/57645/memberships", req.Path)
	assert.Equal(t, "offset=0", req.Query, "no limit sent unless asked: Box's default applies")
	assertCommonHeaders(t, req, boxAuth)
	require.Len(t, got, 2)
	assert.Equal(t, "434535", got[1].ID)
}

func TestMembershipsPagingEndsOnEmptyPageBeforeTotal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// total_count is "offset of last item + 1": the real count can be lower.
	rec := env.route(http.MethodGet, testBoxBase+"/groups/1/memberships",
		jsonReply(200, `{"total_count":10,"limit":2,"offset":0,"entries":[{"id":"a"},{"id":"b"}]}`),
		jsonReply(200, `{"total_count":10,"limit":2,"offset":2,"entries":[]}`),
	)
	got, err := env.client.Memberships.GetGroupMemberships(t.Context(), "1", &ListMembershipsOptions{Limit: 2}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 2, rec.count())
}

func TestMembershipsOffsetCeilingIsAnError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/groups/big/memberships",
		jsonReply(200, `{"total_count":25000,"limit":1000,"offset":8999,"entries":[{"id":"x"}]}`),
		jsonReply(200, `{"total_count":25000,"limit":1000,"offset":9999,"entries":[{"id":"y"}]}`),
	)
	var ids []string
	var gotErr error
	for m, err := range env.client.Memberships.GetGroupMemberships(t.Context(), "big", &ListMembershipsOptions{Limit: 1000, Offset: 8999}).All() {
		if err != nil {
			gotErr = err
			continue
		}
		ids = append(ids, m.ID)
	}
	assert.Equal(t, []string{"x", "y"}, ids)
	require.ErrorIs(t, gotErr, ErrOffsetLimit)
	assert.Contains(t, gotErr.Error(), "10999")
	reqs := rec.all()
	require.Len(t, reqs, 2, "no offset past 9999 (Box's pagination guide) is ever sent")
	assert.Equal(t, "limit=1000&offset=9999", reqs[1].Query)
}

// A Box that refuses an offset the SDK still sends (a ceiling lower than
// documented) yields ErrOffsetLimit too, with Box's answer inside; other
// 400s stay plain API errors.
func TestMembershipsOffsetRefusedByBoxIsOffsetLimit(t *testing.T) {
	t.Parallel()
	const (
		bare      = `{"type":"error","status":400,"code":"bad_request","message":"Bad Request"}`
		offsetBad = `{"type":"error","status":400,"code":"bad_request","message":"Bad Request","context_info":{"errors":[{"reason":"invalid_parameter","name":"offset","message":"Invalid value '300'."}]}}`
		limitBad  = `{"type":"error","status":400,"code":"bad_request","message":"Bad Request","context_info":{"errors":[{"reason":"invalid_parameter","name":"limit","message":"Invalid value."}]}}`
	)
	cases := []struct {
		name      string
		start     int64
		pages     []string // answers before the refusal, each a page of 1 of limit 300
		refusal   string
		wantLimit bool
	}{
		{"bare 400 near the ceiling", 9000, []string{"9000"}, bare, true},
		{"400 naming offset, anywhere", 0, []string{"0"}, offsetBad, true},
		{"400 naming offset, first page", 300, nil, offsetBad, true},
		{"bare 400 far from the ceiling", 0, []string{"0"}, bare, false},
		{"bare 400 on the caller's own first page", 9600, nil, bare, false},
		{"any 400 on a page moved to near the ceiling", 9000, []string{"9000"}, limitBad, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			var replies []reply
			for _, off := range tc.pages {
				replies = append(replies, jsonReply(200, `{"total_count":20000,"limit":300,"offset":`+off+`,"entries":[{"id":"m`+off+`"}]}`))
			}
			replies = append(replies, jsonReply(400, tc.refusal))
			rec := env.route(http.MethodGet, testBoxBase+"/users/u1/memberships", replies...)
			got, err := env.client.Memberships.GetUserMemberships(t.Context(), "u1", &ListMembershipsOptions{Limit: 300, Offset: tc.start}).Collect(0)
			assert.Len(t, got, len(tc.pages))
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "Box's answer stays reachable")
			assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
			assert.Equal(t, tc.wantLimit, errors.Is(err, ErrOffsetLimit), "%v", err)
			assert.Equal(t, len(tc.pages)+1, rec.count(), "a 400 is not retried")
		})
	}
}

func TestMembershipsListValidatesBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	cases := []struct {
		id    string
		opts  *ListMembershipsOptions
		param string
	}{
		{"", nil, "groupID"},
		{"..", nil, "groupID"},
		{"1", &ListMembershipsOptions{Limit: 1001}, "Limit"},
		{"1", &ListMembershipsOptions{Limit: -1}, "Limit"},
		{"1", &ListMembershipsOptions{Offset: -5}, "Offset"},
		{"1", &ListMembershipsOptions{Offset: 10001}, "Offset"},
	}
	for _, tc := range cases {
		_, err := env.client.Memberships.GetGroupMemberships(t.Context(), tc.id, tc.opts).Collect(0)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, tc.param)
		assert.Equal(t, tc.param, verr.Param)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())
}

func TestMembershipsCreateGroupMembership(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBoxBase+"/group_memberships", jsonReply(201, fixture(t, "box/membership.json")))
	out, err := env.client.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: "1434325"}, Group: models.Ref{ID: "57645"}, Role: models.GroupMembershipRoleAdmin,
		ConfigurablePermissions: models.Value(map[string]bool{"can_run_reports": true}),
	}, &GroupMembershipOptions{Fields: []string{"id", "type", "role"}}, WithBoxNotificationsSuppressed())
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/2.0/group_memberships", req.Path)
	assert.Equal(t, "fields=id%2Ctype%2Crole", req.Query)
	assert.Equal(t, `{"user":{"id":"1434325"},"group":{"id":"57645"},"role":"admin","configurable_permissions":{"can_run_reports":true}}`, string(req.Body))
	assertCommonHeaders(t, req, boxAuth)
	assert.Equal(t, "off", req.Header.Get("Box-Notifications"))
	assert.Equal(t, "434534", out.ID)
	assert.Equal(t, map[string]bool{"can_run_reports": true, "can_instant_login": false}, out.ConfigurablePermissions)
}

func TestMembershipsConfigurablePermissionsThreeWireStates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		perms models.Nullable[map[string]bool]
		body  string
	}{
		{"absent", models.Nullable[map[string]bool]{}, `{"role":"admin"}`},
		{"null", models.Null[map[string]bool](), `{"role":"admin","configurable_permissions":null}`},
		{"map", models.Value(map[string]bool{"can_instant_login": false}), `{"role":"admin","configurable_permissions":{"can_instant_login":false}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPut, testBoxBase+"/group_memberships/434534", jsonReply(200, fixture(t, "box/membership.json")))
			_, err := env.client.Memberships.UpdateGroupMembershipByID(t.Context(), "434534",
				&models.UpdateGroupMembershipRequest{Role: models.GroupMembershipRoleAdmin, ConfigurablePermissions: tc.perms}, nil)
			require.NoError(t, err)
			req := rec.only(t)
			assert.Equal(t, http.MethodPut, req.Method)
			assert.Equal(t, "/2.0/group_memberships/434534", req.Path)
			assert.Equal(t, tc.body, string(req.Body))
			assertCommonHeaders(t, req, boxAuth)

			// The same three states survive a decode.
			var back models.UpdateGroupMembershipRequest
			require.NoError(t, json.Unmarshal([]byte(tc.body), &back))
			assert.Equal(t, tc.perms.IsZero(), back.ConfigurablePermissions.IsZero())
			assert.Equal(t, tc.perms.IsNull(), back.ConfigurablePermissions.IsNull())
		})
	}
}

func TestMembershipsCreateGroupMembershipValidates(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for param, body := range map[string]*models.CreateGroupMembershipRequest{
		"body":     nil,
		"user.id":  {Group: models.Ref{ID: "1"}},
		"group.id": {User: models.Ref{ID: "1"}},
	} {
		_, err := env.client.Memberships.CreateGroupMembership(t.Context(), body, nil)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, param)
		assert.Equal(t, param, verr.Param)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())
}

func TestMembershipsGetGroupMembershipByID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/group_memberships/434534", jsonReply(200, fixture(t, "box/membership_fields.json")))
	out, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "434534", &GroupMembershipOptions{Fields: []string{"role"}})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "fields=role", req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, boxAuth)
	assert.Equal(t, &models.GroupMembership{ID: "434534", Type: "group_membership", Role: models.GroupMembershipRoleAdmin}, out)
}

func TestMembershipsIDsAreEscapedIntoOneSegment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, `=~^https://api\.box\.com/2\.0/group_memberships/`, jsonReply(200, `{"id":"x"}`))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "a/../b?c#d", nil)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "/2.0/group_memberships/a%2F..%2Fb%3Fc%23d", req.Path)
	assert.Empty(t, req.Query)
}

func TestMembershipsDeleteGroupMembershipByID(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/434534", reply{status: 204})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"))
	req := rec.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, "/2.0/group_memberships/434534", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, boxAuth)
}

func TestMembershipsBoxErrorBodies(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/404", jsonReply(404, fixture(t, "box/error_404.json"), "Box-Request-Id", "hdr-id"))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/429", jsonReply(429, fixture(t, "box/error_429.json"), "Retry-After", "100"))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/400", jsonReply(400, fixture(t, "box/error_400_offset.json")))

	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "404", nil)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "not_found", apiErr.Code)
	assert.Equal(t, "Not Found", apiErr.Message)
	assert.Equal(t, "0t2j2g7ro2a6kmo058357oetlge", apiErr.RequestID, "the body's request_id wins over the header")
	assert.Equal(t, "https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/", apiErr.HelpURL)
	assert.Nil(t, apiErr.Details)

	_, err = env.client.Memberships.GetGroupMembershipByID(t.Context(), "429", nil)
	require.ErrorIs(t, err, ErrRateLimited)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "rate_limit_exceeded", apiErr.Code)
	assert.Equal(t, 100*time.Second, apiErr.RetryAfter)

	_, err = env.client.Memberships.GetGroupMembershipByID(t.Context(), "400", nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "bad_request", apiErr.Code)
	assert.JSONEq(t, `{"errors":[{"reason":"invalid_parameter","name":"offset","message":"Invalid value '10001'."}]}`, string(apiErr.Details))
	assert.Equal(t, fmt.Sprintf("invitations: Box GET %s/group_memberships/400: 400 bad_request: Bad Request (request id 7y2kq1)", testBoxBase), apiErr.Error())
}

func TestMembershipsGetUsersFindsByLoginAndPages(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(200, `{"total_count":3,"limit":2,"offset":0,"order":[{"by":"name","direction":"ASC"}],"entries":[`+
			`{"type":"user","id":"11446498","name":"Aaron Levie","login":"ceo@example.com","created_at":"2012-12-12T10:53:43-08:00","status":"active","space_amount":11345156112,"role":"admin"},`+
			`{"type":"user","id":"11446499","name":"Aaron Levie Jr","login":"ceo.jr@example.com"}]}`),
		jsonReply(200, `{"total_count":3,"limit":2,"offset":2,"entries":[{"type":"user","id":"11446500","name":"Ceo Bot","login":"ceo-bot@example.com"}]}`),
	)
	got, err := env.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{
		FilterTerm: "ceo@example.com", UserType: models.UserTypeManaged, Fields: []string{"role", "status"}, Limit: 2,
	}).Collect(0)
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/2.0/users", reqs[0].Path)
	assert.Equal(t, "fields=role%2Cstatus&filter_term=ceo%40example.com&limit=2&offset=0&user_type=managed", reqs[0].Query)
	assert.Equal(t, "fields=role%2Cstatus&filter_term=ceo%40example.com&limit=2&offset=2&user_type=managed", reqs[1].Query,
		"the next offset is the offset plus the limit Box applied")
	assertCommonHeaders(t, reqs[0], "Bearer "+testBoxToken)
	require.Len(t, got, 3)
	created := time.Date(2012, 12, 12, 18, 53, 43, 0, time.UTC)
	space := int64(11345156112)
	assert.Equal(t, "11446498", got[0].ID)
	assert.Equal(t, "ceo@example.com", got[0].Login)
	assert.True(t, created.Equal(*got[0].CreatedAt))
	assert.Equal(t, &space, got[0].SpaceAmount)
	assert.Equal(t, models.UserStatusActive, got[0].Status)
	assert.Equal(t, "admin", got[0].Role)
	assert.Equal(t, models.UserMini{ID: "11446498", Type: "user", Name: "Aaron Levie", Login: "ceo@example.com"}, got[0].Mini())
	assert.Equal(t, "11446500", got[2].ID)
}

func TestMembershipsGetGroupsFindsByName(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/groups",
		jsonReply(200, `{"total_count":1,"limit":100,"offset":0,"entries":[{"type":"group","id":"11446498","name":"Support","group_type":"managed_group",`+
			`"provenance":"Active Directory","external_sync_identifier":"AD:123456","invitability_level":"admins_only","permissions":{"can_invite_as_collaborator":true}}]}`))
	got, err := env.client.Memberships.GetGroups(t.Context(), &GetGroupsOptions{FilterTerm: "Support"}).Collect(0)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "/2.0/groups", req.Path)
	assert.Equal(t, "filter_term=Support&offset=0", req.Query)
	require.Len(t, got, 1)
	assert.Equal(t, models.Group{
		ID: "11446498", Type: "group", Name: "Support", GroupType: "managed_group", Provenance: "Active Directory",
		ExternalSyncIdentifier: "AD:123456", InvitabilityLevel: "admins_only", Permissions: &models.GroupPermissions{CanInviteAsCollaborator: true},
	}, got[0])
	assert.Equal(t, models.GroupMini{ID: "11446498", Type: "group", Name: "Support", GroupType: "managed_group"}, got[0].Mini())

	_, err = env.client.Memberships.GetGroups(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, "offset=0", rec.all()[1].Query)
}

func TestMembershipsGetUsersAndGroupsErrorsAndValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(403, `{"type":"error","status":403,"code":"access_denied_insufficient_permissions","message":"Access denied - insufficient permission"}`))
	_, err := env.client.Memberships.GetUsers(t.Context(), nil).Collect(0)
	require.ErrorIs(t, err, ErrForbidden)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "access_denied_insufficient_permissions", apiErr.Code)
	assert.Equal(t, 1, rec.count())

	gRec := env.route(http.MethodGet, testBoxBase+"/groups", jsonReply(404, `{"type":"error","status":404,"code":"not_found","message":"Not Found"}`))
	_, err = env.client.Memberships.GetGroups(t.Context(), nil).Collect(0)
	require.ErrorIs(t, err, ErrNotFound)

	for _, o := range []struct {
		param string
		users *GetUsersOptions
		group *GetGroupsOptions
	}{
		{"Limit", &GetUsersOptions{Limit: 1001}, &GetGroupsOptions{Limit: 1001}},
		{"Limit", &GetUsersOptions{Limit: -1}, &GetGroupsOptions{Limit: -1}},
		{"Offset", &GetUsersOptions{Offset: 10000}, &GetGroupsOptions{Offset: 10000}},
		{"Offset", &GetUsersOptions{Offset: -1}, &GetGroupsOptions{Offset: -1}},
	} {
		for _, err := range []error{
			func() error { _, err := env.client.Memberships.GetUsers(t.Context(), o.users).Collect(0); return err }(),
			func() error { _, err := env.client.Memberships.GetGroups(t.Context(), o.group).Collect(0); return err }(),
		} {
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, o.param, verr.Param)
		}
	}
	assert.Equal(t, 1, rec.count(), "invalid options send nothing")
	assert.Equal(t, 1, gRec.count())
}

// With UseMarker the users list pages by marker, past the offsets' ceiling,
// with no total.
func TestMembershipsGetUsersByMarker(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(200, `{"limit":2,"next_marker":"JV9IRGZm","entries":[{"type":"user","id":"1","login":"a@example.com"},{"type":"user","id":"2","login":"b@example.com"}]}`),
		jsonReply(200, `{"limit":2,"next_marker":null,"entries":[{"type":"user","id":"3","login":"c@example.com"}]}`),
	)
	var ids []string
	var totals []int64
	for page, err := range env.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{UseMarker: true, Limit: 2, Fields: []string{"login"}}).Pages() {
		require.NoError(t, err)
		totals = append(totals, page.Total)
		for _, u := range page.Items {
			ids = append(ids, u.ID)
		}
	}
	assert.Equal(t, []string{"1", "2", "3"}, ids)
	assert.Equal(t, []int64{-1, -1}, totals, "Box reports no total")
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "fields=login&limit=2&usemarker=true", reqs[0].Query, "no offset")
	assert.Equal(t, "fields=login&limit=2&marker=JV9IRGZm&usemarker=true", reqs[1].Query)

	_, err := env.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{UseMarker: true, Marker: "JV9IRGZm"}).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, "marker=JV9IRGZm&usemarker=true", rec.all()[2].Query, "a list resumed where another left off")

	loopEnv := newTestEnv(t)
	loop := loopEnv.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(200, `{"limit":100,"next_marker":"same","entries":[{"type":"user","id":"1"}]}`))
	_, err = loopEnv.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{UseMarker: true, Marker: "same"}).Collect(0)
	require.ErrorContains(t, err, "same marker twice")
	assert.Equal(t, 1, loop.count())

	for _, o := range []struct {
		param string
		opts  *GetUsersOptions
	}{
		{"Offset", &GetUsersOptions{UseMarker: true, Offset: 1000}},
		{"Marker", &GetUsersOptions{Marker: "JV9IRGZm"}},
	} {
		_, err := env.client.Memberships.GetUsers(t.Context(), o.opts).Collect(0)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, o.param, verr.Param)
	}
	assert.Equal(t, 3, rec.count(), "invalid options send nothing")
}

// The users and groups lists stop at Box's offset ceiling like the
// membership lists.
func TestMembershipsGetUsersOffsetCeiling(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/users",
		jsonReply(200, `{"total_count":50000,"limit":1000,"offset":9000,"entries":[{"type":"user","id":"1"}]}`))
	got, err := env.client.Memberships.GetUsers(t.Context(), &GetUsersOptions{Limit: 1000, Offset: 9000}).Collect(0)
	require.ErrorIs(t, err, ErrOffsetLimit)
	assert.Len(t, got, 1)
	assert.Equal(t, 1, rec.count(), "offset 10000 is not sent")
}

func TestBoxNextOffsetUsesLimitTheServerApplied(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// Asked for 5, Box applied 3 and sent only 2 entries: the next page
	// starts at 0+3, neither at 5 (the request) nor at 2 (the count).
	rec := env.route(http.MethodGet, testBoxBase+"/groups/57645/memberships",
		jsonReply(200, `{"total_count":6,"limit":3,"offset":0,"entries":[
			{"type":"group_membership","id":"m1"},{"type":"group_membership","id":"m2"}]}`),
		jsonReply(200, `{"total_count":6,"limit":3,"offset":3,"entries":[
			{"type":"group_membership","id":"m4"},{"type":"group_membership","id":"m5"},{"type":"group_membership","id":"m6"}]}`))

	var pages []*Page[models.GroupMembership]
	for page, err := range env.client.Memberships.GetGroupMemberships(t.Context(), "57645", &ListMembershipsOptions{Limit: 5}).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=5&offset=0", reqs[0].Query)
	assert.Equal(t, "limit=5&offset=3", reqs[1].Query)
	require.Len(t, pages, 2)
	assert.Equal(t, int64(3), pages[0].NextOffset)
	assert.False(t, pages[1].HasMore, "offset 3 + limit 3 reaches total_count 6")
}

func TestBoxClientCredentialsGrant(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, 3600)
	src, err := BoxClientCredentials(t.Context(), "cid", "csecret", BoxSubjectEnterprise, "899", ts.URL)
	require.NoError(t, err)
	env := newTestEnv(t, WithBoxTokenSource(src))
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer tok-1", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "Bearer tok-1", reqs[1].Header.Get("Authorization"), "a valid token is reused")
	forms, ctypes := ts.received()
	require.Len(t, forms, 1)
	assert.Equal(t, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"},
		"box_subject_type": {"enterprise"}, "box_subject_id": {"899"},
	}, forms[0])
	assert.Equal(t, "application/x-www-form-urlencoded", ctypes[0])
}
