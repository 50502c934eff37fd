package scim

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Resource types the server keeps.
const (
	TypeUser  = "User"
	TypeGroup = "Group"
)

// Resource is one SCIM resource as the store keeps it: the attributes the
// identity provider sent (validated against the resource type's schema,
// without id, schemas and meta, which the server writes), and what the
// server adds.
type Resource struct {
	// Type is TypeUser or TypeGroup.
	Type string
	// ID is the server's id of the resource (a random UUID).
	ID string
	// Unique is the resource's unique name, lower-cased: a User's
	// userName. No two live resources of a type share a non-empty Unique;
	// stores compare it without regard to case, so that "Ada@example.com"
	// and "ada@example.com" are one name whoever lower-cased it.
	Unique string
	// Attributes are the resource's attributes as JSON (an object).
	Attributes json.RawMessage
	// Version counts the resource's writes: 1 when created. The server
	// sends it as the ETag W/"<version>".
	Version int64
	// Created and Modified are when the resource was created and last
	// written.
	Created, Modified time.Time
	// Deleted marks a resource the identity provider deleted: SCIM reads
	// no longer see it, but a deleted User stays, so that the person it
	// was is offboarded.
	Deleted bool
}

// Errors of a Store.
var (
	// ErrNotFound: no live resource of that type has that id.
	ErrNotFound = errors.New("scim: resource not found")
	// ErrVersion: the resource's version is not the one the write expected
	// (another write came first).
	ErrVersion = errors.New("scim: resource changed since it was read")
	// ErrUnique: another live resource of the type has the same Unique.
	ErrUnique = errors.New("scim: another resource has that unique name")
)

// Store keeps the SCIM resources. It is safe for concurrent use, and for
// use by several processes at once when its implementation says so (the
// PostgreSQL store): every write is checked against the version it expects.
type Store interface {
	// Get returns the live resource of type typ with id, or ErrNotFound.
	Get(ctx context.Context, typ, id string) (Resource, error)
	// List returns every resource of type typ, in creation order; deleted
	// ones only when withDeleted.
	List(ctx context.Context, typ string, withDeleted bool) ([]Resource, error)
	// Put writes res when the stored version of its id is expected (0: the
	// id is new), and returns it as stored: Version expected+1, Modified
	// now, Created kept (now for a new one). It fails, writing nothing,
	// with ErrVersion (another version is stored, or expected is 0 and the
	// id is taken), ErrNotFound (expected > 0 and no live resource has the
	// id) or ErrUnique.
	Put(ctx context.Context, res Resource, expected int64) (Resource, error)
	// Delete marks the live resource typ/id deleted (ErrNotFound when there
	// is none): a later Put of another resource may reuse its Unique.
	Delete(ctx context.Context, typ, id string) error
	// Generation returns a number that grows with every write to the store
	// (by any process): a reconciler compares it to the generation it last
	// applied to know whether there is anything new.
	Generation(ctx context.Context) (int64, error)
	// Close releases the store.
	Close() error
}
