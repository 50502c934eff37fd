//go:build windows

package access

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

// lockRange is the byte LockFileEx locks: far past the holder's record,
// which Windows would otherwise keep other processes from reading.
func lockRange() *syscall.Overlapped { return &syscall.Overlapped{OffsetHigh: 0x7fffffff} }

// lockFile takes LockFileEx's exclusive lock on f without waiting; ok is
// false when another handle holds it. Windows drops the lock when the
// holder's process ends.
func lockFile(f *os.File) (ok bool, err error) {
	r, _, e := procLockFileEx.Call(f.Fd(), lockfileExclusiveLock|lockfileFailImmediately, 0, 1, 0,
		uintptr(unsafe.Pointer(lockRange())))
	if r != 0 {
		return true, nil
	}
	if errors.Is(e, errorLockViolation) {
		return false, nil
	}
	return false, e
}

// unlockFile releases the lock lockFile took on f.
func unlockFile(f *os.File) error {
	r, _, e := procUnlockFileEx.Call(f.Fd(), 0, 1, 0, uintptr(unsafe.Pointer(lockRange())))
	if r == 0 {
		return e
	}
	return nil
}
