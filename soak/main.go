// Command soak drives the trendgraph binary on loopback with 64 connections and a mix of
// valid, invalid, limit-breaking and cache-hitting requests for a while, then checks that it
// answered no 5xx, logged no panic, kept its resident memory flat after warm-up (under 10%
// growth) and returned to its baseline of goroutines. It writes its results to a file and a
// summary line to standard output; it exits 1 when a check fails.
//
//	go run ./soak -bin bin/trendgraph [-duration 5m] [-out soak-results.txt]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// cacheBytes is the response cache the soak runs with: the server's default.
const cacheBytes = 64 << 20

// request is one kind of traffic; weight is its share of the mix.
type request struct {
	name   string
	weight int
	body   func(r *rand.Rand) string
	method string
}

func mix() []request {
	slugs := []string{"kubernetes", "go", "rust", "graphql", "aws-lambda", "neo4j", "istio", "opentelemetry", "docker", "python"}
	q := func(query string, vars map[string]any) string {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return string(b)
	}
	return []request{
		// Repeated exactly: served from the response cache after the first.
		{"cached-nested", 25, func(*rand.Rand) string {
			return q(`{ trends(first: 5) { nodes { slug technologies(first: 5) { nodes { slug relationships(first: 5) { edges { other { slug } } } } } } } }`, nil)
		}, http.MethodPost},
		// Varied variables (10 slugs x 100 page sizes): mostly misses at first, some hits later.
		{"lookup", 25, func(r *rand.Rand) string {
			return q(`query($s: String!, $n: Int) { technology(slug: $s) { name tradeoffs { nodes { name } } relationships(first: $n) { totalCount edges { other { slug } } } } }`,
				map[string]any{"s": slugs[r.IntN(len(slugs))], "n": 1 + r.IntN(100)})
		}, http.MethodPost},
		// Random words: almost always misses, mostly empty results.
		{"search-miss", 5, func(r *rand.Rand) string {
			w := make([]byte, 3+r.IntN(4))
			for i := range w {
				w[i] = byte('a' + r.IntN(26))
			}
			return q(`query($q: String!) { search(query: $q, first: 5) { totalCount } }`, map[string]any{"q": string(w)})
		}, http.MethodPost},
		{"search", 10, func(r *rand.Rand) string {
			words := []string{"serverless", "graph", "trace", "mesh", "zero trust", "edge", "cloud"}
			return q(`query($q: String!) { search(query: $q, first: 5) { totalCount edges { node { slug } } } }`, map[string]any{"q": words[r.IntN(len(words))]})
		}, http.MethodPost},
		{"page", 10, func(r *rand.Rand) string {
			return q(`query($n: Int) { technologies(first: $n, filter: {or: [{kinds: [DATABASE]}, {tagsAny: ["cloud"]}]}) { totalCount nodes { slug } } }`, map[string]any{"n": 1 + r.IntN(50)})
		}, http.MethodPost},
		{"get", 10, func(*rand.Rand) string { return "query=%7Btrends%7BtotalCount%7D%7D" }, http.MethodGet},
		// Invalid: syntax, validation, bad arguments, malformed JSON.
		{"invalid", 10, func(r *rand.Rand) string {
			bad := []string{`{"query":"{ trends {"}`, `{"query":"{ trends { colour } }"}`, `{"query":"{ technologies(first: 1000) { totalCount } }"}`, `{"query": `, `[1,2]`, `{"query":"{ node(id: \"!!\") { id } }"}`}
			return bad[r.IntN(len(bad))]
		}, http.MethodPost},
		// Limit-breaking: too deep, too many aliases.
		{"limits", 10, func(r *rand.Rand) string {
			if r.IntN(2) == 0 {
				return q(`{ trends { nodes { technologies { nodes { trends { nodes { technologies { nodes { trends { nodes { technologies { nodes { slug } } } } } } } } } } } } }`, nil)
			}
			return q("{ "+strings.Repeat("a: __typename ", 60)+"}", nil)
		}, http.MethodPost},
	}
}

type stats struct {
	requests, fivexx, transportErrs atomic.Int64
	byStatus                        sync.Map // int -> *atomic.Int64
}

