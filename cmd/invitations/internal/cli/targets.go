package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
)

// targetFlags are --vendor and --email of plan and apply: terraform's
// -target, for a vendor or a person.
type targetFlags struct {
	vendors, emails []string
}

// add adds the flags to cmd.
func (t *targetFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&t.vendors, "vendor", nil, "only read and change these vendors (repeatable or comma-separated): "+vendorList())
	cmd.Flags().StringSliceVar(&t.emails, "email", nil, "only read and change these people, each named in the file (repeatable or comma-separated)")
}

// given reports whether any target flag was given.
func (t *targetFlags) given() bool { return len(t.vendors) > 0 || len(t.emails) > 0 }

// check refuses a vendor that is not one or an argument of --email that
// is not an email address, and returns the vendors to narrow the Manager
// to (nil: all).
func (t *targetFlags) check() ([]invitations.API, error) {
	only, err := parseVendors(t.vendors)
	if err != nil {
		return nil, err
	}
	for _, e := range t.emails {
		var inv *access.InvalidPersonError
		if err := access.Validate([]access.Person{{Email: e, Absent: true}}); errors.As(err, &inv) {
			return nil, &exitError{code: ExitError, err: fmt.Errorf("--email: %s", inv.Reason)}
		}
	}
	return only, nil
}

// targets returns the plan's targets, refusing an email file does not
// list: a target is someone the file says something of.
func (t *targetFlags) targets(only []invitations.API, file *desired.File) (access.Targets, error) {
	targets := access.Targets{Vendors: only}
	for _, e := range t.emails {
		if !fileNames(file, e) {
			return access.Targets{}, &exitError{code: ExitError, err: fmt.Errorf("--email %s: nobody in %s has this email", e, file.Path)}
		}
		targets.Emails = append(targets.Emails, e)
	}
	return targets, nil
}

// fileNames reports whether file lists a person with email.
func fileNames(file *desired.File, email string) bool {
	for _, p := range file.People {
		if strings.EqualFold(p.Email, email) {
			return true
		}
	}
	return false
}

// printTargets says on w that plan is targeted, when it is: its changes
// are those of its targets only.
func printTargets(w io.Writer, plan *access.Plan) {
	if !plan.Targets.Empty() {
		fmt.Fprintln(w, "Targeted:", printable(plan.Targets.String()))
	}
}

// openTargeted opens the session of a plan of the file at path narrowed
// by t: the Manager on the target vendors, the plan's options with the
// targets. Bad targets are refused before anything is sent.
func (a *app) openTargeted(path string, t *targetFlags) (*session, error) {
	only, err := t.check()
	if err != nil {
		return nil, err
	}
	s, err := a.open(path, only, nil)
	if err != nil {
		return nil, err
	}
	targets, err := t.targets(only, s.file)
	if err != nil {
		s.done()
		return nil, err
	}
	s.opts.Targets = targets
	return s, nil
}

// digestFor returns the SHA-256 of the desired-state file path when the
// plan is to be saved (out not empty), "" otherwise.
func digestFor(out, path string) (string, error) {
	if out == "" {
		return "", nil
	}
	d, err := fileDigest(path)
	if err != nil {
		return "", &exitError{code: ExitError, err: err}
	}
	return d, nil
}
