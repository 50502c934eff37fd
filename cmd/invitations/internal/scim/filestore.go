package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/invitesdk/invitations/internal/atomicfile"
	"github.com/invitesdk/invitations/internal/filelock"
)

// fileFormat is the version of the file's layout that this code writes
// and reads.
const fileFormat = 1

// fileMode keeps the file to its owner: it holds what the identity
// provider says of people.
const fileMode fs.FileMode = 0o600

// fileStore keeps the resources in one JSON file. Reads read the file as
// the last write left it (writes replace it whole through a rename, so a
// reader never sees half of one); each write reads, changes and replaces
// it under an exclusive OS lock on a lock file beside it, so that
// processes sharing the file take turns.
type fileStore struct {
	path string
	// mu keeps this process's writes to one at a time before they queue
	// on the OS lock.
	mu sync.Mutex
}

// fileDoc is the file's JSON.
type fileDoc struct {
	Format     int            `json:"format"`
	Generation int64          `json:"generation"`
	Resources  []fileResource `json:"resources"`
}

// fileResource is a Resource with the file's names for its fields.
type fileResource struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Unique     string          `json:"unique,omitempty"`
	Attributes json.RawMessage `json:"attributes"`
	Version    int64           `json:"version"`
	Created    time.Time       `json:"created"`
	Modified   time.Time       `json:"modified"`
	Deleted    bool            `json:"deleted,omitempty"`
}

// NewFileStore returns a Store in the JSON file at path, which need not
// exist yet (the first write creates it, mode 0600, and its directory).
// An existing file that is not such a store is an error naming it. Two
// processes may use one file at once: writes take an exclusive lock on
// path+".lock", waiting for it, which the system drops when a holder
// dies. Systems without such a lock (other than Unix and Windows) cannot
// write.
func NewFileStore(path string) (Store, error) {
	if path == "" {
		return nil, errors.New("scim: NewFileStore: the path is empty")
	}
	s := &fileStore{path: path}
	if _, err := s.read(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileStore) lockPath() string { return s.path + ".lock" }

// read returns the table the file holds: an empty one when there is no
// file yet.
func (s *fileStore) read() (*table, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &table{index: map[tableKey]int{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("scim: store file: %w", err)
	}
	var doc fileDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("scim: store file %s: %w", s.path, err)
	}
	if doc.Format != fileFormat {
		return nil, fmt.Errorf("scim: store file %s: format %d, want %d", s.path, doc.Format, fileFormat)
	}
	t := &table{Generation: doc.Generation, Resources: make([]Resource, len(doc.Resources))}
	for i, r := range doc.Resources {
		t.Resources[i] = Resource(r)
	}
	if err := t.reindex(); err != nil {
		return nil, fmt.Errorf("scim: store file %s: %w", s.path, err)
	}
	return t, nil
}

func encodeTable(t *table) ([]byte, error) {
	doc := fileDoc{Format: fileFormat, Generation: t.Generation, Resources: make([]fileResource, len(t.Resources))}
	for i, r := range t.Resources {
		doc.Resources[i] = fileResource(r)
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// write runs change on the table under the lock and, when it succeeds,
// replaces the file with the changed table. A change that fails writes
// nothing.
func (s *fileStore) write(ctx context.Context, change func(*table) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("scim: store file: %w", err)
	}
	lf, err := os.OpenFile(s.lockPath(), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return fmt.Errorf("scim: store lock: %w", err)
	}
	defer lf.Close()
	if err := filelock.Lock(lf); err != nil {
		return fmt.Errorf("scim: store lock %s: %w", s.lockPath(), err)
	}
	defer func() { _ = filelock.Unlock(lf) }()
	t, err := s.read()
	if err != nil {
		return err
	}
	if err := change(t); err != nil {
		return err
	}
	data, err := encodeTable(t)
	if err != nil {
		return fmt.Errorf("scim: store file %s: %w", s.path, err)
	}
	// Under the lock no other writer is under way: the temporary files
	// of earlier writers are ones whose process died before renaming.
	if err := atomicfile.Write(ctx, s.path, data, fileMode); err != nil {
		return fmt.Errorf("scim: store file %s: %w", s.path, err)
	}
	atomicfile.RemoveTemps(s.path)
	return nil
}

func (s *fileStore) Get(ctx context.Context, typ, id string) (Resource, error) {
	if err := ctx.Err(); err != nil {
		return Resource{}, err
	}
	t, err := s.read()
	if err != nil {
		return Resource{}, err
	}
	return t.get(typ, id)
}

func (s *fileStore) List(ctx context.Context, typ string, withDeleted bool) ([]Resource, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := s.read()
	if err != nil {
		return nil, err
	}
	return t.list(typ, withDeleted), nil
}

func (s *fileStore) Put(ctx context.Context, res Resource, expected int64) (Resource, error) {
	if err := checkPut(res, expected); err != nil {
		return Resource{}, err
	}
	var stored Resource
	err := s.write(ctx, func(t *table) error {
		var err error
		stored, err = t.put(res, expected, storeNow())
		return err
	})
	if err != nil {
		return Resource{}, err
	}
	return stored, nil
}

func (s *fileStore) Delete(ctx context.Context, typ, id string) error {
	return s.write(ctx, func(t *table) error { return t.remove(typ, id, storeNow()) })
}

func (s *fileStore) Generation(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	t, err := s.read()
	if err != nil {
		return 0, err
	}
	return t.Generation, nil
}

// Close has nothing to release: the store holds no file open between
// calls.
func (s *fileStore) Close() error { return nil }
