package invitations

// FreestyleBaseURL is the production Freestyle API.
const FreestyleBaseURL = "https://api.freestyle.sh"

func freestyleAPI() apiConfig {
	return apiConfig{
		name:             "Freestyle",
		baseURL:          FreestyleBaseURL,
		baseURLOption:    "WithFreestyleBaseURL",
		credentialOption: "WithFreestyleAPIKey",
	}
}

// WithFreestyleAPIKey sets the Freestyle API key, sent as "Authorization: Bearer <key>".
func WithFreestyleAPIKey(key string) Option {
	return withStaticCredential(freestyle, "WithFreestyleAPIKey", "Bearer", key)
}

// WithFreestyleBaseURL points the Identity service at another Freestyle API base.
func WithFreestyleBaseURL(baseURL string) Option {
	return withBaseURL(freestyle, "WithFreestyleBaseURL", baseURL)
}

// IdentityService calls the Freestyle identities, git tokens and git and VM permissions endpoints.
type IdentityService struct {
	client *Client
}
