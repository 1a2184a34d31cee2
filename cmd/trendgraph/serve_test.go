package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// syncBuffer is a log sink the test can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serve starts `trendgraph serve` in-process and returns its address and a stop function that
// sends the equivalent of SIGTERM and returns the exit code.
func serve(t *testing.T, args ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	return serveWithEnv(t, nil, args...)
}

func serveWithEnv(t *testing.T, vars map[string]string, args ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{stdout: io.Discard, stderr: logs, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() { done <- run(ctx, e, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	re := regexp.MustCompile(`msg=serving addr=(\S+)`)
	for deadline := time.Now().Add(hangGuard); time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1], func() int { cancel(); return <-done }, logs
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("serve did not start:\n%s", logs.String())
	return "", nil, nil
}

func TestServeCreatesTheDatabaseAndStopsCleanly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fresh.db")
	addr, stop, logs := serve(t, "--db", db, "--source", kbtest.SeedDir(t), "--tokens-file", tokensFile(t))
	resp, err := http.Post("http://"+addr+"/graphql", "application/json",
		strings.NewReader(`{"query":"{ tradeoff(slug: \"cold-starts\") { citations { excerpt } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "excerpt\":\"") {
		t.Fatalf("query: %d %s", resp.StatusCode, body)
	}
	// The server holds the file read-write: a backup beside it goes through it, with an admin
	// token.
	backup := filepath.Join(t.TempDir(), "copy.db")
	if out, _ := through(t, "backup", "--server", "http://"+addr, backup); !strings.Contains(out, "backed up http://"+addr+" to "+backup) {
		t.Fatalf("backup: %s", out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	// Closed cleanly: the file opens for writing without waiting on a lock, and is consistent.
	s, err := store.Open(db, store.Config{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("database still locked or damaged after shutdown: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "created the database from the embedded dataset") || !strings.Contains(logs.String(), "msg=stopped") {
		t.Fatalf("logs:\n%s", logs.String())
	}
	noSecret(t, logs.String())
	if a, b := mustRun(t, "export", "--db", db), mustRun(t, "export", "--db", backup); a != b {
		t.Fatal("the backup differs from the database")
	}
}

// On shutdown, requests already in flight finish; new connections are refused.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The request is held in flight until shutdown has begun: it then must still finish.
	started, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = w.Write([]byte("finished"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveUntilDone(ctx, ln, h, defaultHTTPLimits(time.Second), 5*time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	// Shutdown has begun once the listener refuses connections.
	for deadline := time.Now().Add(hangGuard); ; time.Sleep(time.Millisecond) {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections after shutdown began")
		}
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request: %q", body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Fatal("a new request was served after shutdown")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	cases := [][]string{
		{"serve", "--require-auth"},
		{"serve", "--trusted-only"},
		{"serve", "--log-format", "xml"},
		{"serve", "--max-body-bytes", "0"},
		{"serve", "--max-import-bytes", "0"},
		{"serve", "--admin-timeout", "-1s"},
		{"serve", "--trusted-proxies", "10.0.0.0/8,proxy.internal"},
		{"serve", "--trust-proxy", "--trusted-proxies", ""},
		{"serve", "--public-url", "kb.example/portal"},
		{"serve", "--public-url", "ftp://kb.example/"},
		{"serve", "--public-url", "https://kb.example/?x=1"},
	}
	for _, args := range cases {
		if code, _, errOut := trendgraph(t, nil, append(args, "--db", filepath.Join(t.TempDir(), "x.db"))...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
	if code, _, errOut := trendgraph(t, map[string]string{"TRENDGRAPH_MAX_DEPTH": "deep"}, "serve"); code != 2 || !strings.Contains(errOut, "TRENDGRAPH_MAX_DEPTH") {
		t.Errorf("bad environment value: exit %d %q", code, errOut)
	}
}

// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach an OTLP/HTTP collector: here a fake one.
func TestTracingExportsOverOTLP(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, r.URL.Path+" "+string(b))
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	// The exporter reads the OTEL_* variables from the process environment itself.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
	addr, stop, logs := serveWithEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL},
		"--db", filepath.Join(t.TempDir(), "traced.db"))
	resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"query Traced { technology(slug: \"go\") { name } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(posts, "\n")
	if !strings.Contains(all, "/v1/traces") || !strings.Contains(all, "Traced") || !strings.Contains(all, "Technology/name") {
		t.Fatalf("the collector got %d posts without the expected spans", len(posts))
	}
}

// httpGet fetches url with optional request headers and returns status and body.
func httpGet(t *testing.T, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Issue 10 item 6: with --metrics-addr, /metrics is served there (behind --metrics-token) and
// not on the public address; both stop together.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	addr, stop, logs := serveWithEnv(t, map[string]string{"TRENDGRAPH_METRICS_TOKEN": "scrape-secret"},
		"--db", filepath.Join(t.TempDir(), "m.db"), "--metrics-addr", "127.0.0.1:0")
	m := regexp.MustCompile(`msg="serving metrics" addr=(\S+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("no metrics address logged:\n%s", logs.String())
	}
	metricsAddr := m[1]
	if code, body := httpGet(t, "http://"+addr+"/graphql?query=%7B__typename%7D", nil); code != 200 {
		t.Fatalf("API: %d %s", code, body)
	}
	if code, _ := httpGet(t, "http://"+addr+"/metrics", map[string]string{"Authorization": "Bearer scrape-secret"}); code != http.StatusNotFound {
		t.Fatalf("/metrics on the API address: %d", code)
	}
	if code, _ := httpGet(t, "http://"+metricsAddr+"/metrics", nil); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without the token: %d", code)
	}
	code, body := httpGet(t, "http://"+metricsAddr+"/metrics", map[string]string{"Authorization": "Bearer scrape-secret"})
	if code != 200 || !strings.Contains(body, `trendgraph_requests_total{operation="anonymous",route="graphql"`) {
		t.Fatalf("/metrics on the metrics address: %d %.300s", code, body)
	}
	if code, _ := httpGet(t, "http://"+metricsAddr+"/graphql?query=%7B__typename%7D", nil); code != http.StatusNotFound {
		t.Fatalf("the API on the metrics address: %d", code)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
	if _, err := http.Get("http://" + metricsAddr + "/metrics"); err == nil {
		t.Fatal("the metrics listener outlived the server")
	}
}

// Issue 10 item 7: --public-url and --trusted-proxies reach the handler from flags and variables.
func TestServeProxyAndPublicURLSettings(t *testing.T) {
	addr, stop, logs := serveWithEnv(t, map[string]string{"TRENDGRAPH_PUBLIC_URL": "https://kb.example/tg/"},
		"--db", filepath.Join(t.TempDir(), "p.db"), "--trust-proxy", "--trusted-proxies", "192.0.2.0/24", "--rate", "0.001", "--rate-burst", "1")
	code, body := httpGet(t, "http://"+addr+"/radar/backend-2026.json", map[string]string{"X-Forwarded-For": "203.0.113.1"})
	if code != 200 || !strings.Contains(body, `"url": "https://kb.example/tg/?query=`) {
		t.Fatalf("radar: %d %.300s", code, body)
	}
	// Loopback is not in the configured list: the header is ignored and the peer is limited.
	if code, _ := httpGet(t, "http://"+addr+"/radar/backend-2026.json", map[string]string{"X-Forwarded-For": "203.0.113.2"}); code != http.StatusTooManyRequests {
		t.Fatalf("second request from the same peer: %d", code)
	}
	if code := stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs.String())
	}
}
