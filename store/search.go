package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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

// nameFlag marks a token that is part of the entity's name: a query that holds all of a name's
// words finds that entity first.
const nameFlag = 1 << 15

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

// scored is a hit being ranked: its word score and what ranks it above that (see rankScore).
type scored struct {
	Hit
	// raw is the word score: field weights scaled by IDF.
	raw float64
	// tier, and the place among the answers of tierAnswer.
	tier  int8
	order int
	// coverage is the share of the name's words the query holds.
	coverage float64
	// Of the query's words: how many are in the name (nameHits, a prefix counts; wholeHits, as
	// whole words), how many in the name or an alias (strongHits); nameLen is the name's count.
	nameHits, wholeHits, strongHits, nameLen int
}

// Ranking tiers of a hit, best last; the zero tier is every other hit.
const (
	// tierAnswer: a benefit or challenge of what the rest of a question names ("serverless
	// challenges").
	tierAnswer int8 = iota + 1
	// tierExact: the query is the entity's name or one of its aliases (in any form of its words).
	tierExact
)

// SearchResult is a ranked page of hits and the number of all matches.
type SearchResult struct {
	Hits  []Hit
	Total int
	// DidYouMean holds the query with each word that is in no entity replaced by the nearest
	// indexed word; empty when every word is in some entity.
	DidYouMean []string
}

