package invitationstest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

func ExampleNewServer() {
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	client, err := srv.Client()
	if err != nil {
		log.Fatal(err)
	}
	// The fake is stateful: what you create is there to list.
	ctx := context.Background()
	if _, err := client.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: "ada@example.com"}, nil); err != nil {
		log.Fatal(err)
	}
	found, err := client.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: "ada@"}).Collect(0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(found), found[0].Email)
	for _, r := range srv.Requests() {
		fmt.Println(r.Operation, r.Method, r.Path, r.Header.Get("Authorization"))
	}
	// Output:
	// 1 ada@example.com
	// gitguardian.CreateInvitations POST /gitguardian/v1/invitations Token [redacted]
	// gitguardian.ListInvitations GET /gitguardian/v1/invitations Token [redacted]
}

func ExampleFault() {
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	client, err := srv.Client() // no backoff between retries
	if err != nil {
		log.Fatal(err)
	}
	// The next Box membership creation is answered 429 with Retry-After.
	if err := srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxCreateGroupMembership, Status: 429, RetryAfter: "0"}); err != nil {
		log.Fatal(err)
	}
	m, err := client.Memberships.CreateGroupMembership(context.Background(), &models.CreateGroupMembershipRequest{
		User: models.Ref{ID: invitationstest.BoxDemoUserID}, Group: models.Ref{ID: invitationstest.BoxDemoGroupID},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := srv.RequestCount(invitationstest.BoxCreateGroupMembership)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Role, n)
	// Output:
	// member 2
}

// A mistyped operation name is an error, not a fault that never fires.
func ExampleFake_Inject_unknownOperation() {
	srv := invitationstest.NewServer()
	defer srv.Close()
	err := srv.Inject(invitationstest.Fault{Operation: "box.DeleteGroupMembership", Status: 503})
	fmt.Println(errors.Is(err, invitationstest.ErrUnknownOperation))
	fmt.Println(err)
	// Output:
	// true
	// fake: unknown operation "box.DeleteGroupMembership" (did you mean box.DeleteGroupMembershipByID?)
}
