package access

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// Portworx invitation scopes, the prefixes of a KindInvitation grant's
// Scope ("tenant:<uid>").
const (
	portworxAccount = "account"
	portworxTenant  = "tenant"
	portworxProject = "project"
)

// portworxPageSize is the page size of the invitation lists. Portworx
// documents no default and no maximum for pagination.pageSize: the proto
// (portworxapis common/apiv1/pagination.proto, v1.3.0) says only "the
// maximum number of records to include per page", declares no validation
// rule on it, and its own clients page with 50 (torpedo's
// NewPaginationRequest(1, 50), invitations.PortworxDefaultPageSize); no
// stored Portworx Central, PDS or px-backup document gives a limit either.
// What bounds it is the transport: the REST API is grpc-gateway in front
// of the gRPC service, and the generated gateway
// (invitation.pb.gw.go, RegisterInvitationServiceHandlerFromEndpoint)
// reaches the service through a grpc-go client, which refuses an answer
// over 4 MiB unless configured otherwise (grpc-go's
// defaultClientMaxReceiveMessageSize). An invitation is under 1 KiB in
// protobuf (uid, email, a few role bindings of 36-byte ids, resource
// names), so a page of 1,000 stays under a quarter of that bound, and a
// tenant of 10,000 invitations is listed in 10 requests rather than 200.
// A server that caps pages lower still lists everything: the pager
// follows the next page the server names. One that refuses the size
// outright (400) is asked again at PortworxDefaultPageSize.
const portworxPageSize = 1000

// WithPortworxTenants names the Portworx tenants whose invitations and
// IAM role bindings Audit reads and Plan compares (Portworx lists both per
// tenant). Tenants a desired PortworxAccess or PortworxRoleBinding names
// are read too.
func WithPortworxTenants(tenantIDs ...string) Option {
	return func(m *Manager) error {
		m.tenants = append(m.tenants, tenantIDs...)
		return nil
	}
}

// portworxConnector keeps Portworx invitations to accounts, tenants and
// projects, and the IAM role bindings of Portworx users. Portworx lists
// both only by tenant, so the connector reads the tenants it is configured
// with and every tenant a desired invitation or role binding names. An
// invitation to a project or an account is seen only when it is listed
// under one of those tenants: the API says neither which tenant a project
// belongs to nor lists an account's invitations. A user's role bindings
// are listed whole under any tenant they hold a role in (on it or on one
// of its projects).
//
// Removing a person (offboarding) revokes their role bindings first, then
// deletes their invitations (see Rank): the role bindings are what the
// user can do now, so a run that stops half-way has taken away access
// rather than paperwork.
type portworxConnector struct {
	c       *invitations.Client
	tenants []string
}

// newPortworxConnector returns the Portworx connector over c, reading the
// invitations of tenants (and of the tenants desired invitations name).
func newPortworxConnector(c *invitations.Client, tenants []string) Connector {
	return &portworxConnector{c: c, tenants: slices.Clone(tenants)}
}

func (p *portworxConnector) API() invitations.API { return invitations.Portworx }

// portworxNoTenant is why nothing is read without a tenant: Portworx
// lists invitations per tenant.
const portworxNoTenant = "no tenant to read: invitations are listed per tenant"

// NotReadable says so when no tenant is configured: an audit then reads
// nothing (a plan also reads the tenants desired invitations name).
func (p *portworxConnector) NotReadable() string {
	if len(p.tenants) == 0 {
		return portworxNoTenant
	}
	return ""
}

// portworxRoles is roles as a grant's Level: sorted, without duplicates,
// joined with ",".
func portworxRoles(roles []string) string {
	return strings.Join(slices.Compact(slices.Sorted(slices.Values(roles))), ",")
}

