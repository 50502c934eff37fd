package invitations_test

// The Go snippets of README.md, compiled (and vetted) as part of the
// tests. Each function holds one snippet verbatim between "README:" marks,
// indented one tab; TestREADMESnippetsAreCompiled fails when README.md and
// this file (or examples/internal/quickstart/main.go, the Quick start program)
// differ. Edit both together.

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

func readmeExplicitOptions(apiKey string) (*invitations.Client, error) {
	// README: begin
	client, err := invitations.NewClient(
		invitations.WithGitGuardianAPIKey(apiKey), // sent as Authorization: Token <key>
		invitations.WithGitGuardianBaseURL(invitations.GitGuardianEUBaseURL),
		invitations.WithUserAgent("onboarder/1.0"),
	)
	// README: end
	return client, err
}

func readmeEachAPI(ctx context.Context, client *invitations.Client, repoID, tenantID string, invitationID int64) error {
	// README: begin
	// GitGuardian: invite to the workspace.
	inv, err := client.Invitations.CreateInvitations(ctx,
		&models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}, nil)
	if err != nil {
		return err
	}

	// Box: add a user to a group, acting as another user.
	m, err := client.Memberships.CreateGroupMembership(ctx,
		&models.CreateGroupMembershipRequest{User: models.Ref{ID: "1434325"}, Group: models.Ref{ID: "57645"}},
		nil, invitations.WithBoxAsUser("987"))
	if err != nil {
		return err
	}

	// Freestyle: an identity with write access to a repository, and a token
	// (shown once: it prints as [REDACTED]; read it with Reveal).
	id, err := client.Identity.CreateIdentity(ctx)
	if err != nil {
		return err
	}
	if err := client.Identity.GrantGitPermission(ctx, id.ID, repoID, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite}); err != nil {
		return err
	}
	tok, err := client.Identity.CreateGitToken(ctx, id.ID)
	if err != nil {
		return err
	}
	secret := tok.Token.Reveal()

	// BIMData: accept a pending identity-provider invitation.
	if err := client.SSO.AcceptInvitation(ctx, invitationID); err != nil {
		return err
	}

	// Portworx: invite to a tenant (exactly one of account, tenant or project).
	px, err := client.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{
		Config: &models.PortworxInvitationConfig{
			UserEmail: "ada@example.com", TenantID: tenantID,
			AccessPolicy: models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{tenantID}}}},
		},
	})
	if err != nil {
		return err
	}
	// README: end
	fmt.Println(inv.Email, m.ID, px.Meta.UID, len(secret) > 0)
	return nil
}

func readmePagination(ctx context.Context, client *invitations.Client, groupID string) error {
	// README: begin
	for inv, err := range client.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 100}).All() {
		if err != nil {
			return err
		}
		fmt.Println(inv.Email)
	}

	for page, err := range client.Memberships.GetGroupMemberships(ctx, groupID, nil).Pages() {
		if err != nil {
			return err // errors.Is(err, invitations.ErrOffsetLimit) past Box's 10,000 ceiling
		}
		fmt.Println(len(page.Items), "of", page.Total)
	}
	// README: end
	return nil
}

func readmePrefetch(ctx context.Context, client *invitations.Client, groupID string, process func(models.GroupMembership)) error {
	// README: begin
	for m, err := range client.Memberships.GetGroupMemberships(ctx, groupID, nil).Prefetch().All() {
		if err != nil {
			return err
		}
		process(m) // while the next page is on its way
	}
	// README: end
	return nil
}

func readmeErrors(ctx context.Context, client *invitations.Client, req *models.CreateGroupMembershipRequest) {
	// README: begin
	_, err := client.Memberships.CreateGroupMembership(ctx, req, nil)
	var apiErr *invitations.APIError
	switch {
	case errors.Is(err, invitations.ErrConflict):
		// already a member
	case errors.Is(err, invitations.ErrOutcomeUnknown):
		// in doubt: list the group's memberships before trying again
	case errors.As(err, &apiErr):
		log.Printf("Box said %d %s: %s (request %s)", apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID)
	}
	// README: end
}

