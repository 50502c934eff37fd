package scim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
	"github.com/invitesdk/invitations/cmd/invitations/internal/scim/storetest"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) scim.Store {
		s := scim.NewMemoryStore()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestFileStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) scim.Store {
		s, err := scim.NewFileStore(filepath.Join(t.TempDir(), "scim.json"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// Two stores on one file are two writers that only the OS lock orders
// (each has its own in-process lock): the suite passes with its calls
// dealt out between them.
func TestFileStoreTwoStoresOneFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) scim.Store {
		p := filepath.Join(t.TempDir(), "scim.json")
		one, err := scim.NewFileStore(p)
		require.NoError(t, err)
		two, err := scim.NewFileStore(p)
		require.NoError(t, err)
		return &alternating{stores: [2]scim.Store{one, two}}
	})
}

// alternating sends each call to the next of two stores.
type alternating struct {
	mu     sync.Mutex
	n      int
	stores [2]scim.Store
}

func (s *alternating) next() scim.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.stores[s.n%2]
}

func (s *alternating) Get(ctx context.Context, typ, id string) (scim.Resource, error) {
	return s.next().Get(ctx, typ, id)
}

func (s *alternating) List(ctx context.Context, typ string, withDeleted bool) ([]scim.Resource, error) {
	return s.next().List(ctx, typ, withDeleted)
}

func (s *alternating) Put(ctx context.Context, res scim.Resource, expected int64) (scim.Resource, error) {
	return s.next().Put(ctx, res, expected)
}

func (s *alternating) Delete(ctx context.Context, typ, id string) error {
	return s.next().Delete(ctx, typ, id)
}

func (s *alternating) Generation(ctx context.Context) (int64, error) {
	return s.next().Generation(ctx)
}

func (s *alternating) Close() error { return nil }

// The environment of a child process that TestFileStoreTwoProcesses
// starts: the file and how many increments to make.
const (
	envChildFile  = "INVITATIONS_SCIM_TEST_CHILD_FILE"
	envChildCount = "INVITATIONS_SCIM_TEST_CHILD_COUNT"
)

// TestMain runs the child's increments when the test binary is started
// as one.
func TestMain(m *testing.M) {
	if path := os.Getenv(envChildFile); path != "" {
		n, _ := strconv.Atoi(os.Getenv(envChildCount))
		if err := increment(path, n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// increment rewrites the user u1 n times, each time from the version it
// read, retrying on ErrVersion: an increment a lost update would drop.
func increment(path string, n int) error {
	s, err := scim.NewFileStore(path)
	if err != nil {
		return err
	}
	ctx := context.Background()
	for i := 0; i < n; {
		cur, err := s.Get(ctx, scim.TypeUser, "u1")
		if err != nil {
			return err
		}
		if _, err := s.Put(ctx, storetest.User("u1", "ada@example.com", true), cur.Version); err != nil {
			if errors.Is(err, scim.ErrVersion) {
				continue
			}
			return err
		}
		i++
	}
	return nil
}

// Two processes writing one file lose no write: every increment of each
// raises the version once.
func TestFileStoreTwoProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scim.json")
	s, err := scim.NewFileStore(path)
	require.NoError(t, err)
	_, err = s.Put(context.Background(), storetest.User("u1", "ada@example.com", true), 0)
	require.NoError(t, err)
	const each = 25
	var cmds []*exec.Cmd
	for range 2 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envChildFile+"="+path, envChildCount+"="+strconv.Itoa(each))
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		require.NoError(t, cmd.Wait())
	}
	got, err := s.Get(context.Background(), scim.TypeUser, "u1")
	require.NoError(t, err)
	require.Equal(t, int64(1+2*each), got.Version)
	g, err := s.Generation(context.Background())
	require.NoError(t, err)
	require.Equal(t, int64(1+2*each), g)
}

func TestFileStoreFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "scim.json")
	s, err := scim.NewFileStore(path)
	require.NoError(t, err)
	_, err = os.Stat(path)
	require.ErrorIs(t, err, os.ErrNotExist, "opening writes nothing")

	_, err = s.Put(context.Background(), storetest.User("u1", "ada@example.com", true), 0)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file is its owner's alone")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.ElementsMatch(t, []string{"scim.json", "scim.json.lock"}, names, "no temporary file left")

	again, err := scim.NewFileStore(path)
	require.NoError(t, err)
	got, err := again.Get(context.Background(), scim.TypeUser, "u1")
	require.NoError(t, err)
	require.Equal(t, "ada@example.com", got.Unique)
}

func TestFileStoreBadFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content, want string }{
		{"NotJSON", "{", "unexpected EOF"},
		{"OtherFormat", `{"format":2,"generation":0,"resources":[]}`, "format 2, want 1"},
		{"UnknownField", `{"format":1,"generation":0,"resources":[],"extra":1}`, `unknown field "extra"`},
		{"DuplicateID", `{"format":1,"generation":2,"resources":[` +
			`{"type":"User","id":"u1","attributes":{},"version":1,"created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z"},` +
			`{"type":"User","id":"u1","attributes":{},"version":1,"created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z"}]}`,
			"resource User u1 appears twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "scim.json")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), 0o600))
			_, err := scim.NewFileStore(path)
			require.ErrorContains(t, err, path)
			require.ErrorContains(t, err, tc.want)
		})
	}
	_, err := scim.NewFileStore("")
	require.EqualError(t, err, "scim: NewFileStore: the path is empty")
}

// Put refuses what no store could keep, naming the field, on every store.
func TestStorePutRefusesBadResources(t *testing.T) {
	t.Parallel()
	file, err := scim.NewFileStore(filepath.Join(t.TempDir(), "scim.json"))
	require.NoError(t, err)
	for name, s := range map[string]scim.Store{"memory": scim.NewMemoryStore(), "file": file} {
		ctx := context.Background()
		good := storetest.User("u1", "ada@example.com", true)
		noType, noID, notObject := good, good, good
		noType.Type, noID.ID, notObject.Attributes = "", "", []byte(`["x"]`)
		for _, tc := range []struct {
			res      scim.Resource
			expected int64
			want     string
		}{
			{noType, 0, "scim: Put: the resource's Type is empty"},
			{noID, 0, "scim: Put: the resource's ID is empty"},
			{good, -1, "scim: Put: expected version -1 is negative"},
			{notObject, 0, "scim: Put User u1: Attributes is not a JSON object"},
		} {
			_, err := s.Put(ctx, tc.res, tc.expected)
			require.EqualError(t, err, tc.want, name)
		}
		g, err := s.Generation(ctx)
		require.NoError(t, err)
		require.Zero(t, g, name)
	}
}
