// Package cli is the invitations command: its subcommands, flags, output
// formats and exit statuses, on top of the access package.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit statuses.
const (
	ExitOK      = 0 // success; for plan: no changes
	ExitError   = 1 // an error, a refusal, a change failed or in doubt
	ExitChanges = 2 // plan: there are changes
	// ExitIncomplete (3, coverage.go): a read did not reach everything.
)

// IO is where the command reads and writes, and what it knows of them.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// StdinTTY and StderrTTY report whether stdin and stderr are
	// terminals: confirmation prompts need the first, the live progress
	// display the second.
	StdinTTY, StderrTTY bool
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Version is what --version prints.
	Version string
}

// IsTerminal reports whether f is a terminal (not a file, a pipe or
// /dev/null, which is a character device too).
func IsTerminal(f *os.File) bool { return isTerminal(f) }

// exitError carries an exit status; a nil err means the output already
// said what happened.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// silent is an exit status whose reason has been printed.
func silent(code int) error { return &exitError{code: code} }

// app is one run of the command.
type app struct {
	io IO

	timeout time.Duration
	state   string
	verbose bool
	// lockTimeout is -lock-timeout, of the commands that write.
	lockTimeout time.Duration
	// mismatchOK is -state-mismatch-ok: prune with a state made for
	// another desired-state file.
	mismatchOK bool
	// newIdentitiesOK is --new-identities-ok: create Freestyle identities
	// even when the state looks lost.
	newIdentitiesOK bool

	// writes counts the write requests sent (for the progress display).
	writes atomic.Int64
	// applyOutput is apply's -o: text, or json for JSON lines of the
	// outcomes.
	applyOutput string
	// reads counts the requests sent per vendor (for the display of a
	// read in progress).
	reads readCounter
}

// Run runs the command with args (without the program name) and returns
// its exit status. ctx ends on SIGINT or SIGTERM.
func Run(ctx context.Context, args []string, io IO) int {
	if io.Getenv == nil {
		io.Getenv = func(string) string { return "" }
	}
	a := &app{io: io}
	root := a.rootCommand()
	root.SetArgs(singleDashLongFlags(root, args))
	root.SetIn(io.Stdin)
	root.SetOut(io.Stdout)
	root.SetErr(io.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.Stderr, "Error:", printable(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintln(io.Stderr, "Error:", printable(err.Error()))
	return ExitError
}

// singleDashLongFlags lets long flags be written with one dash, as in
// terraform and Go's flag package ("-auto-approve", "-state file"):
// pflag reads "-state" as the shorthands s, t, a... An argument is
// rewritten only when its name is a long flag of some command; "--" ends
// the rewriting.
func singleDashLongFlags(root *cobra.Command, args []string) []string {
	long := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags(), c.InheritedFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	long["help"], long["version"] = true, true
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if strings.HasPrefix(arg, "-") && !strings.HasPrefix(arg, "--") && len(arg) > 2 {
			name, _, _ := strings.Cut(arg[1:], "=")
			if long[name] {
				arg = "-" + arg
			}
		}
		out = append(out, arg)
	}
	return out
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "invitations",
		Short: "Audit, plan and apply people's access to GitGuardian, Box, Freestyle, BIMData and Portworx",
		Long: `invitations keeps people's access to GitGuardian, Box, Freestyle, BIMData and
Portworx in line with a desired-state file (YAML), like terraform's plan and
apply: audit what the vendors hold, plan the changes, apply them, or offboard
one email.

Credentials come from the environment: GITGUARDIAN_API_KEY, BOX_ACCESS_TOKEN,
FREESTYLE_API_KEY, BIMDATA_API_KEY or BIMDATA_ACCESS_TOKEN, PX_CENTRAL_URL and
PX_ACCESS_TOKEN (GITGUARDIAN_API_URL for an EU or self-hosted workspace). With
none set, the command runs against an embedded fake with demo data, and says
so. INVITATIONS_FAKE_URL=http://host:port points every API at a running
"invitations fake".

Flags may be written with one dash or two (-auto-approve, --auto-approve).

Exit status: 0 success (plan: no changes), 2 plan: changes to make,
1 an error, a refusal, or a change that failed or is in doubt, 3 a read
that did not reach everything (audit, offboard, or a file offboarding
someone), unless --allow-partial.`,
		Example: `  invitations plan -f people.yaml
  invitations apply -auto-approve -f people.yaml
  invitations audit -o csv --vendor box
  invitations offboard leaver@example.com -dry-run`,
		Version:       a.io.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without a subcommand, the help.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetVersionTemplate("invitations {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.DurationVar(&a.timeout, "timeout", 10*time.Minute, "give up after this long (0: never)")
	pf.StringVar(&a.state, "state", "", "state file (default: <file>.state.json next to the desired-state file;\ninvitations-state.json without -f), or postgres://...[?state_name=NAME] for a PostgreSQL state")
	pf.BoolVarP(&a.verbose, "verbose", "v", false, "log every request (method, URL, status; never a credential) on stderr")
	root.AddCommand(a.auditCommand(), a.planCommand(), a.applyCommand(), a.offboardCommand(), a.fakeCommand(), a.stateCommand(), a.lookupCommand(), a.validateCommand(), a.showCommand(), a.serveCommand())
	completeOutputs(root)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: ExitError, err: fmt.Errorf("%w (see -h)", err)}
	})
	return root
}

// withTimeout bounds ctx by -timeout.
func (a *app) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if a.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, a.timeout)
}
