package knowledge

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// evidenceMatch is the best cited passage of one entity that matched a query.
type evidenceMatch struct {
	typ     domain.EntityType
	matched int
	passage domain.Citation
}

// evidenceHits finds the passages of the source texts that match the tokens (every one, or
// with anyWord at least one; in any form of the word, by stem, and the last token also as a
// prefix of three letters or more, as in Search) and returns, for each entity citing one, the passage matching the most tokens (the
// first in the text on a tie). A citation without a source cites the source marked default.
func (b *Base) evidenceHits(ctx context.Context, tokens []string, anyWord bool, texts map[string]*dataset.SourceText) (map[store.ID]evidenceMatch, error) {
	sources, err := b.store.Sources()
	if err != nil {
		return nil, fmt.Errorf("search evidence: %w", err)
	}
	isDefault := map[string]bool{}
	for _, src := range sources {
		isDefault[src.Slug] = src.Default
	}
	var cites []domain.Citation
	var counts []int
	for _, slug := range slices.Sorted(maps.Keys(texts)) {
		text := texts[slug]
		for _, sec := range text.Sections {
			for j, para := range sec.Paragraphs {
				n := matchedTokens(tokens, para)
				if n == 0 || (!anyWord && n < len(tokens)) {
					continue
				}
				c := domain.Citation{Source: slug, Section: sec.Heading, Paragraph: j + 1}
				cites, counts = append(cites, c), append(counts, n)
				if isDefault[slug] {
					c.Source = ""
					cites, counts = append(cites, c), append(counts, n)
				}
			}
		}
	}
	out := map[store.ID]evidenceMatch{}
	if len(cites) == 0 {
		return out, nil
	}
	citing, err := b.store.CitingEntities(ctx, cites)
	if err != nil {
		return nil, fmt.Errorf("search evidence: %w", err)
	}
	for i, ents := range citing {
		for _, c := range ents {
			// The passage as the entity cites it: without a source, the default one.
			if cur, ok := out[c.ID]; !ok || counts[i] > cur.matched {
				out[c.ID] = evidenceMatch{typ: c.Type, matched: counts[i], passage: cites[i]}
			}
		}
	}
	return out, nil
}

// matchedTokens counts the query tokens a passage holds, in any form of the word (by stem), the
// last one also as the prefix of a word, as in Search.
func matchedTokens(tokens []string, text string) int {
	pw := passageWordsOf(text)
	n := 0
	for i, tok := range tokens {
		if pw.words[tok] || pw.stems[store.Stem(tok)] {
			n++
			continue
		}
		if i == len(tokens)-1 && len(tok) >= 3 {
			for w := range pw.words {
				if strings.HasPrefix(w, tok) {
					n++
					break
				}
			}
		}
	}
	return n
}

// passageWords are the words of a passage and their stems.
type passageWords struct {
	words, stems map[string]bool
}

// passageCache keeps the words of passages searched before: the source texts do not change
// while the server runs, and stemming every word of them again for each query would cost
// milliseconds. Bounded by count, as the texts are a few hundred passages.
var passageCache, _ = lru.New[string, passageWords](4096)

func passageWordsOf(text string) passageWords {
	if pw, ok := passageCache.Get(text); ok {
		return pw
	}
	pw := passageWords{words: map[string]bool{}, stems: map[string]bool{}}
	for _, w := range store.Tokenize(text) {
		pw.words[w] = true
		pw.stems[store.Stem(w)] = true
	}
	passageCache.Add(text, pw)
	return pw
}
