package invitations

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// API names a vendor API, for calls the SDK does not wrap (Client.Do), for
// settings that apply to one API and as the vendor's key in tables and
// state files. Its value is the vendor's lower-case key, e.g. "box". A
// vendor the SDK does not ship is just another value (API("acme")): the
// Client refuses to call it, but layers above the SDK may use it to name
// their own connectors.
type API string

// The vendor APIs a Client talks to, in the order every list of vendors
// follows.
const (
	GitGuardian API = "gitguardian" // GitGuardian public API (Invitations, Members)
	Box         API = "box"         // Box Platform API (Memberships)
	Freestyle   API = "freestyle"   // Freestyle identity API (Identity)
	BIMData     API = "bimdata"     // BIMData identity-provider API (SSO)
	Portworx    API = "portworx"    // Portworx REST gateway (AccountInvitations)
)

// String returns the API's key, e.g. "box".
func (a API) String() string { return string(a) }

// Name returns the vendor's display name, e.g. "Box", as errors and logs
// show it; for an API the SDK does not ship, its key.
func (a API) Name() string {
	if v := a.vendor(); v != nil {
		return v.Name
	}
	return string(a)
}

// Info returns the descriptor of a vendor the SDK ships; false for any
// other API.
func (a API) Info() (VendorInfo, bool) {
	if v := a.vendor(); v != nil {
		return v.info(), true
	}
	return VendorInfo{}, false
}

// VendorInfo describes one vendor API the SDK ships: what a program
// needs to configure it without naming the vendor in its own code.
type VendorInfo struct {
	// API is the vendor's key.
	API API
	// Name is the display name used in errors and logs, e.g. "GitGuardian".
	Name string
	// DefaultBaseURL is the production base URL; "" when the vendor has no
	// public one (Portworx) and the base URL option is required.
	DefaultBaseURL string
	// BaseURLOption is the option that sets the base URL, e.g.
	// "WithBoxBaseURL".
	BaseURLOption string
	// CredentialOption names the option(s) that set the credential, as
	// errors name them, e.g. "WithBIMDataAccessToken or WithBIMDataAPIKey".
	CredentialOption string
	// AuthScheme is the Authorization scheme the credential is sent
	// with, e.g. "Bearer"; "ApiKey or Bearer" when the vendor takes two
	// kinds of credential.
	AuthScheme string
	// Env lists the environment variables WithEnv reads for this vendor,
	// in the order it applies them.
	Env []EnvVar
	// DefaultRequestsPerMinute is the client-side budget a Client starts
	// with (see WithRateLimit); 0 when the vendor publishes none. A
	// vendor's budget may apply to its hosted API only: GitGuardian's does
	// not apply to a self-hosted base URL.
	DefaultRequestsPerMinute float64
}

// EnvVar is an environment variable WithEnv reads.
type EnvVar struct {
	// Name is the variable, e.g. "GITGUARDIAN_API_KEY".
	Name string
	// Option is the option its value is given to, e.g.
	// "WithGitGuardianAPIKey".
	Option string
	// Note says how the value is used beyond that, e.g. "a trailing /v1
	// is dropped"; "" when nothing needs saying.
	Note string
}

// Vendors returns the descriptors of the vendors the SDK ships, in the one
// order (GitGuardian, Box, Freestyle, BIMData, Portworx). The slice is the
// caller's to keep.
func Vendors() []VendorInfo {
	out := make([]VendorInfo, len(vendors))
	for i, v := range vendors {
		out[i] = v.info()
	}
	return out
}

// Configured reports whether the variables getenv returns are enough for
// WithEnv to make the vendor usable: a credential, and a base URL when the
// vendor has no default. When they are not, need says which variables to
// set, e.g. "BIMDATA_API_KEY or BIMDATA_ACCESS_TOKEN" or "PX_CENTRAL_URL
// and PX_ACCESS_TOKEN". Blank values count as unset, as in WithEnv.
func (v VendorInfo) Configured(getenv func(string) string) (ok bool, need string) {
	set := func(name string) bool { return strings.TrimSpace(getenv(name)) != "" }
	var urls, creds []string
	urlOK, credOK := v.DefaultBaseURL != "", false
	for _, e := range v.Env {
		switch e.Option {
		case v.BaseURLOption:
			if v.DefaultBaseURL == "" {
				urls = append(urls, e.Name)
				urlOK = urlOK || set(e.Name)
			}
		default:
			creds = append(creds, e.Name)
			credOK = credOK || set(e.Name)
		}
	}
	if urlOK && credOK {
		return true, ""
	}
	need = strings.Join(creds, " or ")
	if len(urls) > 0 {
		need = strings.Join(urls, " or ") + " and " + need
	}
	return false, need
}

