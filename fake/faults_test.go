package fake_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
)

func TestFaultsEmptyBody(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	auth := "Token " + fake.GitGuardianAPIKey

	// On the wire: the status, a JSON content type and not a byte of body.
	srv.Inject(fake.Fault{Operation: fake.GitGuardianListInvitations, Status: http.StatusOK, EmptyBody: true, Body: "ignored"})
	resp, body := rawGet(t, srv.BaseURLs.GitGuardian+"/v1/invitations", auth)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, int64(0), resp.ContentLength)
	assert.Empty(t, body)

	// ContentType overrides the default label.
	srv.Inject(fake.Fault{Operation: fake.GitGuardianListInvitations, Status: http.StatusOK, EmptyBody: true, ContentType: "text/plain"})
	resp, body = rawGet(t, srv.BaseURLs.GitGuardian+"/v1/invitations", auth)
	assert.Equal(t, "text/plain", resp.Header.Get("Content-Type"))
	assert.Empty(t, body)

	// Through the SDK, an operation that decodes a body fails to decode.
	srv.Inject(fake.Fault{Operation: fake.FreestyleListGitTokens, Status: http.StatusOK, EmptyBody: true})
	_, err := c.Identity.ListGitTokens(t.Context(), fake.FreestyleDemoIdentityID)
	var decErr *invitations.DecodeError
	require.True(t, errors.As(err, &decErr), "want *DecodeError, got %T: %v", err, err)
	assert.Equal(t, http.StatusOK, decErr.StatusCode)

	// Like every Status fault, the operation itself does not run: the
	// membership is still there after a "successful" delete.
	srv.Inject(fake.Fault{Operation: fake.BoxDeleteGroupMembershipByID, Status: http.StatusNoContent, EmptyBody: true})
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"))
	_, err = c.Memberships.GetGroupMembershipByID(t.Context(), "434534", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.RequestCount(fake.BoxDeleteGroupMembershipByID))
}

// A Status fault with a Body sends exactly that body, even with a success
// status: how a test serves JSON of the wrong shape where an object is due.
func TestFaultsSuccessStatusWithChosenBody(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())

	srv.Inject(fake.Fault{Operation: fake.BIMDataGetInvitation, Status: http.StatusOK, Body: "[1,2]"})
	resp, body := rawGet(t, srv.BaseURLs.BIMData+"/identity-provider/invitation/123", "Bearer "+fake.BIMDataAccessToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "[1,2]", body)

	srv.Inject(fake.Fault{Operation: fake.BIMDataGetInvitation, Status: http.StatusOK, Body: `"x"`})
	_, err := c.SSO.GetInvitation(t.Context(), fake.BIMDataDemoInvitationID)
	var decErr *invitations.DecodeError
	require.True(t, errors.As(err, &decErr), "want *DecodeError, got %T: %v", err, err)
}
