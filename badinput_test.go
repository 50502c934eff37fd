package invitations_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
	"github.com/invitesdk/invitations/models"
)

// Base URLs of the mock client; the fake serves each API under its own
// prefix instead (invitationstest.BoxPrefix, ...).
const (
	biGitGuardianBase = "https://api.gitguardian.com"
	biBoxBase         = "https://api.box.com/2.0"
	biFreestyleBase   = "https://api.freestyle.sh"
	biBIMDataBase     = "https://api.bimdata.io"
	biPortworxBase    = "https://px.example.com"
)

// biSeen is one request that reached the mock transport.
type biSeen struct {
	Method, Path, Query string
}

// biMockClient returns a Client on an httpmock transport that answers
// every request with status and body, so that in the bad-input tests a
// request that got through would succeed: only the SDK's own checks can
// stop it. seen returns what reached the transport.
func biMockClient(t *testing.T, status int, body string) (c *invitations.Client, mock *httpmock.MockTransport, seen func() []biSeen) {
	t.Helper()
	mock = httpmock.NewMockTransport()
	var mu sync.Mutex
	var reqs []biSeen
	mock.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		reqs = append(reqs, biSeen{Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery})
		mu.Unlock()
		resp := httpmock.NewStringResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
	c, err := invitations.NewClient(
		invitations.WithHTTPClient(&http.Client{Transport: mock}),
		invitations.WithGitGuardianAPIKey("gg-bad-input-key"),
		invitations.WithBoxAccessToken("box-bad-input-token"),
		invitations.WithFreestyleAPIKey("fs-bad-input-key"),
		invitations.WithBIMDataAccessToken("bim-bad-input-token"),
		invitations.WithPortworxBaseURL(biPortworxBase),
		invitations.WithPortworxAccessToken("px-bad-input-token"),
		invitations.WithRetryWait(0, 0),
		invitations.WithMaxRetries(0),
	)
	require.NoError(t, err)
	return c, mock, func() []biSeen {
		mu.Lock()
		defer mu.Unlock()
		return append([]biSeen(nil), reqs...)
	}
}

// biDrain ranges a pager to its first element and returns the error it
// yields; a pager that yields an item instead is an error too.
func biDrain[T any](p *invitations.Pager[T]) error {
	for _, err := range p.All() {
		if err != nil {
			return err
		}
		return errors.New("the pager yielded an item")
	}
	return errors.New("the pager yielded nothing")
}

// badInput is one call with invalid input and the parameter it must be
// reported against.
type badInput struct {
	name  string
	param string
	call  func(ctx context.Context, c *invitations.Client) error
}

// Bad values of string path parameters: each would change the route, the
// request line or the headers if it were sent as is.
var biBadStringIDs = []struct{ name, id string }{
	{"empty", ""},
	{"blank", "   "},
	{"tab only", "\t"},
	{"dot", "."},
	{"dot dot", ".."},
	{"newline", "a\nb"},
	{"trailing newline", "434534\n"},
	{"carriage return", "a\rb"},
	{"header injection", "1\r\nX-Evil: 1"},
	{"NUL", "a\x00b"},
	{"DEL", "a\x7fb"},
	{"escape sequence", "\x1b[2J"},
}

// Bad values of integer ids, which the APIs number from 1.
var biBadIntIDs = []int64{0, -1, math.MinInt64}

// Invalid addresses where an API requires an email.
var biBadEmails = []struct{ name, email string }{
	{"empty", ""},
	{"blank", "  "},
	{"no at sign", "ada.example.com"},
	{"no domain", "ada@"},
	{"no local part", "@example.com"},
	{"two at signs", "ada@b@example.com"},
	{"display name", "Ada <ada@example.com>"},
	{"angle brackets", "<ada@example.com>"},
	{"leading space", " ada@example.com"},
	{"trailing space", "ada@example.com "},
	{"trailing newline", "ada@example.com\n"},
	{"header injection", "ada@example.com\r\nBcc: eve@example.com"},
	{"two addresses", "ada@example.com, eve@example.com"},
	{"tab in quotes", "\"a\tb\"@example.com"},
	{"C1 control", "a\u0085b@example.com"},
	{"bidi override", "a\u202eb@example.com"},
	{"invalid UTF-8", "a\xffb@example.com"},
}

// Strings that are not valid as ids, names or permissions in a body or a
// query, where they would otherwise be sent as they are.
var biBadRequiredStrings = []struct{ name, v string }{
	{"empty", ""},
	{"blank", " \t "},
	{"newline", "a\nb"},
	{"NUL", "a\x00b"},
	{"line separator", "a\u2028b"},
	{"invalid UTF-8", "a\xffb"},
}

