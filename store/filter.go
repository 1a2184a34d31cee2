package store

import (
	"bytes"
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/trendgraph/trendgraph/dataset"
)

// Filters are evaluated to sets of entity IDs, kept as ascending slices: an attribute index
// entry ends in the ID, so each scan yields a sorted list and sets combine by merging.

// filterSetCacheSize bounds the evaluated filters kept; maxCachedSet the IDs of one of them.
const (
	filterSetCacheSize = 256
	maxCachedSet       = 1 << 20
)

// filterSet evaluates f over the types, or returns the set evaluated before at the same data
// version: dashboards page through the same filters again and again, and at 100k entities a
// broad filter costs milliseconds to evaluate but microseconds to page once evaluated.
func (s *Store) filterSet(tx *bolt.Tx, f *Filter, types []dataset.EntityType, universe int, counts map[dataset.EntityType]int) []ID {
	key, err := json.Marshal(struct {
		Types  []dataset.EntityType
		Filter *Filter
	}{types, f})
	version := txVersion(tx)
	if err == nil {
		if hit, ok := s.filterSets.Get(string(key)); ok && hit.version == version {
			return hit.ids
		}
	}
	set := restrictTypes(tx, evalFilter(tx, f, types), types, universe, counts)
	if err == nil && len(set) <= maxCachedSet {
		s.filterSets.Add(string(key), versionedSet{version: version, ids: set})
	}
	return set
}

type versionedSet struct {
	version uint64
	ids     []ID
}

// evalFilter returns the IDs, among entities of the types, that match f.
func evalFilter(tx *bolt.Tx, f *Filter, types []dataset.EntityType) []ID {
	var sets [][]ID
	attrAny := func(attr byte, values []string) {
		if len(values) == 0 {
			return
		}
		var u []ID
		for _, v := range values {
			u = union(u, scanAttr(tx, attr, v))
		}
		sets = append(sets, u)
	}
	attrAny(attrKind, f.Kinds)
	attrAny(attrStatus, f.Statuses)
	attrAny(attrLifecycle, f.Lifecycles)
	attrAny(attrTradeoff, f.TradeoffTypes)
	attrAny(attrVendor, f.Vendors)
	attrAny(attrTrend, f.Trends)
	attrAny(attrTag, f.TagsAny)
	attrAny(attrRing, f.Rings)
	for _, t := range f.TagsAll {
		sets = append(sets, scanAttr(tx, attrTag, t))
	}
	if f.Text != "" {
		sets = append(sets, textSet(tx, f.Text))
	}
	for _, sub := range f.And {
		if sub != nil {
			sets = append(sets, evalFilter(tx, sub, types))
		}
	}
	if len(f.Or) > 0 {
		var u []ID
		for _, sub := range f.Or {
			if sub != nil {
				u = union(u, evalFilter(tx, sub, types))
			}
		}
		sets = append(sets, u)
	}
	if f.Not != nil {
		sets = append(sets, difference(typeSet(tx, types), evalFilter(tx, f.Not, types)))
	}
	if len(sets) == 0 {
		// An empty filter matches everything.
		return typeSet(tx, types)
	}
	// Intersect smallest first, so the work is bounded by the most selective condition.
	slices.SortFunc(sets, func(a, b []ID) int { return len(a) - len(b) })
	out := sets[0]
	for _, s := range sets[1:] {
		if len(out) == 0 {
			break
		}
		out = intersect(out, s)
	}
	return out
}

// restrictTypes keeps the members of set whose type is one of types; when types cover the whole
// database the set is returned as is.
func restrictTypes(tx *bolt.Tx, set []ID, types []dataset.EntityType, universe int, counts map[dataset.EntityType]int) []ID {
	total := 0
	for _, c := range counts {
		total += c
	}
	if universe == total {
		return set
	}
	return intersect(set, typeSet(tx, types))
}

func typeSet(tx *bolt.Tx, types []dataset.EntityType) []ID {
	var u []ID
	for _, t := range types {
		u = union(u, scanAttr(tx, attrType, string([]byte{byte(t)})))
	}
	return u
}

// scanAttr returns the IDs indexed under one attribute value, ascending.
func scanAttr(tx *bolt.Tx, attr byte, value string) []ID {
	prefix := attrPrefix(attr, value)
	var out []ID
	c := tx.Bucket(bucketAttr).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+8 {
			out = append(out, idAt(k[len(prefix):]))
		}
	}
	return out
}

// textSet returns the IDs matching every token of text, the last also as a prefix.
func textSet(tx *bolt.Tx, text string) []ID {
	tokens := slices.Compact(Tokenize(text))
	if len(tokens) == 0 {
		return nil
	}
	c := tx.Bucket(bucketTokens).Cursor()
	var out []ID
	for i, tok := range tokens {
		m := scanToken(c, tok, i == len(tokens)-1 && len(tok) >= 3)
		ids := make([]ID, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		if i == 0 {
			out = ids
		} else {
			out = intersect(out, ids)
		}
	}
	return out
}

func union(a, b []ID) []ID {
	if len(a) == 0 {
		return b
	}
	if len(b) == 0 {
		return a
	}
	out := make([]ID, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func intersect(a, b []ID) []ID {
	var out []ID
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func difference(a, b []ID) []ID {
	var out []ID
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}