// portworxMergeRoles is Portworx's rule for a person's roles
// (MergeRoles): the union of the invitations, and of the role bindings,
// one per scope with the union of their roles, sorted.
func portworxMergeRoles(m *roleMerge) error {
	// key is an entry's scope; each entry without one (Validate refuses
	// them) is left apart.
	invalid := 0
	key := func(a PortworxAccess) string {
		scope, err := portworxScopeOf(a)
		if err != nil {
			invalid++
			return fmt.Sprintf("invalid %d", invalid)
		}
		return scope
	}
	union := func(a, b PortworxAccess) (PortworxAccess, verdict, string) {
		a.Roles = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.Roles), b.Roles...))))
		return a, both, ""
	}
	grant := func(kind Kind) func(PortworxAccess) roleGrant {
		return func(a PortworxAccess) roleGrant {
			return roleGrant{vendor: invitations.Portworx, kind: kind, scope: key(a)}
		}
	}
	invites, err := mergeList(m, ".Portworx", func(p Person) []PortworxAccess { return p.Portworx },
		itemRule[PortworxAccess]{key: key, join: union, grant: grant(KindInvitation)})
	if err != nil {
		return err
	}
	bindings, err := mergeList(m, ".PortworxRoleBindings", func(p Person) []PortworxAccess {
		out := make([]PortworxAccess, len(p.PortworxRoleBindings))
		for i, rb := range p.PortworxRoleBindings {
			out[i] = PortworxAccess(rb)
		}
		return out
	}, itemRule[PortworxAccess]{key: key, join: union, grant: grant(KindRoleBinding)})
	m.out.Portworx = invites
	for _, rb := range bindings {
		m.out.PortworxRoleBindings = append(m.out.PortworxRoleBindings, PortworxRoleBinding(rb))
	}
	return err
}

// portworxScopeOf returns the scope a desired invitation names, or an
// error unless exactly one of its ids is set.
func portworxScopeOf(a PortworxAccess) (string, error) {
	var scopes []string
	for _, s := range []struct{ kind, id string }{{portworxAccount, a.AccountID}, {portworxTenant, a.TenantID}, {portworxProject, a.ProjectID}} {
		if s.id != "" {
			scopes = append(scopes, s.kind+":"+s.id)
		}
	}
	if len(scopes) != 1 {
		return "", fmt.Errorf("a Portworx invitation needs exactly one of AccountID, TenantID or ProjectID, got %d", len(scopes))
	}
	return scopes[0], nil
}

// portworxRecord is an invitation as a record. Its Level lists the roles
// the access policy binds to the invitation's own scope by name, and any
// other role as "role@where" ("project-writer@project:<uid>",
// "admin@global"), so that an invitation equals a desired grant exactly
// when its policy is what the connector would create for it. An accepted
// invitation is StateMember (the invitee joined with those roles); any
// other phase, known or not, StatePending. ok is false for an invitation
// without a config or a scope, which no grant can describe.
func portworxRecord(inv *models.PortworxInvitation) (r Record, ok bool) {
	cfg := inv.Config
	if cfg == nil {
		return Record{}, false
	}
	kind, id := "", ""
	switch {
	case cfg.AccountID != "":
		kind, id = portworxAccount, cfg.AccountID
	case cfg.TenantID != "":
		kind, id = portworxTenant, cfg.TenantID
	case cfg.ProjectID != "":
		kind, id = portworxProject, cfg.ProjectID
	default:
		return Record{}, false
	}
	var roles []string
	named := func(role, where string) {
		if where == "" {
			roles = append(roles, role)
		} else {
			roles = append(roles, role+"@"+where)
		}
	}
	pol := cfg.AccessPolicy
	for _, role := range pol.GlobalScope {
		named(role, "global")
	}
	for _, role := range pol.Account {
		if kind == portworxAccount {
			named(role, "")
		} else {
			named(role, portworxAccount)
		}
	}
	for _, b := range []struct {
		kind     string
		bindings []models.PortworxRoleBinding
	}{{portworxTenant, pol.Tenant}, {portworxProject, pol.Project}, {"namespace", pol.Namespace}} {
		for _, rb := range b.bindings {
			if len(rb.ResourceIDs) == 0 {
				named(rb.RoleName, b.kind)
			}
			for _, rid := range rb.ResourceIDs {
				if b.kind == kind && rid == id {
					named(rb.RoleName, "")
				} else {
					named(rb.RoleName, b.kind+":"+rid)
				}
			}
		}
	}
	state := StatePending
	if inv.Status != nil && inv.Status.Phase == models.PortworxInvitationPhaseAccepted {
		state = StateMember
	}
	var uid string
	if inv.Meta != nil {
		uid = inv.Meta.UID
	}
	return Record{
		Email: strings.ToLower(cfg.UserEmail),
		Grant: Grant{Vendor: invitations.Portworx, Kind: KindInvitation, Scope: kind + ":" + id, Level: portworxRoles(roles)},
		State: state,
		ID:    uid,
	}, true
}

