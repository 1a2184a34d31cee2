package graph

import (
	"bytes"
	"hash/maphash"
	"io"
	"sync/atomic"

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

// marshalResponse writes the data of a query's answer into a buffer of about the size the
// same query text's last answer had, so that a large answer is not copied again and again as
// its buffer doubles. Sizes are kept in a fixed table indexed by a hash of the text: texts that
// share a slot, or variables that change the size, only make a guess wrong (the buffer then
// grows, or has room to spare), and the table never grows.
func marshalResponse(op *graphql.OperationContext, data graphql.Marshaler) []byte {
	slot := &sizeHints[maphash.String(hintSeed, op.RawQuery)%uint64(len(sizeHints))]
	hint := int(slot.Load())
	buf := bytes.NewBuffer(make([]byte, 0, hint+hint/16))
	data.MarshalGQL(buf)
	slot.Store(uint32(min(buf.Len(), maxSizeHint)))
	return buf.Bytes()
}

var (
	sizeHints [1024]atomic.Uint32
	hintSeed  = maphash.MakeSeed()
)

// maxSizeHint bounds what one guess makes a request allocate up front.
const maxSizeHint = 1 << 20
