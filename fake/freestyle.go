package fake

import (
	"crypto/rand"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// FreestyleAccountID is the Freestyle account the fake's API key belongs
// to: the accountId of its repositories and the grantedBy of every VM
// permission it grants.
const FreestyleAccountID = "3d07c219-0a88-45be-9cfc-91e9d095a1e9"

// Demo Freestyle ids (WithDemoData): an identity with git permissions,
// VM permissions and tokens to look at, and a managed identity.
const (
	// FreestyleDemoIdentityID is the demo identity with write access to
	// FreestyleDemoRepoID and six other repositories, five VM permissions
	// (FreestyleDemoVMID among them) and two access tokens.
	FreestyleDemoIdentityID = "10a80a7a-1a32-4a74-b592-aa2a4ef691c5"
	// FreestyleDemoManagedIdentityID is a demo identity managed by
	// Freestyle: listed only with includeManaged=true, and it cannot be
	// deleted (403 CANNOT_DELETE_MANAGED_IDENTITY) or modified (403
	// CANNOT_MODIFY_MANAGED_IDENTITY).
	FreestyleDemoManagedIdentityID = "5c1d7a4b-3e2f-4a9b-8c7d-6e5f4a3b2c1d"
	// FreestyleDemoRepoID is the demo repository "customer-42-site".
	FreestyleDemoRepoID = "2a069b2f-9d5f-47ed-b067-aeca843a01ba"
	// FreestyleDemoVMID is a demo VM on which FreestyleDemoIdentityID may
	// act as the Linux users "alice" and "bob".
	FreestyleDemoVMID = "k3x9q2"
)

// freestyleDefaultLimit is the page size of the Freestyle lists when the
// request names none. The API documents neither a default nor a maximum,
// so the fake applies no maximum: a client asking for a large page gets
// it whole, and a short git-permissions page always means the end.
const freestyleDefaultLimit = 50

// freestyleStore is the fake Freestyle account.
type freestyleStore struct {
	next int64 // counter behind generated ids
	// identities are the account's identities in the order they were
	// created, and unmanaged those of them Freestyle does not manage (what
	// the list shows by default). A deleted identity stays in both, marked
	// gone, until the next list compacts them: a delete costs no scan, and
	// a list of pages pays for the deletes before it once.
	identities []*freestyleIdentity
	unmanaged  []*freestyleIdentity
	gone       int                           // identities marked gone, not yet compacted
	byID       map[string]*freestyleIdentity // the identities not gone
	// owners are the demo identities' people, by email (DemoFreestyleOwners).
	owners map[string]string
	// repos are the account's named repositories. Any other id shaped like
	// a UUID is taken for an unnamed private repository of the account:
	// repositories are created by the git API, which the fake does not
	// serve.
	repos map[string]freestyleRepo
}

// freestyleIdentity is one identity with everything granted to it, each
// list in the order it was granted or created.
type freestyleIdentity struct {
	models.FreestyleIdentity
	tokens []string // token ids; the secrets are not kept
	git    []freestyleGitGrant
	vms    []*models.VMPermission
	gone   bool // deleted; still in the store's lists until they compact
}

type freestyleGitGrant struct {
	repo  string
	level models.GitAccessLevel
}

type freestyleRepo struct {
	name       *string
	visibility models.RepositoryVisibility
}

// newFreestyle builds the Freestyle store and how the fake serves it.
func (f *Fake) newFreestyle() *vendor {
	s := &freestyleStore{repos: map[string]freestyleRepo{}, byID: map[string]*freestyleIdentity{}}
	f.fs = s
	if f.demo {
		s.seed(f.now())
	}
	return &vendor{
		api:           invitations.Freestyle,
		prefix:        FreestylePrefix,
		authorization: []string{"Bearer " + FreestyleAPIKey},
		errorBody: func(status int, _, message string) any {
			if status == http.StatusUnauthorized {
				message = "Invalid or missing API key."
			}
			return freestyleError(freestyleStatusCode(status), message)
		},
		demo: func() map[string]string {
			return map[string]string{
				"identity_id": FreestyleDemoIdentityID, "managed_identity_id": FreestyleDemoManagedIdentityID,
				"repo_id": FreestyleDemoRepoID, "vm_id": FreestyleDemoVMID,
			}
		},
		handlers: map[string]handler{
			"ListIdentities": s.listIdentities,
			"CreateIdentity": func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				writeJSON(w, http.StatusOK, s.addIdentity(s.newID(1), false).FreestyleIdentity)
			},
			"DeleteIdentity":        s.deleteIdentity,
			"ListGitPermissions":    s.listGitPermissions,
			"DescribeGitPermission": s.describeGitPermission,
			"GrantGitPermission":    s.grantGitPermission,
			"UpdateGitPermission":   s.updateGitPermission,
			"RevokeGitPermission":   s.revokeGitPermission,
			"ListVMPermissions":     s.listVMPermissions,
			"DescribeVMPermission":  s.describeVMPermission,
			"GrantVMPermission": func(w http.ResponseWriter, r *http.Request, body []byte) {
				s.grantVMPermission(w, r, body, f.now())
			},
			"UpdateAllowedUsers": s.updateAllowedUsers,
			"RevokeVMPermission": s.revokeVMPermission,
			"ListGitTokens":      s.listGitTokens,
			"CreateGitToken":     s.createGitToken,
			"RevokeGitToken":     s.revokeGitToken,
		},
	}
}

