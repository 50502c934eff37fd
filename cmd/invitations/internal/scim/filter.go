package scim

import (
	"fmt"

	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	fp "github.com/scim2/filter-parser/v2"
)

// listFilter is a list request's filter, ready to test resources.
type listFilter struct {
	v scimfilter.Validator
}

// filterSchema is k's schema with all the common attributes (id, meta,
// externalId, schemas), which a filter may name as the library's own
// validation allows.
func (k *kind) filterSchema() schema.Schema {
	s := k.schema
	s.Attributes = append(append(schema.Attributes{}, s.Attributes...), schema.CommonAttributes()...)
	return s
}

// newListFilter prepares the filter the library parsed and validated.
// The library tests a comparison of a complex attribute (members eq "id")
// by panicking, and never matches a sub-attribute of a multi-valued one
// (emails.value eq "x"), so the expression is first rewritten into the
// form RFC 7644 §3.4.2.2 gives both: members[value eq "id"] and
// emails[value eq "x"]. Anything naming no attribute, comparing an
// attribute to a value of another type, or comparing a complex
// attribute without a "value" is refused, naming it.
func (k *kind) newListFilter(expr fp.Expression) (*listFilter, *scimError) {
	s := k.filterSchema()
	rewritten, err := k.rewriteFilter(s, expr)
	if err != nil {
		return nil, invalidFilter("filter: %v", err)
	}
	return &listFilter{v: scimfilter.NewFilterValidator(rewritten, s, k.extensions...)}, nil
}

// passes says whether the resource, given as its attributes with id,
// schemas and meta, passes the filter.
func (f *listFilter) passes(resource map[string]any) (ok bool, err error) {
	defer func() {
		// The library panics on a value of another type than the
		// attribute's; stored values were validated, so this is a guard.
		if r := recover(); r != nil {
			ok, err = false, fmt.Errorf("cannot compare: %v", r)
		}
	}()
	return f.v.PassesFilter(resource) == nil, nil
}

func (k *kind) filterAttribute(s schema.Schema, path fp.AttributePath) (schema.CoreAttribute, error) {
	uri := path.URI()
	if uri == "" || uri == s.ID {
		if a, ok := s.Attributes.ContainsAttribute(path.AttributeName); ok {
			return a, nil
		}
	}
	for _, e := range k.extensions {
		if uri != "" && uri != e.ID {
			continue
		}
		if a, ok := e.Attributes.ContainsAttribute(path.AttributeName); ok {
			return a, nil
		}
	}
	return schema.CoreAttribute{}, fmt.Errorf("the %s schema has no attribute %q", k.typ, path.String())
}

func (k *kind) rewriteFilter(s schema.Schema, expr fp.Expression) (fp.Expression, error) {
	switch e := expr.(type) {
	case *fp.LogicalExpression:
		l, err := k.rewriteFilter(s, e.Left)
		if err != nil {
			return nil, err
		}
		r, err := k.rewriteFilter(s, e.Right)
		if err != nil {
			return nil, err
		}
		return &fp.LogicalExpression{Left: l, Right: r, Operator: e.Operator}, nil
	case *fp.NotExpression:
		inner, err := k.rewriteFilter(s, e.Expression)
		if err != nil {
			return nil, err
		}
		return &fp.NotExpression{Expression: inner}, nil
	case *fp.ValuePath:
		a, err := k.filterAttribute(s, e.AttributePath)
		if err != nil {
			return nil, err
		}
		if !a.MultiValued() || e.AttributePath.SubAttribute != nil {
			return nil, fmt.Errorf("%s[...] selects values of a multi-valued attribute", e.AttributePath.String())
		}
		if err := checkValueFilter(a, e.ValueFilter); err != nil {
			return nil, err
		}
		return e, nil
	case *fp.AttributeExpression:
		a, err := k.filterAttribute(s, e.AttributePath)
		if err != nil {
			return nil, err
		}
		sub := e.AttributePath.SubAttributeName()
		if sub == "" && isComplex(a) && e.Operator != fp.PR {
			if _, ok := subAttribute(a, "value"); !ok {
				return nil, fmt.Errorf("%s is complex: compare one of its sub-attributes", a.Name())
			}
			sub = "value"
		}
		if sub == "" {
			return e, checkCompare(a, e)
		}
		sa, ok := subAttribute(a, sub)
		if !ok {
			return nil, fmt.Errorf("%s has no sub-attribute %q", a.Name(), sub)
		}
		if err := checkCompare(sa, e); err != nil {
			return nil, err
		}
		inner := &fp.AttributeExpression{
			AttributePath: fp.AttributePath{AttributeName: sa.Name()},
			Operator:      e.Operator,
			CompareValue:  e.CompareValue,
		}
		if a.MultiValued() {
			return &fp.ValuePath{
				AttributePath: fp.AttributePath{URIPrefix: e.AttributePath.URIPrefix, AttributeName: a.Name()},
				ValueFilter:   inner,
			}, nil
		}
		out := *e
		name := sa.Name()
		out.AttributePath.SubAttribute = &name
		return &out, nil
	}
	return nil, fmt.Errorf("unsupported expression %v", expr)
}

// checkValueFilter checks the filter inside [...] against a's
// sub-attributes.
func checkValueFilter(a schema.CoreAttribute, expr fp.Expression) error {
	switch e := expr.(type) {
	case *fp.LogicalExpression:
		if err := checkValueFilter(a, e.Left); err != nil {
			return err
		}
		return checkValueFilter(a, e.Right)
	case *fp.NotExpression:
		return checkValueFilter(a, e.Expression)
	case *fp.AttributeExpression:
		if e.AttributePath.URIPrefix != nil || e.AttributePath.SubAttribute != nil {
			return fmt.Errorf("%s inside %s[...] is not a sub-attribute", e.AttributePath.String(), a.Name())
		}
		sa, ok := scimfilter.MultiValuedFilterAttributes(a).ContainsAttribute(e.AttributePath.AttributeName)
		if !ok {
			return fmt.Errorf("%s has no sub-attribute %q", a.Name(), e.AttributePath.AttributeName)
		}
		return checkCompare(sa, e)
	}
	return fmt.Errorf("%s[...] holds a comparison of its sub-attributes", a.Name())
}

// checkCompare checks that e compares a to a value of a's type.
func checkCompare(a schema.CoreAttribute, e *fp.AttributeExpression) error {
	if e.Operator == fp.PR {
		return nil
	}
	var ok bool
	switch a.AttributeType() {
	case "boolean":
		_, ok = e.CompareValue.(bool)
	case "integer":
		_, ok = e.CompareValue.(int)
	case "decimal":
		switch e.CompareValue.(type) {
		case int, float64:
			ok = true
		}
	case "complex":
		ok = false
	default:
		_, ok = e.CompareValue.(string)
	}
	if !ok {
		return fmt.Errorf("%s %s compares a %s attribute with a value of another type", a.Name(), e.Operator, a.AttributeType())
	}
	return nil
}
