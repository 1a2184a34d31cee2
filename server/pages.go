package server

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
)

// The pictures and pages people look at: the radar as SVG (radarsvg.go), a page per entity
// (entitypage.go) and the explorer (explore.go). Like the radar's JSON and CSV they read the
// query layer directly; unlike them they are rendered here, once per data version: the
// rendered bytes go into the response cache, keyed by the data version, the links' base and the
// request's path and query, and the ETag is derived from the same key, so a client that has
// the page for the current data gets 304 without anything being rendered.

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates holds the HTML pages, each defined in its own file with the shared style.
var pageTemplates = template.Must(template.New("pages").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).ParseFS(templateFiles, "templates/*.html"))

// pageAnswer is a rendered page or picture: a status, its media type and the body.
type pageAnswer struct {
	status      int
	contentType string
	body        []byte
}

// Content security policies. The radar has nothing to load at all; an entity page only its own
// inline style; the explorer its own scripts and the API of its own origin.
const (
	cspPicture  = "default-src 'none'; style-src 'unsafe-inline'"
	cspPage     = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
	cspExplorer = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"
)

// page serves what render makes under the policies of the API (CORS, then rate limit, token
// and timeout: guard) when guarded, with ETags keyed on the data version and the response
// cache. Only a page that holds no data (the explorer's shell, like the playground) goes
// unguarded.
func (s *Server) page(route, csp string, guarded bool, render func(r *http.Request) pageAnswer) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !onlyGet(w, r) {
			return
		}
		// The version is read before anything is: a page rendered from newer data than its
		// ETag says is fetched again at the next version, never the other way round.
		version := s.store.Version()
		base := s.apiBase(r)
		key, _ := cacheKey(version, "page", base, r.URL.EscapedPath(), map[string]any{"q": r.URL.RawQuery})
		etag := `"v` + strconv.FormatUint(version, 10) + "-" + key[:24] + `"`
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Add("Vary", "Authorization")
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", transport{maxAge: s.cfg.HTTPMaxAge}.cacheControl(r))
			w.WriteHeader(http.StatusNotModified)
			return
		}
		var ans pageAnswer
		if hit, ok := s.cachedPage(key); ok {
			ans = pageAnswer{status: http.StatusOK, contentType: hit.opType, body: hit.body}
			if info := requestInfoFrom(r.Context()); info != nil {
				info.setCached()
			}
		} else {
			ans = render(r)
			if ans.status == http.StatusOK && s.cache != nil && s.store.Version() == version {
				s.cache.put(&cachedResponse{key: key, body: ans.body, etag: etag, opType: ans.contentType})
			}
		}
		w.Header().Set("Content-Type", ans.contentType)
		if ans.status == http.StatusOK {
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", transport{maxAge: s.cfg.HTTPMaxAge}.cacheControl(r))
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.WriteHeader(ans.status)
		_, _ = w.Write(ans.body)
	})
	if guarded {
		return s.observe(route, s.cors(s.guard(h)))
	}
	return s.observe(route, s.cors(h))
}

// cachedPage looks a rendered page up in the response cache, when there is one.
func (s *Server) cachedPage(key string) (*cachedResponse, bool) {
	if s.cache == nil {
		return nil, false
	}
	return s.cache.get(key)
}

// htmlPage executes a page template.
func (s *Server) htmlPage(r *http.Request, status int, name string, data any) pageAnswer {
	var buf bytes.Buffer
	if err := pageTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		return pageAnswer{status: http.StatusInternalServerError, contentType: "text/plain; charset=utf-8", body: []byte("the page could not be rendered\n")}
	}
	return pageAnswer{status: status, contentType: "text/html; charset=utf-8", body: buf.Bytes()}
}

// notFoundPage is the 404 of the pages: what was asked for, and where to go instead.
func (s *Server) notFoundPage(r *http.Request, message string, suggestion, suggestionText string) pageAnswer {
	return s.htmlPage(r, http.StatusNotFound, "notfound.html", struct {
		Base, Message, Suggestion, SuggestionText string
	}{s.apiBase(r), message, suggestion, suggestionText})
}

// failedPage answers a read that failed for a reason of ours: logged, never detailed.
func (s *Server) failedPage(r *http.Request, what string, err error) pageAnswer {
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return pageAnswer{status: http.StatusServiceUnavailable, contentType: "text/plain; charset=utf-8", body: []byte("the request was cancelled or timed out\n")}
	}
	s.log.ErrorContext(r.Context(), "render "+what, "path", r.URL.Path, "err", err)
	return pageAnswer{status: http.StatusInternalServerError, contentType: "text/plain; charset=utf-8", body: []byte(what + " could not be read\n")}
}

// entityPath is an entity's page, relative to the handler's root: /e/{type}/{slug}, the type as
// the data files write it ("technology", "use-case").
func entityPath(t domain.EntityType, slug string) string { return model.EntityPath(t, slug) }

// entityTypeOfPath reads the type segment of an entity page's path.
func entityTypeOfPath(seg string) (domain.EntityType, bool) {
	var t domain.EntityType
	if seg == "" || t.UnmarshalText([]byte(seg)) != nil {
		return 0, false
	}
	// "use case" with a space parses too; only the path form is the page's address.
	if name, _ := t.MarshalText(); string(name) != seg {
		return 0, false
	}
	return t, true
}

// errNotFound reports whether err is the query layer's "no such thing".
func errNotFound(err error) bool { return errors.Is(err, knowledge.ErrNotFound) }
