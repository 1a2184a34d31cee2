package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Objects are written by objectJSON, which trusts CollectFields to have merged the fields that
// share a response name: a name selected twice, through aliases, fragments and inline
// fragments, is written once, in the order it was first selected, and the bytes are JSON.
func TestObjectFieldsWrittenOnce(t *testing.T) {
	e := newEnvWith(t, curated(t), Options{})
	q := `query { technology(slug: "amazon-aurora") { slug n: name slug ...F ... on Technology { n: name kind }
		tradeoffs(first: 1) { nodes { slug } } tradeoffs(first: 1) { nodes { name } } } }
		fragment F on Technology { kind slug __typename }`
	body, _ := json.Marshal(map[string]any{"query": q})
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	var tradeoff struct {
		Data struct {
			Technology struct {
				Tradeoffs struct {
					Nodes []struct{ Slug, Name string }
				}
			}
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tradeoff); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rec.Body)
	}
	nodes := tradeoff.Data.Technology.Tradeoffs.Nodes
	if len(nodes) != 1 || nodes[0].Slug == "" || nodes[0].Name == "" {
		t.Fatalf("the two tradeoffs selections were not merged: %s", rec.Body)
	}
	want := `{"data":{"technology":{"slug":"amazon-aurora","n":"Amazon Aurora","kind":"DATABASE","__typename":"Technology","tradeoffs":{"nodes":[{"slug":"` +
		nodes[0].Slug + `","name":` + mustJSON(t, nodes[0].Name) + `}]}}}}`
	if got := rec.Body.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
