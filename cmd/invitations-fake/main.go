// Command invitations-fake serves the in-memory fake of the five vendor
// APIs on an address, for tests written in other languages or with curl:
//
//	go run ./cmd/invitations-fake -addr 127.0.0.1:8080 -demo
//
// It prints each API's base URL and the credentials it accepts, and stops
// cleanly on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/invitesdk/invitations/invitationstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "invitations-fake:", err)
		os.Exit(1)
	}
}

// run serves the fake until ctx ends.
func run(ctx context.Context, args []string, out io.Writer) error {
	flags := flag.NewFlagSet("invitations-fake", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := flags.Bool("demo", true, "seed demo data (hundreds of invitations, members and identities)")
	latency := flags.Duration("latency", 0, "delay added to every answer, e.g. 50ms")
	if err := flags.Parse(args); err != nil {
		return err
	}

	var opts []invitationstest.Option
	if *demo {
		opts = append(opts, invitationstest.WithDemoData())
	}
	if *latency > 0 {
		opts = append(opts, invitationstest.WithLatency(*latency))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	root := "http://" + ln.Addr().String()
	base := invitationstest.BaseURLsAt(root)
	fmt.Fprintf(out, "invitations fake listening on %s\n", root)
	fmt.Fprintf(out, "  GitGuardian  %-45s Authorization: Token %s\n", base.GitGuardian, invitationstest.GitGuardianAPIKey)
	fmt.Fprintf(out, "  Box          %-45s Authorization: Bearer %s\n", base.Box, invitationstest.BoxAccessToken)
	fmt.Fprintf(out, "  Freestyle    %-45s Authorization: Bearer %s\n", base.Freestyle, invitationstest.FreestyleAPIKey)
	fmt.Fprintf(out, "  BIMData      %-45s Authorization: Bearer %s (or ApiKey %s)\n", base.BIMData, invitationstest.BIMDataAccessToken, invitationstest.BIMDataAPIKey)
	fmt.Fprintf(out, "  Portworx     %-45s Authorization: Bearer %s\n", base.Portworx, invitationstest.PortworxAccessToken)

	srv := &http.Server{Handler: invitationstest.NewFake(opts...), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
