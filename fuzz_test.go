package invitations

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/invitesdk/invitations/models"
)

// The fuzz targets below run their seeds (f.Add and testdata/fuzz/<name>/)
// with every go test; go test -fuzz '^FuzzName$' explores further.

// addFixtures adds every testdata/<dir>/*.json file as a seed.
func addFixtures(f *testing.F, dirs ...string) {
	f.Helper()
	for _, b := range fixtureBodies(f, dirs...) {
		f.Add(b)
	}
}

// linkCursorOf is the "cursor" query value of target as the raw text
// shows it, decoded: the value of the first cursor=... pair that
// net/url accepts. It is derived from the text independently of
// nextLinkCursor.
func linkCursorOf(target string) (string, bool) {
	u, err := url.Parse(target)
	if err != nil {
		return "", false
	}
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if strings.Contains(pair, ";") {
			continue // net/url refuses pairs with a semicolon
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || key != "cursor" {
			continue
		}
		return value, true
	}
	return "", false
}

func FuzzLinkHeader(f *testing.F) {
	for _, seed := range [][2]string{
		{`<https://api.gitguardian.com/v1/invitations?cursor=cD0xNA%3D%3D&per_page=2>; rel="next"`, ""},
		{`<http://x/v1/m?cursor=prev>; rel="prev",<http://x/v1/m?cursor=cD0xNTA%3D>; rel="next"`, ""},
		{`<https://x/v1/i?cursor=p>; rel="prev"`, `<https://x/v1/i?cursor=n>; rel="next"`},
		{`<https://x/v1/i?tags=A,B&cursor=c1>; rel="next"`, ""},
		{`<https://x/v1/i?cursor=c2>; title="a, b"; rel=next`, `garbage`},
		{`<https://x/v1/i?cursor=c3; rel="next"`, `<>; rel=next`},
		{`<https://x/?c%75rsor=%41&cursor=b>; rel="next prev"`, `<%zz>; rel="next"`},
		{`<https://x/?cursor=a;b&cursor=c>; REL="NEXT"`, `<https://x/?x=1>; rel="next", <https://x/?cursor=late>; rel="next"`},
		{`<https://x/?cursor=1>; rel="next"; title="unterminated`, `<https://x/?cursor=2>; rel="next"`},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, v1, v2 string) {
		values := []string{v1, v2}
		links := parseLinkHeader(values)
		for _, l := range links {
			if !strings.Contains(v1, "<"+l.target+">") && !strings.Contains(v2, "<"+l.target+">") {
				t.Fatalf("target %q is not in the input", l.target)
			}
			if strings.ContainsRune(l.target, '>') {
				t.Fatalf("target %q runs past its closing bracket", l.target)
			}
		}

		h := http.Header{"Link": values}
		cursor := nextLinkCursor(h)
		if cursor != "" {
			// The cursor is the cursor parameter of the first rel="next"
			// link, written in the input.
			var first *webLink
			for i := range links {
				if links[i].rel == "next" {
					first = &links[i]
					break
				}
			}
			if first == nil {
				t.Fatalf("cursor %q without a next link in %q", cursor, values)
			}
			want, ok := linkCursorOf(first.target)
			if !ok || want != cursor {
				t.Fatalf("cursor %q, but the next link %q says %q", cursor, first.target, want)
			}
		}

		// Any string survives the trip through a next link.
		next := `<https://api.gitguardian.com/v1/invitations?per_page=2&cursor=` + url.QueryEscape(v1) + `>; rel="next"`
		for _, header := range [][]string{
			{next},
			{next + ", " + v2},
			{`<https://api.gitguardian.com/v1/invitations?cursor=prev>; rel="prev", ` + next},
		} {
			if got := nextLinkCursor(http.Header{"Link": header}); got != v1 {
				t.Fatalf("cursor %q came back as %q from %q", v1, got, header)
			}
		}
	})
}

// fuzzMaxBody is the response size cap of fuzzClient, small so that the
// fuzzer often crosses it.
const fuzzMaxBody = 256

// fuzzClient is one Client shared by the fuzz targets, for its decoders.
var fuzzClient = sync.OnceValue(func() *Client {
	c, err := NewClient(WithPortworxBaseURL("https://px.example.com"), WithMaxResponseBytes(fuzzMaxBody))
	if err != nil {
		panic(err)
	}
	return c
})

