// Package invitationstest is the testing side of package fake, the
// in-memory fake of the five vendor APIs the invitations SDK drives. It
// re-exports the fake's API under the names tests have always used, and
// adds NewTestServer, which binds a fake to a test: closed when the test
// ends, and an unknown operation name is a failed test rather than an
// error to check.
//
//	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
//	client, err := srv.Client() // no backoff between retries
//	...
//	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 503})
//	n := srv.RequestCount(invitationstest.BoxCreateGroupMembership)
//
// Outside tests (a demo, a command), use package fake directly: it links
// neither testing nor net/http/httptest.
//
// Operations are named by the Operation constants; an unknown name is an
// error (and, on a NewTestServer, a failed test), so that a typo cannot
// make a test pass without testing anything. The demo data's ids are the
// constants named *Demo* (DemoPersonEmail, BoxDemoGroupID,
// PortworxDemoTenantID, ...).
//
// Every API lives under its own prefix of the server's URL; see BaseURLs.
// Everything the fake can do from Go it can also do over HTTP, under
// AdminPrefix (see NewFake), for tests written in other languages; the
// command `invitations fake` (cmd/invitations) serves it on an address.
package invitationstest

import (
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
)

// The fake's types, under the names of this package; see package fake.
type (
	// Fake is the fake as an http.Handler: fake.Fake.
	Fake = fake.Fake
	// Option configures a Fake: fake.Option.
	Option = fake.Option
	// Operation names one operation of the fake, an API or every
	// request: fake.Operation.
	Operation = fake.Operation
	// Fault is a misbehaviour injected into the fake's answers: fake.Fault.
	Fault = fake.Fault
	// Request is one request as the fake received it: fake.Request.
	Request = fake.Request
	// Route is one operation the fake serves: fake.Route.
	Route = fake.Route
	// APIInfo describes one API the fake serves: fake.APIInfo.
	APIInfo = fake.APIInfo
	// BaseURLs are the base URLs of the five APIs: fake.BaseURLs.
	BaseURLs = fake.BaseURLs
	// Server is a Fake listening on a loopback port: fake.Server.
	Server = fake.Server
)

// AnyOperation selects every request the fake receives: fake.AnyOperation.
// The other Operation constants are in operations_gen.go, generated with
// package fake's from the SDK's operation table.
const AnyOperation = fake.AnyOperation

// ErrUnknownOperation is returned (wrapped) by Inject and RequestCount
// when an Operation names nothing the fake serves: fake.ErrUnknownOperation.
var ErrUnknownOperation = fake.ErrUnknownOperation

// Credentials the fake accepts; see fake.GitGuardianAPIKey and the others.
const (
	GitGuardianAPIKey   = fake.GitGuardianAPIKey
	BoxAccessToken      = fake.BoxAccessToken
	FreestyleAPIKey     = fake.FreestyleAPIKey
	BIMDataAccessToken  = fake.BIMDataAccessToken
	BIMDataAPIKey       = fake.BIMDataAPIKey
	PortworxAccessToken = fake.PortworxAccessToken
)

// Path prefixes of each API under the server root, and of the fake's own
// HTTP API; see fake.GitGuardianPrefix and the others.
const (
	GitGuardianPrefix = fake.GitGuardianPrefix
	BoxPrefix         = fake.BoxPrefix
	FreestylePrefix   = fake.FreestylePrefix
	BIMDataPrefix     = fake.BIMDataPrefix
	PortworxPrefix    = fake.PortworxPrefix
	AdminPrefix       = fake.AdminPrefix
)

