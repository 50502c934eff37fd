//go:build windows

package filelock

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

var (
	kernel32         = syscall.NewLazyDLL("kernel32.dll")
	procLockFileEx   = kernel32.NewProc("LockFileEx")
	procUnlockFileEx = kernel32.NewProc("UnlockFileEx")
)

const (
	lockfileFailImmediately = 0x1
	lockfileExclusiveLock   = 0x2
	errorLockViolation      = syscall.Errno(33)
)

// lockRange is the byte LockFileEx locks: far past anything written to
// the lock file (a holder's record), which Windows would otherwise keep
// other processes from reading.
func lockRange() *syscall.Overlapped { return &syscall.Overlapped{OffsetHigh: 0x7fffffff} }

// lock takes LockFileEx's exclusive lock on f, waiting for it when wait.
func lock(f *os.File, wait bool) (ok bool, err error) {
	flags := uintptr(lockfileExclusiveLock)
	if !wait {
		flags |= lockfileFailImmediately
	}
	r, _, e := procLockFileEx.Call(f.Fd(), flags, 0, 1, 0, uintptr(unsafe.Pointer(lockRange())))
	if r != 0 {
		return true, nil
	}
	if !wait && errors.Is(e, errorLockViolation) {
		return false, nil
	}
	return false, e
}

func unlock(f *os.File) error {
	r, _, e := procUnlockFileEx.Call(f.Fd(), 0, 1, 0, uintptr(unsafe.Pointer(lockRange())))
	if r == 0 {
		return e
	}
	return nil
}
