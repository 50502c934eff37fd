package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// An identity create for a person the state already maps is never sent,
// whatever the plan says: a second identity would orphan the first with
// its grants. (A plan from the state under the lock never asks for one;
// this is the line held should it ever.)
func TestApplyNeverCreatesASecondIdentityForAMappedPerson(t *testing.T) {
	t.Parallel()
	srv, c := demoServer(t)
	store := NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	snap := NewSnapshot()
	SetFreestyleIdentity(snap, "ada@example.com", invitationstest.FreestyleDemoIdentityID)
	snap.Serial, snap.Lineage = 3, "11111111-2222-4333-8444-555555555555"
	require.NoError(t, store.Save(t.Context(), snap))
	m, err := New(c, store, WithVendors(invitations.Freestyle))
	require.NoError(t, err)

	create := Change{Action: Create, Email: "ada@example.com", Grant: freestyleIdentityGrant(), Reason: "ada should have an identity"}
	results, err := m.Apply(t.Context(), &Plan{Changes: []Change{create}, Serial: snap.Serial, Lineage: snap.Lineage})
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, Skipped, results[0].Outcome)
	assert.ErrorContains(t, results[0].Err, "the state maps ada@example.com to identity "+invitationstest.FreestyleDemoIdentityID+" already")
	assert.Zero(t, srv.RequestCount(invitationstest.FreestyleCreateIdentity), "nothing sent")
	after, err := store.Load(t.Context())
	require.NoError(t, err)
	assert.Empty(t, after.InDoubt, "nothing left written ahead")
	assert.Equal(t, invitationstest.FreestyleDemoIdentityID, FreestyleIdentities(after)["ada@example.com"])
}

func TestClassifyOutcomes(t *testing.T) {
	t.Parallel()
	create, remove := Change{Action: Create}, Change{Action: Remove}
	api := func(status int) error { return &invitations.APIError{StatusCode: status} }
	unknown := &invitations.TransportError{Sent: true, Err: errors.New("reset")}
	notSent := &invitations.TransportError{Sent: false, Err: errors.New("refused")}
	// The "already" rules are the connectors' own (Classifier): Box's
	// 409, GitGuardian's 200; a connector without them (BIMData) leaves
	// those to the engine, which calls them failures.
	box, gg, plain := shipped(invitations.Box), shipped(invitations.GitGuardian), shipped(invitations.BIMData)
	for _, tc := range []struct {
		conn Connector
		ch   Change
		err  error
		want Outcome
	}{
		{plain, create, nil, Done},
		{box, create, api(409), AlreadyDone},
		{gg, create, api(200), AlreadyDone},
		{plain, create, api(409), Failed},
		{plain, create, api(200), Failed},
		{box, create, api(200), Failed},
		{gg, create, api(409), Failed},
		{plain, remove, api(404), AlreadyDone},
		{plain, remove, fmt.Errorf("wrapped: %w", api(404)), AlreadyDone},
		{plain, create, api(404), Failed},
		{plain, create, api(400), Failed},
		{plain, create, unknown, InDoubt},
		{plain, create, api(502), InDoubt},
		{plain, create, &invitations.DecodeError{Err: errors.New("cut")}, InDoubt},
		{plain, create, notSent, Failed},
	} {
		got, _ := classify(t.Context(), tc.conn, tc.ch, tc.err)
		assert.Equal(t, tc.want, got, "%s %s %v", tc.conn.API(), tc.ch.Action, tc.err)
	}
	outcome := func(ctx context.Context, ch Change, err error) Outcome {
		o, _ := classify(ctx, plain, ch, err)
		return o
	}

	// Not sent because the apply stopped: skipped, not failed (the
	// vendor refused nothing); sent before it stopped: in doubt.
	stopped, cancel := context.WithCancel(t.Context())
	cancel()
	notSentStopped := &invitations.TransportError{Sent: false, Err: context.Canceled}
	assert.Equal(t, Skipped, outcome(stopped, create, notSentStopped))
	assert.Equal(t, Skipped, outcome(stopped, remove, fmt.Errorf("wrapped: %w", notSentStopped)))
	assert.Equal(t, InDoubt, outcome(stopped, create, &invitations.TransportError{Sent: true, Err: context.Canceled}))
	assert.Equal(t, Failed, outcome(stopped, create, api(400)), "a refusal that came back is a refusal")
	// Its turn would come after the deadline: not sent, the run ends first.
	tooLate := &invitations.TransportError{Sent: false, Err: &invitations.RateLimitWaitError{API: "Box", Wait: time.Minute}}
	assert.Equal(t, Skipped, outcome(t.Context(), create, tooLate))
}

// ruledConnector is a made-up vendor with every optional rule: an
// "account" is each person's prerequisite and is created one at a time;
// its doubts carry a note; Tidy drops the "scratch" entry. fail decides
// each change's error.
type ruledConnector struct {
	mu    sync.Mutex
	sent  []Change
	fail  func(Change) error
	tidy  int
	noted int
}

func (c *ruledConnector) API() invitations.API { return "ruled" }

