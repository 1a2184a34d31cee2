package server

import (
	"encoding/json"
	"net/http"

	"github.com/trendgraph/trendgraph/domain"
)

// The explorer, /explore: an interactive graph of an entity's neighbourhood, drawn in the
// browser by Cytoscape.js (embedded in the binary beside GraphiQL, assets/cytoscape.min.js)
// and fed by the GraphQL API itself, so it shows what any client would get and runs under the
// same limits. Like the playground, the page holds no data: it is served without a token, and
// the API it calls asks for one when the server requires it (the page's token field sends it).

// exploreView is what explore.html needs: where entity pages live, and how a GraphQL type name
// becomes the type segment of their path.
type exploreView struct {
	Base, Focus string
	TypePaths   string // JSON: {"UseCase": "use-case", …}
}

func (s *Server) serveExplore(r *http.Request) pageAnswer {
	paths := map[string]string{}
	for _, info := range domain.EntityTypeInfos() {
		name, _ := info.Type.MarshalText()
		paths[info.TypeName] = string(name)
	}
	b, _ := json.Marshal(paths)
	focus := r.URL.Query().Get("focus")
	if !domain.ValidSlug(focus) {
		focus = ""
	}
	return s.htmlPage(r, http.StatusOK, "explore.html", exploreView{Base: s.apiBase(r), Focus: focus, TypePaths: string(b)})
}
