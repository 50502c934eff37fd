// Command quickstart is the README's Quick start: it invites one person
// to a GitGuardian workspace, with the client configured from the
// environment. README.md shows this file from "package main" on, and a
// test keeps the two identical.
//
//	GITGUARDIAN_API_KEY=... go run ./examples/internal/quickstart
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

func main() {
	// Configures every API whose variables are set, here GITGUARDIAN_API_KEY.
	client, err := invitations.NewClient(invitations.WithEnv(), invitations.WithUserAgent("quickstart/1.0"))
	if err != nil {
		log.Fatal(err)
	}
	inv, err := client.Invitations.CreateInvitations(context.Background(),
		&models.CreateInvitationsRequest{Email: "ada@example.com", AccessLevel: models.AccessLevelMember}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("invited %s (invitation %d)\n", inv.Email, inv.ID)
}
