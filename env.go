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
//	FREESTYLE_API_KEY      WithFreestyleAPIKey         Freestyle
//	BIMDATA_API_KEY        WithBIMDataAPIKey           BIMData
//	BIMDATA_ACCESS_TOKEN   WithBIMDataAccessToken      BIMData (wins over BIMDATA_API_KEY)
//	PX_CENTRAL_URL         WithPortworxBaseURL         Portworx
//	PX_ACCESS_TOKEN        WithPortworxAccessToken     Portworx
const (
	EnvGitGuardianAPIKey   = "GITGUARDIAN_API_KEY"
	EnvGitGuardianAPIURL   = "GITGUARDIAN_API_URL"
	EnvBoxAccessToken      = "BOX_ACCESS_TOKEN"
	EnvFreestyleAPIKey     = "FREESTYLE_API_KEY"
	EnvBIMDataAPIKey       = "BIMDATA_API_KEY"
	EnvBIMDataAccessToken  = "BIMDATA_ACCESS_TOKEN"
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
//	FREESTYLE_API_KEY      WithFreestyleAPIKey
//	BIMDATA_API_KEY        WithBIMDataAPIKey
//	BIMDATA_ACCESS_TOKEN   WithBIMDataAccessToken (wins over BIMDATA_API_KEY)
//	PX_CENTRAL_URL         WithPortworxBaseURL
//	PX_ACCESS_TOKEN        WithPortworxAccessToken
//
// The names are also the constants EnvGitGuardianAPIKey and the like, and
// each vendor's are listed by Vendors (VendorInfo.Env).
func WithEnv() Option {
	return withEnvLookup(os.Getenv)
}

// withEnvLookup is WithEnv reading variables through getenv. It applies
// each vendor's variables in the order its descriptor lists them.
func withEnvLookup(getenv func(string) string) Option {
	return func(c *config) error {
		for _, v := range vendors {
			for _, e := range v.env {
				value := strings.TrimSpace(getenv(e.Name))
				if value == "" {
					continue
				}
				if e.transform != nil {
					value = e.transform(value)
				}
				opt := withBaseURL(v.API, value)
				if e.credential != nil {
					opt = withStaticCredential(v.API, *e.credential, value)
				}
				if err := opt(c); err != nil {
					if verr, ok := err.(*ValidationError); ok {
						return &ValidationError{Param: e.Name, Reason: verr.Reason}
					}
					return err
				}
			}
		}
		return nil
	}
}
