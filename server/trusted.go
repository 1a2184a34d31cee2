package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// LoadManifest reads a persisted-documents manifest: a JSON object from document ID to text,
// as graphql-codegen's client preset writes it (IDs are "sha256:<hex>" or "<hex>"). Every
// ID must be the sha256 of its text, so a manifest cannot smuggle in a mismatched document.
func LoadManifest(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read trusted documents: %w", err)
	}
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("read trusted documents %s: not a JSON object of ID to document: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for id, doc := range raw {
		hash := strings.TrimPrefix(id, "sha256:")
		if hash != sha256Hex(doc) {
			return nil, fmt.Errorf("read trusted documents %s: ID %s is not the sha256 of its document", path, id)
		}
		out[hash] = doc
	}
	return out, nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
