package invitationstest

import (
	"net/http/httptest"

	"github.com/invitesdk/invitations"
)

// Server is a Fake listening on a loopback port, like httptest.Server.
type Server struct {
	*Fake
	// URL is the server root, e.g. "http://127.0.0.1:54321".
	URL string
	// BaseURLs are the five APIs' base URLs on this server.
	BaseURLs BaseURLs

	ts *httptest.Server
}

// NewServer starts a fake on a loopback port. Close it when done.
func NewServer(opts ...Option) *Server {
	f := NewFake(opts...)
	ts := httptest.NewServer(f)
	return &Server{Fake: f, URL: ts.URL, BaseURLs: BaseURLsAt(ts.URL), ts: ts}
}

// Close shuts the server down, closing open connections.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// Client returns an SDK client with every API pointed at this server and
// authenticated with the fake's credentials (BIMData by access token).
// opts are applied after, so they can override any of it.
func (s *Server) Client(opts ...invitations.Option) (*invitations.Client, error) {
	return invitations.NewClient(append(ClientOptions(s.BaseURLs), opts...)...)
}

// ClientOptions are the options that point a client at a fake serving
// base, with the fake's credentials.
func ClientOptions(base BaseURLs) []invitations.Option {
	return []invitations.Option{
		invitations.WithGitGuardianBaseURL(base.GitGuardian),
		invitations.WithGitGuardianAPIKey(GitGuardianAPIKey),
		invitations.WithBoxBaseURL(base.Box),
		invitations.WithBoxAccessToken(BoxAccessToken),
		invitations.WithFreestyleBaseURL(base.Freestyle),
		invitations.WithFreestyleAPIKey(FreestyleAPIKey),
		invitations.WithBIMDataBaseURL(base.BIMData),
		invitations.WithBIMDataAccessToken(BIMDataAccessToken),
		invitations.WithPortworxBaseURL(base.Portworx),
		invitations.WithPortworxAccessToken(PortworxAccessToken),
	}
}
