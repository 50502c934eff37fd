package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/elimity-com/scim/schema"
	fp "github.com/scim2/filter-parser/v2"
)

// patchOpURN is the schema of a PATCH request's body.
const patchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// rewriteBody checks a POST or PUT body (a resource) or a PATCH body
// (operations) against k's schemas before the library sees it, and
// returns the body the library gets. It refuses, with an error naming
// the attribute, what the library would let through or refuse without
// saying why: an attribute that no schema of k declares (the library
// ignores those, so a misspelt one would be lost without a word), a
// value of the wrong type, a missing required attribute, an unknown
// PATCH path. It also rewrites what identity providers send that SCIM
// does not allow but means clearly: Entra ID's booleans as the strings
// "True" and "False", its capitalised "Replace", "Add" and "Remove", and
// its reference to a manager as a bare id string.
func (k *kind) rewriteBody(method string, body []byte) ([]byte, *scimError) {
	obj, e := decodeObject(body)
	if e != nil {
		return nil, e
	}
	var out map[string]any
	if method == http.MethodPatch {
		out, e = k.checkPatch(obj)
	} else {
		out, e = k.checkResource(obj)
	}
	if e != nil {
		return nil, e
	}
	data, err := json.Marshal(out)
	if err != nil {
		return nil, invalidSyntax("the body cannot be encoded again: %v", err)
	}
	return data, nil
}

// decodeObject decodes a body that must be one JSON object, keeping
// numbers as they were written.
func decodeObject(body []byte) (map[string]any, *scimError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, invalidSyntax("the body is empty: want a JSON object")
		}
		return nil, invalidSyntax("the body is not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidSyntax("the body has more after its JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSyntax("the body is %s: want a JSON object", jsonKind(v))
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// sortedKeys gives a body's keys in one order, so that of two errors the
// same one is reported every time.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// duplicates finds two keys of m that SCIM takes for one attribute
// (attribute names are case-insensitive).
func duplicates(where string, m map[string]any) *scimError {
	seen := map[string]string{}
	for _, key := range sortedKeys(m) {
		l := strings.ToLower(key)
		if first, ok := seen[l]; ok {
			return invalidSyntax("%s%q and %q are one attribute: attribute names are case-insensitive", where, first, key)
		}
		seen[l] = key
	}
	return nil
}

// checkResource checks a resource body for POST or PUT.
func (k *kind) checkResource(obj map[string]any) (map[string]any, *scimError) {
	if e := duplicates("", obj); e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		switch {
		case strings.EqualFold(key, "schemas"):
			list, e := k.checkSchemas(v)
			if e != nil {
				return nil, e
			}
			out["schemas"] = list
		case strings.EqualFold(key, "id"), strings.EqualFold(key, "meta"):
			// The server's to write: RFC 7643 §3.1 has clients' values
			// ignored.
		default:
			if ext, ok := k.extension(key); ok {
				nv, e := checkExtension(ext, key, v)
				if e != nil {
					return nil, e
				}
				if nv != nil {
					out[ext.ID] = nv
				}
				continue
			}
			a, ok := k.withCommon.Attributes.ContainsAttribute(key)
			if !ok {
				return nil, k.unknown("", key)
			}
			nv, e := checkValue(a.Name(), a, v)
			if e != nil {
				return nil, e
			}
			out[a.Name()] = nv
		}
	}
	if _, ok := out["schemas"]; !ok {
		return nil, invalidSyntax("schemas is missing: want a list with %q", k.schema.ID)
	}
	for _, a := range k.schema.Attributes {
		if a.Required() && a.Mutability() != "readOnly" && isEmpty(out[a.Name()]) {
			return nil, invalidValue("%s is required: it is missing or empty", a.Name())
		}
	}
	return out, nil
}

func (k *kind) unknown(where, name string) *scimError {
	return invalidSyntax("%sunknown attribute %q: the %s schema and its extensions have no such attribute", where, name, k.typ)
}

// checkSchemas checks a resource's schemas: a list of URNs with k's core
// schema among them. Other URNs are let through (Entra ID lists one of
// its own on groups); an extension's attributes are checked by their
// own key.
func (k *kind) checkSchemas(v any) ([]any, *scimError) {
	list, ok := v.([]any)
	if !ok {
		return nil, invalidSyntax("schemas is %s: want a list of URNs", jsonKind(v))
	}
	found := false
	out := make([]any, len(list))
	for i, s := range list {
		urn, ok := s.(string)
		if !ok {
			return nil, invalidSyntax("schemas[%d] is %s: want a URN", i, jsonKind(s))
		}
		// The library compares URNs exactly; SCIM compares them without
		// regard to case.
		if strings.EqualFold(urn, k.schema.ID) {
			urn, found = k.schema.ID, true
		}
		out[i] = urn
	}
	if !found {
		return nil, invalidSyntax("schemas does not list %q", k.schema.ID)
	}
	return out, nil
}

