package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
)

// maxAttempts bounds the read-change-write rounds of one request when
// other writes to the same resource keep coming first.
const maxAttempts = 10

// resources serves one resource type for the library: it turns the
// library's validated requests into Store reads and writes.
type resources struct {
	h *handler
	k *kind
}

var _ elimity.ResourceHandler = resources{}

// fail turns err into what the library answers: a SCIM error as it is,
// anything else a 500 whose cause goes to the request's log line only.
func (rs resources) fail(r *http.Request, err error) error {
	var se scimError
	if errors.As(err, &se) {
		return se
	}
	noteFrom(r.Context()).err = err
	return internalError
}

func uniqueness(k *kind) scimError {
	return scimError{Status: http.StatusConflict, ScimType: scimerrors.ScimTypeUniqueness,
		Detail: fmt.Sprintf("another %s has this %s", k.typ, k.uniqueName())}
}

func (k *kind) uniqueName() string {
	if k.typ == TypeUser {
		return "userName"
	}
	return ""
}

// Create stores a new resource under a new id.
func (rs resources) Create(r *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	ctx := r.Context()
	out, unique, err := rs.prepare(ctx, attrs, nil)
	if err != nil {
		return elimity.Resource{}, rs.fail(r, err)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return elimity.Resource{}, rs.fail(r, err)
	}
	for range maxAttempts {
		stored, err := rs.h.store.Put(ctx, Resource{Type: rs.k.typ, ID: newID(), Unique: unique, Attributes: data}, 0)
		switch {
		case errors.Is(err, ErrVersion):
			continue // the id is taken: draw another
		case errors.Is(err, ErrUnique):
			return elimity.Resource{}, uniqueness(rs.k)
		case err != nil:
			return elimity.Resource{}, rs.fail(r, err)
		}
		rs.changed(r, out)
		return rs.response(stored, out), nil
	}
	return elimity.Resource{}, rs.fail(r, errors.New("no free id in ten random draws"))
}

// Get returns the live resource id.
func (rs resources) Get(r *http.Request, id string) (elimity.Resource, error) {
	cur, err := rs.h.store.Get(r.Context(), rs.k.typ, id)
	if errors.Is(err, ErrNotFound) {
		return elimity.Resource{}, *notFound(rs.k.typ, id)
	}
	if err != nil {
		return elimity.Resource{}, rs.fail(r, err)
	}
	attrs, err := decodeAttributes(cur.Attributes)
	if err != nil {
		return elimity.Resource{}, rs.fail(r, err)
	}
	return rs.response(cur, project(rs.k, r, attrs)), nil
}

// GetAll lists the live resources that pass the filter, in creation
// order, the page params asks for.
func (rs resources) GetAll(r *http.Request, params elimity.ListRequestParams) (elimity.Page, error) {
	var f *listFilter
	if params.FilterValidator != nil {
		var e *scimError
		if f, e = rs.k.newListFilter(params.FilterValidator.GetFilter()); e != nil {
			return elimity.Page{}, *e
		}
	}
	all, err := rs.h.store.List(r.Context(), rs.k.typ, false)
	if err != nil {
		return elimity.Page{}, rs.fail(r, err)
	}
	page := elimity.Page{Resources: []elimity.Resource{}}
	for _, res := range all {
		attrs, err := decodeAttributes(res.Attributes)
		if err != nil {
			return elimity.Page{}, rs.fail(r, err)
		}
		if f != nil {
			ok, err := f.passes(rs.filterView(res, attrs))
			if err != nil {
				return elimity.Page{}, *invalidFilter("filter: %v", err)
			}
			if !ok {
				continue
			}
		}
		page.TotalResults++
		if page.TotalResults >= params.StartIndex && len(page.Resources) < params.Count {
			page.Resources = append(page.Resources, rs.response(res, project(rs.k, r, attrs)))
		}
	}
	return page, nil
}

