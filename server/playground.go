package server

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
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

// defaultQuery shows off the graph: trends, their technologies, what those are related to and
// why, and where the article says so.
const defaultQuery = `# Welcome to trendgraph: backend-development trends, the technologies behind them,
# their tradeoffs, and how they relate. Press the run button (or Ctrl-Enter).
query TrendsAndTheirTechnologies {
  trends(first: 5, filter: { statuses: [MAINSTREAM, GROWING] }) {
    totalCount
    nodes {
      name
      status
      technologies(first: 4) {
        nodes {
          name
          kind
          tradeoffs(first: 3) { nodes { name type } }
          relationships(first: 3, direction: OUTGOING) {
            edges {
              node { kind rationale }
              other { __typename name }
            }
          }
        }
      }
      citations { section paragraph }
    }
  }
}
`

var playgroundPage = template.Must(template.New("playground").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>trendgraph playground</title>
<link rel="stylesheet" href="assets/graphiql.min.css">
<style>body { margin: 0; } #graphiql { height: 100dvh; }</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
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
    }),
  );
</script>
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
		DefaultQuery   string
		PersistHeaders bool
	}{defaultQuery, s.cfg.PlaygroundPersistHeaders})
}
