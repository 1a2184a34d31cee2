package store

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"github.com/kljensen/snowball/english"
	bolt "go.etcd.io/bbolt"
)

// vocabulary is the set of distinct words of the search index at one data version, with the
// words of each stem, so that a query's word also finds the other forms of it ("challenges",
// "challenging") and a misspelt word finds the word meant. It is derived from bucketTokens when
// first needed after a write and kept in memory only: the index on disk is unchanged.
type vocabulary struct {
	version uint64
	// words is sorted, as in the index.
	words []string
	// byStem lists the words of each stem, in words' order.
	byStem map[string][]string
}

// Stem is the English (Porter2, Snowball) stem of a lower-case word: "databases" and
// "database" both give "databas". Search matches words by their stems.
func Stem(word string) string { return english.Stem(word, true) }

// searchVocabulary returns the vocabulary of the index that tx sees, building it when the one
// kept is of another data version. It reads one key per distinct word (a seek past the word's
// entities), not every key.
func (s *Store) searchVocabulary(tx *bolt.Tx, steps *stepper) (*vocabulary, error) {
	version := txVersion(tx)
	if v := s.vocab.Load(); v != nil && v.version == version {
		return v, nil
	}
	v := &vocabulary{version: version, byStem: map[string][]string{}}
	c := tx.Bucket(bucketTokens).Cursor()
	for k, _ := c.First(); k != nil; {
		if err := steps.step(); err != nil {
			return nil, err
		}
		end := len(k) - 9
		if end < 0 || k[end] != 0 {
			k, _ = c.Next()
			continue
		}
		w := string(k[:end])
		v.words = append(v.words, w)
		st := Stem(w)
		v.byStem[st] = append(v.byStem[st], w)
		// Every key of w is w + 0 + an ID: the next word starts at or after w + 1.
		k, _ = c.Seek(cat([]byte(w), []byte{1}))
	}
	s.vocab.Store(v)
	return v, nil
}

// has reports whether w is a word of the index.
func (v *vocabulary) has(w string) bool {
	_, ok := slices.BinarySearch(v.words, w)
	return ok
}

// hasPrefix reports whether a word of the index other than p starts with p.
func (v *vocabulary) hasPrefix(p string) bool {
	i, found := slices.BinarySearch(v.words, p)
	if found {
		i++
	}
	return i < len(v.words) && strings.HasPrefix(v.words[i], p)
}

// maxEdits is how many edits a word may be away from an indexed word to match it: none below
// four letters (too many short words are near each other), one up to seven, two beyond.
func maxEdits(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// nearest returns the indexed words at the smallest edit distance from w, if it is at most
// limit, and that distance. Words whose length differs by more than limit are not compared.
func (v *vocabulary) nearest(w string, limit int) ([]string, int) {
	if limit <= 0 {
		return nil, 0
	}
	n := utf8.RuneCountInString(w)
	best, out := limit+1, []string(nil)
	for _, cand := range v.words {
		if d := utf8.RuneCountInString(cand) - n; d > limit || d < -limit {
			continue
		}
		d := levenshtein.ComputeDistance(w, cand)
		switch {
		case d < best:
			best, out = d, []string{cand}
		case d == best:
			out = append(out, cand)
		}
	}
	if out == nil {
		return nil, 0
	}
	return out, best
}