// filterView is a resource as a filter sees it: its attributes with id,
// schemas and meta as responses give them.
func (rs resources) filterView(res Resource, attrs map[string]any) map[string]any {
	view := make(map[string]any, len(attrs)+3)
	for k, v := range attrs {
		view[k] = v
	}
	schemas := []any{rs.k.schema.ID}
	for _, e := range rs.k.extensions {
		schemas = append(schemas, e.ID)
	}
	view["id"], view["schemas"] = res.ID, schemas
	view["meta"] = map[string]any{
		"resourceType": rs.k.typ,
		"created":      res.Created.Format(time.RFC3339),
		"lastModified": res.Modified.Format(time.RFC3339),
		"version":      etag(res.Version),
		"location":     basePath + rs.k.endpoint + "/" + res.ID,
	}
	return view
}

// Replace replaces the resource's attributes with attrs (PUT).
func (rs resources) Replace(r *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	return rs.update(r, id, func(map[string]any) (map[string]any, error) {
		return copyMap(attrs), nil
	})
}

// Patch applies the operations to the resource.
func (rs resources) Patch(r *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	return rs.update(r, id, func(cur map[string]any) (map[string]any, error) {
		if e := rs.k.applyPatch(cur, ops); e != nil {
			return nil, *e
		}
		for _, a := range rs.k.schema.Attributes {
			if a.Required() && isEmpty(cur[a.Name()]) {
				return nil, *invalidValue("%s is required: the operations remove it", a.Name())
			}
		}
		out, e := rs.k.validate(cur)
		if e != nil {
			return nil, *e
		}
		return out, nil
	})
}

// update is a PUT's or PATCH's read, change and write of resource id,
// read again and changed again when another write comes first, unless
// the request's If-Match names the version it read.
func (rs resources) update(r *http.Request, id string, change func(cur map[string]any) (map[string]any, error)) (elimity.Resource, error) {
	ctx := r.Context()
	match := parseIfMatch(r.Header.Values("If-Match"))
	for range maxAttempts {
		cur, err := rs.h.store.Get(ctx, rs.k.typ, id)
		if errors.Is(err, ErrNotFound) {
			return elimity.Resource{}, *notFound(rs.k.typ, id)
		}
		if err != nil {
			return elimity.Resource{}, rs.fail(r, err)
		}
		if !match.allows(cur.Version) {
			return elimity.Resource{}, preconditionFailed(cur.Version)
		}
		prev, err := decodeAttributes(cur.Attributes)
		if err != nil {
			return elimity.Resource{}, rs.fail(r, err)
		}
		work, _ := decodeAttributes(cur.Attributes)
		next, err := change(work)
		if err != nil {
			return elimity.Resource{}, rs.fail(r, err)
		}
		out, unique, err := rs.prepare(ctx, next, prev)
		if err != nil {
			return elimity.Resource{}, rs.fail(r, err)
		}
		data, err := json.Marshal(out)
		if err != nil {
			return elimity.Resource{}, rs.fail(r, err)
		}
		if was, err := json.Marshal(prev); err == nil && bytes.Equal(was, data) && unique == cur.Unique {
			// Nothing changes: no write, no new version.
			rs.note(r, out)
			return rs.response(cur, out), nil
		}
		stored, err := rs.h.store.Put(ctx, Resource{Type: rs.k.typ, ID: id, Unique: unique, Attributes: data}, cur.Version)
		switch {
		case errors.Is(err, ErrVersion):
			if match.set {
				return elimity.Resource{}, preconditionFailed(0)
			}
			continue
		case errors.Is(err, ErrNotFound):
			return elimity.Resource{}, *notFound(rs.k.typ, id)
		case errors.Is(err, ErrUnique):
			return elimity.Resource{}, uniqueness(rs.k)
		case err != nil:
			return elimity.Resource{}, rs.fail(r, err)
		}
		rs.changed(r, out)
		return rs.response(stored, out), nil
	}
	return elimity.Resource{}, scimError{Status: http.StatusConflict,
		Detail: fmt.Sprintf("the resource changed %d times while this request applied: send it again", maxAttempts)}
}

