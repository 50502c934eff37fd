package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// table is the resources of the memory and file stores, and the rules
// every Put and Delete follows there (the PostgreSQL store follows the
// same ones in SQL).
type table struct {
	// Generation counts the writes.
	Generation int64 `json:"generation"`
	// Resources are in creation order, deleted ones kept.
	Resources []Resource `json:"resources"`
	// index finds a resource's position by type and id.
	index map[tableKey]int
}

type tableKey struct{ typ, id string }

// reindex rebuilds the index after Resources was read.
func (t *table) reindex() error {
	t.index = make(map[tableKey]int, len(t.Resources))
	for i, r := range t.Resources {
		k := tableKey{r.Type, r.ID}
		if _, dup := t.index[k]; dup {
			return fmt.Errorf("resource %s %s appears twice", r.Type, r.ID)
		}
		t.index[k] = i
	}
	return nil
}

func (t *table) get(typ, id string) (Resource, error) {
	i, ok := t.index[tableKey{typ, id}]
	if !ok || t.Resources[i].Deleted {
		return Resource{}, ErrNotFound
	}
	return copyResource(t.Resources[i]), nil
}

func (t *table) list(typ string, withDeleted bool) []Resource {
	out := []Resource{}
	for _, r := range t.Resources {
		if r.Type == typ && (withDeleted || !r.Deleted) {
			out = append(out, copyResource(r))
		}
	}
	return out
}

// checkPut refuses a resource no store could keep: an error naming the
// field, matching none of the Store errors.
func checkPut(res Resource, expected int64) error {
	switch {
	case res.Type == "":
		return errors.New("scim: Put: the resource's Type is empty")
	case res.ID == "":
		return errors.New("scim: Put: the resource's ID is empty")
	case expected < 0:
		return fmt.Errorf("scim: Put: expected version %d is negative", expected)
	}
	trimmed := bytes.TrimSpace(res.Attributes)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return fmt.Errorf("scim: Put %s %s: Attributes is not a JSON object", res.Type, res.ID)
	}
	return nil
}

// put applies Store.Put's rules: the version first, then the unique name.
func (t *table) put(res Resource, expected int64, now time.Time) (Resource, error) {
	if err := checkPut(res, expected); err != nil {
		return Resource{}, err
	}
	res.Unique = strings.ToLower(res.Unique)
	k := tableKey{res.Type, res.ID}
	i, exists := t.index[k]
	switch {
	case expected == 0 && exists:
		return Resource{}, ErrVersion
	case expected > 0 && (!exists || t.Resources[i].Deleted):
		return Resource{}, ErrNotFound
	case expected > 0 && t.Resources[i].Version != expected:
		return Resource{}, ErrVersion
	}
	if res.Unique != "" {
		for j, o := range t.Resources {
			if o.Type == res.Type && !o.Deleted && o.Unique == res.Unique && (!exists || j != i) {
				return Resource{}, ErrUnique
			}
		}
	}
	res = copyResource(res)
	res.Version, res.Modified, res.Deleted = expected+1, now, false
	if exists {
		res.Created = t.Resources[i].Created
		t.Resources[i] = res
	} else {
		res.Created = now
		t.index[k] = len(t.Resources)
		t.Resources = append(t.Resources, res)
	}
	t.Generation++
	return copyResource(res), nil
}

// remove applies Store.Delete's rules.
func (t *table) remove(typ, id string, now time.Time) error {
	i, ok := t.index[tableKey{typ, id}]
	if !ok || t.Resources[i].Deleted {
		return ErrNotFound
	}
	r := &t.Resources[i]
	r.Deleted, r.Version, r.Modified = true, r.Version+1, now
	t.Generation++
	return nil
}

// copyResource copies the attributes too: a caller that changes what it
// got or gave does not change what a store keeps.
func copyResource(r Resource) Resource {
	r.Attributes = append(json.RawMessage(nil), r.Attributes...)
	return r
}

// storeNow is the time stores write: UTC, to the microsecond that
// PostgreSQL keeps, so that every store gives the same times back.
func storeNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
