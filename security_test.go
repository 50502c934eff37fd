package invitations

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// More distinctive secrets, beside the test credentials of helpers_test.go.
const (
	secBIMDataAPIKey   = "bim-test-apikey-8d3e"
	secOneTimeToken    = "fs-one-time-secret-6b1c"
	secOneTimeTokenID  = "tok-6f0e1d2c"
	secLeakScanMinimum = 100 // outputs each leak scenario must have produced
)

// secAllSecrets are every secret the tests hand to the SDK or make a
// server return.
var secAllSecrets = []string{
	testGitGuardianKey, testBoxToken, testFreestyleKey, testBIMDataToken, testPortworxToken,
	secBIMDataAPIKey, secOneTimeToken,
}

// secScan collects everything the SDK printed, logged or returned, to be
// searched for secrets.
type secScan struct {
	mu      sync.Mutex
	outputs map[string]string // where -> text
}

func (s *secScan) add(where, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outputs == nil {
		s.outputs = map[string]string{}
	}
	key := where
	for n := 2; ; n++ {
		if _, dup := s.outputs[key]; !dup {
			break
		}
		key = where + " #" + strconv.Itoa(n)
	}
	s.outputs[key] = text
}

// addPrinted records v as every fmt verb prints it.
func (s *secScan) addPrinted(where string, v any) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		s.add(where+" "+verb, fmt.Sprintf(verb, v))
	}
}

// addError records an error: its message, its printed forms, and those of
// every error it wraps (an *APIError's fields, a *DecodeError's cause).
func (s *secScan) addError(where string, err error) {
	if err == nil {
		return
	}
	s.add(where+" Error()", err.Error())
	s.addPrinted(where, err)
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		s.addPrinted(where+" wrapped", e)
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		s.addPrinted(where+" *APIError", *apiErr)
		s.add(where+" APIError.Body", string(apiErr.Body))
		s.add(where+" APIError.Header", fmt.Sprint(apiErr.Header))
	}
	var decErr *DecodeError
	if errors.As(err, &decErr) {
		s.addPrinted(where+" *DecodeError", *decErr)
	}
}

// leaks returns, for each output holding a secret (whole, or its
// distinctive last eight characters), where it was found.
func (s *secScan) leaks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []string
	for where, text := range s.outputs {
		for _, secret := range secAllSecrets {
			if strings.Contains(text, secret) || strings.Contains(text, secret[len(secret)-8:]) {
				found = append(found, fmt.Sprintf("%s holds %q: %q", where, secret, text))
			}
		}
	}
	return found
}

func (s *secScan) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.outputs)
}

// secLockedBuffer is a log destination shared by concurrent attempts.
type secLockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *secLockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *secLockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secErrorBodies are each vendor's error bodies for 401, 403, 404 and 500.
var secErrorBodies = map[string]func(status int) string{
	"GitGuardian": func(status int) string {
		return map[int]string{401: `{"detail":"Invalid API key."}`, 403: `{"detail":"You do not have permission to perform this action."}`, 404: `{"detail":"Not found."}`, 500: `{"detail":"A server error occurred."}`}[status]
	},
	"Box": func(status int) string {
		return fmt.Sprintf(`{"type":"error","status":%d,"code":"code_%d","message":"Box said %d","context_info":{"errors":[{"reason":"r"}]},"help_url":"https://developer.box.com/guides/api-calls/permissions-and-errors/common-errors/","request_id":"rq%d"}`, status, status, status, status)
	},
	"Freestyle": func(status int) string {
		return fmt.Sprintf(`{"code":"CODE_%d","message":"Freestyle said %d","extra":{"n":1}}`, status, status)
	},
	"BIMData": func(status int) string {
		return fmt.Sprintf(`{"detail":"BIMData said %d"}`, status)
	},
	"Portworx": func(status int) string {
		return fmt.Sprintf(`{"code":%d,"message":"Portworx said %d","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"R"}]}`, map[int]int{401: 16, 403: 7, 404: 5, 500: 13}[status], status)
	},
}

