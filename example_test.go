package invitations_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// demo starts the fake with demo data and returns a client on it; real
// programs use invitations.NewClient with their credentials instead.
func demo() (*invitationstest.Server, *invitations.Client) {
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	client, err := srv.Client(invitations.WithRetryWait(0, 0))
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

// requests is how many requests reached op on srv.
func requests(srv *invitationstest.Server, op invitationstest.Operation) int {
	n, err := srv.RequestCount(op)
	if err != nil {
		log.Fatal(err)
	}
	return n
}

func ExampleNewClient() {
	client, err := invitations.NewClient(
		invitations.WithGitGuardianAPIKey("my-gitguardian-key"),
		invitations.WithGitGuardianBaseURL(invitations.GitGuardianEUBaseURL),
		invitations.WithBoxAccessToken("my-box-token"),
		invitations.WithUserAgent("onboarder/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Printing a client never shows a credential.
	fmt.Println(client)
	// Output:
	// invitations.Client{GitGuardian: https://api.eu1.gitguardian.com (credential set), Box: https://api.box.com/2.0 (credential set), Freestyle: https://api.freestyle.sh, BIMData: https://api.bimdata.io, Portworx: (no base URL)}
}

func ExampleInvitationsService_CreateInvitations() {
	srv, client := demo()
	defer srv.Close()
	send := false
	inv, err := client.Invitations.CreateInvitations(context.Background(),
		&models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelManager},
		&invitations.CreateInvitationsOptions{SendEmail: &send})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.ID, inv.Email, inv.AccessLevel)
	// Output:
	// 241 ada@example.com manager
}

func ExampleInvitationsService_ListInvitations() {
	srv, client := demo()
	defer srv.Close()
	ctx := context.Background()
	// Pages are fetched as the loop advances, and no more once it breaks.
	n := 0
	for inv, err := range client.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 2}).All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(inv.Email)
		if n++; n == 3 {
			break
		}
	}
	fmt.Println("requests sent:", requests(srv, invitationstest.GitGuardianListInvitations))
	// Output:
	// user001@example.com
	// user002@example.com
	// user003@example.com
	// requests sent: 2
}

func ExamplePager_Pages() {
	srv, client := demo()
	defer srv.Close()
	pager := client.Memberships.GetGroupMemberships(context.Background(), invitationstest.BoxDemoGroupID,
		&invitations.ListMembershipsOptions{Limit: 100})
	for page, err := range pager.Pages() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d members of %d, more: %v\n", len(page.Items), page.Total, page.HasMore)
	}
	// Output:
	// 100 members of 260, more: true
	// 100 members of 260, more: true
	// 60 members of 260, more: false
}

func ExampleMembershipsService_CreateGroupMembership() {
	srv, client := demo()
	defer srv.Close()
	m, err := client.Memberships.CreateGroupMembership(context.Background(), &models.CreateGroupMembershipRequest{
		User:  models.Ref{ID: invitationstest.BoxDemoUserID},
		Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
		Role:  models.GroupMembershipRoleAdmin,
		// Absent, models.Null (disable all) or a map: three different requests.
		ConfigurablePermissions: models.Value(map[string]bool{"can_run_reports": true}),
	}, nil, invitations.WithBoxNotificationsSuppressed())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.User.Login, m.Group.Name, m.Role)
	// Output:
	// sean@example.com Contractors admin
}

