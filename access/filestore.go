package access

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

// FileStore keeps the Snapshot in one JSON file, indented and with sorted
// keys so that a change to it reads well in a pull request. It is the
// default Store.
//
// Save writes a temporary file in the same directory, syncs it and renames
// it over the old one, so a reader (or a crash) sees the old snapshot or
// the new one, never a mix. Lock takes an operating-system lock (flock on
// Unix, LockFileEx on Windows) on the side file "<path>.lock", which the
// operating system releases when the holder exits, however it ends; on
// systems with neither, Lock fails with errors.ErrUnsupported. A save
// made while this FileStore holds the lock also removes the temporary
// files that saves of processes killed mid-write left behind: no other
// apply can be writing one then.
//
// FileStore is a DeltaStore: an apply records each change as one line
// appended to the journal "<path>.journal" and synced, and folds the
// journal into the file when it ends (Compact), so that it writes in
// proportion to its changes. See JournalPath.
//
// Like terraform's terraform.tfstate.backup, FileStore keeps the previous
// version of the file in "<path>.backup" (see BackupPath): before a Save
// (and so a Compact, which ends every apply that changed something)
// replaces the file, it copies the file there, atomically too (a
// temporary file synced and renamed), and only then writes the new one.
// A crash between the two leaves the old state in place and a good
// backup of it; a crash during either leaves each file whole. A Save that
// writes the bytes the file already holds leaves the backup as it is, so
// that it stays the version before the last change. The backup has the
// file's mode; nothing reads it but people: to go back one version, copy
// it over the file (or "invitations state push -force" it).
type FileStore struct {
	path string

	mu    sync.Mutex
	locks int // locks this FileStore holds now
	// journal is the journal open for appending, once SaveDelta has
	// written to it; Save and the lock's release close it.
	journal *os.File
}

var _ DeltaStore = (*FileStore)(nil)

// NewFileStore returns a FileStore keeping its snapshot in the file at
// path and its lock in "<path>.lock". Neither file is touched until the
// first Lock, Load or Save.
func NewFileStore(path string) *FileStore {
	return &FileStore{path: path}
}

// Path returns the path of the snapshot file.
func (s *FileStore) Path() string { return s.path }

// LockPath returns the path of the side file Lock locks.
func (s *FileStore) LockPath() string { return s.path + ".lock" }

// BackupPath returns the path of the backup beside the snapshot file,
// "<path>.backup": the file as it was before the last Save that changed
// it, or no file before any such Save.
func (s *FileStore) BackupPath() string { return s.path + ".backup" }

// fileMode is the mode of a new state file: it names people, so it is
// readable by its owner only. Save keeps the mode of an existing file.
const fileMode fs.FileMode = 0o600

// lockHolder is what the lock file records of the apply holding it, so
// that a second one can say whom it waits for.
type lockHolder struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// Lock takes the lock file for one apply. When another apply, in this
// process or another, holds it, Lock returns at once an error matching
// ErrLocked that names the lock file and, when it can read it, the
// holder's pid, host and start time. The returned func releases the lock;
// calling it again does nothing.
func (s *FileStore) Lock(ctx context.Context) (func() error, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, fmt.Errorf("access: state lock %s: %w", s.LockPath(), err)
	}
	// One open file per call: the lock belongs to it, so two Locks in one
	// process exclude each other as two processes do.
	f, err := os.OpenFile(s.LockPath(), os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("access: state lock: %w", err)
	}
	ok, err := filelock.TryLock(f)
	if err != nil || !ok {
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("access: state lock %s: %w", s.LockPath(), err)
		}
		return nil, s.lockedError()
	}
	// The record is informative only: the lock is the OS lock, so a record
	// that cannot be written does not fail the apply.
	host, _ := os.Hostname()
	if rec, err := json.Marshal(lockHolder{PID: os.Getpid(), Host: host, Since: time.Now().UTC()}); err == nil {
		if f.Truncate(0) == nil {
			_, _ = f.WriteAt(append(rec, '\n'), 0)
		}
	}
	s.mu.Lock()
	s.locks++
	s.mu.Unlock()
	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() {
			s.mu.Lock()
			s.locks--
			if s.journal != nil {
				_ = s.journal.Close()
				s.journal = nil
			}
			s.mu.Unlock()
			// Emptied first, so that the record never names a finished
			// holder: one left by a crash is overwritten by the next one.
			_ = f.Truncate(0)
			err := filelock.Unlock(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				unlockErr = fmt.Errorf("access: state unlock %s: %w", s.LockPath(), err)
			}
		})
		return unlockErr
	}, nil
}