// Read lists the invitations of the configured tenants and of every tenant
// a desired invitation or role binding names, keeping the people's and
// those in the scopes the desired invitations name; then, when someone
// wants role bindings or is absent, the IAM role bindings of the same
// tenants (see readRoleBindings). PlanOptions.ScopesOf names scopes, and
// tenants to read, as the people's entries do, wanting nothing there.
func (p *portworxConnector) Read(ctx context.Context, people []Person, opts PlanOptions, _ *ConnectorState) (*View, error) {
	// An invitation's roles change by deleting it and inviting again; a
	// role binding's are granted and revoked in place.
	view := &View{Want: map[string][]Grant{}, Subjects: map[string]string{}, Scopes: map[string]bool{},
		Reissue: func(r Record) bool { return r.Grant.Kind == KindInvitation }}
	tenants := slices.Clone(p.tenants)
	emails := map[string]bool{}
	readIAM := false
	fields := map[string]string{} // a desired role binding's key → its field
	// name names a scope prune may clean, and its tenant to read.
	name := func(kind Kind, scope, tenant string) {
		view.Scopes[string(kind)+"|"+scope] = true
		if tenant != "" {
			tenants = append(tenants, tenant)
		}
	}
	for i, person := range people {
		email := strings.ToLower(person.Email)
		emails[email] = true
		if person.Absent {
			readIAM = true // to revoke what their user holds
			continue
		}
		for j, rb := range person.PortworxRoleBindings {
			readIAM = true
			// Validate has checked the scope and the roles.
			scope, _ := portworxScopeOf(PortworxAccess(rb))
			g := Grant{Vendor: invitations.Portworx, Kind: KindRoleBinding, Scope: scope, Level: portworxRoles(rb.Roles)}
			view.Want[email] = append(view.Want[email], g)
			fields[g.Key(email)] = fmt.Sprintf("people[%d].PortworxRoleBindings[%d]", i, j)
			name(KindRoleBinding, scope, rb.TenantID)
		}
		if len(person.Portworx) == 0 {
			continue
		}
		var want []Grant
		seen := map[string]bool{}
		for _, a := range person.Portworx {
			scope, err := portworxScopeOf(a)
			if err == nil && seen[scope] {
				err = fmt.Errorf("two Portworx invitations to %s", scope)
			}
			if err == nil && len(a.Roles) == 0 {
				err = fmt.Errorf("the Portworx invitation to %s has no roles", scope)
			}
			if i := slices.IndexFunc(a.Roles, func(r string) bool { return r == "" || strings.ContainsAny(r, ",@") }); err == nil && i >= 0 {
				// "," joins roles in a Level and "@" qualifies them there.
				err = fmt.Errorf("the Portworx invitation to %s has the role %q: a role is not empty and has no \",\" or \"@\"", scope, a.Roles[i])
			}
			if err != nil {
				view.Problems = append(view.Problems, Problem{Email: email, Vendor: invitations.Portworx, Reason: err.Error()})
				continue
			}
			seen[scope] = true
			want = append(want, Grant{Vendor: invitations.Portworx, Kind: KindInvitation, Scope: scope, Level: portworxRoles(a.Roles)})
			name(KindInvitation, scope, a.TenantID)
		}
		if len(want) > 0 {
			view.Want[email] = append(view.Want[email], want...)
		}
	}

	// The scopes of PlanOptions.ScopesOf, as the people's: nobody wants
	// anything there.
	for _, a := range opts.ScopesOf {
		for _, rb := range a.PortworxRoleBindings {
			scope, err := portworxScopeOf(PortworxAccess(rb))
			if err != nil {
				continue
			}
			readIAM = true
			name(KindRoleBinding, scope, rb.TenantID)
		}
		for _, inv := range a.Portworx {
			scope, err := portworxScopeOf(inv)
			if err != nil {
				continue
			}
			name(KindInvitation, scope, inv.TenantID)
		}
	}
	if len(tenants) == 0 {
		view.NotRead = portworxNoTenant
	}
	tenants = slices.Compact(slices.Sorted(slices.Values(tenants)))
	seen := map[string]bool{} // invitation uids, in case two tenants list one
	for _, tenant := range tenants {
		for inv, err := range p.tenantInvitations(ctx, tenant) {
			var apiErr *invitations.APIError
			if errors.As(err, &apiErr) && apiErr.StatusCode < 500 {
				// A tenant the credentials cannot list (gone, or not
				// theirs) leaves the others readable: the coverage says
				// which was not.
				view.Partial = append(view.Partial, fmt.Sprintf("tenant %s cannot be listed (%d %s)", tenant, apiErr.StatusCode, http.StatusText(apiErr.StatusCode)))
				break
			}
			if err != nil {
				return nil, err
			}
			r, ok := portworxRecord(&inv)
			if !ok || (r.ID != "" && seen[r.ID]) {
				continue
			}
			if emails[r.Email] || view.Scopes[string(KindInvitation)+"|"+r.Grant.Scope] {
				seen[r.ID] = true
				view.Have = append(view.Have, r)
			}
		}
	}
	if readIAM {
		if err := p.readRoleBindings(ctx, tenants, emails, fields, view); err != nil {
			return nil, err
		}
	}
	return view, nil
}

