package invitations

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Token endpoints of the documented client-credentials flows.
const (
	// BoxTokenURL issues Box access tokens, including by Client Credentials Grant.
	BoxTokenURL = "https://api.box.com/oauth2/token"
	// BIMDataTokenURL issues BIMData application tokens (Keycloak). Newer
	// deployments may serve it without the "/auth" prefix: pass the URL
	// your instance uses to BIMDataClientCredentials.
	BIMDataTokenURL = "https://iam.bimdata.io/auth/realms/bimdata/protocol/openid-connect/token"
)

// tokenSourceCredential sends "Bearer <token>" from an oauth2.TokenSource,
// which refreshes the token as it expires. A 401 is returned to the caller
// like any error, never retried with a fresh token in a loop.
type tokenSourceCredential struct {
	ts oauth2.TokenSource
}

func (c tokenSourceCredential) authorization(context.Context) (string, error) {
	tok, err := c.ts.Token()
	if err != nil {
		// The token endpoint's error may echo the request; keep only its kind.
		return "", fmt.Errorf("fetching a token: %w", redactTokenError(err))
	}
	if err := checkSecret("access token", tok.AccessToken); err != nil {
		return "", err
	}
	return "Bearer " + tok.AccessToken, nil
}

func (tokenSourceCredential) String() string   { return "[token source]" }
func (tokenSourceCredential) GoString() string { return "[token source]" }

// redactTokenError strips the body an oauth2 RetrieveError carries (it can
// hold what the token endpoint echoed back) and keeps the status and code.
func redactTokenError(err error) error {
	if re, ok := err.(*oauth2.RetrieveError); ok {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Errorf("token endpoint answered %d %s", status, re.ErrorCode)
	}
	return err
}

// withTokenSource builds the option that takes an API's credential from ts.
func withTokenSource(id API, option string, ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return &ValidationError{Param: option, Reason: "must not be nil"}
		}
		// Reuse caches the token until it is about to expire, so the
		// source is asked again only when needed, by one caller at a time.
		c.apis[id].credential = tokenSourceCredential{ts: oauth2.ReuseTokenSource(nil, ts)}
		return nil
	}
}

// WithBoxTokenSource takes Box access tokens from ts, refreshed as they
// expire: for example BoxClientCredentials, or an OAuth 2.0 or JWT flow.
func WithBoxTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Box, "WithBoxTokenSource", ts)
}

// WithBIMDataTokenSource takes BIMData access tokens from ts, refreshed as
// they expire: for example BIMDataClientCredentials.
func WithBIMDataTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(BIMData, "WithBIMDataTokenSource", ts)
}

// WithFreestyleTokenSource takes Freestyle bearer credentials from ts.
func WithFreestyleTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Freestyle, "WithFreestyleTokenSource", ts)
}

// WithPortworxTokenSource takes Portworx access tokens from ts, refreshed
// as they expire (for example an OIDC flow against PX-Central's issuer).
func WithPortworxTokenSource(ts oauth2.TokenSource) Option {
	return withTokenSource(Portworx, "WithPortworxTokenSource", ts)
}

// BoxSubject says whose token a Box Client Credentials Grant returns.
type BoxSubject string

// Box CCG subject types.
const (
	// BoxSubjectEnterprise gets a token for the application's service
	// account in the enterprise named by the subject id.
	BoxSubjectEnterprise BoxSubject = "enterprise"
	// BoxSubjectUser gets a token for the user named by the subject id.
	BoxSubjectUser BoxSubject = "user"
)

// BoxClientCredentials returns a token source for Box's Client Credentials
// Grant: it posts grant_type=client_credentials with the app's client id
// and secret and box_subject_type/box_subject_id to tokenURL (BoxTokenURL
// when empty), form-encoded, and renews the token when it expires. ctx
// bounds the token requests, and its HTTP client (oauth2.HTTPClient) is used.
func BoxClientCredentials(ctx context.Context, clientID, clientSecret string, subject BoxSubject, subjectID, tokenURL string) (oauth2.TokenSource, error) {
	if err := firstError(
		checkRequired("clientID", clientID),
		checkRequired("clientSecret", clientSecret),
		checkRequired("subjectID", subjectID),
	); err != nil {
		return nil, err
	}
	if subject != BoxSubjectEnterprise && subject != BoxSubjectUser {
		return nil, &ValidationError{Param: "subject", Reason: `must be "enterprise" or "user"`}
	}
	u, err := tokenEndpoint("tokenURL", tokenURL, BoxTokenURL)
	if err != nil {
		return nil, err
	}
	cfg := &clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		TokenURL:     u,
		AuthStyle:    oauth2.AuthStyleInParams, // Box reads the credentials from the form
		EndpointParams: url.Values{
			"box_subject_type": {string(subject)},
			"box_subject_id":   {subjectID},
		},
	}
	return cfg.TokenSource(ctx), nil
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

// tokenEndpoint validates a token URL, defaulting to def.
func tokenEndpoint(param, raw, def string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return "", &ValidationError{Param: param, Reason: "must be an https URL (plain http only on loopback)"}
	}
	return raw, nil
}
