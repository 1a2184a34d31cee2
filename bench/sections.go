package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// BENCHMARKS.md is made of "## " sections written by different commands: `make bench` writes
// most, `make bench-peers` the peers' section, and the levers' section is written by hand from
// measurements that compare builds. Each command replaces its own sections and keeps the others.
const (
	peersHeading  = "## Side by side with the peers"
	leversHeading = "## What each lever bought"
	mcpHeading    = "## MCP tool calls"
)

// keptHeadings are the sections `make bench` does not write and keeps as they are.
var keptHeadings = []string{peersHeading, leversHeading}

// section returns the section of doc that starts with heading (up to the next "## " heading),
// and whether there is one.
func section(doc, heading string) (string, bool) {
	start := headingAt(doc, heading)
	if start < 0 {
		return "", false
	}
	end := len(doc)
	if next := strings.Index(doc[start+len(heading):], "\n## "); next >= 0 {
		end = start + len(heading) + next + 1
	}
	return doc[start:end], true
}

// headingAt is where heading starts a line of doc, or -1.
func headingAt(doc, heading string) int {
	for off := 0; ; {
		i := strings.Index(doc[off:], heading)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(heading)
		if (i == 0 || doc[i-1] == '\n') && (end == len(doc) || doc[end] == '\n') {
			return i
		}
		off = end
	}
}

// replaceSection puts body (which starts with heading) in place of doc's section of that
// heading, or at the end when doc has none.
func replaceSection(doc, heading, body string) string {
	body = strings.TrimRight(body, "\n") + "\n"
	old, ok := section(doc, heading)
	if !ok {
		if doc != "" && !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		return doc + body
	}
	if !strings.HasSuffix(old, "\n") || strings.HasPrefix(doc[strings.Index(doc, old)+len(old):], "## ") {
		body += "\n"
	}
	return strings.Replace(doc, old, body, 1)
}

