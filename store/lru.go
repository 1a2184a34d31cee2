package store

import (
	"container/list"
	"sync"
)

// byteLRU is a least-recently-used cache bounded by the bytes its entries hold rather than by
// their count: one evaluated filter or edge list may hold a million IDs or a dozen, so a count
// bounds nothing. It is safe for concurrent use.
type byteLRU[K comparable, V any] struct {
	mu       sync.Mutex
	maxBytes int64
	bytes    int64
	order    *list.List // front: most recently used
	items    map[K]*list.Element
	// size is the bytes an entry holds, its key included.
	size func(K, V) int64
}

type lruEntry[K comparable, V any] struct {
	key  K
	val  V
	size int64
}

// lruEntryOverhead approximates the bookkeeping of one entry: the list element, the map slot
// and the entry itself.
const lruEntryOverhead = 128

func newByteLRU[K comparable, V any](maxBytes int64, size func(K, V) int64) *byteLRU[K, V] {
	return &byteLRU[K, V]{maxBytes: maxBytes, order: list.New(), items: map[K]*list.Element{}, size: size}
}

// Get returns the value of k and marks it used.
func (c *byteLRU[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruEntry[K, V]).val, true
}

// Add stores v under k, evicting the least recently used entries until the cache fits its
// bound. A value larger than a quarter of the bound is not kept: it would crowd out the others.
func (c *byteLRU[K, V]) Add(k K, v V) {
	n := c.size(k, v) + lruEntryOverhead
	if n > c.maxBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.remove(el)
	}
	c.items[k] = c.order.PushFront(&lruEntry[K, V]{key: k, val: v, size: n})
	c.bytes += n
	for c.bytes > c.maxBytes {
		c.remove(c.order.Back())
	}
}

func (c *byteLRU[K, V]) remove(el *list.Element) {
	e := c.order.Remove(el).(*lruEntry[K, V])
	delete(c.items, e.key)
	c.bytes -= e.size
}

// Bytes is what the entries hold now, by the cache's own accounting.
func (c *byteLRU[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Len is the number of entries.
func (c *byteLRU[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Purge empties the cache.
func (c *byteLRU[K, V]) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.bytes = 0
}
