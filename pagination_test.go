package invitations

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/models"
)

// cursorPages answers GitGuardian list requests with pages of one
// invitation each, linking page n to page n+1 until last; failAt (when > 0)
// answers that page with a 500.
func cursorPages(t *testing.T, env *testEnv, last, failAt int) *recorder {
	t.Helper()
	rec := &recorder{}
	env.mock.RegisterResponder(http.MethodGet, testGitGuardianBase+"/v1/invitations", func(req *http.Request) (*http.Response, error) {
		rec.add(req)
		n := 1
		if c := req.URL.Query().Get("cursor"); c != "" {
			n, _ = strconv.Atoi(c)
		}
		if n == failAt {
			return jsonResponse(req, 500, `{"detail":"Server error."}`), nil
		}
		body := fmt.Sprintf(`[{"id":%d,"email":"u%d@example.com","access_level":"member","date":"2024-01-01T00:00:00Z"}]`, n, n)
		if n < last {
			return jsonResponse(req, 200, body, "Link", fmt.Sprintf(`<https://api.gitguardian.com/v1/invitations?cursor=%d>; rel="next"`, n+1)), nil
		}
		return jsonResponse(req, 200, body, "Link", ""), nil
	})
	return rec
}

func ids(t *testing.T, pager *Pager[models.Invitation]) []int64 {
	t.Helper()
	var out []int64
	for inv, err := range pager.All() {
		require.NoError(t, err)
		out = append(out, inv.ID)
	}
	return out
}

func TestPagerIsLazy(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 3, 0)
	pager := env.client.Invitations.ListInvitations(t.Context(), nil)
	assert.Zero(t, rec.count(), "no request before the pager is ranged")
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	assert.Equal(t, 3, rec.count())
}

func TestPagerEarlyBreakSendsNoFurtherRequest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 10, 0)
	for inv, err := range env.client.Invitations.ListInvitations(t.Context(), nil).All() {
		require.NoError(t, err)
		if inv.ID == 2 {
			break
		}
	}
	assert.Equal(t, 2, rec.count())
}

func TestPagerRangedTwiceStartsOver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 3, 0)
	opts := &ListInvitationsOptions{PerPage: 1}
	pager := env.client.Invitations.ListInvitations(t.Context(), opts)
	opts.PerPage = 99 // the pager keeps the options it was given
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	assert.Equal(t, []int64{1, 2, 3}, ids(t, pager))
	reqs := rec.all()
	require.Len(t, reqs, 6)
	assert.Equal(t, "per_page=1", reqs[0].Query)
	assert.Equal(t, "per_page=1", reqs[3].Query, "the second range starts from the first page")
}

func TestPagerYieldsErrorOnceAndStops(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, WithMaxRetries(0))
	rec := cursorPages(t, env, 5, 3)
	var got []int64
	var errs []error
	for inv, err := range env.client.Invitations.ListInvitations(t.Context(), nil).All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, inv.ID)
	}
	assert.Equal(t, []int64{1, 2}, got)
	require.Len(t, errs, 1)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, 3, rec.count())
}

func TestPagerStopsOnRepeatedCursor(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testGitGuardianBase+"/v1/invitations",
		jsonReply(200, `[]`, "Link", `<https://api.gitguardian.com/v1/invitations?cursor=same>; rel="next"`))
	_, err := env.client.Invitations.ListInvitations(t.Context(), &ListInvitationsOptions{Cursor: "same"}).Collect(0)
	require.ErrorContains(t, err, "same cursor")
	assert.Equal(t, 1, rec.count())
}

func TestPagerCollectStopsAtMax(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := cursorPages(t, env, 10, 0)
	got, err := env.client.Invitations.ListInvitations(t.Context(), nil).Collect(2)
	require.NoError(t, err)
	assert.Len(t, got, 2)
	assert.Equal(t, 2, rec.count())
}

