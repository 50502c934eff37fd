package invitations

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCredentialOptionsRejectUnsafeTokens(t *testing.T) {
	t.Parallel()
	options := map[string]func(string) Option{
		"WithGitGuardianAPIKey":   WithGitGuardianAPIKey,
		"WithBoxAccessToken":      WithBoxAccessToken,
		"WithFreestyleAPIKey":     WithFreestyleAPIKey,
		"WithBIMDataAccessToken":  WithBIMDataAccessToken,
		"WithBIMDataAPIKey":       WithBIMDataAPIKey,
		"WithPortworxAccessToken": WithPortworxAccessToken,
	}
	// Each holds the marker "tokpart", which must never be echoed.
	bad := map[string]string{
		"empty":           "",
		"blank":           "   ",
		"CR":              "tokpart\rX",
		"LF":              "tokpart\nX-Evil: 1",
		"CRLF":            "tokpart\r\nX-Evil: 1",
		"NUL":             "tokpart\x00",
		"space":           "tokpart more",
		"leading space":   " tokpart",
		"trailing space":  "tokpart ",
		"tab":             "tokpart\tX",
		"DEL":             "tokpart\x7f",
		"non-ASCII":       "tokpart-é",
		"non-ASCII space": "tokpart\u00a0X",
		"invalid UTF-8":   "tokpart\xff",
	}
	n := 0
	for option, build := range options {
		for name, secret := range bad {
			_, err := NewClient(build(secret))
			var verr *ValidationError
			if assert.ErrorAs(t, err, &verr, "%s with %s", option, name) {
				assert.Equal(t, option, verr.Param)
				assert.NotContains(t, err.Error(), "tokpart", "%s with %s: the value is never echoed", option, name)
				assert.NotContains(t, fmt.Sprintf("%+v %#v", err, err), "tokpart")
			}
			n++
		}
		_, err := NewClient(build("ok-" + option + "-123"))
		assert.NoError(t, err, option)
	}
	t.Logf("%d unsafe credentials rejected", n)
}

func TestAPIKeysAndNames(t *testing.T) {
	t.Parallel()
	for api, name := range map[API]string{GitGuardian: "GitGuardian", Box: "Box", Freestyle: "Freestyle", BIMData: "BIMData", Portworx: "Portworx"} {
		assert.Equal(t, strings.ToLower(name), api.String())
		assert.Equal(t, name, api.Name())
		info, ok := api.Info()
		require.True(t, ok, name)
		assert.Equal(t, api, info.API)
		assert.Equal(t, name, info.Name)
	}
	acme := API("acme")
	assert.Equal(t, "acme", acme.String())
	assert.Equal(t, "acme", acme.Name(), "a vendor the SDK does not ship is named by its key")
	_, ok := acme.Info()
	assert.False(t, ok)
	_, ok = acme.index()
	assert.False(t, ok)
}

func TestVendorsAreTheOneOrderAndIndexTheClient(t *testing.T) {
	t.Parallel()
	var got []API
	for i, v := range Vendors() {
		got = append(got, v.API)
		idx, ok := v.API.index()
		require.True(t, ok)
		assert.Equal(t, i, idx)
	}
	assert.Equal(t, []API{GitGuardian, Box, Freestyle, BIMData, Portworx}, got)

	c, err := NewClient()
	require.NoError(t, err)
	for i, v := range Vendors() {
		assert.Equal(t, v.API, c.cfg.apis[i].API, "the Client's settings follow the same order")
		assert.Equal(t, v.DefaultBaseURL, c.cfg.apis[i].baseURL)
	}
}

func TestVendorInfo(t *testing.T) {
	t.Parallel()
	want := map[API]VendorInfo{
		GitGuardian: {API: GitGuardian, Name: "GitGuardian", DefaultBaseURL: GitGuardianUSBaseURL, BaseURLOption: "WithGitGuardianBaseURL",
			CredentialOption: "WithGitGuardianAPIKey", AuthScheme: "Token", DefaultRequestsPerMinute: 50,
			Env: []EnvVar{
				{Name: EnvGitGuardianAPIURL, Option: "WithGitGuardianBaseURL", Note: "EU or self-hosted; a trailing /v1 is dropped"},
				{Name: EnvGitGuardianAPIKey, Option: "WithGitGuardianAPIKey"},
			}},
		Box: {API: Box, Name: "Box", DefaultBaseURL: BoxBaseURL, BaseURLOption: "WithBoxBaseURL",
			CredentialOption: "WithBoxAccessToken", AuthScheme: "Bearer", DefaultRequestsPerMinute: 1000,
			Env: []EnvVar{{Name: EnvBoxAccessToken, Option: "WithBoxAccessToken"}}},
		Freestyle: {API: Freestyle, Name: "Freestyle", DefaultBaseURL: FreestyleBaseURL, BaseURLOption: "WithFreestyleBaseURL",
			CredentialOption: "WithFreestyleAPIKey", AuthScheme: "Bearer",
			Env: []EnvVar{{Name: EnvFreestyleAPIKey, Option: "WithFreestyleAPIKey"}}},
		BIMData: {API: BIMData, Name: "BIMData", DefaultBaseURL: BIMDataBaseURL, BaseURLOption: "WithBIMDataBaseURL",
			CredentialOption: "WithBIMDataAccessToken or WithBIMDataAPIKey", AuthScheme: "ApiKey or Bearer",
			Env: []EnvVar{
				{Name: EnvBIMDataAPIKey, Option: "WithBIMDataAPIKey"},
				{Name: EnvBIMDataAccessToken, Option: "WithBIMDataAccessToken", Note: "wins over BIMDATA_API_KEY"},
			}},
		Portworx: {API: Portworx, Name: "Portworx", BaseURLOption: "WithPortworxBaseURL",
			CredentialOption: "WithPortworxAccessToken", AuthScheme: "Bearer",
			Env: []EnvVar{
				{Name: EnvPortworxCentralURL, Option: "WithPortworxBaseURL"},
				{Name: EnvPortworxAccessToken, Option: "WithPortworxAccessToken"},
			}},
	}
	vendors := Vendors()
	require.Len(t, vendors, len(want))
	for _, v := range vendors {
		assert.Equal(t, want[v.API], v, v.Name)
	}
	vendors[0].Env[0].Name = "CHANGED" // the caller's copy
	assert.Equal(t, EnvGitGuardianAPIURL, Vendors()[0].Env[0].Name)
}

func TestVendorConfiguredSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	info := func(api API) VendorInfo {
		v, ok := api.Info()
		require.True(t, ok)
		return v
	}
	lookup := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	for _, tc := range []struct {
		api  API
		vars map[string]string
		ok   bool
		need string
	}{
		{GitGuardian, nil, false, "GITGUARDIAN_API_KEY"},
		{GitGuardian, map[string]string{EnvGitGuardianAPIURL: "https://gg.example/exposed"}, false, "GITGUARDIAN_API_KEY"},
		{GitGuardian, map[string]string{EnvGitGuardianAPIKey: "k"}, true, ""},
		{GitGuardian, map[string]string{EnvGitGuardianAPIKey: "  "}, false, "GITGUARDIAN_API_KEY"},
		{Box, nil, false, "BOX_ACCESS_TOKEN"},
		{Box, map[string]string{EnvBoxAccessToken: "t"}, true, ""},
		{Freestyle, nil, false, "FREESTYLE_API_KEY"},
		{Freestyle, map[string]string{EnvFreestyleAPIKey: "k"}, true, ""},
		{BIMData, nil, false, "BIMDATA_API_KEY or BIMDATA_ACCESS_TOKEN"},
		{BIMData, map[string]string{EnvBIMDataAPIKey: "k"}, true, ""},
		{BIMData, map[string]string{EnvBIMDataAccessToken: "t"}, true, ""},
		{Portworx, nil, false, "PX_CENTRAL_URL and PX_ACCESS_TOKEN"},
		{Portworx, map[string]string{EnvPortworxAccessToken: "t"}, false, "PX_CENTRAL_URL and PX_ACCESS_TOKEN"},
		{Portworx, map[string]string{EnvPortworxCentralURL: "https://px.example"}, false, "PX_CENTRAL_URL and PX_ACCESS_TOKEN"},
		{Portworx, map[string]string{EnvPortworxCentralURL: "https://px.example", EnvPortworxAccessToken: "t"}, true, ""},
	} {
		ok, need := info(tc.api).Configured(lookup(tc.vars))
		assert.Equal(t, tc.ok, ok, "%s %v", tc.api, tc.vars)
		assert.Equal(t, tc.need, need, "%s %v", tc.api, tc.vars)
	}
}

// TestEnvVariablesSetWhatTheirOptionSets checks each variable of every
// descriptor against the option it names: the same value through WithEnv
// or through the option gives the same configuration.
func TestEnvVariablesSetWhatTheirOptionSets(t *testing.T) {
	t.Parallel()
	options := map[string]func(string) Option{
		"WithGitGuardianAPIKey": WithGitGuardianAPIKey, "WithGitGuardianBaseURL": WithGitGuardianBaseURL,
		"WithBoxAccessToken": WithBoxAccessToken, "WithFreestyleAPIKey": WithFreestyleAPIKey,
		"WithBIMDataAPIKey": WithBIMDataAPIKey, "WithBIMDataAccessToken": WithBIMDataAccessToken,
		"WithPortworxBaseURL": WithPortworxBaseURL, "WithPortworxAccessToken": WithPortworxAccessToken,
	}
	for _, v := range Vendors() {
		for _, e := range v.Env {
			value := "env-value-1"
			if e.Option == v.BaseURLOption {
				value = "https://" + strings.ToLower(v.Name) + ".example.com/base"
			}
			opt, ok := options[e.Option]
			require.True(t, ok, "%s names %s, which is no option", e.Name, e.Option)
			viaEnv, err := NewClient(withEnvLookup(func(k string) string {
				if k == e.Name {
					return value
				}
				return ""
			}))
			require.NoError(t, err, e.Name)
			viaOption, err := NewClient(opt(value))
			require.NoError(t, err, e.Option)
			assert.Equal(t, viaOption.String(), viaEnv.String(), e.Name)
			a, b := viaEnv.cfg.api(v.API), viaOption.cfg.api(v.API)
			if a.credential != nil || b.credential != nil {
				require.NotNil(t, a.credential, e.Name)
				require.NotNil(t, b.credential, e.Option)
				ga, _ := a.credential.authorization(t.Context())
				gb, _ := b.credential.authorization(t.Context())
				assert.Equal(t, gb, ga, "%s sends what %s sends", e.Name, e.Option)
			}
		}
	}
}

func TestUnknownAPIIsRefusedEverywhere(t *testing.T) {
	t.Parallel()
	reason := "must be one of GitGuardian, Box, Freestyle, BIMData, Portworx"
	for name, opt := range map[string]Option{
		"WithRateLimit":      WithRateLimit("acme", 10, 1),
		"WithMaxConcurrency": WithMaxConcurrency("acme", 1),
	} {
		_, err := NewClient(opt)
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, name)
		assert.Equal(t, reason, verr.Reason, name)
	}
	c, err := NewClient()
	require.NoError(t, err)
	_, err = c.Do(t.Context(), &RawRequest{API: "acme", Method: "GET", Path: "x", Retry: Idempotent}, nil)
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, "RawRequest.API", verr.Param)
	assert.Equal(t, reason, verr.Reason)
}
