package fake

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
)

// stores are the vendors the fake serves, by API. Each function builds the
// vendor's store on f, seeded as f's options say, and returns how the fake
// serves it. The router (routeVendors) routes every operation of the SDK's
// operation table to the handler its vendor keeps under the operation's
// method name; nothing else in the fake lists operations.
var stores = map[invitations.API]func(*Fake) *vendor{
	invitations.GitGuardian: (*Fake).newGitGuardian,
	invitations.Box:         (*Fake).newBox,
	invitations.Freestyle:   (*Fake).newFreestyle,
	invitations.BIMData:     (*Fake).newBIMData,
	invitations.Portworx:    (*Fake).newPortworx,
}

// vendor is how the fake serves one API: where, with which credentials,
// in which error shape, and the handler of each of its operations.
type vendor struct {
	api    invitations.API
	prefix string // path prefix under the server root, e.g. BoxPrefix
	// authorization lists the Authorization header values accepted;
	// anything else is a 401.
	authorization []string
	// challenge is the WWW-Authenticate header of a 401, "" for none.
	challenge string
	// errorBody renders the vendor's error body for status and message.
	errorBody func(status int, code, message string) any
	// throttled is the message of a 429 for a quota (WithQuota) that has a
	// token again in retryAfter seconds; nil for the generic one.
	throttled func(retryAfter int) string
	// handlers are the operations' handlers, by the SDK method name
	// (invitations.Operation.Method), e.g. "GetUserMemberships".
	handlers map[string]handler
	// demo returns the ids of the demo data, by name, for APIs.
	demo func() map[string]string
	// gateway, when set, fronts the vendor's routes with a gateway of its
	// own: the operations are routed on mux, a mux of the vendor's own
	// (see verbRouter), and gateway returns the handler of the whole
	// prefix given that routing (next). paths are the path patterns the
	// operations take on mux, so that the gateway can answer the requests
	// none of them takes in its own way.
	gateway func(next http.Handler, mux *http.ServeMux, paths []string) http.Handler
}

// handler is one operation's logic: it reads the request and writes the
// answer, with the Fake's lock held (the store is consistent within a call).
type handler func(w http.ResponseWriter, r *http.Request, body []byte)

// routeVendors builds every vendor's store and routes the operation table
// to their handlers, in the SDK's vendor order. A table operation without
// a handler answers 501; it, a handler the table does not route to and a
// vendor without a store are recorded in f.problems, which the fake's
// tests require to be empty. The caller holds f.mu.
func (f *Fake) routeVendors() {
	ops := invitations.Operations()
	for _, info := range invitations.Vendors() {
		newStore, ok := stores[info.API]
		if !ok {
			f.problems = append(f.problems, fmt.Sprintf("%s: no store in the fake", info.API))
			continue
		}
		v := newStore(f)
		f.vendors = append(f.vendors, v)
		f.route(v, ops)
	}
}

// route registers v's operations of the table ops.
func (f *Fake) route(v *vendor, ops []invitations.Operation) {
	var mine []invitations.Operation
	own := v.gateway != nil // a mux of the vendor's own, mounted at its prefix
	for _, op := range ops {
		if op.API == v.api {
			mine = append(mine, op)
			_, _, verb := cutVerb(op.Path)
			own = own || verb != ""
		}
	}
	plain := f.mux
	if own {
		plain = http.NewServeMux()
	}
	verbs := map[string]*http.ServeMux{}
	var paths []string
	for _, op := range mine {
		h, ok := v.handlers[op.Method]
		if !ok {
			f.problems = append(f.problems, fmt.Sprintf("%s (%s %s): no handler in the fake's %s store", op.Name(), op.HTTPMethod, op.Path, v.api))
			h = notImplemented(v, op)
		}
		path, _, verb := cutVerb(op.Path)
		mux := plain
		if verb != "" {
			if verbs[verb] == nil {
				verbs[verb] = http.NewServeMux()
			}
			mux = verbs[verb]
		} else if !slices.Contains(paths, path) {
			paths = append(paths, path)
		}
		f.handle(mux, v, op, h)
	}
	for _, method := range slices.Sorted(maps.Keys(v.handlers)) {
		if !slices.ContainsFunc(mine, func(op invitations.Operation) bool { return op.Method == method }) {
			f.problems = append(f.problems, fmt.Sprintf("%s.%s: a handler of the fake's %s store that no operation of the table routes to", v.api, method, v.api))
		}
	}
	if !own {
		return
	}
	var next http.Handler = &verbRouter{f: f, plain: plain, verbs: verbs}
	if v.gateway != nil {
		next = v.gateway(next, plain, paths)
	}
	f.mux.Handle(v.prefix+"/", next)
}

