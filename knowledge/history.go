package knowledge

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"slices"
	"time"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// ChangeCursor is the kind of the cursors of lists of changes.
const ChangeCursor CursorKind = 'C'

// ChangeQuery selects changes, newest first. Zero fields select everything.
type ChangeQuery struct {
	// SinceVersion and UntilVersion bound the data versions, inclusive.
	SinceVersion, UntilVersion uint64
	// Since and Until bound the change sets' times, inclusive.
	Since, Until time.Time
	// Actor keeps the changes made by one actor.
	Actor string
	// EntityType keeps the changes of entities of one type.
	EntityType domain.EntityType
	// Entity keeps the changes touching one entity (by slug): its own, its relationships' and
	// its assessments'. Record keeps one record's changes: its history.
	Entity string
	Record *store.RecordKey
}

// Changes returns a page of the changes q selects, newest first. Only First and After of the
// window apply: a change log is read from its newest end.
func (b *Base) Changes(ctx context.Context, q ChangeQuery, w Window) (*Page[store.Change], error) {
	if w.Last != nil || w.Before != nil {
		return nil, badInput("changes are listed newest first: page with first and after")
	}
	args, err := w.Args(ChangeCursor)
	if err != nil {
		return nil, err
	}
	if q.Entity != "" && q.Record != nil {
		return nil, badInput("select changes by entity or by record, not both")
	}
	f := store.ChangeFilter{Record: q.Record, Entity: q.Entity, MinVersion: q.SinceVersion, MaxVersion: q.UntilVersion,
		Actor: q.Actor, EntityType: q.EntityType}
	if !q.Since.IsZero() {
		// The first version at or after Since follows the last one before it.
		v, err := b.store.VersionAt(ctx, q.Since.Add(-time.Nanosecond))
		if err != nil {
			return nil, err
		}
		f.MinVersion = max(f.MinVersion, v+1)
	}
	if !q.Until.IsZero() {
		v, err := b.store.VersionAt(ctx, q.Until)
		if err != nil {
			return nil, err
		}
		if v == 0 {
			return &Page[store.Change]{}, nil
		}
		if f.MaxVersion == 0 || v < f.MaxVersion {
			f.MaxVersion = v
		}
	}
	if f.MinVersion > f.MaxVersion && f.MaxVersion != 0 {
		return &Page[store.Change]{}, nil
	}
	if args.After != nil {
		ref, ok := changeRefOf(args.After)
		if !ok {
			return nil, badInput("after: not a cursor of this list")
		}
		f.Before = &ref
	}
	changes, more, err := b.store.Changes(ctx, f, args.Limit)
	if err != nil {
		return nil, err
	}
	return changePage(changes, more, args.After != nil), nil
}

func changeCursor(version uint64, seq uint32) string {
	b := make([]byte, 12)
	binary.BigEndian.PutUint64(b, version)
	binary.BigEndian.PutUint32(b[8:], seq)
	return EncodeCursor(ChangeCursor, b)
}

func changeRefOf(b []byte) (store.ChangeRef, bool) {
	if len(b) != 12 {
		return store.ChangeRef{}, false
	}
	return store.ChangeRef{Version: binary.BigEndian.Uint64(b), Seq: binary.BigEndian.Uint32(b[8:])}, true
}

// ChangeSet returns the change set that made a data version; ErrNotFound when none did.
func (b *Base) ChangeSet(ctx context.Context, version uint64) (*store.ChangeSet, error) {
	cs, err := b.store.ChangeSetAt(ctx, version)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return nil, notFound("no change set has version %d", version)
	}
	return cs, nil
}

// ChangeSets returns many change sets by version in one read, aligned with versions; nil
// where a version has none.
func (b *Base) ChangeSets(ctx context.Context, versions []uint64) ([]*store.ChangeSet, error) {
	return b.store.ChangeSetsAt(ctx, versions)
}

// HistoryRequest asks for a page of one record's history.
type HistoryRequest struct {
	Record store.RecordKey
	Window Window
}

