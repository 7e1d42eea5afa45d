package main

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/orderbot/orderbot/bot"
)

// metrics are the server's Prometheus metrics, on a registry of its own so
// that nothing process-global is shared between servers (tests run several).
// They are filled by decorators wired here (HTTP middleware, a Sender per
// channel, a wrapper around the core service), not by the code they measure.
type metrics struct {
	reg        *prometheus.Registry
	httpDur    *prometheus.HistogramVec // route, code
	inbound    *prometheus.CounterVec   // channel, result
	staff      *prometheus.CounterVec   // channel, action, result
	deliveries *prometheus.CounterVec   // channel, result
	lag        *prometheus.HistogramVec // channel
	limited    *prometheus.CounterVec   // channel
	approval   *prometheus.HistogramVec // item
	passive    *prometheus.HistogramVec // in_place
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.httpDur = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "orderbot_http_request_duration_seconds",
		Help:    "HTTP requests on the public listener by route pattern and status code.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "code"})
	m.inbound = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orderbot_inbound_messages_total",
		Help: "Customer messages handled by the core, by channel and result (ok, invalid, error).",
	}, []string{"channel", "result"})
	m.staff = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orderbot_staff_actions_total",
		Help: "Staff actions by channel, action and result (ok, decided, stale, forbidden, invalid, not_found, duplicate, error).",
	}, []string{"channel", "action", "result"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orderbot_outbox_deliveries_total",
		Help: "Outbox send attempts by channel and result (delivered, retry, rate_limited, held, unreachable, failed).",
	}, []string{"channel", "result"})
	m.lag = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "orderbot_outbox_delivery_lag_seconds",
		Help:    "Time from an outbox message being written to its delivery by the dispatcher, by channel.",
		Buckets: []float64{.1, .5, 1, 2, 5, 10, 30, 60, 300, 900, 3600},
	}, []string{"channel"})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "orderbot_rate_limited_total",
		Help: "Sends a platform refused with a rate limit (HTTP 429 or its equivalent), by channel.",
	}, []string{"channel"})
	m.approval = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "orderbot_approval_latency_seconds",
		Help:    "Time from an item needing a decision (order placed, cancel requested, after-sales filed) to staff approving or rejecting it.",
		Buckets: []float64{30, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400},
	}, []string{"item"})
	m.passive = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "orderbot_wechat_passive_reply_seconds",
		Help:    "Time to answer a WeChat push against its 5 s budget; in_place says whether the reply went in the HTTP answer.",
		Buckets: []float64{.1, .25, .5, 1, 2, 3, 4, 4.5, 5, 10},
	}, []string{"in_place"})
	m.reg.MustRegister(m.httpDur, m.inbound, m.staff, m.deliveries, m.lag, m.limited, m.approval, m.passive,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// watchOutbox reports the undelivered messages at every scrape, the first
// thing to look at when customers say they heard nothing.
func (m *metrics) watchOutbox(counts func(context.Context) (bot.OutboxCounts, error), timeout time.Duration) {
	m.reg.MustRegister(&outboxCollector{counts: counts, timeout: timeout, desc: prometheus.NewDesc(
		"orderbot_outbox_messages", "Undelivered outbox messages by state.", []string{"state"}, nil)})
}

// handler serves the metrics. A failing collector (the database is down)
// leaves the others served.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// observeHTTP records a request by its route pattern, never its raw path:
// paths are chosen by clients and would grow the series without bound.
func (m *metrics) observeHTTP(pattern string, code int, elapsed time.Duration) {
	if pattern == "" {
		pattern = "unmatched"
	}
	m.httpDur.WithLabelValues(pattern, strconv.Itoa(code)).Observe(elapsed.Seconds())
}

// ObservePassiveReply has the shape of the WeChat adapter's hook: how long
// a push took to answer and whether the reply went in the answer itself.
func (m *metrics) ObservePassiveReply(elapsed time.Duration, inPlace bool) {
	m.passive.WithLabelValues(strconv.FormatBool(inPlace)).Observe(elapsed.Seconds())
}

// outboxCollector reads the outbox counts when scraped.
type outboxCollector struct {
	counts  func(context.Context) (bot.OutboxCounts, error)
	timeout time.Duration
	desc    *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	n, err := c.counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for state, v := range map[string]int{"pending": n.Pending, "held": n.Held, "failed": n.Failed} {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(v), state)
	}
}
