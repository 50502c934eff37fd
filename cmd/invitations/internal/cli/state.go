package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/access/pgstate"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
	"github.com/invitesdk/invitations/models"
)

// The state's entries are named by addresses, as terraform names its
// resources: a kind, a slash, and the entry's key in the snapshot.
const (
	addrIdentity         = "identity"           // Freestyle's part: email → Freestyle identity id
	addrCreated          = "created"            // Snapshot.Created: grant key → when
	addrInDoubt          = "in-doubt"           // Snapshot.InDoubt: grant key → the change
	addrRemoved          = "removed"            // Snapshot.Removed: grant key → when
	addrKnownIdentitySet = "known-identity-set" // Freestyle's part: id → identity ids
)

var addrKinds = []string{addrIdentity, addrCreated, addrInDoubt, addrRemoved, addrKnownIdentitySet}

// address is one entry of the state: its kind and its key.
type address struct {
	kind, key string
}

func (a address) String() string { return a.kind + "/" + a.key }

// parseAddress reads KIND/KEY. An identity's email is the state's key
// lower-cased, as the state keeps it.
func parseAddress(s string) (address, error) {
	kind, key, ok := strings.Cut(s, "/")
	if !ok || key == "" || !slices.Contains(addrKinds, kind) {
		return address{}, fmt.Errorf("%q is not a state address: want identity/EMAIL, created/KEY, in-doubt/KEY, removed/KEY or known-identity-set/ID (see invitations state list)", s)
	}
	if kind == addrIdentity {
		key = strings.ToLower(key)
	}
	return address{kind, key}, nil
}

// addresses lists every entry of snap, sorted.
func addresses(snap *access.Snapshot) []string {
	var out []string
	add := func(kind string, keys []string) {
		for _, k := range keys {
			out = append(out, address{kind, k}.String())
		}
	}
	add(addrIdentity, slices.Collect(maps.Keys(access.FreestyleIdentities(snap))))
	add(addrCreated, slices.Collect(maps.Keys(snap.Created)))
	add(addrInDoubt, slices.Collect(maps.Keys(snap.InDoubt)))
	add(addrRemoved, slices.Collect(maps.Keys(snap.Removed)))
	add(addrKnownIdentitySet, slices.Collect(maps.Keys(access.FreestyleKnownIdentitySets(snap))))
	slices.Sort(out)
	return out
}

// lookup returns the entry at addr as the snapshot holds it.
func lookup(snap *access.Snapshot, addr address) (any, bool) {
	var v any
	var ok bool
	switch addr.kind {
	case addrIdentity:
		v, ok = access.FreestyleIdentity(snap, addr.key)
	case addrCreated:
		v, ok = snap.Created[addr.key]
	case addrInDoubt:
		v, ok = snap.InDoubt[addr.key]
	case addrRemoved:
		v, ok = snap.Removed[addr.key]
	case addrKnownIdentitySet:
		v, ok = access.FreestyleKnownIdentitySets(snap)[addr.key]
	}
	return v, ok
}

// remove deletes the entry at addr.
func remove(snap *access.Snapshot, addr address) {
	switch addr.kind {
	case addrIdentity:
		access.SetFreestyleIdentity(snap, addr.key, "")
	case addrCreated:
		delete(snap.Created, addr.key)
	case addrInDoubt:
		delete(snap.InDoubt, addr.key)
	case addrRemoved:
		delete(snap.Removed, addr.key)
	case addrKnownIdentitySet:
		access.SetFreestyleKnownIdentitySet(snap, addr.key, nil)
	}
}

// empty reports whether snap was never saved: no serial, no lineage, no
// entry.
func empty(snap *access.Snapshot) bool {
	return snap.Serial == 0 && snap.Lineage == "" && len(addresses(snap)) == 0
}

// stateStore is the state a state command works on.
type stateStore struct {
	st access.Store
	// where names it in messages: the file, or the PostgreSQL state name
	// (never the connection string, which may hold a password).
	where string
	done  func()
}

