package invitationstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
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
// "http://127.0.0.1:8080"): base URL, accepted credentials and demo ids.
func (f *Fake) APIs(root string) []APIInfo {
	base := BaseURLsAt(root)
	apis := []APIInfo{
		{Name: "GitGuardian", API: AllGitGuardian.API(), BaseURL: base.GitGuardian, Authorization: []string{"Token " + GitGuardianAPIKey}},
		{Name: "Box", API: AllBox.API(), BaseURL: base.Box, Authorization: []string{"Bearer " + BoxAccessToken}},
		{Name: "Freestyle", API: AllFreestyle.API(), BaseURL: base.Freestyle, Authorization: []string{"Bearer " + FreestyleAPIKey}},
		{Name: "BIMData", API: AllBIMData.API(), BaseURL: base.BIMData, Authorization: []string{"Bearer " + BIMDataAccessToken, "ApiKey " + BIMDataAPIKey}},
		{Name: "Portworx", API: AllPortworx.API(), BaseURL: base.Portworx, Authorization: []string{"Bearer " + PortworxAccessToken}},
	}
	if f.demo {
		apis[0].Demo = map[string]string{"person_email": DemoPersonEmail}
		apis[1].Demo = map[string]string{"group_id": BoxDemoGroupID, "user_id": BoxDemoUserID, "person_login": DemoPersonEmail}
		apis[2].Demo = map[string]string{
			"identity_id": FreestyleDemoIdentityID, "managed_identity_id": FreestyleDemoManagedIdentityID,
			"repo_id": FreestyleDemoRepoID, "vm_id": FreestyleDemoVMID,
		}
		apis[3].Demo = map[string]string{
			"invitation_id": strconv.Itoa(BIMDataDemoInvitationID), "cloud_invitation_id": strconv.Itoa(BIMDataDemoCloudInvitationID),
			"accepted_invitation_id": strconv.Itoa(BIMDataDemoAcceptedInvitationID), "denied_invitation_id": strconv.Itoa(BIMDataDemoDeniedInvitationID),
			"user_email": BIMDataDemoUserEmail, "person_email": DemoPersonEmail,
		}
		apis[4].Demo = map[string]string{
			"account_id": PortworxDemoAccountID, "tenant_id": PortworxDemoTenantID, "project_id": PortworxDemoProjectID,
			"invitation_uid": PortworxDemoInvitationUID, "person_email": DemoPersonEmail,
		}
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
			writeAdminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "invitationstest: "))
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
		f.mu.Lock()
		err := f.checkOperation(op)
		f.mu.Unlock()
		if err != nil {
			writeAdminError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "invitationstest: "))
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
