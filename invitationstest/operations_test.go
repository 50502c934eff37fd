package invitationstest_test

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
	"github.com/invitesdk/invitations/invitationstest"
)

// operationConstants reads the Operation constants naming one operation
// (those with a "." in their value) from operations.go: name -> value.
func operationConstants(t *testing.T) map[string]string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "operations.go", nil, 0)
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
// names a registered operation. An operation added with f.handle and no
// constant fails here, naming the constant to add.
func TestOperationConstantsMatchRegisteredOperations(t *testing.T) {
	t.Parallel()
	consts := operationConstants(t)
	byValue := map[string]string{}
	for name, v := range consts {
		byValue[v] = name
	}
	registered := map[string]bool{}
	for _, r := range invitationstest.NewFake().Routes() {
		op := string(r.Operation)
		registered[op] = true
		if _, ok := byValue[op]; !ok {
			api, method, _ := strings.Cut(op, ".")
			prefix := map[string]string{"gitguardian": "GitGuardian", "box": "Box", "freestyle": "Freestyle", "bimdata": "BIMData", "portworx": "Portworx"}[api]
			t.Errorf("operation %s (%s %s) has no constant: add %s%s Operation = %q to operations.go", op, r.Method, r.Path, prefix, method, op)
		}
	}
	for name, v := range consts {
		assert.True(t, registered[v], "constant %s = %q names no registered operation", name, v)
		api, method, _ := strings.Cut(v, ".")
		assert.True(t, strings.HasSuffix(name, method) && strings.EqualFold(strings.TrimSuffix(name, method), api),
			"constant %s should be named after %q", name, v)
	}
	assert.Len(t, registered, len(invitationstest.NewFake().Routes()), "operation names are unique")
}

func TestOperationAPI(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "box", invitationstest.BoxDeleteGroupMembershipByID.API())
	assert.Equal(t, "box", invitationstest.AllBox.API())
	assert.Empty(t, invitationstest.AnyOperation.API())
}

// A mistyped name arms nothing and says so, with the likely intended name.
func TestInjectRejectsUnknownOperation(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)

	for _, op := range []invitationstest.Operation{"box.DeleteGroupMembership", "box.Nope", "boxx", "Box.DeleteGroupMembershipByID", "box."} {
		err := srv.Inject(invitationstest.Fault{Operation: op, Status: 503, Times: -1})
		require.ErrorIs(t, err, invitationstest.ErrUnknownOperation, op)
		assert.Contains(t, err.Error(), strconv.Quote(string(op)))
	}
	err = srv.Inject(invitationstest.Fault{Operation: "box.DeleteGroupMembership", Status: 503})
	assert.Contains(t, err.Error(), "did you mean box.DeleteGroupMembershipByID?")
	err = srv.Inject(invitationstest.Fault{Operation: "Box.DeleteGroupMembershipByID", Status: 503})
	assert.Contains(t, err.Error(), "did you mean box.DeleteGroupMembershipByID?")
	assert.Empty(t, srv.Faults(), "nothing was armed")
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"), "no fault fires")

	// Out-of-range fields are rejected too.
	require.Error(t, srv.Inject(invitationstest.Fault{Operation: invitationstest.AllBox, Status: 42}))
	require.Error(t, srv.Inject(invitationstest.Fault{Operation: invitationstest.AllBox, Latency: -1}))

	// Known selectors are accepted.
	for _, op := range []invitationstest.Operation{invitationstest.BoxDeleteGroupMembershipByID, invitationstest.AllBox, invitationstest.AnyOperation} {
		require.NoError(t, srv.Inject(invitationstest.Fault{Operation: op, Status: 503}), op)
	}
	assert.Len(t, srv.Faults(), 3)
}

func TestRequestCountRejectsUnknownOperation(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	c, err := srv.Client()
	require.NoError(t, err)
	require.NoError(t, c.Memberships.DeleteGroupMembershipByID(t.Context(), "434534"))

	n, err := srv.RequestCount("box.DeleteGroupMembership")
	require.ErrorIs(t, err, invitationstest.ErrUnknownOperation)
	assert.Zero(t, n)

	for op, want := range map[invitationstest.Operation]int{
		invitationstest.BoxDeleteGroupMembershipByID: 1, invitationstest.BoxCreateGroupMembership: 0,
		invitationstest.AllBox: 1, invitationstest.AllGitGuardian: 0, invitationstest.AnyOperation: 1,
	} {
		n, err := srv.RequestCount(op)
		require.NoError(t, err, op)
		assert.Equal(t, want, n, op)
	}
}

// fakeTB records what a TestServer reports, standing in for a test that
// is expected to fail.
type fakeTB struct {
	testing.TB
	errors, fatals []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.TB.Cleanup(fn) }
func (f *fakeTB) Error(args ...any) { f.errors = append(f.errors, strings.TrimSpace(sprint(args...))) }
func (f *fakeTB) Fatal(args ...any) {
	f.fatals = append(f.fatals, strings.TrimSpace(sprint(args...)))
}

func sprint(args ...any) string {
	var b strings.Builder
	for _, a := range args {
		if err, ok := a.(error); ok {
			b.WriteString(err.Error())
		}
	}
	return b.String()
}

// On a TestServer, an unknown name fails the test where it is written.
func TestTestServerFailsTheTestOnUnknownOperation(t *testing.T) {
	t.Parallel()
	tb := &fakeTB{TB: t}
	srv := invitationstest.NewTestServer(tb)

	srv.Inject(invitationstest.Fault{Operation: "box.DeleteGroupMembership", Status: 503})
	require.Len(t, tb.fatals, 1)
	assert.Contains(t, tb.fatals[0], `unknown operation "box.DeleteGroupMembership"`)

	assert.Equal(t, -1, srv.RequestCount("box.Nope"), "no count assertion can pass")
	require.Len(t, tb.errors, 1)
	assert.Contains(t, tb.errors[0], `unknown operation "box.Nope"`)

	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxDeleteGroupMembershipByID, Status: 503})
	assert.Zero(t, srv.RequestCount(invitationstest.BoxDeleteGroupMembershipByID))
	assert.Len(t, tb.fatals, 1, "known names pass")
	assert.Len(t, tb.errors, 1, "known names pass")
}

// The client a Server hands out does not wait between retries: a
// persistent 503 on a DELETE uses the whole retry budget (5 attempts)
// well within a deadline that the production backoff (at least 0.25 +
// 0.5 + 1 + 2 s of waits) could not meet.
func TestServerClientRetriesWithoutWaiting(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client()
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxDeleteGroupMembershipByID, Status: 503, Times: -1})

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	err = c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	var apiErr *invitations.APIError
	require.True(t, errors.As(err, &apiErr), "want the 503 after every retry, got %v", err)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Equal(t, 5, srv.RequestCount(invitationstest.BoxDeleteGroupMembershipByID), "first attempt and 4 retries")
}

// Options passed to Client come after the zero backoff and win over it.
func TestServerClientBackoffCanBeOverridden(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client(invitations.WithRetryWait(time.Hour, time.Hour))
	require.NoError(t, err)
	srv.Inject(invitationstest.Fault{Operation: invitationstest.BoxDeleteGroupMembershipByID, Status: 503, Times: -1})

	// The first retry waits about an hour, so the call ends with the
	// context after one attempt (with no wait it would make all five).
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	err = c.Memberships.DeleteGroupMembershipByID(ctx, "434534")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, srv.RequestCount(invitationstest.BoxDeleteGroupMembershipByID))
}
