package server

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/knowledge"
)

// svgDoc is what the tests read of a radar picture.
type svgDoc struct {
	Title, Desc string
	Role        string
	// Blips are the links of the radar's blips, by entity slug; Legend the legend's links.
	Blips  map[string]string
	Labels map[string]string
	Legend []string
}

// parseSVG decodes the picture as XML (so a malformed one fails) and collects its links.
func parseSVG(t *testing.T, body []byte) svgDoc {
	t.Helper()
	doc := svgDoc{Blips: map[string]string{}, Labels: map[string]string{}}
	dec := xml.NewDecoder(strings.NewReader(string(body)))
	var stack []string
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := map[string]string{}
			for _, a := range el.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case el.Name.Local == "svg":
				doc.Role = attr["role"]
			case el.Name.Local == "script" || el.Name.Local == "foreignObject":
				t.Fatalf("the SVG has a %s", el.Name.Local)
			case el.Name.Local == "a" && attr["class"] == "blip":
				doc.Blips[attr["data-slug"]] = attr["href"]
				doc.Labels[attr["data-slug"]] = attr["aria-label"]
			case el.Name.Local == "a":
				doc.Legend = append(doc.Legend, attr["href"])
			}
			stack = append(stack, el.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 2 && stack[1] == "title" {
				doc.Title += string(el)
			}
			if len(stack) == 2 && stack[1] == "desc" {
				doc.Desc += string(el)
			}
		}
	}
	return doc
}

func TestRadarSVG(t *testing.T) {
	st := twoEditions(t)
	h := newHandler(t, st, nil)
	r := do(h, http.MethodGet, "/radar/backend-2026.svg", nil, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "image/svg+xml; charset=utf-8" || r.header.Get("Content-Security-Policy") != cspPicture {
		t.Fatalf("%d %v %.300s", r.status, r.header, r.body)
	}
	doc := parseSVG(t, r.body)
	if doc.Title != "Backend 2026 — 2026-09-01" || !strings.Contains(doc.Desc, "quadrants (Techniques, Platforms, Tools, Languages & Frameworks)") ||
		!strings.Contains(doc.Desc, "since the edition of 2026-03-01") || !strings.Contains(doc.Role, "graphics-document") {
		t.Fatalf("title %q, desc %q, role %q", doc.Title, doc.Desc, doc.Role)
	}
	// The second edition places three entries (twoEditions).
	if len(doc.Blips) != 3 || len(doc.Legend) != len(doc.Blips) {
		t.Fatalf("%d blips, %d legend links", len(doc.Blips), len(doc.Legend))
	}
	// The movement since the previous edition, in words for screen readers.
	for slug, want := range map[string]string{"graphql": "Hold, Languages & Frameworks, moved out", "platform-engineering": "Trial, Techniques, moved in", "kubernetes": "Adopt, Platforms, no change"} {
		if !strings.HasSuffix(doc.Labels[slug], want) {
			t.Fatalf("%s: %q, want …%q", slug, doc.Labels[slug], want)
		}
	}
	// An edition by its date: the first one, where everything is new.
	first := parseSVG(t, do(h, http.MethodGet, "/radar/backend-2026.svg?edition=2026-03-01", nil, nil).body)
	if first.Title != "Backend 2026 — March 2026" || !strings.HasSuffix(first.Labels["graphql"], "Adopt, Languages & Frameworks, new") || len(first.Blips) < 100 {
		t.Fatalf("first edition: %q, graphql %q, %d blips", first.Title, first.Labels["graphql"], len(first.Blips))
	}
	linkRe := regexp.MustCompile(`^/e/(technology|trend)/[a-z0-9-]+$`)
	for slug, href := range first.Blips {
		if !linkRe.MatchString(href) || !strings.HasSuffix(href, "/"+slug) {
			t.Fatalf("blip %s links to %s", slug, href)
		}
	}
	dark := do(h, http.MethodGet, "/radar/backend-2026.svg?theme=dark", nil, nil)
	if dark.status != 200 || !strings.Contains(string(dark.body), radarThemes["dark"].background) || strings.Contains(string(dark.body), radarThemes["light"].ringFill[0]) {
		t.Fatalf("dark theme: %d", dark.status)
	}
	for _, c := range []struct {
		target string
		status int
		says   string
	}{
		{"/radar/backend-2026.svg?theme=pink", 400, `unknown theme "pink": ask for ?theme=light (the default) or ?theme=dark`},
		{"/radar/backend-2026.svg?theme=", 200, ""},
		{"/radar/nope.svg", 404, `no radar has the slug "nope"`},
		{"/radar/backend-2026.svg?edition=2020-01-01", 404, `radar "backend-2026" has no edition "2020-01-01"; its editions are 2026-03-01, 2026-09-01`},
		{"/radar/backend-2026.png", 404, "/radar/{slug}.svg (a picture)"},
	} {
		r := do(h, http.MethodGet, c.target, nil, nil)
		if r.status != c.status || !strings.Contains(string(r.body), c.says) {
			t.Errorf("%s: %d %s", c.target, r.status, r.body)
		}
		if r.status != 200 && r.header.Get("ETag") != "" {
			t.Errorf("%s: an error with an ETag", c.target)
		}
	}
	if r := do(h, http.MethodPost, "/radar/backend-2026.svg", nil, nil); r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("POST: %d %v", r.status, r.header)
	}
}

