package access

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// GitGuardian record ids say which object is behind a workspace grant: a
// member (who accepted) or a pending invitation. Member and invitation
// ids are numbered apart, so the prefix is what tells the two apart.
const (
	ggMemberPrefix     = "member:"
	ggInvitationPrefix = "invitation:"
)

// ggPerPage is GitGuardian's largest page: per_page is 1 to 100, default
// 20 (spec/gitguardian.md 3, from the per_page parameter of GitGuardian's
// OpenAPI document; GitGuardian's own ggtools pages with 100). Every list
// the connector makes, members and invitations, sends it: the fewest
// requests for a full list.
const ggPerPage = 100

// gitGuardianConnector keeps GitGuardian workspace access: one grant per
// person, an invitation until they accept it, a membership after.
type gitGuardianConnector struct {
	c *invitations.Client
}

func newGitGuardianConnector(c *invitations.Client) Connector {
	return &gitGuardianConnector{c: c}
}

func (g *gitGuardianConnector) API() invitations.API { return invitations.GitGuardian }

// ggGrant is the workspace grant at level.
func ggGrant(level models.AccessLevel) Grant {
	return Grant{Vendor: invitations.GitGuardian, Kind: KindWorkspace, Level: string(level)}
}

func ggMemberRecord(m models.Member) Record {
	return Record{Email: m.Email, Grant: ggGrant(m.AccessLevel), State: StateMember, ID: ggMemberPrefix + strconv.FormatInt(m.ID, 10)}
}

func ggInvitationRecord(inv models.Invitation) Record {
	return Record{Email: inv.Email, Grant: ggGrant(inv.AccessLevel), State: StatePending, ID: ggInvitationPrefix + strconv.FormatInt(inv.ID, 10)}
}

// ggWantedLevel is the level a person asks for; none means member, the
// level GitGuardian itself gives an invitation that names none.
func ggWantedLevel(a *GitGuardianAccess) models.AccessLevel {
	return cmp.Or(a.AccessLevel, models.AccessLevelMember)
}

// Read lists the whole workspace once (members, then invitations) rather
// than searching per person: two paged lists cost fewer requests than one
// search per person as soon as there are more than a few people.
func (g *gitGuardianConnector) Read(ctx context.Context, people []Person, opts PlanOptions, _ *ConnectorState) (*View, error) {
	// A pending invitation's level changes by deleting it and inviting
	// again (execute): a re-invite.
	view := &View{Want: map[string][]Grant{}, Scopes: map[string]bool{}, Reissue: func(r Record) bool { return r.State == StatePending }}
	emails := map[string]bool{}
	for _, p := range people {
		email := strings.ToLower(p.Email)
		emails[email] = true
		if p.Absent || p.GitGuardian == nil {
			continue
		}
		view.Want[email] = []Grant{ggGrant(ggWantedLevel(p.GitGuardian))}
		view.Scopes[string(KindWorkspace)+"|"] = true
	}
	for r, err := range g.records(ctx) {
		if err != nil {
			return nil, err
		}
		if emails[strings.ToLower(r.Email)] {
			view.Have = append(view.Have, r)
		}
	}
	return view, nil
}

// records streams the members, then the pending invitations.
func (g *gitGuardianConnector) records(ctx context.Context) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for m, err := range g.c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian members: %w", err))
				return
			}
			if !yield(ggMemberRecord(m), nil) {
				return
			}
		}
		for inv, err := range g.c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: ggPerPage}).All() {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: gitguardian invitations: %w", err))
				return
			}
			if !yield(ggInvitationRecord(inv), nil) {
				return
			}
		}
	}
}

func (g *gitGuardianConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return g.records(ctx)
}

// Execute sends ch (see execute).
func (g *gitGuardianConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := g.execute(ctx, ch, st)
	return err
}

