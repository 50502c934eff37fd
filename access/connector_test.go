package access

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
)

// testConn calls a shipped connector the way its unit tests do: on a
// stateView, as the engine would, and returning the id a create made.
type testConn struct{ Connector }

func asTest(c Connector) testConn { return testConn{c} }

func (c testConn) read(ctx context.Context, people []Person, sv *stateView) (*View, error) {
	return c.Read(ctx, people, PlanOptions{}, &ConnectorState{sv: sv, api: c.API()})
}

func (c testConn) audit(ctx context.Context, sv *stateView) iter.Seq2[Record, error] {
	return c.Audit(ctx, &ConnectorState{sv: sv, api: c.API()})
}

func (c testConn) execute(ctx context.Context, ch Change, sv *stateView) (string, error) {
	x := c.Connector.(interface {
		execute(context.Context, Change, *ConnectorState) (string, error)
	})
	return x.execute(ctx, ch, &ConnectorState{sv: sv, api: c.API(), writable: true})
}

// adoptOf is whose identity each in-doubt create made, as a Freestyle
// read's view records it for the apply: email to identity id.
func adoptOf(view *View) map[string]string {
	out := map[string]string{}
	for k, v := range view.Writes {
		if email, ok := strings.CutPrefix(k, freestyleIdentityPrefix); ok {
			var id string
			_ = json.Unmarshal(v, &id)
			out[email] = id
		}
	}
	return out
}

// knownNote is the note of a Freestyle identity create in doubt that
// lists the identities known before it, as older states kept it.
func knownNote(known []string) json.RawMessage {
	n, _ := json.Marshal(FreestyleDoubtNote{KnownIdentities: known})
	return n
}

// shipped returns the shipped connector of api, over no client.
func shipped(api invitations.API) Connector {
	for _, c := range shippedConnectors(nil, nil) {
		if c.API() == api {
			return c
		}
	}
	return nil
}

// shippedAPIs lists the vendors the SDK ships, in its order.
func shippedAPIs() []invitations.API {
	var out []invitations.API
	for _, v := range invitations.Vendors() {
		out = append(out, v.API)
	}
	return out
}

// A read's handle is read-only; an apply's buffers its writes until the
// engine records them, and refuses null, which means a deletion.
func TestConnectorStateWrites(t *testing.T) {
	t.Parallel()
	snap := NewSnapshot()
	snap.SetEntry("acme", "a", json.RawMessage(`1`))
	sv := &stateView{snap: snap}

	read := &ConnectorState{sv: sv, api: "acme"}
	v, ok := read.Get("a")
	require.True(t, ok)
	assert.Equal(t, `1`, string(v))
	assert.ErrorIs(t, read.Set("b", json.RawMessage(`2`)), errReadOnly)
	assert.ErrorIs(t, read.Delete("a"), errReadOnly)
	other := &ConnectorState{sv: sv, api: "other"}
	_, ok = other.Get("a")
	assert.False(t, ok, "a connector sees its own part only")

	write := &ConnectorState{sv: sv, api: "acme", writable: true}
	require.NoError(t, write.Set("b", json.RawMessage(` [ 2 ] `)))
	require.NoError(t, write.Delete("a"))
	assert.Error(t, write.Set("c", json.RawMessage(`null`)))
	assert.Error(t, write.Set("c", json.RawMessage(`{`)))
	assert.Equal(t, map[string]json.RawMessage{"b": json.RawMessage(`[2]`)}, write.Entries(), "its own writes, compacted")
	_, ok = write.Get("a")
	assert.False(t, ok)
	_, ok = snap.Entry("acme", "b")
	assert.False(t, ok, "not recorded before the engine says")

	sv.record()
	sv.mu.Lock()
	assert.True(t, write.flush())
	sv.mu.Unlock()
	assert.Equal(t, map[string]json.RawMessage{"b": json.RawMessage(`[2]`)}, snap.Vendors["acme"])
	assert.Equal(t, map[invitations.API]map[string]json.RawMessage{"acme": {"a": nil, "b": json.RawMessage(`[2]`)}}, sv.pending.Vendors,
		"the delta carries the entry set and the one deleted")
}

func TestPartlyDoneIsInDoubt(t *testing.T) {
	t.Parallel()
	err := &PartlyDone{Done: "the invitation was deleted", Err: invitations.ErrNotFound}
	assert.Equal(t, "the invitation was deleted, then: "+invitations.ErrNotFound.Error(), err.Error())
	assert.ErrorIs(t, err, invitations.ErrNotFound)
	o, _ := classify(context.Background(), shipped(invitations.Portworx), Change{Action: Update}, fmt.Errorf("wrapped: %w", err))
	assert.Equal(t, InDoubt, o)
}
