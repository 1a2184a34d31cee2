package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/store"
)

// twoEditions is the curated dataset with a second radar edition that moves a few entries.
func twoEditions(t *testing.T) *store.Store {
	t.Helper()
	d := kbtest.Curated(t)
	rd, _ := d.FindRadar("backend-2026")
	rd.Editions = append(rd.Editions, domain.Edition{Date: "2026-09-01"})
	moves := map[string]string{"platform-engineering": "trial", "graphql": "hold", "kubernetes": "adopt"}
	for _, a := range slices.Clone(d.Assessments) {
		if ring, ok := moves[a.Entity]; ok && a.Radar == "backend-2026" {
			a.Edition, a.Ring = "2026-09-01", ring
			d.Assessments = append(d.Assessments, a)
		}
	}
	return kbtest.Open(t, d)
}

func TestBackstageRadarJSON(t *testing.T) {
	st := twoEditions(t)
	h := newHandler(t, st, nil)
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal", h))
	r := do(mux, http.MethodGet, "/portal/radar/backend-2026.json", nil, map[string]string{"Host": "kb.example"})
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("radar json: %d %s", r.status, r.body)
	}
	// Decode strictly into the plugin's shape: an unknown field would fail.
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	var radar BackstageRadar
	if err := dec.Decode(&radar); err != nil {
		t.Fatal(err)
	}
	if got := len(radar.Quadrants); got != 4 || radar.Quadrants[0] != (BackstageQuadrant{ID: "techniques", Name: "Techniques"}) || radar.Quadrants[3].Name != "Languages & Frameworks" {
		t.Fatalf("quadrants: %+v", radar.Quadrants)
	}
	if len(radar.Rings) != 4 || radar.Rings[0].ID != "adopt" || radar.Rings[0].Color != "#5ba300" || radar.Rings[3].ID != "hold" || radar.Rings[0].Description == "" {
		t.Fatalf("rings: %+v", radar.Rings)
	}
	byID := map[string]BackstageEntry{}
	quadrants := map[string]bool{"techniques": true, "platforms": true, "tools": true, "languages-and-frameworks": true}
	rings := map[string]bool{"adopt": true, "trial": true, "assess": true, "hold": true}
	for _, e := range radar.Entries {
		if e.ID == "" || e.Key != e.ID || e.Title == "" || !quadrants[e.Quadrant] || len(e.Timeline) == 0 || len(e.Links) != 2 {
			t.Fatalf("entry: %+v", e)
		}
		// No public URL and no trusted proxy: the link is a path, mount prefix included.
		// The entity's page first, then the playground with its query filled in.
		pg, err := url.Parse(e.Links[1].URL)
		if page := e.Links[0].URL; page != "/portal/e/technology/"+e.ID && page != "/portal/e/trend/"+e.ID || err != nil ||
			pg.Path != "/portal/" || !strings.Contains(pg.Query().Get("query"), fmt.Sprintf("entity(slug: %q)", e.ID)) {
			t.Fatalf("links: %+v", e.Links)
		}
		for _, tl := range e.Timeline {
			if !rings[tl.RingID] || tl.Moved < -1 || tl.Moved > 1 || tl.Date == "" {
				t.Fatalf("timeline: %+v", tl)
			}
		}
		byID[e.ID] = e
	}
	if len(byID) != len(radar.Entries) || len(radar.Entries) < 100 {
		t.Fatalf("%d entries (%d distinct)", len(radar.Entries), len(byID))
	}
	want := map[string][]BackstageTimeline{
		"platform-engineering": {{Date: "2026-09-01", RingID: "trial", Moved: 1}, {Date: "2026-03-01", RingID: "assess", Moved: 0}},
		"graphql":              {{Date: "2026-09-01", RingID: "hold", Moved: -1}, {Date: "2026-03-01", RingID: "adopt", Moved: 0}},
		"kubernetes":           {{Date: "2026-09-01", RingID: "adopt", Moved: 0}, {Date: "2026-03-01", RingID: "adopt", Moved: 0}},
	}
	for id, tl := range want {
		got := byID[id].Timeline
		if len(got) != len(tl) {
			t.Fatalf("%s timeline: %+v", id, got)
		}
		for i := range tl {
			if got[i].Date != tl[i].Date || got[i].RingID != tl[i].RingID || got[i].Moved != tl[i].Moved || got[i].Description == "" {
				t.Fatalf("%s timeline[%d]: %+v, want %+v", id, i, got[i], tl[i])
			}
		}
	}
	if len(byID["go"].Timeline) != 1 {
		t.Fatalf("an entry of the first edition only: %+v", byID["go"].Timeline)
	}
	if r := do(h, http.MethodGet, "/radar/nope.json", nil, nil); r.status != 404 {
		t.Fatalf("unknown radar: %d", r.status)
	}
	if r := do(h, http.MethodGet, "/radar/backend-2026.xml", nil, nil); r.status != 404 {
		t.Fatalf("unknown format: %d", r.status)
	}
}