// The demo data's ids (with WithDemoData); see the constants of the same
// names in package fake for what each one is.
const (
	DemoPersonEmail = fake.DemoPersonEmail

	GitGuardianDemoOwnerID          = fake.GitGuardianDemoOwnerID
	GitGuardianDemoMemberID         = fake.GitGuardianDemoMemberID
	GitGuardianDemoGlobalTeamID     = fake.GitGuardianDemoGlobalTeamID
	GitGuardianDemoTeamID           = fake.GitGuardianDemoTeamID
	GitGuardianDemoTeamMembershipID = fake.GitGuardianDemoTeamMembershipID
	GitGuardianDemoTeamInvitationID = fake.GitGuardianDemoTeamInvitationID

	BoxDemoGroupID      = fake.BoxDemoGroupID
	BoxDemoUserID       = fake.BoxDemoUserID
	BoxDemoPersonUserID = fake.BoxDemoPersonUserID
	BoxDemoLargeGroupID = fake.BoxDemoLargeGroupID

	FreestyleDemoIdentityID        = fake.FreestyleDemoIdentityID
	FreestyleDemoManagedIdentityID = fake.FreestyleDemoManagedIdentityID
	FreestyleDemoRepoID            = fake.FreestyleDemoRepoID
	FreestyleDemoVMID              = fake.FreestyleDemoVMID

	BIMDataDemoInvitationID         = fake.BIMDataDemoInvitationID
	BIMDataDemoCloudInvitationID    = fake.BIMDataDemoCloudInvitationID
	BIMDataDemoAcceptedInvitationID = fake.BIMDataDemoAcceptedInvitationID
	BIMDataDemoDeniedInvitationID   = fake.BIMDataDemoDeniedInvitationID
	BIMDataDemoUserEmail            = fake.BIMDataDemoUserEmail

	BIMDataDemoCloudID                 = fake.BIMDataDemoCloudID
	BIMDataDemoProjectID               = fake.BIMDataDemoProjectID
	BIMDataDemoPersonUserID            = fake.BIMDataDemoPersonUserID
	BIMDataDemoPersonProjectUserID     = fake.BIMDataDemoPersonProjectUserID
	BIMDataDemoCloudUserInvitationID   = fake.BIMDataDemoCloudUserInvitationID
	BIMDataDemoProjectUserInvitationID = fake.BIMDataDemoProjectUserInvitationID

	PortworxDemoAccountID        = fake.PortworxDemoAccountID
	PortworxDemoTenantID         = fake.PortworxDemoTenantID
	PortworxDemoProjectID        = fake.PortworxDemoProjectID
	PortworxDemoInvitationUID    = fake.PortworxDemoInvitationUID
	PortworxDemoActorID          = fake.PortworxDemoActorID
	PortworxDemoServiceAccountID = fake.PortworxDemoServiceAccountID
)

// FreestyleAccountID is the account the fake Freestyle's identities belong
// to: fake.FreestyleAccountID.
const FreestyleAccountID = fake.FreestyleAccountID

// NewFake returns the fake as a handler, serving the five APIs and the
// admin API: fake.NewFake.
func NewFake(opts ...Option) *Fake { return fake.NewFake(opts...) }

// BaseURLsAt returns the base URLs of the APIs served at root
// (e.g. "http://127.0.0.1:8080"): fake.BaseURLsAt.
func BaseURLsAt(root string) BaseURLs { return fake.BaseURLsAt(root) }

// ClientOptions are the options that point a client at a fake serving
// base, with the fake's credentials: fake.ClientOptions.
func ClientOptions(base BaseURLs) []invitations.Option { return fake.ClientOptions(base) }

// WithDemoData seeds every API with demo data: fake.WithDemoData.
func WithDemoData() Option { return fake.WithDemoData() }

// WithBoxMaxOffset makes the fake Box answer 400 to a list whose offset
// exceeds n: fake.WithBoxMaxOffset.
func WithBoxMaxOffset(n int64) Option { return fake.WithBoxMaxOffset(n) }

// WithBoxLargeGroup adds a Box group, BoxDemoLargeGroupID, with n
// generated members: fake.WithBoxLargeGroup.
func WithBoxLargeGroup(n int) Option { return fake.WithBoxLargeGroup(n) }

// WithGeneratedMembers adds n GitGuardian workspace members:
// fake.WithGeneratedMembers.
func WithGeneratedMembers(n int) Option { return fake.WithGeneratedMembers(n) }

// WithGeneratedPeople adds n people known to Box and BIMData:
// fake.WithGeneratedPeople.
func WithGeneratedPeople(n int) Option { return fake.WithGeneratedPeople(n) }

// WithLatency delays every answer by d: fake.WithLatency.
func WithLatency(d time.Duration) Option { return fake.WithLatency(d) }

// WithQuota makes the fake enforce a request quota on api, answering 429
// beyond it: fake.WithQuota.
func WithQuota(api invitations.API, perMinute float64, burst int) Option {
	return fake.WithQuota(api, perMinute, burst)
}
