package invitations

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

const (
	testBIMDataAPIKey        = "bim-test-apikey-9d3e"
	testBIMDataInvitationURL = testBIMDataBase + "/identity-provider/invitation"
	testBIMDataUserURL       = testBIMDataBase + "/identity-provider/user"
)

func bimDataStrPtr(s string) *string { return &s }

func bimDataRolePtr(r models.BIMDataRole) *models.BIMDataRole { return &r }

// wantBIMDataInvitation123 is testdata/bimdata/invitation.json.
func wantBIMDataInvitation123() models.BIMDataInvitation {
	return models.BIMDataInvitation{
		ID:                123,
		ClientID:          "111111",
		RedirectURI:       "https://platform.bimdata.io/cloud/12/project/15",
		CloudName:         "Awesome Cloud",
		CloudRole:         models.BIMDataRoleUser,
		Email:             "user@example.com",
		ProjectName:       bimDataStrPtr("Awesome Project"),
		ProjectRole:       bimDataRolePtr(models.BIMDataRoleAdmin),
		Status:            models.BIMDataInvitationStatusAccepted,
		SenderProviderSub: bimDataStrPtr("12345678-564798-8789-784563"),
	}
}

func TestSSOAcceptInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBIMDataInvitationURL+"/123/accept", jsonReply(http.StatusNoContent, ""))

	var resp Response
	err := env.client.SSO.AcceptInvitation(context.Background(), 123, CaptureResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/identity-provider/invitation/123/accept", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body, "accept sends no body")
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestSSODenyInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testBIMDataInvitationURL+"/987654321/deny", jsonReply(http.StatusNoContent, ""))

	require.NoError(t, env.client.SSO.DenyInvitation(context.Background(), 987654321))

	req := rec.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/identity-provider/invitation/987654321/deny", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body, "deny sends no body")
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestSSOGetInvitation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataInvitationURL+"/123",
		jsonReply(http.StatusOK, fixture(t, "bimdata/invitation.json"), "X-Request-Id", "req-bim-1"))

	var resp Response
	got, err := env.client.SSO.GetInvitation(context.Background(), 123, CaptureResponse(&resp))
	require.NoError(t, err)
	assert.Equal(t, wantBIMDataInvitation123(), *got)
	assert.Equal(t, "req-bim-1", resp.RequestID)

	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/identity-provider/invitation/123", req.Path)
	assert.Empty(t, req.Query)
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestSSOGetInvitations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, fixture(t, "bimdata/invitations.json")))

	got, err := env.client.SSO.GetInvitations(context.Background(), nil)
	require.NoError(t, err)

	first := wantBIMDataInvitation123()
	first.Status = models.BIMDataInvitationStatusPending
	cloudOnly := models.BIMDataInvitation{
		ID:          124,
		ClientID:    "111111",
		RedirectURI: "https://platform.bimdata.io/cloud/12",
		CloudName:   "Awesome Cloud",
		CloudRole:   models.BIMDataRoleAdmin,
		Email:       "admin@example.com",
		Status:      models.BIMDataInvitationStatusPending,
		// project_name, project_role and sender_provider_sub are null.
	}
	assert.Equal(t, []models.BIMDataInvitation{first, cloudOnly}, got)

	req := rec.only(t)
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "/identity-provider/invitation", req.Path)
	assert.Empty(t, req.Query, "no filter, no pagination parameters")
	assert.Empty(t, req.Body)
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestSSOGetInvitationsStatusFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		opts   *GetInvitationsOptions
		wantRQ string
	}{
		{"nil options", nil, ""},
		{"zero options", &GetInvitationsOptions{}, ""},
		{"accepted", &GetInvitationsOptions{Status: models.BIMDataInvitationStatusAccepted}, "status=A"},
		{"denied", &GetInvitationsOptions{Status: models.BIMDataInvitationStatusDenied}, "status=D"},
		{"pending", &GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending}, "status=P"},
		// An open type: a value the SDK does not know is sent as given.
		{"unknown value", &GetInvitationsOptions{Status: "W"}, "status=W"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, "[]"))

			got, err := env.client.SSO.GetInvitations(context.Background(), tc.opts)
			require.NoError(t, err)
			assert.NotNil(t, got)
			assert.Empty(t, got)

			req := rec.only(t)
			assert.Equal(t, "/identity-provider/invitation", req.Path)
			assert.Equal(t, tc.wantRQ, req.Query)
		})
	}
}

func TestSSOGetInvitationsNullBody(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, "null"))

	got, err := env.client.SSO.GetInvitations(context.Background(), nil)
	require.NoError(t, err)
	assert.NotNil(t, got, "an empty list is never nil")
	assert.Empty(t, got)
}

