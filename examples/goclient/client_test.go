package goclient

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/Khan/genqlient/graphql"

	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/server"
)

// liveServer serves the real handler over HTTP on loopback, loaded from the embedded dataset.
func liveServer(t *testing.T) string {
	t.Helper()
	st := kbtest.Open(t, kbtest.Curated(t))
	cfg := server.DefaultConfig()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(st, cfg))
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql"
}

func TestGeneratedClientAgainstALiveServer(t *testing.T) {
	ctx := context.Background()
	c := graphql.NewClient(liveServer(t), http.DefaultClient)

	profile, err := TechnologyProfile(ctx, c, "aws-lambda")
	if err != nil {
		t.Fatal(err)
	}
	tech := profile.Technology
	if tech.Name != "AWS Lambda" || tech.Kind != TechnologyKindCloudService || tech.Vendor.Name != "Amazon Web Services" {
		t.Fatalf("profile: %+v", tech)
	}
	if tech.Tradeoffs.TotalCount == 0 || tech.Relationships.TotalCount == 0 {
		t.Fatalf("no tradeoffs or relationships: %+v", tech)
	}
	cold := false
	for _, n := range tech.Tradeoffs.Nodes {
		cold = cold || (n.Slug == "cold-starts" && n.Type == TradeoffTypeChallenge)
	}
	if !cold {
		t.Fatal("cold starts are not among AWS Lambda's challenges")
	}
	for _, e := range tech.Relationships.Edges {
		// Interface results come back as typed Go values.
		if e.Other.GetSlug() == "" || e.Other.GetTypename() == nil || len(e.Node.Citations) == 0 {
			t.Fatalf("relationship edge: %+v", e)
		}
	}

	// Page through a filtered list with cursors.
	first := 5
	filter := &EntityFilter{Kinds: []TechnologyKind{TechnologyKindDatabase, TechnologyKindCloudService}}
	var slugs []string
	var after *string
	total := -1
	for {
		page, err := TechnologiesPage(ctx, c, filter, &first, after)
		if err != nil {
			t.Fatal(err)
		}
		total = page.Technologies.TotalCount
		for _, n := range page.Technologies.Nodes {
			if n.Kind != TechnologyKindDatabase && n.Kind != TechnologyKindCloudService {
				t.Fatalf("filter let through %+v", n)
			}
			slugs = append(slugs, n.Slug)
		}
		if !page.Technologies.PageInfo.HasNextPage {
			break
		}
		after = page.Technologies.PageInfo.EndCursor
	}
	if len(slugs) != total || total <= first {
		t.Fatalf("paged %d of %d", len(slugs), total)
	}

	n := 3
	found, err := Search(ctx, c, "time series", &n)
	if err != nil {
		t.Fatal(err)
	}
	if found.Search.TotalCount == 0 || len(found.Search.Edges) == 0 || found.Search.Edges[0].Score <= 0 {
		t.Fatalf("search: %+v", found.Search)
	}

	// A GraphQL error comes back as a Go error, not a panic or a zero value.
	if _, err := TechnologyProfile(ctx, c, "no-such-technology"); err == nil {
		t.Fatal("an unknown slug gave no error")
	}
}
