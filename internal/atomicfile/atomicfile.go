// Package atomicfile replaces a file so that it is the old one or the new
// one whatever happens: the data goes to a temporary file beside it,
// synced, then renamed over it, and the directory is synced. The access
// package's FileStore and the SCIM server's file store write with it.
package atomicfile

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Write replaces the file at path with data, with permissions mode. It
// gives up, leaving the old file as it was, when ctx ends before the
// rename.
func Write(ctx context.Context, path string, data []byte, mode fs.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// The last point at which giving up leaves the old file untouched.
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// RemoveTemps removes the temporary files Write left beside path when its
// process died before renaming. Only a writer that excludes every other
// (one holding a lock) may call it: another's write under way would lose
// its file. Failing to remove one fails nothing.
func RemoveTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix(base)) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// tempPrefix is the name of base's temporary files, up to their random
// part: hidden, and named after the file they replace.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// SyncDir makes a rename, a create or a removal in dir durable. Not
// every system can sync a directory (Windows cannot open one for it);
// there the change stands as the system keeps it.
func SyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
