package invitations

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithHeaderRejectsInvalidNames(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, key := range []string{"", "X(Y", "X Y", "X:Y", "Ünicode", "X\nY"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "v"))
		assert.ErrorIs(t, err, ErrInvalidParameter, key)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())
}

func TestWithHeaderOwnsFramingAgentAndContentTypeButNotAccept(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, key := range []string{"Authorization", "user-agent", "Content-Type", "Host", "Content-Length", "Transfer-Encoding", "Connection"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "x"))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, key)
		assert.Equal(t, "WithHeader "+http.CanonicalHeaderKey(key), ve.Param)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())

	rec := env.route(http.MethodGet, testBoxBase+"/users/me", reply{status: 200, body: "x", header: http.Header{}})
	var raw []byte
	_, err := env.client.Do(t.Context(), &RawRequest{API: Box, Method: http.MethodGet, Path: "users/me", Retry: Idempotent}, &raw, WithHeader("Accept", "text/plain"))
	require.NoError(t, err)
	assert.Equal(t, "text/plain", rec.only(t).Header.Get("Accept"))
}

func TestRequestOptionsCannotReplaceCredential(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204})
	for _, key := range []string{"Authorization", "authorization", "Host", "Content-Length"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "Bearer stolen"))
		require.ErrorIs(t, err, ErrInvalidParameter, key)
	}
	assert.Zero(t, rec.count())

	// Extra headers override defaults such as Accept, but never the credential.
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader("Accept", "application/vnd.custom+json"), WithHeader("X-Trace", "t1")))
	req := rec.only(t)
	assert.Equal(t, boxAuth, req.Header.Get("Authorization"))
	assert.Equal(t, "application/vnd.custom+json", req.Header.Get("Accept"))
	assert.Equal(t, "t1", req.Header.Get("X-Trace"))
}

func TestCaptureResponse(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodDelete, testBoxBase+"/group_memberships/1", reply{status: 204, header: http.Header{"Box-Request-Id": {"rid-9"}}})
	var resp Response
	require.NoError(t, env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", CaptureResponse(&resp)))
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, "rid-9", resp.RequestID)
}
