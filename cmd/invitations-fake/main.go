// Command invitations-fake serves the in-memory fake of the five vendor
// APIs on an address, for tests written in any language or with curl.
// Build it once and run the binary (stopping a "go run" leaves the
// compiled child listening):
//
//	go install github.com/invitesdk/invitations/cmd/invitations-fake@latest
//	invitations-fake -addr 127.0.0.1:8080
//
// It prints each API's base URL, the credentials it accepts and the demo
// ids, then serves until SIGINT (Ctrl-C) or SIGTERM, on which it stops
// accepting requests, lets those in flight finish (up to 5 s) and exits 0.
//
// Besides the five APIs it serves its own JSON API under /_fake/: routes
// and demo ids, health, faults, the request log and a reset to the seed
// data (see invitationstest.NewFake).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/invitesdk/invitations/invitationstest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	var reported *flagError
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h asked for the usage, which is printed: not an error.
	case errors.As(err, &reported):
		os.Exit(2) // the flag package has said what is wrong
	case err != nil:
		fmt.Fprintln(os.Stderr, "invitations-fake:", err)
		os.Exit(1)
	}
}

// flagError is a command-line error already printed with the usage.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

const usage = `Usage: invitations-fake [-addr host:port] [-demo=false] [-latency d]

Serves an in-memory fake of the GitGuardian, Box, Freestyle, BIMData and
Portworx APIs, for tests in any language. Each API lives under its own
prefix; the fake's own JSON API lives under /_fake/:

  GET    /_fake/health      liveness
  GET    /_fake/routes      operations, base URLs, credentials, demo ids
  GET    /_fake/faults      armed faults
  POST   /_fake/faults      arm one: {"operation":"box.CreateGroupMembership","status":503,"times":2}
  DELETE /_fake/faults      disarm all
  GET    /_fake/requests    request log, credentials redacted (?operation=...)
  DELETE /_fake/requests    empty the log
  POST   /_fake/reset       back to the seed data, no faults, empty log

Stop it with Ctrl-C or SIGTERM.

Flags:
`

// run serves the fake until ctx ends. The usage goes to stdout when asked
// for with -h, and with a flag error to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("invitations-fake", flag.ContinueOnError)
	var msg bytes.Buffer
	flags.SetOutput(&msg)
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	demo := flags.Bool("demo", true, "seed demo data (hundreds of invitations, members and identities)")
	latency := flags.Duration("latency", 0, "delay added to every answer, e.g. 50ms")
	flags.Usage = func() {
		fmt.Fprint(flags.Output(), usage)
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = msg.WriteTo(stdout)
			return err
		}
		_, _ = msg.WriteTo(stderr)
		return &flagError{err}
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", flags.Arg(0))
		flags.SetOutput(stderr)
		flags.Usage()
		return &flagError{fmt.Errorf("unexpected argument %q", flags.Arg(0))}
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
	fake := invitationstest.NewFake(opts...)
	root := "http://" + ln.Addr().String()
	banner(stdout, root, fake.APIs(root))

	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
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
	fmt.Fprintln(stdout, "invitations fake stopped")
	return nil
}

// banner prints where everything is: the first line names the root URL
// (scripts read it), then one block per API.
func banner(out io.Writer, root string, apis []invitationstest.APIInfo) {
	fmt.Fprintf(out, "invitations fake listening on %s\n", root)
	fmt.Fprintf(out, "  admin        %s%s/routes (JSON: operations, credentials, demo ids)\n", root, invitationstest.AdminPrefix)
	for _, api := range apis {
		fmt.Fprintf(out, "  %-12s %s\n", api.Name, api.BaseURL)
		fmt.Fprintf(out, "  %-12s Authorization: %s\n", "", strings.Join(api.Authorization, "  or  "))
		if len(api.Demo) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(api.Demo)) {
				parts = append(parts, k+"="+api.Demo[k])
			}
			fmt.Fprintf(out, "  %-12s demo: %s\n", "", strings.Join(parts, " "))
		}
	}
	fmt.Fprintln(out, "Stop with Ctrl-C or SIGTERM.")
}
