package invitationstest

// bimDataStore is the fake BIMData state.
type bimDataStore struct{}

func (f *Fake) registerBIMData() {
	f.bim = &bimDataStore{}
}
