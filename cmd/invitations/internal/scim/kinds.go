package scim

import (
	"strings"

	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// kind is one resource type the server serves: its schema, the schema
// extensions its resources may carry, and what the store calls it.
type kind struct {
	// typ is the store's type and the SCIM resource type's name.
	typ string
	// endpoint is the path under /scim/v2, e.g. "/Users".
	endpoint   string
	schema     schema.Schema
	extensions []schema.Schema
	// withCommon is schema with externalId, the one common attribute a
	// client writes: what bodies and PATCH paths are checked against.
	withCommon schema.Schema
}

func newKind(typ, endpoint string, s schema.Schema, exts ...schema.Schema) *kind {
	withCommon := s
	withCommon.Attributes = append(append(schema.Attributes{}, s.Attributes...), externalIDAttribute())
	return &kind{typ: typ, endpoint: endpoint, schema: s, extensions: exts, withCommon: withCommon}
}

// userKind is the core User schema with the enterprise extension, which
// Okta and Entra ID both send.
func userKind() *kind {
	return newKind(TypeUser, "/Users", schema.CoreUserSchema(), schema.ExtensionEnterpriseUser())
}

func groupKind() *kind {
	return newKind(TypeGroup, "/Groups", schema.CoreGroupSchema())
}

func externalIDAttribute() schema.CoreAttribute {
	return schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{
		CaseExact:   true,
		Description: optional.NewString("An identifier for the resource as defined by the provisioning client."),
		Mutability:  schema.AttributeMutabilityReadWrite(),
		Name:        "externalId",
		Uniqueness:  schema.AttributeUniquenessNone(),
	}))
}

// extension returns the extension whose URN is urn, compared without
// regard to case as SCIM compares URNs.
func (k *kind) extension(urn string) (schema.Schema, bool) {
	for _, e := range k.extensions {
		if strings.EqualFold(e.ID, urn) {
			return e, true
		}
	}
	return schema.Schema{}, false
}

// target is where an attribute path leads: the attribute and, for an
// extension's, the extension (ext.ID is empty for the core schema).
type target struct {
	attr schema.CoreAttribute
	ext  schema.Schema
}

// resolve finds the attribute named name with the URN prefix uri (empty
// when none): in the core schema, or in the extension uri names, or,
// without a prefix, in the first extension that has it.
func (k *kind) resolve(uri, name string) (target, bool) {
	if uri == "" || strings.EqualFold(uri, k.schema.ID) {
		if a, ok := k.withCommon.Attributes.ContainsAttribute(name); ok {
			return target{attr: a}, true
		}
		if uri != "" {
			return target{}, false
		}
	}
	for _, e := range k.extensions {
		if uri != "" && !strings.EqualFold(uri, e.ID) {
			continue
		}
		if a, ok := e.Attributes.ContainsAttribute(name); ok {
			return target{attr: a, ext: e}, true
		}
	}
	return target{}, false
}

// subAttribute returns a's sub-attribute named name.
func subAttribute(a schema.CoreAttribute, name string) (schema.CoreAttribute, bool) {
	if !a.HasSubAttributes() {
		return schema.CoreAttribute{}, false
	}
	return a.SubAttributes().ContainsAttribute(name)
}

func isComplex(a schema.CoreAttribute) bool { return a.AttributeType() == "complex" }