// updateSection rewrites one section of the file at path, keeping the rest.
func updateSection(path, heading, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("update %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(replaceSection(string(old), heading, body)), 0o644); err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	return nil
}

// keepSections appends to report the sections of the file at path that this command does not
// write.
func keepSections(report *strings.Builder, path string) {
	old, err := os.ReadFile(path)
	if err != nil {
		return
	}
	for _, h := range keptHeadings {
		if s, ok := section(string(old), h); ok {
			report.WriteString("\n" + strings.TrimRight(s, "\n") + "\n")
		}
	}
}

// peerNames are the rows of sidebyside.sh, in the order of the table.
var peerNames = []struct{ key, name string }{
	{"limit", "physical limit (net/http, the same bytes precomputed)"},
	{"tg", "**trendgraph, uncached**"},
	{"tgcache", "trendgraph, response cache"},
	{"gophers", "graph-gophers/graphql-go v1.11.0"},
	{"stock", "stock gqlgen v0.17.98, from memory"},
	{"apollo", "Apollo Server 5, one process"},
	{"apollocache", "Apollo Server 5 + response cache plugin"},
}

// peersSection turns the rows sidebyside.sh printed (in rowsFile) into the peers' section:
// medians per shape, connections and server, as ratios within this one run.
func peersSection(rowsFile string, secs, rounds int, allocLine string) (string, error) {
	f, err := os.Open(rowsFile)
	if err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	defer f.Close()
	type key struct{ shape, conns, server string }
	rps, p50 := map[key][]float64{}, map[key][]float64{}
	bytes := map[string]string{}
	var warnings []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "WARN") {
			warnings = append(warnings, strings.TrimPrefix(line, "WARN "))
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 8 || (fs[0] != "nested" && fs[0] != "page") {
			continue
		}
		r, err1 := strconv.ParseFloat(fs[4], 64)
		p, err2 := strconv.ParseFloat(fs[5], 64)
		if err1 != nil || err2 != nil {
			warnings = append(warnings, fmt.Sprintf("%s %s connections round %s: %s gave no figure", fs[0], fs[1], fs[2], fs[3]))
			continue
		}
		k := key{fs[0], fs[1], fs[3]}
		rps[k] = append(rps[k], r)
		p50[k] = append(p50[k], p)
		bytes[fs[0]] = fs[7]
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("peers: %w", err)
	}
	if len(rps) == 0 {
		return "", fmt.Errorf("peers: no rows in %s", rowsFile)
	}
	med := func(m map[key][]float64, k key) float64 {
		v := slices.Clone(m[k])
		if len(v) == 0 {
			return 0
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	ratio := func(a, b float64) string {
		if a == 0 || b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	var w strings.Builder
	fmt.Fprintf(&w, "%s\n\nMeasured by `make bench-peers` on %s: %d cores, %s, %s. The servers of `../shared/peers` (each serving the part of our schema the two queries use, from this build's curated dataset exported, with answers byte-identical to ours) and trendgraph, driven by wrk over loopback with the bench's request bodies, in one run: %d rounds of %d s, the servers alternated within each round, the median of the rounds shown. Figures are ratios within this run; compare no figure here with one from another run or machine.\n\n",
		peersHeading, time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), cpuModel(), runtime.Version(), rounds, secs)
	for _, shape := range []string{"nested", "page"} {
		for _, conns := range []string{"64", "1"} {
			if _, ok := rps[key{shape, conns, "tg"}]; !ok {
				continue
			}
			fmt.Fprintf(&w, "### %s (%s bytes), %s connection%s\n\n", shape, bytes[shape], conns, map[bool]string{true: "", false: "s"}[conns == "1"])
			w.WriteString("| server | req/s | p50 | ÷ limit | ÷ graph-gophers | ÷ stock gqlgen | ÷ trendgraph uncached |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
			lim, gop, stock, tg := med(rps, key{shape, conns, "limit"}), med(rps, key{shape, conns, "gophers"}), med(rps, key{shape, conns, "stock"}), med(rps, key{shape, conns, "tg"})
			for _, s := range peerNames {
				k := key{shape, conns, s.key}
				if len(rps[k]) == 0 {
					continue
				}
				r := med(rps, k)
				fmt.Fprintf(&w, "| %s | %.0f | %.2f ms | %s | %s | %s | %s |\n", s.name, r, med(p50, k), ratio(r, lim), ratio(r, gop), ratio(r, stock), ratio(r, tg))
			}
			w.WriteString("\n")
		}
	}
	w.WriteString("### Against the goals of issue 16\n\n| goal | measured in this run |\n| --- | --- |\n")
	for _, shape := range []string{"nested", "page"} {
		for _, conns := range []string{"64", "1"} {
			tg, gop := med(rps, key{shape, conns, "tg"}), med(rps, key{shape, conns, "gophers"})
			if tg == 0 || gop == 0 {
				continue
			}
			fmt.Fprintf(&w, "| uncached %s, %s conn.: at least graph-gophers' rate (aim 1.3×) | %s× |\n", shape, conns, ratio(tg, gop))
		}
	}
	for _, c := range []struct {
		conns string
		goal  float64
	}{{"64", 0.60}, {"1", 0.90}} {
		for _, shape := range []string{"nested", "page"} {
			cached, lim := med(rps, key{shape, c.conns, "tgcache"}), med(rps, key{shape, c.conns, "limit"})
			if cached == 0 || lim == 0 {
				continue
			}
			fmt.Fprintf(&w, "| cached %s, %s conn.: at least %.0f%% of the limit | %.0f%% |\n", shape, c.conns, 100*c.goal, 100*cached/lim)
		}
	}
	if allocLine != "" {
		fmt.Fprintf(&w, "| nested, bytes allocated per response byte: at most 20 (was about 50) | %s (`BenchmarkPeerQueries/nested`, in-process, the server's allocations only) |\n", allocLine)
	}
	if len(warnings) > 0 {
		w.WriteString("\nWarnings of this run (sidebyside.sh):\n\n")
		for _, s := range warnings {
			fmt.Fprintf(&w, "- %s\n", s)
		}
	}
	return w.String(), nil
}

// allocPerResponseByte runs the in-process benchmark of the nested bench query and returns its
// bytes allocated per response byte.
func allocPerResponseByte() (string, error) {
	out, err := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkPeerQueries/nested$", "-benchtime", "2s", "./server/").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go test -bench: %w\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		fs := strings.Fields(line)
		for i := 1; i < len(fs); i++ {
			if fs[i] == "B/resp-B" {
				return fs[i-1], nil
			}
		}
	}
	return "", fmt.Errorf("go test -bench: no B/resp-B figure in\n%s", out)
}
