package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
)

// A replicated store does not commit its own changes: a writer prepares a change set (checks
// it against its copy, then throws the transaction away), appends it to a shared log, and every
// replica, the writer included, applies the log's entries in order. Applying an entry runs the
// same code as Apply, on the same state, so every replica ends with the same bytes.

// LogEntry is one change set as a replicated log carries it: the request that made it, the
// version it makes and its time.
type LogEntry struct {
	Version uint64    `json:"version"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Reason  string    `json:"reason"`
	Reverts uint64    `json:"reverts,omitempty"`
	Ops     []Op      `json:"ops"`
}

// Prepare checks a change request against the database as it is and returns the log entry that
// makes it, without writing anything: a *ConflictError, *RecordNotFoundError or
// *ValidationError says why it cannot be made. The entry holds until another change commits.
func (s *Store) Prepare(ctx context.Context, req ChangeRequest) (*LogEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("prepare change: %w", err)
	}
	if len(req.Ops) == 0 {
		return nil, errors.New("prepare change: no operation")
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return nil, fmt.Errorf("prepare change: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	cs, err := s.apply(tx, &req)
	if err != nil {
		return nil, fmt.Errorf("prepare change: %w", err)
	}
	return &LogEntry{Version: cs.Version, Time: cs.Time, Actor: req.Actor, Reason: req.Reason, Reverts: req.Reverts, Ops: req.Ops}, nil
}

// PrepareImport is Prepare for an import: the ops that make the database hold exactly d, as
// one log entry; nil when it holds d already. d is validated first, against texts when given.
func (s *Store) PrepareImport(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*LogEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	problems := dataset.Validate(d, texts)
	if len(problems) == 0 {
		problems = checkIDs(d)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("import: invalid dataset: %w", problems)
	}
	tx, err := s.db.Begin(true)
	if err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	ops, err := diff(tx, d, nil)
	if err != nil || len(ops) == 0 {
		return nil, err
	}
	req := ChangeRequest{Actor: actor, Reason: reason, Ops: ops, validated: true}
	cs, err := s.apply(tx, &req)
	if err != nil {
		return nil, fmt.Errorf("prepare import: %w", err)
	}
	return &LogEntry{Version: cs.Version, Time: cs.Time, Actor: actor, Reason: reason, Ops: ops}, nil
}

// ErrLogGap is an entry that does not follow the last one applied: the caller must catch up
// from the log first.
var ErrLogGap = errors.New("log entry out of order")

// ApplyLogged applies log entries in order, each with the log position it came from
// (checkpoints[i]), in one transaction (one fsync for a whole page of a catch-up). An entry
// already applied is skipped, so following a log again from any earlier point applies nothing
// twice; one that skips ahead is ErrLogGap, and nothing of the call is applied.
func (s *Store) ApplyLogged(ctx context.Context, entries []*LogEntry, checkpoints []int64) (applied int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var last uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		applied = 0
		for i, e := range entries {
			have := txVersion(tx)
			switch {
			case e.Version <= have:
				continue
			case e.Version != have+1:
				return fmt.Errorf("%w: entry %d after version %d", ErrLogGap, e.Version, have)
			}
			cs, err := s.apply(tx, &ChangeRequest{Actor: e.Actor, Reason: e.Reason, Reverts: e.Reverts, Ops: e.Ops, validated: true, time: e.Time})
			if err != nil {
				return fmt.Errorf("apply log entry %d: %w", e.Version, err)
			}
			if cs.Version != e.Version {
				return fmt.Errorf("log entry %d applied as version %d", e.Version, cs.Version)
			}
			if err := putCheckpoint(tx, checkpoints[i]); err != nil {
				return err
			}
			last = cs.Version
			applied++
		}
		return nil
	})
	if err != nil || applied == 0 {
		return 0, err
	}
	s.published(last)
	return applied, nil
}

// Checkpoint is the log position of the last entry applied (0: none).
func (s *Store) Checkpoint() (int64, error) {
	var cp int64
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(metaCheckpoint); len(b) == 8 {
			cp = int64(binary.BigEndian.Uint64(b))
		}
		return nil
	})
	return cp, err
}

func putCheckpoint(tx *bolt.Tx, cp int64) error {
	if err := tx.Bucket(bucketMeta).Put(metaCheckpoint, u64(uint64(cp))); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return nil
}
