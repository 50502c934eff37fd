//go:build windows

package scim

import (
	"os"
	"syscall"
	"unsafe"
)

var (
	kernel32         = syscall.NewLazyDLL("kernel32.dll")
	procLockFileEx   = kernel32.NewProc("LockFileEx")
	procUnlockFileEx = kernel32.NewProc("UnlockFileEx")
)

const lockfileExclusiveLock = 0x2

// lockRange is the byte LockFileEx locks: far past anything written to
// the lock file, which Windows would otherwise keep other processes from
// reading.
func lockRange() *syscall.Overlapped { return &syscall.Overlapped{OffsetHigh: 0x7fffffff} }

// lockExclusive takes LockFileEx's exclusive lock on f, waiting for it.
// Windows drops the lock when the holder's process ends.
func lockExclusive(f *os.File) error {
	r, _, e := procLockFileEx.Call(f.Fd(), lockfileExclusiveLock, 0, 1, 0, uintptr(unsafe.Pointer(lockRange())))
	if r == 0 {
		return e
	}
	return nil
}

// unlockExclusive releases the lock lockExclusive took on f.
func unlockExclusive(f *os.File) error {
	r, _, e := procUnlockFileEx.Call(f.Fd(), 0, 1, 0, uintptr(unsafe.Pointer(lockRange())))
	if r == 0 {
		return e
	}
	return nil
}
