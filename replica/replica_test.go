package replica

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/etcdtest"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// node is one replica with its own store file.
type node struct {
	store   *store.Store
	replica *Replica
	curator *knowledge.Curator
}

func startNode(t testing.TB, endpoints []string, path string) *node {
	t.Helper()
	s, err := store.Open(path, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(context.Background(), s, Config{Endpoints: endpoints, Log: quiet})
	if err != nil {
		_ = s.Close()
		t.Fatal(err)
	}
	n := &node{store: s, replica: r, curator: knowledge.NewCurator(s, nil, r)}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	if n.replica != nil {
		_ = n.replica.Close()
		_ = n.store.Close()
		n.replica = nil
	}
}

var by = knowledge.Author{Actor: "alice", Reason: "test"}

func skill(slug string) domain.Entity {
	return domain.Entity{Type: domain.TypeSkill, Slug: slug, Name: slug, Summary: "A skill for the test.",
		Citations: []domain.Citation{{Section: "Conclusion", Paragraph: 1}}}
}

// dataOf is what a replica holds: its whole export and its change sets.
func dataOf(t *testing.T, s *store.Store) string {
	t.Helper()
	d, err := s.Export()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := s.ChangeSets(context.Background(), 1, 1<<30, false)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(d.Entities, d.Relationships, d.Assessments, sets)
}

func TestReplicasConverge(t *testing.T) {
	c := etcdtest.Start(t, 3)
	dir := t.TempDir()
	nodes := make([]*node, 3)
	for i := range nodes {
		// Each replica talks to its own member, as it would beside it on its own machine.
		nodes[i] = startNode(t, c.Endpoints[i:i+1], filepath.Join(dir, fmt.Sprintf("r%d.db", i)))
	}
	ctx := context.Background()

	// The first replica seeds the cluster with the curated dataset: one change set.
	cs, err := nodes[0].curator.Import(ctx, knowledge.Author{Actor: "seed", Reason: "seed"}, kbtest.Curated(t))
	if err != nil || cs == nil || cs.Version != 1 {
		t.Fatalf("seed: %+v %v", cs, err)
	}
	// A subscriber on the third replica is told of what the second commits.
	feedCtx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	from := uint64(1)
	feed, _, err := knowledge.NewFeed(nodes[2].store, 1, 64).Follow(feedCtx, &from)
	if err != nil {
		t.Fatal(err)
	}
	// A write on one replica is read on the others.
	cs, err = nodes[1].curator.CreateEntity(ctx, by, skill("patience"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range nodes {
		if err := n.replica.WaitFor(ctx, cs.Version); err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		got, err := n.store.EntitiesBySlug(ctx, []string{"patience"})
		if err != nil || got[0] == nil || got[0].Meta.Revision != 1 {
			t.Fatalf("replica %d: %+v %v", i, got, err)
		}
	}

	select {
	case got := <-feed:
		if got.Version != cs.Version || got.Actor != "alice" {
			t.Fatalf("the subscriber on replica 2 got %+v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the subscriber on replica 2 heard nothing")
	}

	// Concurrent writes from every replica all land, in one order everywhere.
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i, n := range nodes {
		for j := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := n.curator.CreateEntity(ctx, by, skill(fmt.Sprintf("skill-%d-%d", i, j))); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Two replicas update the same record from the same revision: one wins, one conflicts.
	name1, name2 := "Patience first", "Patience second"
	results := make([]error, 2)
	for i, name := range []*string{&name1, &name2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = nodes[i].curator.UpdateEntity(ctx, by, "patience", 1, knowledge.EntityPatch{Name: name})
		}()
	}
	wg.Wait()
	var conflict *knowledge.ConflictError
	ok := slices.IndexFunc(results, func(err error) bool { return err == nil })
	bad := slices.IndexFunc(results, func(err error) bool { return errors.As(err, &conflict) })
	if ok < 0 || bad < 0 || conflict.Current != 2 {
		t.Fatalf("conflicting updates: %v", results)
	}

	// Every replica ends with the same data and the same history.
	head := nodes[0].replica.Stats().Head
	want := ""
	for i, n := range nodes {
		if err := n.replica.WaitFor(ctx, head); err != nil {
			t.Fatal(err)
		}
		got := dataOf(t, n.store)
		if i == 0 {
			want = got
		} else if got != want {
			t.Fatalf("replica %d differs from replica 0", i)
		}
		if diffs, err := n.store.VerifyHistory(ctx); err != nil || len(diffs) > 0 {
			t.Fatalf("replica %d: %v %v", i, diffs, err)
		}
		if diffs, err := n.replica.Verify(ctx, t.TempDir()); err != nil || len(diffs) > 0 {
			t.Fatalf("replica %d differs from the log: %v %v", i, diffs, err)
		}
	}
	if head != 1+1+30+1 {
		t.Fatalf("head %d, want 33 change sets", head)
	}
}

// A replica that was away catches up with what it missed, applying nothing twice.
func TestReplicaCatchesUp(t *testing.T) {
	c := etcdtest.Start(t, 1)
	dir := t.TempDir()
	ctx := context.Background()
	writer := startNode(t, c.Endpoints, filepath.Join(dir, "w.db"))
	if _, err := writer.curator.Import(ctx, knowledge.Author{Actor: "seed", Reason: "seed"}, kbtest.Curated(t)); err != nil {
		t.Fatal(err)
	}
	awayPath := filepath.Join(dir, "away.db")
	away := startNode(t, c.Endpoints, awayPath)
	if err := away.replica.WaitFor(ctx, 1); err != nil {
		t.Fatal(err)
	}
	away.stop()
	// The figure in the slow tier; a third of it otherwise.
	missed := 300
	if slow.On() {
		missed = 1000
	}
	for i := range missed {
		if _, err := writer.curator.CreateEntity(ctx, by, skill(fmt.Sprintf("missed-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// etcd compacts while the replica is away: its watch could not start from its checkpoint,
	// but the log's keys are never rewritten, so it reads them by range.
	cli := writer.replica.cli
	st, err := cli.Status(ctx, c.Endpoints[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Compact(ctx, st.Header.Revision); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	back := startNode(t, c.Endpoints, awayPath)
	if err := back.replica.WaitFor(ctx, uint64(1+missed)); err != nil {
		t.Fatal(err)
	}
	t.Logf("caught up with %d change sets in %s", missed, time.Since(start).Round(time.Millisecond))
	if dataOf(t, back.store) != dataOf(t, writer.store) {
		t.Fatal("the replica that came back differs from the writer")
	}
	if diffs, err := back.replica.Verify(ctx, t.TempDir()); err != nil || len(diffs) > 0 {
		t.Fatalf("the replica differs from the log: %v %v", diffs, err)
	}
	if !back.replica.Ready() {
		t.Fatal("caught up but not ready")
	}
}

// A store written outside the cluster is refused, not merged.
func TestStoreAheadOfTheClusterIsRefused(t *testing.T) {
	c := etcdtest.Start(t, 1)
	s := kbtest.Open(t, kbtest.Curated(t))
	if _, err := Open(context.Background(), s, Config{Endpoints: c.Endpoints, Log: quiet}); !errors.Is(err, ErrAhead) {
		t.Fatalf("want ErrAhead, got %v", err)
	}
}

// The etcd leader killed with SIGKILL: writes resume once a new leader is elected, and every
// replica keeps following.
func TestLeaderKilled(t *testing.T) {
	slow.Only(t)
	c := etcdtest.StartProcesses(t, 3)
	dir := t.TempDir()
	ctx := context.Background()
	nodes := []*node{startNodeEventually(t, c.Endpoints, filepath.Join(dir, "a.db")), startNodeEventually(t, c.Endpoints, filepath.Join(dir, "b.db"))}
	if _, err := nodes[0].curator.Import(ctx, knowledge.Author{Actor: "seed", Reason: "seed"}, kbtest.Curated(t)); err != nil {
		t.Fatal(err)
	}
	leader := -1
	for i, ep := range c.Endpoints {
		st, err := nodes[0].replica.cli.Status(ctx, ep)
		if err == nil && st.Leader == st.Header.MemberId {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no leader found")
	}
	c.Kill(leader)
	start := time.Now()
	var cs *store.ChangeSet
	for deadline := time.Now().Add(30 * time.Second); ; {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var err error
		cs, err = nodes[1].curator.CreateEntity(wctx, by, skill("after-the-election"))
		cancel()
		if err == nil {
			break
		}
		var conflict *knowledge.ConflictError
		if errors.As(err, &conflict) {
			break // an earlier attempt committed after all
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write succeeded within 30 s of the leader's death: %v", err)
		}
	}
	t.Logf("a write succeeded %s after the leader was killed", time.Since(start).Round(time.Millisecond))
	head := nodes[1].replica.Stats().Head
	for i, n := range nodes {
		if err := n.replica.WaitFor(ctx, head); err != nil {
			t.Fatalf("replica %d stopped following: %v", i, err)
		}
	}
	if dataOf(t, nodes[0].store) != dataOf(t, nodes[1].store) {
		t.Fatal("the replicas differ after the election")
	}
	_ = cs
}

// startNodeEventually is startNode once the cluster answers: child members take a moment.
func startNodeEventually(t *testing.T, endpoints []string, path string) *node {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		s, err := store.Open(path, store.Config{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := Open(ctx, s, Config{Endpoints: endpoints, Log: quiet, DialTimeout: 2 * time.Second})
		cancel()
		if err == nil {
			n := &node{store: s, replica: r, curator: knowledge.NewCurator(s, nil, r)}
			t.Cleanup(n.stop)
			return n
		}
		_ = s.Close()
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not answer: %v", err)
		}
	}
}

// A change set larger than etcd takes in one request (an import of thousands of technologies)
// travels in parts, and every replica applies it whole.
func TestLargeChangeSetsTravelInParts(t *testing.T) {
	slow.Only(t)
	c := etcdtest.Start(t, 1)
	dir := t.TempDir()
	ctx := context.Background()
	a := startNode(t, c.Endpoints, filepath.Join(dir, "a.db"))
	b := startNode(t, c.Endpoints, filepath.Join(dir, "b.db"))
	d, err := dataset.Synthesize(dataset.SynthOptions{Technologies: 2500, Relationships: 5000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := a.curator.Import(ctx, knowledge.Author{Actor: "bulk", Reason: "large"}, d)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := a.replica.cli.Get(ctx, a.replica.cfg.Prefix+"parts/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil || parts.Count < 2 {
		t.Fatalf("the change set was not split: %d parts, %v", parts.Count, err)
	}
	if err := b.replica.WaitFor(ctx, cs.Version); err != nil {
		t.Fatal(err)
	}
	if dataOf(t, a.store) != dataOf(t, b.store) {
		t.Fatal("the replicas differ after a change set in parts")
	}
	if diffs, err := b.replica.Verify(ctx, t.TempDir()); err != nil || len(diffs) > 0 {
		t.Fatalf("%v %v", diffs, err)
	}
}
