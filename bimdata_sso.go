package invitations

import (
	"context"
	"iter"
	"net/http"
	"slices"

	"github.com/invitesdk/invitations/models"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// BIMData API base URLs. Paths carry no version prefix. On-premises
// installations serve the API from their own URL (WithBIMDataBaseURL).
const (
	// BIMDataBaseURL is the production BIMData API, the default.
	BIMDataBaseURL = "https://api.bimdata.io"
	// BIMDataStagingBaseURL is BIMData's staging API.
	BIMDataStagingBaseURL = "https://api-staging.bimdata.io"
)

// bimDataVendor is what the SDK knows about BIMData's API.
var bimDataVendor = vendor{
	VendorInfo: VendorInfo{
		API:              BIMData,
		Name:             "BIMData",
		DefaultBaseURL:   BIMDataBaseURL,
		BaseURLOption:    "WithBIMDataBaseURL",
		CredentialOption: "WithBIMDataAccessToken or WithBIMDataAPIKey",
	},
	env: []envSetting{
		{EnvVar: EnvVar{Name: EnvBIMDataAPIKey}, credential: &bimDataAPIKey},
		{EnvVar: EnvVar{Name: EnvBIMDataAccessToken, Note: "wins over " + EnvBIMDataAPIKey}, credential: &bimDataAccessToken},
	},
	// Django REST framework: {"detail": "..."} or a map of field errors.
	decodeError: decodeDRFError,
	operations:  slices.Concat(bimDataOperations, bimDataCollaborationOperations),
}

var (
	bimDataAccessToken = credentialKind{option: "WithBIMDataAccessToken", scheme: "Bearer"}
	bimDataAPIKey      = credentialKind{option: "WithBIMDataAPIKey", scheme: "ApiKey"}
)

// BIMData's operations, the rows SSOService builds its requests from.
// StreamInvitations makes the GetInvitations request and reads its answer
// as a stream: one operation, two ways to read it.
var (
	bimDataAcceptInvitation = &Operation{API: BIMData, Service: "SSO", Method: "AcceptInvitation",
		HTTPMethod: http.MethodPost, Path: "/identity-provider/invitation/{id}/accept", Retry: Unsafe, DocOperationID: "acceptInvitation"}
	bimDataDenyInvitation = &Operation{API: BIMData, Service: "SSO", Method: "DenyInvitation",
		HTTPMethod: http.MethodPost, Path: "/identity-provider/invitation/{id}/deny", Retry: Unsafe, DocOperationID: "denyInvitation"}
	bimDataGetInvitation = &Operation{API: BIMData, Service: "SSO", Method: "GetInvitation",
		HTTPMethod: http.MethodGet, Path: "/identity-provider/invitation/{id}", Retry: Idempotent, DocOperationID: "getInvitation"}
	bimDataGetInvitations = &Operation{API: BIMData, Service: "SSO", Method: "GetInvitations",
		HTTPMethod: http.MethodGet, Path: "/identity-provider/invitation", Retry: Idempotent, DocOperationID: "getInvitations"}
	bimDataDeleteUser = &Operation{API: BIMData, Service: "SSO", Method: "DeleteUser",
		HTTPMethod: http.MethodDelete, Path: "/identity-provider/user", Retry: Idempotent, DocOperationID: "deleteUser"}

	bimDataOperations = operationTable(bimDataAcceptInvitation, bimDataDenyInvitation, bimDataGetInvitation, bimDataGetInvitations, bimDataDeleteUser)
)

// WithBIMDataAccessToken sets a BIMData OAuth access token (BIMData
// Connect, for example from the client-credentials flow), sent as
// "Authorization: Bearer <token>". It replaces a key set by WithBIMDataAPIKey.
func WithBIMDataAccessToken(token string) Option {
	return withStaticCredential(BIMData, bimDataAccessToken, token)
}

// WithBIMDataAPIKey sets a BIMData application API key, sent as
// "Authorization: ApiKey <key>". It replaces a token set by
// WithBIMDataAccessToken.
func WithBIMDataAPIKey(key string) Option {
	return withStaticCredential(BIMData, bimDataAPIKey, key)
}

// WithBIMDataBaseURL points the SSO service at another BIMData API base:
// BIMDataStagingBaseURL, an on-premises installation or a test server.
func WithBIMDataBaseURL(baseURL string) Option {
	return withBaseURL(BIMData, baseURL)
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
	return s.decide(ctx, bimDataAcceptInvitation, invitationID, reqOpts)
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
	return s.decide(ctx, bimDataDenyInvitation, invitationID, reqOpts)
}

// decide sends a bodiless accept or deny POST, answered 204.
func (s *SSOService) decide(ctx context.Context, op *Operation, invitationID int64, reqOpts []RequestOption) error {
	// Not idempotent: each call moves the invitation through its states
	// once (pending, accepted, denied) and accepting adds the user to the
	// cloud and project. The API does not document what a repeat does,
	// and a retry landing after another decision would overturn it.
	r := op.request().withParams(intParam("invitationID", invitationID))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// GetInvitation returns one invitation of the identity provider. An
// unknown id, or one the caller may not see, is an *APIError matching
// ErrNotFound.
//
// BIMData API: GET /identity-provider/invitation/{id}
func (s *SSOService) GetInvitation(ctx context.Context, invitationID int64, reqOpts ...RequestOption) (*models.BIMDataInvitation, error) {
	r := bimDataGetInvitation.request().
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
	r := bimDataGetInvitations.request().withQuery(opts).nullAsEmpty()
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
	r := bimDataGetInvitations.request().withQuery(opts)
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
	r := bimDataDeleteUser.request().
		withBody(models.BIMDataSelectUserRequest{Email: email}).check(checkEmail("email", email))
	_, err := s.client.do(ctx, r, nil, reqOpts)
	return err
}

// BIMDataTokenURL issues BIMData application tokens (Keycloak). Newer
// deployments may serve it without the "/auth" prefix: pass the URL your
// instance uses to BIMDataClientCredentials.
const BIMDataTokenURL = "https://iam.bimdata.io/auth/realms/bimdata/protocol/openid-connect/token"

// WithBIMDataTokenSource takes BIMData access tokens from ts, refreshed as
// they expire: for example BIMDataClientCredentials.
func WithBIMDataTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(BIMData, "WithBIMDataTokenSource", ts)
}

// BIMDataClientCredentials returns a token source for a BIMData
// application's client-credentials token: a form-encoded POST of
// grant_type=client_credentials, client_id and client_secret to tokenURL
// (BIMDataTokenURL when empty), renewed when it expires.
func BIMDataClientCredentials(ctx context.Context, clientID, clientSecret, tokenURL string) (oauth2.TokenSource, error) {
	if err := firstError(checkRequired("clientID", clientID), checkRequired("clientSecret", clientSecret)); err != nil {
		return nil, err
	}
	u, err := tokenEndpoint("tokenURL", tokenURL, BIMDataTokenURL)
	if err != nil {
		return nil, err
	}
	cfg := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     u,
		AuthStyle:    oauth2.AuthStyleInParams, // as BIMData's documentation shows
	}
	return cfg.TokenSource(ctx), nil
}
