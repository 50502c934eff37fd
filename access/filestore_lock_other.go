//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos || windows)

package access

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// lockFile fails: this system has no file lock in the standard library
// that its kernel releases when the holder dies (pgstate.Store locks on
// the database instead).
func lockFile(*os.File) (bool, error) {
	return false, fmt.Errorf("file locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func unlockFile(*os.File) error { return nil }