// openState opens the state as the other commands do (-state, else next
// to -f's file, else invitations-state.json), but never a temporary one:
// the state commands are about the state kept between runs.
func (a *app) openState(file string) (*stateStore, error) {
	var f *desired.File
	if file != "" {
		f = &desired.File{Path: file}
	}
	st, done, err := a.store(&backend{}, f)
	if err != nil {
		return nil, err
	}
	where := ""
	switch s := st.(type) {
	case *access.FileStore:
		where = s.Path()
	case *pgstate.Store:
		where = fmt.Sprintf("PostgreSQL state_name %q", s.Name())
	}
	return &stateStore{st: st, where: where, done: done}, nil
}

// load reads the state; with mustExist, a state never saved is an error,
// as terraform's state commands say that there is no state.
func (s *stateStore) load(ctx context.Context, mustExist bool) (*access.Snapshot, error) {
	snap, err := s.st.Load(ctx)
	if err != nil {
		return nil, err
	}
	if mustExist && empty(snap) {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("no state in %s: nothing was saved there yet (-state names the state; -f FILE means FILE.state.json)", s.where)}
	}
	return snap, nil
}

// lock takes the state's lock through a Manager, as apply does, waiting
// up to -lock-timeout. The Manager's client sends nothing: it only locks.
func (a *app) lockState(ctx context.Context, s *stateStore) (func(), error) {
	c, err := invitations.NewClient()
	if err != nil {
		return nil, err
	}
	m, err := access.New(c, s.st, access.WithLockTimeout(a.lockTimeout))
	if err != nil {
		return nil, err
	}
	locked, err := a.lock(ctx, m)
	if err != nil {
		return nil, err
	}
	return func() { _ = locked.Unlock() }, nil
}

// openLocked opens the state file names and takes its lock, for a
// command that writes it; release unlocks, then closes.
func (a *app) openLocked(ctx context.Context, file string) (s *stateStore, release func(), err error) {
	s, err = a.openState(file)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := a.lockState(ctx, s)
	if err != nil {
		s.done()
		return nil, nil, err
	}
	return s, func() { unlock(); s.done() }, nil
}

// save writes snap whole as the state's next version: the serial one
// higher than serial (the state's under the lock) or snap's own if
// higher, and a lineage if it has none.
func (s *stateStore) save(ctx context.Context, snap *access.Snapshot, serial uint64) error {
	snap.Serial = max(snap.Serial, serial+1)
	if snap.Lineage == "" {
		snap.Lineage = access.NewLineage()
	}
	return s.st.Save(ctx, snap)
}

func (a *app) stateCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Inspect and repair the state",
		Long: `state lists, shows, removes and imports the state's entries, and pulls or
pushes the state whole, like terraform's state commands. The state holds
what no vendor can tell: whose each Freestyle identity is, which grants this
tool created or removed, which changes are in doubt. Each entry has an
address:

  identity/EMAIL              EMAIL's Freestyle identity (import maps one)
  created/KEY                 a grant this tool created (prune removes only those)
  in-doubt/KEY                a change whose outcome is unknown (the next plan settles it)
  removed/KEY                 a grant this tool removed that the vendor goes on showing
  known-identity-set/ID       the identities that existed before an identity create in doubt

KEY is a grant's key, vendor|kind|scope|email (box|group|119721|ada@example.com).

The state is the one the other commands use: -state, else FILE.state.json
next to -f FILE, else invitations-state.json. The commands that write
(rm, import, push) take the state's lock first, as apply does (-lock-timeout
waits for it), and save the state whole as its next serial. A state file
keeps its previous version beside it, in <state file>.backup; a PostgreSQL
state its previous versions in the table invitations_access_history.`,
		Example: `  invitations state list -f people.yaml
  invitations state show identity/ada@example.com -f people.yaml
  invitations state rm 'in-doubt/box|group|119721|ada@example.com' -f people.yaml
  invitations state import freestyle ada@example.com 10a80a7a-1a32-4a74-b592-aa2a4ef691c5 -f people.yaml
  invitations state pull -f people.yaml > state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVarP(&file, "file", "f", "", "desired-state file whose state it is (its state: FILE.state.json, unless -state)")
	cmd.AddCommand(a.stateListCommand(&file), a.stateShowCommand(&file), a.stateRmCommand(&file),
		a.stateImportCommand(&file), a.statePullCommand(&file), a.statePushCommand(&file))
	return cmd
}

func (a *app) stateListCommand(file *string) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list [ADDRESS...]",
		Short: "List the state's entries, one address per line",
		Long: `state list prints the address of every entry of the state, one per line,
