package replica

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/etcdtest"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/server"
)

// BenchmarkReplication measures, on a 3-member etcd cluster with 3 replicas in this process,
// the time from a write's acknowledgement to every replica having applied it (p50, p99), and
// how long a replica away for 10,000 change sets takes to catch up.
func BenchmarkReplication(b *testing.B) {
	c := etcdtest.Start(b, 3)
	dir := b.TempDir()
	nodes := make([]*node, 3)
	for i := range nodes {
		nodes[i] = startNode(b, c.Endpoints[i:i+1], filepath.Join(dir, fmt.Sprintf("r%d.db", i)))
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
			away := startNode(b, c.Endpoints, path)
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
			back := startNode(b, c.Endpoints, path)
			if err := back.replica.WaitFor(ctx, nodes[0].store.Version()); err != nil {
				b.Fatal(err)
			}
			back.stop()
		}
	})
	b.Run("new-replica-100k-technologies", func(b *testing.B) {
		d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 100_000, Relationships: 100_000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := nodes[0].curator.Import(ctx, knowledge.Author{Actor: "bench", Reason: "scale"}, d); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			fresh := startNode(b, c.Endpoints, filepath.Join(b.TempDir(), "fresh.db"))
			if err := fresh.replica.waitApplied(ctx, nodes[0].store.Version()); err != nil {
				b.Fatal(err)
			}
			fresh.stop()
		}
	})
}

// BenchmarkReadReplicas measures the page query's throughput over HTTP with 1, 2 and 3
// replicas serving, 16 clients spread over them, on this machine: the load generator and every
// replica share its cores, so it shows what replicas cost here, not how they scale on N machines.
func BenchmarkReadReplicas(b *testing.B) {
	c := etcdtest.Start(b, 1)
	dir := b.TempDir()
	ctx := context.Background()
	var nodes []*node
	var urls []string
	for i := range 3 {
		n := startNode(b, c.Endpoints, filepath.Join(dir, fmt.Sprintf("r%d.db", i)))
		if i == 0 {
			if _, err := n.curator.Import(ctx, knowledge.Author{Actor: "seed", Reason: "seed"}, kbtest.Curated(b)); err != nil {
				b.Fatal(err)
			}
		}
		if err := n.replica.WaitFor(ctx, 1); err != nil {
			b.Fatal(err)
		}
		cfg := server.DefaultConfig()
		cfg.Log, cfg.RatePerSecond, cfg.AccessLog, cfg.CacheBytes = quiet, 0, false, 0
		srv := httptest.NewServer(server.New(n.store, cfg))
		b.Cleanup(srv.Close)
		nodes, urls = append(nodes, n), append(urls, srv.URL)
	}
	body := []byte(`{"query":"{ technologies(first: 20, filter: {or: [{lifecycles: [MATURE]}, {kinds: [DATABASE]}]}) { totalCount edges { cursor node { slug name kind lifecycle tags } } } }"}`)
	for k := 1; k <= 3; k++ {
		b.Run(fmt.Sprintf("%d-replicas", k), func(b *testing.B) {
			var done atomic.Int64
			deadline := time.Now().Add(2 * time.Second)
			var wg sync.WaitGroup
			for g := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					client := &http.Client{}
					for time.Now().Before(deadline) {
						resp, err := client.Post(urls[g%k]+"/graphql", "application/json", bytes.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						done.Add(1)
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(done.Load())/2, "req/s")
		})
	}
	_ = nodes
}
