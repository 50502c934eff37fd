package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/cmd/invitations/internal/desired"
)

// savedPlanFormat is the format_version of the file `plan -out` writes;
// `apply FILE` and `show FILE` refuse any other.
const savedPlanFormat = 1

// defaultMaxPlanAge is -max-plan-age's default: a plan reviewed
// yesterday is applied today at the latest.
const defaultMaxPlanAge = 24 * time.Hour

// savedPlan is the file `plan -out` writes: the plan (access's JSON, with
// the state's serial and lineage, the targets and what its reads settled)
// and what an apply of it checks first. It holds no credential: the
// command never gives one to a plan.
type savedPlan struct {
	FormatVersion int `json:"format_version"`
	// Created is when the plan was made, in UTC.
	Created time.Time `json:"created"`
	// ToolVersion is the version of the command that made it.
	ToolVersion string `json:"tool_version"`
	// Desired is the desired-state file the plan was made from.
	Desired desiredRef   `json:"desired_file"`
	Plan    *access.Plan `json:"plan"`
}

// desiredRef names a desired-state file and what it held.
type desiredRef struct {
	// Path is the file's name as given to plan.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
}

// fileDigest returns the hex SHA-256 of the file at path.
func fileDigest(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// writeSavedPlan writes sp to path, readable by its owner only (a plan
// names people), whole or not at all.
func writeSavedPlan(path string, sp *savedPlan) error {
	data, err := json.MarshalIndent(sp, "", "  ")
	if err != nil {
		return fmt.Errorf("-out %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("-out %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // once renamed, removes nothing
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("-out %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-out %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("-out %s: %w", path, err)
	}
	return nil
}

// readSavedPlan reads a file `plan -out` wrote.
func readSavedPlan(path string) (*savedPlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	bad := func(err error) error {
		return &exitError{code: ExitError, err: fmt.Errorf("%s: not a plan this version can read (%w): make it again with plan -out", path, err)}
	}
	var version struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &version); err != nil {
		return nil, bad(err)
	}
	switch {
	case version.FormatVersion == nil:
		return nil, bad(errors.New("no format_version"))
	case *version.FormatVersion != savedPlanFormat:
		return nil, bad(fmt.Errorf("format_version %d, this version reads %d", *version.FormatVersion, savedPlanFormat))
	}
	var sp savedPlan
	if err := json.Unmarshal(data, &sp); err != nil {
		return nil, bad(err)
	}
	if sp.Plan == nil {
		return nil, bad(errors.New("no plan in it"))
	}
	return &sp, nil
}

// savePlan writes plan, made from the file named path whose digest was
// taken before it was read, to out.
func (a *app) savePlan(out, path, digest string, plan *access.Plan) error {
	sp := &savedPlan{FormatVersion: savedPlanFormat, Created: time.Now().UTC().Truncate(time.Second), ToolVersion: a.io.Version,
		Desired: desiredRef{Path: path, SHA256: digest}, Plan: plan}
	if err := writeSavedPlan(out, sp); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	fmt.Fprintf(a.io.Stderr, "Saved the plan to %s: apply it with \"invitations apply %s\".\n", printable(out), printable(out))
	return nil
}

// applySaved applies the saved plan at path: exactly its changes, under
// the state's lock, after checking that it is recent enough, that the
// desired-state file (file, else the one it names) is the one it was made
// from, and that the state has not moved since. A refusal sends nothing.
func (a *app) applySaved(ctx context.Context, path, file string, maxAge time.Duration, g *guards) error {
	sp, err := readSavedPlan(path)
	if err != nil {
		return err
	}
	refuse := func(format string, args ...any) error {
		return &exitError{code: ExitError, err: fmt.Errorf("refusing to apply %s: "+format, append([]any{path}, args...)...)}
	}
	if age := time.Since(sp.Created); maxAge > 0 && age > maxAge {
		return refuse("it was made %s ago (%s), more than -max-plan-age %s: plan again",
			age.Round(time.Minute), sp.Created.Format(time.RFC3339), maxAge)
	}
	if file == "" {
		file = sp.Desired.Path
	}
	digest, err := fileDigest(file)
	if err != nil {
		return refuse("its desired-state file cannot be read: %w (give -f where it is)", err)
	}
	if digest != sp.Desired.SHA256 {
		return refuse("%s changed since the plan was made (sha256 %s, the plan's %s): plan again", file, short(digest), short(sp.Desired.SHA256))
	}
	plan := sp.Plan
	s, err := a.open(file, orNil(plan.Targets.Vendors), nil)
	if err != nil {
		return err
	}
	defer s.done()
	locked, err := a.lock(ctx, s.m)
	if err != nil {
		return err
	}
	defer func() { _ = locked.Unlock() }()
	if err := locked.Check(ctx, plan); err != nil {
		if errors.Is(err, access.ErrStalePlan) {
			return refuse("%w", err)
		}
		return err
	}
	// The plan was reviewed when it was saved: no question, as
	// terraform applies a saved plan.
	if _, err := a.applyPlan(ctx, s, locked, plan, true, g); err != nil {
		return err
	}
	if s.file.HasAbsent() {
		if code := g.incomplete(plan.Coverage); code != ExitOK {
			return silent(code)
		}
	}
	return nil
}

// orNil returns s, or nil when it is empty (all vendors, to open).
func orNil(s []invitations.API) []invitations.API {
	if len(s) == 0 {
		return nil
	}
	return s
}

// short is the first 12 hex digits of a digest, enough to tell two apart
// in a message.
func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

// savedDocument is a saved plan as `show -o json` writes it: the plan as
// `plan -o json` writes it, and where it comes from.
type savedDocument struct {
	planDocument
	Saved savedMeta `json:"saved"`
}

// savedMeta is what a saved plan says of itself.
type savedMeta struct {
	FormatVersion int        `json:"format_version"`
	Created       time.Time  `json:"created"`
	ToolVersion   string     `json:"tool_version"`
	Desired       desiredRef `json:"desired_file"`
}

func (a *app) showCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Print a plan saved with plan -out",
		Long: `show prints a plan saved with "plan -out FILE" as plan printed it: the same
lines on stdout (text), or with -o json the same document as "plan -o json"
with "saved": the format version, when and by which version it was made,
and the desired-state file (path and SHA-256) it was made from. On stderr,
the plan's warnings, its coverage, and where it comes from. Nothing is
read from the vendors or the state.`,
		Example: `  invitations plan -f people.yaml -out people.plan
  invitations show people.plan
  invitations show people.plan -o json | jq '.changes[].reason'`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkOutput(output, "text", "json"); err != nil {
				return err
			}
			sp, err := readSavedPlan(args[0])
			if err != nil {
				return err
			}
			plan := sp.Plan
			if output == "json" {
				return writeIndented(a.io.Stdout, savedDocument{newPlanDocument(plan), savedMeta{sp.FormatVersion, sp.Created, sp.ToolVersion, sp.Desired}})
			}
			// The file's lines for the problems, when it is the one the
			// plan was made from.
			var file *desired.File
			if d, err := fileDigest(sp.Desired.Path); err == nil && d == sp.Desired.SHA256 {
				file, _ = desired.Load(sp.Desired.Path)
			}
			a.warn(plan)
			printPlan(a.io.Stdout, plan, file)
			a.printCoverage(plan.Coverage)
			fmt.Fprintf(a.io.Stderr, "Saved plan: made %s by invitations %s from %s (sha256 %s), state serial %d%s.\n",
				sp.Created.Format(time.RFC3339), printable(sp.ToolVersion), printable(sp.Desired.Path), short(sp.Desired.SHA256),
				plan.Serial, lineageSuffix(plan.Lineage))
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// lineageSuffix names a state's lineage in a sentence, if it has one.
func lineageSuffix(lineage string) string {
	if lineage == "" {
		return " (a new state)"
	}
	return " lineage " + lineage
}