func TestSSOGetInvitationsWrongShape(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// A paginated envelope is not what this route returns: decoding must
	// fail loudly instead of yielding an empty list.
	env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, `{"count": 1, "results": []}`))

	got, err := env.client.SSO.GetInvitations(context.Background(), nil)
	assert.Nil(t, got)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "BIMData", de.API)
	assert.Equal(t, http.StatusOK, de.StatusCode)
}

func TestSSODeleteUser(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBIMDataUserURL, jsonReply(http.StatusNoContent, ""))

	require.NoError(t, env.client.SSO.DeleteUser(context.Background(), "user+sso@example.com"))

	req := rec.only(t)
	assert.Equal(t, http.MethodDelete, req.Method)
	assert.Equal(t, "/identity-provider/user", req.Path)
	assert.Empty(t, req.Query)
	assert.JSONEq(t, `{"email": "user+sso@example.com"}`, string(req.Body))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assertCommonHeaders(t, req, "Bearer "+testBIMDataToken)
}

func TestSSOAPIKeyCredential(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithBIMDataAPIKey(testBIMDataAPIKey))
	get := env.route(http.MethodGet, testBIMDataInvitationURL+"/123", jsonReply(http.StatusOK, fixture(t, "bimdata/invitation.json")))
	accept := env.route(http.MethodPost, testBIMDataInvitationURL+"/123/accept", jsonReply(http.StatusNoContent, ""))
	del := env.route(http.MethodDelete, testBIMDataUserURL, jsonReply(http.StatusNoContent, ""))

	ctx := context.Background()
	_, err := env.client.SSO.GetInvitation(ctx, 123)
	require.NoError(t, err)
	require.NoError(t, env.client.SSO.AcceptInvitation(ctx, 123))
	require.NoError(t, env.client.SSO.DeleteUser(ctx, "user@example.com"))

	for _, rec := range []*recorder{get, accept, del} {
		assertCommonHeaders(t, rec.only(t), "ApiKey "+testBIMDataAPIKey)
	}
}

func TestSSOCredentialRequired(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)

	_, err = c.SSO.GetInvitations(context.Background(), nil)
	require.ErrorIs(t, err, ErrNoCredential)
	assert.Contains(t, err.Error(), "WithBIMDataAccessToken or WithBIMDataAPIKey")
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestSSOCredentialOptionsRejectBadSecrets(t *testing.T) {
	t.Parallel()
	for _, opt := range []Option{
		WithBIMDataAccessToken(""),
		WithBIMDataAccessToken("tok\r\nX-Evil: 1"),
		WithBIMDataAPIKey(" "),
		WithBIMDataAPIKey("key with space"),
	} {
		_, err := NewClient(opt)
		require.ErrorIs(t, err, ErrInvalidParameter)
		assert.NotContains(t, err.Error(), "X-Evil")
	}
}

func TestSSOBaseURL(t *testing.T) {
	t.Parallel()
	c, err := NewClient()
	require.NoError(t, err)
	assert.Equal(t, "https://api.bimdata.io", c.cfg.api(BIMData).baseURL)

	env := newTestEnv(t, WithBIMDataBaseURL(BIMDataStagingBaseURL+"/"))
	rec := env.route(http.MethodGet, BIMDataStagingBaseURL+"/identity-provider/invitation", jsonReply(http.StatusOK, "[]"))
	_, err = env.client.SSO.GetInvitations(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, "/identity-provider/invitation", rec.only(t).Path)

	_, err = NewClient(WithBIMDataBaseURL("http://api.bimdata.io"))
	require.ErrorIs(t, err, ErrInvalidParameter, "plain http is refused for remote hosts")
}

func TestSSODetailError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		fixture  string
		sentinel error
		message  string
		call     func(*SSOService) error
	}{
		{"get unknown invitation", http.StatusNotFound, "bimdata/error_404.json", ErrNotFound, "Not found.",
			func(s *SSOService) error { _, err := s.GetInvitation(context.Background(), 123); return err }},
		{"accept unknown invitation", http.StatusNotFound, "bimdata/error_404.json", ErrNotFound, "Not found.",
			func(s *SSOService) error { return s.AcceptInvitation(context.Background(), 123) }},
		{"deny without credentials", http.StatusUnauthorized, "bimdata/error_401.json", ErrUnauthorized,
			"Authentication credentials were not provided.",
			func(s *SSOService) error { return s.DenyInvitation(context.Background(), 123) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			body := fixture(t, tc.fixture)
			env.route(http.MethodGet, testBIMDataInvitationURL+"/123", jsonReply(tc.status, body))
			env.route(http.MethodPost, testBIMDataInvitationURL+"/123/accept", jsonReply(tc.status, body))
			env.route(http.MethodPost, testBIMDataInvitationURL+"/123/deny", jsonReply(tc.status, body))

			err := tc.call(env.client.SSO)
			require.ErrorIs(t, err, tc.sentinel)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "BIMData", apiErr.API)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Empty(t, apiErr.FieldErrors)
			assert.JSONEq(t, body, string(apiErr.Body))
			assert.Contains(t, apiErr.Error(), tc.message)
			assert.NotContains(t, apiErr.Error(), testBIMDataToken)
		})
	}
}

func TestSSOFieldErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBIMDataUserURL,
		jsonReply(http.StatusBadRequest, fixture(t, "bimdata/error_400_email.json")))

	err := env.client.SSO.DeleteUser(context.Background(), "user@example.com")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, map[string][]string{"email": {"Enter a valid email address."}}, apiErr.FieldErrors)
	assert.Equal(t, "email: Enter a valid email address.", apiErr.Message)
	assert.False(t, errors.Is(err, ErrNotFound))
	assert.Equal(t, 1, rec.count(), "a 400 is not retried")
}

func TestSSONonFieldErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, testBIMDataInvitationURL+"/123/accept",
		jsonReply(http.StatusBadRequest, `{"non_field_errors": ["Invitation already accepted.", "Try again later."]}`))

	err := env.client.SSO.AcceptInvitation(context.Background(), 123)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, []string{"Invitation already accepted.", "Try again later."}, apiErr.FieldErrors["non_field_errors"])
	assert.Contains(t, apiErr.Message, "Invitation already accepted.")
}

func TestSSOHTMLErrorBody(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBIMDataInvitationURL+"/123",
		reply{status: http.StatusForbidden, body: "<html><body>Forbidden</body></html>", header: http.Header{"Content-Type": {"text/html"}}})

	_, err := env.client.SSO.GetInvitation(context.Background(), 123)
	require.ErrorIs(t, err, ErrForbidden)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.FieldErrors)
	assert.Contains(t, string(apiErr.Body), "Forbidden")
}

func TestSSOValidationSendsNothing(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		param string
		call  func(*SSOService) error
	}{
		{"accept zero id", "invitationID", func(s *SSOService) error { return s.AcceptInvitation(context.Background(), 0) }},
		{"accept negative id", "invitationID", func(s *SSOService) error { return s.AcceptInvitation(context.Background(), -1) }},
		{"deny zero id", "invitationID", func(s *SSOService) error { return s.DenyInvitation(context.Background(), 0) }},
		{"get zero id", "invitationID", func(s *SSOService) error {
			_, err := s.GetInvitation(context.Background(), 0)
			return err
		}},
		{"delete empty email", "email", func(s *SSOService) error { return s.DeleteUser(context.Background(), "") }},
		{"delete blank email", "email", func(s *SSOService) error { return s.DeleteUser(context.Background(), "   ") }},
		{"delete not an email", "email", func(s *SSOService) error { return s.DeleteUser(context.Background(), "not-an-email") }},
		{"delete display name", "email", func(s *SSOService) error {
			return s.DeleteUser(context.Background(), "Ada <ada@example.com>")
		}},
		{"delete padded email", "email", func(s *SSOService) error { return s.DeleteUser(context.Background(), " ada@example.com") }},
		{"nil context", "ctx", func(s *SSOService) error {
			//lint:ignore SA1012 a nil context is the point of the case
			_, err := s.GetInvitations(nil, nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			recs := []*recorder{
				env.route(http.MethodPost, testBIMDataInvitationURL+"/0/accept", jsonReply(http.StatusNoContent, "")),
				env.route(http.MethodPost, testBIMDataInvitationURL+"/-1/accept", jsonReply(http.StatusNoContent, "")),
				env.route(http.MethodPost, testBIMDataInvitationURL+"/0/deny", jsonReply(http.StatusNoContent, "")),
				env.route(http.MethodGet, testBIMDataInvitationURL+"/0", jsonReply(http.StatusOK, "{}")),
				env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, "[]")),
				env.route(http.MethodDelete, testBIMDataUserURL, jsonReply(http.StatusNoContent, "")),
			}

			err := tc.call(env.client.SSO)
			require.ErrorIs(t, err, ErrInvalidParameter)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.param, ve.Param)
			for _, rec := range recs {
				assert.Equal(t, 0, rec.count())
			}
			assert.Zero(t, env.mock.GetTotalCallCount())
		})
	}
}