// readRoleBindings lists the IAM role bindings of tenants, keeping, as
// records, those of the people's users and those in the scopes the
// desired role bindings name, and sets each person's user (actor id) as
// their Subject, which grants address. IAM names users by id only and
// lists only users with some role, so a person who wants role bindings
// and whose user holds none in these tenants cannot be found: a Problem
// says so, naming the role binding's field (fields, by grant key), and
// holds back their role-binding creates.
func (p *portworxConnector) readRoleBindings(ctx context.Context, tenants []string, emails map[string]bool, fields map[string]string, view *View) error {
	actors := map[string]bool{}
	for _, tenant := range tenants {
		for iam, err := range p.tenantIAM(ctx, tenant) {
			var apiErr *invitations.APIError
			if errors.As(err, &apiErr) && apiErr.StatusCode < 500 {
				view.Partial = append(view.Partial, fmt.Sprintf("the role bindings of tenant %s cannot be listed (%d %s)", tenant, apiErr.StatusCode, http.StatusText(apiErr.StatusCode)))
				break
			}
			if err != nil {
				return err
			}
			if iam.Config == nil || actors[iam.Config.ActorID] {
				continue
			}
			actors[iam.Config.ActorID] = true
			email := strings.ToLower(iam.Config.ActorEmail)
			if emails[email] && email != "" {
				if _, ok := view.Subjects[email]; !ok {
					view.Subjects[email] = iam.Config.ActorID
				}
			}
			for _, r := range portworxIAMRecords(&iam) {
				if emails[r.Email] || view.Scopes[string(KindRoleBinding)+"|"+r.Grant.Scope] {
					view.Have = append(view.Have, r)
				}
			}
		}
	}
	for _, email := range slices.Sorted(maps.Keys(view.Want)) {
		if _, ok := view.Subjects[email]; ok {
			continue
		}
		for _, g := range view.Want[email] {
			if g.Kind != KindRoleBinding {
				continue
			}
			view.Problems = append(view.Problems, Problem{
				Email: email, Vendor: invitations.Portworx, Key: g.Key(email), Field: fields[g.Key(email)],
				Reason: fmt.Sprintf("no Portworx user with this email holds a role in the tenants read (%s): Portworx's IAM names users by id and lists only those with a role, so the role binding on %s has nobody to go to; invite them, or list a tenant they hold a role in (portworx_tenants)",
					strings.Join(tenants, ", "), g.Scope),
			})
		}
	}
	return nil
}

