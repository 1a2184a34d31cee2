package store

import (
	"encoding/binary"
	"encoding/json"

	"github.com/trendgraph/trendgraph/domain"
)

// entry is one key of one bucket that a record writes: the record itself or an index entry.
// Import writes every record's entries; a change deletes the entries of a record's old version
// and writes those of its new one. One function per kind of record lists them, so the two
// paths cannot disagree on the layout.
type entry struct{ bucket, k, v []byte }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own plain structs always encode
	}
	return b
}

// entityEntries lists the record and every index entry of an entity, not its derived edges.
func entityEntries(rec *Entity) []entry {
	e, id := &rec.Entity, rec.ID
	nk := nameKey(e.Name, id)
	out := []entry{
		{bucketEntities, id.Bytes(), mustJSON(rec)},
		{bucketSlugs, []byte(e.Slug), cat(id.Bytes(), []byte{byte(e.Type)})},
		{bucketByName, nk, []byte{byte(e.Type)}},
		{bucketSortKey, cat(id.Bytes(), []byte{byte(OrderName)}), nk},
		{bucketSortKey, cat(id.Bytes(), []byte{byte(OrderSlug)}), []byte(e.Slug)},
	}
	for _, a := range entityAttrs(e) {
		out = append(out, entry{bucketAttr, cat(attrPrefix(a.attr, a.value), id.Bytes()), nil})
	}
	nameTokens := byte(min(len(Tokenize(e.Name)), 255))
	for tok, weight := range entityTokens(e) {
		v := make([]byte, 4)
		binary.BigEndian.PutUint16(v, weight)
		v[2] = byte(e.Type)
		v[3] = nameTokens
		out = append(out, entry{bucketTokens, cat([]byte(tok), zero, id.Bytes()), v})
	}
	return out
}

// newRelationship is the stored form of r.
func newRelationship(r domain.Relationship, meta Meta) *Relationship {
	return &Relationship{ID: RelationshipID(r.From, r.Kind, r.To), FromID: EntityID(r.From), ToID: EntityID(r.To), Relationship: r, Meta: meta}
}

// relEntries lists the record and both index entries of a relationship. Each index entry's
// value is the other end's type, so edges can be filtered by it unread.
func relEntries(rec *Relationship, fromType, toType domain.EntityType) []entry {
	return []entry{
		{bucketRels, rec.ID.Bytes(), mustJSON(rec)},
		{bucketRelOut, relKey(rec.FromID, rec.Kind, rec.ToID, rec.ID), []byte{byte(toType)}},
		{bucketRelIn, relKey(rec.ToID, rec.Kind, rec.FromID, rec.ID), []byte{byte(fromType)}},
	}
}

// assessmentEntries lists the record and index entries of an assessment; latest says whether
// its edition is its radar's newest, where the ring filter looks.
func assessmentEntries(rec *Assessment, latest bool) []entry {
	a, id := &rec.Assessment, rec.EntityID
	out := []entry{
		{bucketAssessments, assessmentKey(a.Radar, a.Edition, id), mustJSON(rec)},
		{bucketAssessByEntity, cat(id.Bytes(), []byte(a.Radar), zero, []byte(a.Edition)), nil},
	}
	if latest {
		out = append(out, entry{bucketAttr, cat(attrPrefix(attrRing, a.Radar+"/"+a.Ring), id.Bytes()), nil})
	}
	return out
}

func sourceEntries(rec *Source) []entry {
	return []entry{{bucketSources, []byte(rec.Slug), mustJSON(rec)}}
}

func radarEntries(rec *Radar) []entry {
	return []entry{{bucketRadars, []byte(rec.Slug), mustJSON(rec)}}
}

// latestEdition is the date of the radar's newest edition.
func latestEdition(r *domain.Radar) string {
	latest := ""
	for _, e := range r.Editions {
		latest = max(latest, e.Date)
	}
	return latest
}
