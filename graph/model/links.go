package model

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/trendgraph/trendgraph/domain"
)

// Links to the server's own pages. The server tells resolvers its root as links should name it
// (WithLinkBase: its --public-url, or what a trusted proxy forwarded, else the mount prefix);
// the response cache keys answers by it too, so no answer carries another request's links.

type linkBaseKey struct{}

// WithLinkBase gives the resolvers of a request the handler's root as links name it, ending in
// "/" ("https://kb.example/tg/" or "/tg/").
func WithLinkBase(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, linkBaseKey{}, base)
}

// LinkBase is the root links start from: "/" when the server said nothing (the executor run
// without the server).
func LinkBase(ctx context.Context) string {
	if b, ok := ctx.Value(linkBaseKey{}).(string); ok && b != "" {
		return b
	}
	return "/"
}

// EntityPath is an entity's page, relative to the server's root: e/{type}/{slug}.
func EntityPath(t domain.EntityType, slug string) string {
	name, _ := t.MarshalText()
	return "e/" + string(name) + "/" + slug
}

// PassagePath is a cited passage's page, relative to the server's root.
func PassagePath(source, section string, paragraph int) string {
	return "passage/" + url.PathEscape(source) + "/" + url.PathEscape(section) + "/" + strconv.Itoa(paragraph)
}

// PlaygroundQuery is the query the playground opens with for an entity: what it is and where
// the article says so.
func PlaygroundQuery(slug string) string {
	return fmt.Sprintf("{\n  entity(slug: %q) {\n    __typename name summary\n    citations { section paragraph excerpt source { title } }\n  }\n}\n", slug)
}

// URL is the entity's page on this server.
func (e Ent) URL(ctx context.Context) string {
	return LinkBase(ctx) + EntityPath(e.Entity.Type, e.Entity.Slug)
}

// PlaygroundURL is the playground with a query about the entity filled in.
func (e Ent) PlaygroundURL(ctx context.Context) string {
	return LinkBase(ctx) + "?query=" + url.QueryEscape(PlaygroundQuery(e.Entity.Slug))
}

// URL is where the source is published, when known.
func (s Source) URL() *string {
	if s.Source.URL == "" {
		return nil
	}
	u := s.Source.URL
	return &u
}
