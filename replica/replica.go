// Package replica runs trendgraph as one replica of a cluster on etcd. The cluster's change sets
// form a log in etcd (Raft, itself on bbolt); every replica keeps its own embedded store and
// follows the log into it, so reads stay local. A write is prepared against the replica's copy,
// appended to the log with a compare-and-swap on the log's head, and acknowledged once etcd has
// committed it and this replica has applied it.
//
// Layout under the prefix (default "/trendgraph/"):
//
//	head           the version of the newest change set, in decimal
//	log/%020d      one change set (store.LogEntry, JSON) per version; never rewritten or deleted
//	parts/<id>/%06d  the parts of a change set too large for one etcd request (see parts.go)
//
// Log keys are written once, so etcd's compaction never removes them: a replica that was away
// longer than etcd keeps revisions reads the entries it missed by range, then watches.
package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/store"
)

// Config says how to reach the cluster.
type Config struct {
	// Endpoints are etcd client URLs.
	Endpoints []string
	// Prefix is where the cluster's keys live; several clusters may share one etcd.
	Prefix string
	// DialTimeout bounds connecting to etcd at start.
	DialTimeout time.Duration
	// ApplyTimeout bounds how long a write waits for this replica to apply what etcd committed
	// (and a read asking for a version, in the server).
	ApplyTimeout time.Duration
	Log          *slog.Logger
}

// DefaultConfig returns the defaults for zero fields.
func DefaultConfig() Config {
	return Config{Prefix: "/trendgraph/", DialTimeout: 5 * time.Second, ApplyTimeout: 10 * time.Second}
}

// Replica follows a cluster's log into a store and commits writes to the log.
type Replica struct {
	store  *store.Store
	cli    *clientv3.Client
	cfg    Config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	// head is the newest version seen in etcd; ready is set once the replica has caught up
	// with the head it saw when it started.
	head    atomic.Uint64
	ready   atomic.Bool
	resyncs atomic.Uint64
	// appendMu serialises this replica's own appends: they would only collide with each other.
	appendMu sync.Mutex
}

// ErrAhead refuses a store that holds versions the cluster does not: it was written outside
// the cluster, or belongs to another.
var ErrAhead = errors.New("the local database is ahead of the cluster")

// Open connects to etcd and starts following the log into s. The store must be empty or have
// followed this cluster before. Close stops it.
func Open(ctx context.Context, s *store.Store, cfg Config) (*Replica, error) {
	def := DefaultConfig()
	if cfg.Prefix == "" {
		cfg.Prefix = def.Prefix
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = def.DialTimeout
	}
	if cfg.ApplyTimeout == 0 {
		cfg.ApplyTimeout = def.ApplyTimeout
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: cfg.Endpoints, DialTimeout: cfg.DialTimeout,
		DialKeepAliveTime: 10 * time.Second, DialKeepAliveTimeout: 5 * time.Second, Logger: zap.NewNop(),
		// etcd's own --max-request-bytes is the bound on a change set; the client's would be
		// a lower, hidden one.
		MaxCallSendMsgSize: 64 << 20, MaxCallRecvMsgSize: 64 << 20})
	if err != nil {
		return nil, fmt.Errorf("connect to etcd %v: %w", cfg.Endpoints, err)
	}
	r := &Replica{store: s, cli: cli, cfg: cfg, log: cfg.Log, done: make(chan struct{})}
	head, err := r.readHead(ctx)
	if err != nil {
		_ = cli.Close()
		return nil, err
	}
	if local := s.Version(); local > head {
		_ = cli.Close()
		return nil, fmt.Errorf("%w: it is at version %d, the cluster at %d: move it away and start this replica on a new file", ErrAhead, local, head)
	}
	r.head.Store(head)
	followCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.follow(followCtx)
	return r, nil
}

// Close stops following and disconnects from etcd.
func (r *Replica) Close() error {
	r.cancel()
	<-r.done
	if err := r.cli.Close(); err != nil {
		return fmt.Errorf("close etcd client: %w", err)
	}
	return nil
}

func (r *Replica) headKey() string   { return r.cfg.Prefix + "head" }
func (r *Replica) logPrefix() string { return r.cfg.Prefix + "log/" }
func (r *Replica) logKey(v uint64) string {
	return fmt.Sprintf("%s%020d", r.logPrefix(), v)
}

