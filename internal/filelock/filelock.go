// Package filelock takes an operating system's exclusive lock on an open
// file: one the kernel drops when the holder's process ends, so that a
// crash never leaves a file locked. The access package's FileStore and
// the SCIM server's file store lock with it.
package filelock

import "os"

// TryLock takes the exclusive lock on f without waiting; ok is false when
// another open file holds it. The lock belongs to the open file, so two
// opens in one process exclude each other as two processes do.
func TryLock(f *os.File) (ok bool, err error) { return lock(f, false) }

// Lock takes the exclusive lock on f, waiting for it.
func Lock(f *os.File) error {
	_, err := lock(f, true)
	return err
}

// Unlock releases the lock TryLock or Lock took on f.
func Unlock(f *os.File) error { return unlock(f) }