// execute sends one workspace change. A create returns the new
// invitation's record id.
func (g *gitGuardianConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	level := models.AccessLevel(ch.Grant.Level)
	switch ch.Action {
	case Create:
		return g.invite(ctx, ch.Email, level)
	case Update:
		prefix, id, err := ggTarget(ch.Target)
		if err != nil {
			return "", err
		}
		if prefix == ggMemberPrefix {
			_, err := g.c.Members.UpdateMember(ctx, id, &models.UpdateMemberRequest{AccessLevel: level}, nil)
			return "", err
		}
		// An invitation's level cannot be changed: it is replaced. An
		// invitation already gone (404) is what the delete wanted, so
		// the new one is still sent; any other failure stops before it,
		// so that a person never ends up with two invitations.
		if err := g.c.Invitations.DeleteInvitation(ctx, id); err != nil && !errors.Is(err, invitations.ErrNotFound) {
			return "", err
		}
		newID, err := g.invite(ctx, ch.Email, level)
		if err != nil {
			return "", &PartlyDone{Done: "the pending invitation was deleted", Err: err}
		}
		return newID, nil
	case Remove:
		prefix, id, err := ggTarget(ch.Target)
		if err != nil {
			return "", err
		}
		if prefix == ggMemberPrefix {
			return "", g.c.Members.DeleteMember(ctx, id, nil)
		}
		return "", g.c.Invitations.DeleteInvitation(ctx, id)
	}
	return "", fmt.Errorf("access: gitguardian: unknown action %q", ch.Action)
}

func (g *gitGuardianConnector) invite(ctx context.Context, email string, level models.AccessLevel) (string, error) {
	inv, err := g.c.Invitations.CreateInvitations(ctx, &models.CreateInvitationsRequest{Email: email, AccessLevel: level}, nil)
	if err != nil {
		return "", err
	}
	return ggInvitationPrefix + strconv.FormatInt(inv.ID, 10), nil
}

// ggTarget splits a record id ("member:1002", "invitation:7") into its
// prefix and numeric id.
func ggTarget(target string) (prefix string, id int64, err error) {
	for _, prefix := range []string{ggMemberPrefix, ggInvitationPrefix} {
		if rest, ok := strings.CutPrefix(target, prefix); ok {
			id, err := strconv.ParseInt(rest, 10, 64)
			if err != nil || id <= 0 {
				break
			}
			return prefix, id, nil
		}
	}
	return "", 0, fmt.Errorf("access: gitguardian: target %q is neither member:<id> nor invitation:<id>", target)
}

// Classify says an invitation GitGuardian answers with a 200 error
// ("already in the workspace": the person is a member or invited) was
// already done.
func (g *gitGuardianConnector) Classify(ch Change, err error) Outcome {
	var apiErr *invitations.APIError
	if ch.Action == Create && errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusOK {
		return AlreadyDone
	}
	return ""
}

// ggLookupMembers is GitGuardian's lookup: the workspace's members.
const ggLookupMembers = "gitguardian-members"

// Lookups offers the workspace's members. Teams are not offered: the SDK
// has no GitGuardian teams operation.
func (g *gitGuardianConnector) Lookups() []Lookup {
	return []Lookup{{Kind: ggLookupMembers, Vendor: invitations.GitGuardian, Summary: "GitGuardian workspace members, with their access levels", Columns: []string{"id", "email", "name", "access_level", "active"}}}
}

// Lookup lists the members, ggPerPage a page.
func (g *gitGuardianConnector) Lookup(ctx context.Context, kind string, _ map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != ggLookupMembers {
		return unknownLookup(invitations.GitGuardian, kind)
	}
	return pagedRows(g.c.Members.ListMembers(ctx, &invitations.ListMembersOptions{PerPage: ggPerPage}).Pages(), func(m models.Member) []string {
		return []string{strconv.FormatInt(m.ID, 10), m.Email, m.Name, string(m.AccessLevel), strconv.FormatBool(m.Active)}
	})
}
