package invitations

func portworxAPI() apiConfig {
	return apiConfig{
		name:             "Portworx",
		baseURLOption:    "WithPortworxBaseURL",
		credentialOption: "WithPortworxAccessToken",
	}
}

// WithPortworxAccessToken sets the Portworx access token, sent as
// "Authorization: Bearer <token>".
func WithPortworxAccessToken(token string) Option {
	return withStaticCredential(portworx, "WithPortworxAccessToken", "Bearer", token)
}

// WithPortworxBaseURL sets the Portworx REST gateway base URL. Portworx has
// no public default: it is required to use AccountInvitations.
func WithPortworxBaseURL(baseURL string) Option {
	return withBaseURL(portworx, "WithPortworxBaseURL", baseURL)
}

// AccountInvitationsService calls the Portworx account, tenant and project invitations endpoints.
type AccountInvitationsService struct {
	client *Client
}
