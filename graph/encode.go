package graph

import (
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// objectJSON writes one object of the response: its fields' response names and values, in
// the order of the query. The executor graph/gen writes returns it in place of gqlgen's own
// field set writer, which keeps a map of the names written and copies each field to the heap
// to skip names written twice: CollectFields has already merged the fields that share a
// response name (validation makes sure they can be), so there are none, and on the nested
// bench query that bookkeeping was a sixth of the bytes allocated (BENCHMARKS.md).
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

// MarshalGQL writes the object. Response names are GraphQL names ([_A-Za-z][_0-9A-Za-z]*),
// which JSON needs no escaping for.
func (o objectJSON) MarshalGQL(w io.Writer) {
	io.WriteString(w, "{")
	for i := range o.fields {
		if i > 0 {
			io.WriteString(w, `,"`)
		} else {
			io.WriteString(w, `"`)
		}
		io.WriteString(w, o.fields[i].Alias)
		io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	io.WriteString(w, "}")
}
