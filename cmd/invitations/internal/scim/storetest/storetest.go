// Package storetest is the behaviour suite every scim.Store passes: the
// memory, file and PostgreSQL stores run it, and a store of another kind
// runs it too.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

// Run runs the suite as parallel subtests of t. open returns an empty
// store of its own for each subtest, closed and removed by its own
// t.Cleanup.
//
// It checks that a new store is empty; that Put creates at version 1 and
// Get returns what Put stored; that an update raises the version by one,
// keeps Created and replaces the attributes; that a Put of a stale
// version, or of a new resource under a taken id, fails with
// scim.ErrVersion and one of a missing or deleted id with scim.ErrNotFound,
// writing nothing; that a unique name is refused, without regard to case,
// to a second live resource of the type, but not to another type, not
// when empty, and again after a Delete; that Delete hides the resource
// from Get and List but List withDeleted keeps it, at a new version; that
// List keeps creation order through updates; that Generation grows by
// one with every write and not with a refused one; that of Puts racing
// on one version, one id or one unique name exactly one wins; and that
// what a caller does to the attributes it gave or got does not change
// the store.
func Run(t *testing.T, open func(t *testing.T) scim.Store) {
	t.Helper()
	tests := []struct {
		name string
		run  func(t *testing.T, s scim.Store)
	}{
		{"Empty", testEmpty},
		{"CreateGet", testCreateGet},
		{"Update", testUpdate},
		{"StaleVersion", testStaleVersion},
		{"MissingID", testMissingID},
		{"Unique", testUnique},
		{"UniqueCaseInsensitive", testUniqueCase},
		{"UniqueReusedAfterDelete", testUniqueReuse},
		{"Delete", testDelete},
		{"ListOrder", testListOrder},
		{"Generation", testGeneration},
		{"RaceOneVersion", testRaceVersion},
		{"RaceOneID", testRaceID},
		{"RaceOneUnique", testRaceUnique},
		{"AttributesNotShared", testNotShared},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// User returns a User resource with id, userName (as its Unique,
// lower-cased) and active.
func User(id, userName string, active bool) scim.Resource {
	attrs, _ := json.Marshal(map[string]any{"userName": userName, "active": active})
	return scim.Resource{Type: scim.TypeUser, ID: id, Unique: strings.ToLower(userName), Attributes: attrs}
}

// Group returns a Group resource with id and displayName, and no Unique.
func Group(id, displayName string) scim.Resource {
	attrs, _ := json.Marshal(map[string]any{"displayName": displayName})
	return scim.Resource{Type: scim.TypeGroup, ID: id, Attributes: attrs}
}

func put(t *testing.T, s scim.Store, r scim.Resource, expected int64) scim.Resource {
	t.Helper()
	got, err := s.Put(context.Background(), r, expected)
	require.NoError(t, err)
	return got
}

func generation(t *testing.T, s scim.Store) int64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	require.NoError(t, err)
	return g
}

// requireSame checks that got is want as a store gives it back: times
// compared as instants (a database may return them in another zone),
// attributes as JSON (a database may reorder keys).
func requireSame(t *testing.T, want, got scim.Resource) {
	t.Helper()
	require.Equal(t, want.Type, got.Type)
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.Unique, got.Unique)
	require.JSONEq(t, string(want.Attributes), string(got.Attributes))
	require.Equal(t, want.Version, got.Version)
	require.True(t, want.Created.Equal(got.Created), "created %v, want %v", got.Created, want.Created)
	require.True(t, want.Modified.Equal(got.Modified), "modified %v, want %v", got.Modified, want.Modified)
	require.Equal(t, want.Deleted, got.Deleted)
}

