package store

import "github.com/trendgraph/trendgraph/domain"

// indexedAttribute is one attribute of the index that an entity field feeds and a filter field
// asks for. (The type and the radar ring are indexed too, from the record's type and from
// assessments.)
type indexedAttribute struct {
	attr     byte
	ofEntity func(*domain.Entity) []string
	ofFilter func(*Filter) []string
}

// indexedAttributes is the one mapping of entity fields and filter fields onto the attribute
// index: import writes what ofEntity gives, filters look up what ofFilter gives (any of them).
var indexedAttributes = []indexedAttribute{
	{attrKind, func(e *domain.Entity) []string { return []string{e.Kind} }, func(f *Filter) []string { return f.Kinds }},
	{attrStatus, func(e *domain.Entity) []string { return []string{e.Status} }, func(f *Filter) []string { return f.Statuses }},
	{attrLifecycle, func(e *domain.Entity) []string { return []string{e.Lifecycle} }, func(f *Filter) []string { return f.Lifecycles }},
	{attrVendor, func(e *domain.Entity) []string { return []string{e.Vendor} }, func(f *Filter) []string { return f.Vendors }},
	{attrTradeoff, func(e *domain.Entity) []string { return []string{e.TradeoffType} }, func(f *Filter) []string { return f.TradeoffTypes }},
	// A trend's parent and a technology's trends: "within a trend" either way.
	{attrTrend, func(e *domain.Entity) []string { return append([]string{e.Parent}, e.Trends...) }, func(f *Filter) []string { return f.Trends }},
	// TagsAll asks for every tag; it is evaluated apart.
	{attrTag, func(e *domain.Entity) []string { return dedup(e.Tags) }, func(f *Filter) []string { return f.TagsAny }},
}
