package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	gqltransport "github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/ravilushqa/otelgqlgen"

	"github.com/trendgraph/trendgraph/graph"
)

// The radar endpoints serve a radar in the shapes that portals already read: the JSON the
// Backstage tech-radar plugin loads (/radar/{slug}.json) and the CSV of Thoughtworks'
// Build-Your-Own-Radar (/radar/{slug}.csv). Both are views of the GraphQL API: they run a query
// through an executor of the same schema, so movement and every other rule are the API's own.
// That executor is internal: the query is ours, so the public allowlist (trusted documents),
// APQ and the depth and cost limits do not apply to it, while authentication, the rate limit
// and the request timeout still do (the route is under guard).

// BackstageRadar is the tech-radar plugin's TechRadarLoaderResponse.
type BackstageRadar struct {
	Quadrants []BackstageQuadrant `json:"quadrants"`
	Rings     []BackstageRing     `json:"rings"`
	Entries   []BackstageEntry    `json:"entries"`
}

// BackstageQuadrant is a quadrant of the plugin's radar.
type BackstageQuadrant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// BackstageRing is a ring of the plugin's radar.
type BackstageRing struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Color       string `json:"color"`
	Description string `json:"description,omitempty"`
}

// BackstageEntry is an entry of the plugin's radar; its timeline is newest first.
type BackstageEntry struct {
	ID          string              `json:"id"`
	Key         string              `json:"key"`
	Title       string              `json:"title"`
	Quadrant    string              `json:"quadrant"`
	Description string              `json:"description,omitempty"`
	Links       []BackstageLink     `json:"links"`
	Timeline    []BackstageTimeline `json:"timeline"`
}

// BackstageLink is a link of an entry.
type BackstageLink struct {
	URL   string `json:"url"`
	Title string `json:"title"`
}

// BackstageTimeline is one edition of an entry: moved is 1 (moved in), -1 (moved out) or 0.
type BackstageTimeline struct {
	Date        string `json:"date"`
	RingID      string `json:"ringId"`
	Description string `json:"description,omitempty"`
	Moved       int    `json:"moved"`
}

const radarQuery = `query RadarView($slug: String!, $edition: Date, $after: String) {
  radar(slug: $slug) {
    name
    quadrants { slug name }
    rings { slug name color description }
    editions { date }
    entries(edition: $edition, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        movement rationale
        quadrant { slug name }
        ring { slug name }
        entity { __typename slug name summary }
      } }
    }
  }
}`

type radarData struct {
	Radar *struct {
		Name      string
		Quadrants []struct{ Slug, Name string }
		Rings     []struct {
			Slug, Name         string
			Color, Description *string
		}
		Editions []struct{ Date string }
		Entries  struct {
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct{ Node radarEntry }
		}
	}
}

type radarEntry struct {
	Movement  string
	Rationale *string
	Quadrant  struct{ Slug, Name string }
	Ring      struct{ Slug, Name string }
	Entity    struct {
		Typename            string `json:"__typename"`
		Slug, Name, Summary string
	}
}

