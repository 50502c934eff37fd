package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/access/pgstate"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/fake"
)

// EnvFakeURL points every API at a running "invitations fake", with the
// fake's credentials.
const EnvFakeURL = "INVITATIONS_FAKE_URL"

// backend is the client the command talks through and what it reaches.
type backend struct {
	client *invitations.Client
	// vendors are those with credentials (all five on a fake).
	vendors []invitations.API
	// missing says, per vendor without credentials, what to set.
	missing map[invitations.API]string
	// embedded is true on the in-process fake, which starts fresh.
	embedded bool
	// demoOwners, on the embedded fake, is whose each demo Freestyle
	// identity is: what a state made with the demo data would say.
	demoOwners map[string]string
	close      func()
}

// credentials says, per vendor, whether its variables are set and, if not,
// which to set.
func credentials(getenv func(string) string) (set []invitations.API, missing map[invitations.API]string) {
	missing = map[invitations.API]string{}
	for _, v := range invitations.Vendors() {
		if ok, need := v.Configured(getenv); ok {
			set = append(set, v.API)
		} else {
			missing[v.API] = need
		}
	}
	return set, missing
}

// anyCredential reports whether any variable WithEnv reads is set.
func anyCredential(getenv func(string) string) bool {
	for _, v := range invitations.Vendors() {
		for _, e := range v.Env {
			if strings.TrimSpace(getenv(e.Name)) != "" {
				return true
			}
		}
	}
	return false
}

// allVendors lists the vendors the SDK ships, in their one order.
func allVendors() []invitations.API {
	var out []invitations.API
	for _, v := range invitations.Vendors() {
		out = append(out, v.API)
	}
	return out
}

