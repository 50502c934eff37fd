// Package invitations is a client for five SaaS APIs that invite, admit and
// remove people: GitGuardian workspace invitations (Client.Invitations),
// Box group memberships (Client.Memberships), Freestyle identities and
// permissions (Client.Identity), BIMData identity-provider invitations
// (Client.SSO) and Portworx account invitations (Client.AccountInvitations).
//
// # Vendors, services and files
//
// Each vendor API is reached through one service field of the Client,
// named after the vendor's own documented group of methods (its method
// names mirror the vendor's documented operations), and is implemented in
// one file named after the vendor:
//
//	vendor (API)   Client field                 file
//	GitGuardian    Invitations                  gitguardian_invitations.go
//	GitGuardian    Members                      gitguardian_members.go
//	Box            Memberships                  box_memberships.go
//	Freestyle      Identity                     freestyle_identity.go
//	BIMData        SSO                          bimdata_sso.go
//	Portworx       AccountInvitations           portworx_account_invitations.go
//
// The service names stay what the vendors call these groups rather than
// the vendors' names: they are the documented API, and renaming them would
// break every caller for no change in behaviour. The vendor is named by
// API (GitGuardian, Box, Freestyle, BIMData, Portworx: the one order every
// list follows). Vendors describes each vendor (display name, default base
// URL, option names, environment variables, default rate limit), and
// Operations lists every REST operation the SDK wraps (HTTP method, path
// template, retry class, the vendor document's operation id), both as
// each vendor's file writes them once; a fake server, a contract test or a
// command iterates them rather than keeping its own list.
//
// # Client
//
// NewClient takes functional options: a credential per API you use
// (WithGitGuardianAPIKey, WithBoxAccessToken or WithBoxTokenSource, ...),
// optional base URLs, retry and logging settings, or WithEnv to read the
// vendors' usual environment variables. The Client is immutable and safe for
// concurrent use. Every method takes a context first and optional
// RequestOptions (extra headers, CaptureResponse) last, and its doc comment
// names the REST operation it calls.
//
//	client, err := invitations.NewClient(invitations.WithEnv()) // e.g. GITGUARDIAN_API_KEY
//	if err != nil {
//		return err
//	}
//	inv, err := client.Invitations.CreateInvitations(ctx,
//		&models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}, nil)
//	if err != nil {
//		return err
//	}
//	for m, err := range client.Memberships.GetGroupMemberships(ctx, groupID, nil).All() {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.ID, inv.ID) // pages are fetched as the loop advances
//	}
//
// An API that was not configured returns ErrNoCredential, naming the option
// to set, before sending anything.
//
// # Pagination
//
// Every list the vendor pages returns a *Pager at once, without I/O.
// Ranging over its All method fetches pages lazily, stops fetching when the
// loop breaks, and yields an error at most once; Pages yields whole pages
// with totals and cursors. A Pager can be ranged again and starts over. Two
// lists come whole from their vendors and return a slice instead:
// SSO.GetInvitations (BIMData) and Identity.ListGitTokens (Freestyle).
//
// # Errors
//
// A non-2xx answer is an *APIError (status, vendor code and message, field
// errors, request id, Retry-After, the start of the body), matched by
// errors.Is against ErrNotFound, ErrUnauthorized, ErrForbidden, ErrConflict
// and ErrRateLimited. Bad input is a *ValidationError naming the parameter,
// returned before any request. A 2xx body that cannot be decoded is a
// *DecodeError. No error, log record or printed value holds a credential.
//
// # Retries
//
// Calls safe to repeat are retried on network errors and on 429, 500, 502,
// 503 and 504; calls that create or send something only on 429 or when the
// connection was never made, so nothing is done twice by the SDK itself.
// Retry-After is honoured up to a cap, backoff is jittered, and every wait
// ends when the context is cancelled.
//
// # Testing
//
// Package invitationstest is an in-process fake of all five APIs, with demo
// data, fault injection and a request log; NewTestServer starts one for a
// test, and its Client does not wait between retries. The demo data's ids
// are exported constants (DemoPersonEmail, BoxDemoGroupID,
// PortworxDemoTenantID, ...). The command `invitations fake` serves it on
// a port, with a JSON admin API under /_fake/, for tests in other languages.
//
// # Examples
//
// The programs in examples/ run on the embedded fake when no vendor
// credentials are set, and on the real APIs whose variables are set:
// onboard (invite one person everywhere), offboard (find and revoke
// everything tied to an email; on the fake, DemoPersonEmail's) and pending
// (stream every pending invitation).
package invitations
