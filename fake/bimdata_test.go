package fake_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
	"github.com/invitesdk/invitations/models"
)

func bimStatuses(invs []models.BIMDataInvitation) map[int64]models.BIMDataInvitationStatus {
	out := map[int64]models.BIMDataInvitationStatus{}
	for _, inv := range invs {
		out[inv.ID] = inv.Status
	}
	return out
}

func TestFakeBIMDataGetInvitations(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	all, err := c.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 6)
	statuses := bimStatuses(all)
	assert.Len(t, statuses, 6, "distinct ids")
	for _, id := range []int64{fake.BIMDataDemoInvitationID, fake.BIMDataDemoCloudInvitationID, 125, 126} {
		assert.Equal(t, models.BIMDataInvitationStatusPending, statuses[id], "invitation %d", id)
	}
	assert.Equal(t, models.BIMDataInvitationStatusAccepted, statuses[fake.BIMDataDemoAcceptedInvitationID])
	assert.Equal(t, models.BIMDataInvitationStatusDenied, statuses[fake.BIMDataDemoDeniedInvitationID])
	for i := 1; i < len(all); i++ {
		assert.Less(t, all[i-1].ID, all[i].ID, "ordered by id")
	}

	for status, want := range map[models.BIMDataInvitationStatus]int{
		models.BIMDataInvitationStatusPending:  4,
		models.BIMDataInvitationStatusAccepted: 1,
		models.BIMDataInvitationStatusDenied:   1,
	} {
		got, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: status})
		require.NoError(t, err)
		assert.Len(t, got, want, "status %s", status)
		for _, inv := range got {
			assert.Equal(t, status, inv.Status)
		}
	}

	// An unknown filter value is a django-filter field error, and so is
	// "W": current servers list only A, D and P.
	for _, status := range []models.BIMDataInvitationStatus{"X", "W"} {
		_, err = c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: status})
		var apiErr *invitations.APIError
		require.ErrorAs(t, err, &apiErr, "status %s", status)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode, "status %s", status)
		assert.Equal(t, []string{"Select a valid choice. " + string(status) + " is not one of the available choices."}, apiErr.FieldErrors["status"])
	}
}

func TestFakeBIMDataEmptyStoreListsEmptyArray(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t)
	got, err := c.SSO.GetInvitations(t.Context(), nil)
	require.NoError(t, err)
	assert.Empty(t, got)
	resp, body := rawGet(t, srv.BaseURLs.BIMData+"/identity-provider/invitation", "Bearer "+fake.BIMDataAccessToken)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `[]`, body, "a bare array, never null or an envelope")
}

