package contract

import (
	"testing"

	"github.com/invitesdk/invitations/invitationstest"
)

// registeredOperations returns the operation names the fake serves, so
// that an operation added to the fake fails the contract test until a row
// exercises it.
func registeredOperations(t *testing.T) []string {
	t.Helper()
	var ops []string
	for _, r := range invitationstest.NewFake().Routes() {
		ops = append(ops, string(r.Operation))
	}
	if len(ops) == 0 {
		t.Fatal("the fake serves no operation")
	}
	return ops
}
