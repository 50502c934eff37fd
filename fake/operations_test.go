package fake_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
)

// operationConstants reads the Operation constants naming one operation
// (those with a "." in their value) from operations_gen.go: name -> value.
func operationConstants(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "operations_gen.go", nil, 0)
	require.NoError(t, err)
	consts := map[string]string{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Operation" {
				continue
			}
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, "%s is not a string literal", name.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				if strings.Contains(v, ".") {
					consts[name.Name] = v
				}
			}
		}
	}
	return consts
}

// Every operation the fake registers has a constant, and every constant
// names a registered operation: the constants generated from the
// operation table are the operations the router serves.
func TestOperationConstantsMatchRegisteredOperations(t *testing.T) {
	t.Parallel()
	consts := operationConstants(t)
	byValue := map[string]string{}
	for name, v := range consts {
		byValue[v] = name
	}
	registered := map[string]bool{}
	for _, r := range fake.NewFake().Routes() {
		op := string(r.Operation)
		registered[op] = true
		if _, ok := byValue[op]; !ok {
			t.Errorf("operation %s (%s %s) has no constant: run go generate ./fake", op, r.Method, r.Path)
		}
	}
	for name, v := range consts {
		assert.True(t, registered[v], "constant %s = %q names no registered operation", name, v)
		api, method, _ := strings.Cut(v, ".")
		assert.True(t, strings.HasSuffix(name, method) && strings.EqualFold(strings.TrimSuffix(name, method), api),
			"constant %s should be named after %q", name, v)
	}
	assert.Len(t, registered, len(fake.NewFake().Routes()), "operation names are unique")
}

func TestOperationAPI(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "box", fake.BoxDeleteGroupMembershipByID.API())
	assert.Equal(t, "box", fake.AllBox.API())
	assert.Empty(t, fake.AnyOperation.API())
}

// A mistyped name arms nothing and says so, with the likely intended name.
func TestInjectRejectsUnknownOperation(t *testing.T) {
	t.Parallel()
	srv := mustStart(t, fake.WithDemoData())
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)

	for _, op := range []fake.Operation{"box.DeleteGroupMembership", "box.Nope", "boxx", "Box.DeleteGroupMembershipByID", "box."} {
		err := srv.Inject(fake.Fault{Operation: op, Status: 503, Times: -1})
		require.ErrorIs(t, err, fake.ErrUnknownOperation, op)
		assert.Contains(t, err.Error(), strconv.Quote(string(op)))
	}
	err = srv.Inject(fake.Fault{Operation: "box.DeleteGroupMembership", Status: 503})
	assert.Contains(t, err.Error(), "did you mean box.DeleteGroupMembershipByID?")
	err = srv.Inject(fake.Fault{Operation: "Box.DeleteGroupMembershipByID", Status: 503})
	assert.Contains(t, err.Error(), "did you mean box.DeleteGroupMembershipByID?")
	assert.Empty(t, srv.Faults(), "nothing was armed")
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"), "no fault fires")

	// Out-of-range fields are rejected too.
	require.Error(t, srv.Inject(fake.Fault{Operation: fake.AllBox, Status: 42}))
	require.Error(t, srv.Inject(fake.Fault{Operation: fake.AllBox, Latency: -1}))

	// Known selectors are accepted.
	for _, op := range []fake.Operation{fake.BoxDeleteGroupMembershipByID, fake.AllBox, fake.AnyOperation} {
		require.NoError(t, srv.Inject(fake.Fault{Operation: op, Status: 503}), op)
	}
	assert.Len(t, srv.Faults(), 3)
}

func TestRequestCountRejectsUnknownOperation(t *testing.T) {
	t.Parallel()
	srv := mustStart(t, fake.WithDemoData())
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"))

	n, err := srv.RequestCount("box.DeleteGroupMembership")
	require.ErrorIs(t, err, fake.ErrUnknownOperation)
	assert.Zero(t, n)

	for op, want := range map[fake.Operation]int{
		fake.BoxDeleteGroupMembershipByID: 1, fake.BoxCreateGroupMembership: 0,
		fake.AllBox: 1, fake.AllGitGuardian: 0, fake.AnyOperation: 1,
	} {
		n, err := srv.RequestCount(op)
		require.NoError(t, err, op)
		assert.Equal(t, want, n, op)
	}
}

// The client a Server hands out does not wait between retries: a
// persistent 503 on a DELETE uses the whole retry budget (5 attempts)
// well within a deadline that the production backoff (at least 0.25 +
// 0.5 + 1 + 2 s of waits) could not meet.
func TestServerClientRetriesWithoutWaiting(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, fake.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	srv.Inject(fake.Fault{Operation: fake.BoxDeleteGroupMembershipByID, Status: 503, Times: -1})

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	err = c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	var apiErr *invitations.APIError
	require.True(t, errors.As(err, &apiErr), "want the 503 after every retry, got %v", err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, 5, srv.RequestCount(fake.BoxDeleteGroupMembershipByID), "first attempt and 4 retries")
}

// Options passed to Client come after the zero backoff and win over it.
func TestServerClientBackoffCanBeOverridden(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, fake.WithDemoData())
	c, err := srv.Client(invitations.WithRetryWait(time.Hour, time.Hour))
	require.NoError(t, err)
	srv.Inject(fake.Fault{Operation: fake.BoxDeleteGroupMembershipByID, Status: 503, Times: -1})

	// The first retry waits about an hour, so the call ends with the
	// context after one attempt (with no wait it would make all five).
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, srv.RequestCount(fake.BoxDeleteGroupMembershipByID))
}
