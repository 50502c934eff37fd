package fake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// APIInfo describes one API the fake serves, for a banner or for a test in
// another language (GET /_fake/routes returns the same).
type APIInfo struct {
	// Name is the vendor's name, e.g. "GitGuardian"; API is the prefix of
	// its operation names, e.g. "gitguardian".
	Name string `json:"name"`
	API  string `json:"api"`
	// BaseURL is the API's base URL on the server root given to APIs.
	BaseURL string `json:"base_url"`
	// Authorization lists the Authorization header values the fake
	// accepts; anything else is the vendor's 401.
	Authorization []string `json:"authorization"`
	// Demo holds the ids of the demo data in this API, by name (empty
	// without WithDemoData).
	Demo map[string]string `json:"demo,omitempty"`
}

// APIs describes the five APIs as served at root (e.g.
// "http://127.0.0.1:8080"): base URL, accepted credentials and demo ids, in
// the SDK's vendor order.
func (f *Fake) APIs(root string) []APIInfo {
	root = strings.TrimRight(root, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	apis := make([]APIInfo, 0, len(f.vendors))
	for _, v := range f.vendors {
		info := APIInfo{Name: v.api.Name(), API: v.api.String(), BaseURL: root + v.prefix, Authorization: slices.Clone(v.authorization)}
		if f.demo {
			info.Demo = v.demo()
		}
		apis = append(apis, info)
	}
	return apis
}

// adminError is the admin API's error body.
type adminError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

// faultJSON is a Fault on the admin API: the same fields in snake_case,
// with the latency as a Go duration string ("250ms").
type faultJSON struct {
	Operation    Operation `json:"operation"`
	Times        int       `json:"times,omitempty"`
	Status       int       `json:"status,omitempty"`
	RetryAfter   string    `json:"retry_after,omitempty"`
	Body         string    `json:"body,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	EmptyBody    bool      `json:"empty_body,omitempty"`
	Latency      string    `json:"latency,omitempty"`
	Drop         bool      `json:"drop,omitempty"`
	ResetMidBody bool      `json:"reset_mid_body,omitempty"`
	Truncate     bool      `json:"truncate,omitempty"`
	Hang         bool      `json:"hang,omitempty"`
}

func (j faultJSON) fault() (Fault, error) {
	fault := Fault{
		Operation: j.Operation, Times: j.Times, Status: j.Status, RetryAfter: j.RetryAfter, Body: j.Body,
		ContentType: j.ContentType, EmptyBody: j.EmptyBody, Drop: j.Drop, ResetMidBody: j.ResetMidBody,
		Truncate: j.Truncate, Hang: j.Hang,
	}
	if j.Latency != "" {
		d, err := time.ParseDuration(j.Latency)
		if err != nil {
			return Fault{}, fmt.Errorf("latency: %w", err)
		}
		fault.Latency = d
	}
	return fault, nil
}

func faultToJSON(f Fault) faultJSON {
	j := faultJSON{
		Operation: f.Operation, Times: f.Times, Status: f.Status, RetryAfter: f.RetryAfter, Body: f.Body,
		ContentType: f.ContentType, EmptyBody: f.EmptyBody, Drop: f.Drop, ResetMidBody: f.ResetMidBody,
		Truncate: f.Truncate, Hang: f.Hang,
	}
	if f.Latency > 0 {
		j.Latency = f.Latency.String()
	}
	return j
}

// requestJSON is a logged Request on the admin API.
type requestJSON struct {
	Operation Operation   `json:"operation"`
	Method    string      `json:"method"`
	Path      string      `json:"path"`
	RawQuery  string      `json:"query,omitempty"`
	Header    http.Header `json:"header"`
	Body      string      `json:"body,omitempty"`
	Time      time.Time   `json:"time"`
}

// registerAdmin serves the admin API (see NewFake) under AdminPrefix.
func (f *Fake) registerAdmin() {
	mux := f.mux
	mux.HandleFunc("GET "+AdminPrefix+"/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+AdminPrefix+"/routes", func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"apis":       f.APIs(scheme + "://" + r.Host),
			"operations": f.Routes(),
			"demo_data":  f.demo,
		})
	})
	mux.HandleFunc("GET "+AdminPrefix+"/faults", func(w http.ResponseWriter, _ *http.Request) {
		faults := f.Faults()
		out := make([]faultJSON, 0, len(faults))
		for _, fault := range faults {
			out = append(out, faultToJSON(fault))
		}
		writeJSON(w, http.StatusOK, map[string]any{"faults": out})
	})
	mux.HandleFunc("POST "+AdminPrefix+"/faults", func(w http.ResponseWriter, r *http.Request) {
		var j faultJSON
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			writeAdminError(w, http.StatusBadRequest, "invalid fault: "+err.Error())
			return
		}
		if dec.More() {
			writeAdminError(w, http.StatusBadRequest, "invalid fault: one JSON object expected")
			return
		}
		fault, err := j.fault()
		if err == nil {
			err = f.Inject(fault)
		}
		if err != nil {
			writeAdminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "fake: "))
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"armed": j})
	})
	mux.HandleFunc("DELETE "+AdminPrefix+"/faults", func(w http.ResponseWriter, _ *http.Request) {
		f.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+AdminPrefix+"/requests", func(w http.ResponseWriter, r *http.Request) {
		op := Operation(r.URL.Query().Get("operation"))
		if err := op.check(); err != nil {
			writeAdminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "fake: "))
			return
		}
		out := []requestJSON{}
		for _, req := range f.Requests() {
			if op.selects(req.Operation) {
				out = append(out, requestJSON{
					Operation: req.Operation, Method: req.Method, Path: req.Path, RawQuery: req.RawQuery,
					Header: req.Header, Body: string(req.Body), Time: req.Time,
				})
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": len(out), "requests": out})
	})
	mux.HandleFunc("DELETE "+AdminPrefix+"/requests", func(w http.ResponseWriter, _ *http.Request) {
		f.ClearRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST "+AdminPrefix+"/reset", func(w http.ResponseWriter, _ *http.Request) {
		f.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
}

func writeAdminError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, adminError{Error: statusCode(status), Message: message})
}