// seed creates 150 identities of the account and 3 managed ones, a
// catalogue of repositories, and permissions and tokens on a few
// identities, FreestyleDemoIdentityID above all.
func (s *freestyleStore) seed(now time.Time) {
	name := func(n string) *string { return &n }
	repoIDs := []string{FreestyleDemoRepoID, "7f3e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f"}
	s.repos[repoIDs[0]] = freestyleRepo{name: name("customer-42-site"), visibility: models.RepositoryVisibilityPrivate}
	s.repos[repoIDs[1]] = freestyleRepo{visibility: models.RepositoryVisibilityPublic} // a repository without a name
	for i, n := range []string{"marketing-site", "docs", "api-server", "design-system", "infra", "playground"} {
		id := fmt.Sprintf("2e90517e-%04x-4000-8000-%012x", i+1, i+1)
		vis := models.RepositoryVisibilityPrivate
		if i%3 == 1 {
			vis = models.RepositoryVisibilityPublic
		}
		s.repos[id] = freestyleRepo{name: name(n), visibility: vis}
		repoIDs = append(repoIDs, id)
	}

	demo := s.addIdentity(FreestyleDemoIdentityID, false)
	s.owners = map[string]string{DemoPersonEmail: FreestyleDemoIdentityID}
	for i, repo := range repoIDs[:7] {
		level := models.GitAccessLevelRead
		if i%2 == 0 {
			level = models.GitAccessLevelWrite
		}
		demo.git = append(demo.git, freestyleGitGrant{repo: repo, level: level})
	}
	users := [][]string{{"alice", "bob"}, nil, {"root"}, {}, nil}
	for i, vmID := range []string{FreestyleDemoVMID, "p8w1z7", "m2c7r4", "t9v5n1", "b4h8s6"} {
		demo.vms = append(demo.vms, s.newVMPermission(vmID, demo.ID, allowedUsersOf(users[i]), now.Add(-time.Duration(5-i)*24*time.Hour)))
	}
	demo.tokens = []string{s.newID(3), s.newID(3)}

	for i := 1; i < 150; i++ {
		if i%50 == 0 {
			id := s.newID(1)
			if i == 50 {
				id = FreestyleDemoManagedIdentityID
			}
			managed := s.addIdentity(id, true)
			managed.git = append(managed.git, freestyleGitGrant{repo: repoIDs[i/50%len(repoIDs)], level: models.GitAccessLevelRead})
		}
		ident := s.addIdentity(s.newID(1), false)
		s.owners[fmt.Sprintf("user%03d@example.com", i+1)] = ident.ID
		if i%25 == 0 {
			ident.git = append(ident.git, freestyleGitGrant{repo: FreestyleDemoRepoID, level: models.GitAccessLevelRead})
			ident.vms = append(ident.vms, s.newVMPermission(FreestyleDemoVMID, ident.ID, models.Null[[]string](), now.Add(-time.Duration(i)*time.Hour)))
			ident.tokens = append(ident.tokens, s.newID(3))
		}
	}
	s.addIdentity(s.newID(1), true)
}

// allowedUsersOf is the stored form of an allowedUsers list: nil is null
// (every user), any other slice is that list, copied.
func allowedUsersOf(users []string) models.Nullable[[]string] {
	if users == nil {
		return models.Null[[]string]()
	}
	return models.Value(append([]string{}, users...))
}

