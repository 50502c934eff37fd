package access_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
)

func TestAuditStreamsEveryVendorAndStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	vendors := map[invitations.API]int{}
	for rec, err := range e.manager.Audit(t.Context()) {
		require.NoError(t, err)
		vendors[rec.Grant.Vendor]++
		assert.NotEmpty(t, rec.State)
	}
	for _, v := range shippedVendors() {
		assert.Positive(t, vendors[v], v)
	}
	n := 0
	for _, err := range e.manager.Audit(t.Context()) {
		require.NoError(t, err)
		if n++; n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)
}

func TestAuditOf100000RecordsStreams(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithGeneratedMembers(100_000))
	client, err := srv.Client()
	require.NoError(t, err)
	defer client.CloseIdleConnections()
	m, err := access.New(client, access.NewFileStore(filepath.Join(t.TempDir(), "state.json")), access.WithVendors(invitations.GitGuardian))
	require.NoError(t, err)
	n := 0
	for rec, err := range m.Audit(t.Context()) {
		require.NoError(t, err)
		if rec.State == access.StateMember {
			n++
		}
	}
	assert.Equal(t, 100_000, n)
	// Memory stays bounded by a page: BenchmarkAudit compares the peak
	// heap at 100,000 records with that at 10,000.
}