// stringIDOperation is an operation with a string path parameter, called
// with id in that parameter and valid values everywhere else.
type stringIDOperation struct {
	op    string // the fake's operation name, e.g. "box.GetGroupMembershipByID"
	param string
	// base is the mock base URL and prefix the fake's path prefix.
	base, prefix string
	// path is the escaped path below the base, "%s" standing for the id.
	path string
	// query is what the SDK itself adds to the query (paging).
	query string
	call  func(ctx context.Context, c *invitations.Client, id string) error
}

func stringIDOperations() []stringIDOperation {
	const (
		identity = invitationstest.FreestyleDemoIdentityID
		repo     = invitationstest.FreestyleDemoRepoID
		vm       = invitationstest.FreestyleDemoVMID
	)
	box := func(op, param, path, query string, call func(ctx context.Context, c *invitations.Client, id string) error) stringIDOperation {
		return stringIDOperation{op: "box." + op, param: param, base: biBoxBase, prefix: invitationstest.BoxPrefix, path: path, query: query, call: call}
	}
	fs := func(op, param, path, query string, call func(ctx context.Context, c *invitations.Client, id string) error) stringIDOperation {
		return stringIDOperation{op: "freestyle." + op, param: param, base: biFreestyleBase, prefix: invitationstest.FreestylePrefix, path: "/identity/v1/identities/" + path, query: query, call: call}
	}
	px := func(op, path string, call func(ctx context.Context, c *invitations.Client, id string) error) stringIDOperation {
		return stringIDOperation{op: "portworx." + op, param: "uid", base: biPortworxBase, prefix: invitationstest.PortworxPrefix, path: "/core/v1/invite/" + path, call: call}
	}
	gg := func(op, method string) stringIDOperation {
		return stringIDOperation{
			op: "gitguardian." + op, param: "resourceType", base: biGitGuardianBase, prefix: invitationstest.GitGuardianPrefix,
			path: "/v1/invitations/1/%s/3000",
			call: func(ctx context.Context, c *invitations.Client, id string) error {
				access := &models.ResourceInvitationAccess{InvitationID: 1, ResourceType: models.ResourceType(id), ResourceID: 3000, Permission: models.IncidentPermissionCanView}
				switch method {
				case http.MethodGet:
					_, err := c.Invitations.GetInvitationResourceAccess(ctx, 1, models.ResourceType(id), 3000)
					return err
				case http.MethodPut:
					_, err := c.Invitations.SetInvitationResourceAccess(ctx, access)
					return err
				}
				return c.Invitations.RevokeInvitationResourceAccess(ctx, access)
			},
		}
	}
	role := &models.UpdateGroupMembershipRequest{Role: models.GroupMembershipRoleAdmin}
	read := models.GitAccessLevelRead
	anyUser := &models.UpdateAllowedUsersRequest{AllowedUsers: models.Null[[]string]()}
	return []stringIDOperation{
		gg("GetInvitationResourceAccess", http.MethodGet),
		gg("SetInvitationResourceAccess", http.MethodPut),
		gg("RevokeInvitationResourceAccess", http.MethodDelete),

		box("GetUserMemberships", "userID", "/users/%s/memberships", "offset=0", func(ctx context.Context, c *invitations.Client, id string) error {
			return biDrain(c.Memberships.GetUserMemberships(ctx, id, nil))
		}),
		box("GetGroupMemberships", "groupID", "/groups/%s/memberships", "offset=0", func(ctx context.Context, c *invitations.Client, id string) error {
			return biDrain(c.Memberships.GetGroupMemberships(ctx, id, nil))
		}),
		box("GetGroupMembershipByID", "groupMembershipID", "/group_memberships/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Memberships.GetGroupMembershipByID(ctx, id, nil)
			return err
		}),
		box("UpdateGroupMembershipByID", "groupMembershipID", "/group_memberships/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Memberships.UpdateGroupMembershipByID(ctx, id, role, nil)
			return err
		}),
		box("DeleteGroupMembershipByID", "groupMembershipID", "/group_memberships/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Memberships.DeleteGroupMembershipByID(ctx, id)
		}),

		fs("DeleteIdentity", "identityID", "%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.DeleteIdentity(ctx, id)
		}),
		fs("ListGitPermissions", "identityID", "%s/permissions/git", "offset=0", func(ctx context.Context, c *invitations.Client, id string) error {
			return biDrain(c.Identity.ListGitPermissions(ctx, id, nil))
		}),
		fs("DescribeGitPermission", "identityID", "%s/permissions/git/"+repo, "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.DescribeGitPermission(ctx, id, repo)
			return err
		}),
		fs("DescribeGitPermission", "repoID", identity+"/permissions/git/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.DescribeGitPermission(ctx, identity, id)
			return err
		}),
		fs("GrantGitPermission", "identityID", "%s/permissions/git/"+repo, "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.GrantGitPermission(ctx, id, repo, &models.GrantGitPermissionRequest{Permission: read})
		}),
		fs("GrantGitPermission", "repoID", identity+"/permissions/git/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.GrantGitPermission(ctx, identity, id, &models.GrantGitPermissionRequest{Permission: read})
		}),
		fs("UpdateGitPermission", "identityID", "%s/permissions/git/"+repo, "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.UpdateGitPermission(ctx, id, repo, &models.UpdateGitPermissionRequest{Permission: read})
		}),
		fs("UpdateGitPermission", "repoID", identity+"/permissions/git/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.UpdateGitPermission(ctx, identity, id, &models.UpdateGitPermissionRequest{Permission: read})
		}),
		fs("RevokeGitPermission", "identityID", "%s/permissions/git/"+repo, "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeGitPermission(ctx, id, repo)
		}),
		fs("RevokeGitPermission", "repoID", identity+"/permissions/git/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeGitPermission(ctx, identity, id)
		}),
		fs("ListVMPermissions", "identityID", "%s/permissions/vm", "offset=0", func(ctx context.Context, c *invitations.Client, id string) error {
			return biDrain(c.Identity.ListVMPermissions(ctx, id, nil))
		}),
		fs("DescribeVMPermission", "identityID", "%s/permissions/vm/"+vm, "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.DescribeVMPermission(ctx, id, vm)
			return err
		}),
		fs("DescribeVMPermission", "vmID", identity+"/permissions/vm/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.DescribeVMPermission(ctx, identity, id)
			return err
		}),
		fs("GrantVMPermission", "identityID", "%s/permissions/vm/"+vm, "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.GrantVMPermission(ctx, id, vm, nil)
			return err
		}),
		fs("GrantVMPermission", "vmID", identity+"/permissions/vm/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.GrantVMPermission(ctx, identity, id, nil)
			return err
		}),
		fs("UpdateAllowedUsers", "identityID", "%s/permissions/vm/"+vm, "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.UpdateAllowedUsers(ctx, id, vm, anyUser)
			return err
		}),
		fs("UpdateAllowedUsers", "vmID", identity+"/permissions/vm/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.UpdateAllowedUsers(ctx, identity, id, anyUser)
			return err
		}),
		fs("RevokeVMPermission", "identityID", "%s/permissions/vm/"+vm, "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeVMPermission(ctx, id, vm)
		}),
		fs("RevokeVMPermission", "vmID", identity+"/permissions/vm/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeVMPermission(ctx, identity, id)
		}),
		fs("ListGitTokens", "identityID", "%s/tokens", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.ListGitTokens(ctx, id)
			return err
		}),
		fs("CreateGitToken", "identityID", "%s/tokens", "", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.Identity.CreateGitToken(ctx, id)
			return err
		}),
		fs("RevokeGitToken", "identityID", "%s/tokens/tok-1", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeGitToken(ctx, id, "tok-1")
		}),
		fs("RevokeGitToken", "tokenID", identity+"/tokens/%s", "", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.Identity.RevokeGitToken(ctx, identity, id)
		}),

		px("DeleteInvitation", "%s", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.AccountInvitations.DeleteInvitation(ctx, id, nil)
		}),
		px("GetInvitation", "%s", func(ctx context.Context, c *invitations.Client, id string) error {
			_, err := c.AccountInvitations.GetInvitation(ctx, id)
			return err
		}),
		px("NotifyUser", "%s:notify", func(ctx context.Context, c *invitations.Client, id string) error {
			return c.AccountInvitations.NotifyUser(ctx, id)
		}),
	}
}

