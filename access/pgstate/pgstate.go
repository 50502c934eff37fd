// Package pgstate keeps the access package's state in PostgreSQL, for
// teams that run applies from several machines: one row per state name
// holding the snapshot as JSONB, a table of the changes an apply records
// on top of it (one row per save, folded into the snapshot when the apply
// ends), and a session advisory lock per name held for the apply.
//
// The schema is created on first use. The lock lives on a database
// session, so a connection pooler in transaction mode (pgbouncer's
// pool_mode=transaction) must not stand between the store and the server.
//
// Programs that do not import pgstate do not link pgx. The invitations
// command takes such a state with -state postgres://....
package pgstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/invitesdk/invitations/access"
)

// Table is the table the store keeps its snapshots in, created on first
// use.
const Table = "invitations_access_state"

// ChangesTable is the table the store records an apply's changes in, one
// row per save (access.Delta as JSONB), until the apply folds them into
// the snapshot. It is created on first use, beside a Table of an earlier
// version, whose rows stay as they are.
const ChangesTable = "invitations_access_changes"

// DefaultName is the state name of a store opened without WithName.
const DefaultName = "default"

// schema is idempotent; the transaction-level advisory lock around it
// keeps two first uses at once from racing on the catalog (CREATE TABLE IF
// NOT EXISTS alone can then fail on a duplicate type).
const schema = `CREATE TABLE IF NOT EXISTS ` + Table + ` (
	name       text        PRIMARY KEY,
	snapshot   jsonb       NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ` + ChangesTable + ` (
	name        text        NOT NULL,
	serial      bigint      NOT NULL,
	delta       jsonb       NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (name, serial)
)`

// Store is an access.Store on a PostgreSQL database.
type Store struct {
	pool  *pgxpool.Pool
	owned bool // Close closes pool
	name  string
	key   int64 // advisory lock key of name
}

var _ access.DeltaStore = (*Store)(nil)

// Option configures a Store.
type Option func(*options)

type options struct {
	name string
}

// WithName names the state the store keeps, so that several desired
// states (one per team or environment) can share one database. The
// default is DefaultName.
func WithName(name string) Option { return func(o *options) { o.name = name } }

// Open connects to the database connString names (a PostgreSQL URL or
// keyword/value string, as pgx accepts) and creates the schema if it is
// not there. Connections it opens identify themselves to the server as
// "invitations-access <host> pid <pid>" unless connString sets
// application_name, so that a second apply's ErrLocked can say who holds
// the lock. Close closes them.
func Open(ctx context.Context, connString string, opts ...Option) (*Store, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx's parse errors do not repeat the password.
		return nil, fmt.Errorf("pgstate: %w", err)
	}
	if _, set := cfg.ConnConfig.RuntimeParams["application_name"]; !set {
		host, _ := os.Hostname()
		cfg.ConnConfig.RuntimeParams["application_name"] = fmt.Sprintf("invitations-access %s pid %d", host, os.Getpid())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstate: %w", err)
	}
	s, err := newStore(ctx, pool, o)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a store on pool, which the caller keeps and closes, and
// creates the schema if it is not there. Lock holds one of the pool's
// connections until unlocked.
func New(ctx context.Context, pool *pgxpool.Pool, opts ...Option) (*Store, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	return newStore(ctx, pool, o)
}

func newOptions(opts []Option) (options, error) {
	o := options{name: DefaultName}
	for _, opt := range opts {
		opt(&o)
	}
	if o.name == "" {
		return o, errors.New("pgstate: WithName: the state name is empty")
	}
	return o, nil
}

func newStore(ctx context.Context, pool *pgxpool.Pool, o options) (*Store, error) {
	s := &Store{pool: pool, name: o.name, key: lockKey(o.name)}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("schema")); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, schema)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstate: creating table %s: %w", Table, err)
	}
	return s, nil
}

// lockKey is the advisory lock key of a state name: 64 bits of FNV-1a of
// the name under a prefix of this package, so that other users of
// advisory locks on the same database are unlikely to collide with it.
func lockKey(name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("invitations/access/pgstate\x00" + name))
	return int64(h.Sum64())
}

// Name returns the state name the store keeps.
func (s *Store) Name() string { return s.name }

// Close closes the connections Open made; a store from New leaves its
// pool open. Unlock first: Close waits for the connection a lock holds.
func (s *Store) Close() {
	if s.owned {
		s.pool.Close()
	}
}

// Lock takes the session advisory lock of the state name
// (pg_try_advisory_lock) on a connection of its own, held until unlock.
// When another session holds it, Lock returns at once an error matching
// access.ErrLocked naming the holder's backend pid, application name,
// client address and connection time, from pg_stat_activity. A process
// that dies holding the lock closes its connection, and the server
// releases the lock with it. The returned func releases the lock and the
// connection; calling it again does nothing.
func (s *Store) Lock(ctx context.Context) (func() error, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgstate: lock %q: %w", s.name, err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, s.key).Scan(&ok); err != nil {
		// Whether the lock was taken is unknown: dropping the session
		// drops it either way.
		_ = conn.Hijack().Close(context.Background())
		return nil, fmt.Errorf("pgstate: lock %q: %w", s.name, err)
	}
	if !ok {
		defer conn.Release()
		return nil, s.lockedError(ctx, conn)
	}
	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() { unlockErr = s.unlock(conn) })
		return unlockErr
	}, nil
}

