package cli

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

func (a *app) auditCommand() *cobra.Command {
	var file, output string
	var g guards
	var vendorNames, emails, tenants []string
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "List every person's access across the vendors",
		Long: `audit lists every grant the vendors hold about people: one record per person,
vendor and grant, with its state (member, pending, granted, accepted, denied)
and the vendor's id. Reads only.

Output: an aligned table (default), -o csv (with a header), or -o json (one
JSON object per line, written as the records arrive, so it streams; vendors
interleave). The table and CSV are sorted by email, vendor, kind and scope.
-o html writes one self-contained access-review page (a person x vendor
matrix with filters, counts, the coverage, when and by which version it was
made; no network fetch, printable): invitations audit -o html > review.html

Portworx lists invitations per tenant: name them with --portworx-tenant or in
-f's portworx_tenants (on the embedded fake, the demo tenant by default).
A Freestyle identity the state does not tie to anyone has an empty email.

What was read is said on stderr in one line (Read: ... Not read: ...; with
-o json, as a last line {"coverage": ...} on stdout): a vendor without
credentials, Portworx without a tenant, Freestyle identities nobody the
state knows.

Exit status: 0, 1 when a vendor's read failed (the others are listed), 3
when a vendor could not be read in full (unless --allow-partial).`,
		Example: `  invitations audit
  invitations audit -o csv --vendor box,gitguardian > access.csv
  invitations audit -o json --email ada@example.com | jq .grant`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, "table", "json", "csv", "html"); err != nil {
				return err
			}
			only, err := parseVendors(vendorNames)
			if err != nil {
				return err
			}
			ctx, cancel := a.withTimeout(cmd.Context())
			defer cancel()
			s, err := a.open(file, only, tenants)
			if err != nil {
				return err
			}
			defer s.done()

			want := map[string]bool{}
			for _, e := range emails {
				want[strings.ToLower(e)] = true
			}
			var w recordWriter
			switch output {
			case "json":
				w = &jsonWriter{enc: json.NewEncoder(a.io.Stdout)}
			case "csv":
				w = &csvWriter{w: csv.NewWriter(a.io.Stdout)}
			case "html":
				w = &reviewWriter{w: a.io.Stdout, version: a.io.Version, source: file, now: time.Now}
			default:
				w = &tableWriter{w: a.io.Stdout}
			}
			failed := false
			nobodys := 0 // Freestyle identities the state ties to nobody
			stopReading := a.showReading()
			defer stopReading()
			for rec, err := range s.m.Audit(ctx) {
				if err != nil {
					fmt.Fprintln(a.io.Stderr, "Error:", printable(err.Error()))
					if rw, ok := w.(*reviewWriter); ok {
						rw.readError(err)
					}
					failed = true
					continue
				}
				if rec.Email == "" && rec.Grant.Kind == access.KindIdentity {
					nobodys++
				}
				if len(want) > 0 && !want[strings.ToLower(rec.Email)] {
					continue
				}
				if err := w.write(rec); err != nil {
					return err
				}
			}
			stopReading()
			if err := w.flush(); err != nil {
				return err
			}
			coverage := s.m.Coverage()
			if nobodys > 0 {
				for i, v := range coverage.Vendors {
					if v.Vendor == invitations.Freestyle {
						coverage.Vendors[i].Partial = append(v.Partial, fmt.Sprintf("%d identities belong to nobody the state knows (listed with an empty email)", nobodys))
					}
				}
			}
			if output == "json" {
				if err := json.NewEncoder(a.io.Stdout).Encode(struct {
					Coverage access.Coverage `json:"coverage"`
				}{coverage}); err != nil {
					return err
				}
			} else {
				if rw, ok := w.(*reviewWriter); ok {
					if err := rw.page(coverage); err != nil {
						return err
					}
				}
				a.printCoverage(coverage)
			}
			if failed {
				return silent(ExitError)
			}
			if code := g.incomplete(coverage); code != ExitOK {
				return silent(code)
			}
			return nil
		},
	}
	g.partialFlag(cmd)
	fileFlag(cmd, &file, false)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, csv, json (JSON lines) or html (an access-review page)")
	cmd.Flags().StringSliceVar(&vendorNames, "vendor", nil, "only these vendors (repeatable or comma-separated): "+vendorList())
	cmd.Flags().StringSliceVar(&emails, "email", nil, "only these people (repeatable or comma-separated)")
	cmd.Flags().StringSliceVar(&tenants, "portworx-tenant", nil, "Portworx tenant to read (repeatable; besides -f's portworx_tenants)")
	return cmd
}

type recordWriter interface {
	write(access.Record) error
	flush() error
}

type jsonWriter struct{ enc *json.Encoder }

func (w *jsonWriter) write(r access.Record) error { return w.enc.Encode(r) }
func (w *jsonWriter) flush() error                { return nil }

// sortRecords orders records for the table and CSV: by email, vendor (in
// access order), kind, scope, id.
func sortRecords(recs []access.Record) {
	rank := func(v invitations.API) int { return slices.Index(allVendors(), v) }
	slices.SortFunc(recs, func(a, b access.Record) int {
		return cmp.Or(
			strings.Compare(strings.ToLower(a.Email), strings.ToLower(b.Email)),
			cmp.Compare(rank(a.Grant.Vendor), rank(b.Grant.Vendor)),
			strings.Compare(string(a.Grant.Kind), string(b.Grant.Kind)),
			strings.Compare(a.Grant.Scope, b.Grant.Scope),
			strings.Compare(a.ID, b.ID),
		)
	})
}

// users renders a VM permission's allowed users: "*" for every user.
func users(g access.Grant) string {
	if g.Users == nil {
		return ""
	}
	if len(g.Users) == 0 {
		return "(none)"
	}
	return strings.Join(g.Users, ",")
}

var columns = []string{"email", "vendor", "kind", "scope", "level", "users", "state", "id"}

func fields(r access.Record) []string {
	return []string{r.Email, string(r.Grant.Vendor), string(r.Grant.Kind), r.Grant.Scope, r.Grant.Level, users(r.Grant), string(r.State), r.ID}
}

type csvWriter struct {
	w    *csv.Writer
	recs []access.Record
}

func (w *csvWriter) write(r access.Record) error { w.recs = append(w.recs, r); return nil }
func (w *csvWriter) flush() error {
	sortRecords(w.recs)
	if err := w.w.Write(columns); err != nil {
		return err
	}
	for _, r := range w.recs {
		if err := w.w.Write(fields(r)); err != nil {
			return err
		}
	}
	w.w.Flush()
	return w.w.Error()
}

type tableWriter struct {
	w    io.Writer
	recs []access.Record
}

func (w *tableWriter) write(r access.Record) error { w.recs = append(w.recs, r); return nil }
func (w *tableWriter) flush() error {
	sortRecords(w.recs)
	tw := tabwriter.NewWriter(w.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(columns, "\t")))
	for _, r := range w.recs {
		f := fields(r)
		for i, s := range f {
			if s == "" {
				s = "-"
			}
			f[i] = printable(s)
		}
		fmt.Fprintln(tw, strings.Join(f, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w.w, "%d records.\n", len(w.recs))
	return err
}
