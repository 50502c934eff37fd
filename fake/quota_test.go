package fake_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/fake"
)

func TestQuotaAnswers429InTheVendorsShape(t *testing.T) {
	t.Parallel()
	srv, _ := newServer(t, fake.WithDemoData(),
		fake.WithQuota(invitations.Box, 1, 2),
		fake.WithQuota(invitations.GitGuardian, 1, 1))
	box := srv.BaseURLs.Box + "/users/me/memberships"
	for range 2 {
		resp, _ := rawGet(t, box, "Bearer "+fake.BoxAccessToken)
		assert.NotEqual(t, http.StatusTooManyRequests, resp.StatusCode, "within the burst")
	}
	resp, body := rawGet(t, box, "Bearer "+fake.BoxAccessToken)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "60", resp.Header.Get("Retry-After"), "one a minute: the next token in about 60 s")
	var boxErr struct {
		Type, Code, Message string
		Status              int
	}
	require.NoError(t, json.Unmarshal([]byte(body), &boxErr))
	assert.Equal(t, "error", boxErr.Type)
	assert.Equal(t, 429, boxErr.Status)
	assert.Equal(t, "rate_limit_exceeded", boxErr.Code, "Box's own code for it")
	assert.Equal(t, "Request rate limit exceeded, please try again later", boxErr.Message)

	gg := srv.BaseURLs.GitGuardian + "/v1/invitations"
	rawGet(t, gg, "Token "+fake.GitGuardianAPIKey)
	resp, body = rawGet(t, gg, "Token "+fake.GitGuardianAPIKey)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Contains(t, body, `"detail":"Request was throttled.`)

	// Other APIs have no quota; Reset refills the buckets.
	resp, _ = rawGet(t, srv.BaseURLs.Freestyle+"/identity/v1/identities", "Bearer "+fake.FreestyleAPIKey)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	srv.Reset()
	resp, _ = rawGet(t, box, "Bearer "+fake.BoxAccessToken)
	assert.NotEqual(t, http.StatusTooManyRequests, resp.StatusCode)
}

func TestOne429PausesEveryGoroutineUntilRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, fake.WithDemoData())
	// The first request the fake gets is refused with Retry-After: 1;
	// 63 other goroutines are calling the same API all the while.
	srv.Inject(fake.Fault{Operation: fake.BoxGetUsers, Status: http.StatusTooManyRequests, RetryAfter: "1", Times: 1})
	var mu sync.Mutex
	var first429 time.Time
	client, err := srv.Client(invitations.WithRequestHook(func(info invitations.RequestInfo) {
		mu.Lock()
		defer mu.Unlock()
		if info.StatusCode == http.StatusTooManyRequests && first429.IsZero() {
			first429 = time.Now()
		}
	}))
	require.NoError(t, err)
	defer client.CloseIdleConnections()

	var wg sync.WaitGroup
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				_, err := client.Memberships.GetUsers(t.Context(), &invitations.GetUsersOptions{Limit: 1}).Collect(1)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()

	mu.Lock()
	t429 := first429
	mu.Unlock()
	require.False(t, t429.IsZero())
	// Requests already on their way when the 429 arrived may land just
	// after it; after that, none until its Retry-After is over.
	quiet, resume := t429.Add(200*time.Millisecond), t429.Add(time.Second-50*time.Millisecond)
	held := 0
	for _, r := range srv.Requests() {
		switch {
		case r.Time.After(quiet) && r.Time.Before(resume):
			t.Errorf("a request reached the fake %v after the first 429, inside its Retry-After", r.Time.Sub(t429))
		case r.Time.After(resume):
			held++
		}
	}
	assert.Equal(t, 641, srv.RequestCount(fake.BoxGetUsers), "640 calls and the one retry")
	assert.Greater(t, held, 500, "most calls were held until the pause ended")
}