// unlockTimeout bounds the unlock statement; past it the connection is
// closed, which releases the lock all the same.
const unlockTimeout = 10 * time.Second

func (s *Store) unlock(conn *pgxpool.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, s.key).Scan(&released)
	if err != nil || !released {
		// The session is in an unknown state or lost the lock (the server
		// restarted, say): it does not go back to the pool.
		_ = conn.Hijack().Close(ctx)
		if err == nil {
			err = errors.New("the session no longer held it")
		}
		return fmt.Errorf("pgstate: unlock %q: %w", s.name, err)
	}
	conn.Release()
	return nil
}

// lockedError says who holds the lock, as pg_locks and pg_stat_activity
// tell. A bigint advisory key shows in pg_locks as classid (high 32 bits)
// and objid (low 32 bits) with objsubid 1.
func (s *Store) lockedError(ctx context.Context, conn *pgxpool.Conn) error {
	var (
		pid     int32
		app     string
		client  string
		started time.Time
	)
	err := conn.QueryRow(ctx, `
		SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), a.backend_start
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
		LIMIT 1`,
		int64(uint64(s.key)>>32), int64(uint64(s.key)&0xffffffff)).Scan(&pid, &app, &client, &started)
	if err != nil {
		// Released since, or not visible to this role: say what is known.
		return fmt.Errorf("%w: state %q (table %s) is held by another session", access.ErrLocked, s.name, Table)
	}
	// A role may see another role's sessions without their application
	// and address (pg_read_all_stats shows them); a local socket has no
	// address. Only what is known is said.
	var seen []string
	if app != "" {
		seen = append(seen, fmt.Sprintf("application %q", app))
	}
	if client != "" {
		seen = append(seen, "client "+client)
	}
	who := ""
	if len(seen) > 0 {
		who = " (" + strings.Join(seen, ", ") + ")"
	}
	return fmt.Errorf("%w: state %q (table %s) is held by backend pid %d%s connected since %s",
		access.ErrLocked, s.name, Table, pid, who, started.UTC().Format(time.RFC3339))
}

// Load reads the state's row and applies the changes recorded on top of
// it, in one snapshot of the database (a repeatable-read transaction); no
// row is an empty snapshot.
func (s *Store) Load(ctx context.Context) (*access.Snapshot, error) {
	var snap *access.Snapshot
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		snap, err = load(ctx, tx, s.name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pgstate: load %q: %w", s.name, err)
	}
	return snap, nil
}

// load reads name's row and its changes through tx.
func load(ctx context.Context, tx pgx.Tx, name string) (*access.Snapshot, error) {
	var data []byte
	err := tx.QueryRow(ctx, `SELECT snapshot FROM `+Table+` WHERE name = $1`, name).Scan(&data)
	snap := access.NewSnapshot()
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		if snap, err = access.DecodeSnapshot(data); err != nil {
			return nil, err
		}
	}
	rows, err := tx.Query(ctx, `SELECT serial, delta FROM `+ChangesTable+` WHERE name = $1 ORDER BY serial`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var serial int64
		var delta []byte
		if err := rows.Scan(&serial, &delta); err != nil {
			return nil, err
		}
		var d access.Delta
		if err := json.Unmarshal(delta, &d); err != nil {
			return nil, fmt.Errorf("%s serial %d: %w", ChangesTable, serial, err)
		}
		d.ApplyTo(snap)
	}
	return snap, rows.Err()
}

// Save writes snap as the state's row, inserting or replacing it, and
// drops the changes recorded on top of the old one, in one transaction:
// another session sees the old state or the new one.
func (s *Store) Save(ctx context.Context, snap *access.Snapshot) error {
	data, err := access.EncodeSnapshot(snap)
	if err != nil {
		return fmt.Errorf("pgstate: save %q: %w", s.name, err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return save(ctx, tx, s.name, data) })
	if err != nil {
		return fmt.Errorf("pgstate: save %q: %w", s.name, err)
	}
	return nil
}

func save(ctx context.Context, tx pgx.Tx, name string, data []byte) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO `+Table+` (name, snapshot) VALUES ($1, $2::jsonb)
		ON CONFLICT (name) DO UPDATE SET snapshot = EXCLUDED.snapshot, updated_at = now()`,
		name, string(data)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM `+ChangesTable+` WHERE name = $1`, name)
	return err
}

// SaveDelta records d as one row of ChangesTable: one insert, whatever
// the state's size.
func (s *Store) SaveDelta(ctx context.Context, d *access.Delta) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("pgstate: save %q: %w", s.name, err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO `+ChangesTable+` (name, serial, delta) VALUES ($1, $2, $3::jsonb)`,
		s.name, int64(d.Serial), string(data)); err != nil {
		return fmt.Errorf("pgstate: save %q serial %d: %w", s.name, d.Serial, err)
	}
	return nil
}

// Compact folds the recorded changes into the state's row, in one
// transaction.
func (s *Store) Compact(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+ChangesTable+` WHERE name = $1`, s.name).Scan(&n); err != nil || n == 0 {
			return err
		}
		snap, err := load(ctx, tx, s.name)
		if err != nil {
			return err
		}
		data, err := access.EncodeSnapshot(snap)
		if err != nil {
			return err
		}
		return save(ctx, tx, s.name, data)
	})
	if err != nil {
		return fmt.Errorf("pgstate: compact %q: %w", s.name, err)
	}
	return nil
}