// portworxIAMRecords is an actor's role bindings as records, one per
// scope with the roles bound there: "account:<id>" (the account the IAM
// belongs to), "tenant:<id>", "project:<id>", "namespace:<id>", and
// "global"; a role binding that names no resource is on its level's
// every resource ("tenant", "project", "namespace"). Records carry the
// actor id and the resource's name when the IAM gives it. A service
// account (no email) has none: it is nobody's access.
func portworxIAMRecords(iam *models.PortworxIAM) []Record {
	cfg := iam.Config
	if cfg == nil || cfg.ActorEmail == "" {
		return nil
	}
	roles := map[string][]string{}
	var names map[string]string
	account := ""
	if m := iam.Meta; m != nil {
		names = m.ResourceNames
		if m.ParentReference != nil {
			account = m.ParentReference.UID
		}
	}
	pol := cfg.AccessPolicy
	roles["global"] = append(roles["global"], pol.GlobalScope...)
	roles[portworxAccount+":"+account] = append(roles[portworxAccount+":"+account], pol.Account...)
	for _, b := range []struct {
		kind     string
		bindings []models.PortworxRoleBinding
	}{{portworxTenant, pol.Tenant}, {portworxProject, pol.Project}, {"namespace", pol.Namespace}} {
		for _, rb := range b.bindings {
			if len(rb.ResourceIDs) == 0 {
				roles[b.kind] = append(roles[b.kind], rb.RoleName)
			}
			for _, id := range rb.ResourceIDs {
				roles[b.kind+":"+id] = append(roles[b.kind+":"+id], rb.RoleName)
			}
		}
	}
	var out []Record
	for _, scope := range slices.Sorted(maps.Keys(roles)) {
		if len(roles[scope]) == 0 {
			continue
		}
		_, id, _ := strings.Cut(scope, ":")
		out = append(out, Record{
			Email: strings.ToLower(cfg.ActorEmail),
			Grant: Grant{Vendor: invitations.Portworx, Kind: KindRoleBinding, Scope: scope, ScopeName: names[id], Level: portworxRoles(roles[scope])},
			State: StateGranted,
			ID:    cfg.ActorID,
		})
	}
	return out
}

// Rank runs a person's role-binding changes before their invitation
// changes: removing a person revokes what their user can do now before
// deleting the invitations (see portworxConnector).
func (p *portworxConnector) Rank(ch Change) int {
	if ch.Grant.Kind == KindRoleBinding {
		return 0
	}
	return 1
}

// Audit yields every invitation of the configured tenants, then the role
// bindings of their users (each user once, though several tenants list
// them), fetching pages only as the loop advances.
func (p *portworxConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		tenants := slices.Compact(slices.Sorted(slices.Values(p.tenants)))
		for _, tenant := range tenants {
			for inv, err := range p.tenantInvitations(ctx, tenant) {
				if err != nil {
					yield(Record{}, err)
					return
				}
				if r, ok := portworxRecord(&inv); ok && !yield(r, nil) {
					return
				}
			}
		}
		actors := map[string]bool{}
		for _, tenant := range tenants {
			for iam, err := range p.tenantIAM(ctx, tenant) {
				if err != nil {
					yield(Record{}, err)
					return
				}
				if iam.Config == nil || actors[iam.Config.ActorID] {
					continue
				}
				actors[iam.Config.ActorID] = true
				for _, r := range portworxIAMRecords(&iam) {
					if !yield(r, nil) {
						return
					}
				}
			}
		}
	}
}

// tenantInvitations lists the invitations of tenant (see portworxList).
func (p *portworxConnector) tenantInvitations(ctx context.Context, tenant string) iter.Seq2[models.PortworxInvitation, error] {
	return portworxList("invitations of tenant "+tenant, func(size int64) *invitations.Pager[models.PortworxInvitation] {
		return p.c.AccountInvitations.ListInvitations(ctx, tenant, &invitations.ListAccountInvitationsOptions{PageSize: size})
	})
}

// tenantIAM lists the IAM role bindings of tenant, one IAM per user or
// service account (see portworxList). The IAM list's page size is as
// undocumented as the invitations'; an IAM is of the same order of size.
func (p *portworxConnector) tenantIAM(ctx context.Context, tenant string) iter.Seq2[models.PortworxIAM, error] {
	return portworxList("role bindings of tenant "+tenant, func(size int64) *invitations.Pager[models.PortworxIAM] {
		return p.c.IAM.ListIAM(ctx, tenant, &invitations.ListIAMOptions{PageSize: size})
	})
}

// portworxList lists what (for errors), portworxPageSize a page, fetching
// pages as the loop advances. When the first page is refused as a bad
// request, the list starts again at PortworxDefaultPageSize, the size
// Portworx's own clients use: the maximum is undocumented, and one request
// more is better than no list.
func portworxList[T any](what string, list func(size int64) *invitations.Pager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		size := int64(portworxPageSize)
		for {
			first, retry := true, false
			for item, err := range list(size).All() {
				if err != nil {
					var apiErr *invitations.APIError
					if first && size != invitations.PortworxDefaultPageSize && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusBadRequest {
						retry = true
						break
					}
					var zero T
					yield(zero, fmt.Errorf("portworx: list %s: %w", what, err))
					return
				}
				first = false
				if !yield(item, nil) {
					return
				}
			}
			if !retry {
				return
			}
			size = invitations.PortworxDefaultPageSize
		}
	}
}

