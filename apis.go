package invitations

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// API names one of the five vendor APIs, for calls the SDK does not wrap
// (Client.Do) and for settings that apply to one API.
type API int

// The vendor APIs a Client talks to.
const (
	GitGuardian API = iota // GitGuardian public API (Invitations)
	BIMData                // BIMData identity-provider API (SSO)
	Box                    // Box Platform API (Memberships)
	Freestyle              // Freestyle identity API (Identity)
	Portworx               // Portworx REST gateway (AccountInvitations)
	numAPIs
)

// String returns the vendor's name, e.g. "GitGuardian".
func (a API) String() string {
	switch a {
	case GitGuardian:
		return "GitGuardian"
	case BIMData:
		return "BIMData"
	case Box:
		return "Box"
	case Freestyle:
		return "Freestyle"
	case Portworx:
		return "Portworx"
	}
	return "API(" + strconv.Itoa(int(a)) + ")"
}

// apiConfig is everything the core needs to talk to one vendor API. Each
// vendor's file provides its defaults; options override base URL and
// credential.
type apiConfig struct {
	id               API
	name             string // vendor name used in errors, e.g. "GitGuardian"
	baseURL          string // no trailing slash; "" until set when there is no default
	baseURLOption    string // option that sets baseURL, named in errors
	credentialOption string // option(s) that set the credential, named in errors
	credential       credential
	header           http.Header // fixed headers sent on every request to this API
	// decodeError fills the vendor fields of e from an error body.
	decodeError func(e *APIError, body []byte)
}

func defaultAPIs() [numAPIs]apiConfig {
	apis := [numAPIs]apiConfig{
		GitGuardian: gitGuardianAPI(),
		BIMData:     bimDataAPI(),
		Box:         boxAPI(),
		Freestyle:   freestyleAPI(),
		Portworx:    portworxAPI(),
	}
	for i := range apis {
		apis[i].id = API(i)
	}
	return apis
}

// credential produces the Authorization header value for a request.
// Implementations must never reveal the secret through fmt or slog.
type credential interface {
	authorization(ctx context.Context) (string, error)
}

// staticCredential is a fixed header value such as "Token <key>". The
// value sits behind a pointer: fmt prints a nested pointer as an address,
// so even %+v of a Client value (whose String method is on the pointer)
// cannot reveal it.
type staticCredential struct{ value *string }

func (s staticCredential) authorization(context.Context) (string, error) { return *s.value, nil }
func (staticCredential) String() string                                  { return "[redacted]" }
func (staticCredential) GoString() string                                { return "[redacted]" }

// withStaticCredential builds the option that sets a fixed credential sent
// as "<scheme> <secret>".
func withStaticCredential(id API, option, scheme, secret string) Option {
	return func(c *config) error {
		if err := checkSecret(option, secret); err != nil {
			return err
		}
		value := scheme + " " + secret
		c.apis[id].credential = staticCredential{value: &value}
		return nil
	}
}

// withBaseURL builds the option that points one API at another base URL
// (a region, a self-hosted instance, a proxy or a test server).
func withBaseURL(id API, option, raw string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(option, raw)
		if err != nil {
			return err
		}
		c.apis[id].baseURL = u
		return nil
	}
}

// checkSecret rejects credentials that would be malformed or dangerous in a
// header (CR/LF injection, spaces, non-ASCII). The value itself is never
// echoed back.
func checkSecret(option, secret string) error {
	if strings.TrimSpace(secret) == "" {
		return &ValidationError{Param: option, Reason: "must not be empty"}
	}
	for i := 0; i < len(secret); i++ {
		if secret[i] <= 0x20 || secret[i] > 0x7e {
			return &ValidationError{Param: option, Reason: "must be printable ASCII without spaces or line breaks"}
		}
	}
	return nil
}
