package knowledge

// The bounds and defaults of every argument this package takes: the one home of these numbers.
// Functions here refuse arguments past them with a *BoundError; the server's cost function
// reads the same constants to price a request before it runs, so the two cannot disagree.
const (
	// DefaultPageSize is a page asked for without first or last, MaxPageSize the largest one
	// may ask for, as GitHub's API has them: enough for a screen, small enough to price.
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxIDs bounds the IDs of one lookup by ID, as a page does.
	MaxIDs = MaxPageSize

	// DefaultPathDepth and MaxPathDepth bound a path's length in relationships. Each level of
	// the search is one read transaction, and six steps join almost anything to anything.
	DefaultPathDepth = 4
	MaxPathDepth     = 6

	// A neighbourhood walks DefaultNeighborhoodDepth levels (at most MaxNeighborhoodDepth) and
	// returns DefaultNeighborhoodLimit entities (at most MaxNeighborhoodLimit) besides its
	// centre: beyond three levels nearly the whole graph is a neighbour.
	DefaultNeighborhoodDepth = 1
	MaxNeighborhoodDepth     = 3
	DefaultNeighborhoodLimit = 100
	MaxNeighborhoodLimit     = 500

	// A reach filter ("within n hops of X") follows DefaultReachHops relationships, at most
	// MaxReachHops: as with a neighbourhood, past three nearly everything is within reach.
	DefaultReachHops = 1
	MaxReachHops     = 3

	// MaxVisited bounds the entities one walk (path, neighbourhood or a filter's reach) may
	// visit, whatever its depth, so that a walk through a dense hub stays cheap.
	MaxVisited = 50_000

	// MinCompare and MaxCompare bound the entities of one comparison: side by side needs two,
	// and more than ten is no longer read side by side.
	MinCompare = 2
	MaxCompare = 10

	// MaxFilterDepth bounds the nesting of and/or/not in a filter, so a filter cannot make the
	// store do unbounded work (its width is the server's filter-size limit).
	MaxFilterDepth = 8
	// MaxTextLength bounds, in bytes, a search query and a filter's text: longer texts are not
	// questions but payloads.
	MaxTextLength = 200
	// MaxCursorLength bounds, in bytes, a cursor a caller passes back; every cursor this
	// package makes is far shorter.
	MaxCursorLength = 1024
)