// checkErrorDecoder runs an API's error decoder on body, directly and as
// the Client does for a response, and checks that nothing panics, the
// body is kept (cut at the cap) and untouched, and Details, when set, is
// JSON.
func checkErrorDecoder(t *testing.T, api API, status uint16, body []byte) {
	c := fuzzClient()
	cfg := c.cfg.api(api)
	orig := bytes.Clone(body)

	e := &APIError{API: cfg.Name, StatusCode: int(status), Body: body}
	cfg.decodeError(e, body)
	if !bytes.Equal(body, orig) || !bytes.Equal(e.Body, orig) {
		t.Fatalf("the decoder changed the body")
	}
	if len(e.Details) > 0 && !json.Valid(e.Details) {
		t.Fatalf("Details is not JSON: %q", e.Details)
	}
	_ = e.Error()

	resp := &http.Response{StatusCode: int(status), Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
	st := &callState{api: cfg, credentials: []string{"Bearer fuzz-credential-4f1c9a7e2b"}}
	got := c.apiError(st, http.MethodGet, "https://example.com/x?token=t", resp.Body, newResponse(resp))
	want := orig[:min(len(orig), maxErrorBody, fuzzMaxBody)]
	if !bytes.Equal(got.Body, want) {
		t.Fatalf("Body is %d bytes, want the first %d", len(got.Body), len(want))
	}
	if got.StatusCode != int(status) || got.API != cfg.Name {
		t.Fatalf("status or API lost: %+v", got)
	}
	if len(got.Details) > 0 && !json.Valid(got.Details) {
		t.Fatalf("Details is not JSON: %q", got.Details)
	}
	if got.URL != "https://example.com/x?token=REDACTED" {
		t.Fatalf("URL %q", got.URL)
	}
	if msg := got.Error(); !strings.Contains(msg, strconv.Itoa(int(status))) {
		t.Fatalf("message %q", msg)
	}
}

func FuzzDecodeDRFError(f *testing.F) {
	for _, s := range []string{
		`{"detail":"Not found."}`,
		`{"email":["Enter a valid email address."],"access_level":["\"x\" is not a valid choice."]}`,
		`[{"details":"Invitation already exists"}]`,
		`{"detail":["a","b"],"code":"throttled","non_field_errors":"x"}`,
		`{"code":["a","b"],"detail":5}`,
		`[]`, `[1]`, `"text"`, `null`, `<html>502</html>`, ``,
	} {
		f.Add(uint16(400), []byte(s))
	}
	for _, b := range fixtureBodies(f, "bimdata", "gitguardian") {
		f.Add(uint16(404), b)
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		checkErrorDecoder(t, GitGuardian, status, body)
		checkErrorDecoder(t, BIMData, status, body)
	})
}

func FuzzDecodeBoxError(f *testing.F) {
	for _, s := range []string{
		`{"type":"error","status":404,"code":"not_found","message":"Not Found","context_info":{"errors":[]},"help_url":"https://x","request_id":"abc"}`,
		`{"code":5,"message":["x"]}`,
		`{"context_info":null}`, `{"context_info":[1,2]}`, `[]`, `null`, `plain text`, ``,
	} {
		f.Add(uint16(404), []byte(s))
	}
	for _, b := range fixtureBodies(f, "box") {
		f.Add(uint16(400), b)
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		checkErrorDecoder(t, Box, status, body)
	})
}

func FuzzDecodeFreestyleError(f *testing.F) {
	for _, s := range []string{
		`{"code":"IDENTITY_NOT_FOUND","message":"Identity x not found"}`,
		`{"error":"IDENTITY_NOT_FOUND","message":"m","extra":[1]}`,
		`{"error":"Identity not found"}`,
		`{"message":"m"}`, `"Internal Server Error"`, `{"code":1}`, `{}`, `[]`, `null`, ``,
	} {
		f.Add(uint16(404), []byte(s))
	}
	for _, b := range fixtureBodies(f, "freestyle") {
		f.Add(uint16(500), b)
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		checkErrorDecoder(t, Freestyle, status, body)
	})
}

func FuzzDecodePortworxError(f *testing.F) {
	for _, s := range []string{
		`{"code":5,"message":"not found","details":[]}`,
		`{"code":5.0,"message":"m"}`, `{"code":1e400}`, `{"code":-1}`, `{"code":"NOT_FOUND"}`,
		`{"code":9223372036854775808}`, `{"code":null,"error":"old gateway"}`,
		`{"details":[ ]}`, `{"details":{"x":1}}`, `{"code":[5]}`, `[]`, `null`, ``,
	} {
		f.Add(uint16(404), []byte(s))
	}
	for _, b := range fixtureBodies(f, "portworx") {
		f.Add(uint16(503), b)
	}
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		checkErrorDecoder(t, Portworx, status, body)
	})
}

