package scim

import (
	"net/http"
	"strings"
)

// project keeps of attrs what the request's attributes and
// excludedAttributes parameters ask for (RFC 7644 §3.4.2.5): Entra ID
// reads groups with excludedAttributes=members. Names are top-level
// attributes, or for excludedAttributes also sub-attributes
// (name.givenName) and an extension's attributes under its URN; id,
// schemas and meta are always returned.
func project(k *kind, r *http.Request, attrs map[string]any) map[string]any {
	q := r.URL.Query()
	only, excluded := names(q.Get("attributes")), names(q.Get("excludedAttributes"))
	if len(only) == 0 && len(excluded) == 0 {
		return attrs
	}
	out := copyMap(attrs)
	if len(only) > 0 {
		keep := map[string]bool{}
		for _, n := range only {
			uri, name := k.splitURN(n)
			if uri != "" {
				keep[strings.ToLower(uri)] = true
				continue
			}
			top, _, _ := strings.Cut(name, ".")
			keep[strings.ToLower(top)] = true
		}
		for key := range out {
			if !keep[strings.ToLower(key)] {
				delete(out, key)
			}
		}
	}
	for _, n := range excluded {
		uri, name := k.splitURN(n)
		if uri != "" && name == "" {
			delete(out, uri)
			continue
		}
		container := out
		if uri != "" {
			ext, _ := out[uri].(map[string]any)
			if ext == nil {
				continue
			}
			ext = copyMap(ext)
			out[uri] = ext
			container = ext
		}
		top, sub, dotted := strings.Cut(name, ".")
		for key, v := range container {
			if !strings.EqualFold(key, top) {
				continue
			}
			if !dotted {
				delete(container, key)
				continue
			}
			if m, ok := v.(map[string]any); ok {
				m = copyMap(m)
				for s := range m {
					if strings.EqualFold(s, sub) {
						delete(m, s)
					}
				}
				container[key] = m
			}
		}
		if uri != "" && len(container) == 0 {
			delete(out, uri)
		}
	}
	return out
}

func names(list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// splitURN splits an attribute name with a schema URN prefix: the core
// schema's prefix is dropped, an extension's is returned as the
// extension's id with the name within it.
func (k *kind) splitURN(n string) (uri, name string) {
	if rest, ok := cutPrefixFold(n, k.schema.ID+":"); ok {
		return "", rest
	}
	for _, e := range k.extensions {
		if strings.EqualFold(n, e.ID) {
			return e.ID, ""
		}
		if rest, ok := cutPrefixFold(n, e.ID+":"); ok {
			return e.ID, rest
		}
	}
	return "", n
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
