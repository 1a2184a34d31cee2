package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// Issue 10 item 6: an operation name of any length became a label value and was logged whole.
func TestLongOperationNamesAreBounded(t *testing.T) {
	var logs bytes.Buffer
	h := newHandler(t, newStore(t), func(c *Config) { c.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	long := "Q" + strings.Repeat("a", 10<<10)
	if r := post(h, `query `+long+` { __typename }`, nil, nil); r.status != http.StatusOK || r.code(t) != "" {
		t.Fatalf("long name: %d %.200s", r.status, r.body)
	}
	if r := post(h, `query Short_1 { __typename }`, nil, nil); r.status != http.StatusOK {
		t.Fatalf("short name: %d", r.status)
	}
	m := string(do(h, http.MethodGet, "/metrics", nil, nil).body)
	if strings.Contains(m, long[:maxOperationNameBytes+1]) {
		t.Fatal("/metrics holds a label value longer than the bound")
	}
	for _, want := range []string{`operation="other",route="graphql"`, `operation="Short_1",route="graphql"`} {
		if !strings.Contains(m, want) {
			t.Fatalf("/metrics lacks %s", want)
		}
	}
	var line string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, "msg=request") && strings.Contains(l, "route=graphql") {
			line = l
			break
		}
	}
	if line == "" || strings.Contains(line, long[:maxOperationNameBytes+1]) || !strings.Contains(line, "operation="+long[:maxOperationNameBytes]+"…") || len(line) > 1024 {
		t.Fatalf("access log line (%d bytes): %.300s", len(line), line)
	}
}

func TestLogOperationName(t *testing.T) {
	if got := logOperationName(strings.Repeat("x", 64)); got != strings.Repeat("x", 64) {
		t.Fatalf("64 bytes: %q", got)
	}
	// Never cut inside a character (names are ASCII by the grammar, but the log must stay UTF-8).
	if got := logOperationName(strings.Repeat("x", 63) + "éé"); got != strings.Repeat("x", 63)+"…" {
		t.Fatalf("cut: %q", got)
	}
}

// Issue 10 item 6: /metrics was open to anyone who could reach the API.
func TestMetricsToken(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.MetricsToken = "scrape-secret"; c.Tokens = ReadTokens("api-token") })
	for name, headers := range map[string]map[string]string{
		"no token":     nil,
		"wrong token":  {"Authorization": "Bearer scrape-secreT"},
		"an API token": {"Authorization": "Bearer api-token"},
		"basic auth":   {"Authorization": "Basic c2NyYXBlLXNlY3JldA=="},
	} {
		r := do(h, http.MethodGet, "/metrics", nil, headers)
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") || r.code(t) != "UNAUTHENTICATED" {
			t.Fatalf("%s: %d %q %s", name, r.status, r.header.Get("WWW-Authenticate"), r.body)
		}
		if strings.Contains(string(r.body), "trendgraph_") {
			t.Fatalf("%s: metrics leaked: %.200s", name, r.body)
		}
	}
	r := do(h, http.MethodGet, "/metrics", nil, map[string]string{"Authorization": "Bearer scrape-secret"})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "trendgraph_rejected_requests_total") {
		t.Fatalf("with the token: %d %.200s", r.status, r.body)
	}
}

// Issue 10 item 6: with SeparateMetrics the public handler has no /metrics; MetricsHandler
// serves them (trendgraph serve --metrics-addr puts it on its own listener).
func TestSeparateMetrics(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.SeparateMetrics = true })
	post(h, `query Counted { __typename }`, nil, nil)
	if r := do(h, http.MethodGet, "/metrics", nil, nil); r.status != http.StatusNotFound {
		t.Fatalf("/metrics on the public handler: %d", r.status)
	}
	r := do(h.MetricsHandler(), http.MethodGet, "/metrics", nil, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `operation="Counted"`) {
		t.Fatalf("metrics handler: %d %.300s", r.status, r.body)
	}
}

// trendgraph_build_info names the build, with the value 1.
func TestBuildInfoMetric(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	r := do(h, http.MethodGet, "/metrics", nil, nil)
	var line string
	for _, l := range strings.Split(string(r.body), "\n") {
		if strings.HasPrefix(l, "trendgraph_build_info{") {
			line = l
		}
	}
	if !strings.Contains(line, `go_version="`+runtime.Version()+`"`) || !strings.Contains(line, `version="`) || !strings.HasSuffix(line, "} 1") {
		t.Fatalf("trendgraph_build_info: %q", line)
	}
}
