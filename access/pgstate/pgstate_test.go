package pgstate_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/access/pgstate"
	"github.com/invitesdk/invitations/access/storetest"
)

// envConn names the database the tests use; .ci/run starts a server and
// sets it.
const envConn = "INVITATIONS_TEST_POSTGRES"

// lockChild, set in the environment to a state name, makes the test
// binary take that state's lock, say so on stdout and wait to be killed.
const lockChild = "INVITATIONS_PGSTATE_LOCK_CHILD"

func TestMain(m *testing.M) {
	if name := os.Getenv(lockChild); name != "" {
		s, err := pgstate.Open(context.Background(), os.Getenv(envConn), pgstate.WithName(name))
		if err == nil {
			_, err = s.Lock(context.Background())
		}
		if err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("locked\n")
		// Held until the test kills this process.
		time.Sleep(time.Hour)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func connString(t *testing.T) string {
	t.Helper()
	c := os.Getenv(envConn)
	if c == "" {
		t.Skip(envConn + " not set: PostgreSQL suite not run")
	}
	return c
}

// uniqueName is a state name no other test uses, removed at the end.
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
		_, _ = c.Exec(context.Background(), `DELETE FROM `+pgstate.Table+` WHERE name = $1`, name)
	})
	return name
}

// pool is a small pool of the test's own: many tests run at once.
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
	storetest.Run(t, func(t *testing.T) access.Store {
		s, err := pgstate.New(context.Background(), pool(t, conn), pgstate.WithName(uniqueName(t, conn)))
		require.NoError(t, err)
		return s
	})
}

// TestPostgresLockAcrossStores: two stores on one state, as two machines
// would have; the second apply is told which session holds the state.
func TestPostgresLockAcrossStores(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	name := uniqueName(t, conn)
	first, err := pgstate.Open(ctx, conn, pgstate.WithName(name))
	require.NoError(t, err)
	defer first.Close()
	second, err := pgstate.Open(ctx, conn, pgstate.WithName(name))
	require.NoError(t, err)
	defer second.Close()
	other, err := pgstate.Open(ctx, conn, pgstate.WithName(name+"-other"))
	require.NoError(t, err)
	defer other.Close()

	unlock, err := first.Lock(ctx)
	require.NoError(t, err)
	_, err = second.Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	host, _ := os.Hostname()
	assert.Contains(t, err.Error(), fmt.Sprintf("state %q (table %s) is held by backend pid ", name, pgstate.Table))
	assert.Contains(t, err.Error(), fmt.Sprintf("(application \"invitations-access %s pid %d\", client 127.0.0.1) connected since ", host, os.Getpid()))

	// Another state name is another lock.
	unlockOther, err := other.Lock(ctx)
	require.NoError(t, err)
	require.NoError(t, unlockOther())

	require.NoError(t, unlock())
	require.NoError(t, unlock(), "a second unlock does nothing")
	unlock, err = second.Lock(ctx)
	require.NoError(t, err)
	_, err = first.Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	require.NoError(t, unlock())
}

