package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

func (a *app) lookupCommand() *cobra.Command {
	var file, output string
	// The lookups the connectors declare: the command knows no vendor's,
	// and each parameter a lookup declares is a flag of its own.
	lookups := access.Lookups()
	params := map[string]*string{}
	var kinds strings.Builder
	for _, l := range lookups {
		fmt.Fprintf(&kinds, "  %-22s %s", l.Kind, l.Summary)
		for _, p := range l.Params {
			fmt.Fprintf(&kinds, " (--%s)", p.Name)
		}
		kinds.WriteString("\n")
	}
	cmd := &cobra.Command{
		Use:   "lookup KIND [FILTER]",
		Short: "List the ids a desired-state file names (groups, users, identities, invitations)",
		Long: `lookup lists what a desired-state file refers to, with the ids the file needs:

` + kinds.String() + `
FILTER keeps the rows one of whose values contains it, ignoring case. Reads
only. Rows are written as the vendor's pages arrive.

GitGuardian teams and BIMData clouds are not offered: the SDK has no operation
listing them (a BIMData invitation names its cloud).

Output: an aligned table (default; a column widens when a later page needs
it), -o csv (with a header), or -o json (one JSON object per line, the
columns as keys, every value a string).`,
		Example: `  invitations lookup box-groups
  invitations lookup box-users ada@ -o csv
  invitations lookup freestyle-identities -state people.yaml.state.json
  invitations lookup portworx-invitations --tenant 6f1f0c0e-... -o json`,
		Args: cobra.RangeArgs(1, 2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, l := range lookups {
				out = append(out, l.Kind+"\t"+l.Summary)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output, "table", "csv", "json"); err != nil {
				return err
			}
			i := slices.IndexFunc(lookups, func(l access.Lookup) bool { return l.Kind == args[0] })
			if i < 0 {
				var names []string
				for _, l := range lookups {
					names = append(names, l.Kind)
				}
				return &exitError{code: ExitError, err: fmt.Errorf("lookup %q: unknown kind; the kinds are %s", args[0], strings.Join(names, ", "))}
			}
			l := lookups[i]
			given := map[string]string{}
			for name, v := range params {
				if cmd.Flags().Changed(name) {
					given[name] = *v
				}
			}
			for _, p := range l.Params {
				if strings.TrimSpace(given[p.Name]) == "" {
					return &exitError{code: ExitError, err: fmt.Errorf("lookup %s needs --%s: %s", l.Kind, p.Name, p.Usage)}
				}
			}
			for name := range given {
				if !slices.ContainsFunc(l.Params, func(p access.LookupParam) bool { return p.Name == name }) {
					return &exitError{code: ExitError, err: fmt.Errorf("--%s: lookup %s takes no --%s", name, l.Kind, name)}
				}
			}
			var filter string
			if len(args) == 2 {
				filter = strings.ToLower(args[1])
			}

			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.open(file, []invitations.API{l.Vendor}, nil)
			if err != nil {
				return err
			}
			defer s.done()

			var w rowWriter
			switch output {
			case "json":
				w = &jsonRows{w: a.io.Stdout, columns: l.Columns}
			case "csv":
				w = &csvRows{w: csv.NewWriter(a.io.Stdout), columns: l.Columns}
			default:
				w = &tableRows{w: a.io.Stdout, columns: l.Columns}
			}
			for rows, err := range s.m.Lookup(ctx, l.Kind, given) {
				if err != nil {
					// The rows already written stay: no total is
					// printed, the error says the list is cut short.
					return &exitError{code: ExitError, err: err}
				}
				if filter != "" {
					rows = slices.DeleteFunc(rows, func(r []string) bool {
						return !slices.ContainsFunc(r, func(v string) bool { return strings.Contains(strings.ToLower(v), filter) })
					})
				}
				if err := w.write(rows); err != nil {
					return err
				}
			}
			return w.flush()
		},
	}
	fileFlag(cmd, &file, false)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, csv or json (JSON lines)")
	for _, l := range lookups {
		for _, p := range l.Params {
			if params[p.Name] == nil {
				params[p.Name] = new(string)
				cmd.Flags().StringVar(params[p.Name], p.Name, "", l.Kind+": "+p.Usage)
			}
		}
	}
	return cmd
}

// rowWriter writes a lookup's rows, a batch at a time, as they arrive.
type rowWriter interface {
	write(rows [][]string) error
	flush() error
}

// jsonRows writes one JSON object per row, the columns as keys in their
// order.
type jsonRows struct {
	w       io.Writer
	columns []string
}

func (j *jsonRows) write(rows [][]string) error {
	var buf bytes.Buffer
	for _, r := range rows {
		buf.WriteByte('{')
		for i, c := range j.columns {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(c) // strings always encode
			var v []byte
			if i < len(r) {
				v, _ = json.Marshal(r[i])
			} else {
				v = []byte(`""`)
			}
			buf.Write(k)
			buf.WriteByte(':')
			buf.Write(v)
		}
		buf.WriteString("}\n")
	}
	_, err := j.w.Write(buf.Bytes())
	return err
}

func (j *jsonRows) flush() error { return nil }

// csvRows writes a header, then the rows, flushed after every batch.
type csvRows struct {
	w       *csv.Writer
	columns []string
	started bool
}

func (c *csvRows) write(rows [][]string) error {
	if !c.started {
		c.started = true
		if err := c.w.Write(c.columns); err != nil {
			return err
		}
	}
	if err := c.w.WriteAll(rows); err != nil {
		return err
	}
	return c.w.Error()
}

func (c *csvRows) flush() error {
	if !c.started {
		return c.write(nil)
	}
	c.w.Flush()
	return c.w.Error()
}

// tableRows writes an aligned table as batches arrive: its columns are
// as wide as the header and the first batch need, and widen when a later
// batch needs more (a table cannot wait for the last page to align).
// Values are made printable; an empty one is "-". The table ends with
// the row count.
type tableRows struct {
	w       io.Writer
	columns []string
	widths  []int
	n       int
}

func (t *tableRows) write(rows [][]string) error {
	cells := make([][]string, 0, len(rows)+1)
	if t.widths == nil {
		t.widths = make([]int, len(t.columns))
		header := make([]string, len(t.columns))
		for i, c := range t.columns {
			header[i] = strings.ToUpper(c)
		}
		cells = append(cells, header)
	}
	for _, r := range rows {
		row := make([]string, len(t.columns))
		for i := range row {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			if v == "" {
				v = "-"
			}
			row[i] = printable(v)
		}
		cells = append(cells, row)
	}
	for _, row := range cells {
		for i, v := range row {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(v))
		}
	}
	var b strings.Builder
	for _, row := range cells {
		for i, v := range row {
			if i == len(row)-1 {
				b.WriteString(v)
				break
			}
			b.WriteString(v)
			b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(v)+2))
		}
		b.WriteString("\n")
	}
	t.n += len(rows)
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *tableRows) flush() error {
	if t.widths == nil {
		if err := t.write(nil); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(t.w, "%d rows.\n", t.n)
	return err
}
