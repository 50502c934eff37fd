package cli

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// The access-review page (audit -o html): one file that works offline,
// from file://, with its CSS and script inline.
var (
	//go:embed review.html.tmpl
	reviewHTML string
	//go:embed review.js
	reviewJS     string
	reviewPageTm = template.Must(template.New("review").Parse(reviewHTML))
	// reviewCSP lets the page run its own script and nothing else: the
	// script is allowed by its hash, so that a script a vendor's text
	// might smuggle in would not run even if escaping failed, and nothing
	// may be fetched (default-src 'none').
	reviewCSP = func() string {
		sum := sha256.Sum256([]byte(reviewJS))
		return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" +
			base64.StdEncoding.EncodeToString(sum[:]) + "'; base-uri 'none'; form-action 'none'"
	}()
)

// reviewWriter collects an audit's records and writes the review page
// once the coverage is known.
type reviewWriter struct {
	w       io.Writer
	version string
	source  string
	now     func() time.Time
	recs    []access.Record
	errs    []string
}

func (r *reviewWriter) write(rec access.Record) error { r.recs = append(r.recs, rec); return nil }

// flush writes nothing: the page needs the coverage (page).
func (r *reviewWriter) flush() error { return nil }

// readError notes a vendor's read that failed: the page lists it.
func (r *reviewWriter) readError(err error) { r.errs = append(r.errs, err.Error()) }

// reviewPage is what the template renders; html/template escapes every
// value for where it lands (text, attribute).
type reviewPage struct {
	Generated, Version, Source string
	CSP                        string
	Script                     template.JS
	Vendors                    []reviewVendor
	People                     []reviewPerson
	Grants                     int
	Complete                   bool
	Errors                     []string
}

type reviewVendor struct {
	API, Name string
	Grants    int
	Read      bool
	NotRead   string
	Partial   []string
}

type reviewPerson struct {
	Email string
	// Cells are the person's grants, one cell per vendor of the page.
	Cells []reviewCell
}

type reviewCell struct {
	Vendor string
	Grants []reviewGrant
}

type reviewGrant struct {
	Kind, Scope, ScopeName, Level, Users, State, ID string
}

// page writes the review page: a person x vendor matrix of the records,
// the vendors of coverage as columns, in its order.
func (r *reviewWriter) page(coverage access.Coverage) error {
	p := reviewPage{
		Generated: r.now().UTC().Format(time.RFC3339),
		Version:   r.version,
		CSP:       reviewCSP,
		Script:    template.JS(reviewJS), // the page's own script, embedded
		Complete:  coverage.Complete() && len(r.errs) == 0,
		Errors:    r.errs,
		Grants:    len(r.recs),
	}
	if r.source != "" {
		p.Source = filepath.Base(r.source)
	}
	names := map[invitations.API]string{}
	for _, v := range invitations.Vendors() {
		names[v.API] = v.Name
	}
	col := map[invitations.API]int{}
	for _, v := range coverage.Vendors {
		col[v.Vendor] = len(p.Vendors)
		name := names[v.Vendor]
		if name == "" {
			name = string(v.Vendor)
		}
		p.Vendors = append(p.Vendors, reviewVendor{API: string(v.Vendor), Name: name, Read: v.Read, NotRead: v.NotRead, Partial: v.Partial})
	}
	sortRecords(r.recs)
	// Records come sorted by email: one person after another, and those
	// of nobody (a Freestyle identity the state ties to no one) first.
	var nobody *reviewPerson
	for _, rec := range r.recs {
		c, ok := col[rec.Grant.Vendor]
		if !ok {
			continue
		}
		var person *reviewPerson
		switch {
		case rec.Email == "":
			if nobody == nil {
				nobody = &reviewPerson{Cells: r.cells(p.Vendors)}
			}
			person = nobody
		case len(p.People) > 0 && strings.EqualFold(p.People[len(p.People)-1].Email, rec.Email):
			person = &p.People[len(p.People)-1]
		default:
			p.People = append(p.People, reviewPerson{Email: rec.Email, Cells: r.cells(p.Vendors)})
			person = &p.People[len(p.People)-1]
		}
		person.Cells[c].Grants = append(person.Cells[c].Grants, reviewGrant{
			Kind: string(rec.Grant.Kind), Scope: rec.Grant.Scope, ScopeName: rec.Grant.ScopeName,
			Level: rec.Grant.Level, Users: users(rec.Grant), State: string(rec.State), ID: rec.ID,
		})
		p.Vendors[c].Grants++
	}
	// Identities nobody the state knows come last, where a reviewer
	// looks for what is left over.
	if nobody != nil {
		p.People = append(p.People, *nobody)
	}
	return reviewPageTm.Execute(r.w, p)
}

// cells is an empty row of the matrix.
func (r *reviewWriter) cells(vendors []reviewVendor) []reviewCell {
	out := make([]reviewCell, len(vendors))
	for i, v := range vendors {
		out[i].Vendor = v.API
	}
	return out
}
