package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// freestyleGitPageSize is the page size of the git permissions list. That
// list reports no total: it ends on a page shorter than the limit sent, so
// a limit is always sent (see spec/freestyle.md, pagination). Unlike the
// two lists below, a limit above a maximum of the server's own would end
// this list early without an error (a full page would look short), so it
// stays at the moderate size the spec advises: one request covers an
// identity's first hundred repositories.
const freestyleGitPageSize = 100

// freestyleIdentityPageSize and freestyleVMPageSize are the page sizes of
// the identities list and of an identity's VM permissions. Freestyle
// documents neither a default nor a maximum for their limit (its schema
// says only "integer >= 0": spec/freestyle.md 1.5, handle_list_identities
// and handle_list_vm_permissions in the identity spec), and without one
// the server's default applies (the fake's is 50). Both lists answer their
// total and the offset they started at, and the pager goes on from the
// items it received, so a server that caps a page below the limit costs
// pages, never records. The size is then only a trade between requests
// and answer size: an identity is {"id","managed"}, some 60 bytes of JSON,
// so a page of 1,000 is about 60 KB and an account of 10,000 identities is
// listed in 10 requests (200 at the fake's default); a VM permission is
// about 250 bytes, and one request covers an identity's first thousand.
const (
	freestyleIdentityPageSize = 1000
	freestyleVMPageSize       = 1000
)

// freestyleConcurrency is how many identities' permissions are read at
// once. Freestyle has no list of permissions across identities, so a plan
// reads two lists (git, then VM) for every mapped person, and an audit for
// every identity of the account: one after another, 10,000 people are
// 20,000 round trips end to end. Eight at a time divide that wait by eight
// while staying gentle with an API that publishes no budget; the Client's
// rate limit for Freestyle, when one is set, still paces every request.
// It is also the audit's window: at most this many identities are read
// ahead of the loop, so an audit holds at most their records at once.
const freestyleConcurrency = 8

// freestyleConnector keeps Freestyle identities and their git and VM
// permissions. Freestyle identities carry no email: the connector's part
// of the state says whose each is, and an identity create in doubt is
// settled by finding the one new identity nobody owns. Its part holds:
//
//   - "identity/<email>": the person's identity id (a JSON string);
//   - "known-identity-set/<id>": the identities that existed when an apply
//     began (a JSON list), written once per apply by its first identity
//     create in doubt, whose note names it: an identity found later that
//     is not among them and is nobody's is the one the create made.
//
// Removing a person (offboarding) revokes their identity's access tokens
// first, then its permissions, then deletes the identity (see Rank): a
// token is a credential someone may hold outside any permission list, so
// it goes before anything else, and the identity, which the others hang
// on, goes last. Tokens are read only for absent people (and by an
// audit): nobody asks for one in a desired state.
type freestyleConnector struct {
	c *invitations.Client
}

// Keys of the entries of Freestyle's part of the state.
const (
	freestyleIdentityPrefix = "identity/"
	freestyleKnownSetPrefix = "known-identity-set/"
)

// FreestyleDoubtNote is the note (DoubtfulChange.Note) of a Freestyle
// identity create in doubt: the identities that existed before it, listed
// (states written by older versions) or named by a set of Freestyle's part
// of the state.
type FreestyleDoubtNote struct {
	KnownIdentities  []string `json:"known_identities,omitempty"`
	KnownIdentitySet string   `json:"known_identity_set,omitempty"`
}

// FreestyleIdentities returns whose each Freestyle identity is, as s
// records it: a person's email (lower-case) to their identity id.
func FreestyleIdentities(s *Snapshot) map[string]string {
	out := map[string]string{}
	for k, v := range s.Vendors[invitations.Freestyle] {
		if email, ok := strings.CutPrefix(k, freestyleIdentityPrefix); ok {
			var id string
			if json.Unmarshal(v, &id) == nil {
				out[email] = id
			}
		}
	}
	return out
}

// FreestyleIdentity returns email's Freestyle identity id, as s records
// it.
func FreestyleIdentity(s *Snapshot, email string) (string, bool) {
	v, ok := s.Entry(invitations.Freestyle, freestyleIdentityPrefix+strings.ToLower(email))
	var id string
	if !ok || json.Unmarshal(v, &id) != nil {
		return "", false
	}
	return id, true
}

// SetFreestyleIdentity records in s that email's Freestyle identity is
// id, or, with id "", that email has none: for tools that mend a state by
// hand (invitations state import).
func SetFreestyleIdentity(s *Snapshot, email, id string) {
	var v json.RawMessage
	if id != "" {
		v, _ = json.Marshal(id) // a string always encodes
	}
	s.SetEntry(invitations.Freestyle, freestyleIdentityPrefix+strings.ToLower(email), v)
}

