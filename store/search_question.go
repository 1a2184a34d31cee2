package store

import (
	"bytes"
	"slices"

	"github.com/trendgraph/trendgraph/domain"
	bolt "go.etcd.io/bbolt"
)

// questionKinds maps the stems of words that ask for benefits or challenges ("serverless
// challenges", "advantages of Rust") to the relationships that lead to such tradeoffs.
var questionKinds = func() map[string][]domain.RelKind {
	m := map[string][]domain.RelKind{}
	add := func(kinds []domain.RelKind, words ...string) {
		for _, w := range words {
			m[Stem(w)] = kinds
		}
	}
	add([]domain.RelKind{domain.RelHasBenefit}, "benefit", "advantage", "pro", "pros", "upside", "strength", "merit")
	add([]domain.RelKind{domain.RelHasChallenge}, "challenge", "drawback", "disadvantage", "downside", "con", "cons",
		"problem", "risk", "weakness", "pitfall", "limitation")
	add([]domain.RelKind{domain.RelHasBenefit, domain.RelHasChallenge}, "tradeoff", "tradeoffs")
	return m
}()

// Bounds of answering a question: the best hits of its subject that are read for tradeoffs,
// and how many of them with tradeoffs are answered.
const (
	questionSubjectsRead = 20
	questionSubjects     = 3
)

// answerQuestion answers a query that asks for benefits or challenges: its other words name
// the subject, and the subject's best matches' tradeoffs of that type (those of the best match
// first; of one match, those that hold the subject's words first) join hits in tierAnswer.
// A query without such a word, or with nothing else, is left as it is.
func (s *Store) answerQuestion(tx *bolt.Tx, m *matcher, words []queryWord, hits map[ID]*scored) error {
	var kinds []domain.RelKind
	var subject []queryWord
	for _, w := range words {
		if k, ok := questionKinds[Stem(w.text)]; ok {
			kinds = append(kinds, k...)
			continue
		}
		subject = append(subject, w)
	}
	if len(kinds) == 0 || len(subject) == 0 {
		return nil
	}
	kinds = slices.Compact(slices.Sorted(slices.Values(kinds)))
	found, err := m.match(subject, false)
	if err != nil {
		return err
	}
	var subjects []*scored
	for _, h := range found {
		if h.Type != domain.TypeTradeoff {
			subjects = append(subjects, h)
		}
		h.settle()
	}
	rankScored(subjects, false)
	c := tx.Bucket(bucketRelOut).Cursor()
	order, answered := 0, 0
	for _, subj := range subjects[:min(len(subjects), questionSubjectsRead)] {
		var tradeoffs []Hit
		for _, kind := range kinds {
			prefix := cat(subj.ID.Bytes(), []byte{byte(kind)})
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if err := m.steps.step(); err != nil {
					return err
				}
				if len(k) < 17 {
					continue
				}
				id := idAt(k[9:17])
				// A tradeoff holding the subject's words ranks first among the subject's.
				h := Hit{ID: id, Type: domain.TypeTradeoff}
				if f, ok := found[id]; ok {
					h.Score = f.Score
				}
				tradeoffs = append(tradeoffs, h)
			}
		}
		if len(tradeoffs) == 0 {
			continue
		}
		rank(tradeoffs)
		for _, t := range tradeoffs {
			h, ok := hits[t.ID]
			if !ok {
				h = &scored{Hit: t, raw: t.Score}
				hits[t.ID] = h
			}
			if h.tier >= tierAnswer {
				continue
			}
			h.tier, h.order, h.Matched = tierAnswer, order, len(words)
			order++
		}
		if answered++; answered == questionSubjects {
			break
		}
	}
	return nil
}
