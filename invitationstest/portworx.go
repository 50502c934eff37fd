package invitationstest

// portworxStore is the fake Portworx state.
type portworxStore struct{}

func (f *Fake) registerPortworx() {
	f.px = &portworxStore{}
}
