package scim

import (
	"context"
	"sync"
)

// memoryStore keeps the resources in memory, for tests and for a server
// that needs nothing kept across restarts.
type memoryStore struct {
	mu sync.Mutex
	t  table
}

// NewMemoryStore returns an empty Store in memory: safe for concurrent
// use, gone when the process ends.
func NewMemoryStore() Store {
	return &memoryStore{t: table{index: map[tableKey]int{}}}
}

func (s *memoryStore) Get(ctx context.Context, typ, id string) (Resource, error) {
	if err := ctx.Err(); err != nil {
		return Resource{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.get(typ, id)
}

func (s *memoryStore) List(ctx context.Context, typ string, withDeleted bool) ([]Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.list(typ, withDeleted), nil
}

func (s *memoryStore) Put(ctx context.Context, res Resource, expected int64) (Resource, error) {
	if err := ctx.Err(); err != nil {
		return Resource{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.put(res, expected, storeNow())
}

func (s *memoryStore) Delete(ctx context.Context, typ, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.remove(typ, id, storeNow())
}

func (s *memoryStore) Generation(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t.Generation, nil
}

func (s *memoryStore) Close() error { return nil }
