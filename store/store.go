// Package store keeps the knowledge graph in an embedded bbolt database: the buckets and their
// indexes, the batch-shaped reads the API needs, and import, export and backup. It knows nothing
// of GraphQL.
package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/internal/bytelru"
)

// Config holds the options of Open.
type Config struct {
	// ReadOnly opens the file with a shared lock, so that other read-only processes (a backup, a
	// check) can open it too while it is served. Writes then fail.
	ReadOnly bool
	// Timeout bounds the wait for the file lock held by another process; without it the wait
	// is forever.
	Timeout time.Duration
	// InitialMmapSize is the size mapped at open. Generous, since a remap waits for every open
	// read transaction to end.
	InitialMmapSize int
	// RecordCacheSize bounds the decoded entities, and separately the decoded relationships,
	// kept in memory; negative switches the cache off.
	RecordCacheSize int
	// BatchDelay is how long a write waits for others to share its transaction (see Apply);
	// zero means the default.
	BatchDelay time.Duration
	// NoSync skips fsync at commit. Only for tests and fuzzing: a crash may lose commits.
	NoSync bool
}

// DefaultConfig returns the options used when a Config field is zero.
func DefaultConfig() Config {
	return Config{
		// Long enough to ride out another process's short write, short enough to fail clearly.
		Timeout: 2 * time.Second,
		// Address space only; pages are loaded as they are read. Covers the 1M-relationship
		// synthetic dataset without a remap.
		InitialMmapSize: 1 << 30,
		// Group commits: concurrent writers share a transaction and its fsync. A short window,
		// because a lone curator should not wait for company.
		BatchDelay: 2 * time.Millisecond,
		// The whole curated dataset many times over; a few hundred MB at the 100k scale.
		RecordCacheSize: 100_000,
	}
}

// Store is an open knowledge database. It is safe for concurrent use: reads run in their own
// read transactions and never wait on each other.
type Store struct {
	db       *bolt.DB
	path     string
	readOnly bool

	readTxns    atomic.Uint64
	recordsRead atomic.Uint64
	entities    *recordCache[Entity]
	rels        *recordCache[Relationship]
	// filterSets keeps evaluated filters (sorted ID sets), by a hash of the filter, with their
	// data version, bounded by bytes. The sets are shared: never modify one.
	filterSets *bytelru.Cache[filterKey, versionedSet]
	// sortedSets keeps small filters' members in each order (see sortedSetPage), bounded by bytes.
	sortedSets *bytelru.Cache[sortedKey, sortedMembers]
	// edgeLists keeps sorted edge lists, by node and edge filter, with their data version,
	// bounded by bytes (see sortedEdges).
	edgeLists *bytelru.Cache[string, versionedEdges]
	// citations is the passage-to-entities index at the data version it was built at (see
	// CitingEntities); nil until first asked for.
	citations atomic.Pointer[citationIndex]
	// vocab is the search index's vocabulary at the data version it was built at (see
	// searchVocabulary); nil until first asked for.
	vocab atomic.Pointer[vocabulary]

	// version mirrors the data version on disk: read at open, set by every committed write.
	// No other process can write while this one has the file open (bbolt's file lock), so it
	// is exact, and reading it costs no transaction.
	version atomic.Uint64

	// changed is closed, and replaced, at every commit: see Changed.
	changedMu sync.Mutex
	changed   chan struct{}
}

// Stats counts the reads a store has served since it was opened, so that callers can prove
// they batch.
type Stats struct {
	// ReadTxns is the number of read transactions opened.
	ReadTxns uint64
	// RecordsRead is the number of records (entities, relationships, assessments...) returned,
	// decoded or from the record cache.
	RecordsRead uint64
}

// ErrEmptyDatabase is returned by Open, wrapped with the path, for a file that exists but holds
// no trendgraph data: empty, or an initialised bbolt file with none of our buckets. That is what
// a process killed while creating a database in place leaves behind; such a file is never
// initialised by Open, so that it cannot pass for a database.
var ErrEmptyDatabase = errors.New("no import finished into it")

