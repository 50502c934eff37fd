package invitations

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathfEscapesEachParameterAsOneSegment(t *testing.T) {
	t.Parallel()
	got, err := pathf("a/{}/b/{}:notify", idParam("x", "g/1 ?#"), intParam("n", 42))
	require.NoError(t, err)
	assert.Equal(t, "a/g%2F1%20%3F%23/b/42:notify", got)

	got, err = pathf("core/v1/invite/{}", idParam("uid", "u:accept"))
	require.NoError(t, err)
	assert.Equal(t, "core/v1/invite/u%3Aaccept", got, "a colon cannot reach a custom-verb route")
}

func TestPathfRejectsParametersThatWouldChangeTheRoute(t *testing.T) {
	t.Parallel()
	for name, p := range map[string]pathParam{
		"empty":      idParam("id", ""),
		"blank":      idParam("id", "  "),
		"dot":        idParam("id", "."),
		"dot dot":    idParam("id", ".."),
		"control":    idParam("id", "a\nb"),
		"DEL":        idParam("id", "a\x7f"),
		"zero int":   intParam("id", 0),
		"negative":   intParam("id", -3),
		"no holder":  idParam("extra", "x"),
		"second one": idParam("id", "ok"),
	} {
		format := "a/{}"
		params := []pathParam{p}
		switch name {
		case "no holder":
			format = "a"
		case "second one":
			params = []pathParam{idParam("first", "1"), p}
		}
		_, err := pathf(format, params...)
		assert.Error(t, err, name)
	}
}

func TestRequestKeepsTheFirstProblem(t *testing.T) {
	t.Parallel()
	first := &ValidationError{Param: "first", Reason: "bad"}
	r := boxGetUsers.request().check(nil, first).check(&ValidationError{Param: "second", Reason: "bad"})
	assert.Same(t, first, r.err)

	r = gitGuardianGetMember.request().withParams(intParam("memberID", -1)).check(first)
	var verr *ValidationError
	require.ErrorAs(t, r.err, &verr)
	assert.Equal(t, "memberID", verr.Param, "the invalid path parameter came first")
}

func TestWithQueryEncodesOptionsAndLeavesNilEmpty(t *testing.T) {
	t.Parallel()
	r := gitGuardianListMembers.request().withQuery(&ListMembersOptions{PerPage: 5, Search: "ada"})
	require.NoError(t, r.err)
	assert.Equal(t, "per_page=5&search=ada", r.query.Encode())

	r = gitGuardianListMembers.request().withQuery((*ListMembersOptions)(nil))
	require.NoError(t, r.err)
	assert.Empty(t, r.query)
}
