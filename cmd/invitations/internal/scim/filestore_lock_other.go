//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos || windows)

package scim

import (
	"errors"
	"fmt"
	"os"
	"runtime"
)

// lockExclusive fails: this system has no file lock in the standard
// library that its kernel releases when the holder dies (the PostgreSQL
// store orders its writers in the database instead).
func lockExclusive(*os.File) error {
	return fmt.Errorf("file locks on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}

func unlockExclusive(*os.File) error { return nil }