func (c *ruledConnector) Read(context.Context, []Person, PlanOptions, *ConnectorState) (*View, error) {
	return &View{}, nil
}

func (c *ruledConnector) Audit(context.Context, *ConnectorState) iter.Seq2[Record, error] {
	return func(func(Record, error) bool) {}
}

func (c *ruledConnector) Execute(_ context.Context, ch Change, st *ConnectorState) error {
	c.mu.Lock()
	c.sent = append(c.sent, ch)
	c.mu.Unlock()
	if err := c.fail(ch); err != nil {
		return err
	}
	return st.Set("made/"+ch.Key(), json.RawMessage(`true`))
}

func (c *ruledConnector) Prerequisite(g Grant) bool      { return g.Kind == "account" }
func (c *ruledConnector) SerialCreate(g Grant) bool      { return g.Kind == "account" }
func (c *ruledConnector) Classify(Change, error) Outcome { return "" }

func (c *ruledConnector) NoteDoubt(ch Change, st *ConnectorState) (json.RawMessage, error) {
	c.mu.Lock()
	c.noted++
	c.mu.Unlock()
	if err := st.Set("scratch", json.RawMessage(`1`)); err != nil {
		return nil, err
	}
	return json.RawMessage(`{"before":"` + ch.Email + `"}`), nil
}

func (c *ruledConnector) Tidy(st *ConnectorState) error {
	c.mu.Lock()
	c.tidy++
	c.mu.Unlock()
	if _, ok := st.Get("scratch"); ok && len(st.InDoubt()) == 0 {
		return st.Delete("scratch")
	}
	return nil
}

// The engine applies a connector's rules without knowing its vendor: a
// prerequisite that fails skips the person's other creates; a serial
// create in doubt is written ahead with its note and stops the next
// serial create; what Execute records is kept only for what was done.
func TestApplyFollowsTheConnectorsRules(t *testing.T) {
	t.Parallel()
	conn := &ruledConnector{fail: func(ch Change) error {
		switch {
		case ch.Email == "ada@example.com" && ch.Grant.Kind == "account":
			return &invitations.APIError{StatusCode: http.StatusBadRequest}
		case ch.Email == "bob@example.com" && ch.Grant.Kind == "account":
			return &invitations.TransportError{Sent: true, Err: errors.New("reset")}
		}
		return nil
	}}
	client, err := invitations.NewClient()
	require.NoError(t, err)
	store := NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	m, err := New(client, store, WithConnector(conn), WithVendors("ruled"), WithConcurrency(1))
	require.NoError(t, err)
	account := func(email string) Change {
		return Change{Action: Create, Email: email, Grant: Grant{Vendor: "ruled", Kind: "account"}}
	}
	repo := func(email string) Change {
		return Change{Action: Create, Email: email, Grant: Grant{Vendor: "ruled", Kind: "repo", Scope: "r"}}
	}
	changes := []Change{repo("aaron@example.com"), account("aaron@example.com"), account("ada@example.com"), repo("ada@example.com"), account("bob@example.com"), repo("bob@example.com"),
		account("cid@example.com"), repo("cid@example.com")}
	sortChanges(changes, changeRank(conn))
	results, err := m.Apply(t.Context(), &Plan{Changes: changes})
	require.NoError(t, err)
	outcomes := map[string]Outcome{}
	for _, r := range results {
		outcomes[r.Change.Email+" "+string(r.Change.Grant.Kind)] = r.Outcome
	}
	assert.Equal(t, map[string]Outcome{
		"aaron@example.com account": Done, "aaron@example.com repo": Done,
		"ada@example.com account": Failed, "ada@example.com repo": Skipped,
		"bob@example.com account": InDoubt, "bob@example.com repo": Skipped,
		"cid@example.com account": Skipped, "cid@example.com repo": Skipped,
	}, outcomes)
	assert.Equal(t, account("aaron@example.com"), results[0].Change, "the prerequisite first")
	assert.ErrorContains(t, results[3].Err, "the person's ruled account was not created")
	assert.ErrorContains(t, results[6].Err, "another ruled account create is in doubt")
	assert.Len(t, conn.sent, 4, "aaron's two, and ada's and bob's accounts")

	snap, err := store.Load(t.Context())
	require.NoError(t, err)
	require.Len(t, snap.InDoubt, 1)
	d := snap.InDoubt[account("bob@example.com").Key()]
	assert.JSONEq(t, `{"before":"bob@example.com"}`, string(d.Note))
	assert.Equal(t, map[string]json.RawMessage{
		"scratch": json.RawMessage(`1`),
		"made/" + account("aaron@example.com").Key(): json.RawMessage(`true`),
		"made/" + repo("aaron@example.com").Key():    json.RawMessage(`true`),
	}, snap.Vendors["ruled"], "the note's entry, kept while the doubt is; what Execute set for what was done, nothing for the rest")
	assert.Len(t, snap.Created, 2, "aaron's")
	assert.Positive(t, conn.tidy, "tidied at the end")
}