// intIDOperations are the operations with an integer path parameter.
func intIDOperations() []badInput {
	type op struct {
		name, param string
		call        func(ctx context.Context, c *invitations.Client, id int64) error
	}
	access := func(invitationID, resourceID int64) *models.ResourceInvitationAccess {
		return &models.ResourceInvitationAccess{InvitationID: invitationID, ResourceType: models.ResourceTypeSecretIncidents, ResourceID: resourceID, Permission: models.IncidentPermissionCanEdit}
	}
	ops := []op{
		{"Invitations.DeleteInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.Invitations.DeleteInvitation(ctx, id)
		}},
		{"Invitations.ResendInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.ResendInvitation(ctx, id)
			return err
		}},
		{"Invitations.GetInvitationResourceAccess", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.GetInvitationResourceAccess(ctx, id, models.ResourceTypeSecretIncidents, 3000)
			return err
		}},
		{"Invitations.GetInvitationResourceAccess", "resourceID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.GetInvitationResourceAccess(ctx, 1, models.ResourceTypeSecretIncidents, id)
			return err
		}},
		{"Invitations.SetInvitationResourceAccess", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.SetInvitationResourceAccess(ctx, access(id, 3000))
			return err
		}},
		{"Invitations.SetInvitationResourceAccess", "resourceID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.SetInvitationResourceAccess(ctx, access(1, id))
			return err
		}},
		{"Invitations.RevokeInvitationResourceAccess", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.Invitations.RevokeInvitationResourceAccess(ctx, access(id, 3000))
		}},
		{"Invitations.RevokeInvitationResourceAccess", "resourceID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.Invitations.RevokeInvitationResourceAccess(ctx, access(1, id))
		}},
		{"Invitations.ListInvitationSecretIncidentAccess", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return biDrain(c.Invitations.ListInvitationSecretIncidentAccess(ctx, id, nil))
		}},
		{"Invitations.GetInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Invitations.GetInvitation(ctx, id)
			return err
		}},
		{"Members.GetMember", "memberID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Members.GetMember(ctx, id)
			return err
		}},
		{"Members.UpdateMember", "memberID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.Members.UpdateMember(ctx, id, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelMember}, nil)
			return err
		}},
		{"Members.DeleteMember", "memberID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.Members.DeleteMember(ctx, id, nil)
		}},
		{"SSO.AcceptInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.SSO.AcceptInvitation(ctx, id)
		}},
		{"SSO.DenyInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			return c.SSO.DenyInvitation(ctx, id)
		}},
		{"SSO.GetInvitation", "invitationID", func(ctx context.Context, c *invitations.Client, id int64) error {
			_, err := c.SSO.GetInvitation(ctx, id)
			return err
		}},
	}
	var rows []badInput
	for _, o := range ops {
		for _, id := range biBadIntIDs {
			rows = append(rows, badInput{
				name:  fmt.Sprintf("%s/%s=%d", o.name, o.param, id),
				param: o.param,
				call:  func(ctx context.Context, c *invitations.Client) error { return o.call(ctx, c, id) },
			})
		}
	}
	return rows
}