// connect builds the client: on INVITATIONS_FAKE_URL, on the real APIs
// whose variables are set, or on an embedded fake when none is. It says on
// stderr which, when it is a fake.
func (a *app) connect() (*backend, error) {
	opts := []invitations.Option{
		invitations.WithUserAgent("invitations-cli/" + strings.TrimPrefix(a.io.Version, "v")),
		// Counts the requests for the progress displays; a hook never sees
		// a credential.
		invitations.WithRequestHook(func(ri invitations.RequestInfo) {
			if ri.Method != http.MethodGet && ri.Method != http.MethodHead {
				a.writes.Add(1)
			}
			a.reads.observe(ri)
		}),
	}
	if a.verbose {
		opts = append(opts, invitations.WithLogger(slog.New(slog.NewTextHandler(a.io.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if raw := strings.TrimSpace(a.io.Getenv(EnvFakeURL)); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s=%q: want the fake's root URL, e.g. http://127.0.0.1:8080", EnvFakeURL, raw)
		}
		root := strings.TrimRight(raw, "/")
		c, err := invitations.NewClient(append(fake.ClientOptions(fake.BaseURLsAt(root)), opts...)...)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(a.io.Stderr, "Running against the fake at %s (%s).\n", root, EnvFakeURL)
		return &backend{client: c, vendors: allVendors(), missing: map[invitations.API]string{}, close: c.CloseIdleConnections}, nil
	}
	if !anyCredential(a.io.Getenv) {
		srv, err := fake.Start("127.0.0.1:0", fake.WithDemoData())
		if err != nil {
			return nil, fmt.Errorf("starting the embedded fake: %w", err)
		}
		c, err := srv.Client(opts...)
		if err != nil {
			srv.Close()
			return nil, err
		}
		fmt.Fprintln(a.io.Stderr, "No credentials in the environment: running against the embedded fake with demo data.")
		return &backend{client: c, vendors: allVendors(), missing: map[invitations.API]string{}, embedded: true,
			demoOwners: srv.DemoFreestyleOwners(), close: srv.Close}, nil
	}
	set, missing := credentials(a.io.Getenv)
	c, err := invitations.NewClient(append([]invitations.Option{invitations.WithEnv()}, opts...)...)
	if err != nil {
		return nil, err
	}
	return &backend{client: c, vendors: set, missing: missing, close: c.CloseIdleConnections}, nil
}

// vendorsFor narrows the backend's vendors to those asked for (nil: all),
// and refuses a desired state asking a grant of vendors without
// credentials, naming every variable to set at once. The vendors in scope
// without credentials are returned apart, with what to set: nothing is
// read there, and the coverage of every answer says so.
func (b *backend) vendorsFor(file *desired.File, only []invitations.API) (vendors []invitations.API, notRead map[invitations.API]string, err error) {
	inScope := func(v invitations.API) bool { return only == nil || slices.Contains(only, v) }
	if file != nil {
		var need []string
		for _, v := range file.Grants() {
			if n, ok := b.missing[v]; ok && inScope(v) {
				need = append(need, fmt.Sprintf("%s (%s, asked at %s)", n, v, file.Where(v)))
			}
		}
		if len(need) > 0 {
			return nil, nil, fmt.Errorf("%s: the desired state asks for access on vendors without credentials: set %s", file.Path, strings.Join(need, "; "))
		}
	}
	notRead = map[invitations.API]string{}
	for _, v := range allVendors() {
		if !inScope(v) {
			continue
		}
		if n, ok := b.missing[v]; ok {
			notRead[v] = n + " not set"
			continue
		}
		if slices.Contains(b.vendors, v) {
			vendors = append(vendors, v)
		}
	}
	if len(vendors) == 0 {
		var need []string
		for _, v := range allVendors() {
			if n, ok := notRead[v]; ok {
				need = append(need, fmt.Sprintf("%s (%s)", v, n))
			}
		}
		return nil, nil, fmt.Errorf("no vendor to read: %s", strings.Join(need, ", "))
	}
	return vendors, notRead, nil
}

// parseVendors reads --vendor values.
func parseVendors(names []string) ([]invitations.API, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var out []invitations.API
	for _, n := range names {
		for _, part := range strings.Split(n, ",") {
			v := invitations.API(strings.ToLower(strings.TrimSpace(part)))
			if !slices.Contains(allVendors(), v) {
				return nil, &exitError{code: ExitError, err: fmt.Errorf("--vendor %q: must be one of %s", part, vendorList())}
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

func vendorList() string {
	var s []string
	for _, v := range allVendors() {
		s = append(s, string(v))
	}
	return strings.Join(s, ", ")
}

// stateName takes the state's name out of a PostgreSQL URL's state_name
// parameter (default "default"), so that several desired-state files can
// share one database; the rest is the connection string.
func stateName(raw string) (conn, name string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("-state: not a valid postgres:// URL")
	}
	q := u.Query()
	name = q.Get("state_name")
	if name == "" {
		name = "default"
	}
	q.Del("state_name")
	u.RawQuery = q.Encode()
	return u.String(), name, nil
}

func isPostgres(state string) bool {
	return strings.HasPrefix(state, "postgres://") || strings.HasPrefix(state, "postgresql://")
}

// store opens the state: -state, else next to the desired-state file,
// else invitations-state.json in the current directory; on the embedded
// fake (fresh every run) a temporary file unless -state is given.
func (a *app) store(b *backend, file *desired.File) (access.Store, func(), error) {
	path := a.state
	if isPostgres(path) {
		// The schema is created on first use; the connection string is
		// never echoed (it may hold a password).
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, name, err := stateName(path)
		if err != nil {
			return nil, nil, &exitError{code: ExitError, err: err}
		}
		st, err := pgstate.Open(ctx, conn, pgstate.WithName(name))
		if err != nil {
			return nil, nil, &exitError{code: ExitError, err: fmt.Errorf("-state: PostgreSQL: %w", err)}
		}
		return st, st.Close, nil
	}
	if path == "" && b.embedded {
		dir, err := os.MkdirTemp("", "invitations-state-")
		if err != nil {
			return nil, nil, err
		}
		return access.NewFileStore(filepath.Join(dir, "state.json")), func() { _ = os.RemoveAll(dir) }, nil
	}
	if path == "" && file != nil {
		path = file.Path + ".state.json"
	}
	if path == "" {
		path = "invitations-state.json"
	}
	return access.NewFileStore(path), func() {}, nil
}

// manager builds the access Manager on the backend.
func (a *app) manager(b *backend, file *desired.File, vendors []invitations.API, notRead map[invitations.API]string, tenants []string) (*access.Manager, func(), error) {
	st, done, err := a.store(b, file)
	if err != nil {
		return nil, nil, err
	}
	if b.embedded {
		if err := seedDemoState(st, b.demoOwners); err != nil {
			done()
			return nil, nil, err
		}
	}
	if file != nil {
		tenants = append(tenants, file.PortworxTenants...)
	}
	if b.embedded && len(tenants) == 0 {
		tenants = []string{fake.PortworxDemoTenantID}
	}
	opts := []access.Option{access.WithVendors(vendors...), access.WithPortworxTenants(tenants...), access.WithLockTimeout(a.lockTimeout)}
	for v, reason := range notRead {
		opts = append(opts, access.WithNotRead(v, reason))
	}
	if file != nil {
		// The file's base name, not its path: the same file checked out
		// elsewhere (another CI runner) is the same desired state.
		opts = append(opts, access.WithSource(filepath.Base(file.Path)), access.WithOffboarding(file.Offboarding...), access.WithRoles(file.Roles...))
	}
	m, err := access.New(b.client, st, opts...)
	if err != nil {
		done()
		return nil, nil, err
	}
	return m, done, nil
}

// seedDemoState gives a state that maps no Freestyle identity the demo
// data's owners: the embedded fake starts fresh every run, with identities
// a state made along with them would know; without it every demo identity
// would be nobody's, and every run a partial read.
func seedDemoState(st access.Store, owners map[string]string) error {
	ctx := context.Background()
	snap, err := st.Load(ctx)
	if err != nil || len(access.FreestyleIdentities(snap)) > 0 || len(owners) == 0 {
		return err
	}
	for email, id := range owners {
		access.SetFreestyleIdentity(snap, email, id)
	}
	return st.Save(ctx, snap)
}
