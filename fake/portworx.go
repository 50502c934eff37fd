package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// Demo Portworx ids: one account owning one tenant (organization) with two
// projects, and 120 invitations in the tenant, enough to page through.
const (
	// PortworxDemoAccountID is the demo account. It owns the demo tenant,
	// so AcceptInvitation with it accepts every pending demo invitation.
	PortworxDemoAccountID = "3c9f5e2a-6b1d-4f8e-9a7c-2d4e6f8a0b1c"
	// PortworxDemoTenantID is the demo tenant (organization) holding the 120
	// demo invitations: the tenantUID to pass to ListInvitations.
	PortworxDemoTenantID = "0b1e6a52-7f3c-4b0e-a1d2-5c6d7e8f9a0b"
	// PortworxDemoProjectID is a project of the demo tenant. Some demo
	// invitations are scoped to it, others bind a project role on it.
	PortworxDemoProjectID = "8c6b0f0e-2d7a-4d43-9c5e-2f0b6a9f3e11"
	// PortworxDemoInvitationUID is a pending demo invitation in the demo
	// tenant, for DemoPersonEmail.
	PortworxDemoInvitationUID = "6f1c2a8e-3b4d-4e5f-9a0b-000000000001"
)

// pxDemoStagingProjectID is the demo tenant's second project.
const pxDemoStagingProjectID = "d2a4c6e8-1b3d-4f5a-8c7e-9f0a1b2c3d4e"

// gRPC status codes, as google.rpc.Status carries them.
const (
	pxCancelled          = 1
	pxUnknown            = 2
	pxInvalidArgument    = 3
	pxDeadlineExceeded   = 4
	pxNotFound           = 5
	pxAlreadyExists      = 6
	pxPermissionDenied   = 7
	pxResourceExhausted  = 8
	pxFailedPrecondition = 9
	pxUnimplemented      = 12
	pxInternal           = 13
	pxUnavailable        = 14
	pxUnauthenticated    = 16
)

// pxUnauthenticatedMessage is the status message of a rejected token, which
// the gateway also copies into the WWW-Authenticate header.
const pxUnauthenticatedMessage = "invalid or missing bearer token"

// Paging defaults of ListInvitations: a missing or zero page size means 50
// (what Portworx's own client asks for), and larger sizes are capped.
const (
	pxDefaultPageSize = 50
	pxMaxPageSize     = 1000
)

// portworxStore is the fake Portworx control plane.
type portworxStore struct {
	nextUID int64
	// invitations are every invitation in creation order. A deleted one
	// stays, marked gone, until more than half of them are (see remove).
	invitations []*pxInvitation
	gone        int                      // invitations marked gone
	byUID       map[string]*pxInvitation // the invitations not gone
	byTenant    map[string]*pxTenantList // tenant uid -> the invitations its list shows
	byScope     map[string]int           // pxScopeKey -> invitations, for a create's duplicate check
	tenants     map[string]string        // tenant uid -> uid of the account owning it
	projects    map[string]string        // project uid -> uid of its tenant
	names       map[string]string        // account, tenant and project uid -> display name
	notified    map[string]int           // invitation uid -> emails re-sent by NotifyUser
	// iam holds the actors and their role bindings (portworx_iam.go).
	iam pxIAMStore
}

// pxTenantList is what one tenant's ListInvitations shows, in creation
// order. A deleted invitation stays, marked gone, until the next list of
// the tenant compacts it: a delete costs no scan, and a list of pages pays
// for the deletes before it once.
type pxTenantList struct {
	items []*pxInvitation
	gone  int
}

// compact drops the invitations marked gone.
func (l *pxTenantList) compact() {
	if l.gone > 0 {
		l.items = slices.DeleteFunc(l.items, func(p *pxInvitation) bool { return p.gone })
		l.gone = 0
	}
}

// pxInvitation is a stored invitation and where it lives, which the server
// knows and the wire does not show.
type pxInvitation struct {
	inv models.PortworxInvitation
	// tenant is the tenant whose list shows the invitation, "" for none
	// (an account invitation, or a project the fake cannot place).
	tenant string
	// account is the account AcceptInvitation accepts it in, "" for none.
	account string
	// gone marks a deleted invitation still in the store's lists.
	gone bool
}

