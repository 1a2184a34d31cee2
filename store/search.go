package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/trendgraph/trendgraph/domain"
	bolt "go.etcd.io/bbolt"
)

// Field weights of the search index: a hit in a name counts far more than one in a summary.
const (
	weightName    = 16
	weightAlias   = 12
	weightTag     = 6
	weightKind    = 4
	weightSummary = 1
)

// nameFlag marks a token that is part of the entity's name; exactBonus is added to the score
// of an entity whose whole name the query spells, so "graphql" finds GraphQL before everything
// that merely mentions it.
const (
	nameFlag   = 1 << 15
	exactBonus = 1e6
)

// maxTokenLen bounds index keys; longer words are cut.
const maxTokenLen = 64

var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "are": true, "as": true, "at": true, "be": true, "by": true,
	"for": true, "from": true, "in": true, "is": true, "it": true, "its": true, "of": true, "on": true,
	"or": true, "that": true, "the": true, "to": true, "with": true,
}

// Tokenize splits text into search tokens: lower-case runs of letters and digits, without stop
// words, each at most 64 bytes. "Node.js" gives "node" and "js".
func Tokenize(text string) []string {
	fields := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	out := fields[:0]
	for _, f := range fields {
		if stopWords[f] {
			continue
		}
		if len(f) > maxTokenLen {
			f = f[:maxTokenLen]
			for !utf8Valid(f) {
				f = f[:len(f)-1]
			}
		}
		out = append(out, f)
	}
	return out
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// entityTokens returns every token of an entity with its summed field weight.
func entityTokens(e *domain.Entity) map[string]uint16 {
	m := map[string]uint16{}
	add := func(text string, w uint16) {
		for _, t := range Tokenize(text) {
			if m[t] <= math.MaxUint16-w {
				m[t] += w
			}
		}
	}
	defer func() {
		// The top bit marks tokens of the name, for the exact-name bonus; weights stay below it.
		for _, t := range Tokenize(e.Name) {
			m[t] = min(m[t], nameFlag-1) | nameFlag
		}
	}()
	add(e.Name, weightName)
	for _, a := range e.Aliases {
		add(a, weightAlias)
	}
	for _, t := range e.Tags {
		add(t, weightTag)
	}
	add(e.Kind, weightKind)
	add(e.Summary, weightSummary)
	return m
}

// SearchQuery asks for entities matching every word of Text, or any word of it.
type SearchQuery struct {
	Text string
	// AnyWord matches entities holding any of the words, ranked first by how many they hold.
	AnyWord bool
	// Types limits the result to these entity types; empty means all.
	Types []domain.EntityType
	// Offset skips the first hits; Limit is the number of hits returned. The total is counted
	// regardless.
	Offset, Limit int
	// Load also decodes the returned hits' entities, in the same transaction.
	Load bool
}

// Hit is one search result.
type Hit struct {
	ID    ID
	Type  domain.EntityType
	Score float64
	// Matched is how many of the query's words the entity holds.
	Matched int
	// Entity is set when the query asked to Load it.
	Entity *Entity
}

// SearchResult is a ranked page of hits and the number of all matches.
type SearchResult struct {
	Hits  []Hit
	Total int
}

// Search finds the entities that match every token of the query (the last one also as a
// prefix, for search-as-you-type), ranked by field-weighted, IDF-scaled score, best first; ties
// go by ID so the order is stable. With AnyWord an entity matching any token is a hit, and
// hits matching more tokens rank first. It stops with ctx's error when ctx ends.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	tokens := Tokenize(q.Text)
	res := &SearchResult{}
	if len(tokens) == 0 {
		return res, nil
	}
	tokens = slices.Compact(tokens)
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		counts, err := readCounts(tx)
		if err != nil {
			return err
		}
		n := 0
		for _, c := range counts {
			n += c
		}
		c := tx.Bucket(bucketTokens).Cursor()
		var scores map[ID]*Hit
		nameHits := map[ID]int{}
		nameLen := map[ID]int{}
		for i, tok := range tokens {
			// Prefix matching on one or two letters would scan most of the index.
			prefix := i == len(tokens)-1 && len(tok) >= 3
			matches, err := scanToken(c, tok, prefix, &steps)
			if err != nil {
				return err
			}
			idf := math.Log(1 + float64(n)/float64(max(len(matches), 1)))
			next := make(map[ID]*Hit, len(matches))
			for id, m := range matches {
				if err := steps.step(); err != nil {
					return err
				}
				if m.inName {
					nameHits[id]++
				}
				nameLen[id] = m.nameTokens
				if prev, ok := scores[id]; ok {
					prev.Score += float64(m.weight) * idf
					prev.Matched++
					next[id] = prev
					continue
				}
				if i > 0 && !q.AnyWord {
					continue
				}
				next[id] = &Hit{ID: id, Type: m.typ, Score: float64(m.weight) * idf, Matched: 1}
			}
			if q.AnyWord {
				// Every hit so far stays one, whether or not it holds this word.
				for id, h := range scores {
					if _, ok := next[id]; !ok {
						next[id] = h
					}
				}
			}
			scores = next
			if len(scores) == 0 && !q.AnyWord {
				break
			}
		}
		if err := steps.now(); err != nil {
			return err
		}
		for id, h := range scores {
			if nameHits[id] == len(tokens) && nameLen[id] == len(tokens) {
				h.Score += exactBonus
			}
			if len(q.Types) == 0 || slices.Contains(q.Types, h.Type) {
				res.Hits = append(res.Hits, *h)
			}
		}
		res.Total = len(res.Hits)
		if q.AnyWord {
			RankByWords(res.Hits)
		} else {
			rank(res.Hits)
		}
		res.Hits = res.Hits[min(q.Offset, len(res.Hits)):]
		if q.Limit >= 0 && len(res.Hits) > q.Limit {
			res.Hits = res.Hits[:q.Limit]
		}
		if !q.Load {
			return nil
		}
		ids := make([]ID, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		ents, err := s.loadEntities(tx, ids)
		for i := range res.Hits {
			if err == nil {
				res.Hits[i].Entity = ents[i]
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if q.Load {
		s.recordsRead.Add(uint64(len(res.Hits)))
	}
	return res, nil
}

type tokenMatch struct {
	weight uint16
	typ    domain.EntityType
	inName bool
	// nameTokens is how many tokens the entity's name has.
	nameTokens int
}

// scanToken returns the entities holding tok (or, with prefix, any token starting with it),
// keeping each entity's best weight. It stops when the request of steps ends.
func scanToken(c *bolt.Cursor, tok string, prefix bool, steps *stepper) (map[ID]tokenMatch, error) {
	out := map[ID]tokenMatch{}
	seek := []byte(tok)
	if !prefix {
		seek = cat(seek, zero)
	}
	for k, v := c.Seek(seek); k != nil && bytes.HasPrefix(k, seek); k, v = c.Next() {
		if err := steps.step(); err != nil {
			return nil, err
		}
		if len(k) < 9 || len(v) < 4 {
			continue
		}
		id := idAt(k[len(k)-8:])
		raw := binary.BigEndian.Uint16(v)
		m := tokenMatch{weight: raw &^ nameFlag, typ: domain.EntityType(v[2]), inName: raw&nameFlag != 0, nameTokens: int(v[3])}
		// An exact token beats a longer one that merely starts with it.
		if prefix && len(k)-9 != len(tok) {
			m.inName = false
		}
		if cur, ok := out[id]; !ok || m.weight > cur.weight || (m.inName && !cur.inName) {
			out[id] = m
		}
	}
	return out, nil
}

// RankByWords orders hits by how many words they match, then best first, then by ID.
func RankByWords(hits []Hit) {
	rank(hits)
	slices.SortStableFunc(hits, func(a, b Hit) int { return b.Matched - a.Matched })
}

// rank orders hits best first; ties go by ID so the order is stable.
func rank(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}
