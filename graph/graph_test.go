package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// testEnv is a real bbolt file loaded from the embedded dataset, and the real executor over it.
type testEnv struct {
	store   *store.Store
	handler http.Handler
	client  *client.Client
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	return newEnvWith(t, kbtest.Curated(t), Options{})
}

func newEnvWith(t testing.TB, d *dataset.Dataset, o Options) *testEnv {
	t.Helper()
	s := kbtest.Open(t, d)
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	o.Introspection = true
	h := NewExecutor(s, o)
	h.AddTransport(transport.POST{})
	return &testEnv{store: s, handler: h, client: client.New(h)}
}

// query runs a query that must succeed and decodes its data into out.
func (e *testEnv) query(t testing.TB, q string, out any, opts ...client.Option) {
	t.Helper()
	if err := e.client.Post(q, out, opts...); err != nil {
		t.Fatalf("query failed: %v\n%s", err, q)
	}
}

// gqlErrors runs a query that must fail and returns its errors. It posts over HTTP itself, since
// the client package turns validation failures (HTTP 422) into Go errors.
func (e *testEnv) gqlErrors(t testing.TB, q string, vars ...map[string]any) []gqlError {
	t.Helper()
	var v map[string]any
	if len(vars) > 0 {
		v = vars[0]
	}
	body := e.raw(q, v)
	var resp struct{ Errors []gqlError }
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	errs := resp.Errors
	if len(errs) == 0 {
		t.Fatalf("query succeeded, want an error:\n%s", q)
	}
	return errs
}

// raw posts q (with vars, when not nil) over HTTP and returns the response body as it is.
func (e *testEnv) raw(q string, vars map[string]any) []byte {
	body := map[string]any{"query": q}
	if vars != nil {
		body["variables"] = vars
	}
	b, _ := json.Marshal(body)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// A technology's own fields, vendor, tradeoffs and citations, against data/serverless.yaml. (It
// was TestSmoke, which only logged the answer.)
func TestTechnologyVendorTradeoffsAndCitations(t *testing.T) {
	e := newEnv(t)
	var resp struct {
		Technology struct {
			Name      string
			Tradeoffs struct {
				TotalCount int
				Nodes      []struct{ Slug string }
			}
			Vendor    *struct{ Name string }
			Citations []struct {
				Section   string
				Paragraph int
				Excerpt   *string
				Source    struct{ Title string }
			}
		}
	}
	e.query(t, `{ technology(slug: "aws-lambda") { name tradeoffs { totalCount nodes { slug } } vendor { name } citations { section paragraph excerpt source { title } } } }`, &resp)
	tech := resp.Technology
	if tech.Name != "AWS Lambda" || tech.Vendor == nil || tech.Vendor.Name != "Amazon Web Services" {
		t.Fatalf("name and vendor: %+v", tech)
	}
	// The tradeoffs whose appliesTo names aws-lambda.
	want := []string{"automatic-scaling", "cold-starts", "longer-runs-and-more-memory", "no-server-management",
		"pay-per-use-costs", "serverless-debugging-difficulty", "vendor-lock-in"}
	var got []string
	for _, n := range tech.Tradeoffs.Nodes {
		got = append(got, n.Slug)
	}
	slices.Sort(got)
	if tech.Tradeoffs.TotalCount != len(want) || !slices.Equal(got, want) {
		t.Fatalf("tradeoffs: %d %v, want %v", tech.Tradeoffs.TotalCount, got, want)
	}
	// The platforms paragraph, then the one defining the serverless model (in dataset order).
	// Without the source text the server has no excerpt to give.
	if len(tech.Citations) != 2 {
		t.Fatalf("citations: %+v", tech.Citations)
	}
	for i, para := range []int{3, 1} {
		c := tech.Citations[i]
		if c.Section != "Serverless Computing" || c.Paragraph != para || c.Excerpt != nil ||
			c.Source.Title != "Backend Development Trends: A Complete Guide for 2026" {
			t.Fatalf("citation %d: %+v", i, c)
		}
	}
}