// FreestyleKnownIdentitySets returns the sets of identities that existed
// when an apply began, kept while an identity create of that apply is in
// doubt, by id (FreestyleDoubtNote.KnownIdentitySet).
func FreestyleKnownIdentitySets(s *Snapshot) map[string][]string {
	out := map[string][]string{}
	for k, v := range s.Vendors[invitations.Freestyle] {
		if id, ok := strings.CutPrefix(k, freestyleKnownSetPrefix); ok {
			var ids []string
			if json.Unmarshal(v, &ids) == nil {
				out[id] = ids
			}
		}
	}
	return out
}

// SetFreestyleKnownIdentitySet sets, or with ids nil deletes, the known
// identity set id in s: for tools that mend a state by hand.
func SetFreestyleKnownIdentitySet(s *Snapshot, id string, ids []string) {
	var v json.RawMessage
	if ids != nil {
		v, _ = json.Marshal(ids) // a list of strings always encodes
	}
	s.SetEntry(invitations.Freestyle, freestyleKnownSetPrefix+id, v)
}

// migrateLegacy moves what states and deltas written before connectors
// kept their own parts held at their top level (whose each identity is,
// the known identity sets) into Freestyle's part of parts; a nil value is
// a deletion, in a delta.
func migrateLegacy(parts map[invitations.API]map[string]json.RawMessage, legacy legacyState) {
	if len(legacy.Identities) == 0 && len(legacy.KnownIdentitySets) == 0 {
		return
	}
	part := parts[invitations.Freestyle]
	if part == nil {
		part = map[string]json.RawMessage{}
		parts[invitations.Freestyle] = part
	}
	for email, id := range legacy.Identities {
		var v json.RawMessage
		if id != nil {
			v, _ = json.Marshal(*id)
		}
		part[freestyleIdentityPrefix+email] = v
	}
	for set, ids := range legacy.KnownIdentitySets {
		var v json.RawMessage
		if ids != nil {
			v, _ = json.Marshal(*ids)
		}
		part[freestyleKnownSetPrefix+set] = v
	}
}

// freestyleOwners is whose each identity is, read once from the state for
// one read or audit.
type freestyleOwners struct {
	ids    map[string]string // email → identity id
	owners map[string]string // identity id → email
}

func newFreestyleOwners(st *ConnectorState) *freestyleOwners {
	o := &freestyleOwners{ids: map[string]string{}, owners: map[string]string{}}
	for k, v := range st.Entries() {
		email, ok := strings.CutPrefix(k, freestyleIdentityPrefix)
		if !ok {
			continue
		}
		var id string
		if json.Unmarshal(v, &id) == nil {
			o.ids[email] = id
			o.owners[id] = email
		}
	}
	return o
}

// identity returns the identity id of email.
func (o *freestyleOwners) identity(email string) (string, bool) {
	id, ok := o.ids[strings.ToLower(email)]
	return id, ok
}

// owner returns whose the identity id is, "" for nobody's.
func (o *freestyleOwners) owner(id string) string { return o.owners[id] }

// freestyleMemo is what a plan's read gives the apply's hooks: the
// identities that existed, and the known identity set this apply wrote.
type freestyleMemo struct {
	known []string
	mu    sync.Mutex
	set   string
}

// freestyleMemoJSON is a memo in a saved plan: the identities the read
// listed. The set is the apply's own, written at its first doubt.
type freestyleMemoJSON struct {
	KnownIdentities []string `json:"known_identities"`
}

// MarshalJSON writes the memo for a saved plan (see MemoDecoder).
func (m *freestyleMemo) MarshalJSON() ([]byte, error) {
	return json.Marshal(freestyleMemoJSON{KnownIdentities: orEmpty(m.known)})
}

// DecodeMemo reads back the memo of a saved plan.
func (f *freestyleConnector) DecodeMemo(data json.RawMessage) (any, error) {
	var m freestyleMemoJSON
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("freestyle: %w", err)
	}
	return &freestyleMemo{known: m.KnownIdentities}, nil
}

// freestyleMapped is the error of an identity create for someone the
// state maps to an identity already: not sent.
type freestyleMapped struct{ email, id string }

func (e *freestyleMapped) Error() string {
	return fmt.Sprintf("not sent: the state maps %s to identity %s already; plan again", e.email, e.id)
}

// Prerequisite says a person's identity comes before their permissions:
// they are granted to it.
func (f *freestyleConnector) Prerequisite(g Grant) bool { return g.Kind == KindIdentity }

// Rank orders a person's changes: their identity created first; then
// their tokens revoked; then their permissions; their identity deleted
// last (see freestyleConnector).
func (f *freestyleConnector) Rank(ch Change) int {
	switch {
	case ch.Grant.Kind == KindIdentity && ch.Action == Remove:
		return 3
	case ch.Grant.Kind == KindIdentity:
		return 0
	case ch.Grant.Kind == KindToken:
		return 1
	}
	return 2
}

// SerialCreate says identity creates run one at a time: identities carry
// nothing to tell them apart, so a create in doubt is settled later by the
// one identity that appeared beside those known, which holds only while
// no other create runs beside it.
func (f *freestyleConnector) SerialCreate(g Grant) bool { return g.Kind == KindIdentity }

