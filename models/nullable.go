package models

import (
	"bytes"
	"encoding/json"
)

// Nullable is a field with three states on the wire: absent (the zero
// Nullable, omitted with the `omitzero` JSON option), JSON null (Null), or a
// value (Value). Box configurable_permissions and Freestyle allowedUsers
// give null a meaning of its own, distinct from leaving the field out.
type Nullable[T any] struct {
	value T
	set   bool // present on the wire, as null or as a value
	null  bool
}

// Value returns a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, set: true} }

// Null returns a Nullable that is sent as JSON null.
func Null[T any]() Nullable[T] { return Nullable[T]{set: true, null: true} }

// IsZero reports whether the field is absent; `omitzero` then omits it.
func (n Nullable[T]) IsZero() bool { return !n.set }

// IsNull reports whether the field is JSON null.
func (n Nullable[T]) IsNull() bool { return n.set && n.null }

// Get returns the value and whether there is one (false when absent or null).
func (n Nullable[T]) Get() (T, bool) { return n.value, n.set && !n.null }

// MarshalJSON writes null or the value. An absent Nullable also writes null
// when it is not omitted; tag the field `omitzero` to leave it out.
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if !n.set || n.null {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON reads null or a value; a field missing from the JSON leaves
// the Nullable absent.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}
