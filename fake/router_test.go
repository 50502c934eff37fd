package fake

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
)

// The stores and the SDK's operation table agree: every vendor of the
// table has a store, every operation a handler, and every handler is
// routed by an operation of the table.
func TestStoresMatchTheOperationTable(t *testing.T) {
	t.Parallel()
	f := NewFake()
	assert.Empty(t, f.problems)
	routes := f.Routes()
	require.Len(t, routes, len(invitations.Operations()), "one route per operation of the table")
	for _, op := range invitations.Operations() {
		assert.Contains(t, routes, Route{Operation: Operation(op.Name()), Method: op.HTTPMethod, Path: prefixOf(t, f, op.API) + op.Path})
	}
}

func prefixOf(t *testing.T, f *Fake, api invitations.API) string {
	t.Helper()
	for _, v := range f.vendors {
		if v.api == api {
			return v.prefix
		}
	}
	t.Fatalf("no vendor %s", api)
	return ""
}

// A vendor whose store lacks a handler for an operation of the table, or
// keeps one the table does not route to, is reported; the operation
// answers 501 in the vendor's error shape, reached and logged like any.
func TestRouterReportsHandlersAndOperationsThatDisagree(t *testing.T) {
	t.Parallel()
	f := &Fake{now: time.Now, boxMaxOffset: 10000}
	f.mu.Lock()
	f.mux = http.NewServeMux()
	v := f.newBox()
	delete(v.handlers, "GetUsers")
	v.handlers["GetNothing"] = v.handlers["GetGroups"]
	f.vendors = append(f.vendors, v)
	f.route(v, invitations.Operations())
	f.serving.Store(f.mux)
	f.mu.Unlock()

	assert.ElementsMatch(t, []string{
		"box.GetUsers (GET /users): no handler in the fake's box store",
		"box.GetNothing: a handler of the fake's box store that no operation of the table routes to",
	}, f.problems)

	ts := httptest.NewServer(f)
	defer ts.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+BoxPrefix+"/users", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+BoxAccessToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusNotImplemented, resp.StatusCode)
	n, err := f.RequestCount(BoxGetUsers)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// A custom verb after a wildcard is split off the path template; a colon
// in a literal segment is not a verb.
func TestCutVerb(t *testing.T) {
	t.Parallel()
	for path, want := range map[string][3]string{
		"/core/v1/invite/{uid}:notify": {"/core/v1/invite/{uid}", "uid", "notify"},
		"/core/v1/invite:accept":       {"/core/v1/invite:accept", "", ""},
		"/core/v1/invite/{uid}":        {"/core/v1/invite/{uid}", "", ""},
		"/a/{x}:y/b":                   {"/a/{x}:y/b", "", ""},
	} {
		p, w, v := cutVerb(path)
		assert.Equal(t, want, [3]string{p, w, v}, path)
	}
}