// newPortworx builds the Portworx store and how the fake serves it.
func (f *Fake) newPortworx() *vendor {
	s := &portworxStore{
		nextUID:  1,
		byUID:    map[string]*pxInvitation{},
		byTenant: map[string]*pxTenantList{},
		byScope:  map[string]int{},
		tenants:  map[string]string{},
		projects: map[string]string{},
		names:    map[string]string{},
		notified: map[string]int{},
		iam:      newPxIAMStore(),
	}
	f.px = s
	if f.demo {
		s.seed(f.now())
	}
	v := &vendor{
		api:           invitations.Portworx,
		prefix:        PortworxPrefix,
		authorization: []string{"Bearer " + PortworxAccessToken},
		errorBody: func(status int, _, message string) any {
			if status == http.StatusUnauthorized {
				message = pxUnauthenticatedMessage
			}
			return pxStatus(pxCodeForStatus(status), message)
		},
		demo: func() map[string]string {
			return map[string]string{
				"account_id": PortworxDemoAccountID, "tenant_id": PortworxDemoTenantID, "project_id": PortworxDemoProjectID,
				"invitation_uid": PortworxDemoInvitationUID, "person_email": DemoPersonEmail,
				"actor_id": PortworxDemoActorID, "service_account_id": PortworxDemoServiceAccountID,
			}
		},
		handlers: map[string]handler{
			"CreateInvitation": func(w http.ResponseWriter, r *http.Request, body []byte) {
				s.create(w, r, body, f.now())
			},
			"ListInvitations": s.list,
			"DeleteInvitation": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				s.delete(w, r, f.now())
			},
			"GetInvitation": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				if p := s.find(w, r.PathValue("uid")); p != nil {
					writeJSON(w, http.StatusOK, pxMessage{pxWire(&p.inv)})
				}
			},
			"AcceptInvitation": func(w http.ResponseWriter, _ *http.Request, body []byte) {
				s.accept(w, body, f.now())
			},
			"NotifyUser": func(w http.ResponseWriter, r *http.Request, _ []byte) {
				s.notify(w, r.PathValue("uid"))
			},
		},
		gateway: pxGateway,
	}
	maps.Copy(v.handlers, s.iamHandlers(f))
	return v
}

// pxGateway answers what grpc-gateway answers before any operation runs:
// a HEAD is no route (ServeMux would let it reach a GET route, and a HEAD
// must not send a NotifyUser email), a known path with another method is
// 501 UNIMPLEMENTED, any other path 404 NOT_FOUND, and every error body is
// a google.rpc.Status (pxGatewayWriter).
func pxGateway(next http.Handler, mux *http.ServeMux, paths []string) http.Handler {
	notAllowed := func(w http.ResponseWriter, _ *http.Request) {
		writePxError(w, pxUnimplemented, "Method Not Allowed")
	}
	for _, path := range paths {
		mux.HandleFunc(PortworxPrefix+path, notAllowed)
	}
	mux.HandleFunc(PortworxPrefix+"/", func(w http.ResponseWriter, _ *http.Request) {
		writePxError(w, pxNotFound, "Not Found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w = pxGatewayWriter(w)
		if r.Method == http.MethodHead {
			notAllowed(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// PortworxNotifications returns how many invitation emails NotifyUser has
// re-sent for the invitation uid, or for all invitations when uid is "".
// An email is counted only when NotifyUser ran and answered 200.
func (f *Fake) PortworxNotifications(uid string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if uid != "" {
		return f.px.notified[uid]
	}
	n := 0
	for _, c := range f.px.notified {
		n += c
	}
	return n
}

func (s *portworxStore) seed(now time.Time) {
	s.names[PortworxDemoAccountID] = "Demo Account"
	s.names[PortworxDemoTenantID] = "Demo Organization"
	s.names[PortworxDemoProjectID] = "Demo Project"
	s.names[pxDemoStagingProjectID] = "Staging"
	s.tenants[PortworxDemoTenantID] = PortworxDemoAccountID
	s.projects[PortworxDemoProjectID] = PortworxDemoTenantID
	s.projects[pxDemoStagingProjectID] = PortworxDemoTenantID
	for i := range 120 {
		cfg := models.PortworxInvitationConfig{UserEmail: fmt.Sprintf("user%03d@example.com", i+1)}
		switch i % 3 {
		case 0: // a tenant invitation with a project role
			cfg.TenantID = PortworxDemoTenantID
			cfg.AccessPolicy.Project = []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{PortworxDemoProjectID}}}
		case 1: // a project invitation
			cfg.ProjectID = PortworxDemoProjectID
			cfg.AccessPolicy.Project = []models.PortworxRoleBinding{{RoleName: "project-admin", ResourceIDs: []string{PortworxDemoProjectID}}}
		case 2: // a tenant invitation with roles on the tenant and both projects
			cfg.TenantID = PortworxDemoTenantID
			cfg.AccessPolicy.Tenant = []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{PortworxDemoTenantID}}}
			cfg.AccessPolicy.Project = []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{PortworxDemoProjectID, pxDemoStagingProjectID}}}
		}
		p := s.add(nil, cfg, "", now.Add(-time.Duration(120-i)*time.Hour))
		if i%4 == 3 {
			p.inv.Status.Phase = models.PortworxInvitationPhaseAccepted
			p.inv.Meta.ResourceVersion = "2"
		}
	}
	s.seedIAM(now)
}

