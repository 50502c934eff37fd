package invitationstest

// freestyleStore is the fake Freestyle state.
type freestyleStore struct{}

func (f *Fake) registerFreestyle() {
	f.fs = &freestyleStore{}
}
