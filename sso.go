package invitations

// BIMDataBaseURL is the production BIMData API.
const BIMDataBaseURL = "https://api.bimdata.io"

func bimDataAPI() apiConfig {
	return apiConfig{
		name:             "BIMData",
		baseURL:          BIMDataBaseURL,
		baseURLOption:    "WithBIMDataBaseURL",
		credentialOption: "WithBIMDataAccessToken or WithBIMDataAPIKey",
		decodeError:      decodeDRFError,
	}
}

// WithBIMDataAccessToken sets a BIMData OAuth access token, sent as
// "Authorization: Bearer <token>".
func WithBIMDataAccessToken(token string) Option {
	return withStaticCredential(bimData, "WithBIMDataAccessToken", "Bearer", token)
}

// WithBIMDataAPIKey sets a BIMData API key, sent as "Authorization: ApiKey <key>".
func WithBIMDataAPIKey(key string) Option {
	return withStaticCredential(bimData, "WithBIMDataAPIKey", "ApiKey", key)
}

// WithBIMDataBaseURL points the SSO service at another BIMData API base.
func WithBIMDataBaseURL(baseURL string) Option {
	return withBaseURL(bimData, "WithBIMDataBaseURL", baseURL)
}

// SSOService calls the BIMData identity-provider invitations and user deletion endpoints.
type SSOService struct {
	client *Client
}
