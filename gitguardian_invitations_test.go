package invitations

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const ggAuth = "Token " + testGitGuardianKey

func TestInvitationsListInvitationsFollowsLinkCursor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, fixture(t, "gitguardian/invitations_page1.json"),
			"Link", `<http://api.gitguardian.com/v1/invitations?cursor=cD0xNA%3D%3D&per_page=2>; rel="next",<http://api.gitguardian.com/v1/invitations?cursor=cD0x>; rel="prev"`,
			"X-Per-Page", "2", "X-Request-ID", "f762eb19"),
		jsonReply(200, fixture(t, "gitguardian/invitations_page2.json"), "Link", ""),
	)

	got, err := env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{
		PerPage: 2, Search: "example", Ordering: models.ListInvitationsOrderingDateDesc,
	}).Collect(0)
	require.NoError(t, err)

	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/invitations", reqs[0].Path)
	assert.Equal(t, "ordering=-date&per_page=2&search=example", reqs[0].Query)
	// The cursor is taken from the link and put on the original request:
	// same https host, same filters.
	assert.Equal(t, "cursor=cD0xNA%3D%3D&ordering=-date&per_page=2&search=example", reqs[1].Query)
	assertCommonHeaders(t, reqs[0], ggAuth)
	assertCommonHeaders(t, reqs[1], ggAuth)

	require.Len(t, got, 4)
	assert.Equal(t, models.Invitation{
		ID: 13, Email: "pygitguardian@example.com", AccessLevel: models.AccessLevelMember, Role: models.AccessLevelMember,
		Date: time.Date(2024, 12, 12, 16, 53, 59, 247129000, time.UTC),
	}, got[0])
	assert.Equal(t, models.AccessLevelViewer, got[2].AccessLevel, "legacy role fills access_level")
	assert.Equal(t, models.AccessLevel("auditor"), got[3].AccessLevel, "unknown level decodes")
}

func TestInvitationsListInvitationsPagesCarryMetadata(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, `[]`, "Link", `<https://api.gitguardian.com/v1/invitations?cursor=abc>; rel="next"`, "X-Request-ID", "r1"),
		jsonReply(200, `[]`),
	)
	var pages []*Page[models.Invitation]
	for page, err := range env.client.Invitations.ListInvitations(t.Context(), nil).Pages() {
		require.NoError(t, err)
		pages = append(pages, page)
	}
	require.Len(t, pages, 2)
	assert.True(t, pages[0].HasMore)
	assert.Equal(t, "abc", pages[0].NextCursor)
	assert.Equal(t, int64(-1), pages[0].Total)
	assert.Equal(t, "r1", pages[0].Response.RequestID)
	assert.False(t, pages[1].HasMore)
}

func TestInvitationsListInvitationsRejectsPerPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations", jsonReply(200, `[]`))
	for _, perPage := range []int{-1, 101} {
		_, err := env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{PerPage: perPage}).Collect(0)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr)
		assert.Equal(t, "PerPage", verr.Param)
	}
	assert.Zero(t, rec.count())
}

func TestInvitationsCreateInvitations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations",
		jsonReply(201, fixture(t, "gitguardian/invitation_created.json")))

	sendEmail := false
	inv, err := env.client.Invitations.CreateInvitations(t.Context(),
		&models.CreateInvitationsRequest{Email: "pygitguardian@example.com", AccessLevel: models.AccessLevelMember},
		&CreateInvitationsOptions{SendEmail: &sendEmail})
	require.NoError(t, err)

	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/v1/invitations", req.Path)
	assert.Equal(t, "send_email=false", req.Query)
	assert.Equal(t, `{"email":"pygitguardian@example.com","access_level":"member"}`, string(req.Body))
	assertCommonHeaders(t, req, ggAuth)
	assert.Equal(t, int64(15), inv.ID)
	assert.Equal(t, models.AccessLevelMember, inv.AccessLevel)
}

func TestInvitationsCreateInvitationsOnlyCreatedCounts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, `[{"details": "User already in the workspace"}]`))
	_, err := env.client.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "a@example.com"}, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 200, apiErr.StatusCode)
	assert.Equal(t, "User already in the workspace", apiErr.Message)
}

func TestInvitationsCreateInvitationsValidatesBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations", jsonReply(201, `{}`))
	cases := map[string]*models.CreateInvitationsRequest{
		"body":  nil,
		"email": {Email: "not an email"},
	}
	for param, body := range cases {
		_, err := env.client.Invitations.CreateInvitations(t.Context(), body, nil)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, param)
		assert.Equal(t, param, verr.Param)
		assert.ErrorIs(t, err, ErrInvalidParameter)
	}
	_, err := env.client.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{}, nil)
	assert.ErrorContains(t, err, "email")
	assert.Zero(t, rec.count())
}

func TestInvitationsDeleteInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testGitGuardianBase+"/v1/invitations/15", reply{status: 204, header: http.Header{"Allow": {"DELETE, OPTIONS"}}})
	require.NoError(t, env.client.Invitations.DeleteInvitation(t.Context(), 15))
	req := rec.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, "/v1/invitations/15", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, ggAuth)

	err := env.client.Invitations.DeleteInvitation(t.Context(), 0)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "invitationID", verr.Param)
	assert.Equal(t, 1, rec.count())
}

func TestInvitationsDeleteInvitationNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodDelete, testGitGuardianBase+"/v1/invitations/99",
		jsonReply(404, `{"detail":"Not found."}`, "X-Request-ID", "abc123"))
	err := env.client.Invitations.DeleteInvitation(t.Context(), 99)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "GitGuardian", apiErr.API)
	assert.Equal(t, "Not found.", apiErr.Message)
	assert.Equal(t, "abc123", apiErr.RequestID)
	assert.Equal(t, "invitations: GitGuardian DELETE https://api.gitguardian.com/v1/invitations/99: 404: Not found. (request id abc123)", err.Error())
}

func TestInvitationsResendInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations/7/resend", jsonReply(200, fixture(t, "gitguardian/resend.json")))
	out, err := env.client.Invitations.ResendInvitation(t.Context(), 7)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/v1/invitations/7/resend", req.Path)
	assert.Equal(t, `{}`, string(req.Body))
	assertCommonHeaders(t, req, ggAuth)
	assert.Equal(t, "Email sent", out.Detail)
}

func TestInvitationsGetInvitationResourceAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations/1345/secret-incidents/3252", jsonReply(200, fixture(t, "gitguardian/resource_access.json")))
	out, err := env.client.Invitations.GetInvitationResourceAccess(t.Context(), 1345, models.ResourceTypeSecretIncidents, 3252)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, ggAuth)
	assert.Equal(t, &models.ResourceInvitationAccess{InvitationID: 1345, ResourceID: 3252, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionCanView}, out)

	_, err = env.client.Invitations.GetInvitationResourceAccess(t.Context(), 1345, "", 3252)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "resourceType", verr.Param)
	assert.Equal(t, 1, rec.count())
}

func TestInvitationsSetInvitationResourceAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPut, testGitGuardianBase+"/v1/invitations/1345/secret-incidents/3252",
		jsonReply(200, `{"invitation_id":1345,"resource_id":3252,"resource_type":"secret-incidents","permission":"can_edit"}`))
	access := &models.ResourceInvitationAccess{InvitationID: 1345, ResourceID: 3252, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionCanEdit}
	out, err := env.client.Invitations.SetInvitationResourceAccess(t.Context(), access)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodPut, req.Method)
	assert.Equal(t, "/v1/invitations/1345/secret-incidents/3252", req.Path)
	assert.Equal(t, `{"invitation_id":1345,"resource_id":3252,"resource_type":"secret-incidents","permission":"can_edit"}`, string(req.Body))
	assertCommonHeaders(t, req, ggAuth)
	assert.Equal(t, access, out)

	_, err = env.client.Invitations.SetInvitationResourceAccess(t.Context(), &models.ResourceInvitationAccess{InvitationID: 1, ResourceID: 2, ResourceType: models.ResourceTypeSecretIncidents})
	assert.ErrorContains(t, err, "access.Permission")
	assert.Equal(t, 1, rec.count())
}

func TestInvitationsRevokeInvitationResourceAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testGitGuardianBase+"/v1/invitations/1345/secret-incidents/3252", reply{status: 204})
	err := env.client.Invitations.RevokeInvitationResourceAccess(t.Context(), &models.ResourceInvitationAccess{
		InvitationID: 1345, ResourceID: 3252, ResourceType: models.ResourceTypeSecretIncidents, Permission: models.IncidentPermissionCanView,
	})
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, `{"invitation_id":1345,"resource_id":3252,"resource_type":"secret-incidents","permission":"can_view"}`, string(req.Body))
	assertCommonHeaders(t, req, ggAuth)
}