func TestOffsetPagerEndsOnShortPageWithoutTotal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testBoxBase+"/groups/1/memberships",
		jsonReply(200, `{"entries":[{"id":"a"},{"id":"b"}]}`),
		jsonReply(200, `{"entries":[{"id":"c"}]}`))
	r := newRequest(Box, http.MethodGet, "groups/1/memberships", Idempotent).withQuery(&ListMembershipsOptions{Limit: 2})
	pager := newOffsetPager(t.Context(), env.client, r, nil, offsetStyle{limitKey: "limit", offsetKey: "offset"},
		func(p *models.GroupMemberships) offsetPage[models.GroupMembership] {
			return offsetPage[models.GroupMembership]{items: p.Entries, total: -1}
		})
	got, err := pager.Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 3)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "limit=2&offset=2", reqs[1].Query)
}

func TestPageNumberPager(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	rec := env.route(http.MethodGet, testPortworxBase+"/core/v1/things",
		jsonReply(200, `{"items":["a"],"nextPage":"2"}`),
		jsonReply(200, `{"items":["b"],"nextPage":-1}`))
	// nextPage arrives as a string (protojson int64) on the first page.
	rec2 := env.route(http.MethodGet, testPortworxBase+"/core/v1/others",
		jsonReply(200, `{"items":["x"]}`))
	unpack := func(e *struct {
		Items    []string     `json:"items"`
		NextPage numberString `json:"nextPage"`
	}) numberedPage[string] {
		return numberedPage[string]{items: e.Items, nextPage: int64(e.NextPage), total: -1}
	}
	r := newRequest(Portworx, http.MethodGet, "core/v1/things", Idempotent)
	got, err := newPageNumberPager(t.Context(), env.client, r, nil, "pagination.pageNumber", 1, unpack).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)
	reqs := rec.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, "pagination.pageNumber=1", reqs[0].Query)
	assert.Equal(t, "pagination.pageNumber=2", reqs[1].Query)

	got, err = newPageNumberPager(t.Context(), env.client, newRequest(Portworx, http.MethodGet, "core/v1/others", Idempotent), nil, "pagination.pageNumber", 1, unpack).Collect(0)
	require.NoError(t, err)
	assert.Equal(t, []string{"x"}, got)
	assert.Equal(t, 1, rec2.count(), "an absent nextPage ends the list")
}

// numberString decodes a JSON number or a numeric string.
type numberString int64

func (n *numberString) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) > 1 && s[0] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*n = numberString(v)
	return err
}

func TestParseLinkHeader(t *testing.T) {
	t.Parallel()
	h := func(values ...string) http.Header { return http.Header{"Link": values} }
	cases := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"missing", http.Header{}, ""},
		{"empty", h(""), ""},
		{"next only", h(`<https://api.gitguardian.com/v1/invitations?cursor=cD0xNA%3D%3D&per_page=2>; rel="next"`), "cD0xNA=="},
		{"prev then next without space", h(`<http://api.gitguardian.com/v1/members?cursor=prev>; rel="prev",<http://api.gitguardian.com/v1/members?cursor=cD0xNTA%3D>; rel="next"`), "cD0xNTA="},
		{"separate headers", h(`<https://x/v1/i?cursor=p>; rel="prev"`, `<https://x/v1/i?cursor=n>; rel="next"`), "n"},
		{"comma inside URL", h(`<https://x/v1/i?tags=A,B&cursor=c1>; rel="next"`), "c1"},
		{"unquoted rel and extra params", h(`<https://x/v1/i?cursor=c2>; title="a, b"; rel=next`), "c2"},
		{"only prev", h(`<https://x/v1/i?cursor=p>; rel="prev"`), ""},
		{"garbage", h(`not a link`), ""},
		{"unterminated", h(`<https://x/v1/i?cursor=c3; rel="next"`), ""},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, nextLinkCursor(tc.header), tc.name)
	}
}