// pxUID makes the n-th invitation uid, a UUID like the real ones.
func pxUID(n int64) string {
	return fmt.Sprintf("6f1c2a8e-3b4d-4e5f-9a0b-%012x", n)
}

// add stores a new pending invitation for cfg, placing it in a tenant and an
// account: the scope's own, else (for an unknown tenant or an account-less
// place) the caller's account context from the px-account-id header.
func (s *portworxStore) add(meta *models.PortworxMeta, cfg models.PortworxInvitationConfig, accountContext string, now time.Time) *pxInvitation {
	at := pxNow(now)
	m := models.PortworxMeta{UID: pxUID(s.nextUID), ResourceVersion: "1", CreateTime: &at, UpdateTime: &at}
	s.nextUID++
	if meta != nil {
		m.Name, m.Description = meta.Name, meta.Description
		m.Labels, m.Annotations = meta.Labels, meta.Annotations
	}
	p := &pxInvitation{}
	switch {
	case cfg.AccountID != "":
		p.account = cfg.AccountID
		m.ParentReference = &models.PortworxReference{Type: "account", Version: "v1", UID: cfg.AccountID}
	case cfg.TenantID != "":
		p.tenant = cfg.TenantID
		m.ParentReference = &models.PortworxReference{Type: "tenant", Version: "v1", UID: cfg.TenantID}
	case cfg.ProjectID != "":
		p.tenant = s.projects[cfg.ProjectID]
		m.ParentReference = &models.PortworxReference{Type: "project", Version: "v1", UID: cfg.ProjectID}
	}
	if p.account == "" {
		p.account = s.tenants[p.tenant]
	}
	if p.account == "" {
		p.account = accountContext
	}
	m.ResourceNames = s.resourceNames(&cfg)
	p.inv = models.PortworxInvitation{Meta: &m, Config: &cfg, Status: &models.PortworxInvitationStatus{Phase: models.PortworxInvitationPhasePending}}
	s.invitations = append(s.invitations, p)
	s.byUID[m.UID] = p
	s.byScope[pxScopeKey(&cfg)]++
	if p.tenant != "" {
		l := s.byTenant[p.tenant]
		if l == nil {
			l = &pxTenantList{}
			s.byTenant[p.tenant] = l
		}
		l.items = append(l.items, p)
	}
	return p
}

// remove deletes p: gone from the indexes now, from the lists later. The
// list of every invitation is compacted once more than half of it is
// gone, so that deletes cost amortized constant time.
func (s *portworxStore) remove(p *pxInvitation) {
	p.gone = true
	delete(s.byUID, p.inv.Meta.UID)
	delete(s.notified, p.inv.Meta.UID)
	key := pxScopeKey(p.inv.Config)
	if s.byScope[key]--; s.byScope[key] <= 0 {
		delete(s.byScope, key)
	}
	if l := s.byTenant[p.tenant]; l != nil {
		l.gone++
	}
	if s.gone++; s.gone*2 > len(s.invitations) {
		s.invitations = slices.DeleteFunc(s.invitations, func(x *pxInvitation) bool { return x.gone })
		s.gone = 0
	}
}

