// Command vulngate reads the -json output of govulncheck for each module of
// the repository and decides the vulnerability gate of .ci/run:
//
//   - any finding in a module the SDK requires (at any level: the required
//     version is affected, a vulnerable package is imported, or a vulnerable
//     function is called) fails the gate, because an SDK's requirements
//     become the floor of every program that uses it;
//   - findings in the standard library and the toolchain are printed with
//     the Go release that built the code and do not fail the gate: they
//     depend on the Go release a user builds with, not on the SDK;
//   - the minimum patched Go release of each Go line from the go directive
//     up is computed from the database itself, printed, and README.md must
//     name it, so README cannot drift when the database is updated.
//
// Usage:
//
//	vulngate -db DIR -date RFC3339 -version V -readme README.md -go 1.24 label=scan.json...
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func main() {
	dbDir := flag.String("db", "", "local vulnerability database (the -out of indexdb)")
	date := flag.String("date", "", "date of the database source (the vulndb commit time)")
	version := flag.String("version", "", "golang.org/x/vulndb version the database was built from")
	readme := flag.String("readme", "", "README.md that must name the minimum patched Go releases")
	goLine := flag.String("go", "", "go directive of the root module (oldest Go line to report on)")
	flag.Parse()
	if err := run(os.Stdout, *dbDir, *date, *version, *readme, *goLine, flag.Args()); err != nil {
		fmt.Fprintln(os.Stdout, "govulncheck gate:", err)
		os.Exit(1)
	}
}