func TestInvitationsListInvitationSecretIncidentAccess(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations/1345/secret-incidents",
		jsonReply(200, fixture(t, "gitguardian/secret_incidents.json"), "Link", ""))
	before := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	assignee, ignorer, resolver := int64(309), int64(7), int64(8)
	feedback := true
	opts := &ListInvitationSecretIncidentAccessOptions{
		PerPage: 50, DateBefore: &before, DateAfter: &before, AssigneeEmail: "eric@gitguardian.com", AssigneeID: &assignee,
		Status: models.StatusIgnored, Severity: models.SeverityHigh, Validity: models.ValidityValid,
		Tags:     []models.TagEnum{models.TagFromHistoricalScan, models.TagSensitiveFile},
		Ordering: models.IncidentOrderingResolvedAtDesc, DetectorGroupName: "slackbot_token",
		IgnorerID: &ignorer, IgnorerAPITokenID: "5c5a4d6e-0000-4000-8000-000000000001", ResolverID: &resolver,
		ResolverAPITokenID: "5c5a4d6e-0000-4000-8000-000000000002", Feedback: &feedback,
	}
	got, err := env.client.Invitations.ListInvitationSecretIncidentAccess(t.Context(), 1345, opts).Collect(0)
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "/v1/invitations/1345/secret-incidents", req.Path)
	assert.Equal(t, "assignee_email=eric%40gitguardian.com&assignee_id=309&date_after=2024-05-01T12%3A00%3A00Z&date_before=2024-05-01T12%3A00%3A00Z"+
		"&detector_group_name=slackbot_token&feedback=true&ignorer_api_token_id=5c5a4d6e-0000-4000-8000-000000000001&ignorer_id=7"+
		"&ordering=-resolved_at&per_page=50&resolver_api_token_id=5c5a4d6e-0000-4000-8000-000000000002&resolver_id=8"+
		"&severity=high&status=IGNORED&tags=FROM_HISTORICAL_SCAN%2CSENSITIVE_FILE&validity=valid", req.Query)
	assertCommonHeaders(t, req, ggAuth)

	require.Len(t, got, 2)
	first := got[0]
	assert.Equal(t, int64(3759), first.ID)
	assert.Equal(t, "slackbot_token", first.Detector.DetectorGroupName)
	assert.Equal(t, models.StatusIgnored, first.Status)
	require.NotNil(t, first.IgnoreReason)
	assert.Equal(t, models.SecretStatusTestCredential, *first.IgnoreReason)
	assert.Nil(t, first.ResolvedAt)
	assert.Nil(t, first.ShareURL)
	assert.Equal(t, []models.TagEnum{models.TagFromHistoricalScan, models.TagSensitiveFile}, first.Tags)
	second := got[1]
	assert.Equal(t, models.StatusEnum("SNOOZED"), second.Status, "unknown status decodes")
	assert.Equal(t, models.ValidityEnum("brand_new_validity"), second.Validity)
	assert.Nil(t, second.AssigneeID)
	require.NotNil(t, second.RiskScore)
	assert.Equal(t, int64(87), *second.RiskScore)
}

func TestInvitationsListInvitationSecretIncidentAccessValidates(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	pager := env.client.Invitations.ListInvitationSecretIncidentAccess(t.Context(), -3, nil)
	_, err := pager.Collect(0)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "invitationID", verr.Param)
	assert.Zero(t, env.mock.GetTotalCallCount())
}

func TestInvitationsGitGuardianErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		sentinel error
		message  string
		fields   map[string][]string
	}{
		{"unauthorized", 401, `{"detail":"Invalid API key."}`, ErrUnauthorized, "Invalid API key.", nil},
		{"forbidden quota", 403, `{"detail":"Quota limit reached."}`, ErrForbidden, "Quota limit reached.", nil},
		{"conflict", 409, `{"detail":"Request conflicts with existing data."}`, ErrConflict, "Request conflicts with existing data.", nil},
		{"field errors", 400, `{"email":["Enter a valid email address."]}`, nil, "email: Enter a valid email address.", map[string][]string{"email": {"Enter a valid email address."}}},
		{"html proxy page", 502, `<html><body>Bad gateway</body></html>`, nil, "", nil},
		{"plain text", 400, `upstream said no`, nil, "upstream said no", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxRetries(0))
			env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations", reply{status: tc.status, body: tc.body, header: http.Header{}})
			_, err := env.client.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "a@example.com"}, nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.fields, apiErr.FieldErrors)
			assert.Equal(t, tc.body, string(apiErr.Body))
			if tc.sentinel != nil {
				assert.ErrorIs(t, err, tc.sentinel)
			}
			for _, other := range []error{ErrNotFound, ErrRateLimited} {
				assert.False(t, errors.Is(err, other))
			}
		})
	}
}
