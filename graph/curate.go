package graph

import (
	"context"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// The mutations map their input objects onto the query layer's write side (knowledge.Curator)
// and its answers onto payloads; the rules, the revisions and the change log live there.

func (r *Resolver) curator() *knowledge.Curator {
	return knowledge.NewCurator(r.Store, r.Texts, r.Committer)
}

// author is who makes a change and why: the caller, who needs the write scope.
func author(ctx context.Context, reason *string) (knowledge.Author, error) {
	c, err := require(ctx, ScopeWrite)
	if err != nil {
		return knowledge.Author{}, err
	}
	a := knowledge.Author{Actor: c.Name}
	if reason != nil {
		a.Reason = *reason
	}
	return a, nil
}

func citationsOf(in []*model.CitationInput) []domain.Citation {
	out := make([]domain.Citation, len(in))
	for i, c := range in {
		out[i] = citationOf(c)
	}
	return out
}

func citationOf(c *model.CitationInput) domain.Citation {
	cite := domain.Citation{Section: c.Section, Paragraph: c.Paragraph}
	if c.Source != nil {
		cite.Source = *c.Source
	}
	return cite
}

// word is an optional enum input as the data files write it.
func word[E ~string](e *E) string {
	if e == nil {
		return ""
	}
	return model.DataWord(string(*e))
}

func wordPtr[E ~string](e *E) *string {
	if e == nil {
		return nil
	}
	w := model.DataWord(string(*e))
	return &w
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// listPtr tells a list left out (nil: unchanged) from one given, even empty.
func listPtr(l []string) *[]string {
	if l == nil {
		return nil
	}
	return &l
}

func entityOfInput(in *model.CreateEntityInput) domain.Entity {
	return domain.Entity{
		Type: model.EntityTypeOf(in.Type), Slug: in.Slug, Name: in.Name, Summary: in.Summary,
		Aliases: in.Aliases, Tags: in.Tags, Status: word(in.Status), Parent: deref(in.Parent), Kind: word(in.Kind),
		Vendor: deref(in.Vendor), Lifecycle: word(in.Lifecycle), Trends: in.Trends, TradeoffType: word(in.TradeoffType),
		AppliesTo: in.AppliesTo, Citations: citationsOf(in.Citations),
	}
}

func patchOf(in *model.UpdateEntityInput) knowledge.EntityPatch {
	p := knowledge.EntityPatch{
		Name: in.Name, Summary: in.Summary, Parent: in.Parent, Vendor: in.Vendor,
		Status: wordPtr(in.Status), Kind: wordPtr(in.Kind), Lifecycle: wordPtr(in.Lifecycle), TradeoffType: wordPtr(in.TradeoffType),
		Aliases: listPtr(in.Aliases), Tags: listPtr(in.Tags), Trends: listPtr(in.Trends), AppliesTo: listPtr(in.AppliesTo),
	}
	if in.Citations != nil {
		cs := citationsOf(in.Citations)
		p.Citations = &cs
	}
	return p
}

// revisionOf is a revision argument, which must be 1 or more when given.
func revisionOf(rev *int) (uint64, error) {
	if rev == nil {
		return 0, nil
	}
	if *rev < 1 {
		return 0, badInput("revision is 1 or more, got %d", *rev)
	}
	return uint64(*rev), nil
}

// entitySlug names the entity an input points at by id or slug.
func (r *Resolver) entitySlug(ctx context.Context, id, slug *string) (string, error) {
	key, err := r.recordKeyOf(ctx, id, slug)
	if err != nil {
		return "", err
	}
	if key.Kind != store.RecordEntity {
		return "", badInput("the ID names a %s, not an entity", key.Kind)
	}
	return key.Key, nil
}

// entityChange is what an update or archive of an entity starts from: its author (who needs
// the write scope), the entity's slug and the revision the change is based on.
func (r *Resolver) entityChange(ctx context.Context, reason string, id, slug *string, revision int) (knowledge.Author, string, uint64, error) {
	by, err := author(ctx, &reason)
	if err != nil {
		return by, "", 0, err
	}
	s, err := r.entitySlug(ctx, id, slug)
	if err != nil {
		return by, "", 0, err
	}
	rev, err := revisionOf(&revision)
	return by, s, rev, err
}

// entityNow reads an entity as a mutation left it, for its payload.
func (r *Resolver) entityNow(ctx context.Context, slug string) (model.Entity, error) {
	return r.entityBySlug(ctx, slug, 0)
}

// relationshipNow reads a relationship with its ends, for a payload.
func (r *Resolver) relationshipNow(ctx context.Context, from string, kind domain.RelKind, to string) (*model.Relationship, error) {
	rels, err := r.Store.RelationshipsByID(ctx, []store.ID{store.RelationshipID(from, kind, to)})
	if err != nil {
		return nil, err
	}
	if rels[0] == nil {
		return nil, notFound("the relationship %s %s %s is gone", from, kind, to)
	}
	ends, err := r.Store.EntitiesByID(ctx, []store.ID{rels[0].FromID, rels[0].ToID})
	if err != nil {
		return nil, err
	}
	return &model.Relationship{Relationship: rels[0], FromEntity: ends[0], ToEntity: ends[1]}, nil
}

// relationshipOf reads the relationship a global ID names.
func (r *Resolver) relationshipOf(ctx context.Context, id string) (*store.Relationship, error) {
	key, err := r.recordKeyOf(ctx, &id, nil)
	if err != nil {
		return nil, err
	}
	if key.Kind != store.RecordRelationship {
		return nil, badInput("the ID names a %s, not a relationship", key.Kind)
	}
	from, kind, to, _ := store.ParseRelationshipKey(key.Key)
	rels, err := r.Store.RelationshipsByID(ctx, []store.ID{store.RelationshipID(from, kind, to)})
	if err != nil {
		return nil, err
	}
	return rels[0], nil
}

// assessmentNow reads an assessment as a mutation left it, with its previous edition's.
func (r *Resolver) assessmentNow(ctx context.Context, radar, edition, entity string) (*model.Assessment, error) {
	all, err := r.Store.AssessmentsOf(ctx, []store.ID{store.EntityID(entity)})
	if err != nil {
		return nil, err
	}
	radars, err := loadersFrom(ctx).radars()
	if err != nil {
		return nil, err
	}
	rd, ok := radars[radar]
	if !ok {
		return nil, notFound("no radar has the slug %q", radar)
	}
	m := model.Radar{Radar: rd}
	var out *model.Assessment
	var previous *store.Assessment
	for _, a := range all[0] {
		switch {
		case a.Radar == radar && a.Edition == edition:
			out = &model.Assessment{Assessment: a, Radar: m}
		case a.Radar == radar && a.Edition == m.PreviousEdition(edition):
			previous = a
		}
	}
	if out == nil {
		return nil, notFound("the assessment of %q on %s at %s is gone", entity, radar, edition)
	}
	out.Previous = previous
	return out, nil
}

func changeSetOf(cs *store.ChangeSet) *model.ChangeSet { return &model.ChangeSet{Set: cs} }
