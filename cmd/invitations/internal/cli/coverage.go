package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations/access"
)

// ExitIncomplete is the exit status of an audit, an offboarding, or a plan
// or apply that offboards someone, whose reads did not reach everything
// (a vendor without credentials, Portworx without a tenant, Freestyle
// identities nobody the state knows), unless --allow-partial: an
// incomplete offboarding is not a success.
const ExitIncomplete = 3

// guards are the flags that stop a run before it writes, or make its
// exit status say it is incomplete.
type guards struct {
	allowPartial  bool
	allowProblems bool
	maxRemovals   int
}

// partialFlag adds --allow-partial to a command that reports coverage.
func (g *guards) partialFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.allowPartial, "allow-partial", false, "exit 0 even when a vendor could not be read in full (exit status 3 otherwise)")
}

// writeFlags adds the guards of a command that writes.
func (g *guards) writeFlags(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&g.allowProblems, "allow-problems", false, "apply even when the plan lists problems (desired grants that cannot be planned)")
	cmd.Flags().IntVar(&g.maxRemovals, "max-removals", 0, "refuse a plan removing more grants than this (default: the larger of 10 and 10% of the grants read; -1: no limit)")
}

// check refuses, before any write, a plan with problems (unless
// --allow-problems) or removing more than --max-removals grants.
func (g *guards) check(plan *access.Plan) error {
	if len(plan.Problems) > 0 && !g.allowProblems {
		return &exitError{code: ExitError, err: fmt.Errorf("refusing to apply: the plan lists %d problem(s) (above); fix them, or pass --allow-problems to apply the rest", len(plan.Problems))}
	}
	limit, why := g.removalLimit(plan)
	if n := plan.Removals(); limit >= 0 && n > limit {
		return &exitError{code: ExitError, err: fmt.Errorf("refusing to apply: the plan removes %d grants, more than %d (%s); pass --max-removals %d (or -1) if that is what you want", n, limit, why, n)}
	}
	return nil
}

// removalLimit is how many removals --max-removals lets plan have
// (negative: no limit), and how that limit was set.
func (g *guards) removalLimit(plan *access.Plan) (int, string) {
	if g.maxRemovals != 0 {
		return g.maxRemovals, "--max-removals"
	}
	return max(10, plan.GrantsRead/10), fmt.Sprintf("the larger of 10 and 10%% of the %d grants read", plan.GrantsRead)
}

// incomplete returns the exit status of a run whose coverage is c: 0 when
// complete or --allow-partial.
func (g *guards) incomplete(c access.Coverage) int {
	if c.Complete() || g.allowPartial {
		return ExitOK
	}
	return ExitIncomplete
}

// printCoverage writes the coverage on stderr in one line.
func (a *app) printCoverage(c access.Coverage) {
	if len(c.Vendors) > 0 {
		fmt.Fprintln(a.io.Stderr, printable(c.String()))
	}
}

// offboardReport is what `offboard --report` and `offboard -o json` write:
// the evidence of one offboarding.
type offboardReport struct {
	Email    string          `json:"email"`
	Time     time.Time       `json:"time"`
	Version  string          `json:"version"`
	DryRun   bool            `json:"dry_run"`
	Coverage access.Coverage `json:"coverage"`
	// Found are the grants found before anything was removed.
	Found []reportGrant `json:"found"`
	// Changes are the removals, with their outcomes (none on a dry run).
	Changes []reportOutcome `json:"changes"`
	// Verification is a read of the email on every vendor after the apply.
	Verification *reportVerification `json:"verification"`
}

type reportGrant struct {
	Grant access.Grant `json:"grant"`
	// ID is the vendor's id of what holds the grant.
	ID string `json:"id"`
}

type reportOutcome struct {
	Change  access.Change  `json:"change"`
	Outcome access.Outcome `json:"outcome"`
	Error   string         `json:"error"`
}

type reportVerification struct {
	Coverage access.Coverage `json:"coverage"`
	// Left are the grants still found; empty when verified.
	Left []reportGrant `json:"left"`
	// Verified is true when nothing is left and every vendor was read in
	// full.
	Verified bool `json:"verified"`
}

func grantsOf(plan *access.Plan) []reportGrant {
	out := []reportGrant{}
	for _, c := range plan.Changes {
		out = append(out, reportGrant{Grant: c.Grant, ID: c.Target})
	}
	return out
}

func outcomesOf(results []access.Result) []reportOutcome {
	out := []reportOutcome{}
	for _, r := range results {
		out = append(out, outcomeOf(r))
	}
	return out
}

// verification says what a read after the offboarding found.
func verification(plan *access.Plan) *reportVerification {
	v := &reportVerification{Coverage: plan.Coverage, Left: grantsOf(plan)}
	v.Verified = len(v.Left) == 0 && plan.Coverage.Complete()
	return v
}

// summary is the verification in one line.
func (v *reportVerification) summary(email string) string {
	var read []string
	for _, c := range v.Coverage.Vendors {
		if c.Read {
			read = append(read, string(c.Vendor))
		}
	}
	switch {
	case v.Verified:
		return fmt.Sprintf("Verified: nothing left for %s on %s.", email, strings.Join(read, ", "))
	case len(v.Left) > 0:
		return fmt.Sprintf("Not verified: %d grant(s) left for %s (run offboard again, or see the report).", len(v.Left), email)
	}
	return fmt.Sprintf("Not verified: nothing left for %s where it could be read, but the reads were incomplete (see the coverage above).", email)
}

// writeReport writes r as indented JSON to path ("-": w), atomically.
func writeReport(w io.Writer, path string, r *offboardReport) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err := w.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("--report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}

// worst is the exit status that says most: an error over an incomplete
// read over changes to make.
func worst(codes ...int) int {
	out := ExitOK
	for _, c := range codes {
		switch {
		case c == ExitError:
			return ExitError
		case c == ExitIncomplete:
			out = ExitIncomplete
		case c == ExitChanges && out == ExitOK:
			out = ExitChanges
		}
	}
	return out
}
