package invitations

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// redacted replaces a secret wherever one is removed.
const redacted = "[REDACTED]"

// addCredential records an Authorization value the call sent.
func (st *callState) addCredential(authorization string) {
	for _, c := range st.credentials {
		if c == authorization {
			return
		}
	}
	st.credentials = append(st.credentials, authorization)
}

// secrets returns what to scrub for each credential the call sent: the
// secret itself (the Authorization value without its scheme, which also
// covers the scheme-prefixed form) and its JSON-escaped spelling, as a
// server echoing it inside a JSON string would write it.
func (st *callState) secrets() []string {
	out := make([]string, 0, 2*len(st.credentials))
	for _, c := range st.credentials {
		secret := c
		if _, s, ok := strings.Cut(c, " "); ok && s != "" {
			secret = s
		}
		out = append(out, secret)
		if b, err := json.Marshal(secret); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != secret {
				out = append(out, esc)
			}
		}
	}
	return out
}

// scrub returns s with every credential the call sent replaced.
func (st *callState) scrub(s string) string {
	for _, secret := range st.secrets() {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

// scrubBytes is scrub for a body; b is returned as it is when it holds no
// credential.
func (st *callState) scrubBytes(b []byte) []byte {
	for _, secret := range st.secrets() {
		if bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(redacted))
		}
	}
	return b
}

// scrubHeader returns h, or a scrubbed copy of it when a value holds a
// credential (the response's own header is never written).
func (st *callState) scrubHeader(h http.Header) http.Header {
	secrets := st.secrets()
	for _, vs := range h {
		for _, v := range vs {
			for _, secret := range secrets {
				if strings.Contains(v, secret) {
					return st.scrubbedHeader(h)
				}
			}
		}
	}
	return h
}

func (st *callState) scrubbedHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		scrubbed := make([]string, len(vs))
		for i, v := range vs {
			scrubbed[i] = st.scrub(v)
		}
		out[k] = scrubbed
	}
	return out
}

// sensitiveQueryKey reports query keys whose values are redacted from URLs
// placed in errors and logs. A key is sensitive when its whole name is a
// credential's, or when its last word is one: "access_token", "api_key",
// "X-Amz-Signature", "clientSecret". Words are compared whole, so that
// "assignee_email" (which contains "sig") or "ignorer_api_token_id"
// (which ends with "id") stay readable.
func sensitiveQueryKey(k string) bool {
	words := queryKeyWords(k)
	if len(words) == 0 {
		return false
	}
	switch strings.Join(words, "") {
	case "code", "sig", "auth", "authorization", "jwt", "assertion", "session", "sessionid", "sid",
		"apikey", "accesskey", "accesstoken", "refreshtoken", "idtoken", "clientsecret", "privatekey":
		return true
	}
	switch words[len(words)-1] {
	case "token", "key", "secret", "password", "passwd", "pwd", "passphrase", "signature",
		"credential", "credentials", "jwt", "assertion", "apikey", "authcode":
		return true
	}
	return false
}

// queryKeyWords splits a query key into lower-case words at separators
// ("_", "-", ".") and at lower-to-upper case changes ("apiKey").
func queryKeyWords(k string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(k); i++ {
		ch := k[i]
		switch {
		case ch == '_' || ch == '-' || ch == '.' || ch == ' ':
			flush()
		case ch >= 'A' && ch <= 'Z':
			if i > 0 && k[i-1] >= 'a' && k[i-1] <= 'z' {
				flush()
			}
			b.WriteByte(ch + ('a' - 'A'))
		default:
			b.WriteByte(ch)
		}
	}
	flush()
	return words
}

// redactURL returns rawURL with user info and sensitive query values removed.
func redactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", "" // a redirect may carry a token in the fragment
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sensitiveQueryKey(k) {
				q.Set(k, "REDACTED")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