sorted; with ADDRESS arguments, only those starting with one of them
(identity/, created/box|). -o json prints them as a JSON array. Reads only;
a state never saved is an error.`,
		Example: `  invitations state list -f people.yaml
  invitations state list identity/ -state prod.state.json
  invitations state list -o json -f people.yaml | jq length`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.openState(*file)
			if err != nil {
				return err
			}
			defer s.done()
			snap, err := s.load(ctx, true)
			if err != nil {
				return err
			}
			list := []string{}
			for _, addr := range addresses(snap) {
				if len(args) == 0 || slices.ContainsFunc(args, func(p string) bool { return strings.HasPrefix(addr, p) }) {
					list = append(list, addr)
				}
			}
			if output == "json" {
				return writeJSON(a.io.Stdout, list)
			}
			for _, addr := range list {
				fmt.Fprintln(a.io.Stdout, printable(addr))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) stateShowCommand(file *string) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show ADDRESS",
		Short: "Show one entry of the state",
		Long: `state show prints the entry at ADDRESS (see invitations state list): one
"key = value" line per attribute, or -o json: {"address": ..., "value": ...}
with the value as the state holds it. Reads only.`,
		Example: `  invitations state show identity/ada@example.com -f people.yaml
  invitations state show 'created/box|group|119721|ada@example.com' -o json -f people.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			addr, err := parseAddress(args[0])
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.openState(*file)
			if err != nil {
				return err
			}
			defer s.done()
			snap, err := s.load(ctx, true)
			if err != nil {
				return err
			}
			v, ok := lookup(snap, addr)
			if !ok {
				return &exitError{code: ExitError, err: fmt.Errorf("no %s in the state (see invitations state list)", addr)}
			}
			if output == "json" {
				return writeJSON(a.io.Stdout, struct {
					Address string `json:"address"`
					Value   any    `json:"value"`
				}{addr.String(), v})
			}
			printAttrs(a.io.Stdout, attributes(snap, addr, v))
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// attributes describes the entry v at addr as key = value pairs.
func attributes(snap *access.Snapshot, addr address, v any) [][2]string {
	attrs := [][2]string{{"address", addr.String()}}
	add := func(k, v string) { attrs = append(attrs, [2]string{k, v}) }
	grant := func(key string) {
		parts := strings.Split(key, "|")
		if len(parts) < 4 {
			return
		}
		add("vendor", parts[0])
		add("kind", parts[1])
		if scope := strings.Join(parts[2:len(parts)-1], "|"); scope != "" {
			add("scope", scope)
		}
		add("email", parts[len(parts)-1])
	}
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch addr.kind {
	case addrIdentity:
		add("email", addr.key)
		add("identity_id", v.(string))
	case addrCreated:
		grant(addr.key)
		add("created", stamp(v.(time.Time)))
	case addrRemoved:
		grant(addr.key)
		add("removed", stamp(v.(time.Time)))
	case addrInDoubt:
		d := v.(access.DoubtfulChange)
		grant(addr.key)
		add("action", string(d.Change.Action))
		if d.Change.Grant.Level != "" {
			add("level", d.Change.Grant.Level)
		}
		if d.Change.Grant.Users != nil {
			add("users", strings.Join(d.Change.Grant.Users, ", "))
		}
		if d.Change.From != nil && d.Change.From.Level != "" {
			add("from_level", d.Change.From.Level)
		}
		if d.Change.Target != "" {
			add("target", d.Change.Target)
		}
		add("reason", d.Change.Reason)
		add("since", stamp(d.Since))
		note := doubtNote(d)
		if note.KnownIdentitySet != "" {
			add("known_identity_set", note.KnownIdentitySet)
		}
		if len(note.KnownIdentities) > 0 {
			add("known_identities", strings.Join(note.KnownIdentities, ", "))
		}
	case addrKnownIdentitySet:
		ids := v.([]string)
		add("identities", strings.Join(ids, ", "))
		var users []string
		for k, d := range snap.InDoubt {
			if doubtNote(d).KnownIdentitySet == addr.key {
				users = append(users, address{addrInDoubt, k}.String())
			}
		}
		slices.Sort(users)
		add("used_by", strings.Join(users, ", "))
	}
	return attrs
}

