package store

import (
	"encoding/binary"

	lru "github.com/hashicorp/golang-lru/v2"
	bolt "go.etcd.io/bbolt"
)

// Decoding a record costs far more than finding it (JSON, some 25 allocations for an entity),
// and the same records are read again and again, so decoded records are kept, bounded by count.
// Records are immutable once written: an import replaces them under a new data version, and an
// entry is used only by a transaction that sees the version it was decoded at. Callers must not
// modify what the store returns.

// recordCache holds decoded records of one kind.
type recordCache[T any] struct {
	lru *lru.Cache[ID, versioned[T]]
}

type versioned[T any] struct {
	version uint64
	rec     *T
}

func newRecordCache[T any](size int) *recordCache[T] {
	if size <= 0 {
		return nil
	}
	c, _ := lru.New[ID, versioned[T]](size)
	return &recordCache[T]{lru: c}
}

// get decodes the record of id from b, or returns it decoded before at the same version. A
// missing record is nil.
func (c *recordCache[T]) get(b *bolt.Bucket, id ID, version uint64, what string) (*T, error) {
	if c != nil {
		if hit, ok := c.lru.Get(id); ok && hit.version == version {
			return hit.rec, nil
		}
	}
	v := b.Get(id.Bytes())
	if v == nil {
		return nil, nil
	}
	rec, err := decode[T](v, what)
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.lru.Add(id, versioned[T]{version, rec})
	}
	return rec, nil
}

// txVersion is the data version a transaction sees.
func txVersion(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(metaVersion); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}
