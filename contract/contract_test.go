package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

// TestContract sends every operation of the SDK to the fake and checks each
// request on the wire, and each answer of the fake, against the vendor's
// published API document: the route, path and query parameters, headers,
// security scheme and body of the request, and the status, headers and body
// of the response, with kin-openapi's openapi3filter. Two checks are added
// to it, since JSON Schema and openapi3filter let both pass unseen: a query
// parameter the operation does not declare, and a request body field its
// schema does not declare (where the schema leaves additional properties
// unspecified). It fails on any violation, on any operation of the SDK's
// operation table (invitations.Operations) that no row of operations
// exercises, and on a row naming an operation the table does not have; it
// logs one summary line:
//
//	contract: 48/48 operations, 0 request violations, 0 response violations, 11 documented patches
//
// A call that fails, or whose requests do not match the fake's log, counts
// as a request violation.
func TestContract(t *testing.T) {
	ctx := context.Background()
	specs, patched := loadSpecs(t, ctx)
	registered := tableOperations(t)
	for _, oc := range operations {
		if !slices.Contains(registered, oc.op) {
			t.Errorf("operations lists %s, which the SDK's operation table does not have", oc.op)
		}
	}

	var found violations
	exercised := map[string]bool{}
	for _, oc := range operations {
		for _, ex := range run(ctx, oc) {
			if ex.op == "" {
				found.add(oc.op, "request", ex.problem)
				continue
			}
			exercised[ex.op] = true
			docs := specs[apiOf(ex.op)]
			if len(docs) == 0 {
				found.add(ex.op, "request", "no document for this API")
				continue
			}
			found.check(ctx, ex, docs, docOperationID(ex.op))
		}
	}

	var missing []string
	for _, op := range registered {
		if !exercised[op] {
			missing = append(missing, op)
		}
	}
	t.Logf("contract: %d/%d operations, %d request violations, %d response violations, %d documented patches",
		len(registered)-len(missing), len(registered), found.count("request"), found.count("response"), patched)
	for _, op := range missing {
		t.Errorf("%s: in the SDK's operation table but exercised by no row of operations (contract/operations_test.go)", op)
	}
	for _, v := range found {
		t.Errorf("%s: %s: %s", v.op, v.kind, v.message)
	}
}

// spec is one vendor document, ready to route requests.
type spec struct {
	file string
	doc  *openapi3.T
	// routers route the requests of each HTTP method over the paths that
	// have an operation for it (see methodRouters).
	routers map[string]routers.Router
	// server is the document's server URL without a trailing slash; the
	// fake's base URL for the API is replaced by it.
	server string
}

// loadSpecs loads the documents and returns them by API, in the order of
// documents, with the number of patches applied. Every patch must apply
// to at least one document.
func loadSpecs(t *testing.T, ctx context.Context) (map[string][]*spec, int) {
	t.Helper()
	specs := map[string][]*spec{}
	used := make([]bool, len(patches))
	for _, d := range documents {
		doc, applied, err := loadDocument(ctx, d)
		if err != nil {
			t.Fatalf("%s: %v", d.file, err)
		}
		for _, i := range applied {
			used[i] = true
		}
		byMethod, err := methodRouters(doc)
		if err != nil {
			t.Fatalf("%s: routes: %v", d.file, err)
		}
		// The Portworx gateway documents name no server: the base URL is
		// the deployment's. Any host then matches; the path decides.
		server := "https://portworx.invalid"
		if len(doc.Servers) > 0 {
			server = strings.TrimRight(doc.Servers[0].URL, "/")
		}
		specs[d.api] = append(specs[d.api], &spec{file: d.file, doc: doc, routers: byMethod, server: server})
	}
	for i, ok := range used {
		if !ok {
			t.Fatalf("patch %q applies to no document: it names an API or file without one", patches[i].reason)
		}
	}
	// Every operation of the SDK's table is in one of its API's documents.
	// The documents as a whole do not all pass kin-openapi's own
	// validation (invalid examples, a duplicate operationId, far from the
	// routes used here); the operations the SDK uses must.
	for _, o := range invitations.Operations() {
		var op *openapi3.Operation
		var in *spec
		for _, s := range specs[o.API.String()] {
			if op = operationByID(s.doc, o.DocOperationID); op != nil {
				in = s
				break
			}
		}
		if op == nil {
			t.Fatalf("no %s document has an operation %q (operation %s of the SDK's table)", o.API, o.DocOperationID, o.Name())
		}
		vopts := []openapi3.ValidationOption{openapi3.DisableExamplesValidation()}
		if in.doc.IsOpenAPI31OrLater() {
			vopts = append(vopts, openapi3.IsOpenAPI31OrLater())
		}
		if err := op.Validate(ctx, vopts...); err != nil {
			t.Fatalf("%s: operation %q is not valid OpenAPI: %v", in.file, o.DocOperationID, err)
		}
	}
	return specs, len(patches)
}

