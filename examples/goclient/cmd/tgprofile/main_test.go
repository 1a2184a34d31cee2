package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"

	"github.com/trendgraph/trendgraph/internal/kbtest"
	"github.com/trendgraph/trendgraph/server"
)

// The example prints a profile from a live server, at the URL it is given.
func TestProfileFromALiveServer(t *testing.T) {
	cfg := server.DefaultConfig()
	cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(kbtest.Open(t, kbtest.Curated(t)), cfg))
	defer srv.Close()
	var out strings.Builder
	c := graphql.NewClient(srv.URL+"/graphql", &http.Client{Transport: bearer{}})
	if err := profile(context.Background(), &out, c, "aws-lambda"); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.HasPrefix(s, "AWS Lambda (CLOUD_SERVICE") || !strings.Contains(s, "CHALLENGE Cold starts") || !strings.Contains(s, " ¶") {
		t.Fatalf("profile:\n%s", s)
	}
	if err := profile(context.Background(), &out, c, "no-such"); err == nil || !strings.Contains(err.Error(), "no-such") {
		t.Fatalf("a missing technology: %v", err)
	}
}
