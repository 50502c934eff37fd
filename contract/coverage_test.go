package contract

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// registeredOperations returns the operation names the fake serves, read
// from its source: each register function builds one vendor
// (&vendor{name: "box", ...}) and registers its operations with
// f.handle(v, "Name", "METHOD /path", h) or f.handleOn(mux, v, "Name", ...).
// The fake exports no list of them; reading the registrations means a new
// operation in the fake fails this test until a row exercises it.
func registeredOperations(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "invitationstest", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the fake's source: %v", err)
	}
	fset := token.NewFileSet()
	var ops []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			vendor := vendorName(fn)
			if vendor == "" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				arg := map[string]int{"handle": 1, "handleOn": 2}
				i, ok := arg[sel.Sel.Name]
				if !ok || len(call.Args) <= i {
					return true
				}
				lit, ok := call.Args[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s: %s registers an operation whose name is not a string literal; the contract test cannot read it", fset.Position(call.Pos()), sel.Sel.Name)
				}
				op, _ := strconv.Unquote(lit.Value)
				ops = append(ops, vendor+"."+op)
				return true
			})
		}
	}
	slices.Sort(ops)
	if len(ops) == 0 || len(slices.Compact(slices.Clone(ops))) != len(ops) {
		t.Fatalf("read %d operation registrations from the fake, some twice: %v", len(ops), ops)
	}
	return ops
}

// vendorName returns the name of the vendor literal built in fn, if any.
func vendorName(fn *ast.FuncDecl) string {
	var name string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		lit, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		if id, ok := lit.Type.(*ast.Ident); !ok || id.Name != "vendor" {
			return true
		}
		for _, elt := range lit.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "name" {
				if v, ok := kv.Value.(*ast.BasicLit); ok {
					name, _ = strconv.Unquote(v.Value)
				}
			}
		}
		return false
	})
	return name
}