// Search finds the entities that match every word of the query, ranked best first; with
// AnyWord an entity matching any word is a hit, and hits matching more words rank first.
//
// A word matches the index's same word, the other forms of it (by stem: "challenges" finds
// "challenge"), and, as the last word of three letters or more, words it begins (search as you
// type); a word with none of these matches the indexed words a few edits away ("kubrnetes"
// finds "kubernetes"), and the result suggests the corrected query. Hits rank by tier (the
// query is the entity's name or alias; then, for a question such as "serverless challenges",
// the challenges of what the rest names), then by the share of the name the query holds,
// then trends before technologies and the other types when that share ties, then by
// field-weighted, IDF-scaled score, then by ID so the order is stable. It stops with ctx's
// error when ctx ends.
func (s *Store) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	tokens := slices.Compact(Tokenize(q.Text))
	res := &SearchResult{}
	if len(tokens) == 0 {
		return res, nil
	}
	steps := stepper{ctx: ctx}
	err := s.viewCtx(ctx, func(tx *bolt.Tx) error {
		vocab, err := s.searchVocabulary(tx, &steps)
		if err != nil {
			return err
		}
		words := make([]queryWord, len(tokens))
		for i, tok := range tokens {
			words[i] = vocab.expand(tok, i == len(tokens)-1)
		}
		res.DidYouMean = didYouMean(q.Text, words)
		m := matcher{c: tx.Bucket(bucketTokens).Cursor(), steps: &steps}
		if m.n, err = entityCount(tx); err != nil {
			return err
		}
		hits, err := m.match(words, q.AnyWord)
		if err != nil {
			return err
		}
		if err := s.markExactAliases(tx, hits, words); err != nil {
			return err
		}
		if err := s.answerQuestion(tx, &m, words, hits); err != nil {
			return err
		}
		if err := steps.now(); err != nil {
			return err
		}
		ranked := make([]*scored, 0, len(hits))
		for _, h := range hits {
			if len(q.Types) == 0 || slices.Contains(q.Types, h.Type) {
				h.settle()
				ranked = append(ranked, h)
			}
		}
		res.Total = len(ranked)
		if q.Limit >= 0 {
			ranked = bestOf(ranked, q.Offset+q.Limit, q.AnyWord)
		} else {
			rankScored(ranked, q.AnyWord)
		}
		ranked = ranked[min(q.Offset, len(ranked)):]
		if q.Limit >= 0 && len(ranked) > q.Limit {
			ranked = ranked[:q.Limit]
		}
		res.Hits = make([]Hit, len(ranked))
		for i, h := range ranked {
			res.Hits[i] = h.Hit
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

// entityCount is the number of entities, for the IDF of a word.
func entityCount(tx *bolt.Tx) (int, error) {
	counts, err := readCounts(tx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n, nil
}

// wordForm is one indexed word (or, with prefix, every indexed word it begins) that a query
// word matches, and how much a hit through it counts.
type wordForm struct {
	token  string
	prefix bool
	factor float64
	// whole is set for the word itself, another form of it or its correction: a name holding
	// it counts towards an exact match of the name, where a word the query merely begins does not.
	// Of a prefix, the words in wholeWords (and the prefix itself) are whole.
	whole      bool
	wholeWords map[string]bool
}

// How much a hit through another form of a word, or through a correction, counts against a
// hit through the word as typed: the word as typed ranks first.
const (
	stemFactor  = 0.8
	fuzzyFactor = 0.5
)

// queryWord is one word of a query and the indexed forms it matches.
type queryWord struct {
	text  string
	forms []wordForm
	// correction is the nearest indexed word when the word itself, its other forms and the
	// words it begins are in no entity; "" otherwise.
	correction string
}

// expand finds the indexed forms of a query word; last is set for the query's last word,
// which also matches as a prefix.
func (v *vocabulary) expand(tok string, last bool) queryWord {
	w := queryWord{text: tok}
	if v.has(tok) {
		w.forms = append(w.forms, wordForm{token: tok, factor: 1, whole: true})
	}
	for _, other := range v.byStem[Stem(tok)] {
		if other != tok {
			w.forms = append(w.forms, wordForm{token: other, factor: stemFactor, whole: true})
		}
	}
	// Prefix matching on one or two letters would scan most of the index.
	if last && len(tok) >= 3 && v.hasPrefix(tok) {
		// The prefix's scan reads the word and its forms that start with it: they are not read
		// again, and still count as the whole word.
		p := wordForm{token: tok, prefix: true, factor: 1, whole: true}
		w.forms = slices.DeleteFunc(w.forms, func(f wordForm) bool {
			if !strings.HasPrefix(f.token, tok) {
				return false
			}
			if p.wholeWords == nil {
				p.wholeWords = map[string]bool{}
			}
			p.wholeWords[f.token] = true
			return true
		})
		w.forms = append(w.forms, p)
	}
	// A word asking for benefits or challenges need not be in any entity: it is not misspelt.
	if _, asks := questionKinds[Stem(tok)]; len(w.forms) > 0 || asks {
		return w
	}
	// A suggestion may be one edit further than a match: "did you mean" still helps there;
	// but a word of one or two letters is one edit from too many others.
	limit := maxEdits(tok)
	if utf8.RuneCountInString(tok) < 3 {
		return w
	}
	near, d := v.nearest(tok, limit+1)
	if len(near) == 0 {
		return w
	}
	if d > limit {
		// Beyond a match, only a word that starts alike is a likely meaning: "kafka" is
		// not "area".
		near = slices.DeleteFunc(near, func(n string) bool { return n[0] != tok[0] })
		if len(near) == 0 {
			return w
		}
	}
	w.correction = near[0]
	if d <= limit {
		for _, n := range near {
			w.forms = append(w.forms, wordForm{token: n, factor: fuzzyFactor, whole: true})
		}
	}
	return w
}

// didYouMean is the query text with each word that has a correction replaced by it, or nothing
// when no word has one. Other words keep their spelling and the text its punctuation.
func didYouMean(text string, words []queryWord) []string {
	fix := map[string]string{}
	for _, w := range words {
		if w.correction != "" {
			fix[w.text] = w.correction
		}
	}
	if len(fix) == 0 {
		return nil
	}
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		word := text[start:end]
		if c, ok := fix[strings.ToLower(word)]; ok {
			// A capital the word started with stays: "Kubrnetes" suggests "Kubernetes".
			if r, _ := utf8.DecodeRuneInString(word); unicode.IsUpper(r) {
				first, n := utf8.DecodeRuneInString(c)
				c = string(unicode.ToUpper(first)) + c[n:]
			}
			word = c
		}
		b.WriteString(word)
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(text))
	return []string{b.String()}
}

// matcher scores entities against query words in one transaction.
type matcher struct {
	c     *bolt.Cursor
	steps *stepper
	// n is the number of entities, for IDF.
	n int
}

// wordHit is how one entity matches one query word, through the best of the word's forms.
type wordHit struct {
	weight float64
	typ    domain.EntityType
	// inName: a word of the name matches (a prefix match counts); wholeInName: a word of the
	// name is the query word in some form.
	inName, wholeInName bool
	// strong: the word weighs as much as an alias's word, so it may be in one.
	strong     bool
	nameTokens int
}

// scanWord returns the entities matching any form of w, each with its best weight.
func (m *matcher) scanWord(w queryWord) (map[ID]wordHit, error) {
	out := map[ID]wordHit{}
	for _, f := range w.forms {
		matches, err := scanToken(m.c, f.token, f.prefix, f.wholeWords, m.steps)
		if err != nil {
			return nil, err
		}
		for id, tm := range matches {
			h, ok := out[id]
			if !ok {
				h = wordHit{typ: tm.typ, nameTokens: tm.nameTokens}
			}
			h.weight = max(h.weight, float64(tm.weight)*f.factor)
			h.inName = h.inName || tm.inName
			h.wholeInName = h.wholeInName || tm.exactInName
			h.strong = h.strong || tm.weight >= weightAlias
			out[id] = h
		}
	}
	return out, nil
}

// match scores the entities holding every word (with anyWord, any word), with their ranking
// tier and name coverage: a hit is exact when the words are its name's words.
func (m *matcher) match(words []queryWord, anyWord bool) (map[ID]*scored, error) {
	scores := map[ID]*scored{}
	for i, w := range words {
		matches, err := m.scanWord(w)
		if err != nil {
			return nil, err
		}
		idf := math.Log(1 + float64(m.n)/float64(max(len(matches), 1)))
		held := 0
		for id, wh := range matches {
			if err := m.steps.step(); err != nil {
				return nil, err
			}
			h, ok := scores[id]
			switch {
			case ok && (anyWord || h.Matched == i):
			case !ok && (anyWord || i == 0):
				h = &scored{Hit: Hit{ID: id, Type: wh.typ}, nameLen: wh.nameTokens}
				scores[id] = h
			default:
				// With every word to match, it missed an earlier one (or holds none).
				continue
			}
			h.raw += wh.weight * idf
			h.Matched++
			held++
			if wh.inName {
				h.nameHits++
			}
			if wh.wholeInName {
				h.wholeHits++
			}
			if wh.strong {
				h.strongHits++
			}
		}
		if held == 0 && !anyWord {
			return map[ID]*scored{}, nil
		}
	}
	for id, h := range scores {
		if !anyWord && h.Matched < len(words) {
			delete(scores, id)
			continue
		}
		if n := h.nameLen; n > 0 {
			h.coverage = float64(min(h.nameHits, n)) / float64(n)
		}
		if h.wholeHits == len(words) && h.nameLen == len(words) {
			h.tier = tierExact
		}
	}
	return scores, nil
}

// aliasCandidates bounds how many of the best hits are read to find an alias the query
// spells: an entity so named ranks high on its alias's weight alone.
const aliasCandidates = 8

// markExactAliases moves to tierExact the hits (among the best that hold every word) that
// have an alias the query spells, word for word in some form.
func (s *Store) markExactAliases(tx *bolt.Tx, hits map[ID]*scored, words []queryWord) error {
	var cands []*scored
	for _, h := range hits {
		// Below weightAlias a word is in no alias (tag, kind and summary weigh less together).
		if h.tier != tierExact && h.strongHits == len(words) {
			cands = append(cands, h)
		}
	}
	// A word that weighs as an alias's but is not in the name is likely in an alias: those with
	// fewer of the words in their name first.
	slices.SortFunc(cands, func(a, b *scored) int {
		if c := cmp.Compare(min(a.nameHits, len(words)), min(b.nameHits, len(words))); c != 0 {
			return c
		}
		if c := cmp.Compare(b.raw, a.raw); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	cands = cands[:min(len(cands), aliasCandidates)]
	ids := make([]ID, len(cands))
	for i, h := range cands {
		ids[i] = h.ID
	}
	ents, err := s.loadEntities(tx, ids)
	if err != nil {
		return err
	}
	s.recordsRead.Add(uint64(len(ids)))
	want := make([]string, len(words))
	for i, w := range words {
		want[i] = Stem(w.text)
		if w.correction != "" {
			want[i] = Stem(w.correction)
		}
	}
	for i, e := range ents {
		if e == nil {
			continue
		}
		for _, a := range e.Aliases {
			if sameStems(Tokenize(a), want) {
				cands[i].tier = tierExact
				break
			}
		}
	}
	return nil
}

// sameStems reports whether the words have the stems want, in order.
func sameStems(words, want []string) bool {
	if len(words) != len(want) {
		return false
	}
	for i, w := range words {
		if Stem(w) != want[i] {
			return false
		}
	}
	return true
}

type tokenMatch struct {
	weight uint16
	typ    domain.EntityType
	// inName: the matched word is in the entity's name; exactInName: the name holds the token
	// itself, not only a longer word it begins.
	inName, exactInName bool
	// nameTokens is how many tokens the entity's name has.
	nameTokens int
}

// scanToken returns the entities holding tok (or, with prefix, any token starting with it),
// keeping each entity's best weight; a name holding tok or a word of whole is an exact hit in
// the name. It stops when the request of steps ends.
func scanToken(c *bolt.Cursor, tok string, prefix bool, whole map[string]bool, steps *stepper) (map[ID]tokenMatch, error) {
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
		inName := raw&nameFlag != 0
		m := tokenMatch{weight: raw &^ nameFlag, typ: domain.EntityType(v[2]), inName: inName,
			exactInName: inName && (len(k)-9 == len(tok) || whole[string(k[:len(k)-9])]), nameTokens: int(v[3])}
		// Of several words an entity holds that start with tok, the best weight counts, and
		// whether any is in the name, and whether tok itself is.
		if cur, ok := out[id]; ok {
			m.weight = max(m.weight, cur.weight)
			m.inName = m.inName || cur.inName
			m.exactInName = m.exactInName || cur.exactInName
		}
		out[id] = m
	}
	return out, nil
}

// rankScored orders settled hits as rank (or, with byWords, RankByWords) does.
func rankScored(hits []*scored, byWords bool) {
	slices.SortFunc(hits, func(a, b *scored) int {
		if byWords {
			if c := cmp.Compare(b.Matched, a.Matched); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// bestOf returns the best k of the settled hits, ranked, without sorting them all: a page is
// a few of thousands of hits.
func bestOf(hits []*scored, k int, byWords bool) []*scored {
	if k <= 0 {
		return nil
	}
	if k >= len(hits)/4 {
		rankScored(hits, byWords)
		return hits[:min(k, len(hits))]
	}
	// top is kept ranked; a hit enters when it ranks before its last.
	before := func(a, b *scored) bool {
		if byWords && a.Matched != b.Matched {
			return a.Matched > b.Matched
		}
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.ID < b.ID
	}
	top := make([]*scored, 0, k+1)
	for _, h := range hits {
		if len(top) == k && !before(h, top[k-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, h, func(e, t *scored) int {
			if before(e, t) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, i, h)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// RankByWords orders hits by how many words they match, then by score as rank does.
func RankByWords(hits []Hit) {
	rank(hits)
	slices.SortStableFunc(hits, func(a, b Hit) int { return b.Matched - a.Matched })
}

// typeOrder ranks entity types where the share of the name a query holds ties: a trend is the
// overview of its topic ("serverless" finds the trend Serverless computing before Serverless
// functions), then technologies, then what they relate to.
var typeOrder = map[domain.EntityType]int{
	domain.TypeTrend: 0, domain.TypeTechnology: 1, domain.TypeOrganization: 2,
	domain.TypeUseCase: 3, domain.TypeSkill: 4, domain.TypeTradeoff: 5,
}

// rank orders hits best first, by score; ties go by ID so the order is stable.
func rank(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// The parts of a hit's score, each outweighing every part after it, so that the score alone
// orders hits (see Search): the word score is capped below typeUnit.
const (
	exactBonus   = 1e8 // tierExact
	answerBonus  = 1e7 // tierAnswer, plus answerStep for each answer ranked after it
	answerStep   = 1e4
	maxAnswers   = 999
	coverageUnit = 1e4 // per whole percent of the name's words the query holds
	typeUnit     = 1e3 // per place before the last in typeOrder, where the name is hit at all
	maxWordScore = typeUnit - 1
)

// settle sets the hit's score to the one it ranks by: its word score (capped) with its
// tier, name coverage and type (see Search) in front.
func (h *scored) settle() {
	s := min(h.raw, maxWordScore)
	switch h.tier {
	case tierAnswer:
		s += answerBonus + answerStep*float64(maxAnswers-min(h.order, maxAnswers))
		h.Score = s
		return
	case tierExact:
		s += exactBonus
	}
	if h.coverage > 0 {
		s += coverageUnit*math.Round(100*h.coverage) + typeUnit*float64(len(typeOrder)-typeOrder[h.Type])
	}
	h.Score = s
}
