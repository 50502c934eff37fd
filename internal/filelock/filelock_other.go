//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos || windows)

package filelock

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// lock fails: this system has no file lock in the standard library that
// its kernel releases when the holder dies (the PostgreSQL stores lock in
// the database instead).
func lock(*os.File, bool) (bool, error) {
	return false, fmt.Errorf("file locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func unlock(*os.File) error { return nil }
