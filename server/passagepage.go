package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/trendgraph/trendgraph/knowledge"
)

// servePassagePage renders one cited passage: the paragraph of the source text (when the
// server has it), where the source is published, and the entities that rest on it. Citations'
// url fields and entity pages link here.
func (s *Server) servePassagePage(r *http.Request) pageAnswer {
	ctx := r.Context()
	slug, section := r.PathValue("source"), r.PathValue("section")
	paragraph, err := strconv.Atoi(r.PathValue("paragraph"))
	if err != nil || paragraph < 1 {
		return s.notFoundPage(r, fmt.Sprintf("%q is not a paragraph number: they count from 1.", r.PathValue("paragraph")), "", "")
	}
	kb := knowledge.New(s.store)
	sources, err := kb.Sources(ctx)
	if err != nil {
		return s.failedPage(r, "the sources", err)
	}
	var src *sourceView
	for _, x := range sources {
		if x.Slug == slug {
			src = &sourceView{Title: x.Title, Publisher: x.Publisher, Published: x.Published, URL: x.URL, Default: x.Default}
		}
	}
	if src == nil {
		return s.notFoundPage(r, fmt.Sprintf("No source has the slug %q.", slug), "", "")
	}
	text, ok := s.cfg.SourceTexts[slug]
	if !ok {
		return s.notFoundPage(r, fmt.Sprintf("This server has not been given the text of %q (serve --source).", src.Title), src.URL, "the source where it is published")
	}
	para, ok := text.Paragraph(section, paragraph)
	if !ok {
		return s.notFoundPage(r, fmt.Sprintf("%q has no paragraph %d under %q.", src.Title, paragraph, section), "", "")
	}
	citing, err := kb.CitedBy(ctx, slug, src.Default, section, paragraph)
	if err != nil {
		return s.failedPage(r, "what cites the passage", err)
	}
	base := s.apiBase(r)
	view := struct {
		Base, Section, Text string
		Paragraph           int
		Source              *sourceView
		CitedBy             []pageLink
	}{Base: base, Section: section, Text: para, Paragraph: paragraph, Source: src}
	for _, e := range citing {
		view.CitedBy = append(view.CitedBy, pageLink{Href: base + entityPath(e.Type, e.Slug), Name: e.Name, Type: e.Type.String()})
	}
	return s.htmlPage(r, http.StatusOK, "passage.html", view)
}

// sourceView is a source as the passage page shows it.
type sourceView struct {
	Title, Publisher, Published, URL string
	Default                          bool
}

// pageLink is a link to an entity's page.
type pageLink struct{ Href, Name, Type string }
