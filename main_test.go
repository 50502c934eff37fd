package invitations

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any test leaves a goroutine behind: a pager
// abandoned mid-range, a retry wait, a connection.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
