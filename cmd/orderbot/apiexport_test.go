package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The public middleware gives the API's exports their own deadline: the
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
	for _, path := range []string{"/api/v1/exports/orders.csv", "/api/v1/orders", "/api/v1/reports/summary"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	if d := left["/api/v1/exports/orders.csv"]; d < apiExportTimeout-time.Minute {
		t.Errorf("an export has %v left, want about %v", d, apiExportTimeout)
	}
	for _, path := range []string{"/api/v1/orders", "/api/v1/reports/summary"} {
		if d := left[path]; d > time.Second {
			t.Errorf("%s has %v left, want the ordinary second", path, d)
		}
	}
}