// optionAndBodyInputs are the invalid options, bodies and request options.
func optionAndBodyInputs() []badInput {
	var rows []badInput
	add := func(name, param string, call func(ctx context.Context, c *invitations.Client) error) {
		rows = append(rows, badInput{name: name, param: param, call: call})
	}

	// GitGuardian: per_page is 1..100 (0 leaves the server default).
	for _, n := range []int{-1, 101, 1000, math.MinInt} {
		add(fmt.Sprintf("Invitations.ListInvitations/PerPage=%d", n), "PerPage", func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: n}))
		})
		add(fmt.Sprintf("Members.ListMembers/PerPage=%d", n), "PerPage", func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: n}))
		})
		add(fmt.Sprintf("Invitations.ListInvitationSecretIncidentAccess/PerPage=%d", n), "PerPage", func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Invitations.ListInvitationSecretIncidentAccess(ctx, 1, &invitations.ListInvitationSecretIncidentAccessOptions{PerPage: n}))
		})
	}
	add("Invitations.CreateInvitations/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.CreateInvitations(ctx, nil, nil)
		return err
	})
	for _, e := range biBadEmails {
		add("Invitations.CreateInvitations/email "+e.name, "email", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: e.email, AccessLevel: models.AccessLevelMember}, nil)
			return err
		})
	}
	for name, body := range map[string]*models.UpdateMemberRequest{"nil body": nil, "empty body": {}} {
		add("Members.UpdateMember/"+name, "body", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Members.UpdateMember(ctx, invitationstest.GitGuardianDemoMemberID, body, nil)
			return err
		})
	}
	add("Members.UpdateMember/owner", "body.AccessLevel", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Members.UpdateMember(ctx, invitationstest.GitGuardianDemoMemberID, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelOwner}, nil)
		return err
	})
	add("Invitations.SetInvitationResourceAccess/nil access", "access", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Invitations.SetInvitationResourceAccess(ctx, nil)
		return err
	})
	for _, s := range biBadRequiredStrings {
		add("Invitations.SetInvitationResourceAccess/permission "+s.name, "access.Permission", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Invitations.SetInvitationResourceAccess(ctx, &models.ResourceInvitationAccess{
				InvitationID: 1, ResourceType: models.ResourceTypeSecretIncidents, ResourceID: 3000, Permission: models.IncidentPermissionEnum(s.v),
			})
			return err
		})
	}
	add("Invitations.RevokeInvitationResourceAccess/nil access", "access", func(ctx context.Context, c *invitations.Client) error {
		return c.Invitations.RevokeInvitationResourceAccess(ctx, nil)
	})

	// Box: limit is 1..1000 (0 for the default), offset 0..9999.
	boxLists := map[string]func(ctx context.Context, c *invitations.Client, o *invitations.ListMembershipsOptions) error{
		"Memberships.GetUsers": func(ctx context.Context, c *invitations.Client, o *invitations.ListMembershipsOptions) error {
			return biDrain(c.Memberships.GetUsers(ctx, &invitations.GetUsersOptions{Limit: o.Limit, Offset: o.Offset}))
		},
		"Memberships.GetGroups": func(ctx context.Context, c *invitations.Client, o *invitations.ListMembershipsOptions) error {
			return biDrain(c.Memberships.GetGroups(ctx, &invitations.GetGroupsOptions{Limit: o.Limit, Offset: o.Offset}))
		},
		"Memberships.GetUserMemberships": func(ctx context.Context, c *invitations.Client, o *invitations.ListMembershipsOptions) error {
			return biDrain(c.Memberships.GetUserMemberships(ctx, invitationstest.BoxDemoUserID, o))
		},
		"Memberships.GetGroupMemberships": func(ctx context.Context, c *invitations.Client, o *invitations.ListMembershipsOptions) error {
			return biDrain(c.Memberships.GetGroupMemberships(ctx, invitationstest.BoxDemoGroupID, o))
		},
	}
	for name, list := range boxLists {
		for _, o := range []struct {
			param string
			opts  invitations.ListMembershipsOptions
		}{
			{"Limit", invitations.ListMembershipsOptions{Limit: 1001}},
			{"Limit", invitations.ListMembershipsOptions{Limit: math.MaxInt64}},
			{"Limit", invitations.ListMembershipsOptions{Limit: -1}},
			{"Offset", invitations.ListMembershipsOptions{Offset: -1}},
			{"Offset", invitations.ListMembershipsOptions{Offset: 10000}},
			{"Offset", invitations.ListMembershipsOptions{Limit: 1000, Offset: math.MaxInt64}},
		} {
			add(fmt.Sprintf("%s/%+v", name, o.opts), o.param, func(ctx context.Context, c *invitations.Client) error {
				return list(ctx, c, &o.opts)
			})
		}
	}
	add("Memberships.CreateGroupMembership/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.CreateGroupMembership(ctx, nil, nil)
		return err
	})
	for _, s := range biBadRequiredStrings {
		add("Memberships.CreateGroupMembership/user "+s.name, "user.id", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: s.v}, Group: models.Ref{ID: "57645"}}, nil)
			return err
		})
		add("Memberships.CreateGroupMembership/group "+s.name, "group.id", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Memberships.CreateGroupMembership(ctx, &models.CreateGroupMembershipRequest{User: models.Ref{ID: "1434325"}, Group: models.Ref{ID: s.v}}, nil)
			return err
		})
	}
	add("Memberships.UpdateGroupMembershipByID/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Memberships.UpdateGroupMembershipByID(ctx, "434534", nil, nil)
		return err
	})

	// Freestyle: limit and offset are at least 0.
	for _, o := range []struct {
		param         string
		limit, offset int64
	}{{"Limit", -1, 0}, {"Limit", math.MinInt64, 0}, {"Offset", 0, -1}, {"Offset", 10, math.MinInt64}} {
		suffix := fmt.Sprintf("/limit=%d,offset=%d", o.limit, o.offset)
		add("Identity.ListIdentities"+suffix, o.param, func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Identity.ListIdentities(ctx, &invitations.ListIdentitiesOptions{Limit: o.limit, Offset: o.offset}))
		})
		add("Identity.ListGitPermissions"+suffix, o.param, func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Identity.ListGitPermissions(ctx, invitationstest.FreestyleDemoIdentityID, &invitations.ListGitPermissionsOptions{Limit: o.limit, Offset: o.offset}))
		})
		add("Identity.ListVMPermissions"+suffix, o.param, func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Identity.ListVMPermissions(ctx, invitationstest.FreestyleDemoIdentityID, &invitations.ListVMPermissionsOptions{Limit: o.limit, Offset: o.offset}))
		})
	}
	const identity, repo, vm = invitationstest.FreestyleDemoIdentityID, invitationstest.FreestyleDemoRepoID, invitationstest.FreestyleDemoVMID
	add("Identity.GrantGitPermission/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.GrantGitPermission(ctx, identity, repo, nil)
	})
	add("Identity.UpdateGitPermission/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		return c.Identity.UpdateGitPermission(ctx, identity, repo, nil)
	})
	for _, s := range biBadRequiredStrings {
		add("Identity.GrantGitPermission/permission "+s.name, "permission", func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.GrantGitPermission(ctx, identity, repo, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevel(s.v)})
		})
		add("Identity.UpdateGitPermission/permission "+s.name, "permission", func(ctx context.Context, c *invitations.Client) error {
			return c.Identity.UpdateGitPermission(ctx, identity, repo, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevel(s.v)})
		})
		add("Identity.GrantVMPermission/allowed user "+s.name, "allowedUsers[1]", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Identity.GrantVMPermission(ctx, identity, vm, &models.GrantVMPermissionRequest{AllowedUsers: models.Value([]string{"alice", s.v})})
			return err
		})
		add("Identity.UpdateAllowedUsers/allowed user "+s.name, "allowedUsers[0]", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.Identity.UpdateAllowedUsers(ctx, identity, vm, &models.UpdateAllowedUsersRequest{AllowedUsers: models.Value([]string{s.v})})
			return err
		})
	}
	add("Identity.UpdateAllowedUsers/nil body", "body", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.UpdateAllowedUsers(ctx, identity, vm, nil)
		return err
	})
	add("Identity.UpdateAllowedUsers/allowedUsers absent", "allowedUsers", func(ctx context.Context, c *invitations.Client) error {
		_, err := c.Identity.UpdateAllowedUsers(ctx, identity, vm, &models.UpdateAllowedUsersRequest{})
		return err
	})

	// BIMData: DeleteUser names the user by email.
	for _, e := range biBadEmails {
		add("SSO.DeleteUser/email "+e.name, "email", func(ctx context.Context, c *invitations.Client) error {
			return c.SSO.DeleteUser(ctx, e.email)
		})
	}

	// Portworx: exactly one scope, a valid email, a tenant to list.
	policy := models.PortworxAccessPolicy{Tenant: []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{invitationstest.PortworxDemoTenantID}}}}
	invite := func(email, account, tenant, project string) *models.PortworxInvitation {
		return &models.PortworxInvitation{Config: &models.PortworxInvitationConfig{
			UserEmail: email, AccessPolicy: policy, AccountID: account, TenantID: tenant, ProjectID: project,
		}}
	}
	pxCreate := func(name, param string, inv *models.PortworxInvitation) {
		add("AccountInvitations.CreateInvitation/"+name, param, func(ctx context.Context, c *invitations.Client) error {
			_, err := c.AccountInvitations.CreateInvitation(ctx, inv)
			return err
		})
	}
	pxCreate("nil invitation", "invitation", nil)
	pxCreate("nil config", "invitation.config", &models.PortworxInvitation{Meta: &models.PortworxMeta{Name: "x"}})
	pxCreate("no scope", "invitation.config.accountId|tenantId|projectId", invite("ada@example.com", "", "", ""))
	pxCreate("account and tenant", "invitation.config.tenantId", invite("ada@example.com", "acct", "tenant", ""))
	pxCreate("tenant and project", "invitation.config.projectId", invite("ada@example.com", "", "tenant", "project"))
	pxCreate("account and project", "invitation.config.projectId", invite("ada@example.com", "acct", "", "project"))
	pxCreate("all three scopes", "invitation.config.tenantId", invite("ada@example.com", "acct", "tenant", "project"))
	for _, s := range biBadRequiredStrings[1:] { // "" means "not set", covered by "no scope"
		pxCreate("tenant "+s.name, "invitation.config.tenantId", invite("ada@example.com", "", s.v, ""))
	}
	for _, e := range biBadEmails {
		pxCreate("email "+e.name, "invitation.config.userEmail", invite(e.email, "", invitationstest.PortworxDemoTenantID, ""))
	}
	for _, s := range biBadRequiredStrings {
		add("AccountInvitations.ListInvitations/tenantUID "+s.name, "tenantUID", func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.AccountInvitations.ListInvitations(ctx, s.v, nil))
		})
		add("AccountInvitations.AcceptInvitation/accountID "+s.name, "accountID", func(ctx context.Context, c *invitations.Client) error {
			_, err := c.AccountInvitations.AcceptInvitation(ctx, s.v)
			return err
		})
	}
	for _, s := range biBadRequiredStrings[1:] { // "" leaves the option unset
		add("AccountInvitations.DeleteInvitation/ProjectID "+s.name, "ProjectID", func(ctx context.Context, c *invitations.Client) error {
			return c.AccountInvitations.DeleteInvitation(ctx, invitationstest.PortworxDemoInvitationUID, &invitations.DeleteAccountInvitationOptions{ProjectID: s.v})
		})
	}
	for _, o := range []struct {
		param string
		opts  invitations.ListAccountInvitationsOptions
	}{
		{"PageNumber", invitations.ListAccountInvitationsOptions{PageNumber: -1}},
		{"PageNumber", invitations.ListAccountInvitationsOptions{PageNumber: math.MinInt64, PageSize: 10}},
		{"PageSize", invitations.ListAccountInvitationsOptions{PageSize: -1}},
	} {
		add(fmt.Sprintf("AccountInvitations.ListInvitations/%+v", o.opts), o.param, func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.AccountInvitations.ListInvitations(ctx, invitationstest.PortworxDemoTenantID, &o.opts))
		})
	}

	// Request options: a header value or name that would inject, or a
	// header the SDK owns.
	for _, o := range []struct {
		name, param string
		opt         invitations.RequestOption
	}{
		{"As-User with CRLF", "WithHeader As-User", invitations.WithBoxAsUser("1\r\nX-Evil: 1")},
		{"As-User non-ASCII", "WithHeader As-User", invitations.WithBoxAsUser("usér")},
		{"header value with LF", "WithHeader X-Trace", invitations.WithHeader("X-Trace", "a\nb")},
		{"header name with space", "WithHeader key", invitations.WithHeader("X Trace", "1")},
		{"header name with colon", "WithHeader key", invitations.WithHeader("X-Trace:", "1")},
		{"empty header name", "WithHeader key", invitations.WithHeader("", "1")},
		{"Authorization", "WithHeader Authorization", invitations.WithHeader("authorization", "Bearer other")},
		{"Host", "WithHeader Host", invitations.WithHeader("Host", "evil.example.com")},
		{"nil CaptureResponse", "CaptureResponse", invitations.CaptureResponse(nil)},
	} {
		add("Memberships.DeleteGroupMembershipByID/"+o.name, o.param, func(ctx context.Context, c *invitations.Client) error {
			return c.Memberships.DeleteGroupMembershipByID(ctx, "434534", o.opt)
		})
		add("Memberships.GetGroupMemberships/"+o.name, o.param, func(ctx context.Context, c *invitations.Client) error {
			return biDrain(c.Memberships.GetGroupMemberships(ctx, invitationstest.BoxDemoGroupID, nil, o.opt))
		})
		add("AccountInvitations.CreateInvitation/"+o.name, o.param, func(ctx context.Context, c *invitations.Client) error {
			_, err := c.AccountInvitations.CreateInvitation(ctx, invite("ada@example.com", "", invitationstest.PortworxDemoTenantID, ""), o.opt)
			return err
		})
	}

	// A nil context, on one call of each API and on operations that take
	// no other input.
	var nilCtx context.Context
	for name, call := range map[string]func(c *invitations.Client) error{
		"Invitations.ListInvitations": func(c *invitations.Client) error {
			return biDrain(c.Invitations.ListInvitations(nilCtx, nil))
		},
		"Memberships.DeleteGroupMembershipByID": func(c *invitations.Client) error {
			return c.Memberships.DeleteGroupMembershipByID(nilCtx, "434534")
		},
		"Identity.CreateIdentity": func(c *invitations.Client) error {
			_, err := c.Identity.CreateIdentity(nilCtx)
			return err
		},
		"SSO.GetInvitations": func(c *invitations.Client) error {
			_, err := c.SSO.GetInvitations(nilCtx, nil)
			return err
		},
		"AccountInvitations.ListInvitations": func(c *invitations.Client) error {
			return biDrain(c.AccountInvitations.ListInvitations(nilCtx, invitationstest.PortworxDemoTenantID, nil))
		},
	} {
		add(name+"/nil context", "ctx", func(_ context.Context, c *invitations.Client) error { return call(c) })
	}
	return rows
}

