package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
)

// replay plays the change log forward to version (every change set when 0), in one read
// transaction, and returns each record's curated JSON as of then.
func replay(ctx context.Context, tx *bolt.Tx, version uint64) (map[RecordKey][]byte, error) {
	state := map[RecordKey][]byte{}
	steps := stepper{ctx: ctx}
	c := tx.Bucket(bucketChanges).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if version != 0 && binary.BigEndian.Uint64(k) > version {
			break
		}
		if err := steps.step(); err != nil {
			return nil, err
		}
		ch, err := decode[Change](v, "change")
		if err != nil {
			return nil, err
		}
		if ch.After == nil {
			delete(state, ch.Record)
		} else {
			state[ch.Record] = ch.After
		}
	}
	return state, nil
}

// ExportAsOf reads the whole graph as it was at a data version, by replaying the change log,
// into a dataset in canonical order.
func (s *Store) ExportAsOf(ctx context.Context, version uint64) (*dataset.Dataset, error) {
	d := &dataset.Dataset{}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		if version > txVersion(tx) {
			return fmt.Errorf("version %d is newer than the data (version %d)", version, txVersion(tx))
		}
		state, err := replay(ctx, tx, version)
		if err != nil {
			return err
		}
		for key, raw := range state {
			if err := addRecord(d, key.Kind, raw); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export %s as of version %d: %w", s.path, version, err)
	}
	d.Sort()
	return d, nil
}

func addRecord(d *dataset.Dataset, kind RecordKind, raw []byte) error {
	switch kind {
	case RecordSource:
		return appendJSON(&d.Sources, raw)
	case RecordRadar:
		return appendJSON(&d.Radars, raw)
	case RecordEntity:
		return appendJSON(&d.Entities, raw)
	case RecordRelationship:
		return appendJSON(&d.Relationships, raw)
	case RecordAssessment:
		return appendJSON(&d.Assessments, raw)
	}
	return fmt.Errorf("unknown record kind %d", kind)
}

// appendJSON decodes raw and appends it to list.
func appendJSON[T any](list *[]T, raw []byte) error {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	*list = append(*list, v)
	return nil
}

// VerifyHistory replays the whole change log and compares the result with the records the
// database holds: every difference is returned, one line each, nil when they agree.
func (s *Store) VerifyHistory(ctx context.Context) ([]string, error) {
	var diffs []string
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		state, err := replay(ctx, tx, 0)
		if err != nil {
			return err
		}
		have, err := currentRecords(tx)
		if err != nil {
			return err
		}
		for key, raw := range state {
			cur, ok := have[key]
			switch {
			case !ok:
				diffs = append(diffs, fmt.Sprintf("%s: in history, missing from the data", key))
			case !bytes.Equal(canonical(raw), canonical(cur.json)):
				diffs = append(diffs, fmt.Sprintf("%s: the data differs from its last change", key))
			}
		}
		for key := range have {
			if _, ok := state[key]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: in the data, missing from history", key))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify history of %s: %w", s.path, err)
	}
	slices.Sort(diffs)
	return diffs, nil
}

// canonical re-encodes JSON so that equal values compare equal byte for byte.
func canonical(raw []byte) []byte {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	return mustJSON(v)
}
