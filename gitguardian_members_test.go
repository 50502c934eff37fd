package invitations

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// A member as GitGuardian sends it (py-gitguardian's recorded traffic,
// tests/cassettes/test_update_member.yaml, 2024-12-12).
const ggMemberJSON = `{"id":17,"role":"manager","access_level":"manager","email":"henri@example.com","name":"Henri",` +
	`"created_at":"2024-12-12T17:07:32.636754Z","last_login":null,"active":true}`

func wantGGMember17() models.Member {
	return models.Member{
		ID: 17, Name: "Henri", Email: "henri@example.com",
		AccessLevel: models.AccessLevelManager, Role: models.AccessLevelManager, Active: true,
		CreatedAt: time.Date(2024, 12, 12, 17, 7, 32, 636754000, time.UTC),
	}
}

func TestMembersListMembersSendsFiltersAndFollowsLinkCursor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/members",
		jsonReply(200, `[`+ggMemberJSON+`]`,
			"Link", `<http://api.gitguardian.com/v1/members?cursor=cD0xNTA%3D>; rel="next",<http://api.gitguardian.com/v1/members?cursor=cD0x>; rel="prev"`,
			"X-Per-Page", "1"),
		jsonReply(200, `[{"id":18,"role":"member","email":"ada@example.com","name":"Ada","created_at":"2024-12-13T09:00:00Z","last_login":"2025-01-02T03:04:05Z","active":false}]`, "Link", ""),
	)
	active := true
	got, err := env.client.Members.ListMembers(t.Context(), &ListMembersOptions{
		PerPage: 1, Search: "example.com", AccessLevel: models.AccessLevelManager, Active: &active,
		Ordering: models.ListMembersOrderingLastLoginDesc,
	}).Collect(0)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/members", reqs[0].Path)
	assert.Equal(t, "access_level=manager&active=true&ordering=-last_login&per_page=1&search=example.com", reqs[0].Query)
	assert.Equal(t, "access_level=manager&active=true&cursor=cD0xNTA%3D&ordering=-last_login&per_page=1&search=example.com", reqs[1].Query,
		"the next page repeats the filters with the link's cursor")
	assertCommonHeaders(t, reqs[0], ggAuth)
	assert.Empty(t, reqs[0].Body)

	require.Len(t, got, 2)
	assert.Equal(t, wantGGMember17(), got[0])
	assert.Equal(t, models.AccessLevelMember, got[1].AccessLevel, "the legacy role fills access_level")
	assert.False(t, got[1].Active)
	require.NotNil(t, got[1].LastLogin)
	assert.Equal(t, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), *got[1].LastLogin)
}

func TestMembersListMembersLegacyRoleFilterAndNoOptions(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/members", jsonReply(200, `[]`, "Link", ""))
	inactive := false
	_, err := env.client.Members.ListMembers(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	_, err = env.client.Members.ListMembers(t.Context(), &ListMembersOptions{Role: models.AccessLevelRestricted, Active: &inactive}).Collect(0)
	require.NoError(t, err)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Empty(t, reqs[0].Query)
	assert.Equal(t, "active=false&role=restricted", reqs[1].Query, "a false Active is sent, not dropped")
}

func TestMembersGetMember(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/members/17", jsonReply(200, ggMemberJSON))
	got, err := env.client.Members.GetMember(t.Context(), 17)
	require.NoError(t, err)
	assert.Equal(t, wantGGMember17(), *got)
	req := rec.only(t)
	assert.Equal(t, "/v1/members/17", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, ggAuth)
}

func TestMembersUpdateMemberSendsOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPatch, testGitGuardianBase+"/v1/members/17",
		jsonReply(200, `{"id":17,"role":"member","access_level":"member","email":"henri@example.com","name":"Henri","created_at":"2024-12-12T17:07:32.636754Z","last_login":null,"active":false}`))
	inactive, no := false, false
	got, err := env.client.Members.UpdateMember(t.Context(), 17,
		&models.UpdateMemberRequest{AccessLevel: models.AccessLevelMember, Active: &inactive}, &MemberEmailOptions{SendEmail: &no})
	require.NoError(t, err)
	assert.Equal(t, models.AccessLevelMember, got.AccessLevel)
	assert.False(t, got.Active)

	_, err = env.client.Members.UpdateMember(t.Context(), 17, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelRestricted}, nil)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodPatch, reqs[0].Method)
	assert.Equal(t, "send_email=false", reqs[0].Query)
	// The body py-gitguardian sends in the recorded exchange.
	assert.JSONEq(t, `{"access_level":"member","active":false}`, string(reqs[0].Body))
	assert.Empty(t, reqs[1].Query)
	assert.JSONEq(t, `{"access_level":"restricted"}`, string(reqs[1].Body))
	assertCommonHeaders(t, reqs[0], ggAuth)
}

func TestMembersDeleteMember(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testGitGuardianBase+"/v1/members/16", jsonReply(204, ""))
	require.NoError(t, env.client.Members.DeleteMember(t.Context(), 16, nil))
	yes := true
	require.NoError(t, env.client.Members.DeleteMember(t.Context(), 16, &MemberEmailOptions{SendEmail: &yes}))
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodDelete, reqs[0].Method)
	assert.Equal(t, "/v1/members/16", reqs[0].Path)
	assert.Empty(t, reqs[0].Query)
	assert.Empty(t, reqs[0].Body)
	assert.Equal(t, "send_email=true", reqs[1].Query)
}

func TestMembersErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testGitGuardianBase+"/v1/members/404", jsonReply(404, `{"detail":"Not found."}`))
	env.route(http.MethodDelete, testGitGuardianBase+"/v1/members/1", jsonReply(403, `{"detail":"Permission denied."}`))
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations/404", jsonReply(404, `{"detail":"Not found."}`))

	_, err := env.client.Members.GetMember(t.Context(), 404)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Not found.", apiErr.Message)

	err = env.client.Members.DeleteMember(t.Context(), 1, nil)
	require.ErrorIs(t, err, ErrForbidden, "the owner cannot be removed")

	_, err = env.client.Invitations.GetInvitation(t.Context(), 404)
	require.ErrorIs(t, err, ErrNotFound)
}

// UpdateMember and DeleteMember are repeated after a server error like
// any read, unless they ask GitGuardian to send an email.
func TestMembersRetryClassFollowsSendEmail(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	level := &models.UpdateMemberRequest{AccessLevel: models.AccessLevelMember}
	cases := []struct {
		name   string
		opts   *MemberEmailOptions
		sends  int // requests for a call that always meets a 503
		update bool
	}{
		{"update, no options", nil, 3, true},
		{"update, send_email=false", &MemberEmailOptions{SendEmail: &no}, 3, true},
		{"update, send_email=true", &MemberEmailOptions{SendEmail: &yes}, 1, true},
		{"delete, no options", nil, 3, false},
		{"delete, send_email=true", &MemberEmailOptions{SendEmail: &yes}, 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxRetries(2))
			method := http.MethodDelete
			if tc.update {
				method = http.MethodPatch
			}
			rec := env.route(method, testGitGuardianBase+"/v1/members/17", jsonReply(503, `{"detail":"API under scheduled maintenance."}`, "X-Maintenance", "true"))
			var err error
			if tc.update {
				_, err = env.client.Members.UpdateMember(t.Context(), 17, level, tc.opts)
			} else {
				err = env.client.Members.DeleteMember(t.Context(), 17, tc.opts)
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
			assert.Equal(t, tc.sends, rec.count())
		})
	}
}

func TestMembersValidateBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	inactive := false
	cases := []struct {
		name  string
		call  func() error
		param string
	}{
		{"list per_page 0 is the default but 101 is not", func() error {
			_, err := env.client.Members.ListMembers(t.Context(), &ListMembersOptions{PerPage: 101}).Collect(0)
			return err
		}, "PerPage"},
		{"list per_page negative", func() error {
			_, err := env.client.Members.ListMembers(t.Context(), &ListMembersOptions{PerPage: -1}).Collect(0)
			return err
		}, "PerPage"},
		{"get id 0", func() error { _, err := env.client.Members.GetMember(t.Context(), 0); return err }, "memberID"},
		{"delete id -1", func() error { return env.client.Members.DeleteMember(t.Context(), -1, nil) }, "memberID"},
		{"update id 0", func() error {
			_, err := env.client.Members.UpdateMember(t.Context(), 0, &models.UpdateMemberRequest{Active: &inactive}, nil)
			return err
		}, "memberID"},
		{"update nil body", func() error { _, err := env.client.Members.UpdateMember(t.Context(), 17, nil, nil); return err }, "body"},
		{"update empty body", func() error {
			_, err := env.client.Members.UpdateMember(t.Context(), 17, &models.UpdateMemberRequest{}, nil)
			return err
		}, "body"},
		{"update to owner", func() error {
			_, err := env.client.Members.UpdateMember(t.Context(), 17, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelOwner}, nil)
			return err
		}, "body.AccessLevel"},
		{"get invitation id 0", func() error { _, err := env.client.Invitations.GetInvitation(t.Context(), 0); return err }, "invitationID"},
	}
	for _, tc := range cases {
		err := tc.call()
		var verr *ValidationError
		if assert.ErrorAs(t, err, &verr, tc.name) {
			assert.Equal(t, tc.param, verr.Param, tc.name)
		}
	}
	assert.Zero(t, env.mock.GetTotalCallCount(), "nothing was sent")
}

func TestInvitationsGetInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations/15",
		jsonReply(200, `{"id":15,"date":"2024-12-12T17:00:27.844380Z","email":"pygitguardian@example.com","role":"member","access_level":"member"}`))
	got, err := env.client.Invitations.GetInvitation(t.Context(), 15)
	require.NoError(t, err)
	assert.Equal(t, models.Invitation{
		ID: 15, Email: "pygitguardian@example.com", AccessLevel: models.AccessLevelMember, Role: models.AccessLevelMember,
		Date: time.Date(2024, 12, 12, 17, 0, 27, 844380000, time.UTC),
	}, *got)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/v1/invitations/15", req.Path)
	assert.Empty(t, req.Query)
	assertCommonHeaders(t, req, ggAuth)
}