// Data from the files is escaped in the picture: a name with markup stays text.
func TestRadarSVGEscapes(t *testing.T) {
	d := kbtest.Curated(t)
	for i := range d.Entities {
		if d.Entities[i].Slug == "kubernetes" {
			d.Entities[i].Name = `K8s <script>alert(1)</script> & "friends"`
		}
	}
	d.Radars[0].Name = `Backend <b>2026</b>`
	h := newHandler(t, kbtest.Open(t, d), nil)
	r := do(h, http.MethodGet, "/radar/backend-2026.svg", nil, nil)
	doc := parseSVG(t, r.body)
	if !strings.HasPrefix(doc.Title, "Backend <b>2026</b>") || !strings.Contains(doc.Labels["kubernetes"], `<script>alert(1)</script> & "friends"`) {
		t.Fatalf("title %q, label %q", doc.Title, doc.Labels["kubernetes"])
	}
}

// checkLayout fails when two blips overlap or a blip leaves its quadrant and ring.
func checkLayout(t *testing.T, rd *domain.Radar, entries []knowledge.Placement, l radarLayout) {
	t.Helper()
	if len(l.spots) != len(entries) {
		t.Fatalf("%d spots for %d entries", len(l.spots), len(entries))
	}
	radii := ringRadii(len(rd.Rings), l.radius)
	for i, e := range entries {
		s := l.spots[i]
		r := math.Hypot(s.x, s.y)
		k := ringIndex(rd, e.Assessment.Ring)
		inner := 0.0
		if k > 0 {
			inner = radii[k-1]
		}
		if r-l.blip < inner-1e-6 || r+l.blip > radii[k]+1e-6 {
			t.Fatalf("%s at radius %.1f leaves its ring [%.1f, %.1f]", e.Entity.Slug, r, inner, radii[k])
		}
		from, to := sectorOf(quadrantIndex(rd, e.Assessment.Quadrant), len(rd.Quadrants))
		a := math.Atan2(s.y, s.x)
		for a < from {
			a += 2 * math.Pi
		}
		if a > to || r*math.Sin(a-from) < l.blip || r*math.Sin(to-a) < l.blip {
			t.Fatalf("%s at angle %.2f leaves its quadrant [%.2f, %.2f] or touches its edge", e.Entity.Slug, a, from, to)
		}
		for j := range i {
			if d := math.Hypot(s.x-l.spots[j].x, s.y-l.spots[j].y); d < 2*l.blip+blipGap-1e-6 {
				t.Fatalf("%s and %s are %.1f apart, blips of radius %.1f overlap", e.Entity.Slug, entries[j].Entity.Slug, d, l.blip)
			}
		}
	}
}

// syntheticEdition is the latest edition of a synthetic radar of n entries.
func syntheticEdition(t *testing.T, n int) (*domain.Radar, []knowledge.Placement) {
	t.Helper()
	st := kbtest.Open(t, kbtest.SyntheticRadar(t, n))
	kb := knowledge.New(st)
	d := kbtest.SyntheticRadar(t, n)
	rd, err := kb.Radar(context.Background(), d.Radars[0].Slug)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := kb.RadarEdition(context.Background(), rd, "")
	if err != nil || len(entries) != n {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	return rd, entries
}

// At 200 entries the radar keeps its size and blips stay apart, at a legible size.
func TestRadarSVGReadableAt200Entries(t *testing.T) {
	rd, entries := syntheticEdition(t, 200)
	l := fitBlips(rd, entries)
	checkLayout(t, rd, entries, l)
	if l.radius != radarRadius || l.blip < 9 || l.crowded {
		t.Fatalf("200 entries: radius %.0f, blips of %.1f, crowded %v", l.radius, l.blip, l.crowded)
	}
	// The same picture every time.
	if again := fitBlips(rd, entries); fmt.Sprint(again) != fmt.Sprint(l) {
		t.Fatal("the layout differs between two runs")
	}
	h := newHandler(t, kbtest.Open(t, kbtest.SyntheticRadar(t, 200)), nil)
	r := do(h, http.MethodGet, "/radar/"+rd.Slug+".svg", nil, nil)
	if doc := parseSVG(t, r.body); r.status != 200 || len(doc.Blips) != 200 || len(doc.Legend) != 200 {
		t.Fatalf("%d: %d blips", r.status, len(doc.Blips))
	}
}

// Past what the radar holds at its size, blips shrink to their smallest and then the radar
// grows: still no overlap.
func TestRadarSVGDegradesByGrowing(t *testing.T) {
	rd, entries := syntheticEdition(t, 1500)
	l := fitBlips(rd, entries)
	checkLayout(t, rd, entries, l)
	if l.blip != minBlip || l.radius <= radarRadius || l.crowded {
		t.Fatalf("1500 entries: radius %.0f, blips of %.1f, crowded %v", l.radius, l.blip, l.crowded)
	}
}
