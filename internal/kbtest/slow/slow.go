// Package slow is the switch of the slow tier of tests: process-level crash and disk tests
// (which build and kill the real binary), slow-client tests and big-dataset variants. They run
// when $TRENDGRAPH_SLOW_TESTS is 1, which `make test` (and so CI) sets; a plain `go test ./...`
// skips them and takes seconds. As with bbolt's and etcd's robustness suites, the slow tier is
// run by CI, never dropped. It imports nothing of ours, so every package's tests can use it
// (kbtest imports store, whose own tests need the switch too).
package slow

import (
	"os"
	"testing"
)

// Var is the environment variable that switches the slow tier on.
const Var = "TRENDGRAPH_SLOW_TESTS"

// On reports whether the slow tier is switched on ($TRENDGRAPH_SLOW_TESTS=1).
func On() bool { return os.Getenv(Var) == "1" }

// Only skips the test unless the slow tier is switched on, saying how to run it.
func Only(t testing.TB) {
	t.Helper()
	if !On() {
		t.Skipf("slow test: run with %s=1 (make test sets it)", Var)
	}
}
