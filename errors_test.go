package invitations

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAPIErrorMatchesItsStatusSentinel(t *testing.T) {
	t.Parallel()
	sentinels := []error{ErrNotFound, ErrUnauthorized, ErrForbidden, ErrConflict, ErrRateLimited, ErrOutcomeUnknown}
	for status, want := range map[int]error{
		http.StatusNotFound: ErrNotFound, http.StatusUnauthorized: ErrUnauthorized, http.StatusForbidden: ErrForbidden,
		http.StatusConflict: ErrConflict, http.StatusTooManyRequests: ErrRateLimited, http.StatusBadGateway: ErrOutcomeUnknown,
		http.StatusBadRequest: nil,
	} {
		err := &APIError{StatusCode: status}
		for _, s := range sentinels {
			assert.Equal(t, s == want, errors.Is(err, s), "%d against %v", status, s)
		}
	}
}

func TestAPIErrorReadsLikeTheCall(t *testing.T) {
	t.Parallel()
	e := &APIError{API: "Box", Method: "GET", URL: "https://api.box.com/2.0/x", StatusCode: 404, Code: "not_found", Message: "Not Found", RequestID: "r1"}
	assert.Equal(t, "invitations: Box GET https://api.box.com/2.0/x: 404 not_found: Not Found (request id r1)", e.Error())
	e = &APIError{API: "Box", Method: "GET", URL: "u", StatusCode: 503}
	assert.Equal(t, "invitations: Box GET u: 503 Service Unavailable", e.Error())
}

func TestTransportErrorSaysWhetherTheRequestWasSent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e       TransportError
		outcome string
		sent    bool
	}{
		{TransportError{Err: io.EOF}, "not sent", false},
		{TransportError{Sent: true, Err: io.EOF}, "sent, outcome unknown", true},
		{TransportError{Sent: true, Read: true, Err: context.DeadlineExceeded}, "timed out", true},
		{TransportError{Sent: true, Read: true, Err: context.Canceled}, "cancelled", true},
		{TransportError{Sent: true, Read: true, Err: io.EOF}, "no answer", true},
	} {
		assert.Equal(t, tc.outcome, tc.e.outcome())
		assert.Equal(t, !tc.sent, errors.Is(&tc.e, ErrNotSent), tc.outcome)
		assert.Equal(t, tc.sent, errors.Is(&tc.e, ErrOutcomeUnknown), tc.outcome)
		assert.ErrorIs(t, &tc.e, tc.e.Err, "unwraps to the cause")
	}
}

func TestValidationAndDecodeErrorsMatchTheirSentinels(t *testing.T) {
	t.Parallel()
	v := &ValidationError{Param: "email", Reason: "is required"}
	assert.ErrorIs(t, v, ErrInvalidParameter)
	assert.Equal(t, "invitations: invalid email: is required", v.Error())

	d := &DecodeError{API: "Box", Method: "GET", URL: "u", StatusCode: 200, Err: io.ErrUnexpectedEOF}
	assert.ErrorIs(t, d, ErrOutcomeUnknown)
	assert.ErrorIs(t, d, io.ErrUnexpectedEOF)
}