func ExampleIdentityService_CreateGitToken() {
	srv, client := demo()
	defer srv.Close()
	ctx := context.Background()
	id, err := client.Identity.CreateIdentity(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := client.Identity.GrantGitPermission(ctx, id.ID, invitationstest.FreestyleDemoRepoID,
		&models.GrantGitPermissionRequest{Permission: models.GitAccessLevelWrite}); err != nil {
		log.Fatal(err)
	}
	tok, err := client.Identity.CreateGitToken(ctx, id.ID)
	if err != nil {
		log.Fatal(err)
	}
	// The secret is shown once; it never prints, but Reveal gives it.
	fmt.Printf("%v %+v\n", tok.Token, tok.Token)
	fmt.Println(len(tok.Token.Reveal()) > 0)
	// Output:
	// [REDACTED] [REDACTED]
	// true
}

func ExampleSSOService_AcceptInvitation() {
	srv, client := demo()
	defer srv.Close()
	ctx := context.Background()
	if err := client.SSO.AcceptInvitation(ctx, invitationstest.BIMDataDemoInvitationID); err != nil {
		log.Fatal(err)
	}
	inv, err := client.SSO.GetInvitation(ctx, invitationstest.BIMDataDemoInvitationID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Status == models.BIMDataInvitationStatusAccepted)
	// Output:
	// true
}

func ExampleAccountInvitationsService_CreateInvitation() {
	srv, client := demo()
	defer srv.Close()
	tenant := invitationstest.PortworxDemoTenantID
	inv, err := client.AccountInvitations.CreateInvitation(context.Background(), &models.PortworxInvitation{
		Config: &models.PortworxInvitationConfig{
			UserEmail: "ada@example.com",
			TenantID:  tenant, // exactly one of AccountID, TenantID, ProjectID
			AccessPolicy: models.PortworxAccessPolicy{
				Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{tenant}}},
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Config.UserEmail, inv.Status.Phase)
	// Output:
	// ada@example.com PENDING
}

func ExampleAPIError() {
	srv, client := demo()
	defer srv.Close()
	_, err := client.Memberships.GetGroupMembershipByID(context.Background(), "999", nil)
	var apiErr *invitations.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.API, apiErr.StatusCode, apiErr.Code, errors.Is(err, invitations.ErrNotFound))
	}
	// Bad input never reaches the server.
	err = client.Invitations.DeleteInvitation(context.Background(), 0)
	var verr *invitations.ValidationError
	if errors.As(err, &verr) {
		fmt.Println(verr.Param, "-", verr.Reason)
	}
	// Output:
	// Box 404 not_found true
	// invitationID - must be a positive integer
}

func ExampleWithMaxRetries() {
	srv, client := demo()
	defer srv.Close()
	ctx := context.Background()
	// Two 503s: a read is retried through them...
	srv.Inject(invitationstest.Fault{Operation: "box.GetGroupMembershipByID", Status: 503, Times: 2})
	_, err := client.Memberships.GetGroupMembershipByID(ctx, "434534", nil)
	fmt.Println(err, requests(srv, invitationstest.BoxGetGroupMembershipByID))
	// ...but an invitation, which sends an email, is never sent twice.
	srv.Inject(invitationstest.Fault{Operation: "gitguardian.CreateInvitations", Status: 503})
	_, err = client.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com"}, nil)
	fmt.Println(errors.Is(err, invitations.ErrRateLimited), requests(srv, invitationstest.GitGuardianCreateInvitations))
	// Output:
	// <nil> 3
	// false 1
}

func ExampleClient_Do() {
	srv, client := demo()
	defer srv.Close()
	// An endpoint called by hand, with the SDK's auth, retries and errors.
	// The retry class must be stated: a read is safe to repeat.
	var page struct {
		TotalCount int64 `json:"total_count"`
	}
	_, err := client.Do(context.Background(), &invitations.RawRequest{
		API: invitations.Box, Method: "GET", Path: "groups/{}/memberships",
		PathParams: []string{invitationstest.BoxDemoGroupID},
		Query:      url.Values{"limit": {"1"}},
		Retry:      invitations.Idempotent,
	}, &page)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.TotalCount > 0)
	// Output:
	// true
}

func ExampleClient_With() {
	parent, err := invitations.NewClient(invitations.WithGitGuardianAPIKey("us-key"))
	if err != nil {
		log.Fatal(err)
	}
	// The EU workspace beside the US one, on the same connection pool.
	eu, err := parent.With(
		invitations.WithGitGuardianBaseURL(invitations.GitGuardianEUBaseURL),
		invitations.WithGitGuardianAPIKey("eu-key"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(eu)
	// Output:
	// invitations.Client{GitGuardian: https://api.eu1.gitguardian.com (credential set), Box: https://api.box.com/2.0, Freestyle: https://api.freestyle.sh, BIMData: https://api.bimdata.io, Portworx: (no base URL)}
}

func ExampleTransportError() {
	client, err := invitations.NewClient(
		invitations.WithFreestyleBaseURL("http://127.0.0.1:1"), // nothing listens there
		invitations.WithFreestyleAPIKey("key"),
		invitations.WithMaxRetries(0))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.Identity.CreateIdentity(context.Background())
	switch {
	case errors.Is(err, invitations.ErrNotSent):
		fmt.Println("never sent: safe to try again")
	case errors.Is(err, invitations.ErrOutcomeUnknown):
		fmt.Println("in doubt: list identities before creating another")
	}
	// Output:
	// never sent: safe to try again
}
