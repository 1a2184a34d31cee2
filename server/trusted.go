package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// trustedDocuments is the allowlist of trusted-documents mode: only operations listed in a
// manifest run, and clients may send a document's hash instead of its text.
type trustedDocuments struct {
	// byHash maps a document's sha256 (hex) to its text.
	byHash map[string]string
	// only refuses any document not in the manifest.
	only bool
}

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

type docError struct{ code, msg string }

// resolve fills in a document sent by ID (the documentId parameter or the persistedQuery
// extension's hash) and, in trusted-only mode, refuses documents not in the manifest. An unknown
// persisted-query hash with no manifest entry is left to gqlgen's automatic persisted queries.
func (t *trustedDocuments) resolve(raw *graphql.RawParams) *docError {
	if t == nil {
		return nil
	}
	id := ""
	if v, ok := raw.Extensions["documentId"].(string); ok {
		id = v
	}
	if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok && id == "" {
		if h, ok := pq["sha256Hash"].(string); ok {
			id = h
		}
	}
	id = strings.TrimPrefix(id, "sha256:")
	if raw.Query == "" && id != "" {
		if doc, ok := t.byHash[id]; ok {
			raw.Query = doc
			if t.only {
				// The document is now known: gqlgen's persisted-query extension need not see it.
				delete(raw.Extensions, "persistedQuery")
			}
			return nil
		}
	}
	if !t.only {
		return nil
	}
	if raw.Query == "" {
		return &docError{"PERSISTED_QUERY_NOT_FOUND", "no trusted document has that ID"}
	}
	if _, ok := t.byHash[sha256Hex(raw.Query)]; !ok {
		return &docError{"TRUSTED_DOCUMENT_REQUIRED", "this server runs only trusted documents, and this one is not in its manifest"}
	}
	return nil
}
