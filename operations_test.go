package invitations

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docOperation is the "<Vendor> API: <METHOD> <path>" line every service
// method's doc comment ends with.
var docOperation = regexp.MustCompile(`(?m)^(\w+) API: (GET|POST|PUT|PATCH|DELETE|HEAD) (/\S*)$`)

// serviceMethod is an exported method of a *...Service type, as the source
// declares it.
type serviceMethod struct {
	service string // the Client field, e.g. "Memberships"
	name    string
	doc     string
	rows    []string // the operation rows its body names
}

// parsePackage reads the package's own source (no tests): the Client
// fields of each service type, the exported service methods, and the
// variables that hold an operation row (&Operation{...}).
func parsePackage(t *testing.T) (methods []serviceMethod, rowVars map[string]string) {
	t.Helper()
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	var files []*ast.File
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, parser.ParseComments)
		require.NoError(t, err)
		files = append(files, f)
	}

	fieldOf := map[string]string{} // service type -> Client field
	rowVars = map[string]string{}  // variable -> the row's Method
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.TypeSpec:
				if st, ok := n.Type.(*ast.StructType); ok && n.Name.Name == "Client" {
					for _, fld := range st.Fields.List {
						if star, ok := fld.Type.(*ast.StarExpr); ok && len(fld.Names) == 1 {
							if id, ok := star.X.(*ast.Ident); ok && strings.HasSuffix(id.Name, "Service") {
								fieldOf[id.Name] = fld.Names[0].Name
							}
						}
					}
				}
			case *ast.ValueSpec:
				for i, v := range n.Values {
					if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.AND {
						if cl, ok := u.X.(*ast.CompositeLit); ok {
							if id, ok := cl.Type.(*ast.Ident); ok && id.Name == "Operation" {
								rowVars[n.Names[i].Name] = literalField(cl, "Method")
							}
						}
					}
				}
			}
			return true
		})
	}
	require.NotEmpty(t, fieldOf, "the Client's service fields")
	require.NotEmpty(t, rowVars, "the operation rows")

	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv, ok := star.X.(*ast.Ident)
			if !ok || !strings.HasSuffix(recv.Name, "Service") {
				continue
			}
			field, ok := fieldOf[recv.Name]
			require.True(t, ok, "%s is not a field of Client", recv.Name)
			m := serviceMethod{service: field, name: fn.Name.Name, doc: fn.Doc.Text()}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if id, ok := n.(*ast.Ident); ok && rowVars[id.Name] != "" && !slices.Contains(m.rows, id.Name) {
					m.rows = append(m.rows, id.Name)
				}
				return true
			})
			methods = append(methods, m)
		}
	}
	return methods, rowVars
}

// literalField returns the string literal of cl's field key, "" if none.
func literalField(cl *ast.CompositeLit, key string) string {
	for _, e := range cl.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == key {
			if lit, ok := kv.Value.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				return strings.Trim(lit.Value, `"`)
			}
		}
	}
	return ""
}

// TestEveryServiceMethodIsInTheOperationTable checks the table against
// the source, as go-github checks its //meta:operation comments: every
// exported service method names, in its doc comment, the HTTP method and
// path of a row of the table, and builds its request from that row and no
// other. A method is that row's Method, or (StreamInvitations) another way
// to read the answer of a row it builds from.
func TestEveryServiceMethodIsInTheOperationTable(t *testing.T) {
	t.Parallel()
	methods, rowVars := parsePackage(t)
	ops := Operations()
	used := map[string]bool{}
	for _, m := range methods {
		t.Run(m.service+"."+m.name, func(t *testing.T) {
			doc := docOperation.FindStringSubmatch(m.doc)
			require.NotNil(t, doc, "the doc comment names no \"<Vendor> API: <METHOD> <path>\"")
			require.Len(t, m.rows, 1, "builds its request from exactly one operation row, got %v", m.rows)
			// The row the body builds from is the method's own, or, for a
			// method with no row of its name (another way to read a row's
			// answer), the one it names.
			rowMethod := rowVars[m.rows[0]]
			if slices.ContainsFunc(ops, func(o Operation) bool { return o.Service == m.service && o.Method == m.name }) {
				assert.Equal(t, m.name, rowMethod, "builds its request from another operation's row")
			}
			var row *Operation
			for i := range ops {
				if ops[i].Service == m.service && ops[i].Method == rowMethod {
					row = &ops[i]
				}
			}
			require.NotNil(t, row, "no row of the table for %s", m.name)
			used[row.Name()] = true
			assert.Equal(t, doc[1], row.API.Name(), "vendor")
			assert.Equal(t, doc[2], row.HTTPMethod, "HTTP method")
			assert.Equal(t, doc[3], row.Path, "path")
		})
	}
	for _, o := range ops {
		assert.True(t, used[o.Name()], "%s is called by no service method", o.Name())
	}
	assert.Len(t, rowVars, len(ops), "every operation row is in Operations")
}

