package invitations

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseCarriesRateAndPagingHeaders(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations", jsonReply(200, `[]`, "X-Per-Page", "20", "X-Request-ID", "r7"))
	var resp Response
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil, CaptureResponse(&resp)).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, 20, resp.PerPage)
	assert.Equal(t, "r7", resp.RequestID)

	env = newTestEnv(t, WithMaxRetries(0))
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", jsonReply(429, `{}`, "Retry-After", "100"))
	err = env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", CaptureResponse(&resp))
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, 100*time.Second, resp.RetryAfter)
}
