// Package kbtest opens real knowledge databases for tests: a bbolt file in the test's temp
// dir, loaded with a dataset, checked for consistency and closed when the test ends.
package kbtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/trendgraph/trendgraph/data"
	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Curated is the embedded curated dataset, freshly loaded (callers may change it).
func Curated(t testing.TB) *dataset.Dataset {
	t.Helper()
	d, err := dataset.LoadFS(data.FS, ".", "data")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Open imports d into a new database file and returns the open store; at cleanup it runs the
// file's consistency check and closes it.
func Open(t testing.TB, d *dataset.Dataset) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "kb.db"), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Check(); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := s.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return s
}

// SyntheticRadar is a synthetic dataset (dataset.Synthesize) whose radar places every one of
// its n technologies at both of its editions, in rings drawn so that some move in, some out and
// some stay: a radar of n entries per edition, for tests and benchmarks at scale.
func SyntheticRadar(t testing.TB, n int) *dataset.Dataset {
	t.Helper()
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: n, Relationships: n, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rd := d.Radars[0]
	template := d.Assessments[0]
	d.Assessments = d.Assessments[:0]
	i := 0
	for _, e := range d.Entities {
		if e.Type != domain.TypeTechnology {
			continue
		}
		for j, ed := range rd.Editions {
			a := template
			a.Edition, a.Entity = ed.Date, e.Slug
			a.Quadrant = rd.Quadrants[i%len(rd.Quadrants)].Slug
			a.Ring = rd.Rings[(i/len(rd.Quadrants)+j*(i%3))%len(rd.Rings)].Slug
			d.Assessments = append(d.Assessments, a)
		}
		i++
	}
	return d
}

// SeedText is the path of the article the curated dataset cites, in shared/ beside the
// checkout as in every CI run. A checkout without it skips the calling test, saying so: only
// the checks against the source text are lost.
func SeedText(t testing.TB) string {
	t.Helper()
	return seedPath(t, "backend-development-trends-2026.txt")
}

// SeedDir is the folder of source texts (see SeedText).
func SeedDir(t testing.TB) string {
	t.Helper()
	return seedPath(t, "")
}

func seedPath(t testing.TB, file string) string {
	t.Helper()
	_, here, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("kbtest: cannot locate the source text: no caller information")
	}
	// here is <checkout>/internal/kbtest/kbtest.go; shared/ is beside <checkout>.
	p := filepath.Join(filepath.Dir(here), "..", "..", "..", "shared", "seed", file)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no source text at %s (no shared/ beside the checkout): skipping this test's source-text checks", p)
	}
	return p
}
