package cli

import (
	"os"
	"syscall"
)

// isTerminal reports whether f is a console: only a console has a mode.
func isTerminal(f *os.File) bool {
	var mode uint32
	return syscall.GetConsoleMode(syscall.Handle(f.Fd()), &mode) == nil
}
