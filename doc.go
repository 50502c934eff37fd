// Package invitations is a client for five SaaS APIs that invite, admit and
// remove people: GitGuardian workspace invitations (Client.Invitations),
// Box group memberships (Client.Memberships), Freestyle identities and
// permissions (Client.Identity), BIMData identity-provider invitations
// (Client.SSO) and Portworx account invitations (Client.AccountInvitations).
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
// # Pagination
//
// List methods return a *Pager at once, without I/O. Ranging over its All
// method fetches pages lazily, stops fetching when the loop breaks, and
// yields an error at most once; Pages yields whole pages with totals and
// cursors. A Pager can be ranged again and starts over.
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
// data, fault injection and a request log.
package invitations
