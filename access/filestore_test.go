package access_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/access"
	"github.com/invitesdk/invitations/access/storetest"
)

// lockChild, set in the environment to a state file path, makes the test
// binary take that file's lock, say so on stdout and wait to be killed.
const lockChild = "INVITATIONS_ACCESS_LOCK_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(lockChild); path != "" {
		if _, err := access.NewFileStore(path).Lock(context.Background()); err != nil {
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

func TestFileStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) access.Store {
		return access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	})
}

func TestFileStoreWritesReadableJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s := access.NewFileStore(path)
	snap := access.NewSnapshot()
	snap.Identities["zoe@example.com"] = "ident-2"
	snap.Identities["ada@example.com"] = "ident-1"
	snap.Serial, snap.Lineage, snap.Source = 7, "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30", "people.yaml"
	require.NoError(t, s.Save(context.Background(), snap))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	// Indented, keys sorted, empty maps as {}: a diff shows what changed.
	assert.Equal(t, `{
  "serial": 7,
  "lineage": "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30",
  "source": "people.yaml",
  "identities": {
    "ada@example.com": "ident-1",
    "zoe@example.com": "ident-2"
  },
  "created": {},
  "in_doubt": {},
  "removed": {}
}
`, string(data))
}

func TestFileStoreFileMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	requireMode(t, s.Path(), 0o600)
	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	requireMode(t, s.LockPath(), 0o600)
	require.NoError(t, unlock())

	// A mode the owner chose survives the rename.
	require.NoError(t, os.Chmod(s.Path(), 0o640))
	require.NoError(t, s.Save(ctx, access.NewSnapshot()))
	requireMode(t, s.Path(), 0o640)
}

func requireMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, want, fi.Mode().Perm(), path)
}

func TestFileStoreCorruptFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, []byte("{\n  \"identities\": x\n}\n"), 0o600))
	_, err := access.NewFileStore(path).Load(context.Background())
	require.Error(t, err)
	assert.Equal(t, "access: state file "+path+
		": line 2, column 17 (byte 19): invalid character 'x' looking for beginning of value", err.Error())

	// Valid JSON of the wrong shape says where, too.
	require.NoError(t, os.WriteFile(path, []byte("{\n  \"identities\": {\"a\": 1}\n}\n"), 0o600))
	_, err = access.NewFileStore(path).Load(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+": line 2, column 23 (byte 25): ")
}

func TestFileStoreLoadsPartialFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	// A hand-trimmed file missing parts loads with those parts empty.
	require.NoError(t, os.WriteFile(path, []byte(`{"identities": {"ada@example.com": "ident-1"}}`), 0o600))
	got, err := access.NewFileStore(path).Load(context.Background())
	require.NoError(t, err)
	want := access.NewSnapshot()
	want.Identities["ada@example.com"] = "ident-1"
	assert.Equal(t, want, got)
}

func TestFileStoreSaveNil(t *testing.T) {
	t.Parallel()
	s := access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	assert.ErrorContains(t, s.Save(context.Background(), nil), "nil snapshot")
	_, err := os.Stat(s.Path())
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFileStoreNoTempFileLeft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	for range 3 {
		require.NoError(t, s.Save(ctx, storetest.Populated()))
	}
	assert.Equal(t, []string{"state.json"}, names(t, dir))

	// A Save whose rename fails (the path is a directory that is not
	// empty) removes its temporary file and leaves what was there.
	blocked := access.NewFileStore(filepath.Join(dir, "taken"))
	require.NoError(t, os.MkdirAll(filepath.Join(blocked.Path(), "inside"), 0o700))
	err := blocked.Save(ctx, storetest.Populated())
	require.Error(t, err)
	assert.Contains(t, err.Error(), blocked.Path())
	assert.Equal(t, []string{"state.json", "taken"}, names(t, dir))

	// So does a Save given up before the rename.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Save(cctx, access.NewSnapshot()), context.Canceled)
	assert.Equal(t, []string{"state.json", "taken"}, names(t, dir))
}

// Temporary files left by a save killed mid-write (kill -9) are removed
// by the next save made under the lock, and only by such a save: without
// the lock another process may be writing one.
func TestFileStoreRemovesStaleTempFilesUnderTheLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	for _, name := range []string{".state.json.tmp-123", ".state.json.tmp-456", ".other.json.tmp-1"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o600))
	}
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	assert.Equal(t, []string{".other.json.tmp-1", ".state.json.tmp-123", ".state.json.tmp-456", "state.json"}, names(t, dir), "not locked: left alone")

	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	require.NoError(t, unlock())
	assert.Equal(t, []string{".other.json.tmp-1", "state.json", "state.json.lock"}, names(t, dir), "another state's files are not this one's")
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestFileStoreLockNamesHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	// A second FileStore on the same path is a second apply.
	_, err = access.NewFileStore(s.Path()).Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	host, _ := os.Hostname()
	assert.Contains(t, err.Error(), s.LockPath()+" is held by pid "+strconv.Itoa(os.Getpid())+" on "+host+" since ")

	// Unlock is idempotent: a second call does not release the next
	// holder's lock.
	require.NoError(t, unlock())
	record, err := os.ReadFile(s.LockPath())
	require.NoError(t, err)
	assert.Empty(t, record, "the lock file names no finished holder")
	require.NoError(t, unlock())
	next, err := s.Lock(ctx)
	require.NoError(t, err)
	require.NoError(t, unlock())
	_, err = s.Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	require.NoError(t, next())
}

// TestFileStoreCrashReleasesLock runs an apply in another process that
// takes the lock and is killed: while it lives, Lock fails naming it; once
// it is dead, Lock succeeds without anyone cleaning up.
func TestFileStoreCrashReleasesLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := access.NewFileStore(filepath.Join(t.TempDir(), "state.json"))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), lockChild+"="+s.Path())
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
	line := make([]byte, len("locked\n"))
	_, err = stdout.Read(line)
	require.NoError(t, err)
	require.Equal(t, "locked\n", string(line))

	_, err = s.Lock(ctx)
	require.ErrorIs(t, err, access.ErrLocked)
	assert.Contains(t, err.Error(), "held by pid "+strconv.Itoa(cmd.Process.Pid)+" ")

	require.NoError(t, cmd.Process.Kill())
	err = cmd.Wait()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "killed"), "child: %v", err)

	unlock, err := s.Lock(ctx)
	require.NoError(t, err, "the dead holder's lock is released")
	require.NoError(t, unlock())
}