func TestOperationRowsAreComplete(t *testing.T) {
	t.Parallel()
	ops := Operations()
	require.NotEmpty(t, ops)
	seen := map[string]bool{}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	var order []API
	for _, o := range ops {
		assert.False(t, seen[o.Name()], "%s is listed twice", o.Name())
		seen[o.Name()] = true
		_, known := o.API.Info()
		assert.True(t, known, "%s: unknown API", o.Name())
		assert.NotEmpty(t, o.Service, o.Name())
		assert.Contains(t, methods, o.HTTPMethod, o.Name())
		assert.True(t, strings.HasPrefix(o.Path, "/"), "%s: path %q is relative to the base URL and starts with /", o.Name(), o.Path)
		assert.Contains(t, []RetryClass{Unsafe, Idempotent}, o.Retry, o.Name())
		assert.NotEmpty(t, o.DocOperationID, o.Name())
		if len(order) == 0 || order[len(order)-1] != o.API {
			order = append(order, o.API)
		}
	}
	assert.Equal(t, []API{GitGuardian, Box, Freestyle, BIMData, Portworx}, order, "vendor order, each vendor's rows together")
}

func TestLookupOperation(t *testing.T) {
	t.Parallel()
	o, ok := LookupOperation("box.GetUserMemberships")
	require.True(t, ok)
	assert.Equal(t, Operation{API: Box, Service: "Memberships", Method: "GetUserMemberships", HTTPMethod: http.MethodGet,
		Path: "/users/{user_id}/memberships", Retry: Idempotent, DocOperationID: "get_users_id_memberships", format: "users/{}/memberships"}, o)

	o, ok = LookupOperation("gitguardian.CreateInvitations")
	require.True(t, ok)
	assert.Equal(t, []int{http.StatusCreated}, o.Success)
	o.Success[0] = 0 // the caller's copy: the table is unchanged
	o, _ = LookupOperation("gitguardian.CreateInvitations")
	assert.Equal(t, []int{http.StatusCreated}, o.Success)

	for _, name := range []string{"", "box", "box.", "Box.GetUsers", "acme.GetUsers", "box.StreamInvitations", "bimdata.StreamInvitations"} {
		_, ok := LookupOperation(name)
		assert.False(t, ok, name)
	}
	for _, o := range Operations() {
		got, ok := LookupOperation(o.Name())
		assert.True(t, ok, o.Name())
		assert.Equal(t, o, got)
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"v1/invitations": "v1/invitations",
		"v1/invitations/{invitation_id}/{resource_type}/{x}": "v1/invitations/{}/{}/{}",
		"core/v1/invite/{uid}:notify":                        "core/v1/invite/{}:notify",
		"core/v1/invite:accept":                              "core/v1/invite:accept",
	} {
		assert.Equal(t, want, placeholders(in), in)
	}
}

// TestOperationRequestFollowsTheRow checks that a method's request is its
// row: the method, path and retry class reach the wire as the table says,
// and a method's options may only make the retry class stricter.
func TestOperationRequestFollowsTheRow(t *testing.T) {
	t.Parallel()
	r := gitGuardianGetMember.request().withParams(intParam("memberID", 7))
	assert.Equal(t, &request{api: GitGuardian, method: http.MethodGet, path: "v1/members/7", class: Idempotent}, r)
	r = gitGuardianCreateInvitations.request()
	assert.Equal(t, []int{http.StatusCreated}, r.okStatus)
	yes := true
	assert.Equal(t, Unsafe, gitGuardianUpdateMember.request().withClass(memberEmailClass(&MemberEmailOptions{SendEmail: &yes})).class)
}