// Execute sends ch (see execute).
func (p *portworxConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := p.execute(ctx, ch, st)
	return err
}

// execute sends one change. Portworx cannot change an invitation's roles,
// so an update deletes the invitation (ch.Target) and creates it again
// with the new roles; the invitee is emailed again and, if they had
// accepted, has to accept again. A delete that finds nothing (404) lets
// the create go ahead.
// It returns the id of what a create made, if any.
func (p *portworxConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	if ch.Grant.Kind == KindRoleBinding {
		return "", p.executeRoleBinding(ctx, ch)
	}
	if ch.Grant.Kind != KindInvitation {
		return "", fmt.Errorf("portworx: cannot %s a %s grant", ch.Action, ch.Grant.Kind)
	}
	switch ch.Action {
	case Create:
		return p.create(ctx, ch)
	case Update:
		if err := p.c.AccountInvitations.DeleteInvitation(ctx, ch.Target, nil); err != nil && !errors.Is(err, invitations.ErrNotFound) {
			return "", err
		}
		newID, err := p.create(ctx, ch)
		if err != nil {
			return "", &PartlyDone{Done: "the invitation was deleted", Err: err}
		}
		return newID, nil
	case Remove:
		return "", p.c.AccountInvitations.DeleteInvitation(ctx, ch.Target, nil)
	}
	return "", fmt.Errorf("portworx: unknown action %q", ch.Action)
}

// portworxLevelRoles splits a grant's Level into its roles.
func portworxLevelRoles(level string) []string {
	if level == "" {
		return nil
	}
	return strings.Split(level, ",")
}

// portworxPolicy is where scope ("account:<id>", "tenant:<id>" or
// "project:<id>") is and an access policy binding each of roles to it
// alone; ok is false for any other scope.
func portworxPolicy(scope string, roles []string) (where models.PortworxIAMScope, pol models.PortworxAccessPolicy, ok bool) {
	kind, id, _ := strings.Cut(scope, ":")
	if id == "" {
		return where, pol, false
	}
	bind := func() []models.PortworxRoleBinding {
		out := make([]models.PortworxRoleBinding, 0, len(roles))
		for _, role := range roles {
			out = append(out, models.PortworxRoleBinding{RoleName: role, ResourceIDs: []string{id}})
		}
		return out
	}
	switch kind {
	case portworxAccount:
		where.AccountID = id
		pol.Account = roles
	case portworxTenant:
		where.TenantID = id
		pol.Tenant = bind()
	case portworxProject:
		where.ProjectID = id
		pol.Project = bind()
	default:
		return where, pol, false
	}
	return where, pol, true
}

// create invites ch.Email to the grant's scope, with an access policy
// binding each role to that scope alone, and returns the invitation uid.
func (p *portworxConnector) create(ctx context.Context, ch Change) (string, error) {
	where, pol, ok := portworxPolicy(ch.Grant.Scope, portworxLevelRoles(ch.Grant.Level))
	if !ok {
		return "", fmt.Errorf("portworx: invitation scope %q is not account:, tenant: or project:<id>", ch.Grant.Scope)
	}
	cfg := &models.PortworxInvitationConfig{UserEmail: ch.Email, AccessPolicy: pol,
		AccountID: where.AccountID, TenantID: where.TenantID, ProjectID: where.ProjectID}
	inv, err := p.c.AccountInvitations.CreateInvitation(ctx, &models.PortworxInvitation{Config: cfg})
	if err != nil {
		return "", err
	}
	if inv.Meta == nil {
		return "", nil
	}
	return inv.Meta.UID, nil
}