// Messages of govulncheck's JSON protocol (v1.0.0) that the gate reads.
type message struct {
	Config *struct {
		GoVersion      string `json:"go_version"`
		DBLastModified string `json:"db_last_modified"`
	} `json:"config"`
	SBOM *struct {
		Modules []struct {
			Path    string `json:"path"`
			Version string `json:"version"`
		} `json:"modules"`
	} `json:"SBOM"`
	OSV     *osvEntry `json:"osv"`
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Package  string `json:"package"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

type osvEntry struct {
	ID       string `json:"id"`
	Summary  string `json:"summary"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string              `json:"type"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

// finding is one vulnerability in one module, at the deepest level seen.
type finding struct {
	id, module, version, fixed, summary string
	level                               int // 0 required, 1 imported, 2 called
}

var levels = []string{"required, not imported", "imported, not called", "called"}

func isGo(module string) bool { return module == "stdlib" || module == "toolchain" }

func run(w io.Writer, dbDir, date, version, readme, goLine string, scans []string) error {
	if dbDir == "" || readme == "" || goLine == "" || len(scans) == 0 {
		return errors.New("usage: vulngate -db DIR -date D -version V -readme README.md -go 1.24 and one label=scan.json per module")
	}
	entries, err := countEntries(dbDir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "database: golang.org/x/vulndb@%s, source dated %s, %d entries\n", version, date, entries)

	scanned := map[string]bool{} // module@version over every scan, stdlib aside
	var moduleFindings, goFindings []finding
	goVersions := map[string]bool{}
	for _, arg := range scans {
		label, file, ok := strings.Cut(arg, "=")
		if !ok {
			return fmt.Errorf("argument %q: want label=file", arg)
		}
		s, err := readScan(file)
		if err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		goVersions[s.goVersion] = true
		for _, m := range s.modules {
			scanned[m] = true
		}
		var nMod, nGo int
		for _, f := range s.findings {
			if isGo(f.module) {
				nGo++
				goFindings = append(goFindings, f)
			} else {
				nMod++
				moduleFindings = append(moduleFindings, f)
			}
		}
		fmt.Fprintf(w, "module %-13s %2d modules scanned, %d findings in required modules, %d standard-library findings (%s)\n",
			label, len(s.modules), nMod, nGo, s.goVersion)
	}

	goFindings = dedupe(goFindings)
	moduleFindings = dedupe(moduleFindings)
	if len(goFindings) > 0 {
		fmt.Fprintf(w, "standard library, as built by %s (depends on the Go release, not on the SDK; not a gate failure):\n",
			strings.Join(sortedKeys(goVersions), ", "))
		for _, f := range goFindings {
			fmt.Fprintf(w, "  %s %s@%s fixed in %s [%s] %s\n", f.id, f.module, f.version, orNone(f.fixed), levels[f.level], f.summary)
		}
	}

	patched, unpatched, err := minimumPatched(dbDir, goLine)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "minimum patched Go releases per the database: %s", strings.Join(patched, ", "))
	if len(unpatched) > 0 {
		fmt.Fprintf(w, " (no patched release on the %s lines)", strings.Join(unpatched, ", "))
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "totals: %d modules scanned, %d findings in required modules, %d standard-library findings\n",
		len(scanned), len(moduleFindings), len(goFindings))

	var problems []string
	for _, f := range moduleFindings {
		problems = append(problems, fmt.Sprintf("%s in %s@%s (fixed in %s) [%s] %s",
			f.id, f.module, f.version, orNone(f.fixed), levels[f.level], f.summary))
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	for _, v := range patched {
		if !strings.Contains(string(text), "Go "+v) {
			problems = append(problems, fmt.Sprintf("%s does not name the minimum patched release Go %s", readme, v))
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(w, "FAIL:", p)
		}
		return fmt.Errorf("%d problems", len(problems))
	}
	fmt.Fprintln(w, "govulncheck gate: ok")
	return nil
}

type scan struct {
	goVersion string
	modules   []string
	findings  []finding
}

// readScan decodes one govulncheck -json stream: a sequence of JSON objects,
// not an array.
func readScan(file string) (scan, error) {
	var s scan
	f, err := os.Open(file)
	if err != nil {
		return s, err
	}
	defer f.Close()
	summaries := map[string]string{}
	deepest := map[[2]string]*finding{}
	dec := json.NewDecoder(f)
	for {
		var m message
		if err := dec.Decode(&m); err == io.EOF {
			break
		} else if err != nil {
			return s, err
		}
		switch {
		case m.Config != nil:
			s.goVersion = m.Config.GoVersion
		case m.SBOM != nil:
			for _, mod := range m.SBOM.Modules {
				if !isGo(mod.Path) {
					s.modules = append(s.modules, mod.Path+"@"+mod.Version)
				}
			}
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			// trace[0] is the vulnerable symbol itself; how much of it is
			// filled in says how deep the code reaches it.
			t := m.Finding.Trace[0]
			level := 0
			if t.Function != "" {
				level = 2
			} else if t.Package != "" {
				level = 1
			}
			key := [2]string{m.Finding.OSV, t.Module}
			if prev, ok := deepest[key]; !ok || prev.level < level {
				deepest[key] = &finding{id: m.Finding.OSV, module: t.Module, version: t.Version,
					fixed: m.Finding.FixedVersion, level: level}
			}
		}
	}
	if s.goVersion == "" {
		return s, errors.New("no config message: not govulncheck -json output")
	}
	for _, f := range deepest {
		f.summary = summaries[f.id]
		s.findings = append(s.findings, *f)
	}
	return s, nil
}

// dedupe keeps one finding per vulnerability and module, the deepest.
func dedupe(fs []finding) []finding {
	best := map[[2]string]finding{}
	for _, f := range fs {
		k := [2]string{f.id, f.module}
		if b, ok := best[k]; !ok || b.level < f.level {
			best[k] = f
		}
	}
	out := make([]finding, 0, len(best))
	for _, f := range best {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].level != out[j].level {
			return out[i].level > out[j].level
		}
		return out[i].id < out[j].id
	})
	return out
}

func countEntries(dbDir string) (int, error) {
	matches, err := filepath.Glob(filepath.Join(dbDir, "ID", "*.json"))
	if err != nil {
		return 0, err
	}
	if len(matches) == 0 {
		return 0, fmt.Errorf("%s: no entries", dbDir)
	}
	return len(matches), nil
}

// minimumPatched returns, for each Go line from goLine to the newest one the
// database knows, the first release of that line that no standard-library
// or toolchain entry affects and after which none does (e.g. "1.26.10"),
// and the lines with no such release.
func minimumPatched(dbDir, goLine string) (patched, unpatched []string, err error) {
	oldest, ok := parseVersion(goLine)
	if !ok {
		return nil, nil, fmt.Errorf("go directive %q", goLine)
	}
	raw, err := os.ReadFile(filepath.Join(dbDir, "index", "modules.json"))
	if err != nil {
		return nil, nil, err
	}
	var index []struct {
		Path  string `json:"path"`
		Vulns []struct {
			ID string `json:"id"`
		} `json:"vulns"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, nil, err
	}
	// Every affected range of the Go release, as [introduced, fixed).
	type span struct{ from, to version }
	var spans []span
	releases := map[version]bool{} // every version an event names
	for _, m := range index {
		if !isGo(m.Path) {
			continue
		}
		for _, v := range m.Vulns {
			raw, err := os.ReadFile(filepath.Join(dbDir, "ID", v.ID+".json"))
			if err != nil {
				return nil, nil, err
			}
			var e osvEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", v.ID, err)
			}
			for _, a := range e.Affected {
				if a.Package.Name != m.Path {
					continue
				}
				for _, r := range a.Ranges {
					if r.Type != "SEMVER" {
						continue
					}
					var cur *version
					for _, ev := range r.Events {
						if s, ok := ev["introduced"]; ok {
							v, _ := parseVersion(s)
							cur = &v
						}
						if s, ok := ev["fixed"]; ok && cur != nil {
							v, ok := parseVersion(s)
							if !ok {
								return nil, nil, fmt.Errorf("%s: version %q", e.ID, s)
							}
							spans = append(spans, span{*cur, v})
							releases[v] = true
							cur = nil
						}
					}
					if cur != nil { // no fix: affected from here on
						spans = append(spans, span{*cur, version{n: [3]int{1 << 30}}})
					}
				}
			}
		}
	}
	affected := func(v version) bool {
		return slices.ContainsFunc(spans, func(s span) bool { return !v.less(s.from) && v.less(s.to) })
	}
	newest := oldest
	for v := range releases {
		if v.pre == "" && newest.less(v) {
			newest = v
		}
	}
	for minor := oldest.n[1]; minor <= newest.n[1]; minor++ {
		// The patched release is the highest fix on that line, provided
		// nothing affects it (an unfixed entry would).
		var best *version
		for v := range releases {
			if v.pre == "" && v.n[0] == 1 && v.n[1] == minor && (best == nil || best.less(v)) {
				best = &v
			}
		}
		line := fmt.Sprintf("1.%d", minor)
		if best == nil || affected(*best) {
			unpatched = append(unpatched, line)
			continue
		}
		patched = append(patched, best.String())
	}
	return patched, unpatched, nil
}