// TestPostgresCrashReleasesLock runs an apply in another process that
// takes the lock and is killed: the server ends its session and the lock
// with it, and the next Lock succeeds without anyone cleaning up.
func TestPostgresCrashReleasesLock(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	name := uniqueName(t, conn)
	s, err := pgstate.Open(ctx, conn, pgstate.WithName(name))
	require.NoError(t, err)
	defer s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChild+"="+name)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line := make([]byte, 256)
	n, err := stdout.Read(line)
	require.NoError(t, err)
	require.Equal(t, "locked\n", string(line[:n]))

	_, err = s.Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	assert.Contains(t, err.Error(), " pid "+strconv.Itoa(cmd.Process.Pid)+"\"")

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	// The server ends the session when it reads the closed socket, a
	// moment after the kill: Lock is retried until then, and only
	// ErrLocked is retried.
	deadline := time.Now().Add(10 * time.Second)
	for {
		unlock, err := s.Lock(ctx)
		if err == nil {
			require.NoError(t, unlock())
			return
		}
		require.ErrorIs(t, err, access.ErrLocked)
		if time.Now().After(deadline) {
			t.Fatalf("the killed holder's lock was not released in 10s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPostgresSchemaOnFirstUse opens stores at once on a schema without
// the table: the first use creates it, and the others do not trip on it.
func TestPostgresSchemaOnFirstUse(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	admin, schema := freshSchema(t, conn, "pgstate_first_use_")

	cfg := inSchema(t, conn, schema)
	cfg.MaxConns = 8
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()

	const opens = 6
	var wg sync.WaitGroup
	errs := make([]error, opens)
	for i := range opens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = pgstate.New(ctx, p)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var exists bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+"."+pgstate.Table).Scan(&exists))
	assert.True(t, exists, "table created in the store's schema")
}

// TestPostgresRowPerName: states of several names share the table, one
// row each, the snapshot as JSONB the database can query.
func TestPostgresRowPerName(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	p := pool(t, conn)
	a, err := pgstate.New(ctx, p, pgstate.WithName(uniqueName(t, conn)))
	require.NoError(t, err)
	b, err := pgstate.New(ctx, p, pgstate.WithName(uniqueName(t, conn)))
	require.NoError(t, err)

	require.NoError(t, a.Save(ctx, storetest.Populated()))
	got, err := b.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, access.NewSnapshot(), got, "another name's state is its own")

	var ident string
	var kind string
	require.NoError(t, p.QueryRow(ctx,
		`SELECT snapshot->'vendors'->'freestyle'->>'identity/ada@example.com', jsonb_typeof(snapshot) FROM `+pgstate.Table+` WHERE name = $1`,
		a.Name()).Scan(&ident, &kind))
	assert.Equal(t, "ident-ada", ident)
	assert.Equal(t, "object", kind)

	assert.ErrorContains(t, a.Save(ctx, nil), "nil snapshot")
}

func TestPostgresDefaultName(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	s, err := pgstate.New(context.Background(), pool(t, conn))
	require.NoError(t, err)
	assert.Equal(t, pgstate.DefaultName, s.Name())
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := pgstate.Open(ctx, "postgres://u:pw-not-shown@127.0.0.1:5432/db", pgstate.WithName(""))
	assert.EqualError(t, err, "pgstate: WithName: the state name is empty")

	// Nothing listens on port 1: the error says so without the password.
	_, err = pgstate.Open(ctx, "postgres://u:pw-not-shown@127.0.0.1:1/db?connect_timeout=5")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pw-not-shown")
	assert.True(t, strings.HasPrefix(err.Error(), "pgstate: "), err.Error())

	_, err = pgstate.Open(ctx, "postgres://u:pw-not-shown@127.0.0.1:notaport/db")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "pw-not-shown")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = pgstate.Open(cctx, "postgres://u:pw-not-shown@127.0.0.1:1/db")
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)
}

