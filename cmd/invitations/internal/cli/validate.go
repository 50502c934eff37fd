package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
)

func (a *app) validateCommand() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "validate -f FILE",
		Short: "Check a desired-state file without reading any vendor",
		Long: `validate checks the desired-state file as plan does before it sends anything,
and sends nothing: its YAML and fields, the rules of a desired state (valid
emails, one entry per person, levels and roles, required fields), and that
the environment has credentials for every vendor the file asks access on
(none at all: plan and apply would run against the embedded fake, which
needs none; INVITATIONS_FAKE_URL: the fake at that address, likewise).
What only a vendor can tell (that a Box group exists) is left to plan.

It prints "FILE is valid", or the mistake with its file:line:column.

Exit status: 0 valid, 1 not.`,
		Example: `  invitations validate -f people.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			f, err := desired.Load(file)
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			switch {
			case strings.TrimSpace(a.io.Getenv(EnvFakeURL)) != "":
				fmt.Fprintf(a.io.Stderr, "Credentials not checked: %s points every API at a fake.\n", EnvFakeURL)
			case !anyCredential(a.io.Getenv):
				fmt.Fprintln(a.io.Stderr, "Credentials not checked: none in the environment, plan and apply would run against the embedded fake.")
			default:
				set, missing := credentials(a.io.Getenv)
				b := &backend{vendors: set, missing: missing}
				if _, _, err := b.vendorsFor(f, nil); err != nil {
					return &exitError{code: ExitError, err: err}
				}
			}
			fmt.Fprintf(a.io.Stdout, "%s is valid\n", printable(file))
			return nil
		},
	}
	fileFlag(cmd, &file, true)
	return cmd
}
