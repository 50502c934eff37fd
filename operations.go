package invitations

import (
	"slices"
	"strings"
)

// Operation is one REST operation the SDK wraps: which service method
// calls it, the HTTP request it makes and how it is retried. Each
// vendor's service file writes its operations once, in a table the
// methods build their requests from, so a method cannot call another
// route than its row says. Operations lists them; a fake server, a
// contract test or a coverage report can iterate them instead of keeping
// their own list.
type Operation struct {
	// API is the vendor API the operation belongs to.
	API API
	// Service is the Client field whose method calls it, e.g.
	// "Memberships".
	Service string
	// Method is the service method, e.g. "GetUserMemberships".
	Method string
	// HTTPMethod is the request method, e.g. "GET".
	HTTPMethod string
	// Path is the vendor document's path template, relative to the API's
	// base URL, e.g. "/users/{user_id}/memberships".
	Path string
	// Retry says whether the call is repeated after a failure whose effect
	// on the server is unknown. A method may make a call Unsafe depending
	// on its options (GitGuardian's UpdateMember when it asks for an
	// email); Retry is the class without them.
	Retry RetryClass
	// Success lists the only statuses the method takes as success; nil
	// means any 2xx.
	Success []int
	// DocOperationID is the operationId of the route in the vendor's API
	// document.
	DocOperationID string

	// format is Path without its leading "/" and with "{}" for each
	// parameter, as the request builder fills them.
	format string
}

// Name returns the operation's name, the lower-case API key, a dot and
// the method, e.g. "box.GetUserMemberships".
func (o Operation) Name() string { return string(o.API) + "." + o.Method }

// Operations returns every operation the SDK wraps, in vendor order
// (GitGuardian, Box, Freestyle, BIMData, Portworx), then in the order of
// the vendor's service files. The slice is the caller's to keep.
func Operations() []Operation {
	var out []Operation
	for _, v := range vendors {
		for _, o := range v.operations {
			out = append(out, o.export())
		}
	}
	return out
}

// LookupOperation returns the operation named name (see Operation.Name);
// false when the SDK wraps none by that name.
func LookupOperation(name string) (Operation, bool) {
	api, method, ok := strings.Cut(name, ".")
	if !ok {
		return Operation{}, false
	}
	if v := API(api).vendor(); v != nil {
		for _, o := range v.operations {
			if o.Method == method {
				return o.export(), true
			}
		}
	}
	return Operation{}, false
}

// export copies o for a caller, who may then change it freely.
func (o *Operation) export() Operation {
	cp := *o
	cp.Success = slices.Clone(o.Success)
	return cp
}

// operationTable readies rows, one service file's operations, for the
// request builder: each row's Path becomes a format with "{}" for every
// "{name}". It runs once, when the package is initialized.
func operationTable(rows ...*Operation) []*Operation {
	for _, o := range rows {
		o.format = placeholders(strings.TrimPrefix(o.Path, "/"))
	}
	return rows
}

// placeholders replaces each "{name}" of a path template with "{}".
func placeholders(path string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(path, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(path[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(path[:open])
		b.WriteString("{}")
		path = path[open+end+1:]
	}
	b.WriteString(path)
	return b.String()
}

// request starts the request of operation o; its path's "{}" are filled
// by withParams.
func (o *Operation) request() *request {
	return &request{api: o.API, method: o.HTTPMethod, path: o.format, class: o.Retry, okStatus: o.Success}
}
