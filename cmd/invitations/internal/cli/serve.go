package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim/pgstore"
	"github.com/invitesdk/invitations/cmd/invitations/internal/serve"
)

// EnvSCIMToken is the variable holding the bearer token the identity
// provider sends with every SCIM request.
const EnvSCIMToken = "INVITATIONS_SCIM_TOKEN"

// serveFlags are the flags of serve.
type serveFlags struct {
	file, addr        string
	certFile, keyFile string
	maxRemovals       int
	debounce          time.Duration
	maxDelay          time.Duration
	poll              time.Duration
	retryMin          time.Duration
	retryMax          time.Duration
	stopGrace         time.Duration
	unmapped          string
	maxBody           string
	logFormat         string
}

func (a *app) serveCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve -f FILE [-addr HOST:PORT]",
		Short: "Serve SCIM 2.0 to an identity provider and apply what it pushes",
		Long: `serve is a SCIM 2.0 service provider (RFC 7643, RFC 7644) for an identity
provider (Okta, Entra ID, OneLogin, JumpCloud...): it keeps the users and
groups the identity provider pushes to /scim/v2, and applies them with the
desired-state file as apply does, on its own.

People: the file's people, plus every SCIM user with an email. An active
user in groups the file's groups section maps (by displayName) holds those
groups' roles; a user the identity provider deactivates (active: false) or
deletes is absent: offboarded everywhere, with the file's offboarding
policy. An active user in no mapped group holds nothing through the file:
what they have is left alone, except what this tool gave them through
roles, which the file's prune removes (--unmapped absent: offboarded
instead). A person the file names keeps the file's grants and gains the
groups' roles.

Each change to the users and groups starts a run once they have been still
for --debounce (at most --max-delay after the first change): the state's
lock, a plan, the guards, the apply. A plan with problems, or removing more
grants than --max-removals (default: the larger of 10 and 10% of the grants
read; -1: no limit), is not applied, and is logged and counted; a run that
fails, or whose changes do not all succeed, is retried with backoff
(--retry-min doubling up to --retry-max) until it succeeds or new input
comes. Each run is logged on stderr (slog). Runs start once at start too,
and when another serve on the same state took a write (the store is read
every --poll).

The SCIM store (users, groups, their ids and versions) lives beside the
state: -state's path with .scim.json added (without -state, <file>.scim.json
next to <file>.state.json); on a
PostgreSQL state (-state postgres://...) in the same database under the same
state_name, so that several serve processes can answer one identity
provider: each answers SCIM, one applies at a time.

Every SCIM request needs "Authorization: Bearer TOKEN", the token being
INVITATIONS_SCIM_TOKEN's value (serve refuses to start without it).
-tls-cert and -tls-key serve HTTPS. Besides /scim/v2: GET /healthz (200
while the process serves), GET /readyz (200 while the store answers; 503
when stopping) and GET /metrics (Prometheus: invitations_scim_requests_total,
invitations_scim_request_duration_seconds, invitations_applies_total,
invitations_changes_total, invitations_last_successful_apply_timestamp_seconds).

The first line on stdout says where SCIM is served. On SIGINT or SIGTERM it
stops accepting requests, lets the apply under way finish (up to
--stop-grace, then it stops sending changes and records what it did), and
exits 0. -timeout does not apply to serve.`,
		Example: `  INVITATIONS_SCIM_TOKEN=$(openssl rand -hex 32) invitations serve -f people.yaml -addr 0.0.0.0:8443 -tls-cert cert.pem -tls-key key.pem
  invitations serve -f people.yaml -state 'postgres://invitations@db/invitations?state_name=prod'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serve(cmd.Context(), &f)
		},
	}
	fl := cmd.Flags()
	fileFlag(cmd, &f.file, true)
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	fl.StringVar(&f.certFile, "tls-cert", "", "serve HTTPS with this certificate (PEM; with -tls-key)")
	fl.StringVar(&f.keyFile, "tls-key", "", "the certificate's private key (PEM; with -tls-cert)")
	fl.IntVar(&f.maxRemovals, "max-removals", 0, "do not apply a plan removing more grants than this (default: the larger of 10 and 10% of the grants read; -1: no limit)")
	fl.DurationVar(&f.debounce, "debounce", serve.DefaultDebounce, "run once the users and groups have been still this long (0: at once)")
	fl.DurationVar(&f.maxDelay, "max-delay", serve.DefaultMaxDelay, "run at most this long after a change, even if changes go on")
	fl.DurationVar(&f.poll, "poll", serve.DefaultPollEvery, "read the store's generation this often, for changes another serve took (0: never)")
	fl.DurationVar(&f.retryMin, "retry-min", serve.DefaultRetryMin, "wait this long before retrying a failed run, doubling each time")
	fl.DurationVar(&f.retryMax, "retry-max", serve.DefaultRetryMax, "the longest wait between retries")
	fl.DurationVar(&f.stopGrace, "stop-grace", serve.DefaultStopGrace, "on SIGTERM, let the apply under way go on this long before it stops sending changes")
	fl.StringVar(&f.unmapped, "unmapped", "ignore", "an active user in no mapped group: ignore (holds nothing through the file; what they have is left alone) or absent (offboarded)")
	fl.StringVar(&f.maxBody, "max-body", "1MiB", "the largest SCIM request body (bytes, or with KiB, MiB)")
	fl.StringVar(&f.logFormat, "log-format", "text", "the log's format on stderr: text or json")
	a.mismatchFlag(cmd)
	return cmd
}

// serve checks the flags and the token, opens the state and the SCIM
// store, and serves until ctx ends.
func (a *app) serve(ctx context.Context, f *serveFlags) error {
	bad := func(format string, args ...any) error {
		return &exitError{code: ExitError, err: fmt.Errorf(format, args...)}
	}
	maxBody, err := parseSize(f.maxBody)
	if err != nil {
		return bad("--max-body %q: %w", f.maxBody, err)
	}
	if f.unmapped != "ignore" && f.unmapped != "absent" {
		return bad("--unmapped %q: must be ignore or absent", f.unmapped)
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return bad("--log-format %q: must be text or json", f.logFormat)
	}
	if f.maxRemovals < -1 {
		return bad("--max-removals %d: must be a number of grants, or -1 for no limit", f.maxRemovals)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"--debounce", f.debounce}, {"--max-delay", f.maxDelay}, {"--poll", f.poll}, {"--retry-min", f.retryMin}, {"--retry-max", f.retryMax}, {"--stop-grace", f.stopGrace}} {
		if d.v < 0 {
			return bad("%s %s: must not be negative", d.name, d.v)
		}
	}
	if f.retryMax < f.retryMin {
		return bad("--retry-max %s: must not be below --retry-min (%s)", f.retryMax, f.retryMin)
	}
	if (f.certFile == "") != (f.keyFile == "") {
		return bad("-tls-cert and -tls-key go together: give both, or neither for plain HTTP")
	}
	if f.certFile != "" {
		// Read here to name the flags before anything starts; the server
		// reads them again.
		if _, err := tls.LoadX509KeyPair(f.certFile, f.keyFile); err != nil {
			return bad("-tls-cert, -tls-key: %w", err)
		}
	}
	// The token is never echoed, nor its length.
	token := strings.TrimSpace(a.io.Getenv(EnvSCIMToken))
	if token == "" {
		return bad("%s is not set: set it to the bearer token the identity provider is to send (e.g. the output of: openssl rand -hex 32)", EnvSCIMToken)
	}

	s, err := a.open(f.file, nil, nil)
	if err != nil {
		return err
	}
	defer s.done()
	store, closeStore, err := a.scimStore(ctx, f.file)
	if err != nil {
		return err
	}
	defer closeStore()

	logger := slog.New(slog.NewTextHandler(a.io.Stderr, nil))
	if f.logFormat == "json" {
		logger = slog.New(slog.NewJSONHandler(a.io.Stderr, nil))
	}
	g := guards{maxRemovals: f.maxRemovals}
	rec, err := serve.NewReconciler(serve.ManagerEngine(s.m), store, s.file,
		serve.WithPlanOptions(s.opts),
		serve.WithUnmappedAbsent(f.unmapped == "absent"),
		serve.WithRemovalLimit(g.removalLimit),
		serve.WithDebounce(f.debounce), serve.WithMaxDelay(f.maxDelay), serve.WithPollEvery(f.poll),
		serve.WithBackoff(f.retryMin, f.retryMax), serve.WithStopGrace(f.stopGrace),
		serve.WithLogger(logger))
	if err != nil {
		return err
	}
	srv, err := serve.NewServer(rec, serve.WithToken(token), serve.WithMaxBody(maxBody), serve.WithTLS(f.certFile, f.keyFile))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return bad("-addr %s: %w", f.addr, err)
	}
	scheme := "http"
	if srv.TLS() {
		scheme = "https"
	}
	fmt.Fprintf(a.io.Stdout, "invitations: serving SCIM at %s://%s/scim/v2\n", scheme, ln.Addr())
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(a.io.Stdout, "invitations: stopped")
	return nil
}

// scimStore opens the SCIM store beside the state (see store): on a
// PostgreSQL state, the same database and state_name; else the state
// file's name with .scim.json added, or the desired-state file's when
// there is no -state (the state's default being <file>.state.json).
func (a *app) scimStore(ctx context.Context, file string) (scim.Store, func(), error) {
	if isPostgres(a.state) {
		conn, name, err := stateName(a.state)
		if err != nil {
			return nil, nil, &exitError{code: ExitError, err: err}
		}
		openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		st, err := pgstore.Open(openCtx, conn, pgstore.WithName(name))
		if err != nil {
			return nil, nil, &exitError{code: ExitError, err: fmt.Errorf("-state: the SCIM store in PostgreSQL: %w", err)}
		}
		return st, func() { _ = st.Close() }, nil
	}
	path := a.state + ".scim.json"
	if a.state == "" {
		path = file + ".scim.json"
	}
	st, err := scim.NewFileStore(path)
	if err != nil {
		return nil, nil, &exitError{code: ExitError, err: fmt.Errorf("the SCIM store: %w", err)}
	}
	return st, func() { _ = st.Close() }, nil
}

// parseSize reads a size in bytes: a number, or one followed by KiB or
// MiB.
func parseSize(s string) (int64, error) {
	num, unit := strings.TrimSpace(s), int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, unit = strings.TrimSpace(rest), u.n
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/unit {
		return 0, errors.New("must be a positive number of bytes, or of KiB or MiB (e.g. 1MiB)")
	}
	return n * unit, nil
}
