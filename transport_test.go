package invitations

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
