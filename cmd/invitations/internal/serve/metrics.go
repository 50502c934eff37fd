package serve

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/invitesdk/invitations/access"
)

// Outcomes of a reconciler's run, as invitations_applies_total counts them.
const (
	// OutcomeApplied: the plan was applied and every change succeeded.
	OutcomeApplied = "applied"
	// OutcomeNothingToDo: the plan had no change.
	OutcomeNothingToDo = "nothing_to_do"
	// OutcomeRefusedProblems: the plan listed problems; nothing was sent.
	OutcomeRefusedProblems = "refused_problems"
	// OutcomeRefusedRemovals: the plan removed more grants than the limit;
	// nothing was sent.
	OutcomeRefusedRemovals = "refused_removals"
	// OutcomeLocked: another process held the state's lock; nothing was
	// read, and the run is retried.
	OutcomeLocked = "locked"
	// OutcomeFailed: the run ended in an error, or a change failed, is in
	// doubt or was skipped; the run is retried.
	OutcomeFailed = "failed"
)

// Metrics are the server's Prometheus metrics, on a registry of their
// own: a program embedding the server keeps its own metrics apart.
type Metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   prometheus.Histogram
	applies   *prometheus.CounterVec
	changes   *prometheus.CounterVec
	lastApply prometheus.Gauge
}

// NewMetrics returns the metrics, each at zero.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invitations_scim_requests_total",
			Help: "SCIM requests answered, by HTTP method and status.",
		}, []string{"method", "status"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "invitations_scim_request_duration_seconds",
			Help:    "Time to answer a SCIM request.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		applies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invitations_applies_total",
			Help: "Reconciliation runs, by outcome (applied, nothing_to_do, refused_problems, refused_removals, locked, failed).",
		}, []string{"outcome"}),
		changes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "invitations_changes_total",
			Help: "Changes applied, by outcome (done, already_done, failed, in_doubt, skipped).",
		}, []string{"outcome"}),
		lastApply: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "invitations_last_successful_apply_timestamp_seconds",
			Help: "When the last run that left the vendors as desired ended (Unix time; 0: none yet).",
		}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.applies, m.changes, m.lastApply)
	// Every outcome is exported from the start, at zero: an alert on a
	// rate of refusals needs the series before the first refusal.
	for _, o := range []string{OutcomeApplied, OutcomeNothingToDo, OutcomeRefusedProblems, OutcomeRefusedRemovals, OutcomeLocked, OutcomeFailed} {
		m.applies.WithLabelValues(o)
	}
	for _, o := range []access.Outcome{access.Done, access.AlreadyDone, access.Failed, access.InDoubt, access.Skipped} {
		m.changes.WithLabelValues(outcomeLabel(o))
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveRequest counts one SCIM request (the SCIM handler's observer).
func (m *Metrics) ObserveRequest(method string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(method, strconv.Itoa(status)).Inc()
	m.latency.Observe(elapsed.Seconds())
}

// observeRun counts a reconciler's run.
func (m *Metrics) observeRun(r RunReport) {
	m.applies.WithLabelValues(r.Outcome).Inc()
	for o, n := range r.Results {
		m.changes.WithLabelValues(outcomeLabel(o)).Add(float64(n))
	}
	if r.Outcome == OutcomeApplied || r.Outcome == OutcomeNothingToDo {
		m.lastApply.Set(float64(r.Ended.Unix()))
	}
}

// outcomeLabel is o as a label value: "in doubt" → "in_doubt".
func outcomeLabel(o access.Outcome) string {
	return strings.ReplaceAll(string(o), " ", "_")
}