// Classify says an identity create for someone the state maps already was
// not sent.
func (f *freestyleConnector) Classify(_ Change, err error) Outcome {
	var mapped *freestyleMapped
	if errors.As(err, &mapped) {
		return Skipped
	}
	return ""
}

// NoteDoubt notes, for an identity create in doubt, the set of identities
// known when the apply began (those the plan's read listed, and those the
// state maps), which the next plan looks beside; it writes the set into
// the state the first time. The identities created since by this apply are
// in the state, someone's, so never taken for the one a doubt made.
func (f *freestyleConnector) NoteDoubt(ch Change, st *ConnectorState) (json.RawMessage, error) {
	if ch.Grant.Kind != KindIdentity || ch.Action != Create {
		return nil, nil
	}
	memo, _ := st.Memo().(*freestyleMemo)
	if memo == nil {
		memo = &freestyleMemo{}
	}
	memo.mu.Lock()
	defer memo.mu.Unlock()
	if _, ok := st.Get(freestyleKnownSetPrefix + memo.set); memo.set == "" || !ok {
		memo.set = NewLineage()
		known := slices.Clone(memo.known)
		for email := range newFreestyleOwners(st).ids {
			id, _ := newFreestyleOwners(st).identity(email)
			known = append(known, id)
		}
		slices.Sort(known)
		known = slices.Compact(known)
		if known == nil {
			known = []string{} // none existed: a set, not null
		}
		ids, err := json.Marshal(known)
		if err != nil {
			return nil, err
		}
		if err := st.Set(freestyleKnownSetPrefix+memo.set, ids); err != nil {
			return nil, err
		}
	}
	return json.Marshal(FreestyleDoubtNote{KnownIdentitySet: memo.set})
}

