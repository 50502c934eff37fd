package contract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestFreestyleExtractMatchesOfficial backs the choice of document for
// Freestyle: the SDK's /identity/v1 routes are checked against the
// third-party extract of Freestyle's current document, and this test shows
// that the extract's schemas are, apart from their names, those of
// Freestyle's official (older) document for the same objects under the
// deprecated /git/v1/identity routes (freestyle.SOURCE.txt,
// spec/freestyle.md §1.8). Descriptions, titles and examples are ignored.
func TestFreestyleExtractMatchesOfficial(t *testing.T) {
	t.Parallel()
	official := schemasOf(t, "freestyle.json")
	extract := schemasOf(t, "freestyle-identity-v1.apievangelist.yaml")
	// official name -> extract name (spec/freestyle.md §1.8).
	renamed := map[string]string{
		"GitIdentity":                       "FreestyleIdentity",
		"DescribePermissionResponseSuccess": "DescribeGitPermissionSuccess",
		"GrantPermissionRequest":            "GrantGitPermissionRequest",
		"UpdatePermissionRequest":           "UpdateGitPermissionRequest",
		"ListPermissionResponseSuccess":     "ListGitPermissionSuccess",
		"ListGitTokensResponseSuccess":      "ListGitTokensSuccess",
		"AccessLevel":                       "AccessLevel",
		"AccessTokenInfo":                   "AccessTokenInfo",
		"AccessibleRepository":              "AccessibleRepository",
		"CreatedToken":                      "CreatedToken",
	}
	for from, to := range renamed {
		o, e := official[from], extract[to]
		if o == nil || e == nil {
			t.Errorf("%s / %s: missing (official %v, extract %v)", from, to, o != nil, e != nil)
			continue
		}
		if got, want := normalize(e, nil), normalize(o, renamed); !reflect.DeepEqual(got, want) {
			t.Errorf("extract %s differs from official %s:\n extract:  %v\n official: %v", to, from, got, want)
		}
	}
}

// schemasOf returns the raw component schemas of a document in testdata.
func schemasOf(t *testing.T, file string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if strings.HasSuffix(file, ".yaml") {
		err = yaml.Unmarshal(raw, &doc)
	} else {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	components, _ := doc["components"].(map[string]any)
	schemas, _ := components["schemas"].(map[string]any)
	return schemas
}

// normalize drops the prose of a schema and renames the references it
// makes (official name -> extract name).
func normalize(v any, renamed map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			switch k {
			case "description", "title", "example", "examples":
				continue
			case "$ref":
				ref, _ := x.(string)
				name := strings.TrimPrefix(ref, "#/components/schemas/")
				if to, ok := renamed[name]; ok {
					ref = "#/components/schemas/" + to
				}
				out[k] = ref
			default:
				out[k] = normalize(x, renamed)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x, renamed)
		}
		return out
	}
	return v
}
