package invitations

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/invitesdk/invitations/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secEndless is a response body that never ends, counting what is read.
type secEndless struct {
	prefix string
	read   atomic.Int64
}

func (e *secEndless) Read(p []byte) (int, error) {
	off := e.read.Load()
	for i := range p {
		if j := off + int64(i); j < int64(len(e.prefix)) {
			p[i] = e.prefix[j]
		} else {
			p[i] = 'x'
		}
	}
	e.read.Add(int64(len(p)))
	return len(p), nil
}

func (*secEndless) Close() error { return nil }

func TestResponseBodiesAreReadThroughTheCap(t *testing.T) {
	t.Parallel()
	const slack = 8 << 10 // what may be drained after the cap so the connection can be reused
	endless := func(env *testEnv, method, url string, status int, prefix string) *secEndless {
		body := &secEndless{prefix: prefix}
		env.mock.RegisterResponder(method, url, func(req *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: req}, nil
		})
		return body
	}

	t.Run("success body", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t, WithMaxResponseBytes(1000))
		body := endless(env, http.MethodGet, testBoxBase+"/group_memberships/1", 200, `{"id":"`)
		_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
		var derr *DecodeError
		require.ErrorAs(t, err, &derr)
		assert.ErrorIs(t, err, errBodyTooLarge)
		assert.LessOrEqual(t, body.read.Load(), int64(1000+slack))
	})
	for name, c := range map[string]struct {
		maxBytes, wantBody int64
	}{
		"error body under a small cap":  {maxBytes: 1000, wantBody: 1000},
		"error body under the default":  {maxBytes: 0, wantBody: maxErrorBody},
		"error body under a larger cap": {maxBytes: 1 << 20, wantBody: maxErrorBody},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if c.maxBytes > 0 {
				opts = append(opts, WithMaxResponseBytes(c.maxBytes))
			}
			env := newTestEnv(t, opts...)
			body := endless(env, http.MethodGet, testBoxBase+"/group_memberships/1", 404, `{"type":"error","message":"`)
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 404, apiErr.StatusCode)
			assert.Len(t, apiErr.Body, int(c.wantBody))
			assert.LessOrEqual(t, body.read.Load(), c.wantBody+slack)
			assert.LessOrEqual(t, len(apiErr.Error()), 1024, "the message is bounded too")
		})
	}
	t.Run("error body of a retried call", func(t *testing.T) {
		t.Parallel()
		env := newTestEnv(t, WithMaxResponseBytes(2000), WithMaxRetries(2))
		body := endless(env, http.MethodGet, testBoxBase+"/group_memberships/1", 503, `{"message":"`)
		_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Len(t, apiErr.Body, 2000)
		assert.LessOrEqual(t, body.read.Load(), int64(3*(2000+slack)))
	})
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

func TestNullBodyOfAnOperationReturningOneObjectIsADecodeError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, fsIdentityURL+"/tokens", jsonReply(200, `null`))
	env.route(http.MethodPost, testGitGuardianBase+"/v1/invitations", jsonReply(201, `null`))

	tok, err := env.client.Identity.CreateGitToken(t.Context(), fsIdentity)
	var de *DecodeError
	require.ErrorAs(t, err, &de, "a lost one-time token is never a silent success")
	assert.Nil(t, tok)
	assert.ErrorIs(t, err, errNullBody)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)

	inv, err := env.client.Invitations.CreateInvitations(t.Context(), &models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}, nil)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 201, de.StatusCode)
	assert.Nil(t, inv)
}

func TestBodyCutShortAfterACompleteValueIsATruncation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.mock.RegisterResponder(http.MethodGet, testBoxBase+"/group_memberships/1", func(req *http.Request) (*http.Response, error) {
		resp := jsonResponse(req, 200, "")
		// What net/http gives when the connection closes before
		// Content-Length bytes arrived, here after a whole value.
		resp.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"id":"1"}`), iotest.ErrReader(io.ErrUnexpectedEOF)))
		return resp, nil
	})
	_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.NotContains(t, err.Error(), "unexpected data after")
}

func TestModelsDecodeUnknownFieldsAndValues(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBoxBase+"/group_memberships/1",
		jsonReply(200, `{"id":"1","role":"owner","brand_new_field":{"x":[1,2]},"group":{"id":"2","group_type":"future_group"}}`))
	m, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
	require.NoError(t, err)
	assert.Equal(t, models.GroupMembershipRole("owner"), m.Role)
	assert.Equal(t, "future_group", m.Group.GroupType)
}

func TestSuccessBodyThatIsNotJSONIsADecodeError(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"html":      `<html>oops</html>`,
		"empty":     ``,
		"truncated": `{"id":"1","role":"adm`,
		"shape":     `["not","an","object"]`,
		"too large": `{"id":"` + string(bytes.Repeat([]byte("x"), 2048)) + `"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxResponseBytes(1024))
			env.route(http.MethodGet, testBoxBase+"/group_memberships/1", jsonReply(200, body))
			_, err := env.client.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			var derr *DecodeError
			require.ErrorAs(t, err, &derr)
			assert.Equal(t, 200, derr.StatusCode)
			assert.False(t, errors.Is(err, ErrNotFound))
			if name == "too large" {
				assert.ErrorIs(t, err, errBodyTooLarge)
			}
		})
	}
}
