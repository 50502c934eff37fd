// Command reducespec cuts an OpenAPI 3.0 document down to the paths whose
// names contain a given substring and the components they reference,
// directly or through other components, so that a client can be generated
// for a few operations of a large API.
//
//	go run ./internal/reducespec -in box.json -paths membership -out reduced.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
)

func main() {
	in := flag.String("in", "", "OpenAPI 3.0 document (JSON)")
	out := flag.String("out", "", "reduced document to write")
	match := flag.String("paths", "", "keep the paths whose template contains this substring")
	flag.Parse()
	if *in == "" || *out == "" || *match == "" {
		flag.Usage()
		os.Exit(2)
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		log.Fatal(err)
	}
	reduced, err := reduce(doc, *match)
	if err != nil {
		log.Fatal(err)
	}
	b, err := json.MarshalIndent(reduced, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}

// reduce keeps the matching paths and the transitive closure of the
// "#/components/..." references they make. Document-level fields other
// than paths and components are kept as they are.
func reduce(doc map[string]any, match string) (map[string]any, error) {
	paths, _ := doc["paths"].(map[string]any)
	components, _ := doc["components"].(map[string]any)
	keptPaths := map[string]any{}
	for name, item := range paths {
		if strings.Contains(name, match) {
			keptPaths[name] = item
		}
	}
	if len(keptPaths) == 0 {
		return nil, fmt.Errorf("no path contains %q", match)
	}

	kept := map[string]map[string]any{} // section -> name -> component
	var queue []string
	seen := map[string]bool{}
	collectRefs(keptPaths, &queue)
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		section, name, ok := splitRef(ref)
		if !ok {
			return nil, fmt.Errorf("unsupported reference %q", ref)
		}
		sec, _ := components[section].(map[string]any)
		comp, ok := sec[name]
		if !ok {
			return nil, fmt.Errorf("dangling reference %q", ref)
		}
		if kept[section] == nil {
			kept[section] = map[string]any{}
		}
		kept[section][name] = comp
		collectRefs(comp, &queue)
	}
	// Security schemes are referenced by name, not by $ref: keep them all.
	if schemes, ok := components["securitySchemes"]; ok {
		kept["securitySchemes"] = schemes.(map[string]any)
	}

	out := map[string]any{}
	for k, v := range doc {
		switch k {
		case "paths", "components", "tags":
		default:
			out[k] = v
		}
	}
	out["paths"] = keptPaths
	comps := map[string]any{}
	for section, m := range kept {
		comps[section] = m
	}
	out["components"] = comps
	return out, nil
}

func collectRefs(v any, queue *[]string) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := v[k].(string); ok && k == "$ref" {
				*queue = append(*queue, s)
				continue
			}
			collectRefs(v[k], queue)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, queue)
		}
	}
}

// splitRef splits "#/components/<section>/<name>".
func splitRef(ref string) (section, name string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	if !ok {
		return "", "", false
	}
	section, name, ok = strings.Cut(rest, "/")
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	return section, name, ok
}
