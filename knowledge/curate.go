package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Curator is the write side of the knowledge graph: every change a curator makes, through the
// API or an import, goes through it as one change set with an author and a reason. Records are
// checked by the dataset's own rules (against the source texts it was given) inside the write,
// so an invalid change writes nothing. Like Base it holds no state of its own.
type Curator struct {
	store  *store.Store
	texts  map[string]*dataset.SourceText
	commit Committer
}

// Committer commits change sets: the store itself (the default), or a replicated log that
// every replica's store follows (package replica).
type Committer interface {
	// Commit commits one change request as one change set.
	Commit(ctx context.Context, req store.ChangeRequest) (*store.ChangeSet, error)
	// CommitImport makes the graph hold exactly d as one change set, validating d against
	// texts first; nil when it holds d already.
	CommitImport(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*store.ChangeSet, error)
}

// Local commits to the store itself: one process, one file.
type Local struct{ Store *store.Store }

// Commit applies the request to the store.
func (l Local) Commit(ctx context.Context, req store.ChangeRequest) (*store.ChangeSet, error) {
	return l.Store.Apply(ctx, req)
}

// CommitImport imports d into the store as one change set.
func (l Local) CommitImport(ctx context.Context, d *dataset.Dataset, texts map[string]*dataset.SourceText, actor, reason string) (*store.ChangeSet, error) {
	return l.Store.ImportChange(ctx, d, texts, actor, reason)
}

// NewCurator returns a Curator writing to s; texts (by source slug, possibly nil) are what
// citations and the own-words rule are checked against. c commits its changes; nil commits
// to s itself.
func NewCurator(s *store.Store, texts map[string]*dataset.SourceText, c Committer) *Curator {
	if c == nil {
		c = Local{Store: s}
	}
	return &Curator{store: s, texts: texts, commit: c}
}

// Author says who makes a change and why; the audit trail keeps both.
type Author struct {
	// Actor names who: a token's name (never its secret), or "anonymous".
	Actor string
	// Reason is why, in the curator's words. Required.
	Reason string
}

// ReasonMax bounds the length of a change's reason, in bytes.
const ReasonMax = 2000

// ConflictError is a change based on a revision that is no longer current, or a create of a
// record that exists.
type ConflictError = store.ConflictError

// ValidationError lists what is wrong with a change's records; nothing was written. It matches
// ErrBadInput.
type ValidationError struct{ Problems []store.RecordProblem }

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Problem.String()
	}
	return strings.Join(msgs, "; ")
}

// Unwrap makes a ValidationError match ErrBadInput.
func (e *ValidationError) Unwrap() error { return ErrBadInput }

func (c *Curator) apply(ctx context.Context, by Author, ops ...store.Op) (*store.ChangeSet, error) {
	return c.applyReq(ctx, store.ChangeRequest{Actor: by.Actor, Reason: by.Reason, Ops: ops})
}

func (c *Curator) applyReq(ctx context.Context, req store.ChangeRequest) (*store.ChangeSet, error) {
	if strings.TrimSpace(req.Reason) == "" {
		return nil, &ValidationError{[]store.RecordProblem{{Op: -1, Problem: dataset.Problem{Field: "reason", Msg: "a change needs a reason: say why, for the audit trail"}}}}
	}
	if err := within("reason length", len(req.Reason), 1, ReasonMax); err != nil {
		return nil, err
	}
	if req.Actor == "" {
		req.Actor = "anonymous"
	}
	req.Texts = c.texts
	cs, err := c.commit.Commit(ctx, req)
	var invalid *store.ValidationError
	var missing *store.RecordNotFoundError
	switch {
	case errors.As(err, &invalid):
		return nil, &ValidationError{Problems: invalid.Problems}
	case errors.As(err, &missing):
		return nil, notFound("%s", missing.Error())
	}
	return cs, err
}

// CreateEntity adds an entity.
func (c *Curator) CreateEntity(ctx context.Context, by Author, e domain.Entity) (*store.ChangeSet, error) {
	return c.apply(ctx, by, store.Op{Action: store.Create, Entity: &e})
}

// EntityPatch holds the fields an update changes: a nil field stays as it is. An empty string
// clears an optional reference (parent, vendor); an empty list clears a list.
type EntityPatch struct {
	Name, Summary                                         *string
	Status, Parent, Kind, Vendor, Lifecycle, TradeoffType *string
	Aliases, Tags, Trends, AppliesTo                      *[]string
	Citations                                             *[]domain.Citation
}

