package fake

import "strings"

// BIMDataUserExists reports whether the fake's BIMData has a user with
// email (case-insensitive). BIMData's API has no user lookup, only
// DeleteUser; this lets a test or a dry run see what a DeleteUser would
// find. With WithDemoData, DemoPersonEmail and BIMDataDemoUserEmail are
// users.
func (f *Fake) BIMDataUserExists(email string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bim.users[strings.ToLower(email)]
}
