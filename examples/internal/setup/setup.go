// Package setup gives the example programs a client: on the real APIs
// whose environment variables are set, or, when none is, on an embedded
// fake with demo data.
package setup

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// API names a vendor API, as the examples print it.
type API string

// The five APIs.
const (
	GitGuardian API = "GitGuardian"
	Box         API = "Box"
	Freestyle   API = "Freestyle"
	BIMData     API = "BIMData"
	Portworx    API = "Portworx"
)

// Env is a ready client and what it talks to.
type Env struct {
	Client *invitations.Client
	// Fake is true when the client talks to the embedded fake.
	Fake    bool
	enabled map[API]bool
	fake    *invitationstest.Server
}

// Enabled reports whether api can be used: always on the fake, and on the
// real APIs only when its variables are set.
func (e *Env) Enabled(api API) bool { return e.enabled[api] }

// BIMDataUser reports whether BIMData has a user with email. BIMData's
// API has no user lookup (only DeleteUser), so known is true only on the
// fake, which can tell.
func (e *Env) BIMDataUser(email string) (exists, known bool) {
	if e.fake == nil {
		return false, false
	}
	return e.fake.BIMDataUserExists(email), true
}

// Close stops the embedded fake, if any.
func (e *Env) Close() {
	if e.fake != nil {
		e.fake.Close()
	}
}

// New builds the client for app (used in the User-Agent) and prints, as
// the program's first line, which backend it uses.
func New(app string, out io.Writer) (*Env, error) {
	configured := map[API]bool{
		GitGuardian: os.Getenv(invitations.EnvGitGuardianAPIKey) != "",
		Box:         os.Getenv(invitations.EnvBoxAccessToken) != "",
		Freestyle:   os.Getenv(invitations.EnvFreestyleAPIKey) != "",
		BIMData:     os.Getenv(invitations.EnvBIMDataAPIKey) != "" || os.Getenv(invitations.EnvBIMDataAccessToken) != "",
		Portworx:    os.Getenv(invitations.EnvPortworxCentralURL) != "" && os.Getenv(invitations.EnvPortworxAccessToken) != "",
	}
	var names []string
	for _, api := range []API{GitGuardian, Box, Freestyle, BIMData, Portworx} {
		if configured[api] {
			names = append(names, string(api))
		}
	}
	if len(names) == 0 {
		srv := invitationstest.NewServer(invitationstest.WithDemoData())
		c, err := srv.Client(invitations.WithUserAgent(app))
		if err != nil {
			srv.Close()
			return nil, err
		}
		fmt.Fprintf(out, "No vendor credentials in the environment: using the embedded fake with demo data at %s\n", srv.URL)
		fmt.Fprintf(out, "(its demo person, known to every API, is %s)\n", invitationstest.DemoPersonEmail)
		all := map[API]bool{GitGuardian: true, Box: true, Freestyle: true, BIMData: true, Portworx: true}
		return &Env{Client: c, Fake: true, enabled: all, fake: srv}, nil
	}
	c, err := invitations.NewClient(invitations.WithEnv(), invitations.WithUserAgent(app))
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "Using the real APIs: %s (others have no credentials and are skipped)\n", strings.Join(names, ", "))
	return &Env{Client: c, enabled: configured}, nil
}