// newID returns a fresh id shaped like a UUID; kind keeps the ids of
// identities (1), VM permissions (2) and tokens (3) apart at a glance.
func (s *freestyleStore) newID(kind int) string {
	s.next++
	return fmt.Sprintf("f5e1de00-%04x-4000-8000-%012x", kind, s.next)
}

func (s *freestyleStore) addIdentity(id string, managed bool) *freestyleIdentity {
	ident := &freestyleIdentity{FreestyleIdentity: models.FreestyleIdentity{ID: id, Managed: managed}}
	s.identities = append(s.identities, ident)
	if !managed {
		s.unmanaged = append(s.unmanaged, ident)
	}
	s.byID[id] = ident
	return ident
}

// removeIdentity deletes ident: gone from the index now, from the lists
// at their next compaction.
func (s *freestyleStore) removeIdentity(ident *freestyleIdentity) {
	ident.gone = true
	delete(s.byID, ident.ID)
	s.gone++
}

// compact drops the identities marked gone from the lists.
func (s *freestyleStore) compact() {
	if s.gone == 0 {
		return
	}
	isGone := func(x *freestyleIdentity) bool { return x.gone }
	s.identities = slices.DeleteFunc(s.identities, isGone)
	s.unmanaged = slices.DeleteFunc(s.unmanaged, isGone)
	s.gone = 0
}

func (s *freestyleStore) newVMPermission(vmID, identityID string, users models.Nullable[[]string], at time.Time) *models.VMPermission {
	return &models.VMPermission{
		ID: s.newID(2), VMID: vmID, IdentityID: identityID, AllowedUsers: users,
		GrantedAt: at.UTC().Truncate(time.Second), GrantedBy: FreestyleAccountID,
	}
}

// freestyleError is Freestyle's error body, as its official SDK parses it.
func freestyleError(code, message string) map[string]string {
	return map[string]string{"code": code, "message": message}
}

func writeFreestyleError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, freestyleError(code, message))
}

// freestyleStatusCode is the SCREAMING_SNAKE code Freestyle sends for a
// status when no more specific code applies.
func freestyleStatusCode(status int) string {
	switch {
	case status == http.StatusBadRequest:
		return "INVALID_REQUEST"
	case status == http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case status >= 500:
		return "INTERNAL_ERROR"
	}
	return strings.ToUpper(statusCode(status))
}

// writeFreestyleEmpty answers a success that carries nothing: Freestyle
// answers 200 with {} (its EmptyResponse), never 204.
func writeFreestyleEmpty(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, struct{}{})
}

// identity resolves the {identity} path parameter, answering 404 itself
// when there is no such identity.
func (s *freestyleStore) identity(w http.ResponseWriter, r *http.Request) *freestyleIdentity {
	id := r.PathValue("identity")
	if ident, ok := s.byID[id]; ok {
		return ident
	}
	writeFreestyleError(w, http.StatusNotFound, "IDENTITY_NOT_FOUND", "Identity "+id+" not found")
	return nil
}

// mutableIdentity is identity for the calls that change what an identity
// holds, which managed identities refuse with 403.
func (s *freestyleStore) mutableIdentity(w http.ResponseWriter, r *http.Request) *freestyleIdentity {
	ident := s.identity(w, r)
	if ident != nil && ident.Managed {
		writeFreestyleError(w, http.StatusForbidden, "CANNOT_MODIFY_MANAGED_IDENTITY", "Managed identities cannot be modified")
		return nil
	}
	return ident
}

// freestylePaging reads the limit and offset query parameters (integers
// of at least 0), answering 400 itself when one is malformed.
func freestylePaging(w http.ResponseWriter, r *http.Request) (limit, offset int, ok bool) {
	q := r.URL.Query()
	limit = freestyleDefaultLimit
	for _, p := range []struct {
		key string
		dst *int
	}{{"limit", &limit}, {"offset", &offset}} {
		v := q.Get(p.key)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", "Invalid query parameter "+p.key+": expected an integer of at least 0")
			return 0, 0, false
		}
		*p.dst = n
	}
	return limit, offset, true
}

