package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// DateTime is an instant, written as RFC 3339 in UTC with microseconds.
type DateTime time.Time

// dateTimeLayout always writes six fractional digits, so times sort as strings.
const dateTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// MarshalGQL writes the time as a JSON string.
func (t DateTime) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(time.Time(t).UTC().Format(dateTimeLayout)))
}

// UnmarshalGQL accepts RFC 3339 strings, with or without fractional seconds.
func (t *DateTime) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return InputError("a DateTime must be a string, RFC 3339 such as 2026-11-30T09:15:02Z")
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return InputError(fmt.Sprintf("%q is not an RFC 3339 time such as 2026-11-30T09:15:02Z", s))
	}
	*t = DateTime(parsed)
	return nil
}

// JSON is any JSON value, passed through as it is.
type JSON json.RawMessage

// MarshalGQL writes the value as it is.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		_, _ = io.WriteString(w, "null")
		return
	}
	_, _ = w.Write(j)
}

// UnmarshalGQL re-encodes whatever value the request held.
func (j *JSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return InputError("not a JSON value")
	}
	*j = b
	return nil
}

// ChangeSet is a committed change set.
type ChangeSet struct{ Set *store.ChangeSet }

// IsNode marks ChangeSet as a Node.
func (ChangeSet) IsNode() {}

// ID is the change set's global ID.
func (c ChangeSet) ID() string { return GlobalID("ChangeSet", strconv.FormatUint(c.Set.Version, 10)) }

// Version is the data version the change set made.
func (c ChangeSet) Version() int { return int(c.Set.Version) }

// Time is when it was committed.
func (c ChangeSet) Time() DateTime { return DateTime(c.Set.Time) }

// Actor is who made it.
func (c ChangeSet) Actor() string { return c.Set.Actor }

// Reason is why.
func (c ChangeSet) Reason() string { return c.Set.Reason }

// ChangeCount is how many records it changed.
func (c ChangeSet) ChangeCount() int { return c.Set.Changes }

// Change is one record's change, with its change set when that was read with it.
type Change struct {
	Change store.Change
	// Set is the change's change set, read with the page; nil makes the resolver read it.
	Set *store.ChangeSet
}

var recordKinds = map[store.RecordKind]RecordKind{
	store.RecordSource: RecordKindSource, store.RecordRadar: RecordKindRadar, store.RecordEntity: RecordKindEntity,
	store.RecordRelationship: RecordKindRelationship, store.RecordAssessment: RecordKindAssessment,
}

// RecordKind is the kind of the changed record.
func (c Change) RecordKind() RecordKind { return recordKinds[c.Change.Record.Kind] }

// RecordKey is the changed record's key.
func (c Change) RecordKey() string { return c.Change.Record.Key }

// EntityType is the type of a changed entity; null for other records.
func (c Change) EntityType() *EntityType {
	if c.Change.EntityType == 0 {
		return nil
	}
	t := EntityTypeEnum(c.Change.EntityType)
	return &t
}

// Action says what the change did.
func (c Change) Action() ChangeAction {
	switch {
	case c.Change.Before == nil:
		return ChangeActionCreated
	case c.Change.After == nil:
		return ChangeActionArchived
	}
	return ChangeActionUpdated
}

// Revision is the record's revision after the change.
func (c Change) Revision() int { return int(c.Change.Revision) }

// ChangedFields lists the fields that differ.
func (c Change) ChangedFields() []string {
	if f := knowledge.ChangedFields(&c.Change); f != nil {
		return f
	}
	return []string{}
}

// Before is the record before the change.
func (c Change) Before() JSON { return JSON(c.Change.Before) }

// After is the record after the change.
func (c Change) After() JSON { return JSON(c.Change.After) }
