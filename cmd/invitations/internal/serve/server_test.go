package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/invitesdk/invitations/cmd/invitations/internal/scim"
)

const testToken = "s3cr3t-token-for-tests"

// scrape returns what /metrics serves.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

// get sends a GET to h with the headers given as name, value pairs.
func get(t *testing.T, h http.Handler, path string, headers ...string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// failingStore is a store whose reads fail, as a database that went away.
type failingStore struct{ scim.Store }

func (failingStore) Generation(context.Context) (int64, error) {
	return 0, errors.New("dial tcp db.internal:5432: connection refused")
}

func newTestServer(t *testing.T, store scim.Store) (*Server, *harness) {
	t.Helper()
	if store == nil {
		store = scim.NewMemoryStore()
	}
	h := newHarnessOn(t, store, &fakeEngine{})
	srv, err := NewServer(h.rec, WithToken(testToken))
	require.NoError(t, err)
	return srv, h
}

func TestServerHealthAndReadiness(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, nil)
	code, body := get(t, srv.Handler(), "/healthz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)
	code, body = get(t, srv.Handler(), "/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "ok\n", body)

	srv.stopping.Store(true)
	code, body = get(t, srv.Handler(), "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "stopping\n", body)
	code, _ = get(t, srv.Handler(), "/healthz")
	assert.Equal(t, http.StatusOK, code, "alive while stopping")
}

// A store that does not answer makes the server not ready, without
// saying more than that to the caller; the log has the error.
func TestServerNotReadyWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	srv, h := newTestServer(t, failingStore{scim.NewMemoryStore()})
	code, body := get(t, srv.Handler(), "/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "the SCIM store does not answer\n", body)
	assert.Contains(t, h.logs.String(), "connection refused")
}

// Every metric is served from the start; SCIM requests are counted by
// method and status.
func TestServerMetrics(t *testing.T) {
	t.Parallel()
	srv, _ := newTestServer(t, nil)
	code, _ := get(t, srv.Handler(), "/scim/v2/Users")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = get(t, srv.Handler(), "/scim/v2/Users", "Authorization", "Bearer "+testToken)
	assert.Equal(t, http.StatusOK, code)

	code, body := get(t, srv.Handler(), "/metrics")
	assert.Equal(t, http.StatusOK, code)
	for _, want := range []string{
		`invitations_scim_requests_total{method="GET",status="401"} 1`,
		`invitations_scim_requests_total{method="GET",status="200"} 1`,
		`invitations_scim_request_duration_seconds_count 2`,
		`invitations_applies_total{outcome="applied"} 0`,
		`invitations_applies_total{outcome="nothing_to_do"} 0`,
		`invitations_applies_total{outcome="refused_problems"} 0`,
		`invitations_applies_total{outcome="refused_removals"} 0`,
		`invitations_applies_total{outcome="locked"} 0`,
		`invitations_applies_total{outcome="failed"} 0`,
		`invitations_changes_total{outcome="done"} 0`,
		`invitations_changes_total{outcome="already_done"} 0`,
		`invitations_changes_total{outcome="failed"} 0`,
		`invitations_changes_total{outcome="in_doubt"} 0`,
		`invitations_changes_total{outcome="skipped"} 0`,
		`invitations_last_successful_apply_timestamp_seconds 0`,
	} {
		assert.Contains(t, body, want+"\n")
	}
	assert.NotContains(t, body, "go_goroutines", "a registry of its own: no process metrics of the default one")
	assert.NotContains(t, body, testToken)
}

// A SCIM write notifies the Reconciler, which runs.
func TestServerWritesStartARun(t *testing.T) {
	t.Parallel()
	srv, h := newTestServer(t, nil)
	h.start()
	h.next() // at start
	req := httptest.NewRequest(http.MethodPost, "/scim/v2/Users", strings.NewReader(
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","active":true}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rep := h.next()
	assert.Equal(t, int64(1), rep.Generation)
}

func TestNewServerNeedsAToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, &fakeEngine{})
	_, err := NewServer(h.rec)
	assert.EqualError(t, err, "serve: NewServer: WithToken is required: every SCIM request must be authenticated")
	_, err = NewServer(h.rec, WithToken(""))
	assert.EqualError(t, err, "serve: WithToken: the token must not be empty")
	_, err = NewServer(h.rec, WithToken(testToken), WithTLS("cert.pem", ""))
	assert.EqualError(t, err, "serve: WithTLS: give both the certificate and the key")
	_, err = NewServer(h.rec, WithToken(testToken), WithTLS("missing-cert.pem", "missing-key.pem"))
	assert.ErrorContains(t, err, "serve: the TLS certificate and key: open missing-cert.pem")
}

// Serve answers on the listener until its context ends, then stops the
// Reconciler too and returns nil.
func TestServeStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	srv, h := newTestServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	assert.Equal(t, OutcomeNothingToDo, h.next().Outcome, "the Reconciler runs")

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "ok\n", string(b))

	cancel()
	select {
	case err := <-served:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	_, err = http.Get("http://" + ln.Addr().String() + "/healthz")
	require.Error(t, err, "nothing listens any more")
	assert.False(t, h.rec.running.Load(), "the Reconciler stopped")
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files,
// and returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// With a certificate and key, the server speaks HTTPS only.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	h := newHarness(t, &fakeEngine{})
	srv, err := NewServer(h.rec, WithToken(testToken), WithTLS(certFile, keyFile))
	require.NoError(t, err)
	assert.True(t, srv.TLS())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest(http.MethodGet, "https://"+ln.Addr().String()+"/scim/v2/ServiceProviderConfig", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, resp.TLS.Version, uint16(tls.VersionTLS12))

	resp, err = http.Get("http://" + ln.Addr().String() + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP refused")
	cancel()
	require.NoError(t, <-served)
}
