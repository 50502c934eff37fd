package contract

import (
	"testing"

	"github.com/invitesdk/invitations"
)

// tableOperations returns the names of the operations of the SDK's
// operation table, so that an operation added to it fails the contract
// test until a row exercises it.
func tableOperations(t *testing.T) []string {
	t.Helper()
	var ops []string
	for _, o := range invitations.Operations() {
		ops = append(ops, o.Name())
	}
	if len(ops) == 0 {
		t.Fatal("the SDK's operation table is empty")
	}
	return ops
}

// docOperationID is the operationId, in the vendor's document, of the
// operation of the SDK's table named op; "" for a name the table does not
// have (its rows are reported as such).
func docOperationID(op string) string {
	o, _ := invitations.LookupOperation(op)
	return o.DocOperationID
}
