// Command bench measures trendgraph over HTTP against the physical limit: for each query shape
// it drives the real server with wrk, cached and uncached, at 1 and 64 connections, and a plain
// net/http handler that returns the same response bytes, precomputed, with the same client in
// the same run. It writes BENCHMARKS.md.
//
//	go run ./bench -bin bin/trendgraph [-quick] [-only mcp] [-out BENCHMARKS.md]
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
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// shape is one query the benchmark drives.
type shape struct {
	name  string
	query string
	vars  map[string]any
}

func shapes() []shape {
	// 1,000 nodes in one query: ten aliased pages of 100 over the entity list, in different
	// orders and type selections.
	var pages strings.Builder
	pages.WriteString("query ThousandNodes {")
	i := 0
	for _, o := range []string{"NAME", "SLUG"} {
		for _, d := range []string{"ASC", "DESC"} {
			for _, typ := range []string{"", ", types: [TECHNOLOGY]", ", types: [TRADEOFF, TREND, USE_CASE]"} {
				if i < 10 {
					fmt.Fprintf(&pages, " p%d: entities(first: 100%s, orderBy: {field: %s, direction: %s}) { totalCount nodes { __typename slug name } }", i, typ, o, d)
					i++
				}
			}
		}
	}
	pages.WriteString(" }")
	return []shape{
		{"lookup", `query Lookup($slug: String!) { technology(slug: $slug) { id slug name kind lifecycle summary tags vendor { name } } }`, map[string]any{"slug": "kubernetes"}},
		{"nested", nestedQuery, nil},
		{"page", `query Page { technologies(first: 20, filter: {or: [{lifecycles: [MATURE]}, {kinds: [DATABASE]}]}) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug name kind lifecycle tags } } } }`, nil},
		{"search", `query Find { search(query: "serverless functions", first: 10) { totalCount edges { score node { __typename slug name } } } }`, nil},
		{"list-1000", pages.String(), nil},
	}
}

// nestedQuery is the playground's kind of query: trends -> technologies -> relationships ->
// related entities, with tradeoffs, depth 3.
const nestedQuery = `query Nested { trends(first: 10) { nodes { slug name status
  technologies(first: 6) { nodes { slug name kind
    tradeoffs(first: 5) { nodes { slug name type } }
    relationships(first: 10) { edges { direction node { kind rationale } other { __typename slug name } } } } } } } }`

type measurement struct {
	rps       float64
	p50, p99  time.Duration
	requests  int
	errors    int
	cpuPerReq time.Duration
	txnPerReq float64
	allocPerB float64
}

