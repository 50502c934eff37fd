package invitations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/invitesdk/invitations/models"
	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		"https://u:pw@h/p?access_token=abc&page=2":                     "https://h/p?access_token=REDACTED&page=2",
		"https://h/p?x=1#access_token=s3cr3t-1":                        "https://h/p?x=1",
	} {
		got := redactURL(raw)
		assert.Equal(t, want, got, raw)
		assert.NotContains(t, got, "s3cr3t", raw)
	}
	assert.Equal(t, "(unparseable URL)", redactURL("https://h/p?token=s3cr3t-1\x7f%zz"))
	assert.NotContains(t, redactURL("http://[::1%25s3cr3t"), "s3cr3t")
}

func TestSensitiveQueryKeysByWholeNameOrLastWord(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "apiKey", "key",
		"client_secret", "clientSecret", "password", "signature", "X-Amz-Signature", "sig", "code", "auth",
		"authorization", "jwt", "assertion", "session", "session_id", "private_key", "credential", "credentials"} {
		assert.True(t, sensitiveQueryKey(k), "%s must be redacted", k)
	}
	for _, k := range []string{"assignee_email", "assignee_id", "ignorer_api_token_id", "page", "per_page", "cursor",
		"search", "filter_term", "access_level", "member_id", "ordering", "fields", "offset", "limit", "status",
		"pagination.pageNumber", "tenantUid", "design", "signup_date"} {
		assert.False(t, sensitiveQueryKey(k), "%s must stay readable", k)
	}
	assert.Equal(t, "https://h/p?assignee_email=a%40b.c&key=REDACTED",
		redactURL("https://h/p?assignee_email=a%40b.c&key=s3cret"))
}
