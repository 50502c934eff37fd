// Package access keeps people's access to GitGuardian, Box, Freestyle,
// BIMData and Portworx in line with who works here: say per person what
// should be true (Person), then Audit what the vendors hold, Plan the
// changes, Apply them, or Offboard one email. Plans are made from reads
// only and are non-authoritative unless asked (a grant made by hand is left
// alone); every change ends in one outcome (done, already done, failed or
// in doubt); a second run sends nothing; an interrupted run, run again,
// ends in the desired state without duplicates. What the vendors cannot
// tell (whose each Freestyle identity is, which grants this package made,
// what is in doubt) is kept in a Store: a JSON file by default, PostgreSQL
// for teams (package pgstate).
//
// The package uses only the public API of the invitations SDK.
package access
