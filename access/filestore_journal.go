package access

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/invitesdk/invitations/internal/atomicfile"
)

// The journal is "<path>.journal": a header line naming the digest of the
// snapshot file it was started on, then one Delta per line, each synced
// before SaveDelta returns. Load applies it only on top of that very file
// (so a journal whose file was since replaced, by Save or by hand, is not
// applied to another snapshot), and ignores a last line without its
// newline: a write that a crash cut short, whose change was never
// reported saved.

// journalHeader is the journal's first line.
type journalHeader struct {
	// Journal is the format's version, 1.
	Journal int `json:"journal"`
	// Base is the SHA-256 of the snapshot file the journal applies to,
	// in hex; "" for no file.
	Base string `json:"base"`
}

// JournalPath returns the path of the journal beside the snapshot file.
func (s *FileStore) JournalPath() string { return s.path + ".journal" }

// digest is the Base of a journal started on a snapshot file holding
// data (nil: no file).
func digest(data []byte) string {
	if data == nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// replay applies to snap, read from the file holding data, the journal
// written on top of that file, and returns how many entries it applied.
func (s *FileStore) replay(data []byte, snap *Snapshot) (int, error) {
	f, err := os.Open(s.JournalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("access: state journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	header, err := r.ReadBytes('\n')
	var h journalHeader
	if err != nil || json.Unmarshal(header, &h) != nil || h.Journal != 1 || h.Base != digest(data) {
		return 0, nil // cut short at its start, or not this file's: nothing of it applies
	}
	n := 0
	for line := 2; ; line++ {
		entry, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return n, nil // a last line without its newline was cut short
		}
		if err != nil {
			return 0, fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
		}
		var d Delta
		if err := json.Unmarshal(entry, &d); err != nil {
			return 0, fmt.Errorf("access: state journal %s: line %d: %w", s.JournalPath(), line, err)
		}
		d.ApplyTo(snap)
		n++
	}
}

// SaveDelta appends d to the journal and syncs it. The first delta of a
// FileStore starts a journal on the snapshot file as it is (or goes on
// with the journal already there for it, past a line a crash cut short).
func (s *FileStore) SaveDelta(ctx context.Context, d *Delta) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	line, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal == nil {
		if s.journal, err = s.openJournal(); err != nil {
			return fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
		}
	}
	if _, err := s.journal.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
	}
	if err := s.journal.Sync(); err != nil {
		return fmt.Errorf("access: state journal %s: %w", s.JournalPath(), err)
	}
	return nil
}

// openJournal opens the journal for appending: the one there if it was
// started on the snapshot file as it is now (cut back to its last whole
// line), else a new one. The caller holds mu.
func (s *FileStore) openJournal() (*os.File, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	base := digest(data)
	if f, ok := s.reopenJournal(base); ok {
		return f, nil
	}
	header, err := json.Marshal(journalHeader{Journal: 1, Base: base})
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(s.JournalPath(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(append(header, '\n')); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, err
	}
	atomicfile.SyncDir(filepath.Dir(s.path))
	return f, nil
}

// reopenJournal opens the journal there for appending when it was started
// on the file whose digest is base, cut back to its last whole line.
func (s *FileStore) reopenJournal(base string) (*os.File, bool) {
	data, err := os.ReadFile(s.JournalPath())
	if err != nil {
		return nil, false
	}
	first := bytes.IndexByte(data, '\n')
	var h journalHeader
	if first < 0 || json.Unmarshal(data[:first], &h) != nil || h.Journal != 1 || h.Base != base {
		return nil, false
	}
	whole := int64(bytes.LastIndexByte(data, '\n') + 1)
	f, err := os.OpenFile(s.JournalPath(), os.O_WRONLY, 0)
	if err != nil {
		return nil, false
	}
	if err := f.Truncate(whole); err != nil {
		_ = f.Close()
		return nil, false
	}
	if _, err := f.Seek(whole, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, false
	}
	return f, true
}

// Compact folds the journal into the snapshot file: Save of what Load
// returns, which removes the journal. Without a journal it does nothing.
func (s *FileStore) Compact(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := os.Stat(s.JournalPath()); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	snap, _, err := s.load()
	if err != nil {
		return err
	}
	return s.Save(ctx, snap)
}

// dropJournal closes and removes the journal, and makes the removal
// durable.
func (s *FileStore) dropJournal() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.journal != nil {
		_ = s.journal.Close()
		s.journal = nil
	}
	err := os.Remove(s.JournalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	atomicfile.SyncDir(filepath.Dir(s.path))
	return nil
}
