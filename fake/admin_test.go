package fake_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

// adminDo sends one request to a fake over HTTP and decodes a JSON answer
// into out (when not nil).
func adminDo(t *testing.T, method, url, auth, body string, out any) *http.Response {
	t.Helper()
	resp, text := rawDo(t, method, url, auth, body)
	if out != nil {
		require.NoError(t, json.Unmarshal([]byte(text), out), text)
	}
	return resp
}

// The admin API as a test in another language uses it: HTTP and JSON
// only, nothing from Go but the handler behind httptest.
func TestAdminAPIOverHTTP(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(fake.NewFake(fake.WithDemoData()))
	t.Cleanup(ts.Close)
	admin := ts.URL + "/_fake"

	var health map[string]string
	resp := adminDo(t, "GET", admin+"/health", "", "", &health)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "ok", health["status"])

	// Routes: every operation, each API's base URL, credentials and demo ids.
	var routes struct {
		APIs []struct {
			Name, API     string
			BaseURL       string `json:"base_url"`
			Authorization []string
			Demo          map[string]string
		}
		Operations []struct{ Operation, Method, Path string }
		DemoData   bool `json:"demo_data"`
	}
	adminDo(t, "GET", admin+"/routes", "", "", &routes)
	assert.True(t, routes.DemoData)
	require.Len(t, routes.APIs, 5)
	box := routes.APIs[1]
	assert.Equal(t, "Box", box.Name)
	assert.Equal(t, ts.URL+"/box/2.0", box.BaseURL)
	assert.Equal(t, []string{"Bearer fake-box-token"}, box.Authorization)
	assert.Equal(t, "57645", box.Demo["group_id"])
	assert.Equal(t, "0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b", routes.APIs[4].Demo["tenant_id"])
	assert.Equal(t, "user001@example.com", routes.APIs[0].Demo["person_email"])
	assert.Len(t, routes.Operations, len(fake.NewFake().Routes()))
	assert.Contains(t, routes.Operations, struct{ Operation, Method, Path string }{"box.DeleteGroupMembershipByID", "DELETE", "/box/2.0/group_memberships/{group_membership_id}"})
	assert.Contains(t, routes.Operations, struct{ Operation, Method, Path string }{"portworx.NotifyUser", "GET", "/portworx/core/v1/invite/{uid}:notify"})

	// A mistyped operation or field is refused, and nothing is armed.
	var bad struct{ Error, Message string }
	resp = adminDo(t, "POST", admin+"/faults", "", `{"operation":"box.DeleteGroupMembership","status":503}`, &bad)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "bad_request", bad.Error)
	assert.Contains(t, bad.Message, `unknown operation "box.DeleteGroupMembership" (did you mean box.DeleteGroupMembershipByID?)`)
	resp = adminDo(t, "POST", admin+"/faults", "", `{"operation":"box.DeleteGroupMembershipByID","statuss":503}`, &bad)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, bad.Message, `unknown field "statuss"`)
	resp = adminDo(t, "POST", admin+"/faults", "", `{"operation":"box","latency":"soon"}`, &bad)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, bad.Message, "latency")

	// A fault armed over HTTP answers the next two deletes with 503 and
	// Retry-After, in Box's error shape, and the membership stays.
	delURL := ts.URL + "/box/2.0/group_memberships/434534"
	boxAuth := "Bearer " + fake.BoxAccessToken
	var armed map[string]map[string]any
	resp = adminDo(t, "POST", admin+"/faults", "", `{"operation":"box.DeleteGroupMembershipByID","status":503,"times":2,"retry_after":"0","latency":"1ms"}`, &armed)
	require.Equal(t, 201, resp.StatusCode)
	assert.Equal(t, "box.DeleteGroupMembershipByID", armed["armed"]["operation"])
	var faults struct {
		Faults []map[string]any
	}
	adminDo(t, "GET", admin+"/faults", "", "", &faults)
	require.Len(t, faults.Faults, 1)
	assert.EqualValues(t, 2, faults.Faults[0]["times"])
	assert.Equal(t, "1ms", faults.Faults[0]["latency"])

	var boxErr map[string]any
	resp = adminDo(t, "DELETE", delURL, boxAuth, "", &boxErr)
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "0", resp.Header.Get("Retry-After"))
	assert.Equal(t, "error", boxErr["type"])
	resp = adminDo(t, "DELETE", delURL, boxAuth, "", nil)
	assert.Equal(t, 503, resp.StatusCode)

	// The request log: filtered by operation, with the secret redacted.
	var log struct {
		Count    int
		Requests []struct {
			Operation, Method, Path string
			Header                  map[string][]string
		}
	}
	adminDo(t, "GET", admin+"/requests?operation=box.DeleteGroupMembershipByID", "", "", &log)
	assert.Equal(t, 2, log.Count)
	require.Len(t, log.Requests, 2)
	assert.Equal(t, "DELETE", log.Requests[0].Method)
	assert.Equal(t, "/box/2.0/group_memberships/434534", log.Requests[0].Path)
	assert.Equal(t, []string{"Bearer [redacted]"}, log.Requests[0].Header["Authorization"])
	resp = adminDo(t, "GET", admin+"/requests?operation=box.Nope", "", "", &bad)
	assert.Equal(t, 400, resp.StatusCode)
	adminDo(t, "GET", admin+"/requests?operation=gitguardian", "", "", &log)
	assert.Zero(t, log.Count)

	// Faults used up; clear also disarms what is left.
	resp = adminDo(t, "DELETE", delURL, boxAuth, "", nil)
	assert.Equal(t, 204, resp.StatusCode, "the fault was used up")
	adminDo(t, "POST", admin+"/faults", "", `{"operation":"box","status":500,"times":-1}`, nil)
	assert.Equal(t, 204, adminDo(t, "DELETE", admin+"/faults", "", "", nil).StatusCode)
	adminDo(t, "GET", admin+"/faults", "", "", &faults)
	assert.Empty(t, faults.Faults)

	// Clear the log.
	assert.Equal(t, 204, adminDo(t, "DELETE", admin+"/requests", "", "", nil).StatusCode)
	adminDo(t, "GET", admin+"/requests", "", "", &log)
	assert.Zero(t, log.Count)

	// Reset brings the deleted membership back, and empties log and faults.
	assert.Equal(t, 404, adminDo(t, "GET", delURL, boxAuth, "", nil).StatusCode)
	adminDo(t, "POST", admin+"/faults", "", `{"status":500,"times":-1}`, nil)
	assert.Equal(t, 204, adminDo(t, "POST", admin+"/reset", "", "", nil).StatusCode)
	adminDo(t, "GET", admin+"/faults", "", "", &faults)
	assert.Empty(t, faults.Faults)
	adminDo(t, "GET", admin+"/requests", "", "", &log)
	assert.Zero(t, log.Count)
	assert.Equal(t, 200, adminDo(t, "GET", delURL, boxAuth, "", nil).StatusCode, "seed data is back")
}

