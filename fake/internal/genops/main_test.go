package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
)

// The generated files are what the operation table makes now: an
// operation added to (or changed in) the table without `go generate
// ./fake` fails here.
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	t.Parallel()
	files, err := render(invitations.Vendors(), invitations.Operations())
	require.NoError(t, err)
	require.Len(t, files, 2)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(name)))
		require.NoError(t, err)
		if line, w, g, differ := firstDifference(string(want), string(got)); differ {
			t.Errorf("%s is stale: run go generate ./fake (line %d: want %q, have %q)", name, line, w, g)
		}
	}
}

// firstDifference returns the first line (from 1) where want and got
// differ, and that line of each ("" past the end).
func firstDifference(want, got string) (line int, w, g string, differ bool) {
	ws, gs := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(ws), len(gs)) {
		if i < len(ws) {
			w = ws[i]
		} else {
			w = ""
		}
		if i < len(gs) {
			g = gs[i]
		} else {
			g = ""
		}
		if i >= len(ws) || i >= len(gs) || w != g {
			return i + 1, w, g, true
		}
	}
	return 0, "", "", false
}

// An operation the table adds gets its constant, in both packages.
func TestRenderAddsAConstantPerOperation(t *testing.T) {
	t.Parallel()
	ops := append(invitations.Operations(), invitations.Operation{
		API: invitations.Box, Service: "Memberships", Method: "GetRenderCheck", HTTPMethod: "GET", Path: "/render_check/{id}",
	})
	files, err := render(invitations.Vendors(), ops)
	require.NoError(t, err)
	assert.Contains(t, string(files[fakeFile]), "\t// BoxGetRenderCheck is Memberships.GetRenderCheck (Box API: GET /render_check/{id}).\n\tBoxGetRenderCheck Operation = \"box.GetRenderCheck\"\n")
	assert.Contains(t, string(files[testFile]), "\tBoxGetRenderCheck = fake.BoxGetRenderCheck\n")

	_, err = render(invitations.Vendors(), append(ops, ops[len(ops)-1]))
	assert.ErrorContains(t, err, "BoxGetRenderCheck", "two operations cannot share a constant")
}
