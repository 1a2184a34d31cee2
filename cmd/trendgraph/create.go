package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strings"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/store"
)

// tempPrefix is how the database being created at path is named until it is complete:
// ".new.db.tmp-<random>" beside new.db. Nothing opens such a file as a database.
func tempPrefix(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
}

// createDatabase builds a database holding d under a temporary name beside path and renames it
// into place, syncing the directory, only once it is complete: a crash leaves no database at
// path or a whole one, never the empty or bucketless file an in-place creation leaves. An
// existing file at path (an empty one being replaced) is replaced only by the rename. reason
// is the change set's (may be empty).
func createDatabase(ctx context.Context, path string, d *dataset.Dataset, reason string) (err error) {
	dir := filepath.Dir(path)
	removeStaleTemps(path)
	crashpoint("create:before-temp")
	var r [8]byte
	_, _ = rand.Read(r[:])
	tmp := tempPrefix(path) + hex.EncodeToString(r[:])
	s, err := store.Open(tmp, store.Config{})
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	crashpoint("create:temp-created")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit()))
	// The file is renamed into place only once whole: it may be filled in many transactions.
	if _, err := s.ImportNew(ctx, d, nil, importActor, reason); err != nil {
		_ = s.Close()
		return fmt.Errorf("create database %s: %w", path, err)
	}
	// ImportNew syncs the file at its end: once closed, the file is complete and durable.
	if err := s.Close(); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	crashpoint("create:before-rename")
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	crashpoint("create:before-dir-sync")
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	crashpoint("create:done")
	return nil
}

// importHeadroom is the memory a first import needs beside its dataset: the index of one
// bucket being sorted, a transaction's pages, records being encoded.
const importHeadroom = 640 << 20

// importMemoryLimit is a soft limit for the Go heap while a database is created: what is live
// (the dataset, mostly) and importHeadroom. Without one the collector lets the heap grow to
// twice what is live, and a 100k-technology import peaks past 1.5 GB. A lower limit already set
// (GOMEMLIMIT) stays.
func importMemoryLimit() int64 {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	limit := debug.SetMemoryLimit(-1)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		limit = min(limit, int64(sample[0].Value.Uint64())+importHeadroom)
	}
	return limit
}

// removeStaleTemps removes what killed creations of path left behind. A creation in progress
// holds bbolt's lock on its file and is left alone (see unlockedFile).
func removeStaleTemps(path string) {
	prefix := tempPrefix(path)
	matches, _ := filepath.Glob(globEscape(prefix) + "*")
	for _, m := range matches {
		if strings.HasPrefix(m, prefix) && unlockedFile(m) {
			_ = os.Remove(m)
		}
	}
}

// globEscape quotes the metacharacters of filepath.Match in s.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}