// printAttrs writes "key = value" lines, the keys padded to one width.
func printAttrs(w io.Writer, attrs [][2]string) {
	width := 0
	for _, kv := range attrs {
		width = max(width, len(kv[0]))
	}
	for _, kv := range attrs {
		fmt.Fprintf(w, "%-*s = %s\n", width, kv[0], printable(kv[1]))
	}
}

func (a *app) stateRmCommand(file *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rm ADDRESS...",
		Short: "Remove entries from the state (the vendors are not touched)",
		Long: `state rm removes the entries at the addresses given from the state, as
terraform's state rm forgets resources: nothing is sent to any vendor. The
state's lock is taken first (-lock-timeout waits for it); every address must
be in the state, or nothing is removed. A known-identity-set still named by
an in-doubt entry is removed only with that entry.

Removing identity/EMAIL makes the state forget whose that Freestyle
identity is: the next plan would create EMAIL another one. Map it again with
invitations state import freestyle EMAIL IDENTITY_ID.`,
		Example: `  invitations state rm identity/ada@example.com -f people.yaml
  invitations state rm 'in-doubt/box|group|119721|ada@example.com' -lock-timeout 1m -f people.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var addrs []address
			for _, arg := range args {
				addr, err := parseAddress(arg)
				if err != nil {
					return &exitError{code: ExitError, err: err}
				}
				if !slices.Contains(addrs, addr) {
					addrs = append(addrs, addr)
				}
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, release, err := a.openLocked(ctx, *file)
			if err != nil {
				return err
			}
			defer release()
			snap, err := s.load(ctx, true)
			if err != nil {
				return err
			}
			var missing []string
			for _, addr := range addrs {
				if _, ok := lookup(snap, addr); !ok {
					missing = append(missing, addr.String())
				}
			}
			if len(missing) > 0 {
				return &exitError{code: ExitError, err: fmt.Errorf("not in the state: %s (see invitations state list); nothing removed", strings.Join(missing, ", "))}
			}
			if err := stillNamed(snap, addrs); err != nil {
				return &exitError{code: ExitError, err: err}
			}
			serial := snap.Serial
			for _, addr := range addrs {
				remove(snap, addr)
			}
			if err := s.save(ctx, snap, serial); err != nil {
				return err
			}
			for _, addr := range addrs {
				fmt.Fprintf(a.io.Stdout, "Removed %s\n", printable(addr.String()))
			}
			fmt.Fprintf(a.io.Stdout, "Successfully removed %d %s; the state is at serial %d.\n", len(addrs), plural(len(addrs), "entry", "entries"), snap.Serial)
			return nil
		},
	}
	a.lockTimeoutFlag(cmd)
	return cmd
}

// doubtNote is what a Freestyle identity create in doubt keeps beside it
// (nothing for other doubts).
func doubtNote(d access.DoubtfulChange) access.FreestyleDoubtNote {
	var n access.FreestyleDoubtNote
	if d.Change.Grant.Vendor == invitations.Freestyle && d.Note != nil {
		_ = json.Unmarshal(d.Note, &n) // a note of another shape names nothing
	}
	return n
}

// stillNamed refuses to remove a known identity set that an in-doubt
// entry left in the state names: the next plan would take every
// identity nobody owns for the one that create made.
func stillNamed(snap *access.Snapshot, addrs []address) error {
	for _, addr := range addrs {
		if addr.kind != addrKnownIdentitySet {
			continue
		}
		for k, d := range snap.InDoubt {
			doubt := address{addrInDoubt, k}
			if doubtNote(d).KnownIdentitySet == addr.key && !slices.Contains(addrs, doubt) {
				return fmt.Errorf("%s is named by %s, which settles by it: remove both, or neither; nothing removed", addr, doubt)
			}
		}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (a *app) stateImportCommand(file *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import freestyle EMAIL IDENTITY_ID",
		Short: "Map an email to an existing Freestyle identity",
		Long: `state import maps EMAIL to the Freestyle identity IDENTITY_ID, which must
exist on Freestyle (it is looked up among the account's identities; one
Freestyle manages cannot be anyone's). Freestyle identities carry no email:
the state alone says whose each is, so this is how an identity made by hand,
or one the state forgot, becomes EMAIL's; the next plan reads its
permissions. Only Freestyle identities are imported: the other vendors say
whose each grant is.

It refuses when the state maps EMAIL already or maps IDENTITY_ID to someone
else, naming them (state rm first). The state's lock is taken first
(-lock-timeout waits for it), before anything is read.`,
		Example: `  invitations state import freestyle ada@example.com 10a80a7a-1a32-4a74-b592-aa2a4ef691c5 -f people.yaml`,
		Args:    cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != string(invitations.Freestyle) {
				return &exitError{code: ExitError, err: fmt.Errorf("state import %q: only freestyle identities are imported (the other vendors say whose each grant is)", args[0])}
			}
			email, id := args[1], args[2]
			if err := checkEmail(email); err != nil {
				return err
			}
			if strings.TrimSpace(id) != id || id == "" {
				return &exitError{code: ExitError, err: fmt.Errorf("%q is not a Freestyle identity id", id)}
			}
			email = strings.ToLower(email)
			if strings.TrimSpace(a.io.Getenv(EnvFakeURL)) == "" && !anyCredential(a.io.Getenv) {
				return &exitError{code: ExitError, err: fmt.Errorf("state import: %s is not set in the environment: the identity must be looked up on Freestyle (or on a running fake: %s)", invitations.EnvFreestyleAPIKey, EnvFakeURL)}
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, release, err := a.openLocked(ctx, *file)
			if err != nil {
				return err
			}
			defer release()
			snap, err := s.load(ctx, false)
			if err != nil {
				return err
			}
			addr := address{addrIdentity, email}
			if have, ok := access.FreestyleIdentity(snap, email); ok {
				return &exitError{code: ExitError, err: fmt.Errorf("%s is in the state already: Freestyle identity %s; to map it to another, state rm %s first", addr, have, addr)}
			}
			for other, have := range access.FreestyleIdentities(snap) {
				if have == id {
					return &exitError{code: ExitError, err: fmt.Errorf("identity %s is %s's in the state (%s): an identity is one person's; state rm %s first if it is not theirs", id, other, address{addrIdentity, other}, address{addrIdentity, other})}
				}
			}
			b, err := a.connect()
			if err != nil {
				return err
			}
			defer b.close()
			if need, ok := b.missing[invitations.Freestyle]; ok {
				return &exitError{code: ExitError, err: fmt.Errorf("state import: %s is not set in the environment: the identity must be looked up on Freestyle", need)}
			}
			ident, found, err := findIdentity(ctx, b.client, id)
			if err != nil {
				return err
			}
			switch {
			case !found:
				return &exitError{code: ExitError, err: fmt.Errorf("no Freestyle identity %s: nothing imported", id)}
			case ident.Managed:
				return &exitError{code: ExitError, err: fmt.Errorf("identity %s is managed by Freestyle: it cannot be anyone's; nothing imported", id)}
			}
			serial := snap.Serial
			access.SetFreestyleIdentity(snap, email, id)
			if err := s.save(ctx, snap, serial); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Stdout, "Import successful: %s is Freestyle identity %s; the state is at serial %d.\n", printable(addr.String()), printable(id), snap.Serial)
			return nil
		},
	}
	a.lockTimeoutFlag(cmd)
	return cmd
}

// findIdentity looks id up among the account's Freestyle identities,
// those Freestyle manages included (to say so rather than "no such
// identity"), ending the listing when found.
func findIdentity(ctx context.Context, c *invitations.Client, id string) (models.FreestyleIdentity, bool, error) {
	managed := true
	opts := &invitations.ListIdentitiesOptions{Limit: 1000, IncludeManaged: &managed}
	for ident, err := range c.Identity.ListIdentities(ctx, opts).All() {
		if err != nil {
			return models.FreestyleIdentity{}, false, fmt.Errorf("freestyle: list identities: %w", err)
		}
		if ident.ID == id {
			return ident, true, nil
		}
	}
	return models.FreestyleIdentity{}, false, nil
}

func (a *app) statePullCommand(file *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Write the state as JSON to stdout",
		Long: `state pull writes the state, whole, as the JSON a state file holds, to
stdout (a state file's journal applied, a PostgreSQL state's changes too),
for a backup, a look with jq, or an edit pushed back with state push. Reads
only; a state never saved is written as an empty one, with a warning.`,
		Example: `  invitations state pull -f people.yaml > state.json
  invitations state pull -state 'postgres://host/db?state_name=prod' | jq .identities`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.openState(*file)
			if err != nil {
				return err
			}
			defer s.done()
			snap, err := s.load(ctx, false)
			if err != nil {
				return err
			}
			if empty(snap) {
				fmt.Fprintf(a.io.Stderr, "Warning: no state in %s: nothing was saved there yet.\n", printable(s.where))
			}
			data, err := access.EncodeSnapshot(snap)
			if err != nil {
				return err
			}
			_, err = a.io.Stdout.Write(data)
			return err
		},
	}
	return cmd
}

func (a *app) statePushCommand(file *string) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Replace the state with a JSON file's",
		Long: `state push replaces the state with the snapshot in FILE (as state pull
writes it; - reads stdin), as terraform's state push does. It refuses a
snapshot of another lineage ("cannot push: lineage differs": another
state, not a version of this one) or with a serial not higher than the
state's ("cannot push: serial lower": an older version, which would undo
what was saved since), unless -force; a state never saved takes any. The
state's lock is taken first (-lock-timeout waits for it). The state is
saved with FILE's serial, or with -force the state's serial + 1 if higher,
so that a serial never comes back.`,
		Example: `  invitations state pull -f people.yaml > state.json
  # edit state.json, raise its serial, then:
  invitations state push state.json -f people.yaml
  invitations state push -force people.yaml.state.json.backup -f people.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var data []byte
			var err error
			if name == "-" {
				name = "stdin"
				data, err = io.ReadAll(a.io.Stdin)
			} else {
				data, err = os.ReadFile(name)
			}
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			pushed, err := access.DecodeSnapshot(data)
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("%s: %w", name, err)}
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, release, err := a.openLocked(ctx, *file)
			if err != nil {
				return err
			}
			defer release()
			current, err := s.load(ctx, false)
			if err != nil {
				return err
			}
			if !force && !empty(current) {
				if pushed.Lineage != current.Lineage {
					return &exitError{code: ExitError, err: fmt.Errorf("cannot push: lineage differs: %s has lineage %q, the state in %s has %q: it is another state, not a version of this one (give -force to replace it anyway)",
						name, pushed.Lineage, s.where, current.Lineage)}
				}
				if pushed.Serial <= current.Serial {
					what, why := "lower", "it is older than the state, and would undo what was saved since"
					if pushed.Serial == current.Serial {
						what, why = "not higher", "it is this version of the state, or an edit of it that kept its serial"
					}
					return &exitError{code: ExitError, err: fmt.Errorf("cannot push: serial %s: %s has serial %d, the state in %s is at serial %d: %s (raise the serial of an edited state, or give -force to replace it anyway)",
						what, name, pushed.Serial, s.where, current.Serial, why)}
				}
			}
			pushed.Lineage = cmp.Or(pushed.Lineage, current.Lineage)
			if err := s.save(ctx, pushed, current.Serial); err != nil {
				return err
			}
			fmt.Fprintf(a.io.Stdout, "Pushed %s; the state is at serial %d, lineage %s.\n", printable(name), pushed.Serial, printable(pushed.Lineage))
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace the state even with another lineage or a serial not higher than its own")
	a.lockTimeoutFlag(cmd)
	return cmd
}
