//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos

package scim

import (
	"errors"
	"os"
	"syscall"
)

// lockExclusive takes flock's exclusive lock on f, waiting for it. flock
// locks belong to the open file, so two opens in one process exclude each
// other too, and the kernel drops the lock when the holder's process ends.
func lockExclusive(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX)
			if !errors.Is(ferr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return err
	}
	return ferr
}

// unlockExclusive releases the lock lockExclusive took on f.
func unlockExclusive(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = syscall.Flock(int(fd), syscall.LOCK_UN) }); err != nil {
		return err
	}
	return ferr
}
