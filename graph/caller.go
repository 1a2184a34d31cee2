package graph

import (
	"context"
	"slices"
)

// Scope is what a token allows.
type Scope string

// The scopes a token may carry. Reads need none unless the server demands a token.
const (
	// ScopeRead reads the graph: what an anonymous caller may do, unless the server requires
	// authentication.
	ScopeRead Scope = "read"
	// ScopeWrite runs mutations.
	ScopeWrite Scope = "write"
	// ScopeAdmin imports, exports and backs up through the server.
	ScopeAdmin Scope = "admin"
)

// Caller is who runs an operation: the name of the token presented (never its secret) and
// its scopes.
type Caller struct {
	Name   string
	Scopes []Scope
}

// Anonymous is the caller of a request without a token.
var Anonymous = Caller{Name: "anonymous", Scopes: []Scope{ScopeRead}}

// Can reports whether the caller has the scope.
func (c Caller) Can(s Scope) bool { return slices.Contains(c.Scopes, s) }

type callerKey struct{}

// WithCaller records who runs the operations of ctx; the server sets it from the bearer
// token, and an embedder that runs mutations sets it itself.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns who runs the operation: Anonymous when nobody said.
func CallerFrom(ctx context.Context) Caller {
	if c, ok := ctx.Value(callerKey{}).(Caller); ok {
		return c
	}
	return Anonymous
}

// require refuses a caller without the scope: UNAUTHENTICATED without a token, FORBIDDEN with
// one that does not carry it.
func require(ctx context.Context, s Scope) (Caller, error) {
	c := CallerFrom(ctx)
	if c.Can(s) {
		return c, nil
	}
	if c.Name == Anonymous.Name {
		return c, &userError{code: CodeUnauthenticated, msg: "this needs a bearer token with the " + string(s) + " scope", ext: map[string]any{"scope": string(s)}}
	}
	return c, &userError{code: CodeForbidden, msg: "the token " + c.Name + " lacks the " + string(s) + " scope", ext: map[string]any{"scope": string(s)}}
}