func (p *EntityPatch) applyTo(e *domain.Entity) {
	set(&e.Name, p.Name)
	set(&e.Summary, p.Summary)
	set(&e.Status, p.Status)
	set(&e.Parent, p.Parent)
	set(&e.Kind, p.Kind)
	set(&e.Vendor, p.Vendor)
	set(&e.Lifecycle, p.Lifecycle)
	set(&e.TradeoffType, p.TradeoffType)
	set(&e.Aliases, p.Aliases)
	set(&e.Tags, p.Tags)
	set(&e.Trends, p.Trends)
	set(&e.AppliesTo, p.AppliesTo)
	set(&e.Citations, p.Citations)
}

// set replaces *dst with *src when src is given.
func set[T any](dst, src *T) {
	if src != nil {
		*dst = *src
	}
}

// current reads an entity for an update based on revision: a ConflictError when it moved on.
func (c *Curator) current(ctx context.Context, slug string, revision uint64) (*store.Entity, error) {
	es, err := c.store.EntitiesBySlug(ctx, []string{slug})
	if err != nil {
		return nil, err
	}
	e := es[0]
	switch {
	case e == nil:
		return nil, notFound("no entity has the slug %q", slug)
	case revision != 0 && e.Meta.Revision != revision:
		return nil, &ConflictError{Record: store.EntityKey(slug), Current: e.Meta.Revision, Expected: revision}
	}
	return e, nil
}

// UpdateEntity changes the fields of an entity that p sets. revision is the revision the
// change was based on: when the entity has moved on since, the update fails with a
// ConflictError naming its current revision, and nothing is written.
func (c *Curator) UpdateEntity(ctx context.Context, by Author, slug string, revision uint64, p EntityPatch) (*store.ChangeSet, error) {
	if revision == 0 {
		return nil, badInput("an update names the revision it was based on (1 or more)")
	}
	cur, err := c.current(ctx, slug, revision)
	if err != nil {
		return nil, err
	}
	e := cur.Entity
	p.applyTo(&e)
	return c.apply(ctx, by, store.Op{Action: store.Update, Entity: &e, IfRevision: revision})
}

// ArchiveEntity takes an entity out of the live graph, with its listed relationships and its
// assessments; its history stays. It is refused while another entity's field names it.
func (c *Curator) ArchiveEntity(ctx context.Context, by Author, slug string, revision uint64) (*store.ChangeSet, error) {
	if revision == 0 {
		return nil, badInput("an archive names the revision it was based on (1 or more)")
	}
	return c.apply(ctx, by, store.Op{Action: store.Archive, Entity: &domain.Entity{Slug: slug}, IfRevision: revision})
}

// Relate adds a listed relationship.
func (c *Curator) Relate(ctx context.Context, by Author, r domain.Relationship) (*store.ChangeSet, error) {
	r.Derived = false
	return c.apply(ctx, by, store.Op{Action: store.Create, Relationship: &r})
}

// Unrelate archives a listed relationship; revision 0 archives whatever revision it has.
func (c *Curator) Unrelate(ctx context.Context, by Author, from string, kind domain.RelKind, to string, revision uint64) (*store.ChangeSet, error) {
	return c.apply(ctx, by, store.Op{Action: store.Archive, Relationship: &domain.Relationship{From: from, Kind: kind, To: to}, IfRevision: revision})
}

// Assess places an entity on a radar edition: revision 0 creates the assessment, any other
// updates the one at that revision.
func (c *Curator) Assess(ctx context.Context, by Author, a domain.Assessment, revision uint64) (*store.ChangeSet, error) {
	action := store.Create
	if revision != 0 {
		action = store.Update
	}
	return c.apply(ctx, by, store.Op{Action: action, Assessment: &a, IfRevision: revision})
}

// AddSource adds a source that citations can name.
func (c *Curator) AddSource(ctx context.Context, by Author, src domain.Source) (*store.ChangeSet, error) {
	return c.apply(ctx, by, store.Op{Action: store.Create, Source: &src})
}

