package server

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/trendgraph/trendgraph/store"
)

// maxOperationNames bounds the operation-name label: names come from clients, and an unbounded
// label would let them grow the metrics without end. Names past the bound count as "other".
const maxOperationNames = 200

type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	rejected *prometheus.CounterVec
	batches  *prometheus.HistogramVec

	mu    sync.Mutex
	names map[string]bool
}

func newMetrics(reg *prometheus.Registry, s *store.Store) *metrics {
	m := &metrics{
		registry: reg,
		names:    map[string]bool{},
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
	)
	return m
}

// operationLabel keeps the set of operation names bounded.
func (m *metrics) operationLabel(name string) string {
	if name == "" {
		return "anonymous"
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

func (m *metrics) observeRequest(route, opName, opType string, status int, d time.Duration, codes []string) {
	op := ""
	if opType != "" {
		op = m.operationLabel(opName)
	}
	m.requests.WithLabelValues(route, op, opType, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, op, opType).Observe(d.Seconds())
	for _, c := range codes {
		m.errors.WithLabelValues(c).Inc()
	}
}
