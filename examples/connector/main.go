// Command connector shows how to keep a vendor the access package does
// not ship in line: it implements access.Connector for "Acme", a small
// made-up API whose teams have members (list, add, change role, remove),
// and runs audit, plan and apply through the unmodified engine, with its
// state in a JSON file in a temporary directory.
//
//	go run ./examples/connector
//
// The Acme API is served in the same program by net/http/httptest, with
// two teams and three members to start from. The desired state asks for
// ada to join "platform" as an admin, for bob to become one, and for
// carol, absent, to be removed everywhere; "web" is left alone. The second
// plan is empty: a second run sends nothing.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/access"
)

// acme is the vendor's key: the Vendor of its grants, and the name of its
// part of the state.
const acme = invitations.API("acme")

// kindTeam is Acme's one kind of grant: membership of a team (the
// grant's Scope), with a role (its Level).
const kindTeam access.Kind = "team"

func main() {
	api := newAcmeAPI()
	srv := httptest.NewServer(api)
	defer srv.Close()
	if err := run(context.Background(), os.Stdout, srv.URL, srv.Client()); err != nil {
		fmt.Fprintln(os.Stderr, "connector:", err)
		os.Exit(1)
	}
}

// run audits, plans, applies and plans again against the Acme API at
// baseURL, writing what it does to w.
func run(ctx context.Context, w io.Writer, baseURL string, hc *http.Client) error {
	dir, err := os.MkdirTemp("", "acme-state-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store := access.NewFileStore(filepath.Join(dir, "state.json"))

	// The shipped connectors talk through an invitations Client; with
	// WithVendors naming only Acme, none of them is used, and the Client
	// needs no credentials.
	client, err := invitations.NewClient()
	if err != nil {
		return err
	}
	conn := &acmeConnector{base: baseURL, http: hc, teams: []string{"platform", "web"}}
	m, err := access.New(client, store, access.WithConnector(conn), access.WithVendors(acme))
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "Audit:")
	for rec, err := range m.Audit(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %s %s %s (%s)\n", rec.Email, rec.Grant.Kind, rec.Grant.Scope, rec.Grant.Level)
	}

	people := []access.Person{
		{Email: "ada@example.com", Grants: []access.Grant{{Vendor: acme, Kind: kindTeam, Scope: "platform", Level: "admin"}}},
		{Email: "bob@example.com", Grants: []access.Grant{{Vendor: acme, Kind: kindTeam, Scope: "platform", Level: "admin"}}},
		{Email: "carol@example.com", Absent: true},
	}
	plan, err := m.Plan(ctx, people, access.PlanOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Plan (%s):\n", plan.Coverage)
	for _, ch := range plan.Changes {
		fmt.Fprintf(w, "  %s: %s\n", ch.Action, ch.Reason)
	}
	results, err := m.Apply(ctx, plan)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Apply:")
	for _, r := range results {
		fmt.Fprintf(w, "  %s: %s %s %s\n", r.Outcome, r.Change.Action, r.Change.Email, r.Change.Grant.Scope)
		if r.Err != nil {
			fmt.Fprintf(w, "    %v\n", r.Err)
		}
	}

	again, err := m.Plan(ctx, people, access.PlanOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Second plan: %d changes\n", len(again.Changes))
	return nil
}

// acmeConnector is access.Connector for the Acme API. It reads the
// members of the teams the desired state names (and of its own list of
// teams, for an audit), and adds, changes and removes memberships. It
// also implements access.Classifier: Acme answers 409 to adding a member
// who is one already, and 404 to removing one who is gone.
type acmeConnector struct {
	base  string
	http  *http.Client
	teams []string // what an audit reads
}

// API names the vendor.
func (c *acmeConnector) API() invitations.API { return acme }

// Read lists the members of every team a person's Acme grants name, and
// returns them with what each person should have. Acme knows people by
// email, so nothing of its own goes in the state.
func (c *acmeConnector) Read(ctx context.Context, people []access.Person, opts access.PlanOptions, _ *access.ConnectorState) (*access.View, error) {
	view := &access.View{Want: map[string][]access.Grant{}, Scopes: map[string]bool{}}
	teams := map[string]bool{}
	// The teams roles name (opts.ScopesOf) are read and pruned like the
	// people's, though nobody there is wanted anything.
	for _, p := range opts.ScopesOf {
		for _, g := range p.GrantsFor(acme) {
			if g.Kind == kindTeam && g.Scope != "" {
				teams[g.Scope] = true
				view.Scopes[string(kindTeam)+"|"+g.Scope] = true
			}
		}
	}
	for _, p := range people {
		email := strings.ToLower(p.Email)
		for _, g := range p.GrantsFor(acme) {
			if g.Kind != kindTeam || g.Scope == "" {
				view.Problems = append(view.Problems, access.Problem{Email: p.Email, Vendor: acme, Reason: "an Acme grant names a team"})
				continue
			}
			teams[g.Scope] = true
			view.Scopes[string(kindTeam)+"|"+g.Scope] = true
			if !p.Absent {
				view.Want[email] = append(view.Want[email], access.Grant{Vendor: acme, Kind: kindTeam, Scope: g.Scope, Level: g.Level})
			}
		}
	}
	// An absent person's memberships are removed wherever they are: read
	// every team Acme has for them too.
	for _, t := range c.teams {
		teams[t] = true
	}
	for _, team := range slices.Sorted(maps.Keys(teams)) {
		members, err := c.members(ctx, team)
		if err != nil {
			return nil, err
		}
		for _, mb := range members {
			view.Have = append(view.Have, record(team, mb))
		}
	}
	return view, nil
}

// Audit yields the members of the connector's teams.
func (c *acmeConnector) Audit(ctx context.Context, _ *access.ConnectorState) iter.Seq2[access.Record, error] {
	return func(yield func(access.Record, error) bool) {
		for _, team := range c.teams {
			members, err := c.members(ctx, team)
			if err != nil {
				yield(access.Record{}, err)
				return
			}
			for _, mb := range members {
				if !yield(record(team, mb), nil) {
					return
				}
			}
		}
	}
}

// Execute adds (POST), changes (PATCH) or removes (DELETE) a membership;
// a change addresses the membership's id, which the read put in the
// record and the plan in Change.Target.
func (c *acmeConnector) Execute(ctx context.Context, ch access.Change, _ *access.ConnectorState) error {
	switch ch.Action {
	case access.Create:
		return c.do(ctx, http.MethodPost, "/teams/"+ch.Grant.Scope+"/members", member{Email: ch.Email, Role: ch.Grant.Level}, nil)
	case access.Update:
		return c.do(ctx, http.MethodPatch, "/members/"+ch.Target, member{Role: ch.Grant.Level}, nil)
	case access.Remove:
		return c.do(ctx, http.MethodDelete, "/members/"+ch.Target, nil, nil)
	}
	return fmt.Errorf("acme: cannot %s a %s grant", ch.Action, ch.Grant.Kind)
}

// Classify says what Acme's refusals mean: a 409 on adding a member and a
// 404 on removing one are what the change wanted.
func (c *acmeConnector) Classify(ch access.Change, err error) access.Outcome {
	var se *statusError
	if !errors.As(err, &se) {
		return ""
	}
	switch {
	case ch.Action == access.Create && se.status == http.StatusConflict,
		ch.Action == access.Remove && se.status == http.StatusNotFound:
		return access.AlreadyDone
	}
	return ""
}

// record is a membership as the engine sees it.
func record(team string, m member) access.Record {
	return access.Record{Email: strings.ToLower(m.Email), ID: m.ID, State: access.StateMember,
		Grant: access.Grant{Vendor: acme, Kind: kindTeam, Scope: team, Level: m.Role}}
}

func (c *acmeConnector) members(ctx context.Context, team string) ([]member, error) {
	var out []member
	err := c.do(ctx, http.MethodGet, "/teams/"+team+"/members", nil, &out)
	return out, err
}

// statusError is an answer of Acme's other than a success.
type statusError struct {
	status int
	op     string
}

func (e *statusError) Error() string { return fmt.Sprintf("acme: %s: status %d", e.op, e.status) }

// do sends one request with body (if any) as JSON and decodes the answer
// into out (if any).
func (c *acmeConnector) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return &statusError{status: resp.StatusCode, op: method + " " + path}
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// member is a membership on the wire.
type member struct {
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role,omitempty"`
	team  string
}

// acmeAPI is the made-up Acme API: teams of members, in memory. It keeps
// a log of the writes it received.
type acmeAPI struct {
	mu      sync.Mutex
	members map[string]*member // by id
	next    int
	writes  []string
	mux     *http.ServeMux
}

// newAcmeAPI returns the API with its starting data: bob a member and
// carol an admin of "platform", carol a member of "web".
func newAcmeAPI() *acmeAPI {
	a := &acmeAPI{members: map[string]*member{}, mux: http.NewServeMux()}
	a.add("platform", "bob@example.com", "member")
	a.add("platform", "carol@example.com", "admin")
	a.add("web", "carol@example.com", "member")
	a.mux.HandleFunc("GET /teams/{team}/members", a.list)
	a.mux.HandleFunc("POST /teams/{team}/members", a.create)
	a.mux.HandleFunc("PATCH /members/{id}", a.update)
	a.mux.HandleFunc("DELETE /members/{id}", a.remove)
	return a
}

func (a *acmeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

// Writes returns the writes received, as "METHOD path", oldest first.
func (a *acmeAPI) Writes() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.writes)
}

// Team returns the members of team as email → role.
func (a *acmeAPI) Team(team string) map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]string{}
	for _, m := range a.members {
		if m.team == team {
			out[m.Email] = m.Role
		}
	}
	return out
}