// executeRoleBinding sends one role-binding change to the user ch.Target
// (an actor id). A create grants the roles; a removal revokes them; an
// update grants the roles missing, then revokes those no longer wanted,
// so that a mover keeps working throughout (a failed revoke leaves the
// old roles besides the new, which the next plan shows, rather than
// neither). A role binding read on a namespace, on every resource of a
// level or globally has no scope a revoke can name (it takes an account,
// a tenant or a project): its removal, planned only for an absent person
// after their scoped revokes (Rank and the grant order), deletes every
// role binding the user has left.
func (p *portworxConnector) executeRoleBinding(ctx context.Context, ch Change) error {
	if ch.Target == "" {
		return fmt.Errorf("portworx: no Portworx user of %s is known to %s %s", ch.Email, ch.Action, describe(ch.Grant))
	}
	roles := portworxLevelRoles(ch.Grant.Level)
	_, _, ok := portworxPolicy(ch.Grant.Scope, nil)
	switch {
	case ch.Action == Remove && !ok:
		return p.c.IAM.DeleteIAM(ctx, ch.Target)
	case !ok:
		return fmt.Errorf("portworx: cannot %s a role binding on %q: not account:, tenant: or project:<id>", ch.Action, ch.Grant.Scope)
	case ch.Action == Create:
		return p.grantRoles(ctx, ch.Target, ch.Grant.Scope, roles)
	case ch.Action == Remove:
		return p.revokeRoles(ctx, ch.Target, ch.Grant.Scope, roles)
	case ch.Action == Update:
		var had []string
		if ch.From != nil {
			had = portworxLevelRoles(ch.From.Level)
		}
		add := slices.DeleteFunc(slices.Clone(roles), func(r string) bool { return slices.Contains(had, r) })
		drop := slices.DeleteFunc(slices.Clone(had), func(r string) bool { return slices.Contains(roles, r) })
		if err := p.grantRoles(ctx, ch.Target, ch.Grant.Scope, add); err != nil {
			return err
		}
		if err := p.revokeRoles(ctx, ch.Target, ch.Grant.Scope, drop); err != nil {
			if len(add) == 0 {
				return err
			}
			return &PartlyDone{Done: "the roles " + strings.Join(add, ",") + " were granted", Err: err}
		}
		return nil
	}
	return fmt.Errorf("portworx: unknown action %q", ch.Action)
}

// grantRoles grants roles on scope to actor; none sends nothing.
func (p *portworxConnector) grantRoles(ctx context.Context, actor, scope string, roles []string) error {
	if len(roles) == 0 {
		return nil
	}
	where, pol, _ := portworxPolicy(scope, roles)
	_, err := p.c.IAM.GrantIAM(ctx, actor, &models.PortworxGrantIAMRequest{PortworxIAMScope: where, AccessPolicy: pol})
	return err
}

// revokeRoles revokes roles on scope from actor; none sends nothing.
func (p *portworxConnector) revokeRoles(ctx context.Context, actor, scope string, roles []string) error {
	if len(roles) == 0 {
		return nil
	}
	where, pol, _ := portworxPolicy(scope, roles)
	_, err := p.c.IAM.RevokeIAM(ctx, actor, &models.PortworxRevokeIAMRequest{PortworxIAMScope: where, AccessPolicy: pol})
	return err
}

// portworxLookupInvitations is Portworx's lookup: one tenant's
// invitations.
const portworxLookupInvitations = "portworx-invitations"

// Lookups offers a tenant's invitations. Portworx lists them per tenant,
// so the lookup needs one.
func (p *portworxConnector) Lookups() []Lookup {
	return []Lookup{{
		Kind: portworxLookupInvitations, Vendor: invitations.Portworx,
		Summary: "Portworx invitations of one tenant, with their scope and roles",
		Columns: []string{"uid", "email", "scope", "roles", "state"},
		Params:  []LookupParam{{Name: "tenant", Usage: "the Portworx tenant whose invitations to list"}},
	}}
}

// Lookup lists the invitations of args["tenant"], with the scope and
// roles as a plan shows them; one without a config or a scope has those
// columns empty.
func (p *portworxConnector) Lookup(ctx context.Context, kind string, args map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != portworxLookupInvitations {
		return unknownLookup(invitations.Portworx, kind)
	}
	return batched(p.tenantInvitations(ctx, args["tenant"]), func(inv models.PortworxInvitation) ([]string, bool) {
		if r, ok := portworxRecord(&inv); ok {
			return []string{r.ID, r.Email, r.Grant.Scope, r.Grant.Level, string(r.State)}, true
		}
		var uid, email string
		if inv.Meta != nil {
			uid = inv.Meta.UID
		}
		if inv.Config != nil {
			email = inv.Config.UserEmail
		}
		return []string{uid, email, "", "", ""}, true
	})
}
