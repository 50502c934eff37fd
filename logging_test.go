package invitations

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoggerRecordsEveryAttemptAndRetry(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	env := newTestEnv(t, WithLogger(logger))
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(503, `{}`, "Box-Request-Id", "r1"),
		jsonReply(200, `{"id":"1"}`, "Box-Request-Id", "r2"))
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)

	mu.Lock()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	mu.Unlock()
	var records []map[string]any
	for _, line := range lines {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		records = append(records, rec)
	}
	require.Len(t, records, 3)
	assert.Equal(t, "DEBUG", records[0]["level"])
	assert.Equal(t, "Box", records[0]["api"])
	assert.Equal(t, float64(503), records[0]["status"])
	assert.Equal(t, float64(1), records[0]["attempt"])
	assert.Equal(t, "r1", records[0]["request_id"])
	assert.Equal(t, "INFO", records[1]["level"])
	assert.Equal(t, "invitations retry", records[1]["msg"])
	assert.Equal(t, float64(2), records[1]["attempt"])
	assert.Equal(t, float64(200), records[2]["status"])
	assert.Equal(t, float64(2), records[2]["attempt"])
	assert.Equal(t, testBoxBase+"/group_memberships/1", records[2]["url"])
	assert.NotContains(t, buf.String(), testBoxToken)
}

func TestSilentWithoutLogger(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	assert.False(t, env.client.observing(), "no RequestInfo is built when nothing listens")
	assert.Nil(t, env.client.http.Logger, "retryablehttp's own logger stays silent")
}

func TestRequestHookSeesEveryAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var infos []RequestInfo
	env := newTestEnv(t, WithRequestHook(func(info RequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		infos = append(infos, info)
	}))
	env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(429, `{"detail":"slow"}`, "Retry-After", "1"),
		jsonReply(200, `[]`, "X-Request-ID", "gg-1"))
	_, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(0)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, infos, 2)
	assert.Equal(t, RequestInfo{API: "GitGuardian", Method: "GET", URL: testGitGuardianBase + "/v1/invitations", Attempt: 1, StatusCode: 429, Duration: infos[0].Duration}, infos[0])
	assert.Equal(t, 2, infos[1].Attempt)
	assert.Equal(t, "gg-1", infos[1].RequestID)
}

// lockedWriter serialises writes from concurrent log calls.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
