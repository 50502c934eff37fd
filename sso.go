package invitations

import (
	"context"
	"iter"
	"net/http"

	"github.com/invitesdk/invitations/models"
)

// BIMData API base URLs. Paths carry no version prefix. On-premises
// installations serve the API from their own URL (WithBIMDataBaseURL).
const (
	// BIMDataBaseURL is the production BIMData API, the default.
	BIMDataBaseURL = "https://api.bimdata.io"
	// BIMDataStagingBaseURL is BIMData's staging API.
	BIMDataStagingBaseURL = "https://api-staging.bimdata.io"
)

func bimDataAPI() apiConfig {
	return apiConfig{
		name:             "BIMData",
		baseURL:          BIMDataBaseURL,
		baseURLOption:    "WithBIMDataBaseURL",
		credentialOption: "WithBIMDataAccessToken or WithBIMDataAPIKey",
		// Django REST framework: {"detail": "..."} or a map of field errors.
		decodeError: decodeDRFError,
	}
}

// WithBIMDataAccessToken sets a BIMData OAuth access token (BIMData
// Connect, for example from the client-credentials flow), sent as
// "Authorization: Bearer <token>". It replaces a key set by WithBIMDataAPIKey.
func WithBIMDataAccessToken(token string) Option {
	return withStaticCredential(BIMData, "WithBIMDataAccessToken", "Bearer", token)
}

// WithBIMDataAPIKey sets a BIMData application API key, sent as
// "Authorization: ApiKey <key>". It replaces a token set by
// WithBIMDataAccessToken.
func WithBIMDataAPIKey(key string) Option {
	return withStaticCredential(BIMData, "WithBIMDataAPIKey", "ApiKey", key)
}

// WithBIMDataBaseURL points the SSO service at another BIMData API base:
// BIMDataStagingBaseURL, an on-premises installation or a test server.
func WithBIMDataBaseURL(baseURL string) Option {
	return withBaseURL(BIMData, "WithBIMDataBaseURL", baseURL)
}

// SSOService calls the BIMData identity-provider invitations and user
// deletion endpoints. They serve identity-provider applications (an
// organisation's own OIDC or SAML login plugged into BIMData Connect),
// which receive the invitations meant for their users and accept or deny
// them. The invitation routes require the org:manage scope.
type SSOService struct {
	client *Client
}

// GetInvitationsOptions filters GET /identity-provider/invitation. The zero
// value (or nil) lists every invitation.
type GetInvitationsOptions struct {
	// Status keeps only the invitations in this state.
	Status models.BIMDataInvitationStatus `url:"status,omitempty"`
}

// AcceptInvitation accepts an invitation: a user who already exists is
// added to the cloud (and project) at once, otherwise on their first
// login. A denied invitation can still be accepted.
//
// Accepting grants access, so the call is not repeated after an answer
// that leaves its effect unknown (a 5xx or a dropped connection); it is
// retried only on 429 or when the connection was never made. After such an
// error, GetInvitation tells whether the status became accepted.
//
// BIMData API: POST /identity-provider/invitation/{id}/accept
func (s *SSOService) AcceptInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) error {
	return s.decide(ctx, "identity-provider/invitation/{}/accept", invitationID, reqOpts)
}

// DenyInvitation denies an invitation: its status becomes denied and the
// user is not added. The invitation can still be accepted later.
//
// Like AcceptInvitation, it is a one-time state change and is not
// repeated after a 5xx or a dropped connection, so that a late retry
// cannot overturn a decision taken in between; check GetInvitation instead.
//
// BIMData API: POST /identity-provider/invitation/{id}/deny
func (s *SSOService) DenyInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) error {
	return s.decide(ctx, "identity-provider/invitation/{}/deny", invitationID, reqOpts)
}

// decide sends a bodiless accept or deny POST, answered 204.
func (s *SSOService) decide(ctx context.Context, format string, invitationID int64, reqOpts []RequestOption) error {
	// Not idempotent: each call moves the invitation through its states
	// once (pending, accepted, denied) and accepting adds the user to the
	// cloud and project. The API does not document what a repeat does,
	// and a retry landing after another decision would overturn it.
	r := newRequest(BIMData, http.MethodPost, format, Unsafe).withParams(intParam("invitationID", invitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetInvitation returns one invitation of the identity provider. An
// unknown id, or one the caller may not see, is an *APIError matching
// ErrNotFound.
//
// BIMData API: GET /identity-provider/invitation/{id}
func (s *SSOService) GetInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) (*models.BIMDataInvitation, error) {
	r := newRequest(BIMData, http.MethodGet, "identity-provider/invitation/{}", Idempotent).
		withParams(intParam("invitationID", invitationID))
	return doJSON[models.BIMDataInvitation](ctx, s.client, r, reqOpts)
}

// GetInvitations returns every invitation of the identity provider,
// optionally filtered by status. The API does not paginate this list: it
// answers with one JSON array, returned whole as a slice (not a Pager). An
// empty list, or a body of null, is an empty non-nil slice.
//
// BIMData API: GET /identity-provider/invitation
func (s *SSOService) GetInvitations(ctx context.Context, opts *GetInvitationsOptions, reqOpts ...RequestOption) ([]models.BIMDataInvitation, error) {
	r := newRequest(BIMData, http.MethodGet, "identity-provider/invitation", Idempotent).withQuery(opts).nullAsEmpty()
	out, err := doJSON[[]models.BIMDataInvitation](ctx, s.client, r, reqOpts)
	if err != nil {
		return nil, err
	}
	if *out == nil {
		return []models.BIMDataInvitation{}, nil
	}
	return *out, nil
}

// StreamInvitations yields what GetInvitations returns, one invitation at
// a time, decoding the answer as the loop asks for the next: memory stays
// bounded by one invitation however many the identity provider holds (the
// API answers with one unpaginated array). A failure is yielded once, last;
// breaking the loop stops reading the answer. It is GetInvitations's
// request, for lists too long to hold whole.
//
// BIMData API: GET /identity-provider/invitation
func (s *SSOService) StreamInvitations(ctx context.Context, opts *GetInvitationsOptions, reqOpts ...RequestOption) iter.Seq2[models.BIMDataInvitation, error] {
	r := newRequest(BIMData, http.MethodGet, "identity-provider/invitation", Idempotent).withQuery(opts)
	return doStream[models.BIMDataInvitation](ctx, s.client, r, reqOpts)
}

// DeleteUser deletes the BIMData user with this email, along with every
// cloud in which that user is the only member. The user is named in a
// JSON body {"email": ...}, which the route requires even though some
// generated BIMData clients send none.
//
// A user who exists at the identity provider and in BIMData's login
// service but never called the API cannot be deleted this way; BIMData
// documents this case as unhandled.
//
// The call is retried after a 5xx like any DELETE: deleting a user twice
// leaves the same state. A retry that follows a deletion whose answer was
// lost may then fail with a 4xx although the user is gone.
//
// BIMData API: DELETE /identity-provider/user
func (s *SSOService) DeleteUser(ctx context.Context, email string, reqOpts ...RequestOption) error {
	r := newRequest(BIMData, http.MethodDelete, "identity-provider/user", Idempotent).
		withBody(models.BIMDataSelectUserRequest{Email: email}).check(checkEmail("email", email))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}
