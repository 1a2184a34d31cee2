package server

import (
	"net/http"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/store"
)

// maxOperationNames bounds the operation-name label: names come from clients, and an unbounded
// label would let them grow the metrics without end. Names past the bound count as "other".
const maxOperationNames = 200

// metrics are the handler's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	batches  *prometheus.HistogramVec

	mu    sync.RWMutex
	names map[string]bool

	// The collectors of each label set seen, looked up once: WithLabelValues hashes every label
	// value on every call, which was a tenth of the time of an answer from the response cache.
	// Label sets are bounded: routes and types are ours, operations are (operationLabel).
	handlesMu sync.RWMutex
	handles   map[requestLabels]requestHandles
}

type requestLabels struct {
	route, op, opType string
	status            int
}

type requestHandles struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// newMetrics registers the collectors on reg, with counters that read the store's own.
func newMetrics(reg *prometheus.Registry, s *store.Store) *metrics {
	m := &metrics{
		names:   map[string]bool{},
		handles: map[requestLabels]requestHandles{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trendgraph_requests_total", Help: "HTTP requests by route, GraphQL operation name and type, and status.",
		}, []string{"route", "operation", "type", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "trendgraph_request_duration_seconds", Help: "Request durations by route and GraphQL operation name and type.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trendgraph_errors_total", Help: "GraphQL errors by extensions.code.",
		}, []string{"code"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trendgraph_rejected_requests_total", Help: "Requests refused by a limit, by limit.",
		}, []string{"limit"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "trendgraph_loader_batch_size", Help: "Keys per loader batch, by loader.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
		}, []string{"loader"}),
	}
	reg.MustRegister(m.requests, m.duration, m.errors, m.rejected, m.batches,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trendgraph_store_read_transactions_total", Help: "Read transactions opened on the store.",
		}, func() float64 { return float64(s.Stats().ReadTxns) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "trendgraph_store_records_read_total", Help: "Records decoded from the store.",
		}, func() float64 { return float64(s.Stats().RecordsRead) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(),
	)
	return m
}

// maxOperationNameBytes bounds an operation name as a label value and in the access log. Real
// names are short; a longer one is a client's doing and becomes "other" in the metrics (a hash
// would still mint a label per name), so the label set stays within maxOperationNames times
// this many bytes.
const maxOperationNameBytes = 64

// operationNameRe is a GraphQL name that fits the bound. Names reach us parsed, so one that is
// not a GraphQL name is a bug upstream, and a longer one is a client's doing; neither becomes a
// label.
var operationNameRe = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// operationLabel keeps the set of operation names bounded, in count and in bytes.
func (m *metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	m.mu.RLock()
	known := m.names[name]
	m.mu.RUnlock()
	if known {
		return name
	}
	if !operationNameRe.MatchString(name) {
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.names[name] {
		return name
	}
	if len(m.names) >= maxOperationNames {
		return "other"
	}
	m.names[name] = true
	return name
}

// logOperationName is an operation name as the access log shows it: at most
// maxOperationNameBytes bytes (cut on a character boundary), then "…".
func logOperationName(name string) string {
	if len(name) <= maxOperationNameBytes {
		return name
	}
	cut := maxOperationNameBytes
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + "…"
}

// MetricsHandler serves the Prometheus metrics, behind MetricsToken when one is set. With
// SeparateMetrics, serve it on an address of its own (trendgraph serve --metrics-addr).
func (s *Server) MetricsHandler() http.Handler { return s.metricsHTTP }

// newMetricsHandler serves the registry's metrics, behind MetricsToken when one is set.
func (s *Server) newMetricsHandler() http.Handler {
	h := promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
	if s.cfg.MetricsToken == "" {
		return s.observe("metrics", h)
	}
	// Its own token set: an API token does not open the metrics, nor the metrics token the API.
	token := newTokenSet(ReadTokens(s.cfg.MetricsToken))
	return s.observe("metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := bearer(r); !ok || !token.valid(t) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="trendgraph metrics"`)
			s.reject(w, r, http.StatusUnauthorized, graph.CodeUnauthenticated, "metrics_auth", "/metrics needs the metrics bearer token")
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// observeRequest counts a finished request, its duration and each error code of its response.
func (m *metrics) observeRequest(route, opName, opType string, status int, d time.Duration, codes []string) {
	op := ""
	if opType != "" {
		op = m.operationLabel(opName)
	}
	h := m.handlesOf(requestLabels{route, op, opType, status})
	h.requests.Inc()
	h.duration.Observe(d.Seconds())
	for _, c := range codes {
		m.errors.WithLabelValues(c).Inc()
	}
}

// handlesOf returns the collectors of the label set l.
func (m *metrics) handlesOf(l requestLabels) requestHandles {
	m.handlesMu.RLock()
	h, ok := m.handles[l]
	m.handlesMu.RUnlock()
	if ok {
		return h
	}
	h = requestHandles{
		requests: m.requests.WithLabelValues(l.route, l.op, l.opType, strconv.Itoa(l.status)),
		duration: m.duration.WithLabelValues(l.route, l.op, l.opType),
	}
	m.handlesMu.Lock()
	m.handles[l] = h
	m.handlesMu.Unlock()
	return h
}

// trendgraphModule is this module's path, looked up in the build information.
const trendgraphModule = "github.com/trendgraph/trendgraph"

// buildInfo is trendgraph_build_info: always 1, its labels name the build (the module version,
// the commit when built from a checkout, and the Go release), so that dashboards can tell
// replicas of different builds apart.
func buildInfo() prometheus.Collector {
	version, revision, goVersion := "unknown", "unknown", runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if bi.Main.Path == trendgraphModule {
			version = bi.Main.Version
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					revision = s.Value
				}
			}
		}
		// Mounted by another program: the version of trendgraph it was built with.
		for _, dep := range bi.Deps {
			if dep.Path == trendgraphModule {
				version = dep.Version
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "trendgraph_build_info", Help: "The build: always 1, labelled with the module version, the commit and the Go release.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "go_version": goVersion}})
	g.Set(1)
	return g
}