// readHead reads the cluster's newest version (a linearizable read: it needs a quorum).
func (r *Replica) readHead(ctx context.Context) (uint64, error) {
	resp, err := r.cli.Get(ctx, r.headKey())
	if err != nil {
		return 0, fmt.Errorf("read the cluster's head: %w", err)
	}
	if len(resp.Kvs) == 0 {
		return 0, nil
	}
	v, err := strconv.ParseUint(string(resp.Kvs[0].Value), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the cluster's head %q is not a version: %w", resp.Kvs[0].Value, err)
	}
	return v, nil
}

// Ready reports whether the replica has caught up with the cluster as it was when it started.
func (r *Replica) Ready() bool { return r.ready.Load() }

// Stats are what the replica's metrics show.
type Stats struct {
	// Applied is the version this replica's store holds, Head the newest seen in etcd.
	Applied, Head uint64
	// Resyncs counts the times the watch was lost and the replica read the log again.
	Resyncs uint64
}

// Stats returns the replica's figures.
func (r *Replica) Stats() Stats {
	return Stats{Applied: r.store.Version(), Head: max(r.head.Load(), r.store.Version()), Resyncs: r.resyncs.Load()}
}

// follow applies the log to the store until ctx ends: it reads what it missed by range, then
// watches from there; a lost or compacted watch reads by range again.
func (r *Replica) follow(ctx context.Context) {
	defer close(r.done)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		rev, err := r.catchUp(ctx)
		if err == nil {
			r.ready.Store(true)
			backoff = 50 * time.Millisecond
			err = r.watch(ctx, rev)
		}
		if ctx.Err() != nil {
			return
		}
		r.resyncs.Add(1)
		r.log.Warn("replica: following the log again", "err", err, "applied", r.store.Version())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// catchUp applies every log entry after the store's version, read by range pinned at one etcd
// revision, and returns that revision: the watch goes on from the next.
func (r *Replica) catchUp(ctx context.Context) (int64, error) {
	var rev int64
	for {
		from := r.logKey(r.store.Version() + 1)
		opts := []clientv3.OpOption{clientv3.WithRange(clientv3.GetPrefixRangeEnd(r.logPrefix())), clientv3.WithLimit(256)}
		if rev != 0 {
			opts = append(opts, clientv3.WithRev(rev))
		}
		resp, err := r.cli.Get(ctx, from, opts...)
		if err != nil {
			return 0, fmt.Errorf("read the log: %w", err)
		}
		if rev == 0 {
			rev = resp.Header.Revision
		}
		batch := make([]rawEntry, len(resp.Kvs))
		for i, kv := range resp.Kvs {
			batch[i] = rawEntry{kv.Value, kv.ModRevision}
		}
		if err := r.apply(ctx, batch); err != nil {
			return 0, err
		}
		if !resp.More {
			return rev, nil
		}
	}
}

// watch applies log entries as etcd commits them, from revision rev+1, until the watch ends.
func (r *Replica) watch(ctx context.Context, rev int64) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	ch := r.cli.Watch(wctx, r.logPrefix(), clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithProgressNotify())
	for resp := range ch {
		if resp.CompactRevision != 0 {
			return fmt.Errorf("the watch fell behind etcd's compaction (revision %d)", resp.CompactRevision)
		}
		if err := resp.Err(); err != nil {
			return fmt.Errorf("watch the log: %w", err)
		}
		var batch []rawEntry
		for _, ev := range resp.Events {
			if ev.Type == clientv3.EventTypePut {
				batch = append(batch, rawEntry{ev.Kv.Value, ev.Kv.ModRevision})
			}
		}
		if err := r.apply(ctx, batch); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("the watch ended")
}

// rawEntry is a log entry as etcd holds it, with its revision.
type rawEntry struct {
	value  []byte
	modRev int64
}

// apply applies log entries, in one store transaction.
func (r *Replica) apply(ctx context.Context, batch []rawEntry) error {
	if len(batch) == 0 {
		return nil
	}
	entries := make([]*store.LogEntry, len(batch))
	revs := make([]int64, len(batch))
	for i, raw := range batch {
		value, err := r.entryBytes(ctx, raw.value)
		if err != nil {
			return err
		}
		entries[i], revs[i] = new(store.LogEntry), raw.modRev
		if err := json.Unmarshal(value, entries[i]); err != nil {
			return fmt.Errorf("decode log entry at revision %d: %w", raw.modRev, err)
		}
	}
	if _, err := r.store.ApplyLogged(ctx, entries, revs); err != nil {
		return err
	}
	newest := entries[len(entries)-1].Version
	for {
		cur := r.head.Load()
		if newest <= cur || r.head.CompareAndSwap(cur, newest) {
			return nil
		}
	}
}

// WaitFor waits until the store holds version v, for at most the apply timeout.
func (r *Replica) WaitFor(ctx context.Context, v uint64) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.ApplyTimeout)
	defer cancel()
	if err := r.waitApplied(ctx, v); err != nil {
		return fmt.Errorf("version %d not applied here within %s (at %d): %w", v, r.cfg.ApplyTimeout, r.store.Version(), err)
	}
	return nil
}

