package access

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
)

func groupGrant(group, role string) Grant {
	return Grant{Vendor: invitations.Box, Kind: KindGroup, Scope: group, Level: role}
}

func TestDiffCreatesUpdatesAndLeavesHandMadeGrantsAlone(t *testing.T) {
	t.Parallel()
	view := &View{
		Have: []Record{
			{Email: "ada@example.com", Grant: groupGrant("g1", "member"), ID: "m1"},
			{Email: "ada@example.com", Grant: groupGrant("g2", "member"), ID: "m2"},
			{Email: "ada@example.com", Grant: groupGrant("g9", "member"), ID: "m9"}, // made by hand
		},
		Want: map[string][]Grant{"ada@example.com": {
			groupGrant("g1", "member"), groupGrant("g2", "admin"), groupGrant("g3", "member"),
		}},
		Subjects: map[string]string{"ada@example.com": "u1"},
		Scopes:   map[string]bool{"group|g1": true, "group|g2": true, "group|g3": true},
	}
	people := []Person{{Email: "Ada@example.com"}}
	changes, _ := diff(shipped(invitations.Box), people, view, NewSnapshot(), PlanOptions{Prune: true})
	require.Len(t, changes, 2)
	assert.Equal(t, Update, changes[0].Action)
	assert.Equal(t, "m2", changes[0].Target)
	assert.Equal(t, "member", changes[0].From.Level)
	assert.Equal(t, "admin", changes[0].Grant.Level)
	assert.Equal(t, Create, changes[1].Action)
	assert.Equal(t, "u1", changes[1].Target, "a create addresses the person's vendor id")
	assert.Equal(t, "g3", changes[1].Grant.Scope)
}

func TestDiffPrunesOnlyWhatItCreatedInNamedScopesUnlessToldOtherwise(t *testing.T) {
	t.Parallel()
	view := &View{
		Have: []Record{
			{Email: "ours@example.com", Grant: groupGrant("g1", "member"), ID: "m1"},
			{Email: "hand@example.com", Grant: groupGrant("g1", "member"), ID: "m2"},
			{Email: "other@example.com", Grant: groupGrant("g7", "member"), ID: "m3"}, // a scope nobody names
		},
		Want:   map[string][]Grant{"ada@example.com": {groupGrant("g1", "member")}},
		Scopes: map[string]bool{"group|g1": true},
	}
	snap := NewSnapshot()
	snap.Created[groupGrant("g1", "").Key("ours@example.com")] = time.Now()
	snap.Created[groupGrant("g7", "").Key("other@example.com")] = time.Now()
	people := []Person{{Email: "ada@example.com"}}

	none, _ := diff(shipped(invitations.Box), people, &View{Have: view.Have, Want: view.Want, Scopes: view.Scopes}, snap, PlanOptions{})
	assert.Len(t, none, 1, "without prune only the create")

	pruned, _ := diff(shipped(invitations.Box), people, view, snap, PlanOptions{Prune: true})
	require.Len(t, pruned, 2)
	assert.Equal(t, Create, pruned[0].Action)
	assert.Equal(t, Remove, pruned[1].Action)
	assert.Equal(t, "m1", pruned[1].Target, "only the grant this package made")

	all, _ := diff(shipped(invitations.Box), people, view, snap, PlanOptions{Prune: true, PruneAll: true})
	assert.Len(t, all, 3, "PruneAll also removes the hand-made one, never outside the named scopes")
}

func TestDiffRemovesEverythingOfAnAbsentPersonIdentityLast(t *testing.T) {
	t.Parallel()
	id := Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}
	git := Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: "r1", Level: "write"}
	view := &View{Have: []Record{
		{Email: "bob@example.com", Grant: id, ID: "i1"},
		{Email: "bob@example.com", Grant: git, ID: "i1"},
		{Email: "eve@example.com", Grant: id, ID: "i2"},
	}}
	changes, _ := diff(shipped(invitations.Freestyle), []Person{{Email: "bob@example.com", Absent: true}}, view, NewSnapshot(), PlanOptions{})
	require.Len(t, changes, 2)
	assert.Equal(t, KindGit, changes[0].Grant.Kind)
	assert.Equal(t, KindIdentity, changes[1].Grant.Kind, "the identity goes after its permissions")
	for _, c := range changes {
		assert.Equal(t, Remove, c.Action)
		assert.Equal(t, "bob@example.com", c.Email)
	}
}

func TestDiffSettlesDoubtsByWhatItReads(t *testing.T) {
	t.Parallel()
	g := groupGrant("g1", "member")
	snap := NewSnapshot()
	k := g.Key("ada@example.com")
	snap.InDoubt[k] = DoubtfulChange{Change: Change{Action: Create, Email: "ada@example.com", Grant: g}}
	people := []Person{{Email: "ada@example.com"}}
	want := map[string][]Grant{"ada@example.com": {g}}

	changes, settled := diff(shipped(invitations.Box), people, &View{Have: []Record{{Email: "ada@example.com", Grant: g, ID: "m1"}}, Want: want}, snap, PlanOptions{})
	assert.Empty(t, changes, "the create in doubt happened")
	assert.Equal(t, []string{k}, settled)

	changes, settled = diff(shipped(invitations.Box), people, &View{Want: want}, snap, PlanOptions{})
	require.Len(t, changes, 1, "it did not happen: create again, after reading")
	assert.Contains(t, changes[0].Reason, "in doubt")
	assert.Empty(t, settled)
}

func TestDiffDoesNotCreateWhatAProblemBlocks(t *testing.T) {
	t.Parallel()
	g := Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}
	view := &View{
		Want:     map[string][]Grant{"ada@example.com": {g}},
		Problems: []Problem{{Email: "ada@example.com", Vendor: invitations.Freestyle, Reason: "two new identities", Key: g.Key("ada@example.com")}},
	}
	changes, _ := diff(shipped(invitations.Freestyle), []Person{{Email: "ada@example.com"}}, view, NewSnapshot(), PlanOptions{})
	assert.Empty(t, changes, "an identity that may exist is never created twice")
}