// secFailingCalls makes every API fail with 401, 403, 404 and 500 (the 500s
// of safe calls are retried), and adds a retried call that succeeds, a
// transport error, a validation error, decode errors, and a created token.
// It returns the errors and the models it got.
func secFailingCalls(t *testing.T, env *testEnv) (errs map[string]error, got map[string]any) {
	t.Helper()
	ctx := t.Context()
	errs, got = map[string]error{}, map[string]any{}
	for _, status := range []int{401, 403, 404, 500} {
		s := strconv.Itoa(status)
		env.route(http.MethodDelete, testGitGuardianBase+"/v1/invitations/"+s, jsonReply(status, secErrorBodies["GitGuardian"](status)))
		errs["GitGuardian "+s] = env.client.Invitations.DeleteInvitation(ctx, int64(status))

		env.route(http.MethodGet, testBoxBase+"/group_memberships/"+s, jsonReply(status, secErrorBodies["Box"](status), "Box-Request-Id", "box-"+s))
		_, errs["Box "+s] = env.client.Memberships.GetGroupMembershipByID(ctx, s, nil)

		env.route(http.MethodDelete, testFreestyleBase+"/identity/v1/identities/id-"+s, jsonReply(status, secErrorBodies["Freestyle"](status)))
		errs["Freestyle "+s] = env.client.Identity.DeleteIdentity(ctx, "id-"+s)

		env.route(http.MethodGet, testBIMDataBase+"/identity-provider/invitation/"+s, jsonReply(status, secErrorBodies["BIMData"](status)))
		_, errs["BIMData "+s] = env.client.SSO.GetInvitation(ctx, int64(status))

		env.route(http.MethodGet, testPortworxBase+"/core/v1/invite/uid-"+s, jsonReply(status, secErrorBodies["Portworx"](status)))
		_, errs["Portworx "+s] = env.client.AccountInvitations.GetInvitation(ctx, "uid-"+s)

		// A call that creates something is not retried after a 500.
		env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-"+s+"/tokens", jsonReply(status, secErrorBodies["Freestyle"](status)))
		_, errs["Freestyle CreateGitToken "+s] = env.client.Identity.CreateGitToken(ctx, "id-"+s)
	}

	// Retried, then successful.
	env.route(http.MethodGet, testBoxBase+"/group_memberships/retried",
		jsonReply(503, secErrorBodies["Box"](503), "Retry-After", "0"),
		jsonReply(200, `{"id":"retried","type":"group_membership","role":"member"}`))
	m, err := env.client.Memberships.GetGroupMembershipByID(ctx, "retried", nil)
	require.NoError(t, err)
	got["membership"] = m

	// Transport errors: a reset connection on a retried read, and on a
	// create, which is not retried.
	env.mock.RegisterResponder(http.MethodGet, testPortworxBase+"/core/v1/invite/reset",
		httpmock.NewErrorResponder(errors.New("read: connection reset by peer")))
	_, errs["Portworx transport"] = env.client.AccountInvitations.GetInvitation(ctx, "reset")
	env.mock.RegisterResponder(http.MethodPost, testGitGuardianBase+"/v1/invitations",
		httpmock.NewErrorResponder(errors.New("read: connection reset by peer")))
	_, errs["GitGuardian transport"] = env.client.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com"}, nil)

	// Validation errors.
	_, errs["validation email"] = env.client.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "not an email"}, nil)
	errs["validation header"] = env.client.Memberships.DeleteGroupMembershipByID(ctx, "1", WithHeader("Authorization", "Bearer "+testBoxToken))

	// Decode errors, one of them on the body that carries the secret.
	env.route(http.MethodGet, testBoxBase+"/group_memberships/decode", jsonReply(200, `{"id":5}`))
	_, errs["decode shape"] = env.client.Memberships.GetGroupMembershipByID(ctx, "decode", nil)
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-decode/tokens",
		jsonReply(200, `{"id":7,"token":"`+secOneTimeToken+`"}`))
	_, errs["decode token"] = env.client.Identity.CreateGitToken(ctx, "id-decode")
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-cut/tokens",
		jsonReply(200, `{"id":"`+secOneTimeTokenID+`","token":"`+secOneTimeToken))
	_, errs["decode truncated token"] = env.client.Identity.CreateGitToken(ctx, "id-cut")

	// A token created: the secret comes back once.
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-ok/tokens",
		jsonReply(200, `{"id":"`+secOneTimeTokenID+`","token":"`+secOneTimeToken+`"}`))
	tok, err := env.client.Identity.CreateGitToken(ctx, "id-ok")
	require.NoError(t, err)
	require.Equal(t, secOneTimeToken, tok.Token.Reveal())
	got["token"] = tok

	for name, err := range errs {
		require.Error(t, err, name)
	}
	return errs, got
}

