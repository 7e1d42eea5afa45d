package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The public middleware gives the exports (the API's and the console's
// downloads) their own deadline: the
// ordinary one would cut a long export (the API cannot lengthen a deadline
// its caller set).
func TestAPIExportsOutliveTheRequestDeadline(t *testing.T) {
	left := map[string]time.Duration{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		d, ok := r.Context().Deadline()
		if !ok {
			t.Errorf("%s has no deadline", r.URL.Path)
		}
		left[r.URL.Path] = time.Until(d)
	})
	h := instrument(mux, newMetrics(), slog.New(slog.NewTextHandler(io.Discard, nil)), time.Second)
	for _, path := range []string{"/api/v1/exports/orders.csv", "/api/v1/orders", "/api/v1/reports/summary",
		"/staff/reports/exports/orders.xlsx", "/staff/reports"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, path := range []string{"/api/v1/exports/orders.csv", "/staff/reports/exports/orders.xlsx"} {
		if d := left[path]; d < apiExportTimeout-time.Minute {
			t.Errorf("%s has %v left, want about %v", path, d, apiExportTimeout)
		}
	}
	for _, path := range []string{"/api/v1/orders", "/api/v1/reports/summary", "/staff/reports"} {
		if d := left[path]; d > time.Second {
			t.Errorf("%s has %v left, want the ordinary second", path, d)
		}
	}
}
