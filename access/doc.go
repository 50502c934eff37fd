// Package access keeps people's access to GitGuardian, Box, Freestyle,
// BIMData and Portworx in line with who works here: say per person what
// should be true (Person), then Audit what the vendors hold, Plan the
// changes, Apply them, or Offboard one email. Plans are made from reads
// only and are non-authoritative unless asked (a grant made by hand is left
// alone); every change ends in one outcome (done, already done, failed,
// in doubt or skipped); a second run sends nothing; an interrupted run, run
// again, ends in the desired state without duplicates. What the vendors
// cannot tell (which grants this package made, what is in doubt, whose
// each Freestyle identity is) is kept in a Store: a JSON file by default,
// PostgreSQL for teams (package pgstate).
//
// Each vendor is a Connector; the engine (Plan, Apply, Audit) is the same
// for every one. A program keeps another vendor in line by implementing
// Connector and adding it with WithConnector; people's grants there go in
// Person.Grants (see examples/connector).
//
// The package uses only the public API of the invitations SDK.
package access
