//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly || illumos

package access

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes flock's exclusive lock on f without waiting; ok is false
// when another open file holds it. flock locks belong to the open file, so
// two opens in one process exclude each other, and the kernel drops the
// lock when the holder's process ends.
func lockFile(f *os.File) (ok bool, err error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return false, err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if !errors.Is(ferr, syscall.EINTR) {
				return
			}
		}
	}); err != nil {
		return false, err
	}
	if errors.Is(ferr, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return ferr == nil, ferr
}

// unlockFile releases the lock lockFile took on f.
func unlockFile(f *os.File) error {
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