// Routing errors: a known path with another method is 405 with Allow; an
// unknown path is 404, in the vendor's shape under a vendor's prefix.
func TestFakeRoutingErrors(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(fake.NewFake(fake.WithDemoData()))
	t.Cleanup(ts.Close)

	cases := []struct {
		method, path string
		status       int
		allow        string
		body         string // JSON the answer must equal
	}{
		{"PUT", "/_fake/faults", 405, "DELETE, GET, HEAD, POST", `{"error":"method_not_allowed","message":"PUT is not allowed on /_fake/faults"}`},
		{"GET", "/_fake/reset", 405, "POST", `{"error":"method_not_allowed","message":"GET is not allowed on /_fake/reset"}`},
		{"GET", "/_fake/nope", 404, "", `{"error":"not_found","message":"no such route: GET /_fake/nope"}`},
		{"GET", "/nope", 404, "", `{"error":"not_found","message":"no such route: GET /nope (GET /_fake/routes lists them)"}`},
		{"PATCH", "/gitguardian/v1/invitations", 405, "GET, HEAD, POST", `{"detail":"PATCH is not allowed on /gitguardian/v1/invitations"}`},
		{"GET", "/gitguardian/v1/nope", 404, "", `{"detail":"no such route: GET /gitguardian/v1/nope"}`},
		{"GET", "/box/2.0/nope", 404, "", ""}, // Box's shape, checked below
		{"DELETE", "/box/2.0/group_memberships", 405, "POST", ""},
		{"PATCH", "/freestyle/identity/v1/identities", 405, "GET, HEAD, POST", `{"code":"METHOD_NOT_ALLOWED","message":"PATCH is not allowed on /freestyle/identity/v1/identities"}`},
		{"GET", "/bimdata/nope", 404, "", `{"detail":"Not found."}`}, // BIMData's fixed 404 text
		{"GET", "/portworx/nope", 404, "", `{"code":5,"message":"Not Found","details":[]}`},
	}
	for _, tc := range cases {
		resp, body := rawDo(t, tc.method, ts.URL+tc.path, "", "")
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		assert.Equal(t, tc.allow, resp.Header.Get("Allow"), "%s %s", tc.method, tc.path)
		assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), "%s %s", tc.method, tc.path)
		if tc.body != "" {
			assert.JSONEq(t, tc.body, body, "%s %s", tc.method, tc.path)
		}
	}
	_, body := rawGet(t, ts.URL+"/box/2.0/nope", "")
	var boxErr map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &boxErr))
	assert.Equal(t, "error", boxErr["type"])
	assert.EqualValues(t, 404, boxErr["status"])
	assert.Equal(t, "not_found", boxErr["code"])
	assert.Equal(t, "no such route: GET /box/2.0/nope", boxErr["message"])
}

// Reset from Go: seed data back, faults and log gone, and safe while
// requests are being served.
func TestResetRestoresTheSeedState(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(ctx, "434534"))
	_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com"}, nil)
	require.NoError(t, err)
	srv.Inject(fake.Fault{Operation: fake.AllBIMData, Status: 500, Times: -1})

	srv.Reset()
	assert.Empty(t, srv.Faults())
	assert.Empty(t, srv.Requests())
	_, err = c.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
	require.NoError(t, err, "the deleted membership is back")
	found, err := c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: "ada@"}).Collect(0)
	require.NoError(t, err)
	assert.Empty(t, found, "the created invitation is gone")
	_, err = c.SSO.GetInvitation(ctx, fake.BIMDataDemoInvitationID)
	require.NoError(t, err, "the fault is gone")
	assert.True(t, srv.BIMDataUserExists(fake.DemoPersonEmail))

	// Concurrent requests and resets: no race, every answer well formed.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				_, err := c.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
				assert.NoError(t, err)
			}
		}()
	}
	for range 10 {
		srv.Reset()
	}
	wg.Wait()
}