// The portal formats are cached like /graphql's GET: an ETag on the data version (304 when it
// matches), Cache-Control, and a new ETag after a change.
func TestRadarDataETags(t *testing.T) {
	st := twoEditions(t)
	h := newHandler(t, st, nil)
	for _, path := range []string{"/radar/backend-2026.json", "/radar/backend-2026.csv"} {
		r := do(h, http.MethodGet, path, nil, nil)
		etag := r.header.Get("ETag")
		if r.status != 200 || etag == "" || !strings.Contains(r.header.Get("Cache-Control"), "max-age=") {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", path, r.status, etag, r.header.Get("Cache-Control"))
		}
		if again := do(h, http.MethodGet, path, nil, map[string]string{"If-None-Match": etag}); again.status != http.StatusNotModified || len(again.body) != 0 {
			t.Fatalf("%s with its ETag: %d", path, again.status)
		}
		if miss := do(h, http.MethodGet, "/radar/nope.json", nil, nil); miss.status != 404 || miss.header.Get("ETag") != "" {
			t.Fatalf("a missing radar: %d, ETag %q", miss.status, miss.header.Get("ETag"))
		}
	}
	before := do(h, http.MethodGet, "/radar/backend-2026.json", nil, nil).header.Get("ETag")
	d, err := st.Export()
	if err != nil {
		t.Fatal(err)
	}
	d.Entities[0].Summary += " Changed."
	if err := st.Import(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if after := do(h, http.MethodGet, "/radar/backend-2026.json", nil, map[string]string{"If-None-Match": before}); after.status != 200 || after.header.Get("ETag") == before {
		t.Fatalf("after a change: %d, ETag %q (was %q)", after.status, after.header.Get("ETag"), before)
	}
}

func TestBuildYourOwnRadarCSV(t *testing.T) {
	h := newHandler(t, twoEditions(t), nil)
	r := do(h, http.MethodGet, "/radar/backend-2026.csv", nil, nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("radar csv: %d %s", r.status, r.body)
	}
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"name", "ring", "quadrant", "isNew", "description", "status"}) {
		t.Fatalf("header: %v", rows[0])
	}
	// The latest edition holds the three moved entries.
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows)-1)
	}
	got := map[string][]string{}
	for _, row := range rows[1:] {
		if len(row) != 6 || row[4] == "" {
			t.Fatalf("row: %v", row)
		}
		got[row[0]] = row
	}
	for name, want := range map[string][]string{
		"Platform engineering": {"Trial", "FALSE", "Moved In"},
		"GraphQL":              {"Hold", "FALSE", "Moved Out"},
		"Kubernetes":           {"Adopt", "FALSE", "No Change"},
	} {
		row, ok := got[name]
		if !ok || row[1] != want[0] || row[3] != want[1] || row[5] != want[2] {
			t.Fatalf("%s: %v, want %v", name, row, want)
		}
	}
	one := newHandler(t, newStore(t), nil)
	rows, _ = csv.NewReader(strings.NewReader(string(do(one, http.MethodGet, "/radar/backend-2026.csv", nil, nil).body))).ReadAll()
	if len(rows) < 100 || rows[1][3] != "TRUE" || rows[1][5] != "New" {
		t.Fatalf("single edition: %d rows, first %v", len(rows), rows[1])
	}
}

