package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/server"
	"github.com/trendgraph/trendgraph/store"
)

// hangGuard bounds waits that must end; it is a liveness guard, not a speed assertion.
const hangGuard = 30 * time.Second

// Issue 10: a request still reading the store when the grace ended kept running (a wide
// filter for minutes), and the database's close, which waits for every read transaction,
// waited for it.
func TestShutdownCancelsReadsStillRunningAfterTheGrace(t *testing.T) {
	// 2,000 technologies are enough: the filter below keeps the store busy for over a second
	// here, twenty times the grace.
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 2_000, Relationships: 2_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "big.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := server.DefaultConfig()
	cfg.Log, cfg.AccessLog, cfg.Timeout, cfg.CacheBytes, cfg.RatePerSecond = quiet, false, 0, 0, 0
	cfg.Limits.MaxBodyBytes, cfg.Limits.MaxFilterSize, cfg.Limits.MaxCost, cfg.Limits.MaxTokens = 16<<20, 0, 0, 0
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- serveUntilDone(ctx, ln, server.New(st, cfg), defaultHTTPLimits(time.Hour), 50*time.Millisecond, quiet)
	}()

	// Thousands of terms, each a text scan: a second or more of store work in one read transaction.
	terms := make([]any, 30_000)
	for i := range terms {
		terms[i] = map[string]any{"text": "stream", "not": map[string]any{"vendors": []string{fmt.Sprintf("org-%03d", i%40)}}}
	}
	body, err := json.Marshal(map[string]any{
		"query":     `query($f: EntityFilter) { technologies(filter: $f, first: 1) { totalCount } }`,
		"variables": map[string]any{"f": map[string]any{"or": terms}},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := st.Stats().ReadTxns
	answered := make(chan string, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			answered <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answered <- fmt.Sprintf("%d %s", resp.StatusCode, b)
	}()
	// The only read of this request is the list's: once it has begun, the request is in the store.
	for deadline := time.Now().Add(hangGuard); st.Stats().ReadTxns == before; {
		select {
		case a := <-answered:
			t.Fatalf("answered before reading the store (a limit refused it?): %.300s", a)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the store")
		}
	}

	cancel() // SIGTERM
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "in-flight requests cancelled") {
			t.Fatalf("serve returned %v, want the requests it cancelled after the grace", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("serve did not return after its grace")
	}
	closed := make(chan error, 1)
	go func() { closed <- st.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(hangGuard):
		t.Fatal("the database did not close: the request's read transaction is still open")
	}
	select {
	case a := <-answered:
		if strings.Contains(a, `"totalCount"`) {
			t.Fatalf("the request ran to the end instead of being cancelled: %.300s", a)
		}
	case <-time.After(hangGuard):
		t.Fatal("the client got no answer and no error")
	}
}