// Tidy drops the known identity sets no doubt's note names any more.
func (f *freestyleConnector) Tidy(st *ConnectorState) error {
	used := map[string]bool{}
	for _, d := range st.InDoubt() {
		used[freestyleNote(d).KnownIdentitySet] = true
	}
	for k := range st.Entries() {
		if set, ok := strings.CutPrefix(k, freestyleKnownSetPrefix); ok && !used[set] {
			if err := st.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// freestyleNote decodes d's note ({} when it has none or another).
func freestyleNote(d DoubtfulChange) FreestyleDoubtNote {
	var n FreestyleDoubtNote
	if d.Note != nil {
		_ = json.Unmarshal(d.Note, &n) // a note of another shape names nothing
	}
	return n
}

// knownBefore returns the identities known before d, from its note.
func knownBefore(d DoubtfulChange, st *ConnectorState) []string {
	n := freestyleNote(d)
	if n.KnownIdentities != nil || n.KnownIdentitySet == "" {
		return n.KnownIdentities
	}
	var ids []string
	if v, ok := st.Get(freestyleKnownSetPrefix + n.KnownIdentitySet); ok {
		_ = json.Unmarshal(v, &ids) // a set that does not decode knows nothing
	}
	return ids
}

// newFreestyleConnector returns the Freestyle connector over c.
func newFreestyleConnector(c *invitations.Client) Connector {
	return &freestyleConnector{c: c}
}

func (f *freestyleConnector) API() invitations.API { return invitations.Freestyle }

// freestyleNobodys says, for the coverage, how many of the identities ids
// belong to nobody the state knows (nor a doubt adopts): whose they are
// cannot be read from Freestyle, so a person's may be among them.
func freestyleNobodys(ids []string, st *freestyleOwners, adopt map[string]string) []string {
	adopted := map[string]bool{}
	for _, id := range adopt {
		adopted[id] = true
	}
	n := 0
	for _, id := range ids {
		if st.owner(id) == "" && !adopted[id] {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d identities belong to nobody the state knows", n)}
}

// listIdentities lists the account's identities, leaving out
// those Freestyle manages: it made them, nobody can be given them, and
// they cannot be changed or deleted. Whether the API lists them by default
// is not documented, so the query says so and the answer is checked.
func (f *freestyleConnector) listIdentities(ctx context.Context) iter.Seq2[models.FreestyleIdentity, error] {
	return func(yield func(models.FreestyleIdentity, error) bool) {
		managed := false
		opts := &invitations.ListIdentitiesOptions{Limit: freestyleIdentityPageSize, IncludeManaged: &managed}
		for ident, err := range f.c.Identity.ListIdentities(ctx, opts).All() {
			if err != nil {
				yield(models.FreestyleIdentity{}, fmt.Errorf("freestyle: list identities: %w", err))
				return
			}
			if ident.Managed {
				continue
			}
			if !yield(ident, nil) {
				return
			}
		}
	}
}

// freestyleIdentityGrant is the grant of having a Freestyle identity.
func freestyleIdentityGrant() Grant { return Grant{Vendor: invitations.Freestyle, Kind: KindIdentity} }

// freestyleTokenGrant is the grant of an access token, by its id (the
// secret is never read: the list gives ids only).
func freestyleTokenGrant(token string) Grant {
	return Grant{Vendor: invitations.Freestyle, Kind: KindToken, Scope: token}
}

// freestyleGitGrant is the grant of a permission on a repository.
func freestyleGitGrant(repo string, level models.GitAccessLevel) Grant {
	return Grant{Vendor: invitations.Freestyle, Kind: KindGit, Scope: repo, Level: string(level)}
}

// freestyleVMGrant is the grant of a permission on a VM; users nil allows
// every Linux user, a non-nil list (even empty) only those. The list is
// copied and sorted, so that grants compare regardless of order.
func freestyleVMGrant(vm string, users []string) Grant {
	g := Grant{Vendor: invitations.Freestyle, Kind: KindVM, Scope: vm}
	if users != nil {
		g.Users = slices.Sorted(slices.Values(users))
		if g.Users == nil {
			g.Users = []string{} // an empty list allows nobody, unlike nil
		}
	}
	return g
}

// freestyleMergeRoles is Freestyle's rule for a person's roles
// (MergeRoles): one identity if any asks for Freestyle, the union of the
// repositories at the stronger permission (write > read), and the union
// of the VMs, each of which must be asked for with one list of users
// (nil, every user, is a list of its own): two are a conflict.
func freestyleMergeRoles(m *roleMerge) error {
	_, ok, err := mergeOne(m, ".Freestyle", func(p Person) (bool, bool) { return true, p.Freestyle != nil }, itemRule[bool]{
		join:  func(a, _ bool) (bool, verdict, string) { return a, both, "" },
		grant: func(bool) roleGrant { return roleGrant{vendor: invitations.Freestyle, kind: KindIdentity} },
	})
	if err != nil || !ok {
		return err
	}
	of := func(p Person) *FreestyleAccess {
		if p.Freestyle == nil {
			return &FreestyleAccess{}
		}
		return p.Freestyle
	}
	git, err := mergeList(m, ".Freestyle.Git", func(p Person) []FreestyleGitPermission { return of(p).Git }, itemRule[FreestyleGitPermission]{
		key: func(g FreestyleGitPermission) string { return g.RepoID },
		join: highest(func(g FreestyleGitPermission) int {
			return rankOf(g.Permission, models.GitAccessLevelRead, models.GitAccessLevelWrite)
		}),
		grant: func(g FreestyleGitPermission) roleGrant {
			return roleGrant{vendor: invitations.Freestyle, kind: KindGit, scope: g.RepoID}
		},
	})
	if err != nil {
		return err
	}
	vms, err := mergeList(m, ".Freestyle.VMs", func(p Person) []FreestyleVMPermission { return of(p).VMs }, itemRule[FreestyleVMPermission]{
		key: func(v FreestyleVMPermission) string { return v.VMID },
		join: func(a, b FreestyleVMPermission) (FreestyleVMPermission, verdict, string) {
			if ga, gb := freestyleVMGrant(a.VMID, a.AllowedUsers), freestyleVMGrant(b.VMID, b.AllowedUsers); sameLevel(ga, gb) {
				return a, both, ""
			}
			return a, clash, fmt.Sprintf("VM %s for %s here, for %s in the other", a.VMID, freestyleUsersText(a.AllowedUsers), freestyleUsersText(b.AllowedUsers))
		},
		clashField: ".AllowedUsers",
		grant: func(v FreestyleVMPermission) roleGrant {
			return roleGrant{vendor: invitations.Freestyle, kind: KindVM, scope: v.VMID}
		},
	})
	m.out.Freestyle = &FreestyleAccess{Git: git, VMs: vms}
	return err
}

// freestyleUsersText names a VM permission's allowed users in a message.
func freestyleUsersText(users []string) string {
	switch {
	case users == nil:
		return "every user"
	case len(users) == 0:
		return "no user"
	}
	return "users " + strings.Join(users, ", ")
}

// read lists the account's identities once, settles identity creates in
// doubt, and reads the permissions of every person whose identity is
// known and still exists: freestyleConcurrency identities at a time, their
// records kept in the order of people. When the state looks lost, it
// holds back the identities the plan would create (guardNewIdentities).
// The people's Freestyle access and PlanOptions.ScopesOf's name the
// scopes prune cleans (see freestyleScopes).
func (f *freestyleConnector) Read(ctx context.Context, people []Person, opts PlanOptions, cs *ConnectorState) (*View, error) {
	view := &View{
		Want:     map[string][]Grant{},
		Subjects: map[string]string{},
		Scopes:   map[string]bool{},
	}
	st := newFreestyleOwners(cs)
	adopt := map[string]string{} // email → the identity an in-doubt create made
	var ids []string             // in the order Freestyle lists them
	exists := map[string]bool{}
	for ident, err := range f.listIdentities(ctx) {
		if err != nil {
			return nil, err
		}
		ids = append(ids, ident.ID)
		exists[ident.ID] = true
	}
	view.Memo = &freestyleMemo{known: slices.Clone(ids)}

	f.settleDoubts(ids, cs, st, view, adopt)
	view.Partial = freestyleNobodys(ids, st, adopt)
	if len(adopt) > 0 {
		view.Writes = map[string]json.RawMessage{}
		for _, email := range slices.Sorted(maps.Keys(adopt)) {
			id, _ := json.Marshal(adopt[email]) // a string always encodes
			view.Writes[freestyleIdentityPrefix+email] = id
			view.Settled = append(view.Settled, freestyleIdentityGrant().Key(email))
		}
	}

	var subjects []freestyleSubject // whose permissions to read, in people order
	for _, p := range people {
		email := strings.ToLower(p.Email)
		id, ok := st.identity(email)
		if adopted, ok2 := adopt[email]; ok2 {
			id, ok = adopted, true
		}
		if ok && exists[id] {
			view.Subjects[email] = id
			// An absent person's tokens are revoked: read them.
			subjects = append(subjects, freestyleSubject{email: email, id: id, tokens: p.Absent})
		}
		if p.Absent || p.Freestyle == nil {
			continue
		}
		want := []Grant{freestyleIdentityGrant()}
		for _, g := range p.Freestyle.Git {
			want = append(want, freestyleGitGrant(g.RepoID, g.Permission))
		}
		for _, vm := range p.Freestyle.VMs {
			want = append(want, freestyleVMGrant(vm.VMID, vm.AllowedUsers))
		}
		view.Want[email] = want
		freestyleScopes(p.Freestyle, view.Scopes)
	}
	for _, a := range opts.ScopesOf {
		if a.Freestyle != nil {
			freestyleScopes(a.Freestyle, view.Scopes)
		}
	}
	if err := f.guardNewIdentities(ctx, people, ids, cs, st, view, adopt); err != nil {
		return nil, err
	}
	if opts.NewIdentitiesOK {
		view.Problems = slices.DeleteFunc(view.Problems, newIdentitiesBlocked)
	}
	recs, err := f.readAll(ctx, subjects)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		view.Have = append(view.Have, r...)
	}
	return view, nil
}

// freestyleScopes names in scopes (View.Scopes) what a person's or
// PlanOptions.ScopesOf's access names: the identities (asking for
// Freestyle at all asks for one), its repositories and its VMs. Only the
// permissions of the people's identities are read: prune finds theirs
// there.
func freestyleScopes(a *FreestyleAccess, scopes map[string]bool) {
	scopes[string(KindIdentity)+"|"] = true
	for _, g := range a.Git {
		scopes[string(KindGit)+"|"+g.RepoID] = true
	}
	for _, vm := range a.VMs {
		scopes[string(KindVM)+"|"+vm.VMID] = true
	}
}

// newIdentitiesHint ends the reason of every problem guardNewIdentities
// reports: newIdentitiesBlocked recognises those problems by it.
const newIdentitiesHint = "or plan with new identities allowed (--new-identities-ok)"

// guardNewIdentities holds back the identity creates of a plan made from
// a state that looks lost or emptied. Freestyle identities carry no
// email: only the state says whose each is, and without it a plan would
// give everyone a second identity. The guard applies when all three hold:
//
//   - the state knows nobody the desired state names (present or absent,
//     with Freestyle access or not): it maps none of them to an identity,
//     existing or not, and holds no identity create of theirs in doubt;
//   - the plan would create an identity: a present person with Freestyle
//     access has none the read found;
//   - an identity the state maps to nobody (nor a doubt adopted) has a
//     git or VM permission: it looks like this tool's work for someone
//     the state has forgotten.
//
// Each person an identity would be created for then gets a Problem keyed
// to their identity grant, which keeps diff from planning the identity
// and their other Freestyle grants. PlanOptions.NewIdentitiesOK drops
// these problems (see newIdentitiesBlocked): the creates go ahead.
//
// Only the third condition costs requests, and only once the first two
// hold (a first plan, or a lost state): the identities nobody owns are
// read in the order Freestyle lists them, git then VM, one item a list,
// and the scan stops at the first permission. It costs one request when
// the first such identity has a git permission, two for each before it
// that has none.
func (f *freestyleConnector) guardNewIdentities(ctx context.Context, people []Person, ids []string, cs *ConnectorState, st *freestyleOwners, view *View, adopt map[string]string) error {
	inDoubt := map[string]bool{}
	for _, d := range cs.InDoubt() {
		if d.Change.Action == Create && d.Change.Grant.Kind == KindIdentity {
			inDoubt[strings.ToLower(d.Change.Email)] = true
		}
	}
	var creates []string // whose identity the plan would create, in people order
	for _, p := range people {
		email := strings.ToLower(p.Email)
		if _, mapped := st.identity(email); mapped || inDoubt[email] {
			return nil // the state knows this file's people
		}
		if _, ok := view.Subjects[email]; ok || p.Absent || p.Freestyle == nil {
			continue
		}
		creates = append(creates, email)
	}
	if len(creates) == 0 {
		return nil
	}
	adopted := map[string]bool{}
	for _, id := range adopt {
		adopted[id] = true
	}
	var nobodys []string
	for _, id := range ids {
		if st.owner(id) == "" && !adopted[id] {
			nobodys = append(nobodys, id)
		}
	}
	found := ""
	for _, id := range nobodys {
		has, err := f.hasPermission(ctx, id)
		if err != nil {
			return err
		}
		if has {
			found = id
			break
		}
	}
	if found == "" {
		return nil
	}
	for _, email := range creates {
		view.Problems = append(view.Problems, Problem{
			Email: email, Vendor: invitations.Freestyle, Key: freestyleIdentityGrant().Key(email),
			Reason: fmt.Sprintf("the state maps nobody in the desired state to a Freestyle identity, yet of the %d identities it maps to nobody at least one (%s) has permissions: "+
				"the state may have been lost. If %s has an identity already, map it with `invitations state import freestyle %s IDENTITY_ID`, %s",
				len(nobodys), found, email, email, newIdentitiesHint),
		})
	}
	return nil
}

// hasPermission reports whether identity id has a git or VM permission,
// asking for one item of each list and the VM list only when the git
// list is empty: one request or two.
func (f *freestyleConnector) hasPermission(ctx context.Context, id string) (bool, error) {
	repos, err := f.c.Identity.ListGitPermissions(ctx, id, &invitations.ListGitPermissionsOptions{Limit: 1}).Collect(1)
	if err != nil {
		return false, fmt.Errorf("freestyle: list git permissions of identity %s: %w", id, err)
	}
	if len(repos) > 0 {
		return true, nil
	}
	vms, err := f.c.Identity.ListVMPermissions(ctx, id, &invitations.ListVMPermissionsOptions{Limit: 1}).Collect(1)
	if err != nil {
		return false, fmt.Errorf("freestyle: list VM permissions of identity %s: %w", id, err)
	}
	return len(vms) > 0, nil
}

// newIdentitiesBlocked reports whether p is a problem of
// guardNewIdentities: an identity create held back because the state
// looks lost, which PlanOptions.NewIdentitiesOK lets go ahead.
func newIdentitiesBlocked(p Problem) bool {
	return p.Vendor == invitations.Freestyle && p.Key == freestyleIdentityGrant().Key(p.Email) && strings.HasSuffix(p.Reason, newIdentitiesHint)
}

// freestyleSubject is an identity and whose it is ("" for nobody's), and
// whether to read its tokens.
type freestyleSubject struct {
	email, id string
	tokens    bool
}

// readAll reads the records of every subject, freestyleConcurrency at a
// time, and returns them in the order of subjects. The first error stops
// the reads not yet started, cancels those running, and is returned.
func (f *freestyleConnector) readAll(ctx context.Context, subjects []freestyleSubject) ([][]Record, error) {
	out := make([][]Record, len(subjects))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	slots := make(chan struct{}, freestyleConcurrency)
	started := 0
start:
	for i, s := range subjects {
		if ctx.Err() != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break start
		}
		started++
		wg.Go(func() {
			defer func() { <-slots }()
			recs, err := f.records(ctx, s.email, s.id, s.tokens)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel() // the reads still running are of no use now
				}
				mu.Unlock()
				return
			}
			out[i] = recs
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if started < len(subjects) { // the context ended before all began
		return nil, fmt.Errorf("freestyle: reading permissions: %w", context.Cause(ctx))
	}
	return out, nil
}

// settleDoubts decides which identity each identity create in doubt made:
// the new identities (not among those known before the create) that nobody
// owns are its candidates. A doubt with exactly one candidate adopts it;
// that identity is then no other doubt's candidate, which may leave
// another doubt with one, so this repeats until nothing changes. A doubt
// left with several candidates is a Problem (nothing tells them apart);
// one with none made nothing, and the create is planned again.
func (f *freestyleConnector) settleDoubts(ids []string, cs *ConnectorState, st *freestyleOwners, view *View, adopt map[string]string) {
	type doubt struct {
		email string
		known map[string]bool
	}
	var open []doubt
	for _, d := range cs.InDoubt() {
		if d.Change.Action != Create || d.Change.Grant.Kind != KindIdentity {
			continue
		}
		email := strings.ToLower(d.Change.Email)
		if _, mapped := st.identity(email); mapped {
			continue
		}
		known := map[string]bool{}
		for _, id := range knownBefore(d, cs) {
			known[id] = true
		}
		open = append(open, doubt{email: email, known: known})
	}
	slices.SortFunc(open, func(a, b doubt) int { return strings.Compare(a.email, b.email) })

	taken := map[string]bool{}
	candidates := func(d doubt) []string {
		var out []string
		for _, id := range ids {
			if !d.known[id] && !taken[id] && st.owner(id) == "" {
				out = append(out, id)
			}
		}
		return out
	}
	for changed := true; changed; {
		changed = false
		for _, d := range open {
			if _, done := adopt[d.email]; done {
				continue
			}
			if c := candidates(d); len(c) == 1 {
				adopt[d.email] = c[0]
				taken[c[0]] = true
				changed = true
			}
		}
	}
	for _, d := range open {
		if _, done := adopt[d.email]; done {
			continue
		}
		if c := candidates(d); len(c) > 1 {
			view.Problems = append(view.Problems, Problem{
				Email: d.email, Vendor: invitations.Freestyle, Key: Grant{Vendor: invitations.Freestyle, Kind: KindIdentity}.Key(d.email),
				Reason: fmt.Sprintf("an identity create is in doubt and %d new identities are nobody's: cannot tell which of them is %s's; map it in the state by hand", len(c), d.email),
			})
		}
	}
}

// records returns the identity id, with tokens its access tokens, and
// its git and VM permissions as email's records. On an error it returns
// the records read before it, with the error.
func (f *freestyleConnector) records(ctx context.Context, email, id string, tokens bool) ([]Record, error) {
	var out []Record
	for r, err := range f.identityRecords(ctx, email, id, tokens) {
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// identityRecords yields the identity id, then, with tokens, its access
// tokens, then its git permissions, then its VM permissions, as email's
// records (email may be "": nobody's), fetching each list only when the
// loop gets to it.
func (f *freestyleConnector) identityRecords(ctx context.Context, email, id string, tokens bool) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if !yield(Record{Email: email, Grant: freestyleIdentityGrant(), State: StateGranted, ID: id}, nil) {
			return
		}
		if tokens {
			list, err := f.c.Identity.ListGitTokens(ctx, id)
			if err != nil {
				yield(Record{}, fmt.Errorf("freestyle: list access tokens of identity %s: %w", id, err))
				return
			}
			for _, t := range list {
				if !yield(Record{Email: email, Grant: freestyleTokenGrant(t.ID), State: StateGranted, ID: id}, nil) {
					return
				}
			}
		}
		for repo, err := range f.c.Identity.ListGitPermissions(ctx, id, &invitations.ListGitPermissionsOptions{Limit: freestyleGitPageSize}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("freestyle: list git permissions of identity %s: %w", id, err))
				return
			}
			if !yield(Record{Email: email, Grant: freestyleGitGrant(repo.ID, repo.Permissions), State: StateGranted, ID: id}, nil) {
				return
			}
		}
		for perm, err := range f.c.Identity.ListVMPermissions(ctx, id, &invitations.ListVMPermissionsOptions{Limit: freestyleVMPageSize}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("freestyle: list VM permissions of identity %s: %w", id, err))
				return
			}
			var users []string // nil: every user
			if list, restricted := perm.AllowedUsers.Get(); restricted {
				users = list
				if users == nil {
					users = []string{}
				}
			}
			if !yield(Record{Email: email, Grant: freestyleVMGrant(perm.VMID, users), State: StateGranted, ID: id}, nil) {
				return
			}
		}
	}
}

