package access_test

import (
	"context"
	"io"
	"net"
	"net/http"
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
	"github.com/invitesdk/invitations/invitationstest"
)

// lockChild, set in the environment to a state file path, makes the test
// binary take that file's lock, say so on stdout and wait to be killed.
const lockChild = "INVITATIONS_ACCESS_LOCK_CHILD"

// fakeChild, set in the environment to a number of people, makes the test
// binary serve the fake with the demo data and that many generated people
// on a loopback port, print its root URL and serve until stdin closes:
// BenchmarkScale measures the tool alone, the fake in its own process.
const fakeChild = "INVITATIONS_ACCESS_FAKE_CHILD"

func TestMain(m *testing.M) {
	if people := os.Getenv(fakeChild); people != "" {
		os.Exit(serveFake(people))
	}
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

// serveFake is the fakeChild mode of the test binary.
func serveFake(people string) int {
	n, err := strconv.Atoi(people)
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return 1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		return 1
	}
	srv := &http.Server{Handler: invitationstest.NewFake(invitationstest.WithDemoData(), invitationstest.WithGeneratedPeople(n))}
	go func() { _ = srv.Serve(ln) }()
	os.Stdout.WriteString("http://" + ln.Addr().String() + "\n")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it, or ends
	_ = srv.Close()
	return 0
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
	access.SetFreestyleIdentity(snap, "zoe@example.com", "ident-2")
	access.SetFreestyleIdentity(snap, "ada@example.com", "ident-1")
	snap.Serial, snap.Lineage, snap.Source = 7, "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30", "people.yaml"
	require.NoError(t, s.Save(context.Background(), snap))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	// Indented, keys sorted, empty maps as {}: a diff shows what changed.
	assert.Equal(t, `{
  "serial": 7,
  "lineage": "0f5c2b0e-8d1a-4c3e-9b7f-2a6d4e8c1f30",
  "source": "people.yaml",
  "vendors": {
    "freestyle": {
      "identity/ada@example.com": "ident-1",
      "identity/zoe@example.com": "ident-2"
    }
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
	access.SetFreestyleIdentity(want, "ada@example.com", "ident-1")
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

// journalDelta is a delta naming one more identity, on top of serial.
func journalDelta(serial uint64, email, id string) *access.Delta {
	return &access.Delta{Serial: serial + 1, Vendors: storetest.IdentityDelta(map[string]*string{email: &id})}
}

// What SaveDelta journals is in the state for another FileStore (another
// process after a crash) before any compaction; Compact folds it into the
// file and removes the journal.
func TestFileStoreJournalSurvivesACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	s := access.NewFileStore(path)
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, s.SaveDelta(ctx, journalDelta(42, "new@example.com", "ident-new")))
	require.NoError(t, s.SaveDelta(ctx, journalDelta(43, "other@example.com", "ident-other")))
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the file is not rewritten per change")

	crashed := access.NewFileStore(path) // the process that held s died
	got, err := crashed.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(44), got.Serial)
	assert.Equal(t, "ident-new", access.FreestyleIdentities(got)["new@example.com"])
	assert.Equal(t, "ident-other", access.FreestyleIdentities(got)["other@example.com"])

	require.NoError(t, crashed.Compact(ctx))
	assert.Equal(t, []string{"state.json", "state.json.backup"}, names(t, dir), "the journal is folded in and removed (the file before it kept as the backup)")
	again, err := access.NewFileStore(path).Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, got, again)
}

// A journal line a crash cut short is ignored, and the next delta goes on
// after the last whole line; a journal started on another file (the file
// replaced since, by hand or by Save) is never applied to this one.
func TestFileStoreJournalCutShortOrStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	s := access.NewFileStore(path)
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	require.NoError(t, s.SaveDelta(ctx, journalDelta(42, "new@example.com", "ident-new")))
	f, err := os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"serial":44,"identities":{"torn@exa`)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	next := access.NewFileStore(path)
	got, err := next.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(43), got.Serial)
	assert.NotContains(t, access.FreestyleIdentities(got), "torn@example.com")
	require.NoError(t, next.SaveDelta(ctx, journalDelta(43, "later@example.com", "ident-later")))
	got, err = access.NewFileStore(path).Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(44), got.Serial)
	assert.Equal(t, "ident-later", access.FreestyleIdentities(got)["later@example.com"], "appended after the last whole line")
	assert.Equal(t, "ident-new", access.FreestyleIdentities(got)["new@example.com"])

	// The file replaced behind the journal's back: the journal is not
	// this file's.
	fresh, err := access.EncodeSnapshot(access.NewSnapshot())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, fresh, 0o600))
	got, err = access.NewFileStore(path).Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, access.NewSnapshot(), got)

	// A line in the middle that is not a delta is an error naming it.
	require.NoError(t, os.WriteFile(s.JournalPath(), []byte(`{"journal":1,"base":""}`+"\nnot json\n"), 0o600))
	require.NoError(t, os.Remove(path))
	_, err = access.NewFileStore(path).Load(ctx)
	require.ErrorContains(t, err, s.JournalPath()+": line 2:")
}

