//go:build crashpoints

package main

import (
	"os"
	"syscall"
)

// crashpoint kills the process with SIGKILL when $TRENDGRAPH_CRASH_AT names this point, so that
// the crash tests land exactly between two steps of creating a database. Only binaries built
// with -tags crashpoints, as the tests build them, have it.
func crashpoint(name string) {
	if os.Getenv("TRENDGRAPH_CRASH_AT") == name {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is delivered asynchronously: take no further step
	}
}
