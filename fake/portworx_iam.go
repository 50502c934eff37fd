package fake

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/invitesdk/invitations/models"
)

// Demo Portworx actors: the users who accepted a demo invitation hold its
// roles, and the demo person holds a tenant role besides their pending
// invitation.
const (
	// PortworxDemoActorID is the actor (user) UID of DemoPersonEmail, bound
	// to the tenant-admin role on PortworxDemoTenantID and the
	// project-writer role on PortworxDemoProjectID.
	PortworxDemoActorID = "a1c3e5f7-2b4d-4f6a-8c0e-000000000001"
	// PortworxDemoServiceAccountID is a service account of the demo account
	// with no role binding yet: the actor to pass to CreateIAM.
	PortworxDemoServiceAccountID = "5e7a9c1b-3d5f-4a7c-9e1b-3d5f7a9c1b3d"
)

// Actor types the fake reports. The document names the field (actorType)
// but not its values; these are its two kinds of actor.
const (
	pxActorUser           = "USER"
	pxActorServiceAccount = "SERVICE_ACCOUNT"
)

// pxIAMStore holds the actors the fake knows and the role bindings of
// those that have any.
type pxIAMStore struct {
	next   int64
	actors map[string]pxActor // actor uid -> actor
	// byActor are the IAMs by actor uid; order lists them in creation
	// order, the order ListIAM shows unless asked to sort.
	byActor map[string]*models.PortworxIAM
	order   []*models.PortworxIAM
}

// pxActor is a user or service account.
type pxActor struct {
	typ, email string
}

func newPxIAMStore() pxIAMStore {
	return pxIAMStore{next: 1, actors: map[string]pxActor{}, byActor: map[string]*models.PortworxIAM{}}
}

// pxActorUID makes the actor uid of the demo user userNNN@example.com.
func pxActorUID(n int) string {
	return fmt.Sprintf("a1c3e5f7-2b4d-4f6a-8c0e-%012x", n)
}