// allBadInputs is every row of the bad-input table.
func allBadInputs() []badInput {
	var rows []badInput
	for _, op := range stringIDOperations() {
		for _, bad := range biBadStringIDs {
			rows = append(rows, badInput{
				name:  op.op + "/" + op.param + " " + bad.name,
				param: op.param,
				call:  func(ctx context.Context, c *invitations.Client) error { return op.call(ctx, c, bad.id) },
			})
		}
	}
	rows = append(rows, intIDOperations()...)
	return append(rows, optionAndBodyInputs()...)
}

// assertValidationError checks that err is the *ValidationError of param,
// matching ErrInvalidParameter, and that its message cannot carry a line
// break or other control character into a log.
func assertValidationError(t *testing.T, err error, param string) {
	t.Helper()
	var verr *invitations.ValidationError
	if !assert.ErrorAs(t, err, &verr) {
		return
	}
	assert.ErrorIs(t, err, invitations.ErrInvalidParameter)
	assert.Equal(t, param, verr.Param)
	assert.NotEmpty(t, verr.Reason)
	assert.Contains(t, err.Error(), param)
	assert.False(t, strings.ContainsFunc(err.Error(), func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 }),
		"the message never echoes control characters: %q", err.Error())
}

func TestBadInputIsRejectedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	rows := allBadInputs()
	require.Greater(t, len(rows), 300)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			c, mock, _ := biMockClient(t, http.StatusOK, `{}`)
			err := row.call(t.Context(), c)
			assertValidationError(t, err, row.param)
			assert.Zero(t, mock.GetTotalCallCount(), "requests sent")
		})
	}
}