// resourceNames names the resources an invitation refers to, for those the
// fake knows.
func (s *portworxStore) resourceNames(cfg *models.PortworxInvitationConfig) map[string]string {
	out := map[string]string{}
	name := func(uid string) {
		if n, ok := s.names[uid]; ok {
			out[uid] = n
		}
	}
	name(cfg.AccountID)
	name(cfg.TenantID)
	name(cfg.ProjectID)
	p := cfg.AccessPolicy
	for _, bindings := range [][]models.PortworxRoleBinding{p.Tenant, p.Project, p.Namespace} {
		for _, b := range bindings {
			for _, id := range b.ResourceIDs {
				name(id)
			}
		}
	}
	return out
}

// find returns the invitation uid, answering 404 NOT_FOUND itself when there
// is none.
func (s *portworxStore) find(w http.ResponseWriter, uid string) *pxInvitation {
	if p, ok := s.byUID[uid]; ok {
		return p
	}
	writePxError(w, pxNotFound, fmt.Sprintf("invitation %q not found", uid))
	return nil
}

// pxNow is now as the server stores it: UTC, to the microsecond, as a
// database column keeps it.
func pxNow(now time.Time) time.Time {
	return now.UTC().Truncate(time.Microsecond)
}

// touch records a change to an invitation.
func (p *pxInvitation) touch(now time.Time) {
	at := pxNow(now)
	v, _ := strconv.Atoi(p.inv.Meta.ResourceVersion)
	p.inv.Meta.ResourceVersion = strconv.Itoa(v + 1)
	p.inv.Meta.UpdateTime = &at
}

// scopeKey identifies the scope of an invitation, for duplicate checks.
func scopeKey(cfg *models.PortworxInvitationConfig) string {
	return "account=" + cfg.AccountID + ";tenant=" + cfg.TenantID + ";project=" + cfg.ProjectID
}

// pxScopeKey identifies an invitee (case-insensitively) in a scope: two
// invitations with one key are duplicates.
func pxScopeKey(cfg *models.PortworxInvitationConfig) string {
	return strings.ToLower(cfg.UserEmail) + "\x00" + scopeKey(cfg)
}

// pxScopeFields are the members of the Config.resource_id oneof, in field
// number order.
var pxScopeFields = []string{"accountId", "tenantId", "projectId"}

func (s *portworxStore) create(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	raw, ok := pxDecode(w, body)
	if !ok {
		return
	}
	var req models.PortworxCreateInvitationRequest
	if !pxUnmarshal(w, raw, &req) {
		return
	}
	if req.Invitation == nil || req.Invitation.Config == nil {
		writePxError(w, pxInvalidArgument, "invitation.config is required")
		return
	}
	// protojson counts a oneof member as set when its key is present, even
	// with "", and rejects a second one.
	invRaw, _ := raw["invitation"].(map[string]any)
	cfgRaw, _ := invRaw["config"].(map[string]any)
	set := ""
	for _, name := range pxScopeFields {
		if v, present := cfgRaw[name]; !present || v == nil {
			continue
		}
		if set != "" {
			writePxError(w, pxInvalidArgument, fmt.Sprintf("proto: error parsing %q, oneof public.portworx.platform.invitation.v1.Config.resource_id is already set", name))
			return
		}
		set = name
	}
	cfg := *req.Invitation.Config
	switch {
	case set == "":
		writePxError(w, pxInvalidArgument, "invitation.config: exactly one of accountId, tenantId or projectId must be set")
		return
	case strings.TrimSpace(cfg.AccountID+cfg.TenantID+cfg.ProjectID) == "":
		writePxError(w, pxInvalidArgument, "invitation.config."+set+" must not be empty")
		return
	}
	if s.byScope[pxScopeKey(&cfg)] > 0 {
		writePxError(w, pxAlreadyExists, fmt.Sprintf("an invitation for %s already exists in %s %s", cfg.UserEmail, strings.TrimSuffix(set, "Id"), cfg.AccountID+cfg.TenantID+cfg.ProjectID))
		return
	}
	p := s.add(req.Invitation.Meta, cfg, r.Header.Get("px-account-id"), now)
	writeJSON(w, http.StatusOK, pxMessage{pxWire(&p.inv)})
}