// Delete marks the resource deleted: gone for SCIM, kept in the store so
// that a deleted user's person is offboarded.
func (rs resources) Delete(r *http.Request, id string) error {
	ctx := r.Context()
	cur, err := rs.h.store.Get(ctx, rs.k.typ, id)
	if errors.Is(err, ErrNotFound) {
		return *notFound(rs.k.typ, id)
	}
	if err != nil {
		return rs.fail(r, err)
	}
	// The store deletes without a version, so a write between this read
	// and the delete is not caught: If-Match is checked against the
	// version read here.
	if !parseIfMatch(r.Header.Values("If-Match")).allows(cur.Version) {
		return preconditionFailed(cur.Version)
	}
	if attrs, err := decodeAttributes(cur.Attributes); err == nil {
		rs.note(r, attrs)
	}
	err = rs.h.store.Delete(ctx, rs.k.typ, id)
	if errors.Is(err, ErrNotFound) {
		return *notFound(rs.k.typ, id)
	}
	if err != nil {
		return rs.fail(r, err)
	}
	rs.h.cfg.onChange()
	return nil
}

// note records, for the request's log line, the userName of the user a
// write is about: the one attribute the log may show.
func (rs resources) note(r *http.Request, attrs map[string]any) {
	if rs.k.typ == TypeUser {
		if un, ok := attrs["userName"].(string); ok {
			noteFrom(r.Context()).userName = un
		}
	}
}

func (rs resources) changed(r *http.Request, attrs map[string]any) {
	rs.note(r, attrs)
	rs.h.cfg.onChange()
}

// response is what the library writes of a stored resource.
func (rs resources) response(res Resource, attrs map[string]any) elimity.Resource {
	created, modified := res.Created, res.Modified
	return elimity.Resource{
		ID:         res.ID,
		Attributes: attrs,
		Meta:       elimity.Meta{Created: &created, LastModified: &modified, Version: etag(res.Version)},
	}
}

func etag(version int64) string { return fmt.Sprintf(`W/"%d"`, version) }

func preconditionFailed(version int64) scimError {
	detail := "the resource changed since the version If-Match names"
	if version > 0 {
		detail = fmt.Sprintf("If-Match does not name the resource's version, %s", etag(version))
	}
	return scimError{Status: http.StatusPreconditionFailed, Detail: detail}
}

// ifMatch is a request's If-Match header (RFC 7232 §3.1): the versions
// it allows. Weak and strong tags both name a version, as SCIM's
// examples send them either way.
type ifMatch struct {
	set, any bool
	versions []int64
}

func parseIfMatch(values []string) ifMatch {
	var m ifMatch
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "" {
				continue
			}
			m.set = true
			if tag == "*" {
				m.any = true
				continue
			}
			tag = strings.Trim(strings.TrimPrefix(tag, "W/"), `"`)
			if n, err := strconv.ParseInt(tag, 10, 64); err == nil {
				m.versions = append(m.versions, n)
			}
		}
	}
	return m
}

func (m ifMatch) allows(version int64) bool {
	if !m.set || m.any {
		return true
	}
	for _, v := range m.versions {
		if v == version {
			return true
		}
	}
	return false
}