func TestFakeBIMDataGetInvitation(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	inv, err := c.SSO.GetInvitation(ctx, fake.BIMDataDemoInvitationID)
	require.NoError(t, err)
	assert.Equal(t, int64(fake.BIMDataDemoInvitationID), inv.ID)
	assert.Equal(t, fake.BIMDataDemoUserEmail, inv.Email)
	assert.Equal(t, models.BIMDataInvitationStatusPending, inv.Status)
	assert.Equal(t, models.BIMDataRoleUser, inv.CloudRole)
	require.NotNil(t, inv.ProjectRole)
	assert.Equal(t, models.BIMDataRoleAdmin, *inv.ProjectRole)
	n, ok := inv.ClientID.Int64()
	assert.True(t, ok)
	assert.Equal(t, int64(111111), n)

	cloudOnly, err := c.SSO.GetInvitation(ctx, fake.BIMDataDemoCloudInvitationID)
	require.NoError(t, err)
	assert.Nil(t, cloudOnly.ProjectName)
	assert.Nil(t, cloudOnly.ProjectRole)
	assert.Nil(t, cloudOnly.SenderProviderSub)

	// On the wire, client_id is a number and a cloud-only invitation has
	// explicit nulls.
	_, body := rawGet(t, srv.BaseURLs.BIMData+"/identity-provider/invitation/124", "ApiKey "+fake.BIMDataAPIKey)
	assert.JSONEq(t, `{"id": 124, "client_id": 111111, "redirect_uri": "https://platform.bimdata.io/cloud/12",
		"cloud_name": "Awesome Cloud", "cloud_role": 100, "email": "admin@example.com",
		"project_name": null, "project_role": null, "status": "P", "sender_provider_sub": null}`, body)

	_, err = c.SSO.GetInvitation(ctx, 999)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Not found.", apiErr.Message)
	assert.JSONEq(t, `{"detail": "Not found."}`, string(apiErr.Body))

	resp, body := rawGet(t, srv.BaseURLs.BIMData+"/identity-provider/invitation/abc", "Bearer "+fake.BIMDataAccessToken)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"detail": "Not found."}`, body)
}

func TestFakeBIMDataAcceptAndDeny(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	status := func(id int64) models.BIMDataInvitationStatus {
		t.Helper()
		inv, err := c.SSO.GetInvitation(ctx, id)
		require.NoError(t, err)
		return inv.Status
	}

	var resp invitations.Response
	require.NoError(t, c.SSO.AcceptInvitation(ctx, fake.BIMDataDemoInvitationID, invitations.CaptureResponse(&resp)))
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, models.BIMDataInvitationStatusAccepted, status(fake.BIMDataDemoInvitationID))

	require.NoError(t, c.SSO.DenyInvitation(ctx, fake.BIMDataDemoCloudInvitationID))
	assert.Equal(t, models.BIMDataInvitationStatusDenied, status(fake.BIMDataDemoCloudInvitationID))

	// A denied invitation can still be accepted.
	require.NoError(t, c.SSO.AcceptInvitation(ctx, fake.BIMDataDemoDeniedInvitationID))
	assert.Equal(t, models.BIMDataInvitationStatusAccepted, status(fake.BIMDataDemoDeniedInvitationID))

	// An accepted invitation is settled; a denied one cannot be denied again.
	for _, tc := range []struct {
		name   string
		call   func() error
		detail string
	}{
		{"accept accepted", func() error { return c.SSO.AcceptInvitation(ctx, fake.BIMDataDemoAcceptedInvitationID) }, "This invitation has already been accepted."},
		{"deny accepted", func() error { return c.SSO.DenyInvitation(ctx, fake.BIMDataDemoAcceptedInvitationID) }, "This invitation has already been accepted."},
		{"deny denied", func() error { return c.SSO.DenyInvitation(ctx, fake.BIMDataDemoCloudInvitationID) }, "This invitation has already been denied."},
	} {
		var apiErr *invitations.APIError
		require.ErrorAs(t, tc.call(), &apiErr, tc.name)
		assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode, tc.name)
		assert.Equal(t, tc.detail, apiErr.Message, tc.name)
		assert.Empty(t, apiErr.FieldErrors, tc.name)
	}
	assert.Equal(t, models.BIMDataInvitationStatusAccepted, status(fake.BIMDataDemoAcceptedInvitationID))
	assert.Equal(t, models.BIMDataInvitationStatusDenied, status(fake.BIMDataDemoCloudInvitationID))

	require.ErrorIs(t, c.SSO.AcceptInvitation(ctx, 999), invitations.ErrNotFound)
	require.ErrorIs(t, c.SSO.DenyInvitation(ctx, 999), invitations.ErrNotFound)

	pending, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	require.NoError(t, err)
	assert.Len(t, pending, 2)

	// The SDK sends accept and deny as bodiless POSTs.
	for _, r := range srv.Requests() {
		if r.Operation == fake.BIMDataAcceptInvitation || r.Operation == fake.BIMDataDenyInvitation {
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Empty(t, r.Body)
		}
	}
	assert.Equal(t, 4, srv.RequestCount(fake.BIMDataAcceptInvitation))
	assert.Equal(t, 4, srv.RequestCount(fake.BIMDataDenyInvitation))
}

func TestFakeBIMDataDeleteUser(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	require.NoError(t, c.SSO.DeleteUser(ctx, fake.BIMDataDemoUserEmail))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, fake.BIMDataDeleteUser, reqs[0].Operation)
	assert.Equal(t, http.MethodDelete, reqs[0].Method)
	assert.Equal(t, "/bimdata/identity-provider/user", reqs[0].Path)
	assert.JSONEq(t, `{"email": "user@example.com"}`, string(reqs[0].Body))

	// The user is gone.
	err := c.SSO.DeleteUser(ctx, fake.BIMDataDemoUserEmail)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Not found.", apiErr.Message)

	require.ErrorIs(t, c.SSO.DeleteUser(ctx, "nobody@example.com"), invitations.ErrNotFound)
	require.NoError(t, c.SSO.DeleteUser(ctx, "Owner@Example.com"), "emails match regardless of case")

	// An address net/mail accepts but Django's EmailValidator does not
	// reaches the server and comes back as a DRF field error.
	err = c.SSO.DeleteUser(ctx, "someone@intranet")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, map[string][]string{"email": {"Enter a valid email address."}}, apiErr.FieldErrors)
	assert.Equal(t, "email: Enter a valid email address.", apiErr.Message)

	// The SDK refuses a malformed email before sending anything.
	before := srv.RequestCount(fake.BIMDataDeleteUser)
	require.ErrorIs(t, c.SSO.DeleteUser(ctx, "not an email"), invitations.ErrInvalidParameter)
	assert.Equal(t, before, srv.RequestCount(fake.BIMDataDeleteUser))
}

func TestFakeBIMDataDemoPersonOffboarding(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()
	pending, err := c.SSO.GetInvitations(ctx, &invitations.GetInvitationsOptions{Status: models.BIMDataInvitationStatusPending})
	require.NoError(t, err)
	var theirs []int64
	for _, inv := range pending {
		if inv.Email == fake.DemoPersonEmail {
			theirs = append(theirs, inv.ID)
		}
	}
	require.Len(t, theirs, 1, "the demo person has a pending invitation")
	require.NoError(t, c.SSO.DenyInvitation(ctx, theirs[0]))
	require.NoError(t, c.SSO.DeleteUser(ctx, fake.DemoPersonEmail), "the demo person is a user")
	require.ErrorIs(t, c.SSO.DeleteUser(ctx, fake.DemoPersonEmail), invitations.ErrNotFound)
}

func TestFakeBIMDataDeleteUserBodyValidation(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData())
	url := srv.BaseURLs.BIMData + "/identity-provider/user"
	auth := "Bearer " + fake.BIMDataAccessToken
	for _, tc := range []struct{ body, want string }{
		{"", `{"email": ["This field is required."]}`},
		{`{}`, `{"email": ["This field is required."]}`},
		{`{"mail": "user@example.com"}`, `{"email": ["This field is required."]}`},
		{`{"email": null}`, `{"email": ["This field may not be null."]}`},
		{`{"email": "  "}`, `{"email": ["This field may not be blank."]}`},
		{`{"email": ["user@example.com"]}`, `{"email": ["Not a valid string."]}`},
		{`{"email": "user@"}`, `{"email": ["Enter a valid email address."]}`},
		{`{"email": "a@b"}`, `{"email": ["Enter a valid email address."]}`},
		{`["user@example.com"]`, `{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}`},
	} {
		resp, body := rawDo(t, http.MethodDelete, url, auth, tc.body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, tc.body)
		assert.JSONEq(t, tc.want, body, tc.body)
	}
	resp, body := rawDo(t, http.MethodDelete, url, auth, `{"email": `)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, `"detail":"JSON parse error`)

	// Nothing was deleted along the way; localhost is a valid domain.
	resp, _ = rawDo(t, http.MethodDelete, url, auth, `{"email": " user@example.com "}`)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	resp, body = rawDo(t, http.MethodDelete, url, auth, `{"email": "root@localhost"}`)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"detail": "Not found."}`, body)
}

func TestFakeBIMDataCredentials(t *testing.T) {
	t.Parallel()
	srv, bearer := newServer(t, fake.WithDemoData())
	apiKey, err := srv.Client(invitations.WithRetryWait(0, 0), invitations.WithBIMDataAPIKey(fake.BIMDataAPIKey))
	require.NoError(t, err)
	ctx := t.Context()

	_, err = bearer.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, apiKey.SSO.AcceptInvitation(ctx, fake.BIMDataDemoInvitationID))
	require.NoError(t, apiKey.SSO.DeleteUser(ctx, fake.BIMDataDemoUserEmail))
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Bearer [redacted]", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "ApiKey [redacted]", reqs[1].Header.Get("Authorization"))

	url := srv.BaseURLs.BIMData + "/identity-provider/invitation"
	for _, auth := range []string{
		"",
		"Bearer " + fake.BIMDataAPIKey,
		"ApiKey " + fake.BIMDataAccessToken,
		"Token " + fake.BIMDataAPIKey,
		"bearer " + fake.BIMDataAccessToken,
	} {
		resp, body := rawGet(t, url, auth)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, auth)
		assert.JSONEq(t, `{"detail": "Authentication credentials were not provided."}`, body, auth)
	}

	wrong, err := srv.Client(invitations.WithBIMDataAPIKey("wrong-key"))
	require.NoError(t, err)
	err = wrong.SSO.AcceptInvitation(ctx, fake.BIMDataDemoCloudInvitationID)
	require.ErrorIs(t, err, invitations.ErrUnauthorized)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "BIMData", apiErr.API)
	assert.Equal(t, "Authentication credentials were not provided.", apiErr.Message)
	inv, err := bearer.SSO.GetInvitation(ctx, fake.BIMDataDemoCloudInvitationID)
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataInvitationStatusPending, inv.Status, "a rejected call changes nothing")
}

func TestFakeBIMDataFaults(t *testing.T) {
	t.Parallel()
	srv, c := newServer(t, fake.WithDemoData())
	ctx := t.Context()

	// Accepting is not repeated after a 5xx: its effect would be unknown.
	srv.Inject(fake.Fault{Operation: fake.BIMDataAcceptInvitation, Status: 500})
	err := c.SSO.AcceptInvitation(ctx, fake.BIMDataDemoInvitationID)
	var apiErr *invitations.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Equal(t, "A server error occurred.", apiErr.Message)
	assert.Equal(t, 1, srv.RequestCount(fake.BIMDataAcceptInvitation))
	inv, err := c.SSO.GetInvitation(ctx, fake.BIMDataDemoInvitationID)
	require.NoError(t, err)
	assert.Equal(t, models.BIMDataInvitationStatusPending, inv.Status, "the fault ran nothing")

	// Nor after a dropped connection.
	srv.Inject(fake.Fault{Operation: fake.BIMDataAcceptInvitation, Drop: true})
	require.Error(t, c.SSO.AcceptInvitation(ctx, fake.BIMDataDemoInvitationID))
	assert.Equal(t, 2, srv.RequestCount(fake.BIMDataAcceptInvitation))

	// GETs survive transient errors, and so does DeleteUser, which leaves
	// the same state however often it runs.
	srv.Inject(fake.Fault{Operation: fake.BIMDataGetInvitations, Status: 503, Times: 2})
	_, err = c.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, srv.RequestCount(fake.BIMDataGetInvitations))
	srv.Inject(fake.Fault{Operation: fake.BIMDataDeleteUser, Status: 503})
	require.NoError(t, c.SSO.DeleteUser(ctx, "architect@example.com"))
	assert.Equal(t, 2, srv.RequestCount(fake.BIMDataDeleteUser))

	// A deny answered 429 was not applied, so it is retried.
	srv.Inject(fake.Fault{Operation: fake.BIMDataDenyInvitation, Status: 429, RetryAfter: "0"})
	require.NoError(t, c.SSO.DenyInvitation(ctx, fake.BIMDataDemoInvitationID))
	assert.Equal(t, 2, srv.RequestCount(fake.BIMDataDenyInvitation))

	// A field error body injected as a fault decodes like a real one.
	srv.Inject(fake.Fault{Operation: fake.BIMDataDeleteUser, Status: 400, Body: `{"email": ["Enter a valid email address."], "non_field_errors": ["Cannot delete this user."]}`})
	err = c.SSO.DeleteUser(ctx, fake.BIMDataDemoUserEmail)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, map[string][]string{
		"email":            {"Enter a valid email address."},
		"non_field_errors": {"Cannot delete this user."},
	}, apiErr.FieldErrors)
	require.NoError(t, c.SSO.DeleteUser(ctx, fake.BIMDataDemoUserEmail), "the faulted call deleted nothing")
}

func TestFakeBIMDataGeneratedPeople(t *testing.T) {
	t.Parallel()
	_, c := newServer(t, fake.WithDemoData(), fake.WithGeneratedPeople(3))
	ctx := t.Context()
	all, err := c.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 6+3)
	for i, inv := range all[6:] {
		assert.Equal(t, int64(fake.BIMDataDemoDeniedInvitationID+1+i), inv.ID, "numbered after the demo invitations")
		assert.Equal(t, fmt.Sprintf("person%06d@example.com", i+1), inv.Email)
		assert.Equal(t, models.BIMDataInvitationStatusPending, inv.Status)
	}

	// Found by id among them, accepted and denied like the others.
	require.NoError(t, c.SSO.AcceptInvitation(ctx, all[7].ID))
	require.NoError(t, c.SSO.DenyInvitation(ctx, all[8].ID))
	inv, err := c.SSO.GetInvitation(ctx, all[6].ID)
	require.NoError(t, err)
	assert.Equal(t, "person000001@example.com", inv.Email)
	_, err = c.SSO.GetInvitation(ctx, all[8].ID+1)
	require.ErrorIs(t, err, invitations.ErrNotFound)
	after, err := c.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	statuses := bimStatuses(after)
	assert.Equal(t, models.BIMDataInvitationStatusAccepted, statuses[all[7].ID])
	assert.Equal(t, models.BIMDataInvitationStatusDenied, statuses[all[8].ID])

	// Without the demo data, they are numbered from 1.
	_, c = newServer(t, fake.WithGeneratedPeople(2))
	all, err = c.SSO.GetInvitations(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, []int64{1, 2}, []int64{all[0].ID, all[1].ID})
	require.ErrorIs(t, c.SSO.AcceptInvitation(ctx, 3), invitations.ErrNotFound)
}
