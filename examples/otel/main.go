// Command otel traces SDK calls with OpenTelemetry by wrapping the HTTP
// transport with otelhttp: every attempt, retries included, becomes a
// client span. OpenTelemetry stays out of the SDK's own dependencies; this
// example is a module of its own.
//
//	cd examples/otel && go run .
//
// It runs on the embedded fake and prints the spans it recorded.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/invitesdk/invitations"
	"github.com/invitesdk/invitations/invitationstest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

func run() error {
	spans := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = provider.Shutdown(context.Background()) }()

	srv := invitationstest.NewServer(invitationstest.WithDemoData())
	defer srv.Close()
	fmt.Println("Using the embedded fake with demo data at", srv.URL)

	// The SDK wraps, never replaces, the client it is given: the traced
	// transport sees every attempt.
	traced := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport, otelhttp.WithTracerProvider(provider))}
	client, err := srv.Client(invitations.WithHTTPClient(traced), invitations.WithRetryWait(0, 0))
	if err != nil {
		return err
	}
	srv.Inject(invitationstest.Fault{Operation: "gitguardian.ListInvitations", Status: 503})
	ctx := context.Background()
	n := 0
	for _, err := range client.Invitations.ListInvitations(ctx, &invitations.ListInvitationsOptions{PerPage: 100}).All() {
		if err != nil {
			return err
		}
		n++
	}
	fmt.Printf("listed %d invitations\n", n)
	for _, s := range spans.Ended() {
		status := ""
		for _, kv := range s.Attributes() {
			if kv.Key == "http.response.status_code" {
				status = kv.Value.Emit()
			}
		}
		fmt.Printf("span %q status %s\n", s.Name(), status)
	}
	if len(spans.Ended()) == 0 {
		return fmt.Errorf("no span recorded")
	}
	return nil
}