// AddCitation adds a citation to an entity or a listed relationship, based on its revision.
func (c *Curator) AddCitation(ctx context.Context, by Author, record store.RecordKey, revision uint64, cite domain.Citation) (*store.ChangeSet, error) {
	if revision == 0 {
		return nil, badInput("adding a citation names the revision it was based on (1 or more)")
	}
	switch record.Kind {
	case store.RecordEntity:
		cur, err := c.current(ctx, record.Key, revision)
		if err != nil {
			return nil, err
		}
		e := cur.Entity
		e.Citations = append(e.Citations[:len(e.Citations):len(e.Citations)], cite)
		return c.apply(ctx, by, store.Op{Action: store.Update, Entity: &e, IfRevision: revision})
	case store.RecordRelationship:
		from, kind, to, ok := store.ParseRelationshipKey(record.Key)
		if !ok {
			return nil, badInput("%q is not a relationship's key", record.Key)
		}
		rels, err := c.store.RelationshipsByID(ctx, []store.ID{store.RelationshipID(from, kind, to)})
		if err != nil {
			return nil, err
		}
		r := rels[0]
		switch {
		case r == nil:
			return nil, notFound("no relationship %s %s %s", from, kind, to)
		case r.Derived:
			return nil, badInput("%s %s %s is written by an entity's field: cite on that entity", from, kind, to)
		case r.Meta.Revision != revision:
			return nil, &ConflictError{Record: record, Current: r.Meta.Revision, Expected: revision}
		}
		rel := r.Relationship
		rel.Citations = append(rel.Citations[:len(rel.Citations):len(rel.Citations)], cite)
		return c.apply(ctx, by, store.Op{Action: store.Update, Relationship: &rel, IfRevision: revision})
	}
	return nil, badInput("only entities and relationships take citations this way")
}

// Revert applies the inverse of a change set as a new change set: what it created is archived,
// what it archived comes back, what it changed goes back to how it was. A record changed again
// since is a ConflictError (revert the later change first); nothing is forced.
func (c *Curator) Revert(ctx context.Context, by Author, version uint64) (*store.ChangeSet, error) {
	cs, err := c.store.ChangeSetAt(ctx, version)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return nil, notFound("no change set has version %d", version)
	}
	changes, err := c.store.ChangesOf(ctx, version, 0, cs.Changes)
	if err != nil {
		return nil, err
	}
	ops := make([]store.Op, 0, len(changes))
	for _, ch := range changes {
		op, err := inverse(&ch)
		if err != nil {
			return nil, err
		}
		ops = append(ops, op)
	}
	if by.Reason == "" {
		by.Reason = fmt.Sprintf("revert change set %d", version)
	}
	return c.applyReq(ctx, store.ChangeRequest{Actor: by.Actor, Reason: by.Reason, Reverts: version, Ops: ops})
}

// inverse is the op that undoes one change, based on the revision the change left.
func inverse(ch *store.Change) (store.Op, error) {
	op := store.Op{Action: store.Update, IfRevision: ch.Revision}
	raw := ch.Before
	switch {
	case ch.Before == nil: // created: archive it
		op.Action, raw = store.Archive, ch.After
	case ch.After == nil: // archived: bring it back, as long as nothing took its place
		op.Action, op.IfRevision = store.Create, 0
	}
	var err error
	switch ch.Record.Kind {
	case store.RecordEntity:
		op.Entity, err = decodeRecord[domain.Entity](raw)
	case store.RecordRelationship:
		op.Relationship, err = decodeRecord[domain.Relationship](raw)
	case store.RecordAssessment:
		op.Assessment, err = decodeRecord[domain.Assessment](raw)
	case store.RecordSource:
		op.Source, err = decodeRecord[domain.Source](raw)
	case store.RecordRadar:
		op.Radar, err = decodeRecord[domain.Radar](raw)
	}
	if err != nil {
		return op, fmt.Errorf("revert %s: %w", ch.Record, err)
	}
	return op, nil
}

// Import makes the graph hold exactly d, as one change set of the difference; nil when nothing
// differs.
func (c *Curator) Import(ctx context.Context, by Author, d *dataset.Dataset) (*store.ChangeSet, error) {
	if by.Actor == "" {
		by.Actor = "anonymous"
	}
	return c.commit.CommitImport(ctx, d, c.texts, by.Actor, by.Reason)
}

func decodeRecord[T any](raw []byte) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	return v, nil
}