// The same table against the fake: nothing reaches it at all.
func TestBadInputNeverReachesTheFake(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewTestServer(t, invitationstest.WithDemoData())
	c, err := srv.Client(invitations.WithRetryWait(0, 0))
	require.NoError(t, err)
	rows := allBadInputs()
	for _, row := range rows {
		assertValidationError(t, row.call(t.Context(), c), row.param)
	}
	assert.Zero(t, srv.RequestCount(""), "requests that reached the fake")
	t.Logf("%d bad inputs, %d requests reached the fake", len(rows), srv.RequestCount(""))
}

// Free-form ids (Box ids, Freestyle ids, Portworx uids, GitGuardian
// resource types) with the characters that could change a route, and the
// exact segment each must be sent as.
var biFreeFormIDs = []struct{ name, id, escaped string }{
	{"slash", "a/b", "a%2Fb"},
	{"traversal", "../../admin", "..%2F..%2Fadmin"},
	{"query", "a?x=1&y=2", "a%3Fx=1&y=2"},
	{"fragment", "a#frag", "a%23frag"},
	{"percent", "100%", "100%25"},
	{"escaped traversal", "%2e%2e%2f", "%252e%252e%252f"},
	{"custom verb", "x:notify", "x%3Anotify"},
	{"colons", "urn:a:b", "urn%3Aa%3Ab"},
	{"space", "a b", "a%20b"},
	{"non-ASCII", "é漢字", "%C3%A9%E6%BC%A2%E5%AD%97"},
	{"emoji", "id😀", "id%F0%9F%98%80"},
	{"semicolon and comma", "a;b,c", "a%3Bb%2Cc"},
	{"backslash", `a\b`, "a%5Cb"},
	{"sub-delims", "a+b=c&d@e$f", "a+b=c&d@e$f"},
	{"brackets and quotes", `[a]{b}<c>"d"'e'`, "%5Ba%5D%7Bb%7D%3Cc%3E%22d%22%27e%27"},
	{"leading space", " a", "%20a"},
}