// TestPostgresMigratesFromTheSnapshotTable: a database with only the
// snapshot table of earlier versions, and a state in it: opening a store
// adds the changes table and keeps the row; deltas then go on top of it
// and a compaction folds them in.
func TestPostgresMigratesFromTheSnapshotTable(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	admin, schema := freshSchema(t, conn, "pgstate_migrate_")
	// The schema and row as the version before the changes table wrote them.
	old, err := access.EncodeSnapshot(storetest.Populated())
	require.NoError(t, err)
	oldStateTable(t, admin, schema)
	_, err = admin.Exec(ctx, `INSERT INTO `+schema+`.`+pgstate.Table+` (name, snapshot) VALUES ('default', $1::jsonb)`, string(old))
	require.NoError(t, err)

	cfg := inSchema(t, conn, schema)
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	s, err := pgstate.New(ctx, p)
	require.NoError(t, err)
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, storetest.Populated(), got, "the row of the earlier version is read as it is")

	id := "ident-new"
	d := &access.Delta{Serial: got.Serial + 1, Vendors: storetest.IdentityDelta(map[string]*string{"new@example.com": &id})}
	require.NoError(t, s.SaveDelta(ctx, d))
	var rows int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.`+pgstate.ChangesTable).Scan(&rows))
	assert.Equal(t, 1, rows, "a delta is one row")
	want := storetest.Populated()
	d.ApplyTo(want)
	got, err = s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	require.NoError(t, s.Compact(ctx))
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.`+pgstate.ChangesTable).Scan(&rows))
	assert.Zero(t, rows, "folded into the snapshot row")
	var ident string
	require.NoError(t, admin.QueryRow(ctx, `SELECT snapshot->'vendors'->'freestyle'->>'identity/new@example.com' FROM `+schema+`.`+pgstate.Table+` WHERE name = 'default'`).Scan(&ident))
	assert.Equal(t, "ident-new", ident)
}

// historyName is a state name no other test uses, its rows (state and
// history) removed at the end.
func historyName(t *testing.T, conn string) string {
	t.Helper()
	name := uniqueName(t, conn)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), conn)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DELETE FROM `+pgstate.HistoryTable+` WHERE name = $1`, name)
		_, _ = c.Exec(context.Background(), `DELETE FROM `+pgstate.ChangesTable+` WHERE name = $1`, name)
	})
	return name
}

// versionOf is a snapshot of serial whose content says which it is.
func versionOf(serial uint64) *access.Snapshot {
	s := access.NewSnapshot()
	s.Serial, s.Lineage = serial, "5d0b1f2e-3c4a-4b6d-8e9f-0a1b2c3d4e5f"
	access.SetFreestyleIdentity(s, fmt.Sprintf("v%d@example.com", serial), fmt.Sprintf("ident-%d", serial))
	return s
}

// history returns the serials HistoryTable holds for name, newest first,
// checking that each row's snapshot is that version.
func history(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, name string) []uint64 {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT serial, snapshot, saved_at FROM `+pgstate.HistoryTable+` WHERE name = $1 ORDER BY id DESC`, name)
	require.NoError(t, err)
	defer rows.Close()
	var out []uint64
	for rows.Next() {
		var serial int64
		var data []byte
		var savedAt time.Time
		require.NoError(t, rows.Scan(&serial, &data, &savedAt))
		snap, err := access.DecodeSnapshot(data)
		require.NoError(t, err)
		assert.Equal(t, versionOf(uint64(serial)), snap, "the row of serial %d holds that version", serial)
		assert.False(t, savedAt.IsZero())
		out = append(out, uint64(serial))
	}
	require.NoError(t, rows.Err())
	return out
}