func readmeRaw(ctx context.Context, client *invitations.Client) ([]map[string]any, error) {
	// README: begin
	var logs []map[string]any
	_, err := client.Do(ctx, &invitations.RawRequest{
		API: invitations.GitGuardian, Method: "GET", Path: "v1/audit_logs",
		Query: url.Values{"per_page": {"20"}}, Retry: invitations.Idempotent,
	}, &logs) // or a *[]byte for the raw body
	// README: end
	return logs, err
}

func readmeDerived(ctx context.Context, client *invitations.Client, inviteeToken, accountID, euKey string) (*invitations.Client, error) {
	// README: begin
	invitee, err := client.With(invitations.WithPortworxAccessToken(inviteeToken))
	if err != nil {
		return nil, err
	}
	if _, err := invitee.AccountInvitations.AcceptInvitation(ctx, accountID); err != nil {
		return nil, err
	}

	eu, err := client.With(invitations.WithGitGuardianBaseURL(invitations.GitGuardianEUBaseURL),
		invitations.WithGitGuardianAPIKey(euKey))
	// README: end
	return eu, err
}

var _ = readmeAccess // compiled, never run (see below)

// readmeAccess is compiled, not run: it writes access-state.json where it
// runs. The access package's own tests drive the same calls on the fake.
func readmeLocked(ctx context.Context, m *access.Manager, people []access.Person) error {
	// README: begin
	locked, err := m.Lock(ctx) // errors.Is(err, access.ErrLocked): another apply holds the state
	if err != nil {
		return err
	}
	defer locked.Unlock()
	plan, err := locked.Plan(ctx, people, access.PlanOptions{})
	if err != nil {
		return err
	}
	results, err := locked.Apply(ctx, plan)
	if err != nil {
		return err
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.Change.Reason)
	}
	// README: end
	return nil
}

func readmeAccess(ctx context.Context, client *invitations.Client, repoID, tenantID string) error {
	// README: begin
	people := []access.Person{{
		Email:       "ada@example.com",
		GitGuardian: &access.GitGuardianAccess{AccessLevel: models.AccessLevelMember},
		Box:         []access.BoxMembership{{GroupName: "Engineering"}},
		Freestyle:   &access.FreestyleAccess{Git: []access.FreestyleGitPermission{{RepoID: repoID, Permission: models.GitAccessLevelWrite}}},
		Portworx:    []access.PortworxAccess{{TenantID: tenantID, Roles: []string{"tenant-admin"}}},
	}, {
		Email:  "bob@example.com",
		Absent: true, // offboard everywhere
	}}
	m, err := access.New(client, access.NewFileStore("access-state.json"), access.WithPortworxTenants(tenantID))
	if err != nil {
		return err
	}
	plan, err := m.Plan(ctx, people, access.PlanOptions{})
	if err != nil {
		return err
	}
	for _, c := range plan.Changes {
		fmt.Println(c.Action, c.Reason)
	}
	results, err := m.Apply(ctx, plan)
	if err != nil {
		return err
	}
	for _, r := range results {
		fmt.Println(r.Outcome, r.Change.Reason)
	}
	// README: end
	return nil
}

// README: begin
func TestAddToGroupReportsBoxOutage(t *testing.T) {
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData()) // closed when the test ends
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 503, Times: -1})

	_, err = client.Memberships.CreateGroupMembership(t.Context(), &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
	}, nil)
	var apiErr *invitations.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Fatalf("got %v, want Box's 503", err)
	}
	// A create is not retried after a 503: Box may have acted on it.
	if n := srv.RequestCount(invitationstest.BoxCreateGroupMembership); n != 1 {
		t.Errorf("Box saw %d creations, want 1", n)
	}
}

// README: end

// readmeSnippets returns the code between "README: begin" and "README:
// end" marks in src, each without the marks' indentation.
func readmeSnippets(t *testing.T, src string) []string {
	t.Helper()
	re := regexp.MustCompile(`(?s)\n([\t]*)// README: begin\n(.*?)\n[\t]*// README: end\n`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		indent, body := m[1], m[2]
		lines := strings.Split(body, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(l, indent)
		}
		out = append(out, strings.TrimRight(strings.Join(lines, "\n"), "\n"))
	}
	return out
}

