// Package kbtest opens real knowledge databases for tests: a bbolt file in the test's temp
// dir, loaded with a dataset, checked for consistency and closed when the test ends.
package kbtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/trendgraph/trendgraph/data"
	"github.com/trendgraph/trendgraph/dataset"
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