// freestylePage is items[offset:offset+limit], clipped to the list and
// never nil, so that an empty page is sent as [] rather than null.
func freestylePage[T any](items []T, limit, offset int) []T {
	start := min(offset, len(items))
	end := len(items)
	if limit < end-start {
		end = start + limit
	}
	return append(make([]T, 0, end-start), items[start:end]...)
}

func (s *freestyleStore) listIdentities(w http.ResponseWriter, r *http.Request, _ []byte) {
	limit, offset, ok := freestylePaging(w, r)
	if !ok {
		return
	}
	// Managed identities are left out unless asked for.
	includeManaged := false
	if v := r.URL.Query().Get("includeManaged"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			// A query the route's schema rejects is answered with a
			// numeric code, as Freestyle's generated error types declare.
			writeJSON(w, http.StatusBadRequest, map[string]any{"code": http.StatusBadRequest, "message": "Invalid query parameter includeManaged: expected a boolean"})
			return
		}
		includeManaged = b
	}
	s.compact()
	all := s.unmanaged
	if includeManaged {
		all = s.identities
	}
	window := freestylePage(all, limit, offset)
	page := make([]models.FreestyleIdentity, 0, len(window))
	for _, ident := range window {
		page = append(page, ident.FreestyleIdentity)
	}
	writeJSON(w, http.StatusOK, models.ListIdentitiesSuccess{
		Identities: page, Offset: int64(offset), Total: int64(len(all)),
	})
}

// deleteIdentity deletes an identity with its tokens and permissions.
func (s *freestyleStore) deleteIdentity(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.identity(w, r)
	if ident == nil {
		return
	}
	if ident.Managed {
		writeFreestyleError(w, http.StatusForbidden, "CANNOT_DELETE_MANAGED_IDENTITY", "Managed identities cannot be deleted")
		return
	}
	s.removeIdentity(ident)
	writeFreestyleEmpty(w)
}

// repo resolves the {repo} path parameter, answering 404 itself when it
// names no repository of the account.
func (s *freestyleStore) repo(w http.ResponseWriter, r *http.Request) (string, freestyleRepo, bool) {
	id := r.PathValue("repo")
	if repo, ok := s.repos[id]; ok {
		return id, repo, true
	}
	if isUUID(id) {
		return id, freestyleRepo{visibility: models.RepositoryVisibilityPrivate}, true
	}
	writeFreestyleError(w, http.StatusNotFound, "GIT_REPOSITORY_NOT_FOUND", "Repository "+id+" not found")
	return "", freestyleRepo{}, false
}