// readmeGoBlocks returns README.md's ```go blocks with their line numbers.
func readmeGoBlocks(t *testing.T, readme string) (blocks []string, lines []int) {
	t.Helper()
	var cur []string
	in := false
	for i, l := range strings.Split(readme, "\n") {
		switch {
		case !in && l == "```go":
			in, cur = true, nil
			lines = append(lines, i+2)
		case in && l == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, l)
		}
	}
	return blocks, lines
}

func TestREADMESnippetsAreCompiled(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	quickstart, err := os.ReadFile("examples/internal/quickstart/main.go")
	if err != nil {
		t.Fatal(err)
	}
	snippets := readmeSnippets(t, string(self))
	// The Quick start program is shown from its package clause on.
	_, program, ok := strings.Cut(string(quickstart), "\npackage main\n")
	if !ok {
		t.Fatal("examples/internal/quickstart/main.go: no package clause")
	}
	snippets = append(snippets, strings.TrimRight("package main\n"+program, "\n"))

	blocks, lines := readmeGoBlocks(t, string(readme))
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go snippet")
	}
	used := make([]bool, len(snippets))
	for i, block := range blocks {
		found := false
		for j, s := range snippets {
			if s == block {
				found, used[j] = true, true
				break
			}
		}
		if !found {
			t.Errorf("README.md:%d: this Go snippet is compiled nowhere; copy it between README marks in readme_test.go:\n%s", lines[i], block)
		}
	}
	for j, s := range snippets {
		if !used[j] {
			t.Errorf("this snippet is not in README.md (was it changed there?):\n%s", s)
		}
	}
}

// The snippets also run, against the fake.
func TestREADMESnippetsRun(t *testing.T) {
	t.Parallel()
	c, err := readmeExplicitOptions("my-key")
	if err != nil || c == nil {
		t.Fatalf("explicit options: %v", err)
	}
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := readmeEachAPI(ctx, client, invitationstest.FreestyleDemoRepoID, invitationstest.PortworxDemoTenantID, invitationstest.BIMDataDemoInvitationID); err != nil {
		t.Fatal(err)
	}
	for _, op := range []invitationstest.Operation{
		invitationstest.GitGuardianCreateInvitations, invitationstest.BoxCreateGroupMembership, invitationstest.FreestyleCreateIdentity,
		invitationstest.FreestyleGrantGitPermission, invitationstest.FreestyleCreateGitToken, invitationstest.BIMDataAcceptInvitation,
		invitationstest.PortworxCreateInvitation,
	} {
		if n := srv.RequestCount(op); n != 1 {
			t.Errorf("%s reached the fake %d times, want 1", op, n)
		}
	}
	if err := readmePagination(ctx, client, invitationstest.BoxDemoGroupID); err != nil {
		t.Error(err)
	}
	n := 0
	if err := readmePrefetch(ctx, client, invitationstest.BoxDemoGroupID, func(models.GroupMembership) { n++ }); err != nil || n == 0 {
		t.Errorf("prefetch: %d memberships, %v", n, err)
	}
	if _, err := readmeDerived(ctx, client, invitationstest.PortworxAccessToken, invitationstest.PortworxDemoAccountID, "eu-key"); err != nil {
		t.Error(err)
	}
	// The fake does not serve GitGuardian's audit logs: the raw call gets
	// its vendor-shaped 404, decoded as for any wrapped call.
	if _, err := readmeRaw(ctx, client); !errors.Is(err, invitations.ErrNotFound) {
		t.Errorf("raw call: got %v, want GitGuardian's 404", err)
	}
	readmeErrors(ctx, client, &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
	})
}

// The locked plan-and-apply of README's access section runs against the
// fake: one person's Box membership, applied under the state's lock.
func TestREADMELockedPlanAndApplyRuns(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	m, err := access.New(client, access.NewFileStore(t.TempDir()+"/state.json"), access.WithVendors(invitations.Box))
	if err != nil {
		t.Fatal(err)
	}
	people := []access.Person{{Email: invitationstest.DemoPersonEmail, Box: []access.BoxMembership{{GroupID: invitationstest.BoxDemoGroupID}}}}
	if err := readmeLocked(t.Context(), m, people); err != nil {
		t.Fatal(err)
	}
	locked, err := m.Lock(t.Context())
	if err != nil {
		t.Fatalf("the lock was not released: %v", err)
	}
	if err := locked.Unlock(); err != nil {
		t.Fatal(err)
	}
}
