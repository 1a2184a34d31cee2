package server

import (
	"encoding/json"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/internal/bytelru"
)

// documents decides which document a request runs, before anything else looks at it: the text
// sent, a trusted document named by documentId, or an APQ hash. The response cache and HTTP
// caches key answers by what this settles, so a request may never name one document and run
// another.
type documents struct {
	// manifest maps a trusted document's sha256 (hex) to its text; nil without a manifest.
	manifest map[string]string
	// only refuses any document not in the manifest.
	only bool
	// apq holds the texts of automatic persisted queries, registered by resolve (not by gqlgen's
	// extension, which would run after a response-cache hit); nil when APQ is off.
	apq *bytelru.Cache[string, string]
}

// docError refuses a request's document identifiers. apq marks the answers of the automatic
// persisted-query protocol, which its clients read from the body to retry with the text.
type docError struct {
	code, msg string
	apq       bool
}

func badDocument(msg string) *docError { return &docError{code: graph.CodeBadRequest, msg: msg} }

// resolve settles the document of a request and fills raw.Query with its text when the request
// named it by hash and the text is known here. The identifiers a request may carry (the text,
// documentId, persistedQuery.sha256Hash) must all name the same document; an empty hash is no
// hash. Automatic persisted queries are run here rather than by gqlgen's extension, which would
// run only after a response-cache hit had skipped it.
func (d *documents) resolve(raw *graphql.RawParams) *docError {
	docID, present, err := stringExtension(raw.Extensions, "documentId")
	if err != nil {
		return err
	}
	if present && docID == "" {
		delete(raw.Extensions, "documentId")
	}
	pqHash, pqPresent, bad := persistedQueryHash(raw.Extensions)
	if bad != nil {
		return bad
	}
	// Whatever the persisted-query extension says is settled here; no later stage reads it.
	delete(raw.Extensions, "persistedQuery")
	if pqPresent && pqHash != "" && d.apq == nil && d.manifest == nil {
		return &docError{graph.CodePersistedQueryNotSupported, "automatic persisted queries are switched off on this server: send the query text", true}
	}
	docID = strings.TrimPrefix(docID, "sha256:")
	if docID != "" && pqHash != "" && docID != pqHash {
		return badDocument("documentId and extensions.persistedQuery.sha256Hash name different documents")
	}
	if docID != "" && d.manifest == nil {
		return &docError{code: graph.CodePersistedQueryNotFound, msg: "this server has no trusted documents, so documentId names none: send the query text"}
	}
	hash := docID
	if hash == "" {
		hash = pqHash
	}
	if raw.Query != "" && hash != "" && sha256Hex(raw.Query) != hash {
		return badDocument("the query is not the document its hash names (the sha256 of the query text differs)")
	}
	if raw.Query != "" && pqHash != "" && d.apq != nil && !d.only {
		// An APQ registration: the text is the document its hash names (checked above).
		d.apq.Add(pqHash, raw.Query)
	}
	if raw.Query == "" && hash != "" {
		if doc, ok := d.manifest[hash]; ok {
			raw.Query = doc
		} else if docID != "" {
			return &docError{code: graph.CodePersistedQueryNotFound, msg: "no trusted document has that ID"}
		} else if doc, ok := d.apqText(hash); ok {
			raw.Query = doc
		} else if d.only {
			return &docError{code: graph.CodePersistedQueryNotFound, msg: "no trusted document has that hash"}
		} else if d.apq == nil {
			return &docError{graph.CodePersistedQueryNotSupported, "automatic persisted queries are switched off on this server: send the query text", true}
		} else {
			// The message is the one Apollo's clients look for before they send the text.
			return &docError{graph.CodePersistedQueryNotFound, "PersistedQueryNotFound", true}
		}
	}
	if !d.only {
		return nil
	}
	if _, ok := d.manifest[sha256Hex(raw.Query)]; raw.Query != "" && !ok {
		return &docError{code: graph.CodeTrustedDocumentRequired, msg: "this server runs only trusted documents, and this one is not in its manifest"}
	}
	return nil
}

func (d *documents) apqText(hash string) (string, bool) {
	if d.apq == nil || d.only {
		return "", false
	}
	return d.apq.Get(hash)
}

// stringExtension is an extension that must be a string when present.
func stringExtension(ext map[string]any, name string) (string, bool, *docError) {
	v, ok := ext[name]
	if !ok || v == nil {
		return "", false, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", true, badDocument("extensions." + name + " must be a string")
	}
	return s, true, nil
}

// persistedQueryHash is the sha256Hash of the persistedQuery extension.
func persistedQueryHash(ext map[string]any) (string, bool, *docError) {
	v, ok := ext["persistedQuery"]
	if !ok || v == nil {
		return "", false, nil
	}
	pq, ok := v.(map[string]any)
	if !ok {
		return "", true, badDocument("extensions.persistedQuery must be an object")
	}
	if v, ok := pq["version"].(json.Number); !ok || v.String() != "1" {
		if f, isFloat := pq["version"].(float64); !isFloat || f != 1 {
			return "", true, badDocument("extensions.persistedQuery.version must be 1, the only version of automatic persisted queries")
		}
	}
	h, _, err := stringExtension(pq, "sha256Hash")
	if err != nil {
		return "", true, badDocument("extensions.persistedQuery.sha256Hash must be a string")
	}
	return h, true, nil
}