// waitApplied waits until the store holds version v or ctx ends.
func (r *Replica) waitApplied(ctx context.Context, v uint64) error {
	for {
		changed := r.store.Changed()
		if r.store.Version() >= v {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ErrContention is a write that lost the race for the log's head too many times in a row.
var ErrContention = errors.New("the cluster is too busy: the write lost the race for the log's head; try again")

// Commit commits one change request to the cluster: prepared against this replica's copy at
// the cluster's head, appended if the head has not moved since (else prepared again), and
// acknowledged once this replica has applied it.
func (r *Replica) Commit(ctx context.Context, req store.ChangeRequest) (*store.ChangeSet, error) {
	return r.commit(ctx, func() (*store.LogEntry, error) { return r.store.Prepare(ctx, req) })
}

// CommitImport makes the cluster hold exactly d as one change set; nil when it holds d already.
func (r *Replica) CommitImport(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*store.ChangeSet, error) {
	return r.commit(ctx, func() (*store.LogEntry, error) { return r.store.PrepareImport(ctx, d, texts, actor, reason) })
}

func (r *Replica) commit(ctx context.Context, prepare func() (*store.LogEntry, error)) (*store.ChangeSet, error) {
	r.appendMu.Lock()
	defer r.appendMu.Unlock()
	for range 20 {
		head, err := r.readHead(ctx)
		if err != nil {
			return nil, err
		}
		if err := r.WaitFor(ctx, head); err != nil {
			return nil, err
		}
		e, err := prepare()
		if err != nil || e == nil {
			return nil, err
		}
		if e.Version != head+1 {
			continue // the store moved on while preparing
		}
		ok, err := r.append(ctx, e)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // another replica appended first: prepare again on its result
		}
		// Committed: wait for this replica to apply it however long a large import takes,
		// bounded only by the caller's context, rather than fail a write that happened.
		if err := r.waitApplied(ctx, e.Version); err != nil {
			return nil, fmt.Errorf("change set %d is committed, but this replica has not applied it yet: %w", e.Version, err)
		}
		cs, err := r.store.ChangeSetAt(ctx, e.Version)
		if err != nil || cs == nil {
			return nil, fmt.Errorf("change set %d committed but not found here: %w", e.Version, err)
		}
		return cs, nil
	}
	return nil, ErrContention
}

// append writes e at its version if the head is still the version before it. A transaction
// that timed out may have committed: the log is read again before it is called failed.
func (r *Replica) append(ctx context.Context, e *store.LogEntry) (bool, error) {
	encoded, err := json.Marshal(e)
	if err != nil {
		return false, fmt.Errorf("encode log entry: %w", err)
	}
	raw, drop, err := r.logValue(ctx, encoded)
	if err != nil {
		return false, err
	}
	cond := clientv3.Compare(clientv3.Value(r.headKey()), "=", strconv.FormatUint(e.Version-1, 10))
	if e.Version == 1 {
		cond = clientv3.Compare(clientv3.CreateRevision(r.headKey()), "=", 0)
	}
	resp, err := r.cli.Txn(ctx).If(cond).Then(
		clientv3.OpPut(r.logKey(e.Version), string(raw)),
		clientv3.OpPut(r.headKey(), strconv.FormatUint(e.Version, 10)),
	).Commit()
	if err == nil {
		if !resp.Succeeded {
			drop()
		}
		return resp.Succeeded, nil
	}
	got, rerr := r.cli.Get(ctx, r.logKey(e.Version))
	if rerr != nil {
		return false, fmt.Errorf("append change set %d: %w (and reading it back: %v)", e.Version, err, rerr)
	}
	if len(got.Kvs) == 1 && bytes.Equal(got.Kvs[0].Value, raw) {
		return true, nil
	}
	drop()
	return false, fmt.Errorf("append change set %d: %w", e.Version, err)
}