func TestNoSecretInErrorsPrintsOrLogs(t *testing.T) {
	t.Parallel()
	handlers := map[string]func(w io.Writer) slog.Handler{
		"json": func(w io.Writer) slog.Handler {
			return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
		"text": func(w io.Writer) slog.Handler {
			return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		},
	}
	for name, handler := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var logs secLockedBuffer
			logger := slog.New(handler(&logs))
			var scan secScan
			var infos sync.Mutex
			var hooked []RequestInfo
			opts := []Option{
				WithLogger(logger),
				WithRequestHook(func(info RequestInfo) {
					infos.Lock()
					hooked = append(hooked, info)
					infos.Unlock()
				}),
			}
			if name == "text" {
				opts = append(opts, WithBIMDataAPIKey(secBIMDataAPIKey)) // the other BIMData scheme
			}
			env := newTestEnv(t, opts...)

			errs, got := secFailingCalls(t, env)
			for where, err := range errs {
				scan.addError(where, err)
			}
			for where, v := range got {
				scan.addPrinted("model "+where, v)
				b, err := json.Marshal(v)
				require.NoError(t, err)
				scan.add("model "+where+" JSON", string(b))
				logger.Info("model", "value", v)
			}

			// The Client and every option value, printed and logged.
			scan.addPrinted("client", env.client)
			logger.Info("client", "client", env.client)
			for i, opt := range []Option{
				WithGitGuardianAPIKey(testGitGuardianKey), WithBoxAccessToken(testBoxToken),
				WithFreestyleAPIKey(testFreestyleKey), WithBIMDataAccessToken(testBIMDataToken),
				WithBIMDataAPIKey(secBIMDataAPIKey), WithPortworxAccessToken(testPortworxToken),
			} {
				scan.addPrinted("option "+strconv.Itoa(i), opt)
				logger.Info("option", "option", opt)
			}
			infos.Lock()
			for i, info := range hooked {
				scan.addPrinted("hook "+strconv.Itoa(i), info)
			}
			require.NotEmpty(t, hooked)
			infos.Unlock()

			out := logs.String()
			scan.add("slog "+name, out)
			assert.Contains(t, out, "invitations retry", "the retried calls were logged")
			assert.Regexp(t, `status"?[=:]500`, out, "the failed attempts were logged")
			require.Greater(t, scan.count(), secLeakScanMinimum)
			assert.Empty(t, scan.leaks())
			t.Logf("%s: %d outputs scanned, %d secrets found", name, scan.count(), len(scan.leaks()))
		})
	}
}

func TestOneTimeTokenSecretIsShownOnlyByReveal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.route(http.MethodPost, testFreestyleBase+"/identity/v1/identities/id-1/tokens",
		jsonReply(200, `{"id":"`+secOneTimeTokenID+`","token":"`+secOneTimeToken+`"}`))
	tok, err := env.client.Identity.CreateGitToken(t.Context(), "id-1")
	require.NoError(t, err)
	assert.Equal(t, secOneTimeToken, tok.Token.Reveal())
	assert.Equal(t, secOneTimeTokenID, tok.ID)

	var scan secScan
	wrapped := struct {
		tok    models.CreatedToken // unexported: fmt cannot call methods on it
		Tokens []*models.CreatedToken
		ByID   map[string]models.TokenSecret
	}{*tok, []*models.CreatedToken{tok}, map[string]models.TokenSecret{tok.ID: tok.Token}}
	for where, v := range map[string]any{"*CreatedToken": tok, "CreatedToken": *tok, "TokenSecret": tok.Token, "wrapped": wrapped, "&wrapped": &wrapped} {
		scan.addPrinted(where, v)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		scan.add(where+" JSON", string(b))
		for _, h := range []string{"json", "text"} {
			var buf bytes.Buffer
			var l *slog.Logger
			if h == "json" {
				l = slog.New(slog.NewJSONHandler(&buf, nil))
			} else {
				l = slog.New(slog.NewTextHandler(&buf, nil))
			}
			l.Info("token", "value", v)
			scan.add(where+" slog "+h, buf.String())
		}
	}
	assert.Empty(t, scan.leaks())
	assert.Contains(t, fmt.Sprint(tok), "[REDACTED]")
	assert.Contains(t, fmt.Sprint(tok), secOneTimeTokenID, "the token id is not secret")
}