// decodeAttributes decodes stored attributes as the library decodes a
// body, numbers kept as written.
func decodeAttributes(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("stored attributes: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// prepare turns validated attributes into what is stored: without empty
// values or the write-only password (the server needs no password and
// keeps none), with the kind's own rules checked. prev is what is
// stored now (nil for a new resource). It returns the unique name too.
func (rs resources) prepare(ctx context.Context, attrs, prev map[string]any) (map[string]any, string, error) {
	out := map[string]any{}
	for key, v := range attrs {
		if a, ok := rs.k.withCommon.Attributes.ContainsAttribute(key); ok &&
			(a.Mutability() == "writeOnly" || a.Returned() == "never") {
			continue
		}
		if v = clean(v); !isEmpty(v) {
			out[key] = v
		}
	}
	if e := rs.k.onePrimary(out); e != nil {
		return nil, "", *e
	}
	switch rs.k.typ {
	case TypeUser:
		un, _ := out["userName"].(string)
		if strings.TrimSpace(un) == "" {
			return nil, "", *invalidValue("userName is required: it is missing or empty")
		}
		return out, strings.ToLower(un), nil
	case TypeGroup:
		if dn, _ := out["displayName"].(string); strings.TrimSpace(dn) == "" {
			return nil, "", *invalidValue("displayName is required: it is missing or empty")
		}
		if err := rs.checkMembers(ctx, out, prev); err != nil {
			return nil, "", err
		}
	}
	return out, "", nil
}

// onePrimary refuses a resource with two primary values of one
// attribute (RFC 7643 §2.4).
func (k *kind) onePrimary(attrs map[string]any) *scimError {
	for _, key := range sortedKeys(attrs) {
		n := 0
		for _, e := range asList(attrs[key]) {
			if m, ok := e.(map[string]any); ok && m["primary"] == true {
				n++
			}
		}
		if n > 1 {
			return invalidValue("%s: %d values are primary; at most one may be", key, n)
		}
	}
	return nil
}

// checkMembers keeps a group's members to users: each with a user id,
// once, and each not already a member naming a live user.
func (rs resources) checkMembers(ctx context.Context, out, prev map[string]any) error {
	had := map[string]bool{}
	for _, m := range asList(prev["members"]) {
		if mm, ok := m.(map[string]any); ok {
			if id, ok := mm["value"].(string); ok {
				had[id] = true
			}
		}
	}
	seen := map[string]bool{}
	var kept []any
	var added []string
	for i, m := range asList(out["members"]) {
		mm, _ := m.(map[string]any)
		id, _ := mm["value"].(string)
		if id == "" {
			return *invalidValue("members[%d].value is required: the member's user id", i)
		}
		if t, ok := mm["type"].(string); ok && !strings.EqualFold(t, TypeUser) {
			return *invalidValue("members[%d].type is %q: only users can be members", i, t)
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		kept = append(kept, m)
		if !had[id] {
			added = append(added, id)
		}
	}
	if kept == nil {
		delete(out, "members")
	} else {
		out["members"] = kept
	}
	if len(added) == 0 {
		return nil
	}
	users, err := rs.h.store.List(ctx, TypeUser, false)
	if err != nil {
		return err
	}
	live := make(map[string]bool, len(users))
	for _, u := range users {
		live[u.ID] = true
	}
	for _, id := range added {
		if !live[id] {
			return *invalidValue("members: no User has id %q", id)
		}
	}
	return nil
}

// clean drops null and empty values inside v, and returns v.
func clean(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x = clean(x); isEmpty(x) {
				delete(v, k)
			} else {
				v[k] = x
			}
		}
		return v
	case []any:
		var out []any
		for _, x := range v {
			if x = clean(x); !isEmpty(x) {
				out = append(out, x)
			}
		}
		return out
	}
	return v
}

// validate checks attributes after a PATCH as the library checks a PUT's
// body, and returns them as the library returns those: by schema names,
// sanitised.
func (k *kind) validate(attrs map[string]any) (map[string]any, *scimError) {
	m := copyMap(attrs)
	m["schemas"] = []any{k.schema.ID}
	for _, e := range k.extensions {
		delete(m, e.ID)
	}
	out, se := k.withCommon.Validate(m)
	if se != nil {
		return nil, se
	}
	for _, e := range k.extensions {
		v, ok := attrs[e.ID]
		if !ok || v == nil {
			continue
		}
		ea, se := e.ValidateExtension(v)
		if se != nil {
			return nil, se
		}
		out[e.ID] = ea
	}
	return out, nil
}