// Open opens the database file at path. A path that does not exist is created, unless
// read-only; an existing file that holds no data is refused with ErrEmptyDatabase, and a
// dangling symbolic link is refused rather than created through.
func Open(path string, cfg Config) (*Store, error) {
	created, err := preflight(path, cfg.ReadOnly)
	if err != nil {
		return nil, err
	}
	def := DefaultConfig()
	if cfg.Timeout == 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.InitialMmapSize == 0 {
		cfg.InitialMmapSize = def.InitialMmapSize
	}
	if cfg.RecordCacheSize == 0 {
		cfg.RecordCacheSize = def.RecordCacheSize
	}
	if cfg.BatchDelay == 0 {
		cfg.BatchDelay = def.BatchDelay
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{
		ReadOnly:        cfg.ReadOnly,
		Timeout:         cfg.Timeout,
		InitialMmapSize: cfg.InitialMmapSize,
		// Statistics take a lock in every transaction; we keep our own counters.
		NoStatistics: true,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("open database %s: locked by another process (waited %s)", path, cfg.Timeout)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.MaxBatchDelay = cfg.BatchDelay
	db.NoSync = cfg.NoSync
	s := &Store{db: db, path: path, readOnly: cfg.ReadOnly, changed: make(chan struct{}), filterSets: newFilterCache(filterCacheBytes), sortedSets: newSortedCache(sortedCacheBytes), edgeLists: newEdgeListCache(edgeListCacheBytes),
		entities: newRecordCache[Entity](cfg.RecordCacheSize), rels: newRecordCache[Relationship](cfg.RecordCacheSize)}
	if err := s.init(cfg.ReadOnly, created); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	v, err := s.DataVersion()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s.version.Store(v)
	return s, nil
}

// preflight looks at path before bbolt does: bbolt would initialise an empty file (failing with
// "bad file descriptor" when read-only) and create the target of a dangling link. It reports
// whether Open is about to create the file.
func preflight(path string, readOnly bool) (created bool, err error) {
	link, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if readOnly {
			return false, fmt.Errorf("open database: %w", err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("open database: %w", err)
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) && link.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		return false, fmt.Errorf("open database %s: a symbolic link to %s, which does not exist: point it at a database or remove it", path, target)
	}
	if err != nil {
		return false, fmt.Errorf("open database: %w", err)
	}
	if info.Mode().IsRegular() && info.Size() == 0 {
		return false, fmt.Errorf("open database %s: the file is empty: %w", path, ErrEmptyDatabase)
	}
	return false, nil
}

// init creates the buckets of a database Open has just created and checks the format of an
// existing one.
func (s *Store) init(readOnly, created bool) error {
	check := func(tx *bolt.Tx) error {
		// A file cut short still opens, but reading a page past its end faults (SIGBUS) in the
		// memory map: refuse it while nothing has been read yet.
		if info, err := os.Stat(s.path); err == nil && info.Size() < tx.Size() {
			return fmt.Errorf("the file is truncated: %d bytes, but its pages reach %d", info.Size(), tx.Size())
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if k, _ := tx.Cursor().First(); k == nil {
				return fmt.Errorf("a bbolt file with no buckets: %w", ErrEmptyDatabase)
			}
			return errors.New("not a trendgraph database (no meta bucket)")
		}
		if v := meta.Get(metaFormat); v == nil || binary.BigEndian.Uint64(v) != formatVersion {
			got := uint64(0)
			if len(v) == 8 {
				got = binary.BigEndian.Uint64(v)
			}
			if got == 1 {
				return fmt.Errorf("database format 1, from before the change log (this release writes format %d): export it with the release that wrote it and import the export into a new file", formatVersion)
			}
			return fmt.Errorf("unsupported database format %d (want %d)", got, formatVersion)
		}
		return nil
	}
	if readOnly || !created {
		// An existing file is never initialised here: one with no buckets is the remains of a
		// creation that did not finish, and check says so.
		return s.db.View(check)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return errors.New("not a trendgraph database (it has other buckets)")
			}
			meta, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return fmt.Errorf("create meta: %w", err)
			}
			if err := meta.Put(metaFormat, u64(formatVersion)); err != nil {
				return fmt.Errorf("write format: %w", err)
			}
			for _, b := range slices.Concat(dataBuckets, logBuckets) {
				if _, err := tx.CreateBucket(b); err != nil {
					return fmt.Errorf("create bucket %s: %w", b, err)
				}
			}
		}
		return check(tx)
	})
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// Close closes the database file.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Stats returns the read counters.
func (s *Store) Stats() Stats {
	return Stats{ReadTxns: s.readTxns.Load(), RecordsRead: s.recordsRead.Load()}
}

// view runs fn in one counted read transaction. fn must not wait on anything outside it
// (another transaction, a loader, a channel): a remap of a growing file waits for every open
// read transaction, and would deadlock.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	s.readTxns.Add(1)
	return s.db.View(fn)
}

// DataVersion is bumped by every write, so caches can tell whether an answer is still current.
func (s *Store) DataVersion() (uint64, error) {
	var v uint64
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketMeta).Get(metaVersion); b != nil {
			v = binary.BigEndian.Uint64(b)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// Version is the data version as of the last committed write, without a transaction: caches
// key their entries by it, so that nothing computed before a write is served after it.
func (s *Store) Version() uint64 { return s.version.Load() }

// readCounts is how many entities of each type the import recorded.
func readCounts(tx *bolt.Tx) (map[domain.EntityType]int, error) {
	counts := map[domain.EntityType]int{}
	if b := tx.Bucket(bucketMeta).Get(metaCounts); b != nil {
		if err := json.Unmarshal(b, &counts); err != nil {
			return nil, fmt.Errorf("decode counts: %w", err)
		}
	}
	return counts, nil
}

// Check runs bbolt's consistency check over the whole file and returns every error found.
func (s *Store) Check() error {
	return s.view(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("database %s is inconsistent: %w", s.path, errors.Join(errs...))
		}
		return nil
	})
}

// Backup writes a consistent copy of the whole database to w, from one read transaction, so
// it may run while the database is being read and written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup %s: %w", s.path, err)
	}
	return n, nil
}
