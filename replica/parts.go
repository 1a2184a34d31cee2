package replica

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A change set larger than one etcd request (etcd refuses requests past --max-request-bytes,
// 1.5 MiB by default) travels in parts: each part is written under parts/<id>/<n> first, then
// the log entry, appended as any other, holds only a reference to them. Parts are written once
// and read by whoever applies the entry; a writer that loses the race for the head deletes its
// own.

// partSize is the most bytes of a change set one etcd key holds: well under the default limit.
const partSize = 1 << 20

// partsRef is the log value of a change set in parts.
type partsRef struct {
	Parts  string `json:"parts"`
	Count  int    `json:"count"`
	SHA256 string `json:"sha256"`
}

// refPrefix starts every partsRef as encoded, and never a LogEntry (which starts with its
// version).
var refPrefix = []byte(`{"parts":`)

func (r *Replica) partsPrefix(id string) string { return r.cfg.Prefix + "parts/" + id + "/" }

// logValue is what the log holds for an encoded entry: the entry itself, or a reference to its
// parts once they are written. drop deletes the parts of a value that was not appended.
func (r *Replica) logValue(ctx context.Context, raw []byte) (value []byte, drop func(), err error) {
	if len(raw) <= partSize {
		return raw, func() {}, nil
	}
	idBytes := make([]byte, 12)
	_, _ = rand.Read(idBytes)
	id := hex.EncodeToString(idBytes)
	drop = func() {
		// Best effort: orphaned parts cost space, not correctness.
		_, _ = r.cli.Delete(context.WithoutCancel(ctx), r.partsPrefix(id), clientv3.WithPrefix())
	}
	n := 0
	for off := 0; off < len(raw); off += partSize {
		chunk := raw[off:min(off+partSize, len(raw))]
		if _, err := r.cli.Put(ctx, fmt.Sprintf("%s%06d", r.partsPrefix(id), n), string(chunk)); err != nil {
			drop()
			return nil, nil, fmt.Errorf("write part %d of a change set: %w", n, err)
		}
		n++
	}
	sum := sha256.Sum256(raw)
	ref, _ := json.Marshal(partsRef{Parts: id, Count: n, SHA256: hex.EncodeToString(sum[:])})
	return ref, drop, nil
}

// entryBytes is the encoded entry a log value holds, read from its parts when it is a
// reference.
func (r *Replica) entryBytes(ctx context.Context, value []byte) ([]byte, error) {
	if !bytes.HasPrefix(value, refPrefix) {
		return value, nil
	}
	var ref partsRef
	if err := json.Unmarshal(value, &ref); err != nil {
		return nil, fmt.Errorf("decode a reference to parts: %w", err)
	}
	var out []byte
	from, end := r.partsPrefix(ref.Parts), clientv3.GetPrefixRangeEnd(r.partsPrefix(ref.Parts))
	for {
		// A few parts per read keeps each answer within the client's message limit.
		resp, err := r.cli.Get(ctx, from, clientv3.WithRange(end), clientv3.WithLimit(8))
		if err != nil {
			return nil, fmt.Errorf("read the parts of a change set: %w", err)
		}
		for _, kv := range resp.Kvs {
			out = append(out, kv.Value...)
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if sum := sha256.Sum256(out); hex.EncodeToString(sum[:]) != ref.SHA256 {
		return nil, fmt.Errorf("the parts %s of a change set do not add up (%d bytes)", ref.Parts, len(out))
	}
	return out, nil
}