// Histories returns a page of each record's history (its changes, newest first), in one read.
func (b *Base) Histories(ctx context.Context, reqs []HistoryRequest) ([]*Page[store.Change], error) {
	fs := make([]store.ChangeFilter, len(reqs))
	limits := make([]int, len(reqs))
	for i, r := range reqs {
		f, limit, err := historyFilter(r)
		if err != nil {
			return nil, err
		}
		fs[i], limits[i] = f, limit
	}
	changes, more, err := b.store.ChangesMany(ctx, fs, limits)
	if err != nil {
		return nil, err
	}
	out := make([]*Page[store.Change], len(reqs))
	for i := range reqs {
		out[i] = changePage(changes[i], more[i], reqs[i].Window.After != nil)
	}
	return out, nil
}

func historyFilter(r HistoryRequest) (store.ChangeFilter, int, error) {
	if r.Window.Last != nil || r.Window.Before != nil {
		return store.ChangeFilter{}, 0, badInput("history is listed newest first: page with first and after")
	}
	args, err := r.Window.Args(ChangeCursor)
	if err != nil {
		return store.ChangeFilter{}, 0, err
	}
	rec := r.Record
	f := store.ChangeFilter{Record: &rec}
	if args.After != nil {
		ref, ok := changeRefOf(args.After)
		if !ok {
			return f, 0, badInput("after: not a cursor of this list")
		}
		f.Before = &ref
	}
	return f, args.Limit, nil
}

func changePage(changes []store.Change, more, after bool) *Page[store.Change] {
	page := &Page[store.Change]{Items: changes, HasNextPage: more, HasPreviousPage: after, Total: -1}
	for _, ch := range changes {
		page.Cursors = append(page.Cursors, changeCursor(ch.Version, ch.Seq))
	}
	return page
}

// ChangesOf returns a page of one change set's changes, in the order they were made.
func (b *Base) ChangesOf(ctx context.Context, version uint64, w Window) (*Page[store.Change], error) {
	if w.Last != nil || w.Before != nil {
		return nil, badInput("a change set's changes are paged with first and after")
	}
	args, err := w.Args(ChangeCursor)
	if err != nil {
		return nil, err
	}
	from := uint32(0)
	if args.After != nil {
		ref, ok := changeRefOf(args.After)
		if !ok || ref.Version != version {
			return nil, badInput("after: not a cursor of this change set")
		}
		from = ref.Seq + 1
	}
	changes, err := b.store.ChangesOf(ctx, version, from, args.Limit+1)
	if err != nil {
		return nil, err
	}
	page := &Page[store.Change]{HasPreviousPage: from > 0, Total: -1}
	if len(changes) > args.Limit {
		changes, page.HasNextPage = changes[:args.Limit], true
	}
	page.Items = changes
	for _, ch := range changes {
		page.Cursors = append(page.Cursors, changeCursor(ch.Version, ch.Seq))
	}
	return page, nil
}

// RecordAsOf returns the change that left a record as it was at a data version, or at a time
// when version is 0; nil when the record did not exist then.
func (b *Base) RecordAsOf(ctx context.Context, key store.RecordKey, version uint64, at time.Time) (*store.Change, error) {
	if version == 0 {
		if at.IsZero() {
			return nil, badInput("give a version or a time")
		}
		v, err := b.store.VersionAt(ctx, at)
		if err != nil {
			return nil, err
		}
		if v == 0 {
			return nil, nil
		}
		version = v
	}
	return b.store.RecordAsOf(ctx, key, version)
}

// ChangedFields lists the top-level fields of a record that differ between a change's before
// and after, in order: all of the after's for a record created, none for one archived.
func ChangedFields(ch *store.Change) []string {
	var before, after map[string]json.RawMessage
	_ = json.Unmarshal(ch.Before, &before)
	_ = json.Unmarshal(ch.After, &after)
	var out []string
	for k, v := range after {
		if w, ok := before[k]; !ok || string(w) != string(v) {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && ch.After != nil {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