// Every Save that changes the file first keeps the file as it was in
// "<path>.backup", with its mode; a Save of the same bytes leaves the
// backup alone; a compaction (the end of an apply) keeps the file from
// before the apply.
func TestFileStoreKeepsTheFileBeforeTheLastChangeAsTheBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	assert.Equal(t, filepath.Join(dir, "state.json.backup"), s.BackupPath())
	read := func(path string) string {
		t.Helper()
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(data)
	}
	version := func(serial uint64, email string) *access.Snapshot {
		snap := access.NewSnapshot()
		snap.Serial, snap.Lineage = serial, "5d0b1f2e-3c4a-4b6d-8e9f-0a1b2c3d4e5f"
		access.SetFreestyleIdentity(snap, email, "ident-"+email)
		return snap
	}
	encoded := func(snap *access.Snapshot) string {
		t.Helper()
		data, err := access.EncodeSnapshot(snap)
		require.NoError(t, err)
		return string(data)
	}

	require.NoError(t, s.Save(ctx, version(1, "ada@example.com")))
	assert.Equal(t, []string{"state.json"}, names(t, dir), "no backup of a file that was not there")

	require.NoError(t, os.Chmod(s.Path(), 0o640))
	require.NoError(t, s.Save(ctx, version(2, "bob@example.com")))
	assert.Equal(t, encoded(version(1, "ada@example.com")), read(s.BackupPath()), "the file before the save")
	assert.Equal(t, encoded(version(2, "bob@example.com")), read(s.Path()))
	requireMode(t, s.BackupPath(), 0o640)
	assert.Equal(t, []string{"state.json", "state.json.backup"}, names(t, dir), "no temporary file left")

	require.NoError(t, s.Save(ctx, version(2, "bob@example.com")))
	assert.Equal(t, encoded(version(1, "ada@example.com")), read(s.BackupPath()), "the same bytes again: the backup stays the version before the last change")

	// An apply's journal, folded in: the backup is the file from before
	// the apply.
	require.NoError(t, s.SaveDelta(ctx, journalDelta(2, "cid@example.com", "ident-cid")))
	assert.Equal(t, encoded(version(1, "ada@example.com")), read(s.BackupPath()), "a delta is no save of the file")
	require.NoError(t, s.Compact(ctx))
	assert.Equal(t, encoded(version(2, "bob@example.com")), read(s.BackupPath()))
	got, err := s.Load(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ident-cid", access.FreestyleIdentities(got)["cid@example.com"])
	assert.Equal(t, uint64(3), got.Serial)
}

// The backup is written before the file is replaced: when it cannot be
// (here its path is a directory that is not empty), the Save fails and
// the file is as it was, with nothing left behind.
func TestFileStoreSavesNothingWithoutItsBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	before, err := os.ReadFile(s.Path())
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(s.BackupPath(), "inside"), 0o700))

	err = s.Save(ctx, access.NewSnapshot())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "access: state backup "+s.BackupPath()+": ")
	after, err := os.ReadFile(s.Path())
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "the file is not replaced without its backup")
	assert.Equal(t, []string{"state.json", "state.json.backup"}, names(t, dir), "no temporary file left")
}

// The temporary files of a backup write killed midway are removed by the
// next save under the lock, as those of the file are.
func TestFileStoreRemovesStaleBackupTempFilesUnderTheLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	s := access.NewFileStore(filepath.Join(dir, "state.json"))
	require.NoError(t, s.Save(ctx, storetest.Populated()))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".state.json.backup.tmp-123"), []byte("{"), 0o600))
	unlock, err := s.Lock(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, access.NewSnapshot()))
	require.NoError(t, unlock())
	assert.Equal(t, []string{"state.json", "state.json.backup", "state.json.lock"}, names(t, dir))
}
