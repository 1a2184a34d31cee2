package replica

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/trendgraph/trendgraph/store"
)

// Verify rebuilds, in a new store under scratch, what etcd's log holds up to the version this
// replica has applied, and compares it with the replica's store: its records, its change sets
// and each change. It returns every difference (none: the replica's file equals the log at its
// checkpoint).
func (r *Replica) Verify(ctx context.Context, scratch string) ([]string, error) {
	upTo := r.store.Version()
	fresh, err := store.Open(filepath.Join(scratch, "verify.db"), store.Config{NoSync: true})
	if err != nil {
		return nil, err
	}
	defer fresh.Close()
	from := r.logKey(1)
	for fresh.Version() < upTo {
		resp, err := r.cli.Get(ctx, from, clientv3.WithRange(r.logKey(upTo+1)), clientv3.WithLimit(256))
		if err != nil {
			return nil, fmt.Errorf("read the log: %w", err)
		}
		if len(resp.Kvs) == 0 {
			return []string{fmt.Sprintf("the log ends at version %d, the replica holds %d", fresh.Version(), upTo)}, nil
		}
		for _, kv := range resp.Kvs {
			value, err := r.entryBytes(ctx, kv.Value)
			if err != nil {
				return nil, err
			}
			var e store.LogEntry
			if err := json.Unmarshal(value, &e); err != nil {
				return nil, fmt.Errorf("decode log entry %s: %w", kv.Key, err)
			}
			if _, err := fresh.ApplyLogged(ctx, []*store.LogEntry{&e}, []int64{kv.ModRevision}); err != nil {
				return nil, err
			}
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	return compareStores(ctx, r.store, fresh, upTo)
}

// compareStores lists the differences between two stores' records and change logs up to a
// version.
func compareStores(ctx context.Context, a, b *store.Store, upTo uint64) ([]string, error) {
	var diffs []string
	da, err := a.Export()
	if err != nil {
		return nil, err
	}
	db, err := b.Export()
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(da, db) {
		diffs = append(diffs, "the records differ")
	}
	versions := make([]uint64, upTo)
	for i := range versions {
		versions[i] = uint64(i) + 1
	}
	setsA, err := a.ChangeSetsAt(ctx, versions)
	if err != nil {
		return nil, err
	}
	setsB, err := b.ChangeSetsAt(ctx, versions)
	if err != nil {
		return nil, err
	}
	for i, v := range versions {
		ca, cb := setsA[i], setsB[i]
		if ca == nil || cb == nil || !ca.Time.Equal(cb.Time) || ca.Actor != cb.Actor || ca.Reason != cb.Reason || ca.Changes != cb.Changes {
			diffs = append(diffs, fmt.Sprintf("change set %d differs: %+v vs %+v", v, ca, cb))
			continue
		}
		xa, err := a.ChangesOf(ctx, v, 0, ca.Changes)
		if err != nil {
			return nil, err
		}
		xb, err := b.ChangesOf(ctx, v, 0, cb.Changes)
		if err != nil {
			return nil, err
		}
		if !reflect.DeepEqual(xa, xb) {
			diffs = append(diffs, fmt.Sprintf("the changes of change set %d differ", v))
		}
	}
	return diffs, nil
}
