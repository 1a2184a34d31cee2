package server

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/knowledge"
)

// withSourceTexts configures the seed article's text, for excerpts.
func withSourceTexts(t *testing.T) func(*Config) {
	t.Helper()
	texts, err := dataset.ReadSourceTexts(kbtest.Curated(t), kbtest.SeedText(t))
	if err != nil {
		t.Fatal(err)
	}
	return func(c *Config) { c.SourceTexts = texts }
}

func TestEntityPage(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, withSourceTexts(t))
	r := do(h, http.MethodGet, "/e/trend/microservices-architecture", nil, nil)
	body := string(r.body)
	if r.status != 200 || r.header.Get("Content-Type") != "text/html; charset=utf-8" || r.header.Get("Content-Security-Policy") != cspPage {
		t.Fatalf("%d %v", r.status, r.header)
	}
	ent, err := knowledge.New(st).EntityBySlug(context.Background(), "microservices-architecture", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<h1>Microservices architecture</h1>`,
		`<meta name="viewport"`, `@media print`,
		`<code id="global-id">` + model.EntityGlobalID(ent) + `</code>`,
		// The radar ring and its history.
		`<a href="/radar/backend-2026.svg">Backend 2026</a>: <strong>Adopt</strong> at the latest edition (2026-03-01)`,
		// A challenge with what addresses it, and why.
		`<h4><a href="/e/tradeoff/cross-service-data-consistency">Data consistency across services</a></h4>`,
		`Addressed by:</p><ul class="links"><li><a href="/e/technology/event-driven-architecture">Event-driven architecture</a>`,
		// Relationships grouped by kind, with rationales.
		`<h3>Requires</h3>`, `<h3>Has as parts</h3>`,
		`<a href="/e/skill/distributed-data-consistency-design">`,
		// Every citation, with its excerpt.
		`<h2 id="cite-h">Sources</h2>`, `<blockquote>`,
		// The playground and the explorer.
		`<a id="explorer-link" href="/explore?focus=microservices-architecture">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// The playground link carries a query for this entity's ID.
	m := regexp.MustCompile(`<a id="playground-link" href="/\?query=([^"]+)"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(m[1], model.EntityGlobalID(ent)) {
		t.Fatalf("playground link: %v", m)
	}
	// Every citation number points at a listed citation with an excerpt.
	refs := regexp.MustCompile(`href="#c(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(refs) < 5 {
		t.Fatalf("%d citation references", len(refs))
	}
	for _, ref := range refs {
		if !regexp.MustCompile(`<li id="c` + ref[1] + `"><cite>Backend Development Trends: A Complete Guide for 2026</cite>, “[^”]+”, <a href="/passage/backend-trends-2026/[^/"]+/\d+">paragraph \d+</a><blockquote>`).MatchString(body) {
			t.Fatalf("citation %s is not listed with its excerpt and a link to its passage", ref[1])
		}
	}
	if strings.Contains(body, "<script") {
		t.Fatal("the page has a script")
	}

	// Without the source text the passages are named, and the page says why.
	plain := string(do(newHandler(t, st, nil), http.MethodGet, "/e/trend/microservices-architecture", nil, nil).body)
	if strings.Contains(plain, "<blockquote>") || !strings.Contains(plain, "started without the source text") {
		t.Fatal("without --source: excerpts or no explanation")
	}
}

func TestEntityPageNotFound(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	for _, c := range []struct{ path, says string }{
		{"/e/gadget/go", `There is no entity type &#34;gadget&#34;; the types are trend, technology, tradeoff, use-case, organization, skill.`},
		{"/e/use%20case/go", `There is no entity type`},
		{"/e/technology/no-such-thing", `No technology has the slug &#34;no-such-thing&#34;.`},
		// The slug of an entity of another type: a pointer to it.
		{"/e/trend/kubernetes", `Perhaps <a href="/e/technology/kubernetes">Kubernetes, the technology</a>?`},
	} {
		r := do(h, http.MethodGet, c.path, nil, nil)
		if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), c.says) ||
			!strings.Contains(string(r.body), "<h1>Not found</h1>") || r.header.Get("ETag") != "" {
			t.Errorf("%s: %d %s", c.path, r.status, r.body)
		}
	}
	if r := do(h, http.MethodPost, "/e/technology/go", nil, nil); r.status != 405 {
		t.Fatalf("POST: %d", r.status)
	}
	if r := do(h, http.MethodHead, "/e/technology/go", nil, nil); r.status != 200 {
		t.Fatalf("HEAD: %d", r.status)
	}
}

