package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// metrics counts HTTP requests by route pattern and status class and
// exposes them in the Prometheus text format; the standard library is
// enough for that.
type metrics struct {
	outbox   func(context.Context) (bot.OutboxCounts, error)
	mu       sync.Mutex
	requests map[[2]string]uint64 // (pattern, status class) → count
	seconds  map[string]float64   // pattern → total seconds
	started  time.Time
}

// newMetrics counts requests; outbox reports the undelivered messages, the
// first thing to look at when customers say they heard nothing.
func newMetrics(outbox func(context.Context) (bot.OutboxCounts, error)) *metrics {
	return &metrics{outbox: outbox, requests: map[[2]string]uint64{}, seconds: map[string]float64{}, started: time.Now()}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Flush keeps server-sent events and long polls working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (m *metrics) wrap(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		_, pattern := next.Handler(r)
		if pattern == "" {
			pattern = "unmatched"
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.mu.Lock()
		m.requests[[2]string{pattern, fmt.Sprintf("%dxx", sw.status/100)}]++
		m.seconds[pattern] += time.Since(start).Seconds()
		m.mu.Unlock()
	})
}

func (m *metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	counts, err := m.outbox(r.Context())
	if err != nil {
		http.Error(w, "outbox counts: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP orderbot_outbox_messages Undelivered outbox messages by state.")
	fmt.Fprintln(w, "# TYPE orderbot_outbox_messages gauge")
	fmt.Fprintf(w, "orderbot_outbox_messages{state=\"pending\"} %d\n", counts.Pending)
	fmt.Fprintf(w, "orderbot_outbox_messages{state=\"held\"} %d\n", counts.Held)
	fmt.Fprintf(w, "orderbot_outbox_messages{state=\"failed\"} %d\n", counts.Failed)
	fmt.Fprintln(w, "# HELP orderbot_http_requests_total HTTP requests by route and status class.")
	fmt.Fprintln(w, "# TYPE orderbot_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "orderbot_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP orderbot_http_request_seconds_total Time spent serving HTTP requests by route.")
	fmt.Fprintln(w, "# TYPE orderbot_http_request_seconds_total counter")
	for route, s := range m.seconds {
		fmt.Fprintf(w, "orderbot_http_request_seconds_total{route=%q} %g\n", route, s)
	}
	fmt.Fprintf(w, "# TYPE orderbot_uptime_seconds gauge\norderbot_uptime_seconds %g\n", time.Since(m.started).Seconds())
}
