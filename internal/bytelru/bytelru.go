// Package bytelru is a least-recently-used cache bounded by the bytes it holds, not by its
// number of entries: what clients send (documents, filters) varies in size by orders of
// magnitude, so a count bound says nothing about memory.
package bytelru

import (
	"container/list"
	"context"
	"sync"
)

// Cache is a byte-bounded LRU cache, safe for concurrent use.
type Cache[K comparable, V any] struct {
	mu       sync.Mutex
	maxBytes int64
	maxEntry int64
	bytes    int64
	sizeOf   func(K, V) int64
	order    *list.List // front: most recently used
	items    map[K]*list.Element
	// OnEvict, when set, is called (under the cache's lock) for every entry evicted to make room.
	OnEvict func()
}

type entry[K comparable, V any] struct {
	key  K
	val  V
	size int64
}

// EntryOverhead approximates the bookkeeping of one entry (list element, map slot, header),
// counted beside what sizeOf measures.
const EntryOverhead = 96

// New returns a cache holding at most maxBytes, as measured by sizeOf plus a fixed overhead per
// entry. An entry larger than maxEntry (or than maxBytes/8 when maxEntry is 0) is never kept:
// one huge value may not crowd out all the others.
func New[K comparable, V any](maxBytes, maxEntry int64, sizeOf func(K, V) int64) *Cache[K, V] {
	if maxEntry <= 0 || maxEntry > maxBytes/8 {
		maxEntry = maxBytes / 8
	}
	return &Cache[K, V]{maxBytes: maxBytes, maxEntry: maxEntry, sizeOf: sizeOf, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns the value of key and marks it recently used.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).val, true
}

// Add keeps value under key, evicting the least recently used entries past the bound, and
// reports whether it was kept.
func (c *Cache[K, V]) Add(key K, value V) bool {
	size := c.sizeOf(key, value) + EntryOverhead
	if size > c.maxEntry {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.bytes -= el.Value.(*entry[K, V]).size
		c.order.Remove(el)
	}
	c.items[key] = c.order.PushFront(&entry[K, V]{key: key, val: value, size: size})
	c.bytes += size
	for c.bytes > c.maxBytes {
		last := c.order.Back()
		old := last.Value.(*entry[K, V])
		c.order.Remove(last)
		delete(c.items, old.key)
		c.bytes -= old.size
		if c.OnEvict != nil {
			c.OnEvict()
		}
	}
	return true
}

// Bytes is what the cache holds now, as measured.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Strings is a Cache keyed by strings with the method set of gqlgen's graphql.Cache (a context
// first, no report of whether a value was kept), for the parsed-document and APQ caches.
type Strings[V any] struct{ *Cache[string, V] }

// NewStrings returns a Strings cache; see New.
func NewStrings[V any](maxBytes, maxEntry int64, sizeOf func(string, V) int64) Strings[V] {
	return Strings[V]{New(maxBytes, maxEntry, sizeOf)}
}

// Get looks up key.
func (s Strings[V]) Get(_ context.Context, key string) (V, bool) { return s.Cache.Get(key) }

// Add keeps value under key unless it is too large.
func (s Strings[V]) Add(_ context.Context, key string, value V) { s.Cache.Add(key, value) }

// Purge empties the cache.
func (c *Cache[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.bytes = 0
}

// Range calls f with every entry, most recently used first, until f returns false. The cache is
// locked meanwhile: f must not call it.
func (c *Cache[K, V]) Range(f func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.order.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry[K, V])
		if !f(e.key, e.val) {
			return
		}
	}
}