func TestFreeFormIDsAreEscapedIntoTheirSegment(t *testing.T) {
	t.Parallel()
	for _, op := range stringIDOperations() {
		for _, id := range biFreeFormIDs {
			t.Run(op.op+"/"+op.param+"/"+id.name, func(t *testing.T) {
				t.Parallel()
				c, _, seen := biMockClient(t, http.StatusNotFound, `{}`)
				err := op.call(t.Context(), c, id.id)
				require.ErrorIs(t, err, invitations.ErrNotFound)
				reqs := seen()
				require.Len(t, reqs, 1)
				base, err := url.Parse(op.base)
				require.NoError(t, err)
				assert.Equal(t, base.Path+fmt.Sprintf(op.path, id.escaped), reqs[0].Path)
				assert.Equal(t, op.query, reqs[0].Query, "the id adds nothing to the query")
			})
		}
	}
}

// Against the fake, each such id reaches the operation it was meant for,
// never a neighbour (Portworx's ":notify" verb, another resource), and
// that operation answers it as an unknown id.
func TestFreeFormIDsReachOnlyTheIntendedOperation(t *testing.T) {
	t.Parallel()
	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	c, err := srv.Client(invitations.WithRetryWait(0, 0))
	require.NoError(t, err)
	calls := 0
	for _, op := range stringIDOperations() {
		for _, id := range biFreeFormIDs {
			srv.ClearRequests()
			err := op.call(t.Context(), c, id.id)
			calls++
			// Most of these ids are unknown to the fake (404); a grant on
			// a VM the fake has never seen succeeds, as it would for real.
			var apiErr *invitations.APIError
			if err != nil && assert.ErrorAs(t, err, &apiErr, "%s %q", op.op, id.id) {
				assert.Equal(t, http.StatusNotFound, apiErr.StatusCode, "%s %q: %v", op.op, id.id, err)
			}
			reqs := srv.Requests()
			if assert.Len(t, reqs, 1, "%s %q", op.op, id.id) {
				assert.Equal(t, op.op, string(reqs[0].Operation), "%q", id.id)
				assert.Equal(t, op.prefix+fmt.Sprintf(op.path, id.escaped), reqs[0].Path)
				assert.Equal(t, op.query, reqs[0].RawQuery)
			}
		}
	}
	assert.Zero(t, srv.PortworxNotifications(""), "no id ever reached the notify verb by accident")
	t.Logf("%d calls with free-form ids, each reached only its own operation", calls)
}
