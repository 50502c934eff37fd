package scim

import (
	"fmt"
	"reflect"
	"strings"

	elimity "github.com/elimity-com/scim"
	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	fp "github.com/scim2/filter-parser/v2"
)

// applyPatch applies ops in order to attrs: a resource's attributes by
// their schema names, an extension's in an object under its URN. The
// library has parsed and validated each operation; the changes are ours
// to make (RFC 7644 §3.5.2). It stops at the first operation that cannot
// apply, and the caller then stores nothing.
func (k *kind) applyPatch(attrs map[string]any, ops []elimity.PatchOperation) *scimError {
	for i, op := range ops {
		where := fmt.Sprintf("Operations[%d]", i)
		if op.Path != nil {
			t, ok := k.resolve(op.Path.AttributePath.URI(), op.Path.AttributePath.AttributeName)
			if !ok {
				return invalidPath("%s.path %q names no attribute", where, op.Path.String())
			}
			if e := k.applyOne(where, attrs, op.Op, *op.Path, t, op.Value); e != nil {
				return e
			}
			continue
		}
		values, ok := op.Value.(map[string]any)
		if !ok {
			return invalidValue("%s.value: without a path, want an object of attributes", where)
		}
		for _, key := range sortedKeys(values) {
			uri, inner := "", map[string]any{key: values[key]}
			if ext, ok := k.extension(key); ok {
				uri = ext.ID
				inner, _ = values[key].(map[string]any)
			}
			for _, name := range sortedKeys(inner) {
				p, err := fp.ParsePath([]byte(name))
				if err != nil {
					return invalidPath("%s.value: %q is not a SCIM attribute path", where, name)
				}
				u := p.AttributePath.URI()
				if u == "" {
					u = uri
				}
				t, ok := k.resolve(u, p.AttributePath.AttributeName)
				if !ok {
					return k.unknown(where+".value: ", name)
				}
				if e := k.applyOne(where, attrs, op.Op, p, t, inner[name]); e != nil {
					return e
				}
			}
		}
	}
	return nil
}

// applyOne applies one operation on one path.
func (k *kind) applyOne(where string, attrs map[string]any, op string, p fp.Path, t target, value any) *scimError {
	container := attrs
	if t.ext.ID != "" {
		c, _ := attrs[t.ext.ID].(map[string]any)
		if c == nil {
			c = map[string]any{}
			attrs[t.ext.ID] = c
		}
		container = c
		defer func() {
			if len(c) == 0 {
				delete(attrs, t.ext.ID)
			}
		}()
	}
	a := t.attr
	if a.Mutability() == "readOnly" {
		return mutability("%s: %s is read-only", where, a.Name())
	}
	name := a.Name()
	sub := p.AttributePath.SubAttributeName()
	if s := p.SubAttributeName(); s != "" {
		sub = s
	}
	if sub != "" {
		sa, ok := subAttribute(a, sub)
		if !ok {
			return invalidPath("%s: %s has no sub-attribute %q", where, name, sub)
		}
		sub = sa.Name()
	}
	defer func() {
		if isEmpty(container[name]) {
			delete(container, name)
		}
	}()

	switch {
	case p.ValueExpression != nil:
		return applyFiltered(where, container, a, p.ValueExpression, sub, op, value)
	case sub != "" && !a.MultiValued():
		m, _ := container[name].(map[string]any)
		if op == "remove" {
			delete(m, sub)
			return nil
		}
		if m == nil {
			m = map[string]any{}
			container[name] = m
		}
		m[sub] = value
	case sub != "":
		// A sub-attribute of every value, e.g. emails.type.
		list := asList(container[name])
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if op == "remove" {
					delete(m, sub)
				} else {
					m[sub] = value
				}
			}
		}
		if len(list) == 0 && op != "remove" {
			list = append(list, map[string]any{sub: value})
		}
		container[name] = list
		if sub == "primary" && value == true && len(list) > 1 {
			return invalidValue("%s: only one value of %s may be primary", where, name)
		}
	case a.MultiValued():
		list := asList(container[name])
		switch op {
		case "add":
			for _, v := range asList(value) {
				list = addValue(list, v)
			}
		case "replace":
			list = nil
			for _, v := range asList(value) {
				list = addValue(list, v)
			}
		case "remove":
			if value == nil {
				list = nil
			} else {
				for _, v := range asList(value) {
					list = removeValue(list, v)
				}
			}
		}
		container[name] = list
	case isComplex(a):
		if op == "remove" {
			delete(container, name)
			return nil
		}
		// Add and replace both set the sub-attributes given and leave the
		// others (RFC 7644 §3.5.2.1 and §3.5.2.3).
		m, _ := container[name].(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		vm, _ := value.(map[string]any)
		for k, v := range vm {
			m[k] = v
		}
		container[name] = m
	default:
		if op == "remove" {
			delete(container, name)
			return nil
		}
		container[name] = value
	}
	return nil
}