func (s *stats) count(status int) {
	v, _ := s.byStatus.LoadOrStore(status, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

func main() {
	bin := flag.String("bin", "bin/trendgraph", "the trendgraph binary")
	duration := flag.Duration("duration", 5*time.Minute, "how long to drive the server")
	conns := flag.Int("conns", 64, "concurrent connections")
	out := flag.String("out", "soak-results.txt", "where to write the results")
	flag.Parse()
	log.SetFlags(0)

	dir, err := os.MkdirTemp("", "trendgraph-soak")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	logFile := filepath.Join(dir, "server.log")
	lf, err := os.Create(logFile)
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(*bin, "serve", "--db", filepath.Join(dir, "kb.db"), "--addr", "127.0.0.1:0", "--access-log=false", "--rate", "0",
		"--cache-bytes", strconv.Itoa(cacheBytes))
	cmd.Stderr = lf
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	addr, err := waitForAddr(logFile)
	if err != nil {
		_ = cmd.Process.Kill()
		log.Fatal(err)
	}
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}, Timeout: 30 * time.Second}

	idleGoroutines := metric(client, base, "go_goroutines")
	var st stats
	requests := mix()
	total := 0
	for _, r := range requests {
		total += r.weight
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	// Warm-up ends once the response cache is full (its entries are live heap, and the heap
	// grows with them) and a fifth of the run has passed; or, if it never fills, at half-time.
	var rssAfterWarmup, rssPeak float64
	var rssSeries []float64 // after warm-up
	warmedUpAt := time.Duration(0)
	var samples []string
	go func() {
		tick := time.NewTicker(max(*duration/30, time.Second))
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				rss := metric(client, base, "process_resident_memory_bytes")
				g := metric(client, base, "go_goroutines")
				cached := metric(client, base, "trendgraph_cache_bytes")
				elapsed := time.Since(start)
				samples = append(samples, fmt.Sprintf("%6.0fs rss %.1f MiB goroutines %.0f cache %.1f MiB requests %d",
					elapsed.Seconds(), rss/(1<<20), g, cached/(1<<20), st.requests.Load()))
				full := cached >= 0.95*cacheBytes
				if warmedUpAt == 0 && ((elapsed >= *duration/5 && full) || elapsed >= *duration/2) {
					warmedUpAt, rssAfterWarmup = elapsed, rss
				}
				if warmedUpAt > 0 {
					rssPeak = max(rssPeak, rss)
					rssSeries = append(rssSeries, rss)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range *conns {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			for ctx.Err() == nil {
				pick := r.IntN(total)
				var req request
				for _, c := range requests {
					if pick < c.weight {
						req = c
						break
					}
					pick -= c.weight
				}
				var httpReq *http.Request
				if req.method == http.MethodGet {
					httpReq, _ = http.NewRequestWithContext(ctx, http.MethodGet, base+"/graphql?"+req.body(r), nil)
				} else {
					httpReq, _ = http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", strings.NewReader(req.body(r)))
					httpReq.Header.Set("Content-Type", "application/json")
				}
				resp, err := client.Do(httpReq)
				if err != nil {
					if ctx.Err() == nil {
						st.transportErrs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				st.requests.Add(1)
				st.count(resp.StatusCode)
				if resp.StatusCode >= 500 {
					st.fivexx.Add(1)
				}
			}
		}(uint64(i))
	}
	wg.Wait()
	client.CloseIdleConnections()
	// Goroutines back to their baseline once the load is gone (idle connections time out).
	var after float64
	for range 50 {
		after = metric(client, base, "go_goroutines")
		client.CloseIdleConnections()
		if after <= idleGoroutines+5 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	logs, _ := os.ReadFile(logFile)
	panics := bytes.Count(logs, []byte("panic"))

	// Growth is the trend, not the GC's sawtooth: the mean of the last quarter of the samples
	// after warm-up against the mean of the first quarter.
	growth := 0.0
	if n := len(rssSeries) / 4; n > 0 {
		first, last := mean(rssSeries[:n]), mean(rssSeries[len(rssSeries)-n:])
		growth = (last - first) / first
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"zero 5xx responses", st.fivexx.Load() == 0},
		{"zero transport errors", st.transportErrs.Load() == 0},
		{"zero panics", panics == 0},
		{"resident memory flat after warm-up (< 10% growth)", warmedUpAt > 0 && len(rssSeries) >= 4 && growth < 0.10},
		{"goroutines back to baseline", after <= idleGoroutines+5},
	}
	var report strings.Builder
	fmt.Fprintf(&report, "soak: %s at %d connections against %s\n", *duration, *conns, *bin)
	fmt.Fprintf(&report, "requests: %d (%.0f/s), 5xx: %d, transport errors: %d, panics in the log: %d\n",
		st.requests.Load(), float64(st.requests.Load())/duration.Seconds(), st.fivexx.Load(), st.transportErrs.Load(), panics)
	st.byStatus.Range(func(k, v any) bool {
		fmt.Fprintf(&report, "  status %d: %d\n", k.(int), v.(*atomic.Int64).Load())
		return true
	})
	fmt.Fprintf(&report, "warm-up ended at %s; rss then %.1f MiB, peak after %.1f MiB; trend after warm-up %+.1f%%; goroutines idle %.0f, after %.0f\n",
		warmedUpAt, rssAfterWarmup/(1<<20), rssPeak/(1<<20), 100*growth, idleGoroutines, after)
	for _, s := range samples {
		report.WriteString(s + "\n")
	}
	failed := false
	for _, c := range checks {
		mark := "ok  "
		if !c.ok {
			mark, failed = "FAIL", true
		}
		fmt.Fprintf(&report, "%s %s\n", mark, c.name)
	}
	if err := os.WriteFile(*out, []byte(report.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	verdict := "passed"
	if failed {
		verdict = "FAILED"
	}
	fmt.Printf("soak %s: %d requests in %s at %d connections, %d 5xx, %d panics, rss %+.1f%% after warm-up, goroutines %.0f -> %.0f (details in %s)\n",
		verdict, st.requests.Load(), *duration, *conns, st.fivexx.Load(), panics, 100*growth, idleGoroutines, after, *out)
	if failed {
		os.Exit(1)
	}
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func waitForAddr(logFile string) (string, error) {
	re := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for range 100 {
		b, _ := os.ReadFile(logFile)
		if m := re.FindSubmatch(b); m != nil {
			return string(m[1]), nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", errors.New("the server did not start")
}

// metric reads one gauge or counter from the server's /metrics.
func metric(c *http.Client, base, name string) float64 {
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == name {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}
