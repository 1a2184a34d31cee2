package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trendgraph/trendgraph/internal/bytelru"
)

// responseCache keeps whole responses, bounded by the bytes they hold, least recently used out
// first. Its keys hold the store's data version, so an answer computed before a write is never
// found after it; entries of old versions age out like any other.
type responseCache struct {
	entries                 *bytelru.Cache[string, *cachedResponse]
	hits, misses, evictions prometheus.Counter
	size                    prometheus.Gauge
}

// cachedResponse is one cached answer with what the access log and HTTP caching need.
type cachedResponse struct {
	key    string
	body   []byte
	etag   string
	opName string
	opType string
}

func newResponseCache(maxBytes int64, reg prometheus.Registerer) *responseCache {
	c := &responseCache{
		// One answer may not crowd out most of the others.
		entries: bytelru.New(maxBytes, maxBytes/8, func(_ string, e *cachedResponse) int64 {
			return int64(len(e.body) + len(e.key) + len(e.etag) + len(e.opName) + len(e.opType))
		}),
		hits:   prometheus.NewCounter(prometheus.CounterOpts{Name: "trendgraph_cache_hits_total", Help: "Responses served from the response cache."}),
		misses: prometheus.NewCounter(prometheus.CounterOpts{Name: "trendgraph_cache_misses_total", Help: "Cacheable requests not found in the response cache."}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{Name: "trendgraph_cache_evictions_total",
			Help: "Responses dropped from the response cache to stay within its size."}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{Name: "trendgraph_cache_bytes", Help: "Bytes held by the response cache."}),
	}
	c.entries.OnEvict = c.evictions.Inc
	reg.MustRegister(c.hits, c.misses, c.evictions, c.size)
	return c
}

func (c *responseCache) get(key string) (*cachedResponse, bool) {
	e, ok := c.entries.Get(key)
	if ok {
		c.hits.Inc()
	} else {
		c.misses.Inc()
	}
	return e, ok
}

func (c *responseCache) put(e *cachedResponse) {
	if c.entries.Add(e.key, e) {
		c.size.Set(float64(c.entries.Bytes()))
	}
}

// cacheKey covers everything of a request that can change its answer: the data version, the
// caller's scope, the operation name, the document and the variables (JSON encoding sorts
// their keys, so equal variables give equal keys).
func cacheKey(version uint64, scope, opName, query string, vars map[string]any) (string, bool) {
	// The parts are hashed from one buffer, on the stack for a usual query, rather than
	// written one by one to a hash.Hash, which copies each to the heap.
	var stack [1024]byte
	b := binary.BigEndian.AppendUint64(stack[:0], version)
	for _, part := range []string{scope, opName, query} {
		b = binary.BigEndian.AppendUint64(b, uint64(len(part)))
		b = append(b, part...)
	}
	if vars == nil {
		b = append(b, "null"...) // as json.Marshal writes it
	} else {
		v, err := json.Marshal(vars)
		if err != nil {
			return "", false
		}
		b = append(b, v...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), true
}

// etagOf is a strong validator of a response body.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}
