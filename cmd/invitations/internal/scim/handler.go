// Package scim is the SCIM 2.0 service provider (RFC 7643, RFC 7644)
// that identity providers such as Okta and Entra ID push users and
// groups to: an http.Handler serving /scim/v2, the Store it keeps the
// resources in (in memory, in a file, or in PostgreSQL through package
// pgstore), and typed reads of what the store holds for the reconciler.
//
// Routing, the discovery endpoints, schema validation, filter parsing and
// PATCH operation parsing come from github.com/elimity-com/scim. This
// package adds, around it, the bearer token, the body size limit, the
// Content-Type check, request logging, and a check of bodies against the
// schemas that names the attribute it refuses; and, behind it, the
// store, the application of PATCH operations, filtering and pagination
// of lists, and ETags with If-Match.
package scim

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	elimity "github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
)

// basePath is where the handler serves SCIM.
const basePath = "/scim/v2"

// maxResults is the most resources one list response holds, whatever
// count asks for.
const maxResults = 100

type handler struct {
	cfg      config
	store    Store
	kinds    []*kind
	lib      http.Handler
	tokenSum [sha256.Size]byte
}

// NewHandler returns the SCIM service provider on store, serving
// everything under /scim/v2: ServiceProviderConfig, Schemas,
// ResourceTypes, Users (the core User schema with the enterprise
// extension) and Groups. WithToken is required.
func NewHandler(store Store, opts ...Option) (http.Handler, error) {
	if store == nil {
		return nil, errors.New("scim: NewHandler: the store is nil")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	h := &handler{cfg: cfg, store: store, tokenSum: sha256.Sum256([]byte(cfg.token))}
	users, groups := userKind(), groupKind()
	h.kinds = []*kind{users, groups}
	var types []elimity.ResourceType
	for _, k := range h.kinds {
		rt := elimity.ResourceType{
			ID:          optional.NewString(k.typ),
			Name:        k.typ,
			Description: optional.NewString(k.typ),
			Endpoint:    k.endpoint,
			Schema:      k.schema,
			Handler:     resources{h: h, k: k},
		}
		for _, e := range k.extensions {
			rt.SchemaExtensions = append(rt.SchemaExtensions, elimity.SchemaExtension{Schema: e})
		}
		types = append(types, rt)
	}
	lib, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{
			MaxResults:       maxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: types,
	}, elimity.WithBaseURL(basePath), elimity.WithLogger(libraryLogger{h}))
	if err != nil {
		return nil, fmt.Errorf("scim: %w", err)
	}
	h.lib = lib
	return h, nil
}

// kindOf returns the resource type whose endpoint path is, or is under,
// and whether path is one resource (/Users/{id}) rather than the
// endpoint itself.
func (h *handler) kindOf(path string) (k *kind, one bool) {
	for _, k := range h.kinds {
		if path == k.endpoint {
			return k, false
		}
		if id, ok := strings.CutPrefix(path, k.endpoint+"/"); ok && id != "" && id != ".search" {
			return k, true
		}
	}
	return nil, false
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec, r, done := h.begin(w, r)
	defer done()
	rest, ok := strings.CutPrefix(r.URL.Path, basePath)
	if !ok || (rest != "" && rest[0] != '/') {
		writeError(rec, &scimError{Status: http.StatusNotFound, Detail: "no such endpoint: SCIM is served under " + basePath})
		return
	}
	if e := h.authorize(rec, r); e != nil {
		writeError(rec, e)
		return
	}
	k, one := h.kindOf(rest)
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		body, e := h.readBody(rec, r)
		if e == nil {
			if k != nil && one == (r.Method != http.MethodPost) {
				body, e = k.rewriteBody(r.Method, body)
			}
		}
		if e != nil {
			writeError(rec, e)
			return
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	if rest == "/ServiceProviderConfig" && r.Method == http.MethodGet {
		h.serviceProviderConfig(rec)
		return
	}
	inner := r.Clone(r.Context())
	inner.URL.Path = rest
	if inner.URL.RawPath != "" {
		inner.URL.RawPath = strings.TrimPrefix(inner.URL.RawPath, basePath)
	}
	if k != nil && !one && r.Method == http.MethodGet {
		serveList(rec, inner, h.lib)
		return
	}
	h.lib.ServeHTTP(rec, inner)
}

// serveList serves a list request through lib and corrects its
// response's itemsPerPage, which the library sets to the count asked
// for: RFC 7644 §3.4.2 has it count the resources the page returns.
func serveList(w http.ResponseWriter, r *http.Request, lib http.Handler) {
	buf := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	lib.ServeHTTP(buf, r)
	body := buf.body.Bytes()
	if buf.status == http.StatusOK {
		var list map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&list) == nil {
			resources, _ := list["Resources"].([]any)
			list["itemsPerPage"] = len(resources)
			if fixed, err := json.Marshal(list); err == nil {
				body = fixed
			}
		}
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}

// bufferedResponse holds a response until it is corrected.
type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}

// authorize checks the bearer token (RFC 6750), comparing digests in
// constant time so that neither the token nor its length leaks through
// timing.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request) *scimError {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		return &scimError{Status: http.StatusUnauthorized, Detail: "a bearer token is required: Authorization: Bearer <token>"}
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim", error="invalid_token"`)
		return &scimError{Status: http.StatusUnauthorized, Detail: "the bearer token is not the one this server was given"}
	}
	return nil
}

// readBody checks the Content-Type and reads the body, up to the limit.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *scimError) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/scim+json" && mt != "application/json") {
		got := "none"
		if ct != "" {
			got = fmt.Sprintf("%q", mt)
		}
		return nil, &scimError{Status: http.StatusUnsupportedMediaType,
			Detail: "Content-Type is " + got + ": want application/scim+json or application/json"}
	}
	tooLarge := &scimError{Status: http.StatusRequestEntityTooLarge,
		Detail: fmt.Sprintf("the body is over %d bytes, the most this server reads", h.cfg.maxBody)}
	if r.ContentLength > h.cfg.maxBody {
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, invalidSyntax("reading the body: %v", err)
	}
	return body, nil
}

// serviceProviderConfig answers in the library's stead: it always says
// ETags are not supported, and this server supports them.
func (h *handler) serviceProviderConfig(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/scim+json")
	_, _ = fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],`+
		`"patch":{"supported":true},`+
		`"bulk":{"supported":false,"maxOperations":0,"maxPayloadSize":0},`+
		`"filter":{"supported":true,"maxResults":%d},`+
		`"changePassword":{"supported":false},`+
		`"sort":{"supported":false},`+
		`"etag":{"supported":true},`+
		`"authenticationSchemes":[{"type":"oauthbearertoken","name":"OAuth Bearer Token",`+
		`"description":"The bearer token the server was started with, in the Authorization header.",`+
		`"specUri":"https://www.rfc-editor.org/info/rfc6750","primary":true}],`+
		`"meta":{"resourceType":"ServiceProviderConfig","location":"%s/ServiceProviderConfig"}}`,
		maxResults, basePath)
}
