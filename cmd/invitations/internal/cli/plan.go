package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
)

// session is a Manager ready to plan for one desired state.
type session struct {
	file *desired.File
	m    *access.Manager
	opts access.PlanOptions
	done func()
	// layout is how the plan's text shows its changes; outcomes is where
	// an apply's outcomes go.
	layout   planLayout
	outcomes outcomes
}

// open reads the desired-state file, if any (before anything is sent),
// and builds the Manager on the vendors with credentials, narrowed to only
// (nil: all).
func (a *app) open(path string, only []invitations.API, tenants []string) (*session, error) {
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
	vendors, notRead, err := b.vendorsFor(file, only)
	if err != nil {
		b.close()
		return nil, err
	}
	m, done, err := a.manager(b, file, vendors, notRead, tenants)
	if err != nil {
		b.close()
		return nil, err
	}
	s := &session{file: file, m: m, done: func() { done(); b.close() }, layout: layoutFor()}
	if file != nil {
		s.opts = access.PlanOptions{Prune: file.Prune, PruneAll: file.PruneAll, AllowSourceMismatch: a.mismatchOK, NewIdentitiesOK: a.newIdentitiesOK}
	}
	return s, nil
}

// planner plans: a Manager, or a Locked for a run that writes (the lock
// taken before the plan's reads).
type planner interface {
	Plan(ctx context.Context, people []access.Person, opts access.PlanOptions) (*access.Plan, error)
	Offboard(ctx context.Context, email string) (*access.Plan, error)
}

func (s *session) plan(ctx context.Context, p planner) (*access.Plan, error) {
	plan, err := p.Plan(ctx, s.file.People, s.opts)
	if errors.Is(err, access.ErrSourceMismatch) {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%w: give -state-mismatch-ok to prune anyway, or -state with this file's own state", err)}
	}
	if err != nil {
		return nil, s.file.Explain(err)
	}
	return plan, nil
}

// lock takes the state's lock for a run that writes, before it reads
// anything: a run refused here has sent no request.
func (a *app) lock(ctx context.Context, m *access.Manager) (*access.Locked, error) {
	locked, err := m.Lock(ctx)
	if errors.Is(err, access.ErrLocked) {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("%w: wait for the other apply to end, or give -lock-timeout to wait for it", err)}
	}
	if err != nil {
		return nil, err
	}
	return locked, nil
}

// checkEmail refuses an argument that is not a bare email address.
func checkEmail(email string) error {
	var inv *access.InvalidPersonError
	if err := access.Validate([]access.Person{{Email: email, Absent: true}}); errors.As(err, &inv) {
		return &exitError{code: ExitError, err: errors.New(inv.Reason)}
	}
	return nil
}

