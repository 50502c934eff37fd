package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations/fake"
)

func (a *app) fakeCommand() *cobra.Command {
	var addr string
	var demo bool
	var latency time.Duration
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Serve the in-memory fake of the five vendor APIs on an address",
		Long: `fake serves an in-memory fake of the GitGuardian, Box, Freestyle, BIMData and
Portworx APIs, for tests in any language, and for the other commands with
INVITATIONS_FAKE_URL set to its root URL (one stateful fake across several
runs). Its first line, "invitations fake listening on http://HOST:PORT", names
the root (-addr with port 0: any free port); then each API's base URL, the
credentials it accepts and the demo ids. Each API lives under its own prefix;
the fake's own JSON API lives under /_fake/:

  GET    /_fake/health      liveness
  GET    /_fake/routes      operations, base URLs, credentials, demo ids
  GET    /_fake/faults      armed faults
  POST   /_fake/faults      arm one: {"operation":"box.CreateGroupMembership","status":503,"times":2}
  DELETE /_fake/faults      disarm all
  GET    /_fake/requests    request log, credentials redacted (?operation=...)
  DELETE /_fake/requests    empty the log
  POST   /_fake/reset       back to the seed data, no faults, empty log

On SIGINT (Ctrl-C) or SIGTERM it stops accepting requests, lets those in
flight finish (up to 5 s) and exits 0. Build the binary and run it: stopping
a "go run" leaves the compiled child listening.`,
		Example: `  invitations fake -addr 127.0.0.1:8080
  INVITATIONS_FAKE_URL=http://127.0.0.1:8080 invitations plan -f people.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveFake(cmd.Context(), addr, demo, latency, a.io.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	f.BoolVar(&demo, "demo", true, "seed demo data (hundreds of invitations, members and identities)")
	f.DurationVar(&latency, "latency", 0, "delay added to every answer, e.g. 50ms")
	return cmd
}

// serveFake serves the fake until ctx ends.
func serveFake(ctx context.Context, addr string, demo bool, latency time.Duration, stdout io.Writer) error {
	var opts []fake.Option
	if demo {
		opts = append(opts, fake.WithDemoData())
	}
	if latency > 0 {
		opts = append(opts, fake.WithLatency(latency))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	f := fake.NewFake(opts...)
	root := "http://" + ln.Addr().String()
	banner(stdout, root, f.APIs(root))

	srv := &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "invitations fake stopped")
	return nil
}

// banner prints where everything is: the first line names the root URL
// (scripts read it), then one block per API.
func banner(out io.Writer, root string, apis []fake.APIInfo) {
	fmt.Fprintf(out, "invitations fake listening on %s\n", root)
	fmt.Fprintf(out, "  admin        %s%s/routes (JSON: operations, credentials, demo ids)\n", root, fake.AdminPrefix)
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
