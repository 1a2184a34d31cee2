package server

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/store"
)

// twoEditions is the curated dataset with a second radar edition that moves a few entries.
func twoEditions(t *testing.T) *store.Store {
	t.Helper()
	d := kbtest.Curated(t)
	rd, _ := d.FindRadar("backend-2026")
	rd.Editions = append(rd.Editions, dataset.Edition{Date: "2026-09-01"})
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
		if e.ID == "" || e.Key != e.ID || e.Title == "" || !quadrants[e.Quadrant] || len(e.Timeline) == 0 || len(e.Links) != 1 {
			t.Fatalf("entry: %+v", e)
		}
		if !strings.HasPrefix(e.Links[0].URL, "http://kb.example/portal/graphql?query=") {
			t.Fatalf("link: %s", e.Links[0].URL)
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