func TestSSOUnsafeNotRetriedOnServerError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		path string
		call func(*SSOService) error
	}{
		{"accept", "/123/accept", func(s *SSOService) error { return s.AcceptInvitation(context.Background(), 123) }},
		{"deny", "/123/deny", func(s *SSOService) error { return s.DenyInvitation(context.Background(), 123) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			rec := env.route(http.MethodPost, testBIMDataInvitationURL+tc.path,
				jsonReply(http.StatusInternalServerError, ""), jsonReply(http.StatusNoContent, ""))

			err := tc.call(env.client.SSO)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
			assert.Equal(t, 1, rec.count(), "the server may have acted: no second attempt")
			assert.Empty(t, env.retryWaits())
		})
	}
}

func TestSSOUnsafeRetriedOnRateLimit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	// A 429 means the server did nothing, so even accepting is repeated.
	rec := env.route(http.MethodPost, testBIMDataInvitationURL+"/123/accept",
		jsonReply(http.StatusTooManyRequests, `{"detail": "Request was throttled."}`, "Retry-After", "1"),
		jsonReply(http.StatusNoContent, ""))

	require.NoError(t, env.client.SSO.AcceptInvitation(context.Background(), 123))
	assert.Equal(t, 2, rec.count())
	assert.Equal(t, []time.Duration{time.Second}, env.retryWaits())
}

func TestSSOGetRetriedOnServiceUnavailable(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataInvitationURL+"/123",
		jsonReply(http.StatusServiceUnavailable, ""),
		jsonReply(http.StatusOK, fixture(t, "bimdata/invitation.json")))

	got, err := env.client.SSO.GetInvitation(context.Background(), 123)
	require.NoError(t, err)
	assert.Equal(t, wantBIMDataInvitation123(), *got)
	assert.Equal(t, 2, rec.count())
}

func TestSSOGetInvitationsRetriedOnServiceUnavailable(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataInvitationURL,
		jsonReply(http.StatusServiceUnavailable, ""),
		jsonReply(http.StatusOK, fixture(t, "bimdata/invitations.json")))

	got, err := env.client.SSO.GetInvitations(context.Background(), &GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	require.NoError(t, err)
	assert.Len(t, got, 2)
	all := rec.all()
	require.Len(t, all, 2)
	for _, req := range all {
		assert.Equal(t, "status=P", req.Query, "the retry keeps the filter")
	}
}

func TestSSODeleteUserRetriedOnServerError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBIMDataUserURL,
		jsonReply(http.StatusBadGateway, ""), jsonReply(http.StatusNoContent, ""))

	require.NoError(t, env.client.SSO.DeleteUser(context.Background(), "user@example.com"))
	all := rec.all()
	require.Len(t, all, 2)
	for _, req := range all {
		assert.JSONEq(t, `{"email": "user@example.com"}`, string(req.Body), "the body is resent on retry")
	}
}

func TestSSOInvitationModelDecoding(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBIMDataInvitationURL+"/125", jsonReply(http.StatusOK, fixture(t, "bimdata/invitation_legacy.json")))

	got, err := env.client.SSO.GetInvitation(context.Background(), 125)
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataInvitation{
		ID:          125,
		ClientID:    "111111", // sent as a string by older API versions
		RedirectURI: "https://platform.bimdata.io/cloud/12/project/16",
		CloudName:   "Awesome Cloud",
		CloudRole:   models.BIMDataRoleUser,
		Email:       "guest@example.com",
		ProjectName: bimDataStrPtr("Site Survey"),
		ProjectRole: bimDataRolePtr(models.BIMDataRoleGuest),
		Status:      "W", // a 2019 status, still decoded as it is
		// sender_provider_sub absent; the unknown invited_at is ignored.
	}, *got)
	id, ok := got.ClientID.Int64()
	assert.True(t, ok)
	assert.Equal(t, int64(111111), id)
}

func TestSSOInvitationModelOpenValues(t *testing.T) {
	t.Parallel()
	var inv models.BIMDataInvitation
	require.NoError(t, json.Unmarshal([]byte(`{
		"id": 7, "client_id": "app-7f3a", "redirect_uri": "https://x.example/", "cloud_name": "C",
		"cloud_role": 75, "email": "a@example.com", "project_role": 10, "status": "Z"}`), &inv))
	assert.Equal(t, models.BIMDataInvitationStatus("Z"), inv.Status)
	assert.Equal(t, models.BIMDataRole(75), inv.CloudRole)
	assert.Equal(t, bimDataRolePtr(10), inv.ProjectRole)
	assert.Equal(t, models.BIMDataClientID("app-7f3a"), inv.ClientID)
	_, ok := inv.ClientID.Int64()
	assert.False(t, ok)
	assert.Nil(t, inv.ProjectName)

	var bad models.BIMDataInvitation
	assert.Error(t, json.Unmarshal([]byte(`{"id": 1, "client_id": {"x": 1}}`), &bad))
	assert.Error(t, json.Unmarshal([]byte(`{"id": 1, "client_id": true}`), &bad))
	require.NoError(t, json.Unmarshal([]byte(`{"id": 1, "client_id": null}`), &bad))
	assert.Empty(t, bad.ClientID)
}

