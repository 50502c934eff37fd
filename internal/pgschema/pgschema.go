// Package pgschema creates the tables of a PostgreSQL store on first use,
// and names its advisory locks: the access state's (access/pgstate) and
// the SCIM server's (its pgstore) do both alike.
package pgschema

import (
	"context"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LockKey is an advisory lock key: 64 bits of FNV-1a of name under
// prefix (the store's own), so that other users of advisory locks on the
// same database are unlikely to collide with it.
func LockKey(prefix, name string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(prefix + "\x00" + name))
	return int64(h.Sum64())
}

// Create runs ddl, statements that are idempotent (CREATE ... IF NOT
// EXISTS), in one transaction holding the transaction-level advisory lock
// key: two first uses at once would otherwise race on the catalog, where
// CREATE ... IF NOT EXISTS alone can fail on a duplicate type.
func Create(ctx context.Context, pool *pgxpool.Pool, key int64, ddl string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, key); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, ddl)
		return err
	})
}