// checkExtension checks the object of an extension's attributes.
func checkExtension(ext schema.Schema, key string, v any) (any, *scimError) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSyntax("%s is %s: want an object of its attributes", key, jsonKind(v))
	}
	if e := duplicates(key+": ", obj); e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, name := range sortedKeys(obj) {
		a, ok := ext.Attributes.ContainsAttribute(name)
		if !ok {
			return nil, invalidSyntax("unknown attribute %q in %s: that extension has no such attribute", name, ext.ID)
		}
		nv, e := checkValue(ext.ID+":"+a.Name(), a, obj[name])
		if e != nil {
			return nil, e
		}
		out[a.Name()] = nv
	}
	return out, nil
}

// checkValue checks v as the value of attribute a (named path in
// errors), all of it when a is multi-valued.
func checkValue(path string, a schema.CoreAttribute, v any) (any, *scimError) {
	if v == nil {
		return nil, nil
	}
	if !a.MultiValued() {
		return checkSingle(path, a, v)
	}
	list, ok := v.([]any)
	if !ok {
		return nil, invalidValue("%s is %s: want an array", path, jsonKind(v))
	}
	out := make([]any, len(list))
	for i, e := range list {
		nv, err := checkSingle(fmt.Sprintf("%s[%d]", path, i), a, e)
		if err != nil {
			return nil, err
		}
		out[i] = nv
	}
	return out, nil
}

// checkSingle checks v as one value of attribute a.
func checkSingle(path string, a schema.CoreAttribute, v any) (any, *scimError) {
	switch a.AttributeType() {
	case "complex":
		if s, ok := v.(string); ok && !a.MultiValued() {
			// Entra ID sends a manager as its id alone.
			if sub, ok := subAttribute(a, "value"); ok {
				return map[string]any{sub.Name(): s}, nil
			}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, invalidValue("%s is %s: want an object", path, jsonKind(v))
		}
		if e := duplicates(path+": ", obj); e != nil {
			return nil, e
		}
		out := map[string]any{}
		for _, name := range sortedKeys(obj) {
			sub, ok := subAttribute(a, name)
			if !ok {
				return nil, invalidSyntax("unknown attribute %q in %s: it has no such sub-attribute", name, path)
			}
			nv, e := checkValue(path+"."+sub.Name(), sub, obj[name])
			if e != nil {
				return nil, e
			}
			out[sub.Name()] = nv
		}
		return out, nil
	case "boolean":
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			// Entra ID sends booleans as "True" and "False".
			switch strings.ToLower(b) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, invalidValue("%s is %s: want true or false", path, jsonKind(v))
	case "integer", "decimal":
		if _, ok := v.(json.Number); !ok {
			return nil, invalidValue("%s is %s: want a number", path, jsonKind(v))
		}
		return v, nil
	default: // string, reference, dateTime, binary
		if _, ok := v.(string); !ok {
			return nil, invalidValue("%s is %s: want a string", path, jsonKind(v))
		}
		return v, nil
	}
}

// checkPatch checks a PATCH body: its schemas, and each operation's op,
// path and value.
func (k *kind) checkPatch(obj map[string]any) (map[string]any, *scimError) {
	var schemas, ops any
	for _, key := range sortedKeys(obj) {
		switch {
		case strings.EqualFold(key, "schemas"):
			schemas = obj[key]
		case strings.EqualFold(key, "Operations"):
			ops = obj[key]
		default:
			return nil, invalidSyntax("unknown member %q: a PATCH body has schemas and Operations", key)
		}
	}
	if list, ok := schemas.([]any); !ok || len(list) != 1 || list[0] != patchOpURN {
		return nil, invalidValue("schemas must be [%q]", patchOpURN)
	}
	list, ok := ops.([]any)
	if !ok || len(list) == 0 {
		return nil, invalidValue("Operations must be an array of at least one operation")
	}
	out := make([]any, len(list))
	for i, op := range list {
		nop, e := k.checkOperation(fmt.Sprintf("Operations[%d]", i), op)
		if e != nil {
			return nil, e
		}
		out[i] = nop
	}
	return map[string]any{"schemas": []any{patchOpURN}, "Operations": out}, nil
}