func main() {
	bin := flag.String("bin", "bin/trendgraph", "the trendgraph binary")
	quick := flag.Bool("quick", false, "a reduced run: short durations, the seed dataset only")
	out := flag.String("out", "BENCHMARKS.md", "where to write the report")
	only := flag.String("only", "", "run one section alone: mcp (the MCP tool calls)")
	peers := flag.String("peers", "", "write the peers' section from the rows ../shared/peers/sidebyside.sh printed to this file, and run nothing else")
	secs := flag.Int("secs", 5, "with -peers: the seconds of each run, as given to sidebyside.sh")
	rounds := flag.Int("rounds", 3, "with -peers: the rounds, as given to sidebyside.sh")
	flag.Parse()
	log.SetFlags(0)
	if *peers != "" {
		alloc, err := allocPerResponseByte()
		if err != nil {
			log.Fatal(err)
		}
		body, err := peersSection(*peers, *secs, *rounds, alloc)
		if err != nil {
			log.Fatal(err)
		}
		if err := updateSection(*out, peersHeading, body); err != nil {
			log.Fatal(err)
		}
		fmt.Print(body)
		return
	}
	dur := 5 * time.Second
	if *quick {
		dur = time.Second
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		log.Fatal("bench needs wrk (Debian's package: apt-get install wrk)")
	}
	work, err := os.MkdirTemp("", "trendgraph-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	var report strings.Builder
	fmt.Fprintf(&report, "# Benchmarks\n\nMeasured by `make bench%s` on %s: %d cores, %s, %s. wrk drives each target over loopback; the limit is a plain net/http handler returning the same response bytes, precomputed, measured by the same client in the same run. Each cell is one closed-loop run of %s.\n\n",
		map[bool]string{true: "-quick", false: ""}[*quick], time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), cpuModel(), runtime.Version(), dur)

	if *only == "mcp" {
		calls := 1000
		if *quick {
			calls = 200
		}
		var mcp strings.Builder
		if err := benchMCP(&mcp, *bin, work, calls); err != nil {
			log.Fatal(err)
		}
		// Alone, it replaces its own section and keeps the rest of the report.
		if err := updateSection(*out, mcpHeading, strings.TrimLeft(mcp.String(), "\n")); err != nil {
			log.Fatal(err)
		}
		fmt.Print(mcp.String())
		return
	} else if *only != "" {
		log.Fatalf("-only %q: the section that runs alone is mcp", *only)
	}

	seed := filepath.Join(work, "seed.db")
	mustRun(*bin, "import", "--db", seed)
	rows, err := benchDataset(*bin, seed, shapes(), dur, []int{1, 64}, true)
	if err != nil {
		log.Fatal(err)
	}
	writeGoals(&report, rows)
	report.WriteString("## Seed dataset\n\n")
	writeTable(&report, rows)
	if err := benchWrites(&report, *bin, work, dur); err != nil {
		log.Fatal(err)
	}
	calls := 1000
	if *quick {
		calls = 200
	}
	if err := benchMCP(&report, *bin, work, calls); err != nil {
		log.Fatal(err)
	}

	if !*quick {
		report.WriteString("\n## Scale: the same shapes on synthetic datasets\n\nCost per request should follow the page, not the dataset. Uncached, 1 and 64 connections.\n\n")
		scaleShapes := []shape{shapes()[1], shapes()[2]}
		for _, n := range []int{1000, 10000, 100000} {
			db := filepath.Join(work, fmt.Sprintf("syn-%d.db", n))
			file := filepath.Join(work, fmt.Sprintf("syn-%d.json", n))
			mustRun(*bin, "gen", "--technologies", strconv.Itoa(n), "--relationships", strconv.Itoa(10*n), "-o", file)
			took, rss := timedRun(*bin, "import", "--db", db, file)
			rows, err := benchDataset(*bin, db, scaleShapes, dur, []int{1, 64}, false)
			if err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(&report, "### %d technologies, %d relationships\n\nImported into a new database in %s, at most %d MB resident (`make bench-import` compares builds).\n\n",
				n, 10*n, took.Round(100*time.Millisecond), rss>>20)
			writeTable(&report, rows)
			report.WriteString("\n")
			_ = os.Remove(file)
		}
	}

	report.WriteString("\n## In-process (`go test -bench`, graph package)\n\n```\n")
	benchtime := "1s"
	if *quick {
		benchtime = "200ms"
	}
	goBench, err := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchtime, "./graph/").CombinedOutput()
	if err != nil {
		log.Fatalf("go test -bench: %v\n%s", err, goBench)
	}
	for _, line := range strings.Split(string(goBench), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			report.WriteString(line + "\n")
		}
	}
	report.WriteString("```\n")
	keepSections(&report, *out)
	if err := os.WriteFile(*out, []byte(report.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Print(report.String())
}

type row struct {
	shape, target string
	conns         int
	respBytes     int
	m             measurement
	limit         measurement
}

// benchDataset runs every shape against a cached and an uncached server over db, and against the
// limit handler.
func benchDataset(bin, db string, list []shape, dur time.Duration, conns []int, withCache bool) ([]row, error) {
	uncached, err := startServer(bin, db, "--cache-bytes", "0")
	if err != nil {
		return nil, err
	}
	defer uncached.stop()
	servers := []*server{uncached}
	names := []string{"uncached"}
	if withCache {
		// A server holds its database file exclusively: the cached one serves a copy.
		cachedDB := db + ".cached"
		if err := copyFile(db, cachedDB); err != nil {
			return nil, err
		}
		defer os.Remove(cachedDB)
		cached, err := startServer(bin, cachedDB)
		if err != nil {
			return nil, err
		}
		defer cached.stop()
		servers = append(servers, cached)
		names = append(names, "cached")
	}
	var rows []row
	for _, sh := range list {
		body, _ := json.Marshal(map[string]any{"query": sh.query, "variables": sh.vars})
		bodyFile, err := os.CreateTemp("", "body-*.json")
		if err != nil {
			return nil, err
		}
		_, _ = bodyFile.Write(body)
		bodyFile.Close()
		defer os.Remove(bodyFile.Name())
		// Every server must answer exactly the expected bytes, with no errors, before timing.
		expected, err := check(servers[0].addr, body, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sh.name, err)
		}
		for _, s := range servers[1:] {
			if _, err := check(s.addr, body, expected); err != nil {
				return nil, fmt.Errorf("%s: %w", sh.name, err)
			}
		}
		limitAddr, stopLimit, err := startLimit(expected)
		if err != nil {
			return nil, err
		}
		if _, err := check(limitAddr, body, expected); err != nil {
			return nil, fmt.Errorf("%s limit: %w", sh.name, err)
		}
		for _, c := range conns {
			lim, err := drive(limitAddr, bodyFile.Name(), c, dur, nil)
			if err != nil {
				return nil, err
			}
			for i, s := range servers {
				m, err := drive(s.addr, bodyFile.Name(), c, dur, s)
				if err != nil {
					return nil, err
				}
				m.allocPerB = m.allocPerB / float64(len(expected))
				rows = append(rows, row{shape: sh.name, target: names[i], conns: c, respBytes: len(expected), m: m, limit: lim})
			}
		}
		stopLimit()
	}
	return rows, nil
}

