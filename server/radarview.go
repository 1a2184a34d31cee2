package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// serveRadarSVG answers /radar/{slug}.svg: the latest edition, or ?edition=YYYY-MM-DD, in the
// light theme or ?theme=dark.
func (s *Server) serveRadarSVG(r *http.Request) pageAnswer {
	q := r.URL.Query()
	themeName := q.Get("theme")
	if themeName == "" {
		themeName = "light"
	}
	theme, ok := radarThemes[themeName]
	if !ok {
		return plainAnswer(http.StatusBadRequest, fmt.Sprintf("unknown theme %q: ask for ?theme=light (the default) or ?theme=dark\n", themeName))
	}
	slug := strings.TrimSuffix(r.PathValue("file"), ".svg")
	kb := knowledge.New(s.store)
	rd, err := kb.Radar(r.Context(), slug)
	if errNotFound(err) {
		return plainAnswer(http.StatusNotFound, fmt.Sprintf("no radar has the slug %q\n", slug))
	}
	if err != nil {
		return s.failedPage(r, "the radar", err)
	}
	date := q.Get("edition")
	entries, err := kb.RadarEdition(r.Context(), rd, date)
	if errNotFound(err) {
		var dates []string
		for _, e := range rd.Editions {
			dates = append(dates, e.Date)
		}
		return plainAnswer(http.StatusNotFound, fmt.Sprintf("radar %q has no edition %q; its editions are %s\n", slug, date, strings.Join(dates, ", ")))
	}
	if err != nil {
		return s.failedPage(r, "the radar", err)
	}
	if date == "" {
		date = knowledge.LatestEdition(rd)
	}
	edition := domain.Edition{Date: date}
	if i := slices.IndexFunc(rd.Editions, func(e domain.Edition) bool { return e.Date == date }); i >= 0 {
		edition = rd.Editions[i]
	}
	base := s.apiBase(r)
	body := renderRadarSVG(radarPicture{
		Radar: rd, Edition: edition, Previous: knowledge.PreviousEdition(rd, date), Theme: theme,
		// An assessment of an entity that is gone cannot be imported; were one read, the
		// picture leaves it out rather than failing.
		Entries: slices.DeleteFunc(entries, func(e knowledge.Placement) bool { return e.Entity == nil }),
		Link:    func(e *store.Entity) string { return base + entityPath(e.Type, e.Slug) },
	})
	return pageAnswer{status: http.StatusOK, contentType: "image/svg+xml; charset=utf-8", body: body}
}

// plainAnswer is a short message in plain text.
func plainAnswer(status int, msg string) pageAnswer {
	return pageAnswer{status: status, contentType: "text/plain; charset=utf-8", body: []byte(msg)}
}
