package domain

import (
	"slices"
	"testing"
)

func TestEntityTypeTableRoundTrips(t *testing.T) {
	seen := map[EntityType]bool{}
	for _, info := range EntityTypeInfos() {
		if seen[info.Type] {
			t.Errorf("type %d listed twice", info.Type)
		}
		seen[info.Type] = true
		for _, name := range []string{info.TypeName, info.Enum} {
			if got, ok := EntityTypeNamed(name); !ok || got != info.Type {
				t.Errorf("EntityTypeNamed(%q) = %v, %v; want %v", name, got, ok, info.Type)
			}
		}
		if info.Type.String() != info.Name {
			t.Errorf("%d.String() = %q, want %q", info.Type, info.Type.String(), info.Name)
		}
	}
	if len(EntityTypes) != len(seen) {
		t.Errorf("EntityTypes has %d types, the table %d", len(EntityTypes), len(seen))
	}
	if _, ok := EntityType(0).Info(); ok {
		t.Error("type 0 has info")
	}
}

func TestRelKindNamesRoundTrip(t *testing.T) {
	for _, rk := range RelKinds {
		if got, ok := ParseRelKind(rk.Kind.String()); !ok || got != rk.Kind {
			t.Errorf("ParseRelKind(%q) = %v, %v", rk.Kind.String(), got, ok)
		}
	}
	if _, ok := ParseRelKind("unknown"); ok {
		t.Error(`"unknown" parsed as a kind`)
	}
}

func TestValidSlug(t *testing.T) {
	for s, want := range map[string]bool{"graphql": true, "use-case-2": true, "": false, "Go": false, "a--b": false, "-a": false, "a b": false} {
		if ValidSlug(s) != want {
			t.Errorf("ValidSlug(%q) = %v", s, !want)
		}
	}
}

func TestDerivedRelationships(t *testing.T) {
	cites := []Citation{{Section: "S", Paragraph: 1}}
	tech := Entity{Type: TypeTechnology, Slug: "go", Vendor: "google", Trends: []string{"cloud"}, Citations: cites}
	challenge := Entity{Type: TypeTradeoff, Slug: "cold-starts", TradeoffType: "challenge", AppliesTo: []string{"faas"}, Citations: cites}
	got := append(DerivedRelationships(&tech), DerivedRelationships(&challenge)...)
	type edge struct {
		from string
		kind RelKind
		to   string
	}
	var edges []edge
	for _, r := range got {
		if !r.Derived || len(r.Citations) != 1 {
			t.Errorf("%+v: want derived with the entity's citation", r)
		}
		edges = append(edges, edge{r.From, r.Kind, r.To})
	}
	want := []edge{{"go", RelProvidedBy, "google"}, {"go", RelPartOf, "cloud"}, {"faas", RelHasChallenge, "cold-starts"}}
	if !slices.Equal(edges, want) {
		t.Errorf("edges = %v, want %v", edges, want)
	}
}