// Audit yields every identity of the account (not those Freestyle
// manages) with its access tokens and permissions, each owned by whom the state says, in the
// order Freestyle lists the identities. Nothing is asked before the loop
// starts; then the permissions of the next freestyleConcurrency identities
// are read concurrently, ahead of the loop and no further, so that memory
// stays bounded by that window (and one page of identities). An error is
// yielded after the records read before it, in its place in the order,
// and ends the audit; breaking the loop cancels the reads ahead, and audit
// returns once they have ended.
func (f *freestyleConnector) Audit(ctx context.Context, cs *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		st := newFreestyleOwners(cs)
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		next, stop := iter.Pull2(f.listIdentities(ctx))
		defer stop()

		type read struct {
			done chan struct{}
			recs []Record
			err  error
		}
		var window []*read // identities being read, in list order
		var listErr error
		listing := true
		for {
			for listing && len(window) < freestyleConcurrency {
				ident, err, ok := next()
				if !ok || err != nil {
					listing, listErr = false, err
					break
				}
				r := &read{done: make(chan struct{})}
				window = append(window, r)
				email := st.owner(ident.ID)
				wg.Go(func() {
					defer close(r.done)
					r.recs, r.err = f.records(ctx, email, ident.ID, true)
				})
			}
			if len(window) == 0 {
				if listErr != nil {
					yield(Record{}, listErr)
				}
				return
			}
			r := window[0]
			window = window[1:]
			<-r.done
			for _, rec := range r.recs {
				if !yield(rec, nil) {
					return
				}
			}
			if r.err != nil {
				yield(Record{}, r.err)
				return
			}
		}
	}
}

