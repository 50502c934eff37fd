package pgstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim/pgstore"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim/storetest"
)

const envConn = "INVITATIONS_TEST_POSTGRES"

func connString(t *testing.T) string {
	t.Helper()
	c := os.Getenv(envConn)
	if c == "" {
		t.Skip(envConn + " not set: PostgreSQL suite not run")
	}
	return c
}

// uniqueName is a name no other test uses, its rows removed at the end.
func uniqueName(t *testing.T, conn string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := t.Name() + "-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), conn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DELETE FROM `+pgstore.Table+` WHERE name = $1`, name)
		_, _ = c.Exec(context.Background(), `DELETE FROM `+pgstore.GenerationTable+` WHERE name = $1`, name)
	})
	return name
}

// pool is a small pool of the test's own: one per replica.
func pool(t *testing.T, conn string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(conn)
	require.NoError(t, err)
	cfg.MaxConns = 4
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

func TestPostgresStore(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	storetest.Run(t, func(t *testing.T) scim.Store {
		s, err := pgstore.New(context.Background(), pool(t, conn), pgstore.WithName(uniqueName(t, conn)))
		require.NoError(t, err)
		return s
	})
}

func user(id, userName string) scim.Resource {
	attrs, _ := json.Marshal(map[string]any{"userName": userName, "active": true})
	return scim.Resource{Type: scim.TypeUser, ID: id, Unique: userName, Attributes: attrs}
}

// Two replicas are two stores of one name on two pools: each sees the
// other's writes and generation, and of two updates of one version
// exactly one is stored.
func TestPostgresReplicasShareResourcesAndGeneration(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	name := uniqueName(t, conn)
	a, err := pgstore.New(ctx, pool(t, conn), pgstore.WithName(name))
	require.NoError(t, err)
	b, err := pgstore.New(ctx, pool(t, conn), pgstore.WithName(name))
	require.NoError(t, err)

	created, err := a.Put(ctx, user("u1", "ada@example.com"), 0)
	require.NoError(t, err)
	got, err := b.Get(ctx, scim.TypeUser, "u1")
	require.NoError(t, err)
	require.Equal(t, created.Version, got.Version)
	require.JSONEq(t, string(created.Attributes), string(got.Attributes))
	ga, err := a.Generation(ctx)
	require.NoError(t, err)
	gb, err := b.Generation(ctx)
	require.NoError(t, err)
	require.Equal(t, ga, gb)

	_, err = b.Put(ctx, user("u2", "ADA@example.com"), 0)
	require.ErrorIs(t, err, scim.ErrUnique, "the unique name is checked across replicas, without regard to case")

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []scim.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Put(ctx, user("u1", "ada@example.com"), created.Version)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, scim.ErrVersion)
		}
	}
	require.Equal(t, 1, won, "exactly one of two updates of one version is stored")
	g2, err := a.Generation(ctx)
	require.NoError(t, err)
	require.Equal(t, ga+1, g2, "the refused update did not raise the generation")
}

// Names keep resources apart, as state names keep states apart.
func TestPostgresNamesAreSeparate(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	p := pool(t, conn)
	a, err := pgstore.New(ctx, p, pgstore.WithName(uniqueName(t, conn)))
	require.NoError(t, err)
	b, err := pgstore.New(ctx, p, pgstore.WithName(uniqueName(t, conn)))
	require.NoError(t, err)
	_, err = a.Put(ctx, user("u1", "ada@example.com"), 0)
	require.NoError(t, err)
	_, err = b.Get(ctx, scim.TypeUser, "u1")
	require.ErrorIs(t, err, scim.ErrNotFound)
	_, err = b.Put(ctx, user("u1", "ada@example.com"), 0)
	require.NoError(t, err, "the same id and unique name under another name")
	g, err := b.Generation(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(1), g)
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	_, err := pgstore.Open(context.Background(), "postgres://u:s3cret@127.0.0.1:1/db?sslmode=bogus")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cret")
	if conn := os.Getenv(envConn); conn != "" {
		_, err = pgstore.New(context.Background(), pool(t, conn), pgstore.WithName(""))
		require.ErrorContains(t, err, "WithName")
	}
}
