package store

// The on-disk layout, in one place. Keys that sort numerically are fixed-width big-endian;
// "0" below is a single zero byte separating a variable-length part from a fixed-width one.
// Every index is written in the same transaction as the records it indexes (see import.go).
var (
	// bucketMeta holds the format version, the data version and per-type counts.
	bucketMeta = []byte("meta")
	// bucketSources: source slug -> JSON domain.Source.
	bucketSources = []byte("sources")
	// bucketEntities: entity ID (8) -> JSON Entity.
	bucketEntities = []byte("entities")
	// bucketSlugs: slug -> entity ID (8) + entity type (1).
	bucketSlugs = []byte("slugs")
	// bucketRels: relationship ID (8) -> JSON Relationship.
	bucketRels = []byte("rels")
	// bucketRelOut: from ID (8) + kind (1) + to ID (8) + relationship ID (8) -> to's type (1).
	bucketRelOut = []byte("idx_rel_out")
	// bucketRelIn: to ID (8) + kind (1) + from ID (8) + relationship ID (8) -> from's type (1).
	bucketRelIn = []byte("idx_rel_in")
	// bucketByName: folded name + 0 + entity ID (8) -> entity type (1); the NAME ordering.
	bucketByName = []byte("idx_name")
	// bucketSortKey: entity ID (8) + order (1) -> the entity's key in that order's index, to
	// sort small filtered sets without walking the whole index.
	bucketSortKey = []byte("idx_sortkey")
	// bucketAttr: attribute (1) + value + 0 + entity ID (8) -> nil; see the attr constants.
	bucketAttr = []byte("idx_attr")
	// bucketTokens: search token + 0 + entity ID (8) -> weight (2, top bit: in the name) +
	// entity type (1) + number of tokens in the entity's name (1).
	bucketTokens = []byte("idx_token")
	// bucketRadars: radar slug -> JSON domain.Radar.
	bucketRadars = []byte("radars")
	// bucketAssessments: radar slug + 0 + edition date + 0 + entity ID (8) -> JSON Assessment.
	bucketAssessments = []byte("assessments")
	// bucketAssessByEntity: entity ID (8) + radar slug + 0 + edition date -> nil.
	bucketAssessByEntity = []byte("idx_assess_entity")

	// The change log, written in the same transaction as the changes it records, never
	// rewritten: see changes.go.
	// bucketChangeSets: data version (8) -> JSON ChangeSet.
	bucketChangeSets = []byte("changesets")
	// bucketChanges: data version (8) + sequence in the set (4) -> JSON Change.
	bucketChanges = []byte("changes")
	// bucketRecordHistory: record kind (1) + record key + 0 + version (8) + sequence (4) -> nil;
	// a record's changes, oldest first.
	bucketRecordHistory = []byte("idx_history")
	// bucketEntityChanges: entity slug + 0 + version (8) + sequence (4) -> nil; every change
	// that touches an entity: its own, its relationships' and its assessments'.
	bucketEntityChanges = []byte("idx_entity_changes")
)

// dataBuckets are replaced as a whole by an import.
var dataBuckets = [][]byte{
	bucketSources, bucketEntities, bucketSlugs, bucketRels, bucketRelOut, bucketRelIn,
	bucketByName, bucketSortKey, bucketAttr, bucketTokens, bucketRadars, bucketAssessments,
	bucketAssessByEntity,
}

// logBuckets hold the change log: an import into an empty database starts it, and nothing
// ever replaces them.
var logBuckets = [][]byte{bucketChangeSets, bucketChanges, bucketRecordHistory, bucketEntityChanges}

// Keys in bucketMeta.
var (
	metaFormat  = []byte("format")
	metaVersion = []byte("data_version")
	metaCounts  = []byte("counts") // JSON map of entity type -> count
	// metaTime is the time of the newest change set (8, Unix nanoseconds): change sets are
	// stamped no earlier, so that versions and times sort alike.
	metaTime = []byte("time")
	// metaCheckpoint is the position (8) in a replicated log of the last entry applied.
	metaCheckpoint = []byte("checkpoint")
)

// formatVersion is the layout version written by this code; a database with another is refused.
// Version 2 added record meta and the change log.
const formatVersion = 2

// Attributes indexed in bucketAttr. The byte values are on disk: never renumber them.
const (
	attrType      byte = 1 // entity type, as one byte
	attrKind      byte = 2 // technology kind
	attrTag       byte = 3
	attrStatus    byte = 4 // trend status
	attrLifecycle byte = 5 // technology lifecycle
	attrTrend     byte = 6 // trend slug a technology belongs to (or a trend's parent)
	attrVendor    byte = 7 // organization slug
	attrTradeoff  byte = 8 // tradeoff type: benefit or challenge
	attrRing      byte = 9 // radar slug + "/" + ring slug, at the radar's latest edition
)
