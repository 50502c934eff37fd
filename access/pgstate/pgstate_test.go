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
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "pgstate_first_use_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, conn)
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })

	cfg, err := pgxpool.ParseConfig(conn)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
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
		`SELECT snapshot->'identities'->>'ada@example.com', jsonb_typeof(snapshot) FROM `+pgstate.Table+` WHERE name = $1`,
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
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "pgstate_migrate_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, conn)
	require.NoError(t, err)
	defer admin.Close(ctx)
	_, err = admin.Exec(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`) })
	// The schema and row as the version before the changes table wrote them.
	old, err := access.EncodeSnapshot(storetest.Populated())
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `CREATE TABLE `+schema+`.`+pgstate.Table+` (
		name text PRIMARY KEY, snapshot jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, `INSERT INTO `+schema+`.`+pgstate.Table+` (name, snapshot) VALUES ('default', $1::jsonb)`, string(old))
	require.NoError(t, err)

	cfg, err := pgxpool.ParseConfig(conn)
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer p.Close()
	s, err := pgstate.New(ctx, p)
	require.NoError(t, err)
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, storetest.Populated(), got, "the row of the earlier version is read as it is")

	id := "ident-new"
	d := &access.Delta{Serial: got.Serial + 1, Identities: map[string]*string{"new@example.com": &id}}
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
	require.NoError(t, admin.QueryRow(ctx, `SELECT snapshot->'identities'->>'new@example.com' FROM `+schema+`.`+pgstate.Table+` WHERE name = 'default'`).Scan(&ident))
	assert.Equal(t, "ident-new", ident)
}
