package store

import "context"

// ProgressFunc is told how far a long write has come: stage names the step, done of total
// units of it (records or index entries), total known when the stage begins. An import calls
// it with these stages, in this order:
//
//   - "comparing": an import into a database with data reads it and compares each record of
//     the dataset (ImportChange only);
//   - "writing": records and their change log entries are written (into a database with
//     data: the records created, changed or archived);
//   - "indexing": the indexes are written, total counting each record once per index it feeds
//     (a first import only: a change writes a record's index entries with it).
//
// It is called from the goroutine doing the write, at most about every progressStep units and
// once at the end of each stage (done == total), so it must return quickly: hand the numbers
// to a display, do not draw there.
type ProgressFunc func(stage string, done, total int64)

type progressKey struct{}

// WithProgress returns a context that carries fn to the long writes it is passed to
// (ImportChange, ImportNew); they report to fn as they go. A nil fn reports nothing.
func WithProgress(ctx context.Context, fn ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressStep is how many units pass between two reports: a report costs a call, and a
// million records make a thousand of them.
const progressStep = 1024

// progress reports one stage at a time to the context's ProgressFunc; with none, it costs
// a nil check.
type progress struct {
	fn                ProgressFunc
	stage             string
	done, total, last int64
}

func progressOf(ctx context.Context) *progress {
	fn, _ := ctx.Value(progressKey{}).(ProgressFunc)
	return &progress{fn: fn}
}

// start begins a stage of total units and reports it at 0. A nil progress reports nothing.
func (p *progress) start(stage string, total int64) {
	if p == nil {
		return
	}
	p.stage, p.done, p.total, p.last = stage, 0, total, 0
	if p.fn != nil {
		p.fn(stage, 0, total)
	}
}

// add counts n more units done.
func (p *progress) add(n int64) {
	if p == nil || p.fn == nil {
		return
	}
	p.done = min(p.done+n, p.total)
	if p.done-p.last >= progressStep || (p.done == p.total && p.last != p.total) {
		p.last = p.done
		p.fn(p.stage, p.done, p.total)
	}
}

// finish reports the stage complete, if it has not been yet.
func (p *progress) finish() {
	if p != nil {
		p.add(p.total - p.done)
	}
}
