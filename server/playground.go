package server

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/trendgraph/trendgraph/graph"
)

//go:embed assets/*.js assets/*.css
var assetFiles embed.FS

// playgroundAssets serves the embedded GraphiQL and React builds. They never change within a
// binary, so browsers may keep them for a day.
func playgroundAssets() http.Handler {
	sub, _ := fs.Sub(assetFiles, "assets")
	files := http.StripPrefix("/assets/", http.FileServer(http.FS(sub)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
}

// defaultQuery opens on what sets trendgraph apart: a technology's tradeoffs, what mitigates
// them and why, and the passages of the article they rest on. The hint's lines are short, so
// they read whole in the editor at 1280 px.
const defaultQuery = `# trendgraph: backend trends, technologies
# and their tradeoffs; every fact cites the
# article. Run with ▶ or Ctrl-Enter; Docs
# (top left) describes every field.
query WhatAWSLambdaCosts {
  technology(slug: "aws-lambda") {
    name
    summary
    challenges: tradeoffs(
      type: CHALLENGE
      first: 3
    ) {
      nodes {
        name
        summary
        mitigations: relationships(
          kinds: [ADDRESSES]
          direction: INCOMING
          first: 2
        ) {
          edges {
            node { rationale from { name } }
          }
        }
        citations {
          section paragraph excerpt
        }
      }
    }
    benefits: tradeoffs(type: BENEFIT) {
      nodes { name summary }
    }
  }
}
`

// The page's header names trendgraph and carries the schema's description; GraphiQL's logo
// says trendgraph too.
var playgroundPage = template.Must(template.New("playground").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trendgraph playground</title>
<meta name="description" content="{{.Description}}">
<link rel="stylesheet" href="assets/graphiql.min.css">
<style>
  body { margin: 0; font-family: system-ui, sans-serif; display: flex; flex-direction: column; height: 100dvh; }
  #about { display: flex; gap: 1em; align-items: baseline; padding: 6px 14px; font-size: 14px; line-height: 1.4;
    border-bottom: 1px solid #ddd; background: #f7f7f9; color: #333; }
  #about strong { font-size: 15px; }
  #about span { flex: 1; min-width: 0; }
  #about a { color: #0b5cad; white-space: nowrap; }
  #graphiql { flex: 1; min-height: 0; }
  @media (prefers-color-scheme: dark) { #about { background: #1c1e24; color: #ddd; border-color: #333; } #about a { color: #7ab7ff; } }
</style>
</head>
<body>
<header id="about"><strong>trendgraph</strong><span>{{.Description}}</span>{{if not .TrustedOnly}}<a href="explore">explorer</a>{{end}}<a href="schema.graphql">schema</a></header>
{{if .TrustedOnly}}<main id="graphiql" style="padding: 1em 14px; max-width: 60em">
<h1 style="font-size: 20px">This server runs only listed documents</h1>
<p>It was started with <code>--trusted-only</code>: it answers only the {{.TrustedCount}} operations of its trusted-documents
manifest, by their <code>documentId</code>, so the playground cannot send queries of its own, nor read the schema.
Use a client built with the manifest (the README's typed clients show how), or run a server without
<code>--trusted-only</code> to explore.</p>
</main>{{else}}<div id="graphiql">Loading the playground…</div>
<script src="assets/react.production.min.js"></script>
<script src="assets/react-dom.production.min.js"></script>
<script src="assets/graphiql.min.js"></script>
<script>
  // The endpoint is relative, so the playground works wherever the handler is mounted.
  // Subscriptions go over graphql-transport-ws (GraphiQL's bundle has graphql-ws), to the same
  // path; the headers editor's content (an Authorization token) becomes connection_init's payload.
  const url = new URL("graphql", window.location.href);
  const subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const fetcher = GraphiQL.createFetcher({ url: url.toString(), subscriptionUrl: subscriptionUrl.toString() });
  // A link may bring a query (?query=…, as entity pages link here): it opens in a tab of its own.
  const linkedQuery = new URLSearchParams(window.location.search).get("query") ?? undefined;
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: {{.DefaultQuery}},
      query: linkedQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: {{.PersistHeaders}},
      defaultEditorToolsVisibility: true,
    }, React.createElement(GraphiQL.Logo, null, "trendgraph")),
  );
</script>{{end}}
</body>
</html>
`))

func (s *Server) servePlayground(w http.ResponseWriter, r *http.Request) {
	if !onlyGet(w, r) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Only our own scripts and styles, and requests to our own origin: no CDN, ever. ('self' in
	// connect-src also allows WebSockets to this host and port, which subscriptions use.)
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'")
	_ = playgroundPage.Execute(w, struct {
		DefaultQuery, Description   string
		PersistHeaders, TrustedOnly bool
		TrustedCount                int
	}{defaultQuery, strings.TrimPrefix(graph.Description(), "trendgraph: "), s.cfg.PlaygroundPersistHeaders, s.cfg.TrustedOnly, len(s.cfg.TrustedDocuments)})
}
