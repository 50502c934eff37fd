package main

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

func TestServesTheFakeUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, pw)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	root := strings.TrimSpace(strings.TrimPrefix(line, "invitations fake listening on "))
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	c, err := invitations.NewClient(invitationstest.ClientOptions(invitationstest.BaseURLsAt(root))...)
	require.NoError(t, err)
	got, err := c.Invitations.ListInvitations(t.Context(), &invitations.ListInvitationsOptions{PerPage: 100}).Collect(0)
	require.NoError(t, err)
	assert.Len(t, got, 240, "demo data is on by default")

	cancel()
	require.NoError(t, <-done)
}

func TestRejectsBadFlags(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"-latency", "soon"}, io.Discard)
	require.Error(t, err)
}