func (a *acmeAPI) add(team, email, role string) *member {
	a.next++
	m := &member{ID: strconv.Itoa(a.next), Email: email, Role: role, team: team}
	a.members[m.ID] = m
	return m
}

func (a *acmeAPI) list(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := []member{}
	for _, m := range a.members {
		if m.team == r.PathValue("team") {
			out = append(out, *m)
		}
	}
	slices.SortFunc(out, func(x, y member) int { return strings.Compare(x.ID, y.ID) })
	writeJSON(w, http.StatusOK, out)
}

func (a *acmeAPI) create(w http.ResponseWriter, r *http.Request) {
	var in member
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Email == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes = append(a.writes, r.Method+" "+r.URL.Path)
	for _, m := range a.members {
		if m.team == r.PathValue("team") && strings.EqualFold(m.Email, in.Email) {
			w.WriteHeader(http.StatusConflict)
			return
		}
	}
	writeJSON(w, http.StatusCreated, a.add(r.PathValue("team"), in.Email, in.Role))
}

func (a *acmeAPI) update(w http.ResponseWriter, r *http.Request) {
	var in member
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes = append(a.writes, r.Method+" "+r.URL.Path)
	m, ok := a.members[r.PathValue("id")]
	if !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	m.Role = in.Role
	writeJSON(w, http.StatusOK, m)
}

func (a *acmeAPI) remove(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.writes = append(a.writes, r.Method+" "+r.URL.Path)
	if _, ok := a.members[r.PathValue("id")]; !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	delete(a.members, r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client sees a cut answer
}
