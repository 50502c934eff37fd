package fake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/models"
)

// ggServe serves f and returns a client of it.
func ggServe(t *testing.T, f *Fake) (*httptest.Server, *invitations.Client) {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	c, err := invitations.NewClient(append(ClientOptions(BaseURLsAt(ts.URL)), invitations.WithRetryWait(0, 0))...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return ts, c
}

// ggInvite posts an invitation for email and returns the status.
func ggInvite(t *testing.T, ts *httptest.Server, email string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, BaseURLsAt(ts.URL).GitGuardian+"/v1/invitations", strings.NewReader(`{"email":"`+email+`"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token "+GitGuardianAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

func TestFakeGitGuardianCreateChecksDuplicatesByIndex(t *testing.T) {
	t.Parallel()
	f := NewFake(WithDemoData())
	ts, c := ggServe(t, f)
	ctx := context.Background()

	assert.Equal(t, http.StatusCreated, ggInvite(t, ts, "New.Person@example.com"))
	assert.Equal(t, http.StatusConflict, ggInvite(t, ts, "new.person@EXAMPLE.com"), "emails compare without case")
	assert.Equal(t, http.StatusConflict, ggInvite(t, ts, "user240@example.com"), "the last demo invitation")

	// Deleting an invitation frees its email.
	var id int64
	for inv, err := range c.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{Search: "new.person", PerPage: 100}).All() {
		require.NoError(t, err)
		id = inv.ID
	}
	require.NotZero(t, id)
	require.NoError(t, c.Invitations.DeleteInvitation(ctx, id))
	assert.Equal(t, http.StatusCreated, ggInvite(t, ts, "new.person@example.com"))

	// A member is "already in the workspace" (200, no invitation) until
	// they are removed.
	assert.Equal(t, http.StatusOK, ggInvite(t, ts, "MEMBER01@example.com"))
	require.NoError(t, c.Members.DeleteMember(ctx, GitGuardianDemoMemberID+1, nil)) // member01@example.com
	assert.Equal(t, http.StatusCreated, ggInvite(t, ts, "member01@example.com"))
}

func TestFakeGitGuardianMemberIndexFollowsTheMembers(t *testing.T) {
	t.Parallel()
	f := NewFake(WithDemoData())
	_, c := ggServe(t, f)
	s := f.gg
	emails := []string{"nobody@example.com", "user001@example.com", "gen000001@example.com", "GEN000002@example.com"}
	for _, m := range s.mem.members {
		emails = append(emails, m.Email, strings.ToUpper(m.Email))
	}
	check := func(when string) {
		t.Helper()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, e := range emails {
			scan := slices.ContainsFunc(s.mem.members, func(m models.Member) bool { return strings.EqualFold(m.Email, e) })
			assert.Equal(t, scan, s.mem.isMember(e), "%s: %s", when, e)
		}
	}
	check("seeded")
	// Two deleted, two added: the list is as long as when the index was
	// built, and the index still follows.
	for _, id := range []int64{GitGuardianDemoMemberID, GitGuardianDemoMemberID + 5} {
		require.NoError(t, c.Members.DeleteMember(context.Background(), id, nil))
	}
	f.mu.Lock()
	s.seedGeneratedMembers(time.Now(), 2)
	f.mu.Unlock()
	check("after two deletes and two additions")
	_, err := c.Members.UpdateMember(context.Background(), GitGuardianDemoMemberID+2, &models.UpdateMemberRequest{AccessLevel: models.AccessLevelManager}, nil)
	require.NoError(t, err)
	check("after an update")
	require.NoError(t, c.Members.DeleteMember(context.Background(), GitGuardianDemoMemberID+3, nil))
	check("after a delete")
}
