package main

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/access"
)

// The example's connector plans and applies through the engine: the
// plan says what it will do, the writes reach the Acme API in that
// order per person, the teams end as desired, and the second plan is
// empty.
func TestConnectorExample(t *testing.T) {
	t.Parallel()
	api := newAcmeAPI()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, srv.URL, srv.Client()))
	assert.Equal(t, `Audit:
  bob@example.com team platform (member)
  carol@example.com team platform (admin)
  carol@example.com team web (member)
Plan (Read: acme.):
  create: ada@example.com should have acme team platform (admin)
  update: bob@example.com has member, should have admin
  remove: carol@example.com is absent: remove their acme team platform (admin)
  remove: carol@example.com is absent: remove their acme team web (member)
Apply:
  done: create ada@example.com platform
  done: update bob@example.com platform
  done: remove carol@example.com platform
  done: remove carol@example.com web
Second plan: 0 changes
`, out.String())
	assert.ElementsMatch(t, []string{
		"POST /teams/platform/members",
		"PATCH /members/1",
		"DELETE /members/2",
		"DELETE /members/3",
	}, api.Writes(), "one write per change, and none from the second plan")
	assert.Equal(t, map[string]string{"ada@example.com": "admin", "bob@example.com": "admin"}, api.Team("platform"))
	assert.Empty(t, api.Team("web"))
}

// Acme's "already" answers are the connector's to classify: a 409 on an
// add and a 404 on a removal are what the change wanted.
func TestAcmeClassifiesItsAlreadyAnswers(t *testing.T) {
	t.Parallel()
	api := newAcmeAPI()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := &acmeConnector{base: srv.URL, http: srv.Client()}
	add := access.Change{Action: access.Create, Email: "bob@example.com", Grant: access.Grant{Vendor: acme, Kind: kindTeam, Scope: "platform", Level: "member"}}
	err := c.Execute(t.Context(), add, nil)
	require.Error(t, err)
	assert.Equal(t, access.AlreadyDone, c.Classify(add, err))
	gone := access.Change{Action: access.Remove, Email: "zed@example.com", Target: "99", Grant: add.Grant}
	err = c.Execute(t.Context(), gone, nil)
	require.Error(t, err)
	assert.Equal(t, access.AlreadyDone, c.Classify(gone, err))
	bad := access.Change{Action: access.Update, Email: "zed@example.com", Target: "99", Grant: add.Grant}
	err = c.Execute(t.Context(), bad, nil)
	require.Error(t, err)
	assert.Empty(t, c.Classify(bad, err), "a 404 on an update is a failure")
}