// Entity names with markup stay text on the page.
func TestEntityPageEscapes(t *testing.T) {
	d := kbtest.Curated(t)
	for i := range d.Entities {
		if d.Entities[i].Slug == "go" {
			d.Entities[i].Name = `Go <script>alert(1)</script>`
		}
	}
	h := newHandler(t, kbtest.Open(t, d), nil)
	for _, path := range []string{"/e/technology/go", "/e/technology/kubernetes"} {
		body := string(do(h, http.MethodGet, path, nil, nil).body)
		if strings.Contains(body, "<script>") || !strings.Contains(body, "Go &lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Fatalf("%s: the name is not escaped", path)
		}
	}
}

func TestExplorePage(t *testing.T) {
	h := newHandler(t, newStore(t), nil)
	r := do(h, http.MethodGet, "/explore?focus=service-mesh", nil, nil)
	body := string(r.body)
	if r.status != 200 || r.header.Get("Content-Security-Policy") != cspExplorer {
		t.Fatalf("%d %v", r.status, r.header)
	}
	for _, want := range []string{`data-focus="service-mesh"`, `data-base="/"`, `&#34;UseCase&#34;:&#34;use-case&#34;`,
		`<script src="assets/cytoscape.min.js"></script>`, `<script src="assets/explore.js"></script>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the explorer lacks %s", want)
		}
	}
	// Only a slug is taken as the focus.
	if body := string(do(h, http.MethodGet, "/explore?focus=%22%3E%3Cscript%3E", nil, nil).body); !strings.Contains(body, `data-focus=""`) {
		t.Fatal("a focus that is not a slug was kept")
	}
	for _, asset := range []string{"/assets/cytoscape.min.js", "/assets/explore.js"} {
		if r := do(h, http.MethodGet, asset, nil, nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
			t.Fatalf("%s: %d %s", asset, r.status, r.header.Get("Content-Type"))
		}
	}
}

// The pages and the picture carry ETags keyed on the data version: a client with the current
// one gets 304, and after a change to the data it gets the new page.
func TestPagesETag(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, nil)
	for _, path := range []string{"/radar/backend-2026.svg", "/radar/backend-2026.svg?theme=dark", "/e/technology/go", "/explore"} {
		t.Run(path, func(t *testing.T) {
			r := do(h, http.MethodGet, path, nil, nil)
			etag := r.header.Get("ETag")
			if r.status != 200 || !regexp.MustCompile(`^"v\d+-[0-9a-f]{24}"$`).MatchString(etag) || r.header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("%d etag %q cache-control %q", r.status, etag, r.header.Get("Cache-Control"))
			}
			again := do(h, http.MethodGet, path, nil, map[string]string{"If-None-Match": etag})
			if again.status != 304 || len(again.body) != 0 || again.header.Get("ETag") != etag {
				t.Fatalf("If-None-Match: %d", again.status)
			}
		})
	}
	// Another theme is another picture.
	if do(h, http.MethodGet, "/radar/backend-2026.svg", nil, nil).header.Get("ETag") == do(h, http.MethodGet, "/radar/backend-2026.svg?theme=dark", nil, nil).header.Get("ETag") {
		t.Fatal("both themes share an ETag")
	}
	old := do(h, http.MethodGet, "/e/technology/go", nil, nil)
	d := kbtest.Curated(t)
	for i := range d.Entities {
		if d.Entities[i].Slug == "go" {
			d.Entities[i].Name = "Golang"
		}
	}
	if err := st.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	r := do(h, http.MethodGet, "/e/technology/go", nil, map[string]string{"If-None-Match": old.header.Get("ETag")})
	if r.status != 200 || !strings.Contains(string(r.body), "<h1>Golang</h1>") || r.header.Get("ETag") == old.header.Get("ETag") {
		t.Fatalf("after an import: %d %q", r.status, r.header.Get("ETag"))
	}
}

// A repeated page comes from the response cache, without reading the store.
func TestPagesUseTheResponseCache(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, nil)
	for _, path := range []string{"/radar/backend-2026.svg", "/e/technology/go"} {
		first := do(h, http.MethodGet, path, nil, nil)
		reads := st.Stats().ReadTxns
		second := do(h, http.MethodGet, path, nil, nil)
		if string(first.body) != string(second.body) || st.Stats().ReadTxns != reads || second.header.Get("Content-Type") != first.header.Get("Content-Type") {
			t.Fatalf("%s: the repeat read the store (%d -> %d transactions)", path, reads, st.Stats().ReadTxns)
		}
	}
	if metric(t, h, "trendgraph_cache_hits_total") != 2 {
		t.Fatal("the cache's hits are not counted")
	}
	// Errors are not kept.
	do(h, http.MethodGet, "/e/technology/nope", nil, nil)
	reads := st.Stats().ReadTxns
	do(h, http.MethodGet, "/e/technology/nope", nil, nil)
	if st.Stats().ReadTxns == reads {
		t.Fatal("a 404 page was served from the cache")
	}
	// With the cache off, pages are rendered every time.
	off := newHandler(t, st, func(c *Config) { c.CacheBytes = 0 })
	do(off, http.MethodGet, "/e/technology/go", nil, nil)
	reads = st.Stats().ReadTxns
	if r := do(off, http.MethodGet, "/e/technology/go", nil, nil); r.status != 200 || st.Stats().ReadTxns == reads {
		t.Fatal("without a cache the page was not rendered again")
	}
}

// Behind --require-auth the pages and the picture need a token like the API; the explorer's
// page, which holds no data, does not (its requests to the API do).
func TestPagesNeedATokenWhenRequired(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.RequireAuth = true; c.Tokens = ReadTokens("s3cret") })
	for _, path := range []string{"/radar/backend-2026.svg", "/e/technology/go"} {
		r := do(h, http.MethodGet, path, nil, nil)
		if r.status != 401 || r.header.Get("WWW-Authenticate") == "" || r.code(t) != "UNAUTHENTICATED" {
			t.Fatalf("%s without a token: %d", path, r.status)
		}
		if r := do(h, http.MethodGet, path, nil, map[string]string{"Authorization": "Bearer wrong"}); r.status != 401 {
			t.Fatalf("%s with a wrong token: %d", path, r.status)
		}
		ok := do(h, http.MethodGet, path, nil, map[string]string{"Authorization": "Bearer s3cret"})
		if ok.status != 200 || ok.header.Get("Cache-Control") != "private, max-age=60" || !strings.Contains(ok.header.Get("Vary"), "Authorization") {
			t.Fatalf("%s with the token: %d %q", path, ok.status, ok.header.Get("Cache-Control"))
		}
		// A cached page is not handed to a caller without a token.
		if r := do(h, http.MethodGet, path, nil, map[string]string{"If-None-Match": ok.header.Get("ETag")}); r.status != 401 {
			t.Fatalf("%s: a 304 without a token: %d", path, r.status)
		}
	}
	if r := do(h, http.MethodGet, "/explore", nil, nil); r.status != 200 {
		t.Fatalf("explore: %d", r.status)
	}
	if r := post(h, `{ trends { totalCount } }`, nil, nil); r.status != 401 {
		t.Fatalf("the explorer's API call without a token: %d", r.status)
	}
}

// Links follow --public-url, or the mount prefix without it; never the Host header.
func TestPagesLinksFollowThePublicURL(t *testing.T) {
	st := newStore(t)
	public := newHandler(t, st, func(c *Config) { c.PublicURL = "https://kb.example/tg" })
	svg := parseSVG(t, do(public, http.MethodGet, "/radar/backend-2026.svg", nil, map[string]string{"Host": "evil.example"}).body)
	if svg.Blips["kubernetes"] != "https://kb.example/tg/e/technology/kubernetes" {
		t.Fatalf("blip link %q", svg.Blips["kubernetes"])
	}
	page := string(do(public, http.MethodGet, "/e/technology/kubernetes", nil, map[string]string{"Host": "evil.example"}).body)
	if !strings.Contains(page, `href="https://kb.example/tg/e/technology/go"`) || !strings.Contains(page, `href="https://kb.example/tg/radar/backend-2026.svg"`) ||
		!strings.Contains(page, `id="playground-link" href="https://kb.example/tg/?query=`) || strings.Contains(page, "evil.example") {
		t.Fatal("entity page links do not follow the public URL")
	}
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal", newHandler(t, st, nil)))
	svg = parseSVG(t, do(mux, http.MethodGet, "/portal/radar/backend-2026.svg", nil, nil).body)
	if svg.Blips["kubernetes"] != "/portal/e/technology/kubernetes" {
		t.Fatalf("mounted blip link %q", svg.Blips["kubernetes"])
	}
	// The same page under two bases is two pages, in the cache and for ETags.
	a := do(public, http.MethodGet, "/e/technology/go", nil, nil).header.Get("ETag")
	b := do(mux, http.MethodGet, "/portal/e/technology/go", nil, nil).header.Get("ETag")
	if a == b {
		t.Fatal("two bases share an ETag")
	}
}

func TestPagesCORS(t *testing.T) {
	h := newHandler(t, newStore(t), func(c *Config) { c.CORSOrigins = []string{"https://portal.example"} })
	for _, path := range []string{"/radar/backend-2026.svg", "/e/technology/go", "/explore"} {
		r := do(h, http.MethodGet, path, nil, map[string]string{"Origin": "https://portal.example"})
		if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "https://portal.example" {
			t.Fatalf("%s: %d %q", path, r.status, r.header.Get("Access-Control-Allow-Origin"))
		}
		if r := do(h, http.MethodGet, path, nil, map[string]string{"Origin": "https://other.example"}); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("%s: allowed another origin", path)
		}
	}
}