// vendor is everything the SDK knows about one vendor API. Each vendor's
// service file writes its own, once; the rest of the SDK iterates vendors
// and never names a vendor.
type vendor struct {
	VendorInfo // Env is left nil: env holds the variables
	// env lists the variables WithEnv reads, in the order it applies
	// them (a later one wins over an earlier one setting the same thing).
	env []envSetting
	// rateApplies, when set, reports whether DefaultRequestsPerMinute
	// applies to a base URL; nil: it always does.
	rateApplies func(baseURL string) bool
	// decodeError fills the vendor fields of an *APIError from its body.
	decodeError func(e *APIError, body []byte)
	// operations are the vendor's rows of the operation table, in the
	// order of its service files.
	operations []*Operation
}

// envSetting is one variable WithEnv reads and what it sets: the
// credential, or (credential nil) the base URL.
type envSetting struct {
	EnvVar     // Option is left empty: it follows from credential
	credential *credentialKind
	// transform, when set, rewrites the value first.
	transform func(string) string
}

// option is the option e's value is given to.
func (e *envSetting) option(v *vendor) string {
	if e.credential != nil {
		return e.credential.option
	}
	return v.BaseURLOption
}

// credentialKind is one kind of credential a vendor takes: the option
// that sets it and the Authorization scheme it is sent with.
type credentialKind struct {
	option string
	scheme string
}

// vendors are the vendors the SDK ships, in the one order. The per-API
// arrays of a Client are indexed by position in it.
var vendors = [...]*vendor{&gitGuardianVendor, &boxVendor, &freestyleVendor, &bimDataVendor, &portworxVendor}

// numAPIs is the number of vendors the SDK ships.
const numAPIs = len(vendors)

// vendor returns a's descriptor, nil for an API the SDK does not ship.
func (a API) vendor() *vendor {
	if i, ok := a.index(); ok {
		return vendors[i]
	}
	return nil
}

// index is a's position in vendors, the index of its per-API settings.
func (a API) index() (int, bool) {
	for i, v := range vendors {
		if v.API == a {
			return i, true
		}
	}
	return -1, false
}

// info is v's exported descriptor, with its own copy of Env.
func (v *vendor) info() VendorInfo {
	info := v.VendorInfo
	info.Env = make([]EnvVar, len(v.env))
	var schemes []string
	for i, e := range v.env {
		info.Env[i] = e.EnvVar
		info.Env[i].Option = e.option(v)
		if e.credential != nil && !slices.Contains(schemes, e.credential.scheme) {
			schemes = append(schemes, e.credential.scheme)
		}
	}
	if info.AuthScheme == "" {
		slices.Sort(schemes)
		info.AuthScheme = strings.Join(schemes, " or ")
	}
	return info
}

// knownAPIs is the reason given for an API the SDK does not ship.
func knownAPIs() string {
	names := make([]string, len(vendors))
	for i, v := range vendors {
		names[i] = v.Name
	}
	return "must be one of " + strings.Join(names, ", ")
}

// apiConfig is everything the core needs to talk to one vendor API: the
// vendor's descriptor, and the base URL and credential the options set.
type apiConfig struct {
	*vendor
	index      int    // position in vendors and in every per-API array
	baseURL    string // no trailing slash; "" until set when there is no default
	credential credential
	header     http.Header // fixed headers sent on every request to this API
}

func defaultAPIs() [numAPIs]apiConfig {
	var apis [numAPIs]apiConfig
	for i, v := range vendors {
		apis[i] = apiConfig{vendor: v, index: i, baseURL: v.DefaultBaseURL}
	}
	return apis
}

// api returns the settings of a, nil for an API the SDK does not ship.
func (cfg *config) api(a API) *apiConfig {
	if i, ok := a.index(); ok {
		return &cfg.apis[i]
	}
	return nil
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

// withStaticCredential builds the option that sets a fixed credential of
// kind, sent as "<scheme> <secret>".
func withStaticCredential(id API, kind credentialKind, secret string) Option {
	return func(c *config) error {
		if err := checkSecret(kind.option, secret); err != nil {
			return err
		}
		api := c.api(id)
		if api == nil {
			return &ValidationError{Param: kind.option, Reason: "is not an option of a vendor the SDK ships"}
		}
		value := kind.scheme + " " + secret
		api.credential = staticCredential{value: &value}
		return nil
	}
}

// withBaseURL builds the option that points one API at another base URL
// (a region, a self-hosted instance, a proxy or a test server).
func withBaseURL(id API, raw string) Option {
	return func(c *config) error {
		api := c.api(id)
		if api == nil {
			return &ValidationError{Param: "base URL of " + string(id), Reason: knownAPIs()}
		}
		u, err := parseBaseURL(api.BaseURLOption, raw)
		if err != nil {
			return err
		}
		api.baseURL = u
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