// applyFiltered applies an operation to the values of a multi-valued
// attribute that filter selects, e.g. members[value eq "2819c223"] or
// emails[type eq "work"].value. Add and replace set the sub-attribute
// the path names on each selected value or, without one, set on each the
// sub-attributes the value gives, keeping the others: replacing
// emails[type eq "work"] with {"value": "new@example.com"} keeps the
// value's type.
func applyFiltered(where string, container map[string]any, a schema.CoreAttribute, filter fp.Expression, sub, op string, value any) *scimError {
	name := a.Name()
	list := asList(container[name])
	matches, err := matchValues(a, filter, list)
	if err != nil {
		return invalidFilter("%s: the filter on %s: %v", where, name, err)
	}
	if op == "remove" {
		var kept []any
		for i, e := range list {
			switch {
			case !matches[i]:
				kept = append(kept, e)
			case sub != "":
				if m, ok := e.(map[string]any); ok {
					delete(m, sub)
				}
				kept = append(kept, e)
			}
		}
		container[name] = kept
		return nil
	}
	if l, ok := value.([]any); ok && sub == "" {
		if len(l) != 1 {
			return invalidValue("%s: a filtered path takes one value, not %d", where, len(l))
		}
		value = l[0]
	}
	set := func(e map[string]any) {
		if sub != "" {
			e[sub] = value
			return
		}
		vm, _ := value.(map[string]any)
		for k, v := range vm {
			e[k] = v
		}
	}
	var changed []int
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && matches[i] {
			set(m)
			changed = append(changed, i)
		}
	}
	if len(changed) == 0 {
		// Entra ID adds or replaces emails[type eq "work"].value on a user
		// who has no work email yet: a filter of equalities describes the
		// value to add. Any other filter has nothing to apply to.
		seed, ok := equalities(a, filter)
		if !ok {
			return noTarget("%s: no value of %s matches the filter", where, name)
		}
		set(seed)
		changed = append(changed, len(list))
		list = append(list, seed)
	}
	container[name] = list
	marked := value == true && sub == "primary"
	if vm, ok := value.(map[string]any); ok && sub == "" {
		marked = vm["primary"] == true
	}
	if !marked {
		return nil
	}
	// RFC 7643 §2.4 allows one primary value: the one just marked.
	if len(changed) > 1 {
		return invalidValue("%s: the filter selects %d values of %s to be primary; at most one may be", where, len(changed), name)
	}
	for i, e := range list {
		if m, ok := e.(map[string]any); ok && i != changed[0] {
			delete(m, "primary")
		}
	}
	return nil
}

// matchValues says which values of list the filter selects.
func matchValues(a schema.CoreAttribute, filter fp.Expression, list []any) (_ []bool, err error) {
	v := scimfilter.NewFilterValidator(filter, schema.Schema{Attributes: scimfilter.MultiValuedFilterAttributes(a)})
	if err := v.Validate(); err != nil {
		return nil, err
	}
	defer func() {
		// The library panics on a value of another type than the
		// attribute's; stored values were validated, so this is a guard.
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot compare: %v", r)
		}
	}()
	out := make([]bool, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !isComplex(a) {
			m, ok = map[string]any{"value": e}, true
		}
		out[i] = ok && v.PassesFilter(m) == nil
	}
	return out, nil
}

// equalities returns the value a filter of sub-attribute equalities
// joined by "and" describes, e.g. {"type": "work"} for type eq "work".
func equalities(a schema.CoreAttribute, filter fp.Expression) (map[string]any, bool) {
	switch f := filter.(type) {
	case *fp.AttributeExpression:
		if f.Operator != fp.EQ || f.AttributePath.SubAttribute != nil || f.AttributePath.URIPrefix != nil {
			return nil, false
		}
		sa, ok := subAttribute(a, f.AttributePath.AttributeName)
		if !ok {
			return nil, false
		}
		switch f.CompareValue.(type) {
		case string, bool:
			return map[string]any{sa.Name(): f.CompareValue}, true
		}
		return nil, false
	case *fp.LogicalExpression:
		if f.Operator != fp.AND {
			return nil, false
		}
		l, ok := equalities(a, f.Left)
		if !ok {
			return nil, false
		}
		r, ok := equalities(a, f.Right)
		if !ok {
			return nil, false
		}
		for k, v := range r {
			if w, dup := l[k]; dup && w != v {
				return nil, false
			}
			l[k] = v
		}
		return l, true
	}
	return nil, false
}

func asList(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

// sameValue says whether a and b are one value of a multi-valued
// attribute: of a complex one, the same "value" (a member's user id, an
// email address); otherwise equal.
func sameValue(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		av, aHas := am["value"]
		bv, bHas := bm["value"]
		if aHas && bHas {
			if as, ok := av.(string); ok {
				bs, ok := bv.(string)
				return ok && strings.EqualFold(as, bs)
			}
			return reflect.DeepEqual(av, bv)
		}
	}
	return reflect.DeepEqual(a, b)
}

// addValue adds v to list: a value already there is updated with v's
// sub-attributes rather than repeated, and a primary v makes the others
// not primary.
func addValue(list []any, v any) []any {
	vm, complexV := v.(map[string]any)
	if complexV && vm["primary"] == true {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				delete(m, "primary")
			}
		}
	}
	for _, e := range list {
		if sameValue(e, v) {
			if m, ok := e.(map[string]any); ok && complexV {
				for k, x := range vm {
					m[k] = x
				}
			}
			return list
		}
	}
	return append(list, v)
}

// removeValue removes the values of list that are v.
func removeValue(list []any, v any) []any {
	var kept []any
	for _, e := range list {
		if !sameValue(e, v) {
			kept = append(kept, e)
		}
	}
	return kept
}
