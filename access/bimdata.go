package access

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// BIMData invitation levels: the grant's Level is the invitation's status.
const (
	bimPending  = "pending"
	bimAccepted = "accepted"
	bimDenied   = "denied"
)

// bimDataConnector keeps BIMData identity-provider invitations: the
// invitations BIMData sends to the organisation's identity provider,
// which accepts or denies them. Nothing is created here; an invitation
// is accepted, denied, or its user deleted.
type bimDataConnector struct {
	c *invitations.Client
}

func newBIMDataConnector(c *invitations.Client) Connector {
	return &bimDataConnector{c: c}
}

func (b *bimDataConnector) API() invitations.API { return invitations.BIMData }

// bimRecord is inv as a record; ok is false for a status this package
// does not know (BIMData documents only P, A and D today).
func bimRecord(inv models.BIMDataInvitation) (Record, bool) {
	var level string
	var state State
	switch inv.Status {
	case models.BIMDataInvitationStatusPending:
		level, state = bimPending, StatePending
	// "W" (accepted, waiting for the user's first login) is what 2019
	// servers sent for an accepted invitation.
	case models.BIMDataInvitationStatusAccepted, "W":
		level, state = bimAccepted, StateAccepted
	case models.BIMDataInvitationStatusDenied:
		level, state = bimDenied, StateDenied
	default:
		return Record{}, false
	}
	id := strconv.FormatInt(inv.ID, 10)
	return Record{
		Email: inv.Email,
		Grant: Grant{Vendor: invitations.BIMData, Kind: KindIDPInvitation, Scope: id, ScopeName: inv.CloudName, Level: level},
		State: state,
		ID:    id,
	}, true
}

// Read fetches every invitation in one request (the API does not page
// them), decoded one at a time and kept only for the people asked about.
// A denied invitation is no access, so it is neither had nor wanted: it is
// left as it is.
func (b *bimDataConnector) Read(ctx context.Context, people []Person, opts PlanOptions, st *ConnectorState) (*View, error) {
	asked := make(map[string]bool, len(people))
	for _, p := range people {
		asked[strings.ToLower(p.Email)] = true
	}
	byEmail := map[string][]Record{}
	denied := map[string]int{}
	for inv, err := range b.c.SSO.StreamInvitations(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("access: bimdata invitations: %w", err)
		}
		r, ok := bimRecord(inv)
		if !ok {
			continue
		}
		email := strings.ToLower(r.Email)
		if !asked[email] {
			continue
		}
		if r.State == StateDenied {
			denied[email]++
			continue
		}
		if r.State == StateAccepted && st.Removed(r.Grant.Key(email)) {
			continue // its user was deleted; the invitation stays accepted
		}
		byEmail[email] = append(byEmail[email], r)
	}
	view := &View{Want: map[string][]Grant{}}
	seen := map[string]bool{}
	for _, p := range people {
		email := strings.ToLower(p.Email)
		if !seen[email] {
			seen[email] = true
			view.Have = append(view.Have, byEmail[email]...)
		}
		if p.Absent || p.BIMData == nil || !p.BIMData.Accept {
			continue
		}
		if len(byEmail[email]) == 0 {
			reason := "no pending BIMData invitation for " + p.Email
			if n := denied[email]; n > 0 {
				reason += fmt.Sprintf(" (%d denied, left as they are)", n)
			}
			view.Problems = append(view.Problems, Problem{Email: p.Email, Vendor: invitations.BIMData, Reason: reason})
			continue
		}
		for _, r := range byEmail[email] {
			g := r.Grant
			g.Level = bimAccepted
			view.Want[email] = append(view.Want[email], g)
		}
	}
	return view, nil
}

// Audit yields every invitation, denied ones included. The list comes
// whole in one answer, decoded one invitation at a time as the loop asks.
func (b *bimDataConnector) Audit(ctx context.Context, _ *ConnectorState) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for inv, err := range b.c.SSO.StreamInvitations(ctx, nil) {
			if err != nil {
				yield(Record{}, fmt.Errorf("access: bimdata invitations: %w", err))
				return
			}
			if r, ok := bimRecord(inv); ok && !yield(r, nil) {
				return
			}
		}
	}
}

// Execute sends ch (see execute).
func (b *bimDataConnector) Execute(ctx context.Context, ch Change, st *ConnectorState) error {
	_, err := b.execute(ctx, ch, st)
	return err
}

// execute accepts an invitation (update to accepted), denies a pending
// one (remove), or deletes the user of an accepted one (remove): once
// accepted, the access is the BIMData user itself.
// It returns the id of what a create made, if any.
func (b *bimDataConnector) execute(ctx context.Context, ch Change, _ *ConnectorState) (string, error) {
	id, err := strconv.ParseInt(cmp.Or(ch.Target, ch.Grant.Scope), 10, 64)
	if err != nil || id <= 0 {
		return "", fmt.Errorf("access: bimdata: target %q is not an invitation id", cmp.Or(ch.Target, ch.Grant.Scope))
	}
	switch {
	case ch.Action == Update && ch.Grant.Level == bimAccepted:
		return "", b.c.SSO.AcceptInvitation(ctx, id)
	case ch.Action == Remove && ch.Grant.Level == bimPending:
		return "", b.c.SSO.DenyInvitation(ctx, id)
	case ch.Action == Remove && ch.Grant.Level == bimAccepted:
		return "", b.c.SSO.DeleteUser(ctx, ch.Email)
	}
	return "", fmt.Errorf("access: bimdata: cannot %s an invitation to %q", ch.Action, ch.Grant.Level)
}

// bimLookupInvitations is BIMData's lookup: the identity provider's
// invitations.
const bimLookupInvitations = "bimdata-invitations"

// Lookups offers the invitations. Clouds are not offered: the SDK has no
// BIMData cloud operation (an invitation names its cloud).
func (b *bimDataConnector) Lookups() []Lookup {
	return []Lookup{{Kind: bimLookupInvitations, Vendor: invitations.BIMData, Summary: "BIMData identity-provider invitations, with their status and cloud", Columns: []string{"id", "email", "status", "cloud", "cloud_role", "project", "project_role"}}}
}

// Lookup lists every invitation: one answer, decoded one invitation at a
// time. A status this package does not know is shown as BIMData sent it.
func (b *bimDataConnector) Lookup(ctx context.Context, kind string, _ map[string]string, _ *ConnectorState) iter.Seq2[[][]string, error] {
	if kind != bimLookupInvitations {
		return unknownLookup(invitations.BIMData, kind)
	}
	return batched(b.c.SSO.StreamInvitations(ctx, nil), func(inv models.BIMDataInvitation) ([]string, bool) {
		status := string(inv.Status)
		if r, ok := bimRecord(inv); ok {
			status = r.Grant.Level
		}
		var project, projectRole string
		if inv.ProjectName != nil {
			project = *inv.ProjectName
		}
		if inv.ProjectRole != nil {
			projectRole = fmt.Sprint(*inv.ProjectRole)
		}
		return []string{strconv.FormatInt(inv.ID, 10), inv.Email, status, inv.CloudName, fmt.Sprint(inv.CloudRole), project, projectRole}, true
	})
}