// check posts body and returns the response, which must be a 200 without errors, and equal to
// want when given.
func check(addr string, body, want []byte) ([]byte, error) {
	for range 2 {
		resp, err := http.Post("http://"+addr+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || bytes.Contains(got, []byte(`"errors"`)) {
			return nil, fmt.Errorf("status %d: %.300s", resp.StatusCode, got)
		}
		if want != nil && !bytes.Equal(got, want) {
			return nil, fmt.Errorf("the response differs from the expected one (%d vs %d bytes)", len(got), len(want))
		}
		want = got
	}
	return want, nil
}

type server struct {
	cmd  *exec.Cmd
	addr string
}

func startServer(bin, db string, extra ...string) (*server, error) {
	args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--access-log=false", "--rate", "0", "--report-cost=false"}, extra...)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`msg=serving addr=(\S+)`)
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return &server{cmd: cmd, addr: m[1]}, nil
		}
	}
	_ = cmd.Process.Kill()
	return nil, errors.New("the server did not start")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
}

// startLimit serves the given bytes for every request: the physical limit of the same response.
func startLimit(body []byte) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), func() { _ = srv.Shutdown(context.Background()) }, nil
}

var (
	rpsRe      = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	requestsRe = regexp.MustCompile(`(\d+) requests in`)
	latencyRe  = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([\d.]+)(us|ms|s)`)
	errorsRe   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// drive runs wrk and, for a trendgraph server, reads its CPU time, store reads and allocations
// around the run.
func drive(addr, bodyFile string, conns int, dur time.Duration, s *server) (measurement, error) {
	var before, after sample
	if s != nil {
		before = sampleServer(s)
	}
	threads := min(conns, 2)
	cmd := exec.Command("wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", dur.String(), "--latency",
		"-s", "bench/post.lua", "http://"+addr+"/graphql")
	cmd.Env = append(os.Environ(), "BODY="+bodyFile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return measurement{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	var m measurement
	if v := rpsRe.FindSubmatch(out); v != nil {
		m.rps, _ = strconv.ParseFloat(string(v[1]), 64)
	}
	if v := requestsRe.FindSubmatch(out); v != nil {
		m.requests, _ = strconv.Atoi(string(v[1]))
	}
	for _, v := range latencyRe.FindAllSubmatch(out, -1) {
		d := parseLatency(string(v[2]), string(v[3]))
		if string(v[1]) == "50" {
			m.p50 = d
		} else {
			m.p99 = d
		}
	}
	for _, v := range errorsRe.FindAllSubmatch(out, -1) {
		for _, g := range v[1:] {
			n, _ := strconv.Atoi(string(g))
			m.errors += n
		}
	}
	if m.errors > 0 {
		return m, fmt.Errorf("wrk saw %d errors against %s:\n%s", m.errors, addr, out)
	}
	if s != nil && m.requests > 0 {
		after = sampleServer(s)
		n := float64(m.requests)
		m.cpuPerReq = time.Duration(float64(after.cpu-before.cpu) / n)
		m.txnPerReq = (after.txns - before.txns) / n
		m.allocPerB = (after.alloc - before.alloc) / n
	}
	return m, nil
}

func parseLatency(v, unit string) time.Duration {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "us":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	}
	return time.Duration(f * float64(time.Second))
}

type sample struct {
	cpu         time.Duration
	txns, alloc float64
}

// sampleServer reads the server process's CPU time from /proc and its counters from /metrics.
func sampleServer(s *server) sample {
	var out sample
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid)); err == nil {
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
		utime, _ := strconv.ParseFloat(fields[11], 64)
		stime, _ := strconv.ParseFloat(fields[12], 64)
		out.cpu = time.Duration((utime + stime) * float64(time.Second) / 100) // USER_HZ is 100 on Linux
	}
	m := metricsOf(s.addr)
	out.txns, out.alloc = m["trendgraph_store_read_transactions_total"], m["go_memstats_alloc_bytes_total"]
	return out
}

// metricsOf reads a server's /metrics as name → value (series without labels).
func metricsOf(addr string) map[string]float64 {
	out := map[string]float64{}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		out[name] = v
	}
	return out
}

func writeTable(w *strings.Builder, rows []row) {
	w.WriteString("| shape | server | conns | resp bytes | req/s | ÷ limit | p50 | p99 | limit req/s | limit p50 | limit p99 | CPU/req | store txns/req | alloc B per resp B |\n")
	w.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %d | %d | %.0f | %.1f%% | %s | %s | %.0f | %s | %s | %s | %.2f | %.1f |\n",
			r.shape, r.target, r.conns, r.respBytes, r.m.rps, 100*r.m.rps/r.limit.rps, r.m.p50, r.m.p99,
			r.limit.rps, r.limit.p50, r.limit.p99, r.m.cpuPerReq.Round(time.Microsecond), r.m.txnPerReq, r.m.allocPerB)
	}
}

// writeGoals compares the seed-dataset run with the goals of the performance issue. Stock
// gqlgen's figures are the issue's own, measured on another 2-core machine with a 33 KB nested
// query: ratios against them are indicative, not same-run.
func writeGoals(w *strings.Builder, rows []row) {
	find := func(shape, target string, conns int) *row {
		for i := range rows {
			if rows[i].shape == shape && rows[i].target == target && rows[i].conns == conns {
				return &rows[i]
			}
		}
		return nil
	}
	w.WriteString("## Against the goals\n\n| goal | measured |\n| --- | --- |\n")
	worst, worstShape := 1e9, ""
	for _, r := range rows {
		if r.target == "cached" && r.conns == 64 {
			if f := r.m.rps / r.limit.rps; f < worst {
				worst, worstShape = f, r.shape
			}
		}
	}
	if worstShape != "" {
		fmt.Fprintf(w, "| cached, every shape, 64 connections: at least 50%% of the limit | lowest %.0f%% (%s) |\n", 100*worst, worstShape)
	}
	if n := find("nested", "uncached", 64); n != nil {
		fmt.Fprintf(w, "| uncached nested query: at least 1.9x stock gqlgen's ~400 req/s | %.0f req/s (%.2fx) |\n", n.m.rps, n.m.rps/400)
		fmt.Fprintf(w, "| uncached nested: at most 10 bytes allocated per response byte (stock: 33) | %.1f |\n", n.m.allocPerB)
	}
	if n := find("nested", "uncached", 1); n != nil {
		fmt.Fprintf(w, "| uncached nested: p50 at one connection under 1 ms (stock: 2 ms) | %s |\n", n.m.p50)
	}
	w.WriteString("\n")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			_, v, _ := strings.Cut(line, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// timedRun runs a command to its end and returns its wall time and peak resident memory.
func timedRun(bin string, args ...string) (time.Duration, int64) {
	cmd := exec.Command(bin, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		log.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return time.Since(start), rss
}

func mustRun(bin string, args ...string) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		log.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