// fixtureBodies returns the testdata/<dir>/*.json files.
func fixtureBodies(f *testing.F, dirs ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

func FuzzPortworxInt64(f *testing.F) {
	for _, s := range []string{
		`"12"`, `12`, `null`, `"-1"`, `-1`, `"9223372036854775807"`, `"-9223372036854775808"`,
		`"9223372036854775808"`, `1e3`, `"1e3"`, `2.0`, `2.5`, `"0x10"`, `NaN`, `"Inf"`, `-9.2233720368547758e18`,
		`9.2233720368547758e18`, `""`, `"`, `" 12"`, `true`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var n models.Int64
		if err := n.UnmarshalJSON(data); err != nil {
			if n != 0 {
				t.Fatalf("a failed decode changed the value to %d", n)
			}
		} else {
			b, err := n.MarshalJSON()
			if err != nil || !json.Valid(b) || b[0] != '"' {
				t.Fatalf("%d marshals to %q, %v", n, b, err)
			}
			var back models.Int64
			if err := json.Unmarshal(b, &back); err != nil || back != n {
				t.Fatalf("%d round-trips to %d, %v", n, back, err)
			}
			if v, err := strconv.ParseInt(string(bytes.TrimSpace(data)), 10, 64); err == nil && int64(n) != v {
				t.Fatalf("%q decodes to %d", data, n)
			}
		}
		// Through encoding/json, inside a page as the gateway sends it.
		var page models.PortworxPageInfo
		doc := append(append([]byte(`{"totalRecords":`), data...), []byte(`,"nextPage":"2"}`)...)
		if err := json.Unmarshal(doc, &page); err == nil {
			if _, err := json.Marshal(page); err != nil {
				t.Fatalf("marshal: %v", err)
			}
		}
	})
}

