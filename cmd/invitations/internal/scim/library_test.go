package scim_test

import (
	"testing"

	"github.com/elimity-com/scim/schema"
	"github.com/stretchr/testify/require"
)

// The library's validation drops an attribute no schema declares, and
// an unknown sub-attribute, without a word: a misspelt attribute would
// be lost. That is why the handler checks bodies itself first and
// refuses them (RFC 7644 leaves the choice to the service provider).
func TestLibraryIgnoresUnknownAttributes(t *testing.T) {
	t.Parallel()
	got, err := schema.CoreUserSchema().Validate(map[string]any{
		"schemas":         []any{coreUser},
		"userName":        "ada@example.com",
		"favouriteColour": "green",
		"name":            map[string]any{"givenName": "Ada", "nickname": "A"},
	})
	require.Nil(t, err)
	require.Equal(t, map[string]any{"userName": "ada@example.com", "name": map[string]any{"givenName": "Ada"}}, got)
}

// The library refuses Entra ID's string booleans unless a process-wide
// switch is on, which the handler leaves off: it rewrites them instead.
func TestLibraryRefusesStringBooleans(t *testing.T) {
	t.Parallel()
	_, err := schema.CoreUserSchema().Validate(map[string]any{
		"schemas": []any{coreUser}, "userName": "ada@example.com", "active": "False",
	})
	require.NotNil(t, err)
	require.Equal(t, 400, err.Status)
}