func (k *kind) checkOperation(where string, v any) (map[string]any, *scimError) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, invalidSyntax("%s is %s: want an object", where, jsonKind(v))
	}
	var op, path string
	var value any
	for _, key := range sortedKeys(obj) {
		switch strings.ToLower(key) {
		case "op":
			s, ok := obj[key].(string)
			if !ok {
				return nil, invalidValue("%s.op is %s: want add, remove or replace", where, jsonKind(obj[key]))
			}
			op = strings.ToLower(s)
		case "path":
			s, ok := obj[key].(string)
			if !ok && obj[key] != nil {
				return nil, invalidPath("%s.path is %s: want a string", where, jsonKind(obj[key]))
			}
			path = s
		case "value":
			value = obj[key]
		default:
			return nil, invalidSyntax("%s: unknown member %q: an operation has op, path and value", where, key)
		}
	}
	switch op {
	case "add", "remove", "replace":
	default:
		return nil, invalidValue("%s.op %q is not add, remove or replace", where, op)
	}
	out := map[string]any{"op": op}
	if path == "" {
		if op == "remove" {
			return nil, noTarget("%s: remove needs a path", where)
		}
		obj, ok := value.(map[string]any)
		if !ok {
			return nil, invalidValue("%s.value is %s: without a path, want an object of attributes", where, jsonKind(value))
		}
		nv, e := k.checkPathless(where+".value", obj)
		if e != nil {
			return nil, e
		}
		out["value"] = nv
		return out, nil
	}
	out["path"] = path
	p, e := k.checkPath(where+".path", path)
	if e != nil {
		return nil, e
	}
	if value == nil {
		if op != "remove" {
			return nil, invalidValue("%s: %s needs a value", where, op)
		}
		return out, nil
	}
	if op == "remove" && !p.attr.MultiValued() && p.sub == "" {
		// Removing a single-valued attribute takes no value; Entra ID
		// sends the manager it removes.
		return out, nil
	}
	nv, e := p.checkValue(where+".value", value)
	if e != nil {
		return nil, e
	}
	out["value"] = nv
	return out, nil
}

// checkPathless checks the value of an add or replace without a path:
// attributes by name, an extension's in an object under its URN.
func (k *kind) checkPathless(where string, obj map[string]any) (map[string]any, *scimError) {
	if e := duplicates(where+": ", obj); e != nil {
		return nil, e
	}
	out := map[string]any{}
	for _, key := range sortedKeys(obj) {
		v := obj[key]
		switch {
		case strings.EqualFold(key, "id"), strings.EqualFold(key, "schemas"), strings.EqualFold(key, "meta"):
			// Okta sends the id with the attributes it replaces; none of
			// the three is the client's to change.
			continue
		}
		if ext, ok := k.extension(key); ok {
			nv, e := checkExtension(ext, key, v)
			if e != nil {
				return nil, e
			}
			out[ext.ID] = nv
			continue
		}
		p, e := k.checkPath(where, key)
		if e != nil {
			return nil, e
		}
		nv, e := p.checkValue(where+"."+key, v)
		if e != nil {
			return nil, e
		}
		out[key] = nv
	}
	return out, nil
}

// patchTarget is what a PATCH path names.
type patchTarget struct {
	attr   schema.CoreAttribute
	filter bool
	sub    string
	subA   schema.CoreAttribute
}

// checkPath parses and resolves a PATCH path (RFC 7644 §3.5.2).
func (k *kind) checkPath(where, path string) (patchTarget, *scimError) {
	p, err := fp.ParsePath([]byte(path))
	if err != nil {
		return patchTarget{}, invalidPath("%s %q is not a SCIM attribute path", where, path)
	}
	t, ok := k.resolve(p.AttributePath.URI(), p.AttributePath.AttributeName)
	if !ok {
		return patchTarget{}, invalidPath("%s %q: the %s schema and its extensions have no attribute %q",
			where, path, k.typ, p.AttributePath.AttributeName)
	}
	pt := patchTarget{attr: t.attr, filter: p.ValueExpression != nil}
	if t.attr.Mutability() == "readOnly" {
		return patchTarget{}, mutability("%s %q: %s is read-only", where, path, t.attr.Name())
	}
	sub := p.AttributePath.SubAttributeName()
	if s := p.SubAttributeName(); s != "" {
		sub = s
	}
	if pt.filter && !t.attr.MultiValued() {
		return patchTarget{}, invalidPath("%s %q: a [filter] selects values of a multi-valued attribute; %s has one value",
			where, path, t.attr.Name())
	}
	if sub != "" {
		sa, ok := subAttribute(t.attr, sub)
		if !ok {
			return patchTarget{}, invalidPath("%s %q: %s has no sub-attribute %q", where, path, t.attr.Name(), sub)
		}
		pt.sub, pt.subA = sa.Name(), sa
	}
	return pt, nil
}

// checkValue checks a PATCH value for the target: one sub-attribute's
// value, the value(s) a filter selects, or the attribute's value, one or
// more values for a multi-valued one.
func (p patchTarget) checkValue(where string, v any) (any, *scimError) {
	switch {
	case p.sub != "":
		return checkValue(where, p.subA, v)
	case p.attr.MultiValued():
		if list, ok := v.([]any); ok {
			return checkValue(where, p.attr, list)
		}
		return checkSingle(where, p.attr, v)
	default:
		return checkValue(where, p.attr, v)
	}
}

// isEmpty says whether v is no value: absent, null, "" or an empty
// array or object.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}