func FuzzPortworxInvitationPhase(f *testing.F) {
	for _, s := range []string{
		`"PENDING"`, `"ACCEPTED"`, `"PHASE_UNSPECIFIED"`, `"EXPIRED"`, `0`, `1`, `2`, `3`, `-1`,
		`null`, `1.0`, `"\u0000"`, `"`, `99999999999999999999`, `{}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p models.PortworxInvitationPhase
		err := p.UnmarshalJSON(data)
		trimmed := bytes.TrimSpace(data)
		switch {
		case err != nil:
			if p != "" {
				t.Fatalf("a failed decode set %q", p)
			}
		case len(trimmed) > 0 && trimmed[0] == '"':
			var s string
			if json.Unmarshal(trimmed, &s) != nil || string(p) != s {
				t.Fatalf("%q decodes to %q", data, p)
			}
		default:
			if n, perr := strconv.ParseInt(string(trimmed), 10, 64); perr == nil {
				want := map[int64]models.PortworxInvitationPhase{0: "PHASE_UNSPECIFIED", 1: "PENDING", 2: "ACCEPTED"}[n]
				if want == "" {
					want = models.PortworxInvitationPhase(strconv.FormatInt(n, 10))
				}
				if p != want {
					t.Fatalf("%q decodes to %q, want %q", data, p, want)
				}
			} else if string(trimmed) != "null" || p != "" {
				t.Fatalf("%q decodes to %q without an error", data, p)
			}
		}
		var st models.PortworxInvitationStatus
		_ = json.Unmarshal(append(append([]byte(`{"phase":`), data...), '}'), &st)
	})
}

// fuzzResponseModels returns a fresh value of every top-level response
// model the SDK decodes, each a pointer to decode into.
func fuzzResponseModels() map[string]any {
	return map[string]any{
		"Invitation":                       new(models.Invitation),
		"[]Invitation":                     new([]models.Invitation),
		"ResendInvitationOkResponse":       new(models.ResendInvitationOkResponse),
		"ResourceInvitationAccess":         new(models.ResourceInvitationAccess),
		"[]IncidentWithoutOccurrences":     new([]models.IncidentWithoutOccurrences),
		"GroupMembership":                  new(models.GroupMembership),
		"GroupMemberships":                 new(models.GroupMemberships),
		"FreestyleIdentity":                new(models.FreestyleIdentity),
		"ListIdentitiesSuccess":            new(models.ListIdentitiesSuccess),
		"CreatedToken":                     new(models.CreatedToken),
		"ListGitTokensSuccess":             new(models.ListGitTokensSuccess),
		"DescribeGitPermissionSuccess":     new(models.DescribeGitPermissionSuccess),
		"ListGitPermissionSuccess":         new(models.ListGitPermissionSuccess),
		"VMPermission":                     new(models.VMPermission),
		"ListVMPermissionsSuccess":         new(models.ListVMPermissionsSuccess),
		"BIMDataInvitation":                new(models.BIMDataInvitation),
		"[]BIMDataInvitation":              new([]models.BIMDataInvitation),
		"PortworxInvitation":               new(models.PortworxInvitation),
		"PortworxListInvitationsResponse":  new(models.PortworxListInvitationsResponse),
		"PortworxAcceptInvitationResponse": new(models.PortworxAcceptInvitationResponse),
	}
}

func FuzzModelsJSON(f *testing.F) {
	addFixtures(f, "gitguardian", "box", "freestyle", "bimdata", "portworx")
	for _, s := range []string{
		`{"allowedUsers":null}`, `{"allowedUsers":[null]}`, `{"token":null,"id":"t"}`, `{"token":5}`,
		`{"client_id":"+5"}`, `{"client_id":1e999}`, `{"role":"member","access_level":""}`,
		`{"pagination":{"nextPage":"1e3","totalRecords":null}}`, `{"status":{"phase":7}}`,
		`{"configurable_permissions":{"a":true}}`, `{"created_at":"not a time"}`, `[{},null]`, `null`, ``,
	} {
		f.Add([]byte(s))
	}
	c := fuzzClient()
	f.Fuzz(func(t *testing.T, data []byte) {
		viaSDK := fuzzResponseModels()
		for name, v := range fuzzResponseModels() {
			if err := json.Unmarshal(data, v); err == nil {
				// Re-encoding must not panic either (custom MarshalJSON
				// methods run on whatever was decoded).
				_, _ = json.Marshal(v)
			}
			// The SDK's own decoding path, with its size cap.
			err := c.decodeBody(bytes.NewReader(data), viaSDK[name])
			if len(data) <= fuzzMaxBody && errors.Is(err, errBodyTooLarge) {
				t.Fatalf("%s: %d bytes reported over the %d-byte cap", name, len(data), fuzzMaxBody)
			}
		}
	})
}

func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{
		"434534", "a/b", "../x", "..", ".", "", " ", "a?b#c", "x:notify", "100%", "%2F", "é漢", "a\nb", "\x7f", "\xff", "a b+c",
	} {
		f.Add(s, "x")
	}
	f.Fuzz(func(t *testing.T, id, other string) {
		p, err := pathf("identity/v1/identities/{}/permissions/vm/{}", idParam("identityID", id), idParam("vmID", other))
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || (verr.Param != "identityID" && verr.Param != "vmID") {
				t.Fatalf("error %v", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("the error echoes a line break: %q", err)
			}
			return
		}
		for _, v := range []string{id, other} {
			if strings.TrimSpace(v) == "" || v == "." || v == ".." || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("%q was accepted", v)
			}
		}
		segs := strings.Split(p, "/")
		if len(segs) != 7 {
			t.Fatalf("%q has %d segments", p, len(segs))
		}
		for i, want := range map[int]string{3: id, 6: other} {
			seg := segs[i]
			if strings.ContainsAny(seg, "?#:;,") || !utf8.ValidString(seg) {
				t.Fatalf("segment %q is not escaped", seg)
			}
			got, err := url.PathUnescape(seg)
			if err != nil || got != want {
				t.Fatalf("segment %q unescapes to %q, want %q (%v)", seg, got, want, err)
			}
		}
		u, err := url.Parse("https://api.freestyle.sh/" + p)
		if err != nil || u.RawQuery != "" || u.Fragment != "" || u.Host != "api.freestyle.sh" || u.EscapedPath() != "/"+p {
			t.Fatalf("%q parses as %#v (%v)", p, u, err)
		}
	})
}

func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{
		"https://h/p?access_token=abc&page=2",
		"https://u:pw@h/p?api_key=zzz",
		"https://h/p?Token=a&token=b&TOKEN=c",
		"https://h/p?x-amz-signature=a;b&code=c",
		"https://h/p?%74oken=a",
		"https://h/p?token",
		"https:opaque?secret=s",
		"http://[::1]:80/p?password=%zz",
		"::", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := redactURL(raw)
		if out == "(unparseable URL)" {
			return
		}
		u, err := url.Parse(out)
		if err != nil {
			t.Fatalf("redacted %q to %q, which does not parse: %v", raw, out, err)
		}
		if u.User != nil {
			t.Fatalf("%q keeps user info: %q", raw, out)
		}
		for k, vs := range u.Query() {
			if !sensitiveQueryKey(k) {
				continue
			}
			for _, v := range vs {
				if v != "REDACTED" {
					t.Fatalf("%q keeps %s=%q: %q", raw, k, v, out)
				}
			}
		}
	})
}
