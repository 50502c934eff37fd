package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
)

// session is a Manager ready to plan for one desired state.
type session struct {
	file *desired.File
	m    *access.Manager
	opts access.PlanOptions
	done func()
}

// open reads the desired-state file, if any (before anything is sent),
// and builds the Manager on the vendors with credentials, narrowed to only
// (nil: all).
func (a *app) open(path string, only []access.Vendor, tenants []string) (*session, error) {
	var file *desired.File
	if path != "" {
		var err error
		if file, err = desired.Load(path); err != nil {
			return nil, &exitError{code: ExitError, err: err}
		}
	}
	b, err := a.connect()
	if err != nil {
		return nil, err
	}
	vendors, err := b.vendorsFor(file, only)
	if err != nil {
		b.close()
		return nil, err
	}
	m, done, err := a.manager(b, file, vendors, tenants)
	if err != nil {
		b.close()
		return nil, err
	}
	s := &session{file: file, m: m, done: func() { done(); b.close() }}
	if file != nil {
		s.opts = access.PlanOptions{Prune: file.Prune, PruneAll: file.PruneAll}
	}
	return s, nil
}

func (s *session) plan(ctx context.Context) (*access.Plan, error) {
	plan, err := s.m.Plan(ctx, s.file.People, s.opts)
	if err != nil {
		return nil, s.file.Explain(err)
	}
	return plan, nil
}

func (a *app) planCommand() *cobra.Command {
	var file, output string
	cmd := &cobra.Command{
		Use:   "plan -f FILE",
		Short: "Show the changes that would make the vendors match the desired state",
		Long: `plan reads what the vendors hold (reads only, nothing is changed) and prints
the changes that would make it match the desired-state file: one line per
change, "+" create, "~" update, "-" remove, with the reason, then a summary.

Exit status (terraform's -detailed-exitcode): 0 no changes, 2 changes to
make, 1 an error or a problem (a desired grant that cannot be planned).`,
		Example: `  invitations plan -f people.yaml
  invitations plan -f people.yaml -o json | jq '.changes[].reason'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.open(file, nil, nil)
			if err != nil {
				return err
			}
			defer s.done()
			plan, err := s.plan(ctx)
			if err != nil {
				return err
			}
			if output == "json" {
				if err := writePlanJSON(a.io.Stdout, plan); err != nil {
					return err
				}
			} else {
				printPlan(a.io.Stdout, plan)
			}
			switch {
			case len(plan.Problems) > 0:
				return silent(ExitError)
			case plan.Empty():
				return nil
			}
			return silent(ExitChanges)
		},
	}
	fileFlag(cmd, &file, true)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func fileFlag(cmd *cobra.Command, file *string, required bool) {
	usage := "desired-state file (YAML)"
	if !required {
		usage = "desired-state file (YAML), for its portworx_tenants and the default state path"
	}
	cmd.Flags().StringVarP(file, "file", "f", "", usage)
	if required {
		_ = cmd.MarkFlagRequired("file")
	}
}

func checkOutput(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	list := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	return &exitError{code: ExitError, err: fmt.Errorf("-o %q: must be %s", got, list)}
}

var signs = map[access.Action]string{access.Create: "+", access.Update: "~", access.Remove: "-"}

// summary counts a plan's changes by action.
type summary struct {
	Create int `json:"create"`
	Update int `json:"update"`
	Remove int `json:"remove"`
}

func summarize(plan *access.Plan) summary {
	var s summary
	for _, c := range plan.Changes {
		switch c.Action {
		case access.Create:
			s.Create++
		case access.Update:
			s.Update++
		case access.Remove:
			s.Remove++
		}
	}
	return s
}

// printPlan writes the plan for people: its changes, its problems, a
// summary.
func printPlan(w io.Writer, plan *access.Plan) {
	for _, c := range plan.Changes {
		fmt.Fprintf(w, "%s %-11s %s\n", signs[c.Action], c.Grant.Vendor, c.Reason)
	}
	if len(plan.Problems) > 0 {
		fmt.Fprintln(w, "Problems (not planned):")
		for _, p := range plan.Problems {
			fmt.Fprintf(w, "! %s %s: %s\n", p.Vendor, p.Email, p.Reason)
		}
	}
	if plan.Empty() {
		fmt.Fprintln(w, "No changes.")
		return
	}
	s := summarize(plan)
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to remove.\n", s.Create, s.Update, s.Remove)
}

func writePlanJSON(w io.Writer, plan *access.Plan) error {
	changes := plan.Changes
	if changes == nil {
		changes = []access.Change{}
	}
	problems := plan.Problems
	if problems == nil {
		problems = []access.Problem{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Changes  []access.Change  `json:"changes"`
		Problems []access.Problem `json:"problems"`
		Summary  summary          `json:"summary"`
	}{changes, problems, summarize(plan)})
}

func (a *app) applyCommand() *cobra.Command {
	var file string
	var autoApprove bool
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Make the vendors match the desired state",
		Long: `apply plans as plan does, shows the plan, asks for confirmation on a terminal
(only "yes" goes on; -auto-approve skips the question, for CI), then carries
it out and prints each change's outcome: done, already done, failed, in doubt
(the request may have reached the vendor and no answer came: the next plan
settles it) or skipped. Without a terminal it refuses to go on unless given
-auto-approve. An apply stopped anywhere (Ctrl-C, -timeout) and run again
ends in the desired state without duplicates.

Exit status: 0 everything done (or nothing to do), 1 an error, a refusal, or
a change that failed, is in doubt or was skipped.`,
		Example: `  invitations apply -f people.yaml
  invitations apply -auto-approve -f people.yaml -state /var/lib/invitations/state.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.open(file, nil, nil)
			if err != nil {
				return err
			}
			defer s.done()
			plan, err := s.plan(ctx)
			if err != nil {
				return err
			}
			return a.applyPlan(ctx, s.m, plan, autoApprove)
		},
	}
	fileFlag(cmd, &file, true)
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation")
	return cmd
}

