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

// Changes returns a page of the changes q selects, newest first: the first of the window from
// the newest end (or after its After cursor), or the last before its Before cursor (or the
// oldest).
func (b *Base) Changes(ctx context.Context, q ChangeQuery, w Window) (*Page[store.Change], error) {
	args, backward, err := changeWindow(w)
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
	if err := applyWindow(&f, args, backward); err != nil {
		return nil, err
	}
	changes, more, err := b.store.Changes(ctx, f, args.Limit)
	if err != nil {
		return nil, err
	}
	return changePage(changes, more, args, backward), nil
}

// changeWindow reads a window over a list of changes, newest first: first (with after) from
// the newest end, last (with before) from the oldest end or the newer side of before. The two
// directions do not mix.
func changeWindow(w Window) (args store.PageArgs, backward bool, err error) {
	if args, err = w.Args(ChangeCursor); err != nil {
		return args, false, err
	}
	backward = w.Last != nil || w.Before != nil
	if backward && (w.First != nil || w.After != nil) {
		return args, false, badInput("a list of changes pages with first and after, or with last and before")
	}
	return args, backward, nil
}

// applyWindow points the store's walk at the window: down from the newest (or from after), or,
// backwards, up from the oldest (or from before).
func applyWindow(f *store.ChangeFilter, args store.PageArgs, backward bool) error {
	cursor, arg := args.After, "after"
	if backward {
		cursor, arg = args.Before, "before"
	}
	if cursor == nil {
		f.OldestFirst = backward
		return nil
	}
	ref, ok := changeRefOf(cursor)
	if !ok {
		return badInput("%s: not a cursor of this list", arg)
	}
	if backward {
		f.OldestFirst, f.After = true, &ref
	} else {
		f.Before = &ref
	}
	return nil
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
	for i, r := range reqs {
		args, backward, _ := changeWindow(r.Window) // checked by historyFilter
		out[i] = changePage(changes[i], more[i], args, backward)
	}
	return out, nil
}

// HistoryWindow checks a window over a record's history, as Histories will read it, so that a
// caller batching many can refuse a bad one alone.
func HistoryWindow(w Window) (store.ChangeFilter, error) {
	f, _, err := historyFilter(HistoryRequest{Window: w})
	return f, err
}

func historyFilter(r HistoryRequest) (store.ChangeFilter, int, error) {
	args, backward, err := changeWindow(r.Window)
	if err != nil {
		return store.ChangeFilter{}, 0, err
	}
	rec := r.Record
	f := store.ChangeFilter{Record: &rec}
	if err := applyWindow(&f, args, backward); err != nil {
		return f, 0, err
	}
	return f, args.Limit, nil
}

// changePage makes a page, newest first, of the changes the store read for a window: newest
// first, or oldest first when paging backwards.
func changePage(changes []store.Change, more bool, args store.PageArgs, backward bool) *Page[store.Change] {
	page := &Page[store.Change]{Items: changes, HasNextPage: more, HasPreviousPage: args.After != nil, Total: -1}
	if backward {
		slices.Reverse(changes)
		page.HasPreviousPage, page.HasNextPage = more, args.Before != nil
	}
	for _, ch := range changes {
		page.Cursors = append(page.Cursors, changeCursor(ch.Version, ch.Seq))
	}
	return page
}

// ChangesOf returns a page of one change set's changes, in the order they were made.
func (b *Base) ChangesOf(ctx context.Context, version uint64, w Window) (*Page[store.Change], error) {
	args, backward, err := changeWindow(w)
	if err != nil {
		return nil, err
	}
	if backward {
		return b.lastChangesOf(ctx, version, args)
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

// lastChangesOf is the last changes of a change set, before args.Before or its end: sequence
// numbers run from 0 to its count, so the page's bounds are known before reading.
func (b *Base) lastChangesOf(ctx context.Context, version uint64, args store.PageArgs) (*Page[store.Change], error) {
	var end uint32
	if args.Before != nil {
		ref, ok := changeRefOf(args.Before)
		if !ok || ref.Version != version {
			return nil, badInput("before: not a cursor of this change set")
		}
		end = ref.Seq
	} else {
		cs, err := b.store.ChangeSetAt(ctx, version)
		if err != nil {
			return nil, err
		}
		if cs == nil {
			return &Page[store.Change]{Total: -1}, nil
		}
		end = uint32(cs.Changes)
	}
	from := end - min(end, uint32(args.Limit))
	page := &Page[store.Change]{HasPreviousPage: from > 0, HasNextPage: args.Before != nil, Total: -1}
	if end > from {
		changes, err := b.store.ChangesOf(ctx, version, from, int(end-from))
		if err != nil {
			return nil, err
		}
		page.Items = changes
	}
	for _, ch := range page.Items {
		page.Cursors = append(page.Cursors, changeCursor(ch.Version, ch.Seq))
	}
	return page, nil
}
