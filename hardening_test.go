package invitations

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

func TestClientValueNeverPrintsCredentials(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("c", "client", *env.client)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("c", "client", *env.client)
	out := fmt.Sprintf("%+v %#v %v", *env.client, struct{ c Client }{*env.client}, env.client.cfg) + logs.String()
	for _, secret := range []string{testGitGuardianKey, testBoxToken, testFreestyleKey, testBIMDataToken, testPortworxToken} {
		assert.NotContains(t, out, secret)
	}
}

func TestDecodeRejectsTrailingData(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		`{"id":"1"}garbage`:                            false,
		`{"id":"1"}{"id":"2"}`:                         false,
		`{"id":"1"}` + strings.Repeat(" ", 2048) + "x": false,
		"{\"id\":\"1\"}\n \r\n":                        true,
	}
	for body, ok := range cases {
		env := newTestEnv(t, WithMaxResponseBytes(1024))
		env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(200, body))
		_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
		if ok {
			assert.NoError(t, err, body)
			continue
		}
		var derr *DecodeError
		assert.ErrorAs(t, err, &derr, body[:min(len(body), 30)])
	}
}

func TestRedactURLDropsFragment(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://h/p?x=1", redactURL("https://h/p?x=1#access_token=abc"))
}

func TestRedirectThatChangesTheMethodIsNotFollowed(t *testing.T) {
	t.Parallel()
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusFound)
	}))
	defer origin.Close()
	c, err := NewClient(WithBoxBaseURL(origin.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0))
	require.NoError(t, err)
	err = c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "a DELETE turned into a GET must not report success")
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.Zero(t, targetHits.Load())
	c.CloseIdleConnections()
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

func TestWithHeaderRejectsInvalidNames(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, key := range []string{"", "X(Y", "X Y", "X:Y", "Ünicode", "X\nY"} {
		err := env.client.Memberships.DeleteGroupMembershipByID(t.Context(), "1", WithHeader(key, "v"))
		assert.ErrorIs(t, err, ErrInvalidParameter, key)
	}
	assert.Zero(t, env.mock.GetTotalCallCount())
}

func TestUnsafeGetSendsNoBodyOnTheWire(t *testing.T) {
	t.Parallel()
	type seen struct {
		te     []string
		length int64
		body   string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		got <- seen{te: r.TransferEncoding, length: r.ContentLength, body: b.String()}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	c, err := NewClient(WithPortworxBaseURL(srv.URL), WithPortworxAccessToken(testPortworxToken))
	require.NoError(t, err)
	require.NoError(t, c.AccountInvitations.NotifyUser(t.Context(), "u1"))
	s := <-got
	assert.Empty(t, s.te, "no chunked encoding")
	assert.Zero(t, s.length)
	assert.Empty(t, s.body)
	c.CloseIdleConnections()
}
