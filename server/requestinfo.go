package server

import (
	"context"
	"slices"
	"sync"
)

// requestInfo collects what the access log and metrics report of one request; the GraphQL
// layer fills in the operation as it learns it.
type requestInfo struct {
	mu     sync.Mutex
	id     string
	opName string
	opType string
	cost   int
	codes  []string
	authed bool
	// tokenScope identifies the caller's token (a digest prefix), for cache keys.
	tokenScope string
	cached     bool
	rejected   string
	// spentCost and spentIntrospection are what the operations of this request (a batch has
	// several) have used of their shared budget.
	spentCost, spentIntrospection int
}

// spend adds an operation's cost and introspection fields to the request's totals and
// returns the new totals.
func (i *requestInfo) spend(cost, introspection int) (int, int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.spentCost = satAdd(i.spentCost, cost)
	i.spentIntrospection = satAdd(i.spentIntrospection, introspection)
	return i.spentCost, i.spentIntrospection
}

// scope is what of the caller can change an answer: their token, or nothing.
func (i *requestInfo) scope() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.tokenScope
}

// setCached marks a request answered from the response cache.
func (i *requestInfo) setCached() {
	i.mu.Lock()
	i.cached = true
	i.mu.Unlock()
}

// requestInfoKey is the context key of a request's requestInfo.
type requestInfoKey struct{}

// requestInfoFrom is the request's requestInfo; nil for a request that did not pass through
// observe.
func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// setOperation records the operation as the GraphQL layer learns it.
func (i *requestInfo) setOperation(name, typ string) {
	i.mu.Lock()
	i.opName, i.opType = name, typ
	i.mu.Unlock()
}

// setCost records the operation's measured cost for the access log.
func (i *requestInfo) setCost(c int) {
	i.mu.Lock()
	i.cost = c
	i.mu.Unlock()
}

// addCode records an error code of the response, once however often it occurs.
func (i *requestInfo) addCode(code string) {
	i.mu.Lock()
	if !slices.Contains(i.codes, code) {
		i.codes = append(i.codes, code)
	}
	i.mu.Unlock()
}