// methodRouters returns a router per HTTP method of doc, each over the
// paths that have an operation for that method. A gateway routes on the
// method and the path together; kin-openapi's router matches the path
// alone, in an order of its own, and answers "method not allowed" when
// the first path that matches has no operation for the method. Portworx's
// IAM document is such a case: PUT /core/v1/iam/{iam.meta.uid} matches
// every path that GET and DELETE /core/v1/iam/{actorId} and the :grant
// and :revoke verbs match, and comes first.
func methodRouters(doc *openapi3.T) (map[string]routers.Router, error) {
	byMethod := map[string]*openapi3.Paths{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			if byMethod[method] == nil {
				byMethod[method] = openapi3.NewPaths()
			}
			byMethod[method].Set(path, item)
		}
	}
	out := map[string]routers.Router{}
	for method, paths := range byMethod {
		view := *doc // the components, servers and security stay shared
		view.Paths = paths
		router, err := gorillamux.NewRouter(&view)
		if err != nil {
			return nil, fmt.Errorf("%s routes: %w", method, err)
		}
		out[method] = router
	}
	return out, nil
}

// operationByID returns the operation of doc with that operationId.
func operationByID(doc *openapi3.T, id string) *openapi3.Operation {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}

// exchange is one request as the SDK sent it and the fake's answer, paired
// with the operation the fake logged for it.
type exchange struct {
	op      string // from the fake's request log; "" when problem is set
	problem string

	method  string
	url     string // as sent, with the fake's base URL
	header  http.Header
	body    []byte
	status  int
	rheader http.Header
	rbody   []byte
}

// run drives oc against a fresh fake and returns every exchange it made.
func run(ctx context.Context, oc operationCase) []exchange {
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	rec := &recorder{next: http.DefaultTransport}
	client, err := srv.Client(invitations.WithHTTPClient(&http.Client{Transport: rec}), invitations.WithMaxRetries(0))
	if err != nil {
		return []exchange{{problem: "client: " + err.Error()}}
	}
	callErr := oc.call(ctx, client)

	log := srv.Requests()
	exs := rec.take()
	var out []exchange
	if callErr != nil {
		out = append(out, exchange{problem: "the call failed: " + callErr.Error()})
	}
	if len(log) != len(exs) {
		return append(out, exchange{problem: fmt.Sprintf("%d requests sent, %d logged by the fake", len(exs), len(log))})
	}
	base := srv.URL
	for i, ex := range exs {
		if ex.method != log[i].Method || strings.TrimPrefix(ex.url, base) != log[i].Path+query(log[i].RawQuery) {
			out = append(out, exchange{problem: fmt.Sprintf("request %d (%s) does not match the fake's log (%s %s)", i, ex.method, log[i].Method, log[i].Path)})
			continue
		}
		ex.op = string(log[i].Operation)
		ex.url = strings.Replace(ex.url, fakeBase(srv.APIs(srv.URL), apiOf(ex.op)), "{base}", 1)
		out = append(out, ex)
	}
	return out
}

func query(raw string) string {
	if raw == "" {
		return ""
	}
	return "?" + raw
}

// fakeBase is the fake's base URL for api, among the APIs it serves.
func fakeBase(apis []invitationstest.APIInfo, api string) string {
	for _, a := range apis {
		if a.API == api {
			return a.BaseURL
		}
	}
	return "\x00" // matches nothing
}

func apiOf(op string) string {
	api, _, _ := strings.Cut(op, ".")
	return api
}

// recorder is the transport of the http.Client given to the SDK: it keeps
// a copy of every request and response, bodies included.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		clone := req.Clone(req.Context())
		clone.Body = io.NopCloser(bytes.NewReader(b))
		req = clone
	}
	resp, err := r.next.RoundTrip(req)
	ex := exchange{method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: body}
	if err == nil {
		rb, readErr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(rb))
		if readErr != nil {
			err = readErr
		}
		ex.status, ex.rheader, ex.rbody = resp.StatusCode, resp.Header.Clone(), rb
	}
	r.mu.Lock()
	r.seen = append(r.seen, ex)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) take() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}

// violation is one way a request or response departs from its document.
type violation struct {
	op, kind, message string
}

type violations []violation

func (vs *violations) add(op, kind, message string, secrets ...string) {
	*vs = append(*vs, violation{op: op, kind: kind, message: redact(message, secrets)})
}