func TestRedactURLRemovesEverySecretParameter(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://h/p?token=s3cr3t-1":                                   "https://h/p?token=REDACTED",
		"https://h/p?access_token=s3cr3t-1&page=2":                     "https://h/p?access_token=REDACTED&page=2",
		"https://h/p?Access_Token=s3cr3t-1":                            "https://h/p?Access_Token=REDACTED",
		"https://h/p?refresh_token=s3cr3t-1&id_token=s3cr3t-2":         "https://h/p?id_token=REDACTED&refresh_token=REDACTED",
		"https://h/p?key=s3cr3t-1":                                     "https://h/p?key=REDACTED",
		"https://h/p?api_key=s3cr3t-1&apiKey=s3cr3t-2&APIKEY=s3cr3t-3": "https://h/p?APIKEY=REDACTED&apiKey=REDACTED&api_key=REDACTED",
		"https://h/p?secret=s3cr3t-1&client_secret=s3cr3t-2":           "https://h/p?client_secret=REDACTED&secret=REDACTED",
		"https://h/p?password=s3cr3t-1&user=ada":                       "https://h/p?password=REDACTED&user=ada",
		"https://h/p?signature=s3cr3t-1&X-Amz-Signature=s3cr3t-2":      "https://h/p?X-Amz-Signature=REDACTED&signature=REDACTED",
		"https://h/p?X-Amz-Security-Token=s3cr3t-1&X-Amz-Expires=60":   "https://h/p?X-Amz-Expires=60&X-Amz-Security-Token=REDACTED",
		"https://h/p?code=s3cr3t-1&state=xyz":                          "https://h/p?code=REDACTED&state=xyz",
		"https://h/p?token=s3cr3t-1&token=s3cr3t-2":                    "https://h/p?token=REDACTED",
		"https://ada:s3cr3t-1@h/p?cursor=abc":                          "https://h/p?cursor=abc",
		"https://s3cr3t-1@h/p":                                         "https://h/p",
		"https://h/p?cursor=abc&per_page=100":                          "https://h/p?cursor=abc&per_page=100",
	} {
		got := redactURL(raw)
		assert.Equal(t, want, got, raw)
		assert.NotContains(t, got, "s3cr3t", raw)
	}
	assert.Equal(t, "(unparseable URL)", redactURL("https://h/p?token=s3cr3t-1\x7f%zz"))
	assert.NotContains(t, redactURL("http://[::1%25s3cr3t"), "s3cr3t")
}

// secBaseURLOptions are the options that set an API's base URL.
var secBaseURLOptions = map[string]func(string) Option{
	"WithGitGuardianBaseURL": WithGitGuardianBaseURL,
	"WithBoxBaseURL":         WithBoxBaseURL,
	"WithFreestyleBaseURL":   WithFreestyleBaseURL,
	"WithBIMDataBaseURL":     WithBIMDataBaseURL,
	"WithPortworxBaseURL":    WithPortworxBaseURL,
}

func TestPlainHTTPBaseURLOnlyForLoopback(t *testing.T) {
	t.Parallel()
	refused := []string{
		"http://api.box.com/2.0",
		"http://example.com",
		"HTTP://example.com",
		"http://10.0.0.1:8080",
		"http://192.168.1.10",
		"http://[2001:db8::1]:80",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
		"http://0.0.0.0:8080",
		"ftp://127.0.0.1",
		"//api.box.com",
		"api.box.com",
		"https://user:pw@api.box.com",
		"https://api.box.com/?access_token=x",
		"https://api.box.com/#x",
	}
	accepted := []string{
		"http://127.0.0.1",
		"http://127.0.0.1:8080/box/2.0",
		"http://127.1.2.3:9",
		"http://localhost",
		"http://localhost:9/base/",
		"http://[::1]",
		"http://[::1]:8080/x",
		"https://api.box.com/2.0",
		"https://px-central.example.com:8443/api",
	}
	for option, build := range secBaseURLOptions {
		for _, raw := range refused {
			_, err := NewClient(build(raw))
			var verr *ValidationError
			if assert.ErrorAs(t, err, &verr, "%s(%q)", option, raw) {
				assert.Equal(t, option, verr.Param)
				assert.ErrorIs(t, err, ErrInvalidParameter)
			}
		}
		for _, raw := range accepted {
			_, err := NewClient(build(raw))
			assert.NoError(t, err, "%s(%q)", option, raw)
		}
	}
	_, err := NewClient(WithBoxBaseURL("http://api.box.com/2.0"))
	assert.ErrorContains(t, err, "plain http is only allowed for loopback hosts")
}