// seedIAM binds the demo person to a tenant and a project role and every
// user whose demo invitation was accepted to its roles, and adds a service
// account with no role.
func (s *portworxStore) seedIAM(now time.Time) {
	at := now.Add(-200 * time.Hour)
	s.iam.actors[PortworxDemoActorID] = pxActor{typ: pxActorUser, email: DemoPersonEmail}
	s.addIAM(PortworxDemoActorID, nil, models.PortworxAccessPolicy{
		Tenant:  []models.PortworxRoleBinding{{RoleName: "tenant-admin", ResourceIDs: []string{PortworxDemoTenantID}}},
		Project: []models.PortworxRoleBinding{{RoleName: "project-writer", ResourceIDs: []string{PortworxDemoProjectID}}},
	}, PortworxDemoAccountID, at)
	for _, p := range s.invitations {
		if p.inv.Status.Phase != models.PortworxInvitationPhaseAccepted {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(p.inv.Config.UserEmail, "user%d@example.com", &n); err != nil {
			continue
		}
		actor := pxActorUID(n)
		s.iam.actors[actor] = pxActor{typ: pxActorUser, email: p.inv.Config.UserEmail}
		s.addIAM(actor, nil, pxMergedPolicy(p.inv.Config.AccessPolicy), p.account, *p.inv.Meta.UpdateTime)
	}
	s.iam.actors[PortworxDemoServiceAccountID] = pxActor{typ: pxActorServiceAccount}
}

// addIAM stores the role bindings of actor, a known actor without any.
func (s *portworxStore) addIAM(actor string, meta *models.PortworxMeta, policy models.PortworxAccessPolicy, account string, now time.Time) *models.PortworxIAM {
	at := pxNow(now)
	m := models.PortworxMeta{
		UID: fmt.Sprintf("iam-5d0c7e3a-9b1f-4c2d-8e6a-%012x", s.iam.next), ResourceVersion: "1", CreateTime: &at, UpdateTime: &at,
		ParentReference: &models.PortworxReference{Type: "account", Version: "v1", UID: account},
	}
	s.iam.next++
	if meta != nil {
		m.Name, m.Description = meta.Name, meta.Description
		m.Labels, m.Annotations = meta.Labels, meta.Annotations
	}
	a := s.iam.actors[actor]
	iam := &models.PortworxIAM{Meta: &m, Config: &models.PortworxIAMConfig{ActorID: actor, ActorType: a.typ, ActorEmail: a.email, AccessPolicy: policy}}
	s.nameIAM(iam)
	s.iam.byActor[actor] = iam
	s.iam.order = append(s.iam.order, iam)
	return iam
}

// nameIAM names the resources the IAM binds roles on, for those the fake
// knows.
func (s *portworxStore) nameIAM(iam *models.PortworxIAM) {
	names := map[string]string{}
	s.namePolicy(names, &iam.Config.AccessPolicy)
	iam.Meta.ResourceNames = names
}

// namePolicy adds the display names of the resources p binds roles on to
// out, for those the fake knows.
func (s *portworxStore) namePolicy(out map[string]string, p *models.PortworxAccessPolicy) {
	for _, bindings := range [][]models.PortworxRoleBinding{p.Tenant, p.Project, p.Namespace} {
		for _, b := range bindings {
			for _, id := range b.ResourceIDs {
				if n, ok := s.names[id]; ok {
					out[id] = n
				}
			}
		}
	}
}

// iamHandlers are the IAMService operations' handlers.
func (s *portworxStore) iamHandlers(f *Fake) map[string]handler {
	return map[string]handler{
		"ListIAM": s.listIAM,
		"CreateIAM": func(w http.ResponseWriter, r *http.Request, body []byte) {
			s.createIAM(w, r, body, f.now())
		},
		"GetIAM": func(w http.ResponseWriter, r *http.Request, _ []byte) {
			if iam := s.findIAM(w, r.PathValue("actorId")); iam != nil {
				writeJSON(w, http.StatusOK, pxMessage{iam})
			}
		},
		"DeleteIAM": func(w http.ResponseWriter, r *http.Request, _ []byte) {
			actor := r.PathValue("actorId")
			if iam := s.findIAM(w, actor); iam != nil {
				delete(s.iam.byActor, actor)
				s.iam.order = slices.DeleteFunc(s.iam.order, func(x *models.PortworxIAM) bool { return x == iam })
				writeJSON(w, http.StatusOK, struct{}{})
			}
		},
		"GrantIAM": func(w http.ResponseWriter, r *http.Request, body []byte) {
			s.changeIAM(w, r, body, true, f.now())
		},
		"RevokeIAM": func(w http.ResponseWriter, r *http.Request, body []byte) {
			s.changeIAM(w, r, body, false, f.now())
		},
	}
}

// findIAM returns the role bindings of actor, answering 404 NOT_FOUND
// itself when it has none.
func (s *portworxStore) findIAM(w http.ResponseWriter, actor string) *models.PortworxIAM {
	if iam, ok := s.iam.byActor[actor]; ok {
		return iam
	}
	writePxError(w, pxNotFound, fmt.Sprintf("iam for actor %q not found", actor))
	return nil
}

// knownActor reports whether actor is a user or service account the fake
// knows, answering 404 NOT_FOUND itself when it is not.
func (s *portworxStore) knownActor(w http.ResponseWriter, actor string) bool {
	if _, ok := s.iam.actors[actor]; ok {
		return true
	}
	writePxError(w, pxNotFound, fmt.Sprintf("actor %q not found", actor))
	return false
}

func (s *portworxStore) listIAM(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	tenant, paging, ok := pxListQuery(w, q)
	if !ok {
		return
	}
	sortBy, ok := pxQueryEnum(w, q, "sort.sortBy", []string{"FIELD_UNSPECIFIED", "EMAIL"})
	if !ok {
		return
	}
	order, ok := pxQueryEnum(w, q, "sort.sortOrder", []string{"VALUE_UNSPECIFIED", "ASC", "DESC"})
	if !ok {
		return
	}
	project, _ := pxQuery(q, "projectUid")
	actor, _ := pxQuery(q, "actorId")
	var items []*models.PortworxIAM
	for _, iam := range s.iam.order {
		p := &iam.Config.AccessPolicy
		switch {
		case !s.policyInTenant(p, tenant):
		case project != "" && !pxBinds(p.Project, project):
		case actor != "" && iam.Config.ActorID != actor:
		default:
			items = append(items, iam)
		}
	}
	if sortBy == "EMAIL" {
		slices.SortStableFunc(items, func(a, b *models.PortworxIAM) int {
			c := cmp.Compare(strings.ToLower(a.Config.ActorEmail), strings.ToLower(b.Config.ActorEmail))
			if order == "DESC" {
				return -c
			}
			return c
		})
	}
	shown, info := pxPaginate(items, paging)
	page := models.PortworxListIAMResponse{IAM: []models.PortworxIAM{}, Pagination: &info}
	for _, iam := range shown {
		page.IAM = append(page.IAM, *iam)
	}
	writeJSON(w, http.StatusOK, pxMessage{page})
}

// pxQueryEnum reads an enum query parameter by name or number, as the
// gateway does, returning its name ("" when absent), or answers 400
// INVALID_ARGUMENT itself for a value that is neither.
func pxQueryEnum(w http.ResponseWriter, q url.Values, name string, values []string) (string, bool) {
	v, ok := pxQuery(q, name)
	if !ok {
		return "", true
	}
	for i, value := range values {
		if v == value || v == fmt.Sprint(i) {
			return value, true
		}
	}
	field := pxSnake(name[strings.LastIndex(name, ".")+1:])
	writePxError(w, pxInvalidArgument, fmt.Sprintf("parsing field %q: %q is not a valid value", field, v))
	return "", false
}

// policyInTenant reports whether p binds a role on tenant or on one of its
// projects: a tenant's ListIAM shows such role bindings.
func (s *portworxStore) policyInTenant(p *models.PortworxAccessPolicy, tenant string) bool {
	if pxBinds(p.Tenant, tenant) {
		return true
	}
	return slices.ContainsFunc(p.Project, func(b models.PortworxRoleBinding) bool {
		return slices.ContainsFunc(b.ResourceIDs, func(id string) bool { return s.projects[id] == tenant })
	})
}

// pxBinds reports whether one of bindings is on resource.
func pxBinds(bindings []models.PortworxRoleBinding, resource string) bool {
	return slices.ContainsFunc(bindings, func(b models.PortworxRoleBinding) bool { return slices.Contains(b.ResourceIDs, resource) })
}

func (s *portworxStore) createIAM(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
	raw, ok := pxDecode(w, body)
	if !ok {
		return
	}
	var req models.PortworxIAM
	if !pxUnmarshal(w, raw, &req) {
		return
	}
	if req.Config == nil || strings.TrimSpace(req.Config.ActorID) == "" {
		writePxError(w, pxInvalidArgument, "iam.config.actor_id: value is required")
		return
	}
	actor := req.Config.ActorID
	if !s.knownActor(w, actor) {
		return
	}
	if _, exists := s.iam.byActor[actor]; exists {
		writePxError(w, pxAlreadyExists, fmt.Sprintf("iam for actor %q already exists", actor))
		return
	}
	policy := pxMergedPolicy(req.Config.AccessPolicy)
	if pxRoles(&policy) == 0 {
		writePxError(w, pxInvalidArgument, "iam.config.access_policy: at least one role is required")
		return
	}
	account := r.Header.Get("px-account-id")
	if account == "" {
		account = s.accountOf(&policy)
	}
	iam := s.addIAM(actor, req.Meta, policy, account, now)
	writeJSON(w, http.StatusOK, pxMessage{iam})
}

// accountOf is the account owning the first tenant or project p binds a
// role on, "" for none the fake knows.
func (s *portworxStore) accountOf(p *models.PortworxAccessPolicy) string {
	for _, b := range p.Tenant {
		for _, id := range b.ResourceIDs {
			if a := s.tenants[id]; a != "" {
				return a
			}
		}
	}
	for _, b := range p.Project {
		for _, id := range b.ResourceIDs {
			if a := s.tenants[s.projects[id]]; a != "" {
				return a
			}
		}
	}
	return ""
}

// pxGrantBody is the body of GrantIAM and RevokeIAM.
type pxGrantBody struct {
	models.PortworxIAMScope
	AccessPolicy models.PortworxAccessPolicy `json:"accessPolicy"`
}

// changeIAM grants (add) or revokes roles of the actor in the path. A grant
// to a known actor without role bindings creates them; a revoke that
// matches no role binding is 404 NOT_FOUND. The scope (the resource_id
// oneof) must be set, once, to an account, tenant or project the fake
// knows.
func (s *portworxStore) changeIAM(w http.ResponseWriter, r *http.Request, body []byte, add bool, now time.Time) {
	raw, ok := pxDecode(w, body)
	if !ok {
		return
	}
	var req pxGrantBody
	if !pxUnmarshal(w, raw, &req) {
		return
	}
	rpc := "GrantIAMRequest"
	if !add {
		rpc = "RevokeIAMRequest"
	}
	set := ""
	for _, name := range pxScopeFields {
		if v, present := raw[name]; !present || v == nil {
			continue
		}
		if set != "" {
			writePxError(w, pxInvalidArgument, fmt.Sprintf("proto: error parsing %q, oneof public.portworx.platform.iam.v1.%s.resource_id is already set", name, rpc))
			return
		}
		set = name
	}
	sc := req.PortworxIAMScope
	scope := sc.AccountID + sc.TenantID + sc.ProjectID
	switch {
	case set == "":
		writePxError(w, pxInvalidArgument, "exactly one of accountId, tenantId or projectId must be set")
		return
	case strings.TrimSpace(scope) == "":
		writePxError(w, pxInvalidArgument, set+" must not be empty")
		return
	case !s.knownScope(&sc):
		writePxError(w, pxNotFound, fmt.Sprintf("%s %q not found", strings.TrimSuffix(set, "Id"), scope))
		return
	}
	change := pxMergedPolicy(req.AccessPolicy)
	if pxRoles(&change) == 0 {
		writePxError(w, pxInvalidArgument, "access_policy: at least one role is required")
		return
	}
	actor := r.PathValue("actorId")
	if !s.knownActor(w, actor) {
		return
	}
	iam := s.iam.byActor[actor]
	if add {
		if iam == nil {
			s.addIAM(actor, nil, change, s.grantAccount(&sc), now)
			writeJSON(w, http.StatusOK, models.PortworxGrantIAMResponse{Message: fmt.Sprintf("%d role binding(s) granted", pxRoles(&change))})
			return
		}
		n := pxGrant(&iam.Config.AccessPolicy, change)
		if n > 0 {
			s.touchIAM(iam, now)
		}
		writeJSON(w, http.StatusOK, models.PortworxGrantIAMResponse{Message: fmt.Sprintf("%d role binding(s) granted", n)})
		return
	}
	if iam == nil {
		writePxError(w, pxNotFound, fmt.Sprintf("iam for actor %q not found", actor))
		return
	}
	n := pxRevoke(&iam.Config.AccessPolicy, change)
	if n == 0 {
		writePxError(w, pxNotFound, fmt.Sprintf("actor %q holds none of the role bindings to revoke", actor))
		return
	}
	s.touchIAM(iam, now)
	writeJSON(w, http.StatusOK, models.PortworxRevokeIAMResponse{Message: fmt.Sprintf("%d role binding(s) revoked", n)})
}

// knownScope reports whether the account, tenant or project of sc exists.
func (s *portworxStore) knownScope(sc *models.PortworxIAMScope) bool {
	switch {
	case sc.TenantID != "":
		return s.tenants[sc.TenantID] != ""
	case sc.ProjectID != "":
		return s.projects[sc.ProjectID] != ""
	}
	for _, account := range s.tenants {
		if account == sc.AccountID {
			return true
		}
	}
	return false
}

// grantAccount is the account a grant in scope sc happens in.
func (s *portworxStore) grantAccount(sc *models.PortworxIAMScope) string {
	switch {
	case sc.AccountID != "":
		return sc.AccountID
	case sc.TenantID != "":
		return s.tenants[sc.TenantID]
	}
	return s.tenants[s.projects[sc.ProjectID]]
}

// touchIAM records a change to an IAM.
func (s *portworxStore) touchIAM(iam *models.PortworxIAM, now time.Time) {
	at := pxNow(now)
	var v int
	_, _ = fmt.Sscan(iam.Meta.ResourceVersion, &v)
	iam.Meta.ResourceVersion = fmt.Sprint(v + 1)
	iam.Meta.UpdateTime = &at
	s.nameIAM(iam)
}

// pxLevels returns the role-binding lists of p, by level.
func pxLevels(p *models.PortworxAccessPolicy) []*[]models.PortworxRoleBinding {
	return []*[]models.PortworxRoleBinding{&p.Tenant, &p.Project, &p.Namespace}
}

// pxRoles counts the roles p holds: role names, and role bindings.
func pxRoles(p *models.PortworxAccessPolicy) int {
	n := len(p.GlobalScope) + len(p.Account)
	for _, level := range pxLevels(p) {
		n += len(*level)
	}
	return n
}

// pxMergedPolicy is p with blank role names and resource ids dropped,
// each role name once and each role binding's resources together, as
// the server stores a policy.
func pxMergedPolicy(p models.PortworxAccessPolicy) models.PortworxAccessPolicy {
	var out models.PortworxAccessPolicy
	pxGrant(&out, p)
	return out
}

// pxGrant adds the roles of add to p and returns how many were new: role
// names, role bindings and resources of existing role bindings.
func pxGrant(p *models.PortworxAccessPolicy, add models.PortworxAccessPolicy) int {
	n := 0
	addNames := func(to *[]string, names []string) {
		for _, name := range names {
			if strings.TrimSpace(name) != "" && !slices.Contains(*to, name) {
				*to = append(*to, name)
				n++
			}
		}
	}
	addNames(&p.GlobalScope, add.GlobalScope)
	addNames(&p.Account, add.Account)
	for i, level := range pxLevels(&add) {
		to := pxLevels(p)[i]
		for _, b := range *level {
			if strings.TrimSpace(b.RoleName) == "" {
				continue
			}
			j := slices.IndexFunc(*to, func(x models.PortworxRoleBinding) bool { return x.RoleName == b.RoleName })
			created := j < 0
			if created {
				*to = append(*to, models.PortworxRoleBinding{RoleName: b.RoleName})
				j = len(*to) - 1
				n++
			}
			ids := &(*to)[j].ResourceIDs
			for _, id := range b.ResourceIDs {
				if strings.TrimSpace(id) != "" && !slices.Contains(*ids, id) {
					*ids = append(*ids, id)
					if !created {
						n++ // a new resource of a role binding the actor had
					}
				}
			}
		}
	}
	return n
}

// pxRevoke removes the roles of remove from p and returns how many it
// removed. A role binding named without resources goes entirely; with
// resources, only from those (and entirely once it has none left).
func pxRevoke(p *models.PortworxAccessPolicy, remove models.PortworxAccessPolicy) int {
	n := 0
	dropNames := func(from *[]string, names []string) {
		for _, name := range names {
			if i := slices.Index(*from, name); i >= 0 {
				*from = slices.Delete(*from, i, i+1)
				n++
			}
		}
	}
	dropNames(&p.GlobalScope, remove.GlobalScope)
	dropNames(&p.Account, remove.Account)
	for i, level := range pxLevels(&remove) {
		from := pxLevels(p)[i]
		for _, b := range *level {
			j := slices.IndexFunc(*from, func(x models.PortworxRoleBinding) bool { return x.RoleName == b.RoleName })
			if j < 0 {
				continue
			}
			if len(b.ResourceIDs) == 0 {
				*from = slices.Delete(*from, j, j+1)
				n++
				continue
			}
			kept := (*from)[j].ResourceIDs
			before := len(kept)
			kept = slices.DeleteFunc(slices.Clone(kept), func(id string) bool { return slices.Contains(b.ResourceIDs, id) })
			n += before - len(kept)
			if len(kept) == 0 {
				*from = slices.Delete(*from, j, j+1)
			} else {
				(*from)[j].ResourceIDs = kept
			}
		}
	}
	return n
}