func (vs violations) count(kind string) int {
	n := 0
	for _, v := range vs {
		if v.kind == kind {
			n++
		}
	}
	return n
}

// check validates one exchange with kin-openapi against the first of its
// API's documents that has a route for it.
func (vs *violations) check(ctx context.Context, ex exchange, docs []*spec, wantDocOp string) {
	secrets := secretsOf(ex)
	add := func(kind, message string) { vs.add(ex.op, kind, message, secrets...) }
	var (
		req        *http.Request
		route      *routers.Route
		pathParams map[string]string
		notFound   []string
	)
	for _, s := range docs {
		target := strings.Replace(ex.url, "{base}", s.server, 1)
		r, err := http.NewRequestWithContext(ctx, ex.method, target, bytes.NewReader(ex.body))
		if err != nil {
			add("request", err.Error())
			return
		}
		r.Header = ex.header.Clone()
		if ex.body == nil {
			r.Body = http.NoBody
		}
		router := s.routers[ex.method]
		if router == nil {
			notFound = append(notFound, fmt.Sprintf("%s: no %s operation", s.file, ex.method))
			continue
		}
		if route, pathParams, err = router.FindRoute(r); err == nil {
			req = r
			break
		}
		notFound = append(notFound, fmt.Sprintf("%s: %s %s: %v", s.file, ex.method, r.URL.Path, err))
	}
	if req == nil {
		add("request", strings.Join(notFound, "; "))
		return
	}
	if route.Operation.OperationID != wantDocOp {
		add("request", fmt.Sprintf("%s %s is the document's %q, not %q", ex.method, req.URL.Path, route.Operation.OperationID, wantDocOp))
	}
	// openapi3filter ignores query parameters the operation does not
	// declare; a misspelt parameter would then pass unseen.
	for _, name := range undeclaredQuery(route, req.URL.Query()) {
		add("request", fmt.Sprintf("query parameter %q is not declared by %s", name, route.Operation.OperationID))
	}
	for _, field := range undeclaredBodyFields(route, ex.header.Get("Content-Type"), ex.body) {
		add("request", fmt.Sprintf("body field %s is not declared by %s", field, route.Operation.OperationID))
	}
	opts := &openapi3filter.Options{
		MultiError:                        true,
		AuthenticationFunc:                authenticate,
		RejectWhenRequestBodyNotSpecified: true,
		SkipSettingDefaults:               true,
		IncludeResponseStatus:             true,
		SchemaValidationOptions:           []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: route, Options: opts}
	for _, msg := range messages(openapi3filter.ValidateRequest(ctx, in)) {
		add("request", msg)
	}
	if ex.status == 0 {
		add("response", "no response")
		return
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: ex.status, Header: ex.rheader,
		Body: io.NopCloser(bytes.NewReader(ex.rbody)), Options: opts,
	}
	for _, msg := range messages(openapi3filter.ValidateResponse(ctx, rin)) {
		add("response", fmt.Sprintf("status %d: %s", ex.status, msg))
	}
}