// isUUID reports whether id is shaped like a UUID (8-4-4-4-12 hex digits).
func isUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i, c := range id {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// gitTarget resolves an identity and a repository, and the index of the
// identity's grant on it (-1 when there is none).
func (s *freestyleStore) gitTarget(w http.ResponseWriter, r *http.Request, mutable bool) (*freestyleIdentity, string, int, bool) {
	find := s.identity
	if mutable {
		find = s.mutableIdentity
	}
	ident := find(w, r)
	if ident == nil {
		return nil, "", 0, false
	}
	repo, _, ok := s.repo(w, r)
	if !ok {
		return nil, "", 0, false
	}
	return ident, repo, slices.IndexFunc(ident.git, func(g freestyleGitGrant) bool { return g.repo == repo }), true
}

// readGitLevel decodes a grant or update body, {"permission": "read"|"write"}.
func readGitLevel(w http.ResponseWriter, body []byte) (models.GitAccessLevel, bool) {
	var req models.GrantGitPermissionRequest
	if !decodeJSON(body, &req) {
		writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", "Request body must be a JSON object with a permission")
		return "", false
	}
	switch req.Permission {
	case models.GitAccessLevelRead, models.GitAccessLevelWrite:
		return req.Permission, true
	}
	writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", fmt.Sprintf("Invalid permission %q: expected read or write", req.Permission))
	return "", false
}

func (s *freestyleStore) listGitPermissions(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.identity(w, r)
	if ident == nil {
		return
	}
	limit, offset, ok := freestylePaging(w, r)
	if !ok {
		return
	}
	all := make([]models.AccessibleRepository, 0, len(ident.git))
	for _, g := range ident.git {
		repo := s.repos[g.repo]
		if repo.visibility == "" {
			repo.visibility = models.RepositoryVisibilityPrivate
		}
		all = append(all, models.AccessibleRepository{
			ID: g.repo, Name: repo.name, AccountID: FreestyleAccountID, Permissions: g.level, Visibility: repo.visibility,
		})
	}
	// This list reports neither a total nor an offset.
	writeJSON(w, http.StatusOK, models.ListGitPermissionSuccess{Repositories: freestylePage(all, limit, offset)})
}

// describeGitPermission answers 200 with accessLevel null when the
// identity has no access to the repository.
func (s *freestyleStore) describeGitPermission(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident, repo, i, ok := s.gitTarget(w, r, false)
	if !ok {
		return
	}
	out := struct {
		Identity    string                 `json:"identity"`
		Repo        string                 `json:"repo"`
		AccessLevel *models.GitAccessLevel `json:"accessLevel"`
	}{Identity: ident.ID, Repo: repo}
	if i >= 0 {
		out.AccessLevel = &ident.git[i].level
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *freestyleStore) grantGitPermission(w http.ResponseWriter, r *http.Request, body []byte) {
	ident, repo, i, ok := s.gitTarget(w, r, true)
	if !ok {
		return
	}
	level, ok := readGitLevel(w, body)
	if !ok {
		return
	}
	if i >= 0 {
		writeFreestyleError(w, http.StatusConflict, "PERMISSION_ALREADY_EXISTS", "Identity already has a permission on repository "+repo)
		return
	}
	ident.git = append(ident.git, freestyleGitGrant{repo: repo, level: level})
	writeFreestyleEmpty(w)
}

func (s *freestyleStore) updateGitPermission(w http.ResponseWriter, r *http.Request, body []byte) {
	ident, repo, i, ok := s.gitTarget(w, r, true)
	if !ok {
		return
	}
	level, ok := readGitLevel(w, body)
	if !ok {
		return
	}
	if i < 0 {
		writeFreestyleError(w, http.StatusNotFound, "PERMISSION_NOT_FOUND", "Identity has no permission on repository "+repo)
		return
	}
	ident.git[i].level = level
	writeFreestyleEmpty(w)
}

func (s *freestyleStore) revokeGitPermission(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident, repo, i, ok := s.gitTarget(w, r, true)
	if !ok {
		return
	}
	if i < 0 {
		writeFreestyleError(w, http.StatusNotFound, "PERMISSION_NOT_FOUND", "Identity has no permission on repository "+repo)
		return
	}
	ident.git = slices.Delete(ident.git, i, i+1)
	writeFreestyleEmpty(w)
}

func (s *freestyleStore) listVMPermissions(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.identity(w, r)
	if ident == nil {
		return
	}
	limit, offset, ok := freestylePaging(w, r)
	if !ok {
		return
	}
	all := make([]models.VMPermission, 0, len(ident.vms))
	for _, p := range ident.vms {
		all = append(all, *p)
	}
	writeJSON(w, http.StatusOK, models.ListVMPermissionsSuccess{
		Permissions: freestylePage(all, limit, offset), Offset: int64(offset), Total: int64(len(all)),
	})
}

// vmTarget resolves an identity and the index of its permission on the
// {vm_id} VM (-1 when there is none). VMs are not checked: they belong to
// the VM API, which the fake does not serve, so any id names a VM.
func (s *freestyleStore) vmTarget(w http.ResponseWriter, r *http.Request, mutable bool) (*freestyleIdentity, string, int, bool) {
	find := s.identity
	if mutable {
		find = s.mutableIdentity
	}
	ident := find(w, r)
	if ident == nil {
		return nil, "", 0, false
	}
	vmID := r.PathValue("vm_id")
	return ident, vmID, slices.IndexFunc(ident.vms, func(p *models.VMPermission) bool { return p.VMID == vmID }), true
}

func writeVMPermissionNotFound(w http.ResponseWriter, vmID string) {
	writeFreestyleError(w, http.StatusNotFound, "VM_PERMISSION_NOT_FOUND", "Identity has no permission on VM "+vmID)
}

// readAllowedUsers checks an allowedUsers value: absent and null both mean
// every user (stored as null); a list, even empty, allows only its users,
// none of which may be blank.
func readAllowedUsers(w http.ResponseWriter, users models.Nullable[[]string]) (models.Nullable[[]string], bool) {
	list, ok := users.Get()
	if !ok {
		return models.Null[[]string](), true
	}
	for _, u := range list {
		if strings.TrimSpace(u) == "" {
			writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", "allowedUsers must not contain blank user names")
			return models.Nullable[[]string]{}, false
		}
	}
	return allowedUsersOf(list), true
}

func (s *freestyleStore) describeVMPermission(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident, vmID, i, ok := s.vmTarget(w, r, false)
	if !ok {
		return
	}
	if i < 0 {
		writeVMPermissionNotFound(w, vmID)
		return
	}
	writeJSON(w, http.StatusOK, ident.vms[i])
}

// grantVMPermission requires a JSON body, even {}, as the API does.
func (s *freestyleStore) grantVMPermission(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	ident, vmID, i, ok := s.vmTarget(w, r, true)
	if !ok {
		return
	}
	var req models.GrantVMPermissionRequest
	if !decodeJSON(body, &req) {
		writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", "Request body must be a JSON object")
		return
	}
	users, ok := readAllowedUsers(w, req.AllowedUsers)
	if !ok {
		return
	}
	if i >= 0 {
		writeFreestyleError(w, http.StatusConflict, "PERMISSION_ALREADY_EXISTS", "Identity already has a permission on VM "+vmID)
		return
	}
	p := s.newVMPermission(vmID, ident.ID, users, now)
	ident.vms = append(ident.vms, p)
	writeJSON(w, http.StatusOK, p)
}

// updateAllowedUsers requires allowedUsers in the body: null for every
// user or a list. An absent field is refused rather than guessed at, since
// reading it as null would silently widen access.
func (s *freestyleStore) updateAllowedUsers(w http.ResponseWriter, r *http.Request, body []byte) {
	ident, vmID, i, ok := s.vmTarget(w, r, true)
	if !ok {
		return
	}
	var req models.UpdateAllowedUsersRequest
	if !decodeJSON(body, &req) || req.AllowedUsers.IsZero() {
		writeFreestyleError(w, http.StatusBadRequest, "INVALID_REQUEST", "Request body must be a JSON object with allowedUsers: null or a list of users")
		return
	}
	users, ok := readAllowedUsers(w, req.AllowedUsers)
	if !ok {
		return
	}
	if i < 0 {
		writeVMPermissionNotFound(w, vmID)
		return
	}
	ident.vms[i].AllowedUsers = users
	writeJSON(w, http.StatusOK, ident.vms[i])
}

func (s *freestyleStore) revokeVMPermission(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident, vmID, i, ok := s.vmTarget(w, r, true)
	if !ok {
		return
	}
	if i < 0 {
		writeVMPermissionNotFound(w, vmID)
		return
	}
	ident.vms = slices.Delete(ident.vms, i, i+1)
	writeFreestyleEmpty(w)
}

// listGitTokens lists token ids only: the secrets are shown once, by
// createGitToken, and never kept.
func (s *freestyleStore) listGitTokens(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.identity(w, r)
	if ident == nil {
		return
	}
	out := models.ListGitTokensSuccess{Tokens: make([]models.AccessTokenInfo, 0, len(ident.tokens))}
	for _, id := range ident.tokens {
		out.Tokens = append(out.Tokens, models.AccessTokenInfo{ID: id})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *freestyleStore) createGitToken(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.mutableIdentity(w, r)
	if ident == nil {
		return
	}
	id := s.newID(3)
	ident.tokens = append(ident.tokens, id)
	// models.CreatedToken would print the secret redacted, so the answer
	// is built with the secret in clear.
	writeJSON(w, http.StatusOK, map[string]string{"id": id, "token": "fsit_" + rand.Text()})
}

func (s *freestyleStore) revokeGitToken(w http.ResponseWriter, r *http.Request, _ []byte) {
	ident := s.mutableIdentity(w, r)
	if ident == nil {
		return
	}
	id := r.PathValue("token")
	i := slices.Index(ident.tokens, id)
	if i < 0 {
		writeFreestyleError(w, http.StatusNotFound, "TOKEN_NOT_FOUND", "Token "+id+" not found")
		return
	}
	ident.tokens = slices.Delete(ident.tokens, i, i+1)
	writeFreestyleEmpty(w)
}

// DemoFreestyleOwners returns whose each demo Freestyle identity is, by
// email (the demo person's, then user002@example.com to
// user150@example.com): what a state made along with the demo data would
// say. Freestyle identities carry no email, so without it every demo
// identity is nobody's. It is empty without WithDemoData.
func (f *Fake) DemoFreestyleOwners() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.fs.owners)
}