// Execute sends one change (see execute), recording an identity created
// as the person's and an identity removed as nobody's.
func (f *freestyleConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	key := freestyleIdentityPrefix + strings.ToLower(ch.Email)
	if ch.Grant.Kind == KindIdentity && ch.Action == Remove {
		// Recorded only if the removal is done (or already was).
		if err := st.Delete(key); err != nil {
			return err
		}
	}
	id, err := f.execute(ctx, ch, st)
	if err != nil || ch.Grant.Kind != KindIdentity || ch.Action != Create || id == "" {
		return err
	}
	v, _ := json.Marshal(id) // a string always encodes
	return st.Set(key, v)
}

// execute sends one change and returns, for an identity create, the id of
// the identity. Permissions address the identity in ch.Target or, when
// that is empty (the identity was created earlier in the same apply), the
// one the state maps ch.Email to.
func (f *freestyleConnector) execute(ctx context.Context, ch Change, st *ConnectorState) (string, error) {
	g := ch.Grant
	email := strings.ToLower(ch.Email)
	if g.Kind == KindIdentity && ch.Action == Create {
		// The state under the lock is the one the plan was made from, so
		// a person mapped here was mapped when planned; this holds the
		// line should that ever not be so: a second identity would
		// orphan the first with its grants.
		if v, mapped := st.Get(freestyleIdentityPrefix + email); mapped {
			var id string
			_ = json.Unmarshal(v, &id) // the message names what is there
			return "", &freestyleMapped{email: ch.Email, id: id}
		}
		ident, err := f.c.Identity.CreateIdentity(ctx)
		if err != nil {
			return "", err
		}
		return ident.ID, nil
	}
	id := ch.Target
	if id == "" {
		v, ok := st.Get(freestyleIdentityPrefix + email)
		if ok {
			ok = json.Unmarshal(v, &id) == nil
		}
		if !ok {
			return "", fmt.Errorf("freestyle: no identity of %s is known to %s %s %s", ch.Email, ch.Action, g.Kind, g.Scope)
		}
	}
	switch {
	case g.Kind == KindIdentity && ch.Action == Remove:
		return "", f.c.Identity.DeleteIdentity(ctx, id)
	case g.Kind == KindToken && ch.Action == Remove:
		return "", f.c.Identity.RevokeGitToken(ctx, id, g.Scope)
	case g.Kind == KindGit && ch.Action == Create:
		return "", f.c.Identity.GrantGitPermission(ctx, id, g.Scope, &models.GrantGitPermissionRequest{Permission: models.GitAccessLevel(g.Level)})
	case g.Kind == KindGit && ch.Action == Update:
		return "", f.c.Identity.UpdateGitPermission(ctx, id, g.Scope, &models.UpdateGitPermissionRequest{Permission: models.GitAccessLevel(g.Level)})
	case g.Kind == KindGit && ch.Action == Remove:
		return "", f.c.Identity.RevokeGitPermission(ctx, id, g.Scope)
	case g.Kind == KindVM && ch.Action == Create:
		_, err := f.c.Identity.GrantVMPermission(ctx, id, g.Scope, &models.GrantVMPermissionRequest{AllowedUsers: freestyleAllowedUsers(g.Users)})
		return "", err
	case g.Kind == KindVM && ch.Action == Update:
		_, err := f.c.Identity.UpdateAllowedUsers(ctx, id, g.Scope, &models.UpdateAllowedUsersRequest{AllowedUsers: freestyleAllowedUsers(g.Users)})
		return "", err
	case g.Kind == KindVM && ch.Action == Remove:
		return "", f.c.Identity.RevokeVMPermission(ctx, id, g.Scope)
	}
	return "", fmt.Errorf("freestyle: cannot %s a %s grant", ch.Action, g.Kind)
}