// undeclaredQuery returns the query parameters sent that the route does not
// declare, sorted.
func undeclaredQuery(route *routers.Route, q url.Values) []string {
	declared := map[string]bool{}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	var out []string
	for name := range q {
		if !declared[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// undeclaredBodyFields returns the fields of a JSON request body that its
// schema does not declare, as JSON pointers, where the schema leaves
// additional properties unspecified. Like a misspelt query parameter, a
// misspelt optional field passes JSON Schema validation unseen; the server
// would ignore it. Objects whose schema allows additional properties
// explicitly, or chooses between alternatives (oneOf, anyOf), are not
// looked into.
func undeclaredBodyFields(route *routers.Route, contentType string, body []byte) []string {
	rb := route.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(body) == 0 {
		return nil
	}
	mt := rb.Value.Content.Get(contentType)
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil // the validator reports it
	}
	var out []string
	walkUndeclared(mt.Schema, v, "", &out)
	sort.Strings(out)
	return out
}

func walkUndeclared(ref *openapi3.SchemaRef, v any, at string, out *[]string) {
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.SchemaRef{}
		open := s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil
		for _, part := range append(openapi3.SchemaRefs{ref}, s.AllOf...) {
			if part.Value == nil {
				continue
			}
			if part.Value.AdditionalProperties.Has != nil || part.Value.AdditionalProperties.Schema != nil || len(part.Value.OneOf)+len(part.Value.AnyOf) > 0 {
				open = true
			}
			for name, p := range part.Value.Properties {
				props[name] = p
			}
		}
		for name, x := range v {
			p, ok := props[name]
			switch {
			case ok:
				walkUndeclared(p, x, at+"/"+name, out)
			case !open:
				*out = append(*out, at+"/"+name)
			}
		}
	case []any:
		for i, x := range v {
			walkUndeclared(s.Items, x, fmt.Sprintf("%s/%d", at, i), out)
		}
	}
}

// authenticate checks that a request carries a credential in the form its
// security scheme declares. The credential itself is never looked at (the
// fake checks it) nor quoted; scopes belong to the credential, not to the
// wire, and are not checked.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	h := in.RequestValidationInput.Request.Header
	switch s.Type {
	case "http":
		scheme, cred, _ := strings.Cut(h.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, s.Scheme) || cred == "" {
			return in.NewError(fmt.Errorf("Authorization header does not use the %q scheme of %q", s.Scheme, in.SecuritySchemeName))
		}
	case "oauth2", "openIdConnect":
		// RFC 6750: an OAuth 2 access token travels as a Bearer credential.
		scheme, cred, _ := strings.Cut(h.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || cred == "" {
			return in.NewError(fmt.Errorf("Authorization header is not a Bearer token for %q", in.SecuritySchemeName))
		}
	case "apiKey":
		var present bool
		switch s.In {
		case "header":
			present = h.Get(s.Name) != ""
		case "query":
			present = in.RequestValidationInput.Request.URL.Query().Has(s.Name)
		case "cookie":
			_, err := in.RequestValidationInput.Request.Cookie(s.Name)
			present = err == nil
		}
		if !present {
			return in.NewError(fmt.Errorf("no %s %q for %q", s.In, s.Name, in.SecuritySchemeName))
		}
	default:
		return in.NewError(fmt.Errorf("security scheme type %q is not handled by the contract test", s.Type))
	}
	return nil
}

// messages flattens a kin-openapi validation error into one line per
// finding.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	var multi openapi3.MultiError
	if errors.As(err, &multi) {
		var out []string
		for _, e := range multi {
			out = append(out, messages(e)...)
		}
		return out
	}
	var reqErr *openapi3filter.RequestError
	if errors.As(err, &reqErr) {
		where := ""
		switch {
		case reqErr.Parameter != nil:
			where = fmt.Sprintf("%s parameter %q", reqErr.Parameter.In, reqErr.Parameter.Name)
		case reqErr.RequestBody != nil:
			where = "request body"
		}
		inner := reqErr.Reason
		if reqErr.Err != nil {
			if m := messages(reqErr.Err); len(m) > 0 {
				inner = strings.TrimSpace(reqErr.Reason + ": " + strings.Join(m, "; "))
			}
		}
		if where == "" {
			return []string{inner}
		}
		return []string{where + ": " + inner}
	}
	var respErr *openapi3filter.ResponseError
	if errors.As(err, &respErr) {
		inner := respErr.Reason
		if respErr.Err != nil {
			inner = strings.TrimSpace(respErr.Reason + ": " + strings.Join(messages(respErr.Err), "; "))
		}
		return []string{inner}
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(err, &schemaErr) {
		path := "/" + strings.Join(schemaErr.JSONPointer(), "/")
		return []string{fmt.Sprintf("at %s: %s", path, schemaErr.Reason)}
	}
	var secErr *openapi3filter.SecurityRequirementsError
	if errors.As(err, &secErr) {
		var out []string
		for _, e := range secErr.Errors {
			out = append(out, messages(e)...)
		}
		return []string{"security: " + strings.Join(out, "; ")}
	}
	return []string{firstLine(err.Error())}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// redact removes credentials from a message, should a validator quote a
// header or a value (the JSON Schema 2020-12 validator used for OpenAPI 3.1
// documents puts values in its messages): the fake's credentials, and the
// ones an exchange carries (see secretsOf).
func redact(s string, more []string) string {
	for _, secret := range append([]string{
		invitationstest.GitGuardianAPIKey, invitationstest.BoxAccessToken, invitationstest.FreestyleAPIKey,
		invitationstest.BIMDataAccessToken, invitationstest.BIMDataAPIKey, invitationstest.PortworxAccessToken,
	}, more...) {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// secretsOf returns the credentials an exchange carries: the one in its
// Authorization header, and any "token" string in the response body (a
// created Freestyle access token).
func secretsOf(ex exchange) []string {
	var out []string
	if _, cred, ok := strings.Cut(ex.header.Get("Authorization"), " "); ok {
		out = append(out, cred)
	}
	var body map[string]any
	if json.Unmarshal(ex.rbody, &body) == nil {
		if token, ok := body["token"].(string); ok {
			out = append(out, token)
		}
	}
	return out
}
