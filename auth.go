package invitations

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
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

func (tokenSourceCredential) String() string { return "[token source]" }

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
		api := c.api(id)
		if api == nil {
			return &ValidationError{Param: option, Reason: knownAPIs()}
		}
		api.credential = tokenSourceCredential{ts: oauth2.ReuseTokenSource(nil, ts)}
		return nil
	}
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