func (s *portworxStore) list(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	tenant, paging, ok := pxListQuery(w, q)
	if !ok {
		return
	}
	project, _ := pxQuery(q, "projectUid")
	var items []*pxInvitation
	if l := s.byTenant[tenant]; l != nil {
		l.compact()
		items = l.items
		if project != "" {
			items = slices.DeleteFunc(slices.Clone(items), func(p *pxInvitation) bool { return !p.inProject(project) })
		}
	}
	shown, info := pxPaginate(items, paging)
	page := models.PortworxListInvitationsResponse{Invitations: []models.PortworxInvitation{}, Pagination: &info}
	for _, p := range shown {
		page.Invitations = append(page.Invitations, pxWire(&p.inv))
	}
	writeJSON(w, http.StatusOK, pxMessage{page})
}

// pxPaging is the page a list asks for.
type pxPaging struct{ number, size int64 }

// pxListQuery reads what ListInvitations and ListIAM share: the deprecated
// resource_id oneof (still parsed: two members are a 400), the required
// tenantUid and the page. It answers 400 INVALID_ARGUMENT itself when one
// is invalid.
func pxListQuery(w http.ResponseWriter, q url.Values) (tenant string, paging pxPaging, ok bool) {
	set := ""
	for _, name := range pxScopeFields {
		if _, ok := pxQuery(q, name); !ok {
			continue
		}
		if set != "" {
			writePxError(w, pxInvalidArgument, fmt.Sprintf("parsing field %q: field already set for oneof \"resource_id\"", pxSnake(name)))
			return "", paging, false
		}
		set = name
	}
	pageNumber, ok := pxQueryInt(w, q, "pagination.pageNumber")
	if !ok {
		return "", paging, false
	}
	pageSize, ok := pxQueryInt(w, q, "pagination.pageSize")
	if !ok {
		return "", paging, false
	}
	tenant, _ = pxQuery(q, "tenantUid")
	switch {
	case tenant == "":
		writePxError(w, pxInvalidArgument, "tenant_uid: value is required")
		return "", paging, false
	case pageNumber < 0:
		writePxError(w, pxInvalidArgument, "pagination.page_number: value must be greater than or equal to 0")
		return "", paging, false
	case pageSize < 0:
		writePxError(w, pxInvalidArgument, "pagination.page_size: value must be greater than or equal to 0")
		return "", paging, false
	}
	_, numbered := pxQuery(q, "pagination.pageNumber")
	if pageNumber == 0 {
		pageNumber = 1
	}
	// A page number without a page size reaches the service as
	// page_size 0 (proto3's default): such a page holds nothing. Only a
	// request without any pagination gets the default size.
	if pageSize == 0 && !numbered {
		pageSize = pxDefaultPageSize
	}
	return tenant, pxPaging{number: pageNumber, size: min(pageSize, pxMaxPageSize)}, true
}

// pxPaginate cuts the page p out of items and describes it.
func pxPaginate[T any](items []T, p pxPaging) ([]T, models.PortworxPageInfo) {
	total := int64(len(items))
	var pages int64
	if p.size > 0 {
		pages = (total + p.size - 1) / p.size
	}
	var shown []T
	if p.number <= pages {
		start := (p.number - 1) * p.size
		shown = items[start:min(start+p.size, total)]
	}
	info := models.PortworxPageInfo{
		TotalRecords: models.Int64(total), CurrentPage: models.Int64(p.number), PageSize: models.Int64(p.size),
		TotalPages: models.Int64(pages), NextPage: -1, PrevPage: -1,
	}
	if p.number < pages {
		info.NextPage = models.Int64(p.number + 1)
	}
	if p.number > 1 && pages > 0 {
		info.PrevPage = models.Int64(min(p.number-1, pages))
	}
	return shown, info
}

// inProject reports whether an invitation is for project, or binds a role
// on it.
func (p *pxInvitation) inProject(project string) bool {
	if p.inv.Config.ProjectID == project {
		return true
	}
	return slices.ContainsFunc(p.inv.Config.AccessPolicy.Project, func(b models.PortworxRoleBinding) bool {
		return slices.Contains(b.ResourceIDs, project)
	})
}

