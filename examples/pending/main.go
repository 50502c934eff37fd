// Command pending streams every pending invitation across GitGuardian,
// BIMData and Portworx, printing each page as it arrives: pagination is
// lazy, so the first lines show before the last page is fetched.
//
//	go run ./examples/pending [-per-page 50] [-max 0] [-px-tenant UID]
//
// With no vendor credentials in the environment it runs on the embedded
// fake with demo data.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/examples/internal/setup"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pending:", err)
		os.Exit(1)
	}
}

func run() error {
	perPage := flag.Int("per-page", 50, "page size asked of each API")
	maxItems := flag.Int("max", 0, "stop each API after this many invitations (0: all)")
	tenant := flag.String("px-tenant", "", "Portworx tenant to list (default: the demo tenant on the fake; required on the real API)")
	timeout := flag.Duration("timeout", 2*time.Minute, "give up after this long")
	flag.Parse()

	env, err := setup.New("examples-pending/1.0", os.Stdout)
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if env.Fake && *tenant == "" {
		*tenant = invitationstest.PortworxDemoTenantID
	}

	total := 0
	if env.Enabled(setup.GitGuardian) {
		pages := env.Client.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: *perPage}).Pages()
		n, err := stream("GitGuardian", pages, *maxItems, func(inv models.Invitation) string {
			return fmt.Sprintf("%-32s %-10s invited %s", inv.Email, inv.AccessLevel, inv.Date.Format(time.DateOnly))
		})
		total += n
		if err != nil {
			return err
		}
	}
	if env.Enabled(setup.BIMData) {
		list, err := env.Client.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
		if err != nil {
			return fmt.Errorf("BIMData: %w", err)
		}
		fmt.Printf("BIMData      %d pending (one list, not paged)\n", len(list))
		for _, inv := range list {
			fmt.Printf("  BIMData      %-32s invitation %d to %s\n", inv.Email, inv.ID, inv.CloudName)
		}
		total += len(list)
	}
	if env.Enabled(setup.Portworx) {
		if *tenant == "" {
			return fmt.Errorf("Portworx: -px-tenant is required on the real API")
		}
		pages := env.Client.AccountInvitations.ListInvitations(ctx, *tenant, &invitations.ListAccountInvitationsOptions{PageSize: int64(*perPage)}).Pages()
		n, err := stream("Portworx", pages, *maxItems, func(inv models.PortworxInvitation) string {
			if inv.Status == nil || inv.Status.Phase != models.PortworxInvitationPhasePending || inv.Config == nil {
				return ""
			}
			return fmt.Sprintf("%-32s invitation %s", inv.Config.UserEmail, inv.Meta.UID)
		})
		total += n
		if err != nil {
			return err
		}
	}
	fmt.Printf("%d pending invitations in all\n", total)
	return nil
}

// stream prints each page as it arrives and each item describe keeps
// (describe returns "" to skip one). It returns how many items it printed.
func stream[T any](api string, pages func(func(*invitations.Page[T], error) bool), maxItems int, describe func(T) string) (int, error) {
	printed, page := 0, 0
	for p, err := range pages {
		if err != nil {
			return printed, fmt.Errorf("%s: %w", api, err)
		}
		page++
		fmt.Printf("%-12s page %d: %d items\n", api, page, len(p.Items))
		for _, item := range p.Items {
			line := describe(item)
			if line == "" {
				continue
			}
			fmt.Printf("  %-12s %s\n", api, line)
			printed++
			if maxItems > 0 && printed >= maxItems {
				return printed, nil
			}
		}
	}
	return printed, nil
}
