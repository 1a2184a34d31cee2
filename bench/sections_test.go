package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each command rewrites only its own sections of BENCHMARKS.md.
func TestReplaceSection(t *testing.T) {
	doc := "# Benchmarks\n\nintro\n\n## A\n\na1\n\n## Side by side with the peers\n\nold\n\n## B\n\nb1\n"
	got := replaceSection(doc, peersHeading, peersHeading+"\n\nnew\n")
	want := "# Benchmarks\n\nintro\n\n## A\n\na1\n\n## Side by side with the peers\n\nnew\n\n## B\n\nb1\n"
	if got != want {
		t.Fatalf("replaced in the middle:\n%q\nwant\n%q", got, want)
	}
	got = replaceSection("# Benchmarks\n\nintro\n", mcpHeading, mcpHeading+"\n\nm\n")
	if want := "# Benchmarks\n\nintro\n\n## MCP tool calls\n\nm\n"; got != want {
		t.Fatalf("appended:\n%q\nwant\n%q", got, want)
	}
	// A heading that is only the start of another line is not the section.
	doc = "## Side by side with the peers, later\n\nx\n"
	if _, ok := section(doc, peersHeading); ok {
		t.Fatalf("found a section in %q", doc)
	}

	path := filepath.Join(t.TempDir(), "B.md")
	if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := updateSection(path, leversHeading, leversHeading+"\n\nl\n"); err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	report.WriteString("# Benchmarks\n\nfresh\n")
	keepSections(&report, path)
	if got := report.String(); got != "# Benchmarks\n\nfresh\n\n## Side by side with the peers\n\nnew\n\n## What each lever bought\n\nl\n" {
		t.Fatalf("kept: %q", got)
	}
}

// The peers' section takes the medians of sidebyside.sh's rows and says which goals hold.
func TestPeersSection(t *testing.T) {
	rows := "shape\tconns\tround\tserver\trps\tp50ms\tnon2xx\tbytes\n" +
		"nested\t64\t1\tlimit\t40000\t1.0\t0\t40959\n" +
		"nested\t64\t1\ttg\t1000\t60\t0\t40959\n" +
		"nested\t64\t2\ttg\t1200\t50\t0\t40959\n" +
		"nested\t64\t3\ttg\t1100\t55\t0\t40959\n" +
		"nested\t64\t1\ttgcache\t28000\t2\t0\t40959\n" +
		"nested\t64\t1\tgophers\t1000\t70\t0\t40959\n" +
		"nested\t64\t1\tstock\t500\t140\t0\t40959\n" +
		"WARN apollo differs on nested (0 vs 40959 bytes)\n" +
		"nested\t64\t1\tapollo\t\t\t\t40959\n"
	path := filepath.Join(t.TempDir(), "rows.txt")
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := peersSection(path, 5, 3, "26.6")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| **trendgraph, uncached** | 1100 | 55.00 ms | 0.03 | 1.10 | 2.20 | 1.00 |",
		"| uncached nested, 64 conn.: at least graph-gophers' rate (aim 1.3×) | 1.10× |",
		"| cached nested, 64 conn.: at least 60% of the limit | 70% |",
		"| nested, bytes allocated per response byte: at most 20 (was about 50) | 26.6",
		"- apollo differs on nested (0 vs 40959 bytes)",
		"- nested 64 connections round 1: apollo gave no figure",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
}