// handle registers op on mux under the operation name op.Name(), wrapping
// h with the request log, latency, faults, quota and auth. Every
// operation registered here is one the fake knows: Inject and
// RequestCount accept its name, and GET /_fake/routes lists it.
func (f *Fake) handle(mux *http.ServeMux, v *vendor, op invitations.Operation, h handler) {
	name := Operation(op.Name())
	f.routes = append(f.routes, Route{Operation: name, Method: op.HTTPMethod, Path: v.prefix + op.Path})
	path, wildcard, verb := cutVerb(op.Path)
	mux.HandleFunc(op.HTTPMethod+" "+v.prefix+path, func(w http.ResponseWriter, r *http.Request) {
		if verb != "" {
			// verbRouter sent the request here for its verb, which the
			// pattern's wildcard took in: it is not part of the value.
			r.SetPathValue(wildcard, strings.TrimSuffix(r.PathValue(wildcard), ":"+verb))
		}
		body := readBody(r)
		fault := f.record(name, r, body)
		if f.latency > 0 {
			sleep(r, f.latency)
		}
		if fault != nil && fault.apply(w, r, v) {
			return
		}
		if f.overQuota(w, v) {
			return
		}
		if !slices.Contains(v.authorization, r.Header.Get("Authorization")) {
			if v.challenge != "" {
				w.Header().Set("WWW-Authenticate", v.challenge)
			}
			writeJSON(w, http.StatusUnauthorized, v.errorBody(http.StatusUnauthorized, "unauthorized", "Invalid credentials."))
			return
		}
		if fault != nil && fault.Truncate {
			w = &truncatingWriter{ResponseWriter: w}
			defer w.(*truncatingWriter).flush()
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		h(w, r, body)
	})
}

// notImplemented answers an operation of the table that the fake's store
// has no handler for: 501 in the vendor's error shape.
func notImplemented(v *vendor, op invitations.Operation) handler {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		writeJSON(w, http.StatusNotImplemented, v.errorBody(http.StatusNotImplemented, statusCode(http.StatusNotImplemented),
			"the fake does not implement "+op.Name()))
	}
}

// cutVerb splits a custom verb (as in Google's API design: "/invite/{uid}:notify")
// off a path template whose last segment is a wildcard followed by one: it
// returns the path without it, the wildcard's name and the verb
// ("/invite/{uid}", "uid", "notify"). Any other path comes back whole, with
// no verb; a literal segment with a colon ("/invite:accept") is such a
// path. A ServeMux wildcard is a whole segment, so verbRouter routes the
// verb.
func cutVerb(path string) (pattern, wildcard, verb string) {
	i := strings.LastIndex(path, "}:")
	if i < 0 || strings.Contains(path[i:], "/") {
		return path, "", ""
	}
	open := strings.LastIndexByte(path[:i], '{')
	if open < 0 {
		return path, "", ""
	}
	return path[:i+1], path[open+1 : i], path[i+2:]
}

// verbRouter routes the requests of a vendor whose operations include
// custom verbs: a request whose last path segment ends in one
// ("/invite/x:notify") goes to that verb's mux when it has a route for it,
// any other request to plain. Like Google's API gateways, it splits the
// verb off at the last colon of the escaped path, so that an escaped colon
// ("x%3Anotify") stays in the wildcard's value; nothing before the colon
// is no verb.
type verbRouter struct {
	f     *Fake
	plain *http.ServeMux
	verbs map[string]*http.ServeMux
}

func (vr *verbRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	seg := path[strings.LastIndexByte(path, '/')+1:]
	if i := strings.LastIndexByte(seg, ':'); i > 0 {
		if mux := vr.verbs[seg[i+1:]]; mux != nil {
			if _, pattern := mux.Handler(r); pattern != "" {
				mux.ServeHTTP(w, r)
				return
			}
		}
	}
	if _, pattern := vr.plain.Handler(r); pattern == "" {
		vr.f.routingError(w, r, vr.plain)
		return
	}
	vr.plain.ServeHTTP(w, r)
}