// applyPlan shows plan, asks for confirmation unless autoApprove, applies
// it and prints the outcomes.
func (a *app) applyPlan(ctx context.Context, m *access.Manager, plan *access.Plan, autoApprove bool) error {
	out := a.io.Stdout
	printPlan(out, plan)
	if plan.Empty() {
		if len(plan.Problems) > 0 {
			return silent(ExitError)
		}
		return nil
	}
	if !autoApprove {
		if !a.io.StdinTTY {
			return &exitError{code: ExitError, err: errors.New("refusing to apply without confirmation: stdin is not a terminal; pass -auto-approve to apply the plan above")}
		}
		ok, err := a.confirm(ctx)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(out, "Apply cancelled.")
			return silent(ExitError)
		}
	}

	stop := a.progress(len(plan.Changes))
	results, err := m.Apply(ctx, plan)
	stop()
	if err != nil {
		if errors.Is(err, access.ErrLocked) {
			return &exitError{code: ExitError, err: fmt.Errorf("%w: wait for the other apply to end, then run again", err)}
		}
		if len(results) == 0 {
			return err
		}
	}
	counts := map[access.Outcome]int{}
	for _, r := range results {
		counts[r.Outcome]++
		line := fmt.Sprintf("%-13s %s %-11s %s", r.Outcome+":", signs[r.Change.Action], r.Change.Grant.Vendor, r.Change.Reason)
		if r.Err != nil && r.Outcome != access.Done && r.Outcome != access.AlreadyDone {
			line += ": " + r.Err.Error()
		}
		fmt.Fprintln(out, line)
	}
	fmt.Fprintf(out, "Apply: %d done, %d already done, %d failed, %d in doubt, %d skipped.\n",
		counts[access.Done], counts[access.AlreadyDone], counts[access.Failed], counts[access.InDoubt], counts[access.Skipped])
	if err != nil {
		return err
	}
	if counts[access.Failed]+counts[access.InDoubt]+counts[access.Skipped] > 0 {
		if counts[access.InDoubt]+counts[access.Skipped] > 0 {
			fmt.Fprintln(out, "Run apply again: its plan re-reads the vendors and settles what is in doubt.")
		}
		return silent(ExitError)
	}
	if len(plan.Problems) > 0 {
		return silent(ExitError)
	}
	return nil
}

// confirm asks on stderr and reads the answer from stdin; only "yes"
// goes on. Ctrl-C while waiting ends it.
func (a *app) confirm(ctx context.Context) (bool, error) {
	fmt.Fprint(a.io.Stderr, "\nApply these changes? Only 'yes' will be accepted: ")
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(a.io.Stdin).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()
	select {
	case s := <-answer:
		return s == "yes", nil
	case <-ctx.Done():
		fmt.Fprintln(a.io.Stderr)
		return false, ctx.Err()
	}
}

// progress shows the apply going on, on stderr: a line redrawn in place
// on a terminal, one plain line otherwise. The returned func ends it.
func (a *app) progress(changes int) func() {
	w := a.io.Stderr
	if !a.io.StderrTTY {
		fmt.Fprintf(w, "Applying %d changes...\n", changes)
		return func() {}
	}
	start := time.Now()
	base := a.writes.Load()
	draw := func() {
		fmt.Fprintf(w, "\r\033[KApplying %d changes: %d write requests sent, %s", changes, a.writes.Load()-base, time.Since(start).Round(100*time.Millisecond))
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			draw()
			select {
			case <-t.C:
			case <-done:
				draw()
				fmt.Fprintln(w)
				return
			}
		}
	}()
	return func() { close(done); <-stopped }
}

func (a *app) offboardCommand() *cobra.Command {
	var file string
	var tenants []string
	var dryRun, autoApprove bool
	cmd := &cobra.Command{
		Use:   "offboard EMAIL",
		Short: "Remove everything one email has on every vendor",
		Long: `offboard finds everything EMAIL has on the five vendors, prints it as a plan
("-" lines), then removes it as apply does (confirmation on a terminal,
-auto-approve for CI). -dry-run stops after the plan.

The state (whose each Freestyle identity is) is -state, else next to -f's
file, else invitations-state.json in the current directory.

Exit status: as apply; with -dry-run as plan (0 nothing found, 2 something
to remove, 1 an error).`,
		Example: `  invitations offboard leaver@example.com -dry-run
  invitations offboard leaver@example.com -auto-approve -f people.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			email := args[0]
			if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || addr.Name != "" {
				return &exitError{code: ExitError, err: fmt.Errorf("%q is not an email address", email)}
			}
			s, err := a.open(file, nil, tenants)
			if err != nil {
				return err
			}
			defer s.done()
			plan, err := s.m.Offboard(ctx, email)
			if err != nil {
				return err
			}
			if dryRun {
				printPlan(a.io.Stdout, plan)
				if plan.Empty() {
					return nil
				}
				return silent(ExitChanges)
			}
			return a.applyPlan(ctx, s.m, plan, autoApprove)
		},
	}
	fileFlag(cmd, &file, false)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "remove without asking for confirmation")
	cmd.Flags().StringSliceVar(&tenants, "portworx-tenant", nil, "Portworx tenant to search (repeatable; besides the file's portworx_tenants)")
	return cmd
}
