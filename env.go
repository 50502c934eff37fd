package invitations

import (
	"os"
	"strings"
)

// Environment variables read by WithEnv. They are the ones the vendors'
// own tools use where such a convention exists.
//
//	variable               sets                        API
//	GITGUARDIAN_API_KEY    WithGitGuardianAPIKey       GitGuardian
//	GITGUARDIAN_API_URL    WithGitGuardianBaseURL      GitGuardian (EU or self-hosted; a trailing /v1 is dropped)
//	BOX_ACCESS_TOKEN       WithBoxAccessToken          Box
//	BIMDATA_API_KEY        WithBIMDataAPIKey           BIMData
//	BIMDATA_ACCESS_TOKEN   WithBIMDataAccessToken      BIMData (wins over BIMDATA_API_KEY)
//	FREESTYLE_API_KEY      WithFreestyleAPIKey         Freestyle
//	PX_CENTRAL_URL         WithPortworxBaseURL         Portworx
//	PX_ACCESS_TOKEN        WithPortworxAccessToken     Portworx
const (
	EnvGitGuardianAPIKey   = "GITGUARDIAN_API_KEY"
	EnvGitGuardianAPIURL   = "GITGUARDIAN_API_URL"
	EnvBoxAccessToken      = "BOX_ACCESS_TOKEN"
	EnvBIMDataAPIKey       = "BIMDATA_API_KEY"
	EnvBIMDataAccessToken  = "BIMDATA_ACCESS_TOKEN"
	EnvFreestyleAPIKey     = "FREESTYLE_API_KEY"
	EnvPortworxCentralURL  = "PX_CENTRAL_URL"
	EnvPortworxAccessToken = "PX_ACCESS_TOKEN"
)

// WithEnv configures every API whose variables are set in the process
// environment; unset or empty variables are skipped, so options given after
// WithEnv, or APIs left unconfigured, behave as usual. A malformed value
// makes NewClient fail, naming the variable. It reads:
//
//	GITGUARDIAN_API_KEY    WithGitGuardianAPIKey
//	GITGUARDIAN_API_URL    WithGitGuardianBaseURL (a trailing /v1 is dropped)
//	BOX_ACCESS_TOKEN       WithBoxAccessToken
//	BIMDATA_API_KEY        WithBIMDataAPIKey
//	BIMDATA_ACCESS_TOKEN   WithBIMDataAccessToken (wins over BIMDATA_API_KEY)
//	FREESTYLE_API_KEY      WithFreestyleAPIKey
//	PX_CENTRAL_URL         WithPortworxBaseURL
//	PX_ACCESS_TOKEN        WithPortworxAccessToken
//
// The names are also the constants EnvGitGuardianAPIKey and the like.
func WithEnv() Option {
	return withEnvLookup(os.Getenv)
}

// withEnvLookup is WithEnv reading variables through getenv.
func withEnvLookup(getenv func(string) string) Option {
	return func(c *config) error {
		set := []struct {
			name string
			opt  func(string) Option
		}{
			{EnvGitGuardianAPIURL, func(v string) Option {
				return WithGitGuardianBaseURL(strings.TrimSuffix(strings.TrimRight(v, "/"), "/v1"))
			}},
			{EnvGitGuardianAPIKey, WithGitGuardianAPIKey},
			{EnvBoxAccessToken, WithBoxAccessToken},
			{EnvBIMDataAPIKey, WithBIMDataAPIKey},
			{EnvBIMDataAccessToken, WithBIMDataAccessToken},
			{EnvFreestyleAPIKey, WithFreestyleAPIKey},
			{EnvPortworxCentralURL, WithPortworxBaseURL},
			{EnvPortworxAccessToken, WithPortworxAccessToken},
		}
		for _, s := range set {
			v := strings.TrimSpace(getenv(s.name))
			if v == "" {
				continue
			}
			if err := s.opt(v)(c); err != nil {
				if verr, ok := err.(*ValidationError); ok {
					return &ValidationError{Param: s.name, Reason: verr.Reason}
				}
				return err
			}
		}
		return nil
	}
}
