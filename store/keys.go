package store

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
)

// ID is the stable opaque identifier of an entity or relationship. It is derived from the slug
// (or from a relationship's ends and kind), so it is the same in every database built from the
// same data, and survives export and import.
type ID uint64

// EntityID returns the ID of the entity with the slug.
func EntityID(slug string) ID { return hashID("entity\x00" + slug) }

// RelationshipID returns the ID of the relationship from -kind-> to, by slugs.
func RelationshipID(from string, kind domain.RelKind, to string) ID {
	return hashID("rel\x00" + from + "\x00" + kind.String() + "\x00" + to)
}

func hashID(s string) ID {
	sum := sha256.Sum256([]byte(s))
	id := ID(binary.BigEndian.Uint64(sum[:8]))
	if id == 0 {
		id = 1 // 0 means "none" in Go zero values
	}
	return id
}

// Bytes is the ID's fixed-width big-endian key form.
func (id ID) Bytes() []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, uint64(id))
	return b
}

func idAt(b []byte) ID { return ID(binary.BigEndian.Uint64(b)) }

// fold is the sort form of a name: case-insensitive, so "graphql" sorts beside "GraphQL".
func fold(name string) string { return strings.ToLower(name) }

// cat concatenates key parts into a new slice.
func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var zero = []byte{0}

func nameKey(name string, id ID) []byte { return cat([]byte(fold(name)), zero, id.Bytes()) }

func attrPrefix(attr byte, value string) []byte { return cat([]byte{attr}, []byte(value), zero) }

func relKey(a ID, kind domain.RelKind, b ID, rel ID) []byte {
	return cat(a.Bytes(), []byte{byte(kind)}, b.Bytes(), rel.Bytes())
}
