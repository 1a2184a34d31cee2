package store

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkPrepareLargeImport prepares an import of 20k technologies into an empty store: the
// per-op path a replica runs for a large change set.
func BenchmarkPrepareLargeImport(b *testing.B) {
	d := mustSynth(b, 20_000, 20_000)
	s, err := Open(filepath.Join(b.TempDir(), "b.db"), Config{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if _, err := s.PrepareImport(context.Background(), d, nil, "b", "b"); err != nil {
			b.Fatal(err)
		}
	}
}