// Save keeps the row it replaces in the history table, newest first, up
// to WithHistory versions (DefaultHistory without it); a Save of the same
// snapshot adds none; a Compact keeps the row from before the apply.
func TestPostgresHistoryKeepsThePreviousVersions(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	p := pool(t, conn)

	three, err := pgstate.New(ctx, p, pgstate.WithName(historyName(t, conn)), pgstate.WithHistory(3))
	require.NoError(t, err)
	require.NoError(t, three.Save(ctx, versionOf(1)))
	assert.Empty(t, history(t, p, three.Name()), "no version before the first")
	for serial := uint64(2); serial <= 6; serial++ {
		require.NoError(t, three.Save(ctx, versionOf(serial)))
	}
	assert.Equal(t, []uint64{5, 4, 3}, history(t, p, three.Name()), "the 3 previous versions")
	require.NoError(t, three.Save(ctx, versionOf(6)))
	assert.Equal(t, []uint64{5, 4, 3}, history(t, p, three.Name()), "the same snapshot again: the history stays the versions before the last change")

	// An apply: deltas on top of serial 6, folded in at its end.
	id := "ident-7"
	require.NoError(t, three.SaveDelta(ctx, &access.Delta{Serial: 7, Vendors: storetest.IdentityDelta(map[string]*string{"v7@example.com": &id, "v6@example.com": nil})}))
	assert.Equal(t, []uint64{5, 4, 3}, history(t, p, three.Name()), "a delta replaces no row")
	require.NoError(t, three.Compact(ctx))
	assert.Equal(t, []uint64{6, 5, 4}, history(t, p, three.Name()), "the row from before the apply")
	got, err := three.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, versionOf(7), got)

	byDefault, err := pgstate.New(ctx, p, pgstate.WithName(historyName(t, conn)))
	require.NoError(t, err)
	for serial := uint64(1); serial <= pgstate.DefaultHistory+3; serial++ {
		require.NoError(t, byDefault.Save(ctx, versionOf(serial)))
	}
	want := []uint64{}
	for serial := uint64(pgstate.DefaultHistory + 2); serial >= 3; serial-- {
		want = append(want, serial)
	}
	assert.Equal(t, want, history(t, p, byDefault.Name()), "DefaultHistory versions")

	// 0 keeps none, and drops those another store kept.
	none, err := pgstate.New(ctx, p, pgstate.WithName(byDefault.Name()), pgstate.WithHistory(0))
	require.NoError(t, err)
	require.NoError(t, none.Save(ctx, versionOf(pgstate.DefaultHistory+4)))
	assert.Empty(t, history(t, p, none.Name()))

	_, err = pgstate.New(ctx, p, pgstate.WithHistory(-1))
	assert.EqualError(t, err, "pgstate: WithHistory(-1): must not be negative")
}

// The history row is written in the transaction that replaces the
// snapshot: a replacement that fails (here a trigger refuses it) keeps
// no version; the table is created on first use, beside a state table
// of an earlier version.
func TestPostgresHistoryIsWrittenWithTheSave(t *testing.T) {
	conn := connString(t)
	t.Parallel()
	ctx := context.Background()
	admin, schema := freshSchema(t, conn, "pgstate_history_")
	oldStateTable(t, admin, schema)

	cfg := inSchema(t, conn, schema)
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	s, err := pgstate.New(ctx, p)
	require.NoError(t, err)
	var exists bool
	require.NoError(t, admin.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, schema+"."+pgstate.HistoryTable).Scan(&exists))
	assert.True(t, exists, "created on first use")

	require.NoError(t, s.Save(ctx, versionOf(1)))
	require.NoError(t, s.Save(ctx, versionOf(2)))
	assert.Equal(t, []uint64{1}, history(t, p, s.Name()))

	_, err = admin.Exec(ctx, `
		CREATE FUNCTION `+schema+`.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
		CREATE TRIGGER refuse BEFORE UPDATE ON `+schema+`.`+pgstate.Table+`
		FOR EACH ROW EXECUTE FUNCTION `+schema+`.refuse()`)
	require.NoError(t, err)
	require.ErrorContains(t, s.Save(ctx, versionOf(3)), "refused by the test")
	assert.Equal(t, []uint64{1}, history(t, p, s.Name()), "no version kept by a save that did not happen")
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, versionOf(2), got)
}

// freshSchema creates a schema of its own for t, named prefix and random
// hex, dropped when t ends, and returns it with an admin connection.
func freshSchema(t *testing.T, conn, prefix string) (*pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, conn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close(context.Background()) })
	_, err = admin.Exec(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	return admin, schema
}

// inSchema is a pool configuration for conn whose sessions work in schema.
func inSchema(t *testing.T, conn, schema string) *pgxpool.Config {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(conn)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return cfg
}

// oldStateTable creates in schema the state table as versions before the
// changes and history tables made it.
func oldStateTable(t *testing.T, admin *pgx.Conn, schema string) {
	t.Helper()
	_, err := admin.Exec(context.Background(), `CREATE TABLE `+schema+`.`+pgstate.Table+` (
		name text PRIMARY KEY, snapshot jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
}
