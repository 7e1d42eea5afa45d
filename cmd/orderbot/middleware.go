package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
)

// longPollWait is the web chat's wait for news (its PollWait).
const longPollWait = 25 * time.Second

// longPoll reports the paths whose requests wait for news on purpose: they
// get that wait on top of the ordinary deadline.
func longPoll(path string) bool {
	return path == "/chat/api/messages" || path == "/staff/api/feed"
}

// instrument wraps the public handler: every request gets an id (kept from
// a sane X-Request-Id, generated otherwise, echoed in the response) that its
// log lines carry, a deadline on its context so that a hung database makes
// it fail instead of hang, a duration observation by route pattern, and a
// log line.
func instrument(next http.Handler, m *metrics, log *slog.Logger, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", id)
		deadline := timeout
		if longPoll(r.URL.Path) {
			deadline += longPollWait
		}
		if apiExport(r.URL.Path) {
			deadline = apiExportTimeout
		}
		ctx, cancel := context.WithTimeout(logctx.WithRequestID(r.Context(), id), deadline)
		defer cancel()
		// The muxes record the matched pattern on this request value.
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		m.observeHTTP(r.Pattern, sw.status, elapsed)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		// The route, not the path or query: those can carry signatures.
		log.LogAttrs(ctx, level, "http request", slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", sw.status), slog.Duration("duration", elapsed))
	})
}

// requestID keeps an incoming id that is safe to log and echo (1 to 64
// letters, digits, '-', '_', '.'), and makes one otherwise.
func requestID(in string) string {
	if len(in) > 0 && len(in) <= 64 {
		ok := true
		for _, c := range []byte(in) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			return in
		}
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status a handler answered with.
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

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps server-sent events and long polls working through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
