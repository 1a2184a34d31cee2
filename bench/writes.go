package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The write section: mutations per second at 1 and 16 concurrent writers (bbolt's Batch groups
// their commits), the page query's latency while 16 writers run against idle, and the response
// cache's hit rate with writes arriving continuously.

const writeSecret = "bench-writer-secret"

const updateMutation = `mutation Update($slug: String!, $rev: Int!, $summary: String!) {
  updateEntity(input: {reason: "bench", slug: $slug, revision: $rev, summary: $summary}) { entity { revision } } }`

const createMutation = `mutation Create($slug: String!) {
  createEntity(input: {reason: "bench", type: SKILL, slug: $slug, name: $slug, summary: "A skill the benchmark writes.",
    citations: [{section: "Conclusion", paragraph: 1}]}) { entity { revision } } }`

// writer updates its own entity again and again, each time based on the revision it got back.
type writer struct {
	addr     string
	slug     string
	revision int
	client   *http.Client
}

func (w *writer) post(query string, vars map[string]any) (map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, "http://"+w.addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+writeSecret)
	resp, err := w.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	if len(out.Errors) > 0 {
		return nil, fmt.Errorf("mutation failed: %v", out.Errors)
	}
	return out.Data, nil
}

func (w *writer) create() error {
	if _, err := w.post(createMutation, map[string]any{"slug": w.slug}); err != nil {
		return err
	}
	w.revision = 1
	return nil
}

func (w *writer) update(n int) error {
	data, err := w.post(updateMutation, map[string]any{"slug": w.slug, "rev": w.revision, "summary": fmt.Sprintf("A skill the benchmark wrote %d times.", n)})
	if err != nil {
		return err
	}
	rev, _ := data["updateEntity"].(map[string]any)["entity"].(map[string]any)["revision"].(float64)
	w.revision = int(rev)
	return nil
}

// runWriters runs n writers for dur and returns the mutations committed per second.
func runWriters(addr string, n int, dur time.Duration, tag string) (float64, error) {
	writers := make([]*writer, n)
	for i := range writers {
		writers[i] = &writer{addr: addr, slug: fmt.Sprintf("bench-%s-%d", tag, i), client: &http.Client{Timeout: 30 * time.Second}}
		if err := writers[i].create(); err != nil {
			return 0, err
		}
	}
	var done atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				if err := w.update(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return 0, err
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

// cacheHits reads the response cache's hits from /metrics.
func cacheHits(addr string) float64 { return metricsOf(addr)["trendgraph_cache_hits_total"] }

// benchWrites measures writes on a copy of the seed database and reports them.
func benchWrites(report *strings.Builder, bin, work string, dur time.Duration) error {
	tokens := filepath.Join(work, "tokens")
	if err := os.WriteFile(tokens, []byte("bench write "+writeSecret+"\n"), 0o600); err != nil {
		return err
	}
	db := filepath.Join(work, "writes.db")
	mustRun(bin, "import", "--db", db)
	s, err := startServer(bin, db, "--tokens-file", tokens)
	if err != nil {
		return err
	}
	defer s.stop()

	report.WriteString("\n## Writes\n\nEach writer updates an entity of its own, based on the revision its previous update returned; concurrent writers share commits (bbolt's `Batch`, a 2 ms window). The page query runs under wrk at 16 connections on the cached server, idle and then while 16 writers run.\n\n| measure | value |\n| --- | --- |\n")
	for _, n := range []int{1, 16} {
		rate, err := runWriters(s.addr, n, dur, strconv.Itoa(n))
		if err != nil {
			return err
		}
		fmt.Fprintf(report, "| mutations/s, %d writer%s | %.0f |\n", n, map[bool]string{true: "", false: "s"}[n == 1], rate)
	}

	page := shapes()[2]
	body, _ := json.Marshal(map[string]any{"query": page.query})
	bodyFile := filepath.Join(work, "page.json")
	if err := os.WriteFile(bodyFile, body, 0o644); err != nil {
		return err
	}
	idle, err := drive(s.addr, bodyFile, 16, dur, nil)
	if err != nil {
		return err
	}
	// Mutations count as misses too: the page query's hit rate is its hits over its requests.
	h0 := cacheHits(s.addr)
	var busy measurement
	var writeRate float64
	var writeErr, readErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); writeRate, writeErr = runWriters(s.addr, 16, dur, "busy") }()
	go func() { defer wg.Done(); busy, readErr = drive(s.addr, bodyFile, 16, dur, nil) }()
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if readErr != nil {
		return readErr
	}
	h1 := cacheHits(s.addr)
	fmt.Fprintf(report, "| page query, idle: req/s, p50, p99 | %.0f, %s, %s |\n", idle.rps, idle.p50, idle.p99)
	fmt.Fprintf(report, "| page query, 16 writers running (%.0f mutations/s): req/s, p50, p99 | %.0f, %s, %s |\n", writeRate, busy.rps, busy.p50, busy.p99)
	if busy.requests > 0 {
		fmt.Fprintf(report, "| response-cache hit rate of the page query while writes run | %.1f%% |\n", 100*(h1-h0)/float64(busy.requests))
	}
	return nil
}