// radarFrom fetches a radar view through a handler mounted under /portal, as if from peer with
// the given headers.
func radarFrom(t *testing.T, h http.Handler, file, peer string, headers map[string]string) response {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/portal/", http.StripPrefix("/portal", h))
	req := httptest.NewRequest(http.MethodGet, "/portal/radar/"+file, nil)
	req.RemoteAddr = peer
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if host, ok := headers["Host"]; ok {
		req.Host = host
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func radarLinks(t *testing.T, r response) []string {
	t.Helper()
	var radar BackstageRadar
	if err := json.Unmarshal(r.body, &radar); err != nil || r.status != http.StatusOK || len(radar.Entries) == 0 {
		t.Fatalf("radar: %d %v %.200s", r.status, err, r.body)
	}
	var links []string
	for _, e := range radar.Entries {
		for _, l := range e.Links {
			links = append(links, l.URL)
		}
	}
	return links
}

// Issue 10 item 7: links were built from the Host header, so any client could make the radar
// point anywhere (and a shared cache or portal would pass that on).
func TestRadarLinksNeverFollowHost(t *testing.T) {
	st := newStore(t)
	evil := map[string]string{"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
	cases := []struct {
		name    string
		change  func(*Config)
		peer    string
		headers map[string]string
		prefix  string
	}{
		{"Host alone", nil, "198.51.100.1:1", map[string]string{"Host": "evil.example"}, "/portal/"},
		{"forwarded headers without --trust-proxy", nil, "127.0.0.1:1", evil, "/portal/"},
		{"forwarded headers from an untrusted peer", func(c *Config) { c.TrustProxy = true }, "198.51.100.1:1", evil, "/portal/"},
		{"public URL wins over everything", func(c *Config) { c.TrustProxy = true; c.PublicURL = "https://kb.example/tg/" }, "127.0.0.1:1", evil, "https://kb.example/tg/"},
		{"public URL without a trailing slash", func(c *Config) { c.PublicURL = "https://kb.example/tg" }, "198.51.100.1:1", evil, "https://kb.example/tg/"},
		{"trusted proxy's host", func(c *Config) { c.TrustProxy = true }, "127.0.0.1:1",
			map[string]string{"Host": "evil.example", "X-Forwarded-Host": "evil.example, kb.example", "X-Forwarded-Proto": "http, https"}, "https://kb.example/portal/"},
		{"trusted proxy's host that is not a host", func(c *Config) { c.TrustProxy = true }, "127.0.0.1:1",
			map[string]string{"Host": "evil.example", "X-Forwarded-Host": "kb.example@evil.example/x"}, "/portal/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHandler(t, st, c.change)
			r := radarFrom(t, h, "backend-2026.json", c.peer, c.headers)
			if strings.Contains(string(r.body), "evil.example") {
				t.Fatalf("the radar links to evil.example: %.300s", r.body)
			}
			for _, l := range radarLinks(t, r) {
				if !strings.HasPrefix(l, c.prefix) {
					t.Fatalf("link %s, want prefix %s", l, c.prefix)
				}
			}
		})
	}
}

// Issue 10 item 10: the radar views ran their query through the public executor, so the
// trusted-documents allowlist and low depth or cost limits refused the server's own query.
func TestRadarViewsIgnorePublicLimits(t *testing.T) {
	st := newStore(t)
	unrelated := `{ __typename }`
	for name, change := range map[string]func(*Config){
		"trusted only": func(c *Config) {
			c.TrustedDocuments = map[string]string{"sha256:" + sha256Hex(unrelated): unrelated}
			c.TrustedOnly = true
		},
		"low cost":         func(c *Config) { c.Limits.MaxCost = 10 },
		"low depth":        func(c *Config) { c.Limits.MaxDepth = 2 },
		"low cost + depth": func(c *Config) { c.Limits.MaxCost, c.Limits.MaxDepth, c.Limits.MaxTokens = 10, 2, 20 },
	} {
		t.Run(name, func(t *testing.T) {
			h := newHandler(t, st, change)
			// The public endpoint does refuse the same kind of query.
			if r := post(h, `{ radar(slug: "backend-2026") { entries(first: 100) { edges { node { entity { slug } } } } } }`, nil, nil); r.code(t) == "" {
				t.Fatalf("the public executor ran it: %d %.200s", r.status, r.body)
			}
			if links := radarLinks(t, do(h, http.MethodGet, "/radar/backend-2026.json", nil, nil)); len(links) < 100 {
				t.Fatalf("%d entries", len(links))
			}
			r := do(h, http.MethodGet, "/radar/backend-2026.csv", nil, nil)
			rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
			if r.status != http.StatusOK || err != nil || len(rows) < 100 {
				t.Fatalf("csv: %d %v %d rows %.200s", r.status, err, len(rows), r.body)
			}
		})
	}
	// Authentication still guards the views.
	h := newHandler(t, st, func(c *Config) { c.RequireAuth = true; c.Tokens = ReadTokens("t0ken") })
	if r := do(h, http.MethodGet, "/radar/backend-2026.json", nil, nil); r.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", r.status)
	}
	if r := do(h, http.MethodGet, "/radar/backend-2026.csv", nil, map[string]string{"Authorization": "Bearer t0ken"}); r.status != http.StatusOK {
		t.Fatalf("with a token: %d", r.status)
	}
}

// Issue 10 item 10: cells of the CSV that a spreadsheet reads as formulas went out as they were.
func TestRadarCSVNeutralisesFormulas(t *testing.T) {
	d := kbtest.Curated(t)
	rd, _ := d.FindRadar("backend-2026")
	rd.Quadrants[0].Name = "+Techniques"
	rd.Rings[0].Name = "@Adopt"
	names := map[string]string{"kubernetes": `=HYPERLINK("http://evil.example","x")`, "graphql": "\tTabbed", "go": "\rReturn"}
	for i, e := range d.Entities {
		if n, ok := names[e.Slug]; ok {
			d.Entities[i].Name = n
		}
	}
	for i, a := range d.Assessments {
		if a.Entity == "kubernetes" {
			d.Assessments[i].Rationale = "-2+3 in a cell"
		}
	}
	h := newHandler(t, kbtest.Open(t, d), nil)
	r := do(h, http.MethodGet, "/radar/backend-2026.csv", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if r.status != http.StatusOK || err != nil {
		t.Fatalf("csv: %d %v", r.status, err)
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("cell %q of row %q", cell, row)
			}
			if strings.HasPrefix(cell, "'") {
				seen[cell[:2]] = true
			}
		}
		if row[0] == `'=HYPERLINK("http://evil.example","x")` && !strings.HasPrefix(row[4], "'-2+3 in a cell") {
			t.Fatalf("description: %q", row[4])
		}
	}
	for _, want := range []string{"'=", "'+", "'@", "'-", "'\t", "'\r"} {
		if !seen[want] {
			t.Fatalf("no cell begins with %q: %v", want, seen)
		}
	}
}

