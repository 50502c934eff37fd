package scim_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

func TestUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := scim.NewMemoryStore()
	for _, u := range []struct{ id, attrs string }{
		{"primary", `{"userName":"p","emails":[{"value":"home@example.com","type":"home"},{"value":"main@example.com","type":"other","primary":true}]}`},
		{"work", `{"userName":"w","active":true,"emails":[{"value":"home@example.com","type":"home"},{"value":"work@example.com","type":"Work"}]}`},
		{"first", `{"userName":"f","active":false,"emails":[{"value":"one@example.com","type":"home"},{"value":"two@example.com"}]}`},
		{"empty-values", `{"userName":"ada@example.com","emails":[{"value":"","primary":true},{"value":" ","type":"work"}]}`},
		{"named-address", `{"userName":"Ada <ada@example.com>"}`},
		{"no-address", `{"userName":"ada"}`},
		{"deleted", `{"userName":"gone@example.com","active":true}`},
	} {
		_, err := s.Put(ctx, scim.Resource{Type: scim.TypeUser, ID: u.id, Attributes: json.RawMessage(u.attrs)}, 0)
		require.NoError(t, err)
	}
	require.NoError(t, s.Delete(ctx, scim.TypeUser, "deleted"))
	users, err := scim.Users(ctx, s)
	require.NoError(t, err)
	require.Equal(t, []scim.User{
		{ID: "primary", UserName: "p", Active: true, Email: "main@example.com"},
		{ID: "work", UserName: "w", Active: true, Email: "work@example.com"},
		{ID: "first", UserName: "f", Active: false, Email: "one@example.com"},
		{ID: "empty-values", UserName: "ada@example.com", Active: true, Email: "ada@example.com"},
		{ID: "named-address", UserName: "Ada <ada@example.com>", Active: true},
		{ID: "no-address", UserName: "ada", Active: true},
		{ID: "deleted", UserName: "gone@example.com", Active: true, Email: "gone@example.com", Deleted: true},
	}, users)
}

func TestGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := scim.NewMemoryStore()
	for _, g := range []struct{ id, attrs string }{
		{"g1", `{"displayName":"Engineering","members":[{"value":"u2","display":"B"},{"value":""},{"value":"u1"}]}`},
		{"g2", `{"displayName":"Gone","members":[{"value":"u1"}]}`},
		{"g3", `{"displayName":"Empty"}`},
	} {
		_, err := s.Put(ctx, scim.Resource{Type: scim.TypeGroup, ID: g.id, Attributes: json.RawMessage(g.attrs)}, 0)
		require.NoError(t, err)
	}
	require.NoError(t, s.Delete(ctx, scim.TypeGroup, "g2"))
	groups, err := scim.Groups(ctx, s)
	require.NoError(t, err)
	require.Equal(t, []scim.Group{
		{ID: "g1", DisplayName: "Engineering", Members: []string{"u2", "u1"}},
		{ID: "g3", DisplayName: "Empty", Members: []string{}},
	}, groups)
}

func TestTypedReadsReportBadAttributes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := scim.NewMemoryStore()
	_, err := s.Put(ctx, scim.Resource{Type: scim.TypeUser, ID: "u1", Attributes: json.RawMessage(`{"userName":7}`)}, 0)
	require.NoError(t, err)
	_, err = s.Put(ctx, scim.Resource{Type: scim.TypeGroup, ID: "g1", Attributes: json.RawMessage(`{"members":"u1"}`)}, 0)
	require.NoError(t, err)
	_, err = scim.Users(ctx, s)
	require.ErrorContains(t, err, "scim: user u1: ")
	_, err = scim.Groups(ctx, s)
	require.ErrorContains(t, err, "scim: group g1: ")
}
