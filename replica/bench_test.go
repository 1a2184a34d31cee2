package replica

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/etcdtest"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// benchNode is startNode for benchmarks.
func benchNode(b *testing.B, endpoints []string, path string) *node {
	b.Helper()
	s, err := store.Open(path, store.Config{})
	if err != nil {
		b.Fatal(err)
	}
	r, err := Open(context.Background(), s, Config{Endpoints: endpoints, Log: quiet})
	if err != nil {
		b.Fatal(err)
	}
	n := &node{store: s, replica: r, curator: knowledge.NewCurator(s, nil, r)}
	b.Cleanup(n.stop)
	return n
}

// BenchmarkReplication measures, on a 3-member etcd cluster with 3 replicas in this process,
// the time from a write's acknowledgement to every replica having applied it (p50, p99), and
// how long a replica away for 10,000 change sets takes to catch up.
func BenchmarkReplication(b *testing.B) {
	c := etcdtest.Start(b, 3)
	dir := b.TempDir()
	nodes := make([]*node, 3)
	for i := range nodes {
		nodes[i] = benchNode(b, c.Endpoints[i:i+1], filepath.Join(dir, fmt.Sprintf("r%d.db", i)))
	}
	ctx := context.Background()
	if _, err := nodes[0].curator.Import(ctx, knowledge.Author{Actor: "seed", Reason: "seed"}, kbtest.Curated(b)); err != nil {
		b.Fatal(err)
	}
	b.Run("ack-to-all-applied", func(b *testing.B) {
		var lags []time.Duration
		for i := range 500 {
			cs, err := nodes[i%3].curator.CreateEntity(ctx, by, skill(fmt.Sprintf("lag-%d", i)))
			if err != nil {
				b.Fatal(err)
			}
			acked := time.Now()
			for _, n := range nodes {
				if err := n.replica.WaitFor(ctx, cs.Version); err != nil {
					b.Fatal(err)
				}
			}
			lags = append(lags, time.Since(acked))
		}
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "p99-µs")
	})
	b.Run("catch-up-10k", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			path := filepath.Join(b.TempDir(), "away.db")
			away := benchNode(b, c.Endpoints, path)
			if err := away.replica.WaitFor(ctx, nodes[0].store.Version()); err != nil {
				b.Fatal(err)
			}
			away.stop()
			for i := range 10_000 {
				if _, err := nodes[0].curator.CreateEntity(ctx, by, skill(fmt.Sprintf("missed-%d-%d", b.N, i))); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			back := benchNode(b, c.Endpoints, path)
			if err := back.replica.WaitFor(ctx, nodes[0].store.Version()); err != nil {
				b.Fatal(err)
			}
			back.stop()
		}
	})
	b.Run("new-replica-10k-technologies", func(b *testing.B) {
		d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 10_000, Relationships: 20_000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := nodes[0].curator.Import(ctx, knowledge.Author{Actor: "bench", Reason: "scale"}, d); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			fresh := benchNode(b, c.Endpoints, filepath.Join(b.TempDir(), "fresh.db"))
			if err := fresh.replica.WaitFor(ctx, nodes[0].store.Version()); err != nil {
				b.Fatal(err)
			}
			fresh.stop()
		}
	})
}