// version is a Go release as the database writes it in SEMVER ranges:
// "1.26.10", "1.27.0-rc.2", "1.25.0-0".
type version struct {
	n   [3]int
	pre string
}

func parseVersion(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(strings.TrimPrefix(s, "go"), "v")
	s, v.pre, _ = strings.Cut(s, "-")
	for i, part := range strings.SplitN(s, ".", 3) {
		n, err := strconv.Atoi(part)
		if err != nil {
			return v, false
		}
		v.n[i] = n
	}
	return v, true
}

// less orders releases as semver does; pre-releases ("0", "rc.2") come
// before their release, numeric identifiers before alphanumeric ones.
func (v version) less(w version) bool {
	if v.n != w.n {
		return slices.Compare(v.n[:], w.n[:]) < 0
	}
	if v.pre == "" || w.pre == "" {
		return v.pre != "" && w.pre == ""
	}
	a, b := strings.Split(v.pre, "."), strings.Split(w.pre, ".")
	for i := 0; i < len(a) && i < len(b); i++ {
		x, errX := strconv.Atoi(a[i])
		y, errY := strconv.Atoi(b[i])
		switch {
		case errX == nil && errY == nil && x != y:
			return x < y
		case errX == nil && errY != nil:
			return true
		case errX != nil && errY == nil:
			return false
		case errX != nil && errY != nil && a[i] != b[i]:
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

func (v version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.n[0], v.n[1], v.n[2])
	if v.pre != "" {
		s += "-" + v.pre
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "no release yet"
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
