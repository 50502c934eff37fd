package scim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"
)

// scimError is an error the server answers with: an RFC 7644 §3.12
// error body of status, scimType and a detail that names the field.
type scimError = scimerrors.ScimError

func newError(status int, typ scimerrors.ScimType, format string, args ...any) *scimError {
	return &scimError{Status: status, ScimType: typ, Detail: fmt.Sprintf(format, args...)}
}

func invalidSyntax(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeInvalidSyntax, format, args...)
}

func invalidValue(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeInvalidValue, format, args...)
}

func invalidPath(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeInvalidPath, format, args...)
}

func invalidFilter(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeInvalidFilter, format, args...)
}

func noTarget(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeNoTarget, format, args...)
}

func mutability(format string, args ...any) *scimError {
	return newError(http.StatusBadRequest, scimerrors.ScimTypeMutability, format, args...)
}

func notFound(typ, id string) *scimError {
	return newError(http.StatusNotFound, "", "no %s has id %q", typ, id)
}

// internalError hides the cause, which goes to the log, from the client.
var internalError = scimError{Status: http.StatusInternalServerError, Detail: "the server could not complete the request; its log says why"}

// writeError writes e as the response.
func writeError(w http.ResponseWriter, e *scimError) {
	body, err := json.Marshal(e)
	if err != nil {
		body = []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500"}`)
		e = &internalError
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// newID returns a random (version 4) UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
