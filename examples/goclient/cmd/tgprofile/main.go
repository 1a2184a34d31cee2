// Command tgprofile prints a technology's profile from a running trendgraph server, through the
// generated client (package goclient): its tradeoffs, and its relationships with their
// rationales and the passages they cite.
//
//	go run ./examples/goclient/cmd/tgprofile -url http://localhost:8080/graphql -slug aws-lambda
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/Khan/genqlient/graphql"

	"github.com/trendgraph/trendgraph/examples/goclient"
)

func main() {
	url := flag.String("url", envOr("TRENDGRAPH_URL", "http://localhost:8080/graphql"), "the GraphQL endpoint ($TRENDGRAPH_URL)")
	slug := flag.String("slug", "aws-lambda", "the technology's slug")
	token := flag.String("token-env", "TRENDGRAPH_TOKEN", "variable holding a bearer token, for a server run with --require-auth")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &http.Client{Transport: bearer{os.Getenv(*token)}}
	if err := profile(ctx, os.Stdout, graphql.NewClient(*url, client), *slug); err != nil {
		fmt.Fprintln(os.Stderr, "tgprofile:", err)
		os.Exit(1)
	}
}

// profile writes the technology's profile to w.
func profile(ctx context.Context, w io.Writer, c graphql.Client, slug string) error {
	p, err := goclient.TechnologyProfile(ctx, c, slug)
	if err != nil {
		return fmt.Errorf("technology %q: %w", slug, err)
	}
	t := p.Technology
	fmt.Fprintf(w, "%s (%s, %s)\n%s\n\n", t.Name, t.Kind, t.Lifecycle, t.Summary)
	fmt.Fprintf(w, "tradeoffs (%d):\n", t.Tradeoffs.TotalCount)
	for _, n := range t.Tradeoffs.Nodes {
		fmt.Fprintf(w, "  %-9s %s\n", n.Type, n.Name)
	}
	fmt.Fprintf(w, "\nrelationships (%d):\n", t.Relationships.TotalCount)
	for _, e := range t.Relationships.Edges {
		fmt.Fprintf(w, "  %s %s %s", e.Direction, e.Node.Kind, e.Other.GetName())
		if e.Node.Rationale != nil {
			fmt.Fprintf(w, ": %s", *e.Node.Rationale)
		}
		for _, c := range e.Node.Citations {
			fmt.Fprintf(w, " [%s ¶%d]", c.Section, c.Paragraph)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// bearer adds the token, when there is one, to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if b.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+b.token)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
