package access_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// demoManager starts the fake with demo data and a Manager on it, its
// state in a temporary file; real programs pass a Client with credentials
// and a lasting path.
func demoManager() (*access.Manager, func()) {
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "access-example")
	if err != nil {
		log.Fatal(err)
	}
	// The state that goes with the demo data: whose each demo Freestyle
	// identity is (identities carry no email).
	store := access.NewFileStore(filepath.Join(dir, "state.json"))
	seed := access.NewSnapshot()
	for email, id := range srv.DemoFreestyleOwners() {
		access.SetFreestyleIdentity(seed, email, id)
	}
	if err := store.Save(context.Background(), seed); err != nil {
		log.Fatal(err)
	}
	m, err := access.New(client, store, access.WithPortworxTenants(invitationstest.PortworxDemoTenantID))
	if err != nil {
		log.Fatal(err)
	}
	return m, func() { client.CloseIdleConnections(); srv.Close(); os.RemoveAll(dir) }
}

var ada = access.Person{
	Email:       "user250@example.com",
	GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelManager},
	Box:         []access.BoxMembership{{GroupName: "Engineering"}},
	Freestyle: &access.FreestyleAccess{Git: []access.FreestyleGitPermission{
		{RepoID: invitationstest.FreestyleDemoRepoID, Permission: models.GitAccessLevelWrite},
	}},
}

func ExampleManager_Plan() {
	m, done := demoManager()
	defer done()
	plan, err := m.Plan(context.Background(), []access.Person{ada}, access.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range plan.Changes {
		fmt.Println(strings.TrimSpace(fmt.Sprint(c.Action, " ", c.Grant.Vendor, " ", c.Grant.Kind, " ", c.Grant.Level)))
	}
	// Output:
	// create gitguardian workspace manager
	// create box group member
	// create freestyle identity
	// create freestyle git write
}

func ExampleManager_Apply() {
	m, done := demoManager()
	defer done()
	ctx := context.Background()
	plan, err := m.Plan(ctx, []access.Person{ada}, access.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	results, err := m.Apply(ctx, plan)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.Change.Action, r.Change.Grant.Vendor, r.Change.Grant.Kind)
	}
	// A second run finds nothing to do.
	again, err := m.Plan(ctx, []access.Person{ada}, access.PlanOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("changes left:", len(again.Changes))
	// Output:
	// done create gitguardian workspace
	// done create box group
	// done create freestyle identity
	// done create freestyle git
	// changes left: 0
}

func ExampleManager_Offboard() {
	m, done := demoManager()
	defer done()
	plan, err := m.Offboard(context.Background(), invitationstest.DemoPersonEmail)
	if err != nil {
		log.Fatal(err)
	}
	vendors := map[invitations.API]int{}
	for _, c := range plan.Changes {
		vendors[c.Grant.Vendor]++
	}
	for _, v := range shippedVendors() {
		fmt.Println(v, vendors[v], "to remove")
	}
	// Freestyle identities carry no email: the demo person's is nobody's
	// until the state says so.
	// Output:
	// gitguardian 2 to remove
	// box 2 to remove
	// freestyle 0 to remove
	// bimdata 6 to remove
	// portworx 1 to remove
}

func ExampleManager_Audit() {
	m, done := demoManager()
	defer done()
	states := map[invitations.API]map[access.State]int{}
	for rec, err := range m.Audit(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		if states[rec.Grant.Vendor] == nil {
			states[rec.Grant.Vendor] = map[access.State]int{}
		}
		states[rec.Grant.Vendor][rec.State]++
	}
	for _, v := range shippedVendors() {
		fmt.Println(v, states[v])
	}
	// Output:
	// gitguardian map[inactive:4 member:61 pending:243]
	// box map[member:547]
	// freestyle map[granted:179]
	// bimdata map[accepted:1 denied:1 member:11 pending:11]
	// portworx map[granted:52 member:30 pending:90]
}