// delete removes an invitation, or with ?projectId= only its part for that
// project: a project invitation for it goes entirely, a tenant invitation
// loses the project from its project role bindings.
func (s *portworxStore) delete(w http.ResponseWriter, r *http.Request, now time.Time) {
	p := s.find(w, r.PathValue("uid"))
	if p == nil {
		return
	}
	project, _ := pxQuery(r.URL.Query(), "projectId")
	if project == "" || p.inv.Config.ProjectID == project {
		s.remove(p)
		writeJSON(w, http.StatusOK, struct{}{})
		return
	}
	if !p.inProject(project) {
		writePxError(w, pxNotFound, fmt.Sprintf("invitation %q has no part for project %q", p.inv.Meta.UID, project))
		return
	}
	var kept []models.PortworxRoleBinding
	for _, b := range p.inv.Config.AccessPolicy.Project {
		b.ResourceIDs = slices.DeleteFunc(slices.Clone(b.ResourceIDs), func(id string) bool { return id == project })
		if len(b.ResourceIDs) > 0 {
			kept = append(kept, b)
		}
	}
	p.inv.Config.AccessPolicy.Project = kept
	delete(p.inv.Meta.ResourceNames, project)
	p.touch(now)
	writeJSON(w, http.StatusOK, struct{}{})
}

// accept accepts every pending invitation in the account: the fake has a
// single token, so its caller is the invitee of them all.
func (s *portworxStore) accept(w http.ResponseWriter, body []byte, now time.Time) {
	raw, ok := pxDecode(w, body)
	if !ok {
		return
	}
	var req models.PortworxAcceptInvitationRequest
	if !pxUnmarshal(w, raw, &req) {
		return
	}
	if strings.TrimSpace(req.AccountID) == "" {
		writePxError(w, pxInvalidArgument, "account_id: value is required")
		return
	}
	n := 0
	for _, p := range s.invitations {
		if !p.gone && p.account == req.AccountID && p.inv.Status.Phase == models.PortworxInvitationPhasePending {
			p.inv.Status.Phase = models.PortworxInvitationPhaseAccepted
			p.touch(now)
			n++
		}
	}
	if n == 0 {
		writePxError(w, pxNotFound, fmt.Sprintf("no pending invitation in account %q", req.AccountID))
		return
	}
	writeJSON(w, http.StatusOK, models.PortworxAcceptInvitationResponse{Message: fmt.Sprintf("%d invitation(s) accepted", n)})
}

// notify re-sends the email of a pending invitation; an accepted one has
// nothing left to invite to.
func (s *portworxStore) notify(w http.ResponseWriter, uid string) {
	p := s.find(w, uid)
	if p == nil {
		return
	}
	if p.inv.Status.Phase != models.PortworxInvitationPhasePending {
		writePxError(w, pxFailedPrecondition, fmt.Sprintf("invitation %q is %s, not PENDING", uid, p.inv.Status.Phase))
		return
	}
	s.notified[uid]++
	writeJSON(w, http.StatusOK, struct{}{})
}

// pxQuery reads a query parameter by its JSON name or its proto name, as
// grpc-gateway accepts both ("tenantUid", "tenant_uid").
func pxQuery(q url.Values, name string) (string, bool) {
	for _, key := range []string{name, pxSnake(name)} {
		if vs, ok := q[key]; ok && len(vs) > 0 {
			return vs[0], true
		}
	}
	return "", false
}

// pxQueryInt reads an int64 query parameter, 0 when absent, answering 400
// INVALID_ARGUMENT itself when it is not a decimal integer.
func pxQueryInt(w http.ResponseWriter, q url.Values, name string) (int64, bool) {
	v, ok := pxQuery(q, name)
	if !ok {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		field := pxSnake(name[strings.LastIndex(name, ".")+1:])
		writePxError(w, pxInvalidArgument, fmt.Sprintf("parsing field %q: %v", field, err))
		return 0, false
	}
	return n, true
}