// freestyleAllowedUsers is the wire form of a VM grant's users: nil allows
// every user (sent as null), a list only those (an empty one, nobody).
func freestyleAllowedUsers(users []string) models.Nullable[[]string] {
	if users == nil {
		return models.Null[[]string]()
	}
	return models.Value(users)
}

// freestyleLookupIdentities is Freestyle's lookup: the account's
// identities, with whose each is.
const freestyleLookupIdentities = "freestyle-identities"

// Lookups offers the account's identities.
func (f *freestyleConnector) Lookups() []Lookup {
	return []Lookup{{Kind: freestyleLookupIdentities, Vendor: invitations.Freestyle, Summary: "Freestyle identities (not those Freestyle manages), with the email the state maps each to", Columns: []string{"id", "email"}}}
}

// Lookup lists the identities Freestyle does not manage, each with the
// email of its owner as the state records it ("" for nobody's: Freestyle
// itself knows no email).
func (f *freestyleConnector) Lookup(ctx context.Context, kind string, _ map[string]string, st *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != freestyleLookupIdentities {
		return unknownLookup(invitations.Freestyle, kind)
	}
	owners := newFreestyleOwners(st)
	return batched(f.listIdentities(ctx), func(ident models.FreestyleIdentity) ([]string, bool) {
		return []string{ident.ID, owners.owner(ident.ID)}, true
	})
}