// lockedError says who holds the lock, as far as the lock file tells.
func (s *FileStore) lockedError() error {
	data, err := os.ReadFile(s.LockPath())
	var h lockHolder
	if err != nil || json.Unmarshal(data, &h) != nil || h.PID == 0 {
		return fmt.Errorf("%w: %s is held by another process", ErrLocked, s.LockPath())
	}
	return fmt.Errorf("%w: %s is held by pid %d on %s since %s",
		ErrLocked, s.LockPath(), h.PID, h.Host, h.Since.Format(time.RFC3339))
}

// Load reads the snapshot file and applies the journal written on top of
// it, if any. A missing file is an empty snapshot; a file that is not a
// snapshot is an error naming the file and, for bad JSON, the line and
// column.
func (s *FileStore) Load(ctx context.Context) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	snap, _, err := s.load()
	return snap, err
}

// load returns the snapshot with its journal applied, and how many
// journal entries it applied.
func (s *FileStore) load() (*Snapshot, int, error) {
	data, err := os.ReadFile(s.path)
	var snap *Snapshot
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data, snap = nil, NewSnapshot()
	case err != nil:
		return nil, 0, fmt.Errorf("access: state file: %w", err)
	default:
		if snap, err = DecodeSnapshot(data); err != nil {
			return nil, 0, fmt.Errorf("access: state file %s: %w", s.path, err)
		}
	}
	n, err := s.replay(data, snap)
	if err != nil {
		return nil, 0, err
	}
	return snap, n, nil
}

// Save writes snap whole. First it copies the snapshot file as it is to
// the backup (BackupPath), unless there is no file yet or it already
// holds these bytes; then it writes snap to a temporary file in the same
// directory, synced, renamed over the snapshot file, and the directory
// synced; then it removes the journal, which snap replaces. The file and
// the backup keep the file's mode; a new file is 0600. A cancelled ctx
// leaves the file as it was. A backup that cannot be written fails the
// Save before the file is touched.
func (s *FileStore) Save(ctx context.Context, snap *Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := EncodeSnapshot(snap)
	if err != nil {
		return fmt.Errorf("access: state file %s: %w", s.path, err)
	}
	if err := s.backup(ctx, data); err != nil {
		return fmt.Errorf("access: state backup %s: %w", s.BackupPath(), err)
	}
	if err := s.writeAtomic(ctx, s.path, data, 0); err != nil {
		return fmt.Errorf("access: state file %s: %w", s.path, err)
	}
	// The journal was written on top of the old file: it names that
	// file's digest, so it would no longer apply even if its removal
	// were lost to a crash.
	if err := s.dropJournal(); err != nil {
		return fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
	}
	return nil
}

// backup copies the snapshot file, as it is before a Save writes next in
// its place, to the backup: atomically, as writeAtomic writes, with the
// file's mode. Without a file, or when the file holds next already (the
// backup then stays the version before the last change), it does nothing.
func (s *FileStore) backup(ctx context.Context, next []byte) error {
	old, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if bytes.Equal(old, next) {
		return nil
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return err
	}
	return s.writeAtomic(ctx, s.BackupPath(), old, fi.Mode().Perm())
}

// writeAtomic writes data to path through a temporary file beside it,
// synced and renamed over it, then syncs the directory. The file gets
// mode, or when mode is 0 the mode of the file it replaces (fileMode for
// a new one).
func (s *FileStore) writeAtomic(ctx context.Context, path string, data []byte, mode fs.FileMode) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if mode == 0 {
		mode = fileMode
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	if err := atomicfile.Write(ctx, path, data, mode); err != nil {
		return err
	}
	// Temporary files of earlier writes that never got renamed (their
	// process was killed while writing) go when this FileStore holds
	// the lock: then no other apply is saving.
	s.mu.Lock()
	locked := s.locks > 0
	s.mu.Unlock()
	if locked {
		atomicfile.RemoveTemps(path)
	}
	return nil
}

// EncodeSnapshot returns the JSON form of s that FileStore writes:
// indented, keys sorted, empty maps as {} rather than null, ending in a
// newline. Stores of other kinds may use it too.
func EncodeSnapshot(s *Snapshot) ([]byte, error) {
	if s == nil {
		return nil, errors.New("nil snapshot")
	}
	c := *s
	c.normalize()
	data, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// DecodeSnapshot parses the JSON form of a snapshot. Missing maps come back
// empty, not nil. A syntax error says at which line and column.
func DecodeSnapshot(data []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := position(data, syn.Offset)
			return nil, fmt.Errorf("line %d, column %d (byte %d): %w", line, col, syn.Offset, err)
		case errors.As(err, &typ):
			line, col := position(data, typ.Offset)
			return nil, fmt.Errorf("line %d, column %d (byte %d): %w", line, col, typ.Offset, err)
		}
		return nil, err
	}
	return s.normalize(), nil
}

// position turns the byte offset encoding/json reports (the count of bytes
// read when it stopped) into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	if offset > 0 && col > 1 {
		// The offset is past the offending byte; point at it.
		col--
	}
	return line, col
}
