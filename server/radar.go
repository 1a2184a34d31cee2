package server

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
)

// The radar endpoints serve a radar in the shapes that portals already read: the JSON the
// Backstage tech-radar plugin loads (/radar/{slug}.json) and the CSV of Thoughtworks'
// Build-Your-Own-Radar (/radar/{slug}.csv). Both read the query layer (package knowledge)
// directly, as the GraphQL resolvers do, so movement, order and every other rule are the API's
// own, and a radar of any size is read in a few transactions per edition. No GraphQL runs, so
// the public allowlist (trusted documents), APQ and the depth and cost limits do not apply,
// while authentication, the rate limit and the request timeout still do (the route is under
// guard, and the request's context reaches every read).

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

// radarEditions reads the entries of a radar's editions, newest edition first, with the
// editions' dates in the same order: every edition, or only the latest.
func (s *Server) radarEditions(ctx context.Context, slug string, latestOnly bool) (*domain.Radar, [][]knowledge.Placement, []string, error) {
	kb := knowledge.New(s.store)
	rd, err := kb.Radar(ctx, slug)
	if err != nil {
		return nil, nil, nil, err
	}
	var editions [][]knowledge.Placement
	var dates []string
	oldest := 0
	if latestOnly {
		oldest = len(rd.Editions) - 1
	}
	for i := len(rd.Editions) - 1; i >= oldest; i-- {
		date := rd.Editions[i].Date
		entries, err := kb.RadarEdition(ctx, rd, date)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("radar %s at %s: %w", slug, date, err)
		}
		// An assessment of an entity that is gone cannot be imported; were one read, the view
		// leaves it out rather than failing.
		editions = append(editions, slices.DeleteFunc(entries, func(e knowledge.Placement) bool { return e.Entity == nil }))
		dates = append(dates, date)
	}
	return rd, editions, dates, nil
}

// serveRadarData renders a radar's data for portals: the Backstage tech-radar JSON or the
// Build-Your-Own-Radar CSV. Served through page (pages.go): ETags on the data version, the
// response cache, Cache-Control like /graphql's GET.
func (s *Server) serveRadarData(r *http.Request) pageAnswer {
	text := func(status int, msg string) pageAnswer {
		return pageAnswer{status: status, contentType: "text/plain; charset=utf-8", body: []byte(msg + "\n")}
	}
	file := r.PathValue("file")
	slug, format, ok := strings.Cut(file, ".")
	if !ok || (format != "json" && format != "csv") {
		return text(http.StatusNotFound, "ask for /radar/{slug}.json (Backstage), /radar/{slug}.csv (Build-Your-Own-Radar) or /radar/{slug}.svg (a picture)")
	}
	// The sheet shows the latest edition only; the plugin's timeline needs every edition.
	radar, editions, dates, err := s.radarEditions(r.Context(), slug, format == "csv")
	if errors.Is(err, knowledge.ErrNotFound) {
		return text(http.StatusNotFound, fmt.Sprintf("no radar has the slug %q", slug))
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "radar view", "radar", slug, "err", err)
		return text(http.StatusInternalServerError, "the radar could not be read")
	}
	var buf bytes.Buffer
	if format == "csv" {
		var latest []knowledge.Placement
		if len(editions) > 0 { // a radar without editions is refused on import; this only guards
			latest = editions[0]
		}
		s.writeRadarCSV(&buf, radar, latest)
		return pageAnswer{status: http.StatusOK, contentType: "text/csv; charset=utf-8", body: buf.Bytes()}
	}
	out := BackstageRadar{Quadrants: []BackstageQuadrant{}, Rings: []BackstageRing{}, Entries: []BackstageEntry{}}
	for _, q := range radar.Quadrants {
		out.Quadrants = append(out.Quadrants, BackstageQuadrant{ID: q.Slug, Name: q.Name})
	}
	for _, ring := range radar.Rings {
		out.Rings = append(out.Rings, BackstageRing{ID: ring.Slug, Name: ring.Name, Color: cmp.Or(ring.Color, "#9e9e9e"), Description: ring.Description})
	}
	base := s.apiBase(r)
	index := map[string]int{}
	// Entries of the latest edition first; an entity only in older editions still appears,
	// with the editions it has.
	for n, date := range dates {
		for _, e := range editions[n] {
			i, seen := index[e.Entity.Slug]
			if !seen {
				i = len(out.Entries)
				index[e.Entity.Slug] = i
				// The playground opens with this query filled in (it reads ?query=).
				q := url.QueryEscape(model.PlaygroundQuery(e.Entity.Slug))
				out.Entries = append(out.Entries, BackstageEntry{ID: e.Entity.Slug, Key: e.Entity.Slug, Title: e.Entity.Name,
					Quadrant: e.Assessment.Quadrant, Description: e.Entity.Summary, Timeline: []BackstageTimeline{},
					Links: []BackstageLink{
						{URL: base + entityPath(e.Entity.Type, e.Entity.Slug), Title: e.Entity.Name + " in trendgraph: its page, with its sources"},
						{URL: base + "?query=" + q, Title: e.Entity.Name + " in trendgraph's playground"},
					}})
			}
			out.Entries[i].Timeline = append(out.Entries[i].Timeline, BackstageTimeline{Date: date, RingID: e.Assessment.Ring,
				Description: e.Assessment.Rationale, Moved: moved(e.Movement())})
		}
	}
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		s.log.ErrorContext(r.Context(), "radar view", "radar", slug, "err", err)
		return text(http.StatusInternalServerError, "the radar could not be written")
	}
	return pageAnswer{status: http.StatusOK, contentType: "application/json; charset=utf-8", body: buf.Bytes()}
}

func moved(m knowledge.Movement) int {
	switch m {
	case knowledge.MovementMovedIn:
		return 1
	case knowledge.MovementMovedOut:
		return -1
	}
	return 0
}

// writeRadarCSV writes the Build-Your-Own-Radar sheet: name, ring, quadrant, isNew,
// description, and the optional status column.
func (s *Server) writeRadarCSV(w io.Writer, rd *domain.Radar, entries []knowledge.Placement) {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"name", "ring", "quadrant", "isNew", "description", "status"})
	status := map[knowledge.Movement]string{knowledge.MovementNew: "New", knowledge.MovementMovedIn: "Moved In",
		knowledge.MovementMovedOut: "Moved Out", knowledge.MovementUnchanged: "No Change"}
	// A quadrant or ring the radar does not name goes by its slug, as in the API.
	names := map[string]string{}
	for _, q := range rd.Quadrants {
		names["q/"+q.Slug] = q.Name
	}
	for _, r := range rd.Rings {
		names["r/"+r.Slug] = r.Name
	}
	name := func(kind, slug string) string { return cmp.Or(names[kind+slug], slug) }
	for _, e := range entries {
		desc := e.Entity.Summary
		if e.Assessment.Rationale != "" {
			desc = e.Assessment.Rationale + " " + desc
		}
		m := e.Movement()
		row := []string{e.Entity.Name, name("r/", e.Assessment.Ring), name("q/", e.Assessment.Quadrant), strings.ToUpper(fmt.Sprint(m == knowledge.MovementNew)), desc, status[m]}
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
