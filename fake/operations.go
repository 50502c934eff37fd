package fake

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
)

// Operation names one operation of the fake, as "<api>.<Method>": the
// name of an operation of the SDK's operation table (see
// invitations.Operation.Name), e.g. "box.GetUserMemberships". Fault.Operation, RequestCount and Request.Operation
// use it. Use the constants: a name the fake does not serve is an error
// (ErrUnknownOperation) where it is given, never a silent no-op.
//
// Besides the one-operation constants, an API name alone (AllBox, ...)
// selects all of that API's operations, and AnyOperation (the zero value)
// selects every request.
type Operation string

// AnyOperation selects every request the fake receives. The constants
// naming one operation (BoxCreateGroupMembership, ...) and one API (AllBox,
// ...) are generated from the SDK's operation table, in operations_gen.go.
const AnyOperation Operation = ""

//go:generate go run ./internal/genops

// ErrUnknownOperation is returned (wrapped) by Inject and RequestCount
// when an Operation names nothing the fake serves, e.g. a mistyped name.
var ErrUnknownOperation = errors.New("unknown operation")

// API returns the API part of op ("box" for BoxCreateGroupMembership, and
// for AllBox), or "" for AnyOperation.
func (op Operation) API() string {
	api, _, _ := strings.Cut(string(op), ".")
	return api
}

// Route is one operation the fake serves and the request that reaches it.
type Route struct {
	Operation Operation `json:"operation"`
	// Method and Path are the HTTP method and path pattern, including the
	// API prefix, e.g. "DELETE" and "/box/2.0/group_memberships/{id}".
	Method string `json:"method"`
	Path   string `json:"path"`
}

// Routes returns every operation the fake serves, sorted by operation.
func (f *Fake) Routes() []Route {
	f.mu.Lock()
	defer f.mu.Unlock()
	routes := slices.Clone(f.routes)
	slices.SortFunc(routes, func(a, b Route) int { return strings.Compare(string(a.Operation), string(b.Operation)) })
	return routes
}

// check returns an error wrapping ErrUnknownOperation unless op selects
// something the fake serves: an operation of the SDK's operation table,
// an API of it, or every request.
func (op Operation) check() error {
	if op == AnyOperation {
		return nil
	}
	if _, ok := invitations.LookupOperation(string(op)); ok {
		return nil
	}
	ops := invitations.Operations()
	var near []string
	for _, o := range ops {
		name := o.Name()
		if o.API.String() == string(op) {
			return nil
		}
		if o.API.String() == op.API() && strings.HasPrefix(strings.ToLower(name), strings.ToLower(string(op))) {
			near = append(near, name)
		}
	}
	if len(near) == 0 {
		for _, o := range ops {
			if strings.EqualFold(o.Name(), string(op)) {
				near = append(near, o.Name())
			}
		}
	}
	hint := ""
	if len(near) > 0 {
		slices.Sort(near)
		hint = fmt.Sprintf(" (did you mean %s?)", strings.Join(near, " or "))
	}
	return fmt.Errorf("fake: %w %q%s", ErrUnknownOperation, string(op), hint)
}
