package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trendgraph/trendgraph/replica"
	"github.com/trendgraph/trendgraph/server"
	"github.com/trendgraph/trendgraph/store"
)

// joinCluster runs s as a replica of the cluster on etcd: it follows the cluster's log,
// commits the server's writes to it, is ready once caught up, and shows its lag in the metrics.
// An empty cluster is seeded with the embedded dataset, by whichever replica comes first.
func joinCluster(ctx context.Context, s *store.Store, endpoints []string, prefix string, cfg *server.Config, log *slog.Logger) (*replica.Replica, error) {
	rep, err := replica.Open(ctx, s, replica.Config{Endpoints: endpoints, Prefix: prefix, Log: log})
	if err != nil {
		return nil, err
	}
	if rep.Stats().Head == 0 {
		d, err := loadData("")
		if err != nil {
			_ = rep.Close()
			return nil, err
		}
		cs, err := rep.CommitImport(ctx, d, nil, importActor, "the embedded dataset seeds an empty cluster")
		if err != nil {
			_ = rep.Close()
			return nil, fmt.Errorf("seed the cluster: %w", err)
		}
		if cs != nil {
			log.Info("seeded the cluster with the embedded dataset", "version", cs.Version)
		}
	}
	cfg.Committer = rep
	cfg.VerifyReplica = func(ctx context.Context) ([]string, error) {
		scratch, err := os.MkdirTemp("", "trendgraph-verify-")
		if err != nil {
			return nil, fmt.Errorf("verify the replica: %w", err)
		}
		defer os.RemoveAll(scratch)
		return rep.Verify(ctx, scratch)
	}
	cfg.Ready = func() error {
		if !rep.Ready() {
			return errors.New("catching up with the cluster")
		}
		return nil
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	gauge := func(name, help string, value func(replica.Stats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return value(rep.Stats()) })
	}
	cfg.Registry.MustRegister(
		gauge("trendgraph_replica_applied_version", "The data version this replica has applied.", func(s replica.Stats) float64 { return float64(s.Applied) }),
		gauge("trendgraph_replica_lag_versions", "Change sets committed in the cluster and not yet applied here.", func(s replica.Stats) float64 { return float64(s.Head - s.Applied) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "trendgraph_replica_resyncs_total", Help: "Times the replica lost its watch and read the log again."},
			func() float64 { return float64(rep.Stats().Resyncs) }),
	)
	log.Info("joined the cluster", "endpoints", endpoints, "prefix", prefix, "applied", s.Version(), "head", rep.Stats().Head)
	// Reads wait for the replica to catch up at start, bounded: until then /readyz says no.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_ = rep.WaitFor(wctx, rep.Stats().Head)
	return rep, nil
}
