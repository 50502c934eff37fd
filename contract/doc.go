// Package contract holds the contract test of the invitations SDK and its
// fake: every request the SDK sends and every answer the fake gives is
// checked against the vendors' published API documents with kin-openapi.
// It is a module of its own because kin-openapi needs a newer Go than the
// SDK asks of its users. Run it with: cd contract && go test -v ./...
package contract