func ids(rs []scim.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testEmpty(t *testing.T, s scim.Store) {
	ctx := context.Background()
	for _, typ := range []string{scim.TypeUser, scim.TypeGroup} {
		for _, withDeleted := range []bool{false, true} {
			got, err := s.List(ctx, typ, withDeleted)
			require.NoError(t, err)
			require.Empty(t, got)
		}
	}
	_, err := s.Get(ctx, scim.TypeUser, "u1")
	require.ErrorIs(t, err, scim.ErrNotFound)
	require.Zero(t, generation(t, s))
}

func testCreateGet(t *testing.T, s scim.Store) {
	ctx := context.Background()
	in := User("u1", "ada@example.com", true)
	got := put(t, s, in, 0)
	require.Equal(t, int64(1), got.Version)
	require.False(t, got.Created.IsZero())
	require.True(t, got.Created.Equal(got.Modified), "a new resource's Modified is its Created")
	require.False(t, got.Deleted)
	require.Equal(t, "ada@example.com", got.Unique)
	require.JSONEq(t, string(in.Attributes), string(got.Attributes))

	read, err := s.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	requireSame(t, got, read)
	_, err = s.Get(ctx, scim.TypeGroup, "u1")
	require.ErrorIs(t, err, scim.ErrNotFound, "ids belong to a type")
}

func testUpdate(t *testing.T, s scim.Store) {
	ctx := context.Background()
	v1 := put(t, s, User("u1", "ada@example.com", true), 0)
	v2 := put(t, s, User("u1", "ada.lovelace@example.com", false), 1)
	require.Equal(t, int64(2), v2.Version)
	require.True(t, v1.Created.Equal(v2.Created), "an update keeps Created")
	require.False(t, v2.Modified.Before(v1.Modified))
	require.Equal(t, "ada.lovelace@example.com", v2.Unique)
	read, err := s.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	requireSame(t, v2, read)
	require.JSONEq(t, `{"userName":"ada.lovelace@example.com","active":false}`, string(read.Attributes))
}

func testStaleVersion(t *testing.T, s scim.Store) {
	ctx := context.Background()
	v1 := put(t, s, User("u1", "ada@example.com", true), 0)
	put(t, s, User("u1", "ada@example.com", false), 1)
	g := generation(t, s)
	for _, expected := range []int64{0, 1, 3} {
		_, err := s.Put(ctx, User("u1", "other@example.com", true), expected)
		require.ErrorIs(t, err, scim.ErrVersion, "expected version %d", expected)
	}
	read, err := s.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	require.Equal(t, int64(2), read.Version)
	require.Equal(t, "ada@example.com", read.Unique)
	require.True(t, v1.Created.Equal(read.Created))
	require.Equal(t, g, generation(t, s), "refused writes do not raise the generation")
}

func testMissingID(t *testing.T, s scim.Store) {
	ctx := context.Background()
	_, err := s.Put(ctx, User("nobody", "ada@example.com", true), 1)
	require.ErrorIs(t, err, scim.ErrNotFound)
	require.ErrorIs(t, s.Delete(ctx, scim.TypeUser, "nobody"), scim.ErrNotFound)

	put(t, s, User("u1", "ada@example.com", true), 0)
	require.NoError(t, s.Delete(ctx, scim.TypeUser, "u1"))
	g := generation(t, s)
	_, err = s.Put(ctx, User("u1", "ada@example.com", true), 2)
	require.ErrorIs(t, err, scim.ErrNotFound, "a deleted resource cannot be updated")
	_, err = s.Put(ctx, User("u1", "ada@example.com", true), 0)
	require.ErrorIs(t, err, scim.ErrVersion, "a deleted resource's id is not new")
	require.ErrorIs(t, s.Delete(ctx, scim.TypeUser, "u1"), scim.ErrNotFound, "deleted twice")
	_, err = s.Get(ctx, scim.TypeUser, "u1")
	require.ErrorIs(t, err, scim.ErrNotFound)
	require.Equal(t, g, generation(t, s))
	all, err := s.List(ctx, scim.TypeUser, true)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testUnique(t *testing.T, s scim.Store) {
	ctx := context.Background()
	put(t, s, User("u1", "ada@example.com", true), 0)
	put(t, s, User("u2", "grace@example.com", true), 0)
	g := generation(t, s)

	_, err := s.Put(ctx, User("u3", "ada@example.com", true), 0)
	require.ErrorIs(t, err, scim.ErrUnique, "a new resource with a taken name")
	_, err = s.Put(ctx, User("u2", "ada@example.com", true), 1)
	require.ErrorIs(t, err, scim.ErrUnique, "an update to a taken name")
	_, err = s.Get(ctx, scim.TypeUser, "u3")
	require.ErrorIs(t, err, scim.ErrNotFound, "nothing written")
	read, err := s.Get(ctx, scim.TypeUser, "u2")
	require.NoError(t, err)
	require.Equal(t, "grace@example.com", read.Unique)
	require.Equal(t, g, generation(t, s))

	put(t, s, User("u1", "ada@example.com", false), 1) // its own name
	other := User("g1", "ada@example.com", true)
	other.Type = scim.TypeGroup
	put(t, s, other, 0) // another type
	put(t, s, Group("g2", "Engineering"), 0)
	put(t, s, Group("g3", "Engineering"), 0) // no unique name
}

func testUniqueCase(t *testing.T, s scim.Store) {
	ctx := context.Background()
	put(t, s, User("u1", "ada@example.com", true), 0)
	shouting := User("u2", "ADA@Example.COM", true)
	shouting.Unique = "ADA@Example.COM"
	_, err := s.Put(ctx, shouting, 0)
	require.ErrorIs(t, err, scim.ErrUnique, "names differing in case are one name")
}

func testUniqueReuse(t *testing.T, s scim.Store) {
	ctx := context.Background()
	put(t, s, User("u1", "ada@example.com", true), 0)
	require.NoError(t, s.Delete(ctx, scim.TypeUser, "u1"))
	got := put(t, s, User("u2", "ada@example.com", true), 0)
	require.Equal(t, int64(1), got.Version)
	all, err := s.List(ctx, scim.TypeUser, true)
	require.NoError(t, err)
	require.Equal(t, []string{"u1", "u2"}, ids(all))
}

func testDelete(t *testing.T, s scim.Store) {
	ctx := context.Background()
	created := put(t, s, User("u1", "ada@example.com", true), 0)
	put(t, s, User("u2", "grace@example.com", true), 0)
	require.NoError(t, s.Delete(ctx, scim.TypeUser, "u1"))
	_, err := s.Get(ctx, scim.TypeUser, "u1")
	require.ErrorIs(t, err, scim.ErrNotFound)
	live, err := s.List(ctx, scim.TypeUser, false)
	require.NoError(t, err)
	require.Equal(t, []string{"u2"}, ids(live))
	all, err := s.List(ctx, scim.TypeUser, true)
	require.NoError(t, err)
	require.Equal(t, []string{"u1", "u2"}, ids(all))
	gone := all[0]
	require.True(t, gone.Deleted)
	require.False(t, all[1].Deleted)
	require.Equal(t, int64(2), gone.Version, "a delete is a write")
	require.True(t, created.Created.Equal(gone.Created))
	require.JSONEq(t, string(created.Attributes), string(gone.Attributes), "a deleted resource keeps its attributes")
	require.Equal(t, "ada@example.com", gone.Unique)
}

func testListOrder(t *testing.T, s scim.Store) {
	ctx := context.Background()
	for i := range 5 {
		put(t, s, User(fmt.Sprintf("u%d", i), fmt.Sprintf("user%d@example.com", i), true), 0)
		put(t, s, Group(fmt.Sprintf("g%d", i), fmt.Sprintf("Group %d", i)), 0)
	}
	put(t, s, User("u0", "first@example.com", false), 1)
	put(t, s, User("u3", "fourth@example.com", false), 1)
	users, err := s.List(ctx, scim.TypeUser, false)
	require.NoError(t, err)
	require.Equal(t, []string{"u0", "u1", "u2", "u3", "u4"}, ids(users), "creation order, updates or not")
	require.Equal(t, int64(2), users[0].Version)
	require.JSONEq(t, `{"userName":"first@example.com","active":false}`, string(users[0].Attributes))
	groups, err := s.List(ctx, scim.TypeGroup, false)
	require.NoError(t, err)
	require.Equal(t, []string{"g0", "g1", "g2", "g3", "g4"}, ids(groups))
}

func testGeneration(t *testing.T, s scim.Store) {
	ctx := context.Background()
	g0 := generation(t, s)
	put(t, s, User("u1", "ada@example.com", true), 0)
	require.Equal(t, g0+1, generation(t, s))
	put(t, s, User("u1", "ada@example.com", false), 1)
	require.Equal(t, g0+2, generation(t, s))
	put(t, s, Group("g1", "Engineering"), 0)
	require.Equal(t, g0+3, generation(t, s))
	require.NoError(t, s.Delete(ctx, scim.TypeGroup, "g1"))
	require.Equal(t, g0+4, generation(t, s))

	_, _ = s.Get(ctx, scim.TypeUser, "u1")
	_, _ = s.List(ctx, scim.TypeUser, true)
	_, err := s.Put(ctx, User("u1", "ada@example.com", true), 1)
	require.ErrorIs(t, err, scim.ErrVersion)
	require.ErrorIs(t, s.Delete(ctx, scim.TypeGroup, "g1"), scim.ErrNotFound)
	require.Equal(t, g0+4, generation(t, s), "reads and refused writes leave the generation")
}

// race runs n Puts at once and returns how many succeeded, requiring
// every failure to be want.
func race(t *testing.T, n int, do func(i int) error, want error) int {
	t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = do(i)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		assert.ErrorIs(t, err, want)
	}
	return won
}

const racers = 8

func testRaceVersion(t *testing.T, s scim.Store) {
	ctx := context.Background()
	put(t, s, User("u1", "ada@example.com", true), 0)
	g := generation(t, s)
	won := race(t, racers, func(i int) error {
		_, err := s.Put(ctx, User("u1", fmt.Sprintf("ada%d@example.com", i), false), 1)
		return err
	}, scim.ErrVersion)
	require.Equal(t, 1, won, "exactly one update of one version is stored")
	read, err := s.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	require.Equal(t, int64(2), read.Version)
	require.Equal(t, g+1, generation(t, s))
}

func testRaceID(t *testing.T, s scim.Store) {
	ctx := context.Background()
	won := race(t, racers, func(i int) error {
		_, err := s.Put(ctx, User("u1", fmt.Sprintf("user%d@example.com", i), true), 0)
		return err
	}, scim.ErrVersion)
	require.Equal(t, 1, won, "exactly one resource of one new id is stored")
	all, err := s.List(ctx, scim.TypeUser, true)
	require.NoError(t, err)
	require.Len(t, all, 1)
	require.Equal(t, int64(1), generation(t, s))
}

func testRaceUnique(t *testing.T, s scim.Store) {
	ctx := context.Background()
	won := race(t, racers, func(i int) error {
		_, err := s.Put(ctx, User(fmt.Sprintf("u%d", i), "ada@example.com", true), 0)
		return err
	}, scim.ErrUnique)
	require.Equal(t, 1, won, "exactly one resource of one unique name is stored")
	all, err := s.List(ctx, scim.TypeUser, true)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func testNotShared(t *testing.T, s scim.Store) {
	ctx := context.Background()
	in := User("u1", "ada@example.com", true)
	got := put(t, s, in, 0)
	for i := range in.Attributes {
		in.Attributes[i] = ' '
	}
	for i := range got.Attributes {
		got.Attributes[i] = ' '
	}
	read, err := s.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	require.JSONEq(t, `{"userName":"ada@example.com","active":true}`, string(read.Attributes))
	for i := range read.Attributes {
		read.Attributes[i] = ' '
	}
	list, err := s.List(ctx, scim.TypeUser, false)
	require.NoError(t, err)
	require.JSONEq(t, `{"userName":"ada@example.com","active":true}`, string(list[0].Attributes))
}
