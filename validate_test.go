package invitations

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	assert.NoError(t, checkEmail("email", "ada@example.com"))
	for _, bad := range []string{"", "  ", "Ada <ada@example.com>", "<ada@example.com>", " ada@example.com", "ada", "ada@example.com\n", "\"a\tb\"@example.com", "ada\u0085@example.com"} {
		assert.ErrorIs(t, checkEmail("email", bad), ErrInvalidParameter, "%q", bad)
	}
}

func TestCheckTextRejectsWhatWouldNotArriveAsGiven(t *testing.T) {
	t.Parallel()
	assert.NoError(t, checkText("p", "Zoë 日本"))
	for _, bad := range []string{"\xff", "a\x00", "a\x7f", "a\u0085", "a\u2028", "a\u202e", "a\u2066", "a\u200f"} {
		err := checkText("p", bad)
		assert.ErrorIs(t, err, ErrInvalidParameter, "%q", bad)
		assert.NotContains(t, err.Error(), bad, "the value is never echoed")
	}
}

func TestCheckRequiredAndRangeAndFirstError(t *testing.T) {
	t.Parallel()
	assert.ErrorIs(t, checkRequired("id", " "), ErrInvalidParameter)
	assert.NoError(t, checkRequired("id", "x"))
	assert.NoError(t, checkRange("n", 5, 1, 10))
	assert.ErrorIs(t, checkRange("n", 11, 1, 10), ErrInvalidParameter)
	first, second := errors.New("first"), errors.New("second")
	assert.Same(t, first, firstError(nil, first, second))
	assert.NoError(t, firstError(nil, nil))
}