func TestSSOInvitationModelRoundTrip(t *testing.T) {
	t.Parallel()
	// Re-encoding keeps the wire form: an integer client_id stays a
	// number, a non-numeric one a string, and absent optionals stay out.
	want := wantBIMDataInvitation123()
	b, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, fixture(t, "bimdata/invitation.json"), string(b))

	var back models.BIMDataInvitation
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, want, back)

	b, err = json.Marshal(models.BIMDataInvitation{ID: 1, ClientID: "app-7f3a", CloudRole: models.BIMDataRoleAdmin})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id": 1, "client_id": "app-7f3a", "redirect_uri": "", "cloud_name": "", "cloud_role": 100, "email": ""}`, string(b))
}

// StreamInvitations yields what GetInvitations returns, the same request,
// decoded one invitation at a time.
func TestSSOStreamInvitations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(http.StatusOK, fixture(t, "bimdata/invitations.json")))
	whole, err := env.client.SSO.GetInvitations(context.Background(), &GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	require.NoError(t, err)

	var got []models.BIMDataInvitation
	for inv, err := range env.client.SSO.StreamInvitations(context.Background(), &GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending}) {
		require.NoError(t, err)
		got = append(got, inv)
	}
	assert.Equal(t, whole, got)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Path, reqs[1].Path)
	assert.Equal(t, "status=P", reqs[1].Query)
	assertCommonHeaders(t, reqs[1], "Bearer "+testBIMDataToken)
}

// The loop's break stops the reading; null is no invitation; an answer
// that goes wrong midway yields what came before, then one *DecodeError;
// a refusal is the *APIError, once.
func TestSSOStreamInvitationsEnds(t *testing.T) {
	t.Parallel()
	collect := func(t *testing.T, body string, status int, stopAfter int) ([]int64, []error) {
		env := newTestEnv(t)
		env.route(http.MethodGet, testBIMDataInvitationURL, jsonReply(status, body))
		var ids []int64
		var errs []error
		for inv, err := range env.client.SSO.StreamInvitations(context.Background(), nil) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			ids = append(ids, inv.ID)
			if len(ids) == stopAfter {
				break
			}
		}
		return ids, errs
	}
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `[{"id":1},{"id":2},{"id":3}`, http.StatusOK, 1)
		assert.Equal(t, []int64{1}, ids, "nothing after the break, and no error for the rest left unread")
		assert.Empty(t, errs)
	})
	t.Run("null", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `null`, http.StatusOK, 0)
		assert.Empty(t, ids)
		assert.Empty(t, errs)
	})
	t.Run("broken midway", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `[{"id":1},{"id":2},{"id":`, http.StatusOK, 0)
		assert.Equal(t, []int64{1, 2}, ids)
		require.Len(t, errs, 1)
		var de *DecodeError
		require.ErrorAs(t, errs[0], &de)
		assert.ErrorIs(t, errs[0], io.ErrUnexpectedEOF)
	})
	t.Run("not an array", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `{"count": 1, "results": []}`, http.StatusOK, 0)
		assert.Empty(t, ids)
		require.Len(t, errs, 1)
		var de *DecodeError
		require.ErrorAs(t, errs[0], &de)
	})
	t.Run("garbage after the array", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `[{"id":1}] [`, http.StatusOK, 0)
		assert.Equal(t, []int64{1}, ids)
		require.Len(t, errs, 1)
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		ids, errs := collect(t, `{"detail":"Authentication credentials were not provided."}`, http.StatusUnauthorized, 0)
		assert.Empty(t, ids)
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrUnauthorized)
	})
}

func TestBIMDataClientIDAlwaysMarshalsValidJSON(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"111111", "+5", "007", "-0", "abc", ""} {
		b, err := json.Marshal(models.BIMDataClientID(id))
		require.NoError(t, err, id)
		var back models.BIMDataClientID
		require.NoError(t, json.Unmarshal(b, &back), id)
		assert.Equal(t, models.BIMDataClientID(id), back, id)
	}
}
