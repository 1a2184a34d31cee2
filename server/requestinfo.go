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

func (i *requestInfo) setCached() {
	i.mu.Lock()
	i.cached = true
	i.mu.Unlock()
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

func (i *requestInfo) setOperation(name, typ string) {
	i.mu.Lock()
	i.opName, i.opType = name, typ
	i.mu.Unlock()
}

func (i *requestInfo) setCost(c int) {
	i.mu.Lock()
	i.cost = c
	i.mu.Unlock()
}

func (i *requestInfo) addCode(code string) {
	i.mu.Lock()
	if !slices.Contains(i.codes, code) {
		i.codes = append(i.codes, code)
	}
	i.mu.Unlock()
}