// radarEditions reads every edition's entries of a radar, newest edition first.
func (s *Server) radarEditions(ctx context.Context, slug string) (*radarData, map[string][]radarEntry, []string, error) {
	var first radarData
	if err := s.internalQuery(ctx, radarQuery, map[string]any{"slug": slug}, &first); errors.Is(err, errNotFound) {
		return nil, nil, nil, nil
	} else if err != nil {
		return nil, nil, nil, err
	}
	if first.Radar == nil {
		return nil, nil, nil, nil
	}
	byEdition := map[string][]radarEntry{}
	var dates []string
	for i := len(first.Radar.Editions) - 1; i >= 0; i-- {
		date := first.Radar.Editions[i].Date
		dates = append(dates, date)
		page := first // without an edition, the first query already read the latest one's first page
		if i != len(first.Radar.Editions)-1 {
			page = radarData{}
			if err := s.internalQuery(ctx, radarQuery, map[string]any{"slug": slug, "edition": date}, &page); err != nil {
				return nil, nil, nil, err
			}
		}
		for {
			for _, e := range page.Radar.Entries.Edges {
				byEdition[date] = append(byEdition[date], e.Node)
			}
			if !page.Radar.Entries.PageInfo.HasNextPage {
				break
			}
			after := page.Radar.Entries.PageInfo.EndCursor
			page = radarData{}
			if err := s.internalQuery(ctx, radarQuery, map[string]any{"slug": slug, "edition": date, "after": after}, &page); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	return &first, byEdition, dates, nil
}

func (s *Server) serveRadar(w http.ResponseWriter, r *http.Request) {
	if !onlyGet(w, r) {
		return
	}
	file := r.PathValue("file")
	slug, format, ok := strings.Cut(file, ".")
	if !ok || (format != "json" && format != "csv") {
		http.Error(w, "ask for /radar/{slug}.json (Backstage) or /radar/{slug}.csv (Build-Your-Own-Radar)", http.StatusNotFound)
		return
	}
	radar, byEdition, dates, err := s.radarEditions(r.Context(), slug)
	if err != nil {
		s.log.ErrorContext(r.Context(), "radar view", "radar", slug, "err", err)
		http.Error(w, "the radar could not be read", http.StatusInternalServerError)
		return
	}
	if radar == nil {
		http.Error(w, fmt.Sprintf("no radar has the slug %q", slug), http.StatusNotFound)
		return
	}
	if format == "csv" {
		s.writeRadarCSV(w, byEdition[dates[0]])
		return
	}
	out := BackstageRadar{Quadrants: []BackstageQuadrant{}, Rings: []BackstageRing{}, Entries: []BackstageEntry{}}
	for _, q := range radar.Radar.Quadrants {
		out.Quadrants = append(out.Quadrants, BackstageQuadrant{ID: q.Slug, Name: q.Name})
	}
	for _, ring := range radar.Radar.Rings {
		out.Rings = append(out.Rings, BackstageRing{ID: ring.Slug, Name: ring.Name, Color: deref(ring.Color, "#9e9e9e"), Description: deref(ring.Description, "")})
	}
	base := s.apiBase(r)
	index := map[string]int{}
	// Entries of the latest edition first; an entity only in older editions still appears,
	// with the editions it has.
	for _, date := range dates {
		for _, e := range byEdition[date] {
			i, seen := index[e.Entity.Slug]
			if !seen {
				i = len(out.Entries)
				index[e.Entity.Slug] = i
				q := url.QueryEscape(fmt.Sprintf(`{ entity(slug: %q) { __typename name summary citations { section paragraph excerpt source { title } } } }`, e.Entity.Slug))
				out.Entries = append(out.Entries, BackstageEntry{ID: e.Entity.Slug, Key: e.Entity.Slug, Title: e.Entity.Name,
					Quadrant: e.Quadrant.Slug, Description: e.Entity.Summary, Timeline: []BackstageTimeline{},
					Links: []BackstageLink{{URL: base + "graphql?query=" + q, Title: e.Entity.Name + " in trendgraph, with its sources"}}})
			}
			out.Entries[i].Timeline = append(out.Entries[i].Timeline, BackstageTimeline{Date: date, RingID: e.Ring.Slug,
				Description: deref(e.Rationale, ""), Moved: moved(e.Movement)})
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

func moved(movement string) int {
	switch movement {
	case "MOVED_IN":
		return 1
	case "MOVED_OUT":
		return -1
	}
	return 0
}

// writeRadarCSV writes the Build-Your-Own-Radar sheet: name, ring, quadrant, isNew,
// description, and the optional status column.
func (s *Server) writeRadarCSV(w http.ResponseWriter, entries []radarEntry) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"name", "ring", "quadrant", "isNew", "description", "status"})
	status := map[string]string{"NEW": "New", "MOVED_IN": "Moved In", "MOVED_OUT": "Moved Out", "UNCHANGED": "No Change"}
	for _, e := range entries {
		desc := e.Entity.Summary
		if e.Rationale != nil && *e.Rationale != "" {
			desc = *e.Rationale + " " + desc
		}
		row := []string{e.Entity.Name, e.Ring.Name, e.Quadrant.Name, strings.ToUpper(fmt.Sprint(e.Movement == "NEW")), desc, status[e.Movement]}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

// csvCell keeps a spreadsheet from reading a cell as a formula: a cell that begins with =, +,
// -, @, a tab or a carriage return gets a leading single quote, as OWASP's CSV-injection advice
// says. The sheet is opened by people in spreadsheet programs, and the text comes from data
// files that anyone may have contributed to.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// apiBase is the handler's root as links should name it, mount prefix included, ending in "/".
// It is PublicURL when configured; else, behind a trusted proxy (TrustProxy), the scheme and
// host the proxy forwarded; else a path without scheme or host. The Host header alone is never
// used: any client can send any Host, and the links would point wherever it said.
func (s *Server) apiBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/") + "/"
	}
	prefix := mountPrefix(r)
	if !s.clients.viaTrustedProxy(r) {
		return prefix
	}
	host := forwardedValue(r, "X-Forwarded-Host")
	if !forwardedHostRe.MatchString(host) {
		return prefix
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := strings.ToLower(forwardedValue(r, "X-Forwarded-Proto")); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + host + prefix
}

// forwardedHostRe is a host name or IP literal with an optional port, nothing else: no path,
// user info or characters that would change what the link means.
var forwardedHostRe = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(:[0-9]{1,5})?$`)

// mountPrefix is the path the handler is mounted under, as the client asked for it, with a
// trailing slash: the original request URI keeps what http.StripPrefix removed.
func mountPrefix(r *http.Request) string {
	path, _, _ := strings.Cut(r.RequestURI, "?")
	prefix, ok := strings.CutSuffix(path, strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	// A request URI in absolute form, or one that would make the link protocol-relative
	// ("//host/..."), gives no usable prefix.
	if !ok || !strings.HasPrefix(prefix, "/") || strings.HasPrefix(prefix, "//") {
		return "/"
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return prefix
}

// errNotFound is an internal query's NOT_FOUND error.
var errNotFound = errors.New("not found")

// newInternalExecutor builds the executor of the radar views: the schema, loaders and error
// rules of the public one, without its transport's limits, trusted documents, APQ or cache.
// Only queries written in this package reach it.
func (s *Server) newInternalExecutor() http.Handler {
	exec := graph.NewServer(s.store, graph.Options{
		Texts: s.cfg.SourceTexts, Log: s.cfg.Log, Loaders: s.cfg.Loaders, QueryCacheBytes: 1 << 20,
		OnBatch: func(loader string, keys int) { s.metrics.batches.WithLabelValues(loader).Observe(float64(keys)) },
	})
	exec.AddTransport(gqltransport.POST{})
	if s.cfg.TracerProvider != nil {
		exec.Use(otelgqlgen.Middleware(otelgqlgen.WithTracerProvider(s.cfg.TracerProvider)))
	}
	return exec
}

// internalQuery runs one of this package's queries in-process on the internal executor. The
// caller's context carries the request's timeout and cancellation.
func (s *Server) internalQuery(ctx context.Context, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.internal.ServeHTTP(rec, req)
	var resp struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		return fmt.Errorf("internal query: %w", err)
	}
	if len(resp.Errors) > 0 {
		if resp.Errors[0].Extensions.Code == graph.CodeNotFound {
			return errNotFound
		}
		return fmt.Errorf("internal query: %s", resp.Errors[0].Message)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("internal query: %w", err)
	}
	return nil
}