// Issue 11: the views paged a 10,000-entry radar a hundred entries at a time through GraphQL,
// in sequence, and answered 500 after the timeout. They now read the query layer: the whole
// radar comes back, every entry with its timeline. (BenchmarkRadarView shows the time.)
func TestRadarViewOf10kEntries(t *testing.T) {
	slow.Only(t) // seconds of work or waiting: the slow tier, which CI runs
	h := newHandler(t, kbtest.Open(t, kbtest.SyntheticRadar(t, 10_000)), nil)
	r := do(h, http.MethodGet, "/radar/synthetic.json", nil, nil)
	var radar BackstageRadar
	if err := json.Unmarshal(r.body, &radar); err != nil || r.status != http.StatusOK {
		t.Fatalf("radar: %d %v %.200s", r.status, err, r.body)
	}
	moved := map[int]int{}
	for _, e := range radar.Entries {
		if len(e.Timeline) != 2 || e.Timeline[0].Date != "2026-07-01" || len(e.Links) != 2 {
			t.Fatalf("entry %s: %+v", e.ID, e.Timeline)
		}
		moved[e.Timeline[0].Moved]++
	}
	if len(radar.Entries) != 10_000 || moved[1] == 0 || moved[-1] == 0 || moved[0] == 0 {
		t.Fatalf("%d entries, moved %v", len(radar.Entries), moved)
	}
	r = do(h, http.MethodGet, "/radar/synthetic.csv", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
	if r.status != http.StatusOK || err != nil || len(rows) != 10_001 {
		t.Fatalf("csv: %d %v, %d rows", r.status, err, len(rows))
	}
}

// BenchmarkRadarView serves both views of a radar of 10,000 entries at each of two editions
// through the real handler (rate limit off: one client asks over and over).
func BenchmarkRadarView(b *testing.B) {
	h := newHandler(b, kbtest.Open(b, kbtest.SyntheticRadar(b, 10_000)), func(c *Config) { c.RatePerSecond = 0 })
	for _, format := range []string{"json", "csv"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				r := do(h, http.MethodGet, "/radar/synthetic."+format, nil, nil)
				if r.status != http.StatusOK {
					b.Fatalf("%d %.200s", r.status, r.body)
				}
				size = len(r.body)
			}
			b.ReportMetric(float64(size), "resp-bytes")
		})
	}
}
