// Package knowledge answers the questions asked of the knowledge graph: lists and search,
// facets, paths, neighbourhoods, comparisons and radar entries. It sits between the API and the
// store: the GraphQL resolvers (package graph) and in-process readers such as the radar views
// call it with plain Go arguments, a context first, and get store records and this package's
// types back. It validates those arguments against one set of bounds (bounds.go), which the
// server's cost function reads too, and reports the caller's mistakes as typed errors
// (errors.go) that the API maps onto its codes. It knows nothing of GraphQL.
package knowledge

import "github.com/trendgraph/trendgraph/store"

// Base answers questions from one store. It holds no state of its own, so one value serves
// any number of concurrent callers.
type Base struct {
	store *store.Store
}

// New returns a Base reading from s.
func New(s *store.Store) *Base { return &Base{store: s} }
