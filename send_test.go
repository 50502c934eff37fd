package invitations

import (
	"net/http"
	"testing"

	"github.com/invitesdk/invitations/models"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMissingCredentialSendsNothing(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	c, err := NewClient(WithHTTPClient(&http.Client{Transport: mock}), WithGitGuardianAPIKey("k"))
	require.NoError(t, err)

	err = c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	require.ErrorIs(t, err, ErrNoCredential)
	assert.Contains(t, err.Error(), "WithBoxAccessToken")

	_, err = c.AccountInvitations.client.do(t.Context(), newRequest(Portworx, http.MethodGet, "core/v1/invite", Idempotent), nil, nil)
	require.ErrorIs(t, err, ErrNoBaseURL)
	assert.Contains(t, err.Error(), "WithPortworxBaseURL")
	assert.Zero(t, mock.GetTotalCallCount())
}

func TestSendBuildsTheRequestFromTheOperationAndTheClient(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithUserAgent("app/1.0"))
	rec := env.route(http.MethodPut, testBoxBase+"/group_memberships/g%2F1",
		jsonReply(200, `{"type":"group_membership","id":"g/1"}`))
	_, err := env.client.Memberships.UpdateGroupMembershipByID(t.Context(), "g/1",
		&models.UpdateGroupMembershipRequest{Role: "admin"}, nil, WithHeader("X-Extra", "1"))
	require.NoError(t, err)
	req := rec.only(t)
	assert.Equal(t, "Bearer "+testBoxToken, req.Header.Get("Authorization"))
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, "invitations-go/"+Version+" app/1.0", req.Header.Get("User-Agent"))
	assert.Equal(t, "1", req.Header.Get("X-Extra"))
	assert.JSONEq(t, `{"role":"admin"}`, string(req.Body))
}

func TestSuccessStatusIsTheOperationsOrAny2xx(t *testing.T) {
	t.Parallel()
	c, err := NewClient()
	require.NoError(t, err)
	any2xx := &request{}
	only201 := gitGuardianCreateInvitations.request()
	for status, want := range map[int][2]bool{200: {true, false}, 201: {true, true}, 204: {true, false}, 299: {true, false}, 302: {false, false}, 404: {false, false}} {
		assert.Equal(t, want[0], c.successStatus(any2xx, status), "%d without Success", status)
		assert.Equal(t, want[1], c.successStatus(only201, status), "%d with Success 201", status)
	}
}