func (a *app) planCommand() *cobra.Command {
	var file, output, out, by string
	var g guards
	var t targetFlags
	cmd := &cobra.Command{
		Use:   "plan -f FILE [-out PLAN]",
		Short: "Show the changes that would make the vendors match the desired state",
		Long: `plan reads what the vendors hold (reads only, nothing is changed) and prints
the changes that would make it match the desired-state file: one line per
change, "+" create, "~" update, "-" remove, with the reason, then a summary.

What was read is said on stderr in one line (Read: ... Not read: ...), and
as "coverage" in JSON.

-out PLAN also saves the plan, for "apply PLAN" to carry out exactly (see
apply) and "show PLAN" to print: its changes, the state's serial and lineage
it was made from, the desired-state file's SHA-256, the time and the tool's
version. It holds no credential.

--vendor and --email (repeatable) narrow the plan to some vendors and some
people of the file (terraform's -target): only those are read (Freestyle's
permissions person by person, the others' lists as a whole) and only their
changes planned; prune removes nothing of anyone else. The plan says so
("Targeted: vendor box; email ada@example.com", "targets" in JSON).

Exit status (terraform's -detailed-exitcode): 0 no changes, 2 changes to
make, 1 an error or a problem (a desired grant that cannot be planned), 3
the file offboards someone and a vendor could not be read in full (unless
--allow-partial).`,
		Example: `  invitations plan -f people.yaml
  invitations plan -f people.yaml -o json | jq '.changes[].reason'
  invitations plan -f people.yaml -out people.plan
  invitations plan -f people.yaml --vendor box --email ada@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			if err := checkBy(by); err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			// The digest of the file before it is read: a file changed
			// meanwhile is refused by the apply rather than let through.
			digest, err := digestFor(out, file)
			if err != nil {
				return err
			}
			s, err := a.openTargeted(file, &t)
			if err != nil {
				return err
			}
			defer s.done()
			plan, err := s.plan(ctx, a.showReads(s.m))
			if err != nil {
				return err
			}
			if output == "json" {
				if err := writePlanJSON(a.io.Stdout, plan); err != nil {
					return err
				}
			} else {
				a.warn(plan)
				s.layout.by = grouping(by)
				printPlanAs(a.io.Stdout, plan, s.file, s.layout)
				a.printCoverage(plan.Coverage)
			}
			if out != "" {
				if err := a.savePlan(out, file, digest, plan); err != nil {
					return err
				}
			}
			codes := []int{ExitOK}
			if len(plan.Problems) > 0 {
				codes = append(codes, ExitError)
			}
			if s.file.HasAbsent() {
				codes = append(codes, g.incomplete(plan.Coverage))
			}
			if !plan.Empty() {
				codes = append(codes, ExitChanges)
			}
			if code := worst(codes...); code != ExitOK {
				return silent(code)
			}
			return nil
		},
	}
	fileFlag(cmd, &file, true)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	byFlag(cmd, &by)
	cmd.Flags().StringVar(&out, "out", "", "also save the plan to this file, for apply PLAN and show PLAN")
	t.add(cmd)
	a.mismatchFlag(cmd)
	g.partialFlag(cmd)
	return cmd
}

// mismatchFlag adds -state-mismatch-ok to a command that plans with the
// file's prune.
func (a *app) mismatchFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&a.mismatchOK, "state-mismatch-ok", false, "prune even though the state was made for another desired-state file")
	cmd.Flags().BoolVar(&a.newIdentitiesOK, "new-identities-ok", false, "create Freestyle identities even when the state maps none while Freestyle holds identities with permissions nobody the state knows (a lost state: see state import)")
}

// lockTimeoutFlag adds -lock-timeout to a command that writes.
func (a *app) lockTimeoutFlag(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&a.lockTimeout, "lock-timeout", 0, "wait this long for another apply holding the state to end (0: refuse at once, naming the holder)")
}

// warn prints the plan's warnings on stderr.
func (a *app) warn(plan *access.Plan) {
	for _, w := range plan.Warnings {
		fmt.Fprintln(a.io.Stderr, "Warning:", printable(w))
	}
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

// printPlan writes the plan for people: its targets, if any, its changes,
// its problems (with the place in file of the field at fault, when
// known), a summary.
func printPlan(w io.Writer, plan *access.Plan, file *desired.File) {
	printPlanAs(w, plan, file, layoutFor())
}

// printPlanAs is printPlan with the changes shown as layout says.
func printPlanAs(w io.Writer, plan *access.Plan, file *desired.File, layout planLayout) {
	printTargets(w, plan)
	layout.writeChanges(w, plan.Changes)
	if len(plan.Problems) > 0 {
		fmt.Fprintln(w, "Problems (not planned):")
		for _, p := range plan.Problems {
			where := ""
			if file != nil && p.Field != "" {
				loc, field := file.Locate(p.Field)
				where = loc + ": " + field + ": "
			}
			fmt.Fprintf(w, "! %s %s: %s%s\n", p.Vendor, p.Email, printable(where), printable(p.Reason))
		}
	}
	if plan.Empty() {
		fmt.Fprintln(w, layout.noChanges(plan.Coverage))
		if n := plan.Settled(); n > 0 {
			fmt.Fprintf(w, "The reads settled %s that %s in doubt: apply records %s.\n", changesCount(n), wasWere(n), itThem(n))
		}
		return
	}
	s := summarize(plan)
	fmt.Fprintf(w, "Plan: %d to create, %d to update, %d to remove.\n", s.Create, s.Update, s.Remove)
}

// changesCount is "1 change" or "N changes".
func changesCount(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func itThem(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func writePlanJSON(w io.Writer, plan *access.Plan) error {
	return writeIndented(w, newPlanDocument(plan))
}

// newPlanDocument is plan as `plan -o json` writes it, every list a list
// (never null).
func newPlanDocument(plan *access.Plan) planDocument {
	changes := plan.Changes
	if changes == nil {
		changes = []access.Change{}
	}
	problems := plan.Problems
	if problems == nil {
		problems = []access.Problem{}
	}
	warnings := plan.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	return planDocument{changes, problems, warnings, summarize(plan), plan.Settled(), plan.Serial, plan.Lineage, plan.Coverage, plan.Targets}
}

// planDocument is a plan as `plan -o json` writes it (and `show -o json`,
// with what the saved plan adds).
type planDocument struct {
	Changes  []access.Change  `json:"changes"`
	Problems []access.Problem `json:"problems"`
	Warnings []string         `json:"warnings"`
	Summary  summary          `json:"summary"`
	Settled  int              `json:"settled"`
	Serial   uint64           `json:"serial"`
	Lineage  string           `json:"lineage"`
	Coverage access.Coverage  `json:"coverage"`
	Targets  access.Targets   `json:"targets"`
}

// writeIndented writes v as indented JSON.
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *app) applyCommand() *cobra.Command {
	var file string
	var autoApprove bool
	var g guards
	var t targetFlags
	var maxAge time.Duration
	cmd := &cobra.Command{
		Use:   "apply -f FILE | apply PLAN",
		Short: "Make the vendors match the desired state",
		Long: `apply plans as plan does, shows the plan, asks for confirmation on a terminal
(only "yes" goes on; -auto-approve skips the question, for CI), then carries
it out and prints each change's outcome: done, already done, failed, in doubt
(the request may have reached the vendor and no answer came: the next plan
settles it) or skipped (not sent: the apply stopped, or a change it needs
did not succeed). Without a terminal it refuses to go on unless given
-auto-approve. An apply stopped anywhere (Ctrl-C, -timeout) and run again
ends in the desired state without duplicates.

apply takes the state's lock before it reads anything and holds it until
it ends: a second apply or offboard on the same state (file or PostgreSQL
state_name) is refused at once, naming the holder, having sent nothing;
-lock-timeout 5m waits for it instead. A plan with no changes still records
what its reads settled of earlier changes in doubt. The state remembers the
desired-state file it was made for: with another file's state, a warning,
and prune is refused unless -state-mismatch-ok.

Guards, before anything is written: a plan with problems is refused unless
--allow-problems; a plan removing more grants than --max-removals (default:
the larger of 10 and 10% of the grants read; -1: no limit) is refused.

"apply PLAN" carries out a plan saved with "plan -out PLAN", exactly its
changes, without asking (it was reviewed when saved), under the state's
lock. It refuses, having sent nothing, a plan made from another version of
the state (another apply saved since, or another state), a plan whose
desired-state file changed since (its SHA-256; -f names the file when it is
not where the plan says), and a plan older than -max-plan-age (default 24h;
0: no limit). The guards apply as above.

--vendor and --email narrow the plan as they do plan's (a saved plan keeps
the targets it was made with).

Exit status: 0 everything done (or nothing to do), 1 an error, a refusal, or
a change that failed, is in doubt or was skipped, 3 the file offboards
someone and a vendor could not be read in full (unless --allow-partial).`,
		Example: `  invitations apply -f people.yaml
  invitations apply -auto-approve -f people.yaml -state /var/lib/invitations/state.json
  invitations apply people.plan`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(a.applyOutput, "text", "json"); err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			if len(args) == 1 {
				if t.given() {
					return &exitError{code: ExitError, err: errors.New("--vendor and --email narrow a new plan: a saved plan keeps the targets it was made with")}
				}
				return a.applySaved(ctx, args[0], file, maxAge, &g)
			}
			if file == "" {
				return &exitError{code: ExitError, err: errors.New(`required flag(s) "file" not set, or give a saved plan (apply PLAN)`)}
			}
			s, err := a.openTargeted(file, &t)
			if err != nil {
				return err
			}
			defer s.done()
			locked, err := a.lock(ctx, s.m)
			if err != nil {
				return err
			}
			defer func() { _ = locked.Unlock() }()
			plan, err := s.plan(ctx, a.showReads(locked))
			if err != nil {
				return err
			}
			if _, err := a.applyPlan(ctx, s, locked, plan, autoApprove, &g); err != nil {
				return err
			}
			if s.file.HasAbsent() {
				if code := g.incomplete(plan.Coverage); code != ExitOK {
					return silent(code)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "desired-state file (YAML); with a saved plan, where its file is when not where the plan says")
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().StringVarP(&a.applyOutput, "output", "o", "text", "output format: text, or json (JSON lines: each change's outcome as it ends, then a summary; the plan goes to stderr)")
	cmd.Flags().DurationVar(&maxAge, "max-plan-age", defaultMaxPlanAge, "with a saved plan: refuse it when older than this (0: no limit)")
	t.add(cmd)
	a.lockTimeoutFlag(cmd)
	a.mismatchFlag(cmd)
	g.partialFlag(cmd)
	g.writeFlags(cmd)
	return cmd
}

// applyPlan shows plan, asks for confirmation unless autoApprove, applies
// it under locked and prints the outcomes. An empty plan that settled
// earlier doubts is applied too, without asking: it sends nothing and
// records the settlement.
func (a *app) applyPlan(ctx context.Context, s *session, locked *access.Locked, plan *access.Plan, autoApprove bool, g *guards) ([]access.Result, error) {
	if a.applyOutput == "json" {
		s.outcomes.json = json.NewEncoder(a.io.Stdout)
	}
	out := s.outcomes.textOut(a.io.Stdout, a.io.Stderr)
	a.warn(plan)
	printPlanAs(out, plan, s.file, s.layout)
	a.printCoverage(plan.Coverage)
	if plan.Empty() {
		n := plan.Settled()
		if n > 0 {
			if _, err := locked.Apply(ctx, plan); err != nil {
				return nil, err
			}
		}
		if _, err := s.outcomes.finish(a.io.Stdout, s.layout, nil, n); err != nil {
			return nil, err
		}
		if len(plan.Problems) > 0 {
			return nil, silent(ExitError)
		}
		return nil, nil
	}
	if err := g.check(plan); err != nil {
		return nil, err
	}
	if !autoApprove {
		if !a.io.StdinTTY {
			return nil, &exitError{code: ExitError, err: errors.New("refusing to apply without confirmation: stdin is not a terminal; pass -auto-approve to apply the plan above")}
		}
		ok, err := a.confirm(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			fmt.Fprintln(out, "Apply cancelled.")
			return nil, silent(ExitError)
		}
	}

	stop := a.progress(len(plan.Changes))
	results, err := locked.ApplyWith(ctx, plan, s.outcomes.options())
	stop()
	if err != nil && len(results) == 0 {
		return nil, err
	}
	counts, werr := s.outcomes.finish(a.io.Stdout, s.layout, results, plan.Settled())
	if err == nil {
		err = werr
	}
	if err != nil {
		return results, err
	}
	if counts[access.Failed]+counts[access.InDoubt]+counts[access.Skipped] > 0 {
		if counts[access.InDoubt]+counts[access.Skipped] > 0 {
			fmt.Fprintln(out, "Run apply again: its plan re-reads the vendors and settles what is in doubt.")
		}
		return results, silent(ExitError)
	}
	if len(plan.Problems) > 0 {
		return results, silent(ExitError)
	}
	return results, nil
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
	var file, output, report string
	var tenants []string
	var dryRun, autoApprove bool
	var g guards
	cmd := &cobra.Command{
		Use:   "offboard EMAIL",
		Short: "Remove everything one email has on every vendor",
		Long: `offboard finds everything EMAIL has on the five vendors, prints it as a plan
("-" lines), then removes it as apply does (confirmation on a terminal,
-auto-approve for CI, the state's lock taken first, the same guards: see
apply). -dry-run stops after the plan and takes no lock.

What was read is said on stderr in one line (Read: ... Not read: ...). After
the removals, every vendor is read again for EMAIL and the result said in one
line ("Verified: nothing left for EMAIL on ..."). --report FILE writes the
evidence as JSON: the time, the tool's version, the coverage, every grant
found, every change with its outcome, and that verification; -o json writes
it on stdout instead of the text.

The state (whose each Freestyle identity is) is -state, else next to -f's
file, else invitations-state.json in the current directory.

Exit status: 0 verified: nothing left, every vendor read in full; 1 an
error, a refusal, or a change that failed, is in doubt or was skipped, or
grants left; 3 a vendor could not be read in full (unless --allow-partial).
With -dry-run: 0 nothing found, 2 something to remove, 3 incomplete.`,
		Example: `  invitations offboard leaver@example.com -dry-run
  invitations offboard leaver@example.com -auto-approve -f people.yaml --report leaver.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			email := args[0]
			if err := checkEmail(email); err != nil {
				return err
			}
			s, err := a.open(file, nil, tenants)
			if err != nil {
				return err
			}
			defer s.done()
			s.layout = s.layout.offboarding(email)
			rep := &offboardReport{Email: email, Time: time.Now().UTC().Truncate(time.Second), Version: a.io.Version, DryRun: dryRun, Changes: []reportOutcome{}}
			stdout := a.io.Stdout
			if output == "json" {
				a.io.Stdout = io.Discard // the report is the output
			}
			finish := func(code int) error {
				if report != "" {
					if err := writeReport(stdout, report, rep); err != nil {
						return &exitError{code: ExitError, err: err}
					}
				}
				if output == "json" {
					if err := writeReport(stdout, "-", rep); err != nil {
						return err
					}
				}
				if code != ExitOK {
					return silent(code)
				}
				return nil
			}
			if dryRun {
				plan, err := a.showReads(s.m).Offboard(ctx, email)
				if err != nil {
					return err
				}
				rep.Coverage, rep.Found = plan.Coverage, grantsOf(plan)
				a.warn(plan)
				printPlanAs(a.io.Stdout, plan, s.file, s.layout)
				a.printCoverage(plan.Coverage)
				code := g.incomplete(plan.Coverage)
				if !plan.Empty() {
					code = worst(code, ExitChanges)
				}
				return finish(code)
			}
			locked, err := a.lock(ctx, s.m)
			if err != nil {
				return err
			}
			defer func() { _ = locked.Unlock() }()
			plan, err := a.showReads(locked).Offboard(ctx, email)
			if err != nil {
				return err
			}
			rep.Coverage, rep.Found = plan.Coverage, grantsOf(plan)
			results, applyErr := a.applyPlan(ctx, s, locked, plan, autoApprove, &g)
			rep.Changes = outcomesOf(results)
			var ee *exitError
			if applyErr != nil && (!errors.As(applyErr, &ee) || ee.err != nil) {
				return applyErr // an error or a refusal: nothing to verify
			}
			// The verification: every vendor read again for the email.
			after, err := a.showReads(locked).Offboard(context.WithoutCancel(ctx), email)
			if err != nil {
				return err
			}
			rep.Verification = verification(after)
			fmt.Fprintln(a.io.Stderr, printable(rep.Verification.summary(email)))
			code := g.incomplete(after.Coverage)
			if applyErr != nil || len(rep.Verification.Left) > 0 {
				code = ExitError
			}
			return finish(code)
		},
	}
	fileFlag(cmd, &file, false)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "only show what would be removed")
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "remove without asking for confirmation")
	cmd.Flags().StringSliceVar(&tenants, "portworx-tenant", nil, "Portworx tenant to search (repeatable; besides the file's portworx_tenants)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text, or json (the report)")
	cmd.Flags().StringVar(&report, "report", "", "write the offboarding's evidence as JSON to this file")
	a.lockTimeoutFlag(cmd)
	g.partialFlag(cmd)
	g.writeFlags(cmd)
	return cmd
}