func TestCredentialOptionsRejectUnsafeTokens(t *testing.T) {
	t.Parallel()
	options := map[string]func(string) Option{
		"WithGitGuardianAPIKey":   WithGitGuardianAPIKey,
		"WithBoxAccessToken":      WithBoxAccessToken,
		"WithFreestyleAPIKey":     WithFreestyleAPIKey,
		"WithBIMDataAccessToken":  WithBIMDataAccessToken,
		"WithBIMDataAPIKey":       WithBIMDataAPIKey,
		"WithPortworxAccessToken": WithPortworxAccessToken,
	}
	// Each holds the marker "tokpart", which must never be echoed.
	bad := map[string]string{
		"empty":           "",
		"blank":           "   ",
		"CR":              "tokpart\rX",
		"LF":              "tokpart\nX-Evil: 1",
		"CRLF":            "tokpart\r\nX-Evil: 1",
		"NUL":             "tokpart\x00",
		"space":           "tokpart more",
		"leading space":   " tokpart",
		"trailing space":  "tokpart ",
		"tab":             "tokpart\tX",
		"DEL":             "tokpart\x7f",
		"non-ASCII":       "tokpart-é",
		"non-ASCII space": "tokpart\u00a0X",
		"invalid UTF-8":   "tokpart\xff",
	}
	n := 0
	for option, build := range options {
		for name, secret := range bad {
			_, err := NewClient(build(secret))
			var verr *ValidationError
			if assert.ErrorAs(t, err, &verr, "%s with %s", option, name) {
				assert.Equal(t, option, verr.Param)
				assert.NotContains(t, err.Error(), "tokpart", "%s with %s: the value is never echoed", option, name)
				assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), "tokpart")
			}
			n++
		}
		_, err := NewClient(build("ok-" + option + "-123"))
		assert.NoError(t, err, option)
	}
	t.Logf("%d unsafe credentials rejected", n)
}

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

// secTLSServer is a TLS server whose certificate nothing trusts, counting
// the connections made to it and the requests it handled.
func secTLSServer(t *testing.T) (srv *httptest.Server, conns, handled *atomic.Int32) {
	t.Helper()
	conns, handled = &atomic.Int32{}, &atomic.Int32{}
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, conns, handled
}

func TestUntrustedCertificateFailsAndIsNotRetried(t *testing.T) {
	t.Parallel()
	calls := map[string]func(c *Client) error{
		"safe read": func(c *Client) error {
			_, err := c.Memberships.GetGroupMembershipByID(t.Context(), "1", nil)
			return err
		},
		"safe delete": func(c *Client) error {
			return c.Memberships.DeleteGroupMembershipByID(t.Context(), "1")
		},
		"create": func(c *Client) error {
			_, err := c.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{User: models.Ref{ID: "1"}, Group: models.Ref{ID: "2"}}, nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, conns, handled := secTLSServer(t)
			c, err := NewClient(WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken), WithRetryWait(0, 0), WithMaxRetries(4))
			require.NoError(t, err)
			defer c.CloseIdleConnections()

			err = call(c)
			require.Error(t, err)
			var certErr *tls.CertificateVerificationError
			assert.ErrorAs(t, err, &certErr)
			var unknown x509.UnknownAuthorityError
			assert.ErrorAs(t, err, &unknown)
			assert.ErrorContains(t, err, "certificate")
			assert.NotContains(t, err.Error(), testBoxToken)
			assert.Equal(t, int32(1), conns.Load(), "one connection, not retried")
			assert.Zero(t, handled.Load(), "no request was served")
		})
	}
}

func TestDefaultTransportVerifiesCertificates(t *testing.T) {
	t.Parallel()
	tr := defaultTransport()
	if tr.TLSClientConfig != nil {
		assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
		assert.Nil(t, tr.TLSClientConfig.VerifyPeerCertificate)
	}
	c, err := NewClient()
	require.NoError(t, err)
	wrapped, ok := c.transport.(*http.Transport)
	require.True(t, ok)
	if wrapped.TLSClientConfig != nil {
		assert.False(t, wrapped.TLSClientConfig.InsecureSkipVerify)
	}

	// A caller's client is used as given: trusting the server's
	// certificate there makes the same server reachable.
	srv, _, handled := secTLSServer(t)
	c, err = NewClient(WithHTTPClient(srv.Client()), WithBoxBaseURL(srv.URL), WithBoxAccessToken(testBoxToken))
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "1"))
	assert.Equal(t, int32(1), handled.Load())
	c.CloseIdleConnections()
}
