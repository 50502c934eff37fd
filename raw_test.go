package invitations

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDoSendsARawCallThroughTheCore(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPatch, testGitGuardianBase+"/v1/members/a%2Fb",
		jsonReply(200, `{"id":12,"access_level":"manager"}`, "X-Request-Id", "req-9"))
	var out struct {
		ID          int64  `json:"id"`
		AccessLevel string `json:"access_level"`
	}
	resp, err := env.client.Do(t.Context(), &RawRequest{
		API: GitGuardian, Method: http.MethodPatch, Path: "/v1/members/{}", PathParams: []string{"a/b"},
		Query: url.Values{"send_email": {"false"}}, Body: map[string]string{"access_level": "manager"},
		Retry: Idempotent,
	}, &out)
	require.NoError(t, err)
	assert.Equal(t, int64(12), out.ID)
	assert.Equal(t, "manager", out.AccessLevel)
	assert.Equal(t, "req-9", resp.RequestID)

	req := rec.only(t)
	assert.Equal(t, "/v1/members/a%2Fb", req.Path, "a parameter is one escaped segment")
	assert.Equal(t, "send_email=false", req.Query)
	assert.JSONEq(t, `{"access_level":"manager"}`, string(req.Body))
	assertCommonHeaders(t, req, "Token "+testGitGuardianKey)
}

func TestDoReturnsRawBytesBoundedByTheCap(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxResponseBytes(8))
	env.route(http.MethodGet, testBoxBase+"/users/me", reply{status: 200, body: "abcdefgh", header: http.Header{}})
	env.route(http.MethodGet, testBoxBase+"/users/big", reply{status: 200, body: "abcdefghi", header: http.Header{}})
	var raw []byte
	_, err := env.client.Do(t.Context(), &RawRequest{API: Box, Method: http.MethodGet, Path: "users/me", Retry: Idempotent}, &raw)
	require.NoError(t, err)
	assert.Equal(t, "abcdefgh", string(raw))

	_, err = env.client.Do(t.Context(), &RawRequest{API: Box, Method: http.MethodGet, Path: "users/big", Retry: Idempotent}, &raw)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, errBodyTooLarge)
}

func TestDoDecodesErrorsAsAPIError(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodGet, testBoxBase+"/users/1",
		jsonReply(404, `{"type":"error","status":404,"code":"not_found","message":"Not Found"}`))
	_, err := env.client.Do(t.Context(), &RawRequest{API: Box, Method: http.MethodGet, Path: "users/{}", PathParams: []string{"1"}, Retry: Idempotent}, nil)
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "not_found", apiErr.Code)
}

func TestDoRetriesByTheStatedClass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		class RetryClass
		want  int
	}{{Unsafe, 1}, {Idempotent, 3}} {
		t.Run(tc.class.String(), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, WithMaxRetries(2))
			rec := env.route(http.MethodPost, testFreestyleBase+"/identity/v1/things", jsonReply(502, `{}`))
			_, err := env.client.Do(t.Context(), &RawRequest{API: Freestyle, Method: http.MethodPost, Path: "identity/v1/things", Retry: tc.class}, nil)
			require.Error(t, err)
			assert.Equal(t, tc.want, rec.count())
		})
	}
}

func TestDoRejectsBadRequestsBeforeSending(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ok := RawRequest{API: Box, Method: http.MethodGet, Path: "users", Retry: Idempotent}
	cases := map[string]struct {
		mutate func(*RawRequest)
		param  string
	}{
		"no retry class":        {func(r *RawRequest) { r.Retry = 0 }, "RawRequest.Retry"},
		"unknown retry class":   {func(r *RawRequest) { r.Retry = 7 }, "RawRequest.Retry"},
		"unknown API":           {func(r *RawRequest) { r.API = "acme" }, "RawRequest.API"},
		"lower-case method":     {func(r *RawRequest) { r.Method = "get" }, "RawRequest.Method"},
		"method with a space":   {func(r *RawRequest) { r.Method = "GET X" }, "RawRequest.Method"},
		"empty path":            {func(r *RawRequest) { r.Path = "" }, "RawRequest.Path"},
		"query in path":         {func(r *RawRequest) { r.Path = "users?limit=1" }, "RawRequest.Path"},
		"absolute URL":          {func(r *RawRequest) { r.Path = "https://evil.example/users" }, "RawRequest.Path"},
		"climbs out":            {func(r *RawRequest) { r.Path = "../users" }, "RawRequest.Path"},
		"escaped in path":       {func(r *RawRequest) { r.Path = "users/%2e%2e" }, "RawRequest.Path"},
		"too few params":        {func(r *RawRequest) { r.Path = "users/{}" }, "RawRequest.PathParams"},
		"too many params":       {func(r *RawRequest) { r.PathParams = []string{"1"} }, "RawRequest.PathParams"},
		"dot-dot param":         {func(r *RawRequest) { r.Path, r.PathParams = "users/{}", []string{".."} }, "RawRequest.PathParams[0]"},
		"unencodable body":      {func(r *RawRequest) { r.Body = map[string]any{"f": func() {}} }, "body"},
		"nil request":           {nil, "RawRequest"},
		"header set by the SDK": {nil, "WithHeader User-Agent"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := ok
			var err error
			switch {
			case name == "nil request":
				_, err = env.client.Do(t.Context(), nil, nil)
			case tc.mutate == nil:
				_, err = env.client.Do(t.Context(), &req, nil, WithHeader("User-Agent", "x"))
			default:
				tc.mutate(&req)
				_, err = env.client.Do(t.Context(), &req, nil)
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.param, ve.Param)
		})
	}
	assert.Zero(t, env.mock.GetTotalCallCount(), "nothing was sent")
}

func TestDoAcceptsPortworxCustomVerbs(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodPost, testPortworxBase+"/core/v1/invite:accept", jsonReply(200, `{}`))
	var out json.RawMessage
	_, err := env.client.Do(t.Context(), &RawRequest{API: Portworx, Method: http.MethodPost, Path: "core/v1/invite:accept", Body: struct{}{}, Retry: Unsafe}, &out)
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(out))
	assert.Equal(t, "/core/v1/invite:accept", rec.only(t).Path)
}
