// Command invitations keeps people's access to GitGuardian, Box,
// Freestyle, BIMData and Portworx in line with a desired-state file, in
// the manner of terraform's plan and apply:
//
//	invitations audit [-o table|json|csv] [--vendor V] [--email E]
//	invitations plan -f people.yaml [-o json]
//	invitations apply -f people.yaml [-auto-approve]
//	invitations offboard EMAIL [-dry-run] [-auto-approve]
//	invitations fake [-addr host:port]
//	invitations serve -f people.yaml [-addr host:port]
//
// Credentials come from the environment (see invitations.WithEnv); with
// none, it runs against an embedded fake with demo data and says so.
// "invitations fake" serves the fake on an address; INVITATIONS_FAKE_URL
// points the other commands at it. "invitations serve" is a SCIM 2.0
// server through which an identity provider drives the file's roles
// (INVITATIONS_SCIM_TOKEN is its bearer token). Run "invitations -h" or
// "invitations COMMAND -h" for the flags, and see README.md for the file
// format.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/invitesdk/invitations/cmd/invitations/internal/cli"
)

func main() { os.Exit(run()) }

// run is the command as the tests start it.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Run(ctx, os.Args[1:], cli.IO{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StdinTTY:  cli.IsTerminal(os.Stdin),
		StderrTTY: cli.IsTerminal(os.Stderr),
		Getenv:    os.Getenv,
		Version:   version(),
	})
}

// version is the module version the binary was built from ("(devel)" in
// a clone).
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