// pxSnake turns a JSON name into its proto name: "pageNumber" -> "page_number".
func pxSnake(name string) string {
	var b strings.Builder
	for _, c := range name {
		if unicode.IsUpper(c) {
			b.WriteByte('_')
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// pxCamel turns a proto name into its JSON name: "user_email" -> "userEmail".
func pxCamel(name string) string {
	var b strings.Builder
	upper := false
	for _, c := range name {
		switch {
		case c == '_':
			upper = true
			continue
		case upper:
			c = unicode.ToUpper(c)
		}
		upper = false
		b.WriteRune(c)
	}
	return b.String()
}

// pxMapFields are map fields, whose keys are data and keep their spelling.
var pxMapFields = map[string]bool{"labels": true, "annotations": true, "resourceNames": true}

// pxDecode reads a request body the way protojson does: an empty body is an
// empty request, field names may be JSON names or proto names, and a
// malformed body is a 400 INVALID_ARGUMENT (answered here).
func pxDecode(w http.ResponseWriter, body []byte) (map[string]any, bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, true
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		writePxError(w, pxInvalidArgument, "proto: syntax error: "+err.Error())
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		writePxError(w, pxInvalidArgument, "proto: syntax error: the request body must be a JSON object")
		return nil, false
	}
	norm, err := pxJSONNames(obj)
	if err != nil {
		writePxError(w, pxInvalidArgument, err.Error())
		return nil, false
	}
	return norm.(map[string]any), true
}

// pxJSONNames renames proto field names to JSON names throughout v, leaving
// the keys of map fields alone. A field given under both names is an error,
// as in protojson.
func pxJSONNames(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, val := range v {
			name := pxCamel(k)
			if _, dup := out[name]; dup {
				return nil, fmt.Errorf("proto: duplicate field %q", name)
			}
			if !pxMapFields[name] {
				var err error
				if val, err = pxJSONNames(val); err != nil {
					return nil, err
				}
			}
			out[name] = val
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			var err error
			if out[i], err = pxJSONNames(item); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// pxUnmarshal decodes a normalized body into a model, answering 400
// INVALID_ARGUMENT itself when a field has the wrong type.
func pxUnmarshal(w http.ResponseWriter, raw map[string]any, v any) bool {
	b, err := json.Marshal(raw)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writePxError(w, pxInvalidArgument, "proto: "+err.Error())
		return false
	}
	return true
}

// pxStatusBody is a google.rpc.Status as the gateway writes it.
type pxStatusBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

func pxStatus(code int, message string) pxStatusBody {
	return pxStatusBody{Code: code, Message: message, Details: []any{}}
}

// writePxError answers a gRPC status with the HTTP status the gateway maps
// it to.
func writePxError(w http.ResponseWriter, code int, message string) {
	writeJSON(w, pxHTTPStatus(code), pxStatus(code, message))
}

// pxHTTPStatus is grpc-gateway's runtime.HTTPStatusFromCode.
func pxHTTPStatus(code int) int {
	switch code {
	case 0:
		return http.StatusOK
	case pxCancelled:
		return 499
	case pxInvalidArgument, pxFailedPrecondition, 11: // 11 is OUT_OF_RANGE
		return http.StatusBadRequest
	case pxDeadlineExceeded:
		return http.StatusGatewayTimeout
	case pxNotFound:
		return http.StatusNotFound
	case pxAlreadyExists, 10: // 10 is ABORTED
		return http.StatusConflict
	case pxPermissionDenied:
		return http.StatusForbidden
	case pxResourceExhausted:
		return http.StatusTooManyRequests
	case pxUnimplemented:
		return http.StatusNotImplemented
	case pxUnavailable:
		return http.StatusServiceUnavailable
	case pxUnauthenticated:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// pxCodeForStatus picks the gRPC code behind an HTTP status, for injected
// faults, which are given as an HTTP status.
func pxCodeForStatus(status int) int {
	switch status {
	case http.StatusBadRequest:
		return pxInvalidArgument
	case http.StatusUnauthorized:
		return pxUnauthenticated
	case http.StatusForbidden:
		return pxPermissionDenied
	case http.StatusNotFound:
		return pxNotFound
	case http.StatusConflict:
		return pxAlreadyExists
	case http.StatusTooManyRequests:
		return pxResourceExhausted
	case 499:
		return pxCancelled
	case http.StatusInternalServerError:
		return pxInternal
	case http.StatusNotImplemented:
		return pxUnimplemented
	case http.StatusBadGateway, http.StatusServiceUnavailable:
		return pxUnavailable
	case http.StatusGatewayTimeout:
		return pxDeadlineExceeded
	}
	return pxUnknown
}

// pxWriter adds what the gateway adds to a 401: the status message in a
// WWW-Authenticate header.
type pxWriter struct {
	http.ResponseWriter
}

func (g *pxWriter) WriteHeader(status int) {
	if status == http.StatusUnauthorized && g.Header().Get("WWW-Authenticate") == "" {
		g.Header().Set("WWW-Authenticate", pxUnauthenticatedMessage)
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *pxWriter) Write(b []byte) (int, error) {
	return g.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *pxWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// pxGatewayWriter wraps w in a pxWriter that can still be hijacked when w
// can, so that Drop, ResetMidBody and Truncate faults keep working.
func pxGatewayWriter(w http.ResponseWriter) http.ResponseWriter {
	g := &pxWriter{ResponseWriter: w}
	if hj, ok := w.(http.Hijacker); ok {
		return struct {
			*pxWriter
			http.Hijacker
		}{g, hj}
	}
	return g
}

// pxWire is an invitation as the gateway shows it: a missing meta, config
// or status is an empty one, and an unset phase is PHASE_UNSPECIFIED. Write
// it as a pxMessage.
func pxWire(inv *models.PortworxInvitation) models.PortworxInvitation {
	out := models.PortworxInvitation{Meta: inv.Meta, Config: inv.Config, Status: &models.PortworxInvitationStatus{}}
	if out.Meta == nil {
		out.Meta = &models.PortworxMeta{}
	}
	if out.Config == nil {
		out.Config = &models.PortworxInvitationConfig{}
	}
	if inv.Status != nil {
		*out.Status = *inv.Status
	}
	if out.Status.Phase == "" {
		out.Status.Phase = models.PortworxInvitationPhaseUnspecified
	}
	return out
}

// pxMessage is a models value written as grpc-gateway's default marshaler
// writes a message: every field under the models' JSON name, unpopulated
// ones too ("", [], {}, null) where the models leave them out, except the
// unset members of the config's oneof (pxScopeFields); timestamps with 0,
// 3, 6 or 9 fractional digits. The models are the wire types; only the
// gateway's way of writing them lives here.
type pxMessage struct{ v any }

// MarshalJSON writes the message.
func (m pxMessage) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := pxEncode(&buf, reflect.ValueOf(m.v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pxEncode writes v (a models value or part of one) as pxMessage says.
func pxEncode(buf *bytes.Buffer, v reflect.Value) error {
	if t, ok := v.Interface().(time.Time); ok {
		buf.WriteString(`"` + pxTimestamp(t) + `"`)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return pxEncode(buf, v.Elem())
	case reflect.Struct:
		buf.WriteByte('{')
		n := 0
		for i := range v.NumField() {
			field := v.Type().Field(i)
			name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
			if !field.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = field.Name
			}
			value := v.Field(i)
			if value.IsZero() && slices.Contains(pxScopeFields, name) {
				continue // an unset oneof member is not written
			}
			if n > 0 {
				buf.WriteByte(',')
			}
			n++
			key, _ := json.Marshal(name)
			buf.Write(key)
			buf.WriteByte(':')
			if err := pxEncode(buf, value); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice:
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := pxEncode(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		if v.Len() == 0 {
			buf.WriteString("{}")
			return nil
		}
	}
	// Scalars, and maps of them (encoding/json sorts the keys, as the
	// gateway does): as encoding/json writes them, custom marshalers
	// (models.Int64) included.
	b, err := json.Marshal(v.Interface())
	buf.Write(b)
	return err
}

// pxTimestamp writes a google.protobuf.Timestamp as protojson does: RFC
// 3339 in UTC with 0, 3, 6 or 9 fractional digits.
func pxTimestamp(t time.Time) string {
	u := t.UTC()
	layout := "2006-01-02T15:04:05"
	switch n := u.Nanosecond(); {
	case n == 0:
	case n%1e6 == 0:
		layout += ".000"
	case n%1e3 == 0:
		layout += ".000000"
	default:
		layout += ".000000000"
	}
	return u.Format(layout) + "Z"
}
