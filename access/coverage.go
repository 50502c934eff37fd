package access

import (
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
)

// Coverage says, per vendor, what a run read: everything relevant, part of
// it (with what was left out), or nothing (with why). A run never reports
// less than it read without saying so: an offboarding that could not read
// a vendor must not pass for a complete one.
type Coverage struct {
	// Vendors lists the vendors in the run's scope, in Vendors() order.
	Vendors []VendorCoverage `json:"vendors"`
}

// VendorCoverage is one vendor's part of a Coverage.
type VendorCoverage struct {
	Vendor invitations.API `json:"vendor"`
	// Read reports that the vendor was read at all.
	Read bool `json:"read"`
	// NotRead says why it was not, when it was not ("FREESTYLE_API_KEY not
	// set", "no tenant to read").
	NotRead string `json:"not_read,omitempty"`
	// Partial lists what a read left out ("12 identities belong to nobody
	// the state knows"); empty for a complete read.
	Partial []string `json:"partial,omitempty"`
}

// Complete reports whether every vendor in scope was read in full.
func (c Coverage) Complete() bool {
	for _, v := range c.Vendors {
		if !v.Read || len(v.Partial) > 0 {
			return false
		}
	}
	return true
}

// Of returns vendor's part, and whether the coverage has one.
func (c Coverage) Of(vendor invitations.API) (VendorCoverage, bool) {
	i := slices.IndexFunc(c.Vendors, func(v VendorCoverage) bool { return v.Vendor == vendor })
	if i < 0 {
		return VendorCoverage{}, false
	}
	return c.Vendors[i], true
}

// String is the coverage on one line, as the command prints it:
// "Read: gitguardian, box. Not read: freestyle (FREESTYLE_API_KEY not set).
// Partly read: portworx (tenant t1 cannot be listed)."
func (c Coverage) String() string {
	var read, notRead, partly []string
	for _, v := range c.Vendors {
		switch {
		case !v.Read:
			notRead = append(notRead, string(v.Vendor)+" ("+v.NotRead+")")
		case len(v.Partial) > 0:
			partly = append(partly, string(v.Vendor)+" ("+strings.Join(v.Partial, "; ")+")")
		default:
			read = append(read, string(v.Vendor))
		}
	}
	var parts []string
	if len(read) > 0 {
		parts = append(parts, "Read: "+strings.Join(read, ", ")+".")
	}
	if len(partly) > 0 {
		parts = append(parts, "Partly read: "+strings.Join(partly, ", ")+".")
	}
	if len(notRead) > 0 {
		parts = append(parts, "Not read: "+strings.Join(notRead, ", ")+".")
	}
	return strings.Join(parts, " ")
}

// WithNotRead puts vendor in the Manager's scope as a vendor that cannot
// be read, for reason (the command gives "FREESTYLE_API_KEY not set"):
// nothing is read or written there, and every Coverage says so. It takes
// the vendor out of WithVendors' list if it is in it.
func WithNotRead(vendor invitations.API, reason string) Option {
	return func(m *Manager) error {
		if m.notRead == nil {
			m.notRead = map[invitations.API]string{}
		}
		m.notRead[vendor] = reason
		return nil
	}
}

// Coverage returns what an Audit reads, as far as it is known before
// reading: the vendors in scope, those that cannot be read, and why.
// What a read finds partial (Freestyle identities nobody the state knows)
// an audit yields as records (with an empty Email) rather than here.
func (m *Manager) Coverage() Coverage {
	views := make(map[invitations.API]*View, len(m.vendors))
	for _, v := range m.vendors {
		views[v] = &View{}
		if n, ok := m.conns[v].(NotReadable); ok {
			views[v].NotRead = n.NotReadable()
		}
	}
	return m.coverageOf(views, Targets{})
}
