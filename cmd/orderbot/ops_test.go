package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

func TestOpsSettingsAreChecked(t *testing.T) {
	cases := []struct {
		env   map[string]string
		admin string
		json  bool
		level slog.Level
		bad   string // part of the error, "" when accepted
	}{
		{env: map[string]string{}, admin: "127.0.0.1:9090", level: slog.LevelInfo},
		{env: map[string]string{"ORDERBOT_ADMIN_ADDR": "off"}, admin: ""},
		{env: map[string]string{"ORDERBOT_ADMIN_ADDR": ":9191", "ORDERBOT_LOG_FORMAT": "json", "ORDERBOT_LOG_LEVEL": "debug"}, admin: ":9191", json: true, level: slog.LevelDebug},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "WARN"}, admin: "127.0.0.1:9090", level: slog.LevelWarn},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "error"}, admin: "127.0.0.1:9090", level: slog.LevelError},
		{env: map[string]string{"ORDERBOT_LOG_FORMAT": "logfmt"}, bad: "ORDERBOT_LOG_FORMAT"},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "verbose"}, bad: "ORDERBOT_LOG_LEVEL"},
	}
	for _, c := range cases {
		c.env["ORDERBOT_ENV_FILE"] = filepath.Join(t.TempDir(), "none.env")
		cfg, err := loadConfig(func(k string) string { return c.env[k] })
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("%v: err %v, want one naming %s", c.env, err, c.bad)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if cfg.Ops.AdminAddr != c.admin || cfg.Ops.LogJSON != c.json || (c.admin != "" && cfg.Ops.LogLevel != c.level) {
			t.Errorf("%v: got %+v", c.env, cfg.Ops)
		}
	}
}

// A bad log setting stops the server before it opens anything.
func TestBadLogSettingRefusesToStart(t *testing.T) {
	env := map[string]string{"ORDERBOT_DB": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "ORDERBOT_LOG_LEVEL": "loud",
		"ORDERBOT_ENV_FILE": filepath.Join(t.TempDir(), "none.env")}
	err := run(t.Context(), []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), `ORDERBOT_LOG_LEVEL="loud"`) {
		t.Fatalf("serve with a bad log level: %v", err)
	}
}

// metricValue finds the sample of name whose labels include all of labels
// (`k="v"` pairs) in a Prometheus text exposition; -1 when there is none.
func metricValue(text, name string, labels ...string) float64 {
next:
	for _, line := range strings.Split(text, "\n") {
		series, value, ok := strings.Cut(line, " ")
		if !ok || (series != name && !strings.HasPrefix(series, name+"{")) {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(series, l) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return -1
		}
		return v
	}
	return -1
}

// A journey through the web chat and the staff console shows in the
// metrics and in the JSON log: every request's lines carry its id, and the
// lines of requests about an order carry its number.
func TestJourneyShowsInMetricsAndLog(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, backend), "ORDERBOT_DEMO": "true",
				"ORDERBOT_LOG_FORMAT": "json", "ORDERBOT_LOG_LEVEL": "debug"})
			shopper, staff := s.newUser(), s.newUser()
			n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
			staff.login("demo", "demo")
			staff.act(staff.card("订单 "+n), "approve", nil, http.StatusOK)
			shopper.waitFor(n)
			checkRequestIDs(t, s)
			checkJourneyMetrics(t, s, n)
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			checkJourneyLog(t, s.logs.String(), n)
		})
	}
}

// checkRequestIDs sends a sane and an unsafe X-Request-Id.
func checkRequestIDs(t *testing.T, s *server) {
	t.Helper()
	for in, keep := range map[string]bool{"journey-42": true, "<script>": false, strings.Repeat("a", 65): false} {
		req, _ := http.NewRequest(http.MethodGet, s.base+"/healthz", nil)
		req.Header.Set("X-Request-Id", in)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		got := res.Header.Get("X-Request-Id")
		if keep && got != in || !keep && (got == in || !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(got)) {
			t.Errorf("X-Request-Id %q answered with %q", in, got)
		}
	}
}

func checkJourneyMetrics(t *testing.T, s *server, n string) {
	t.Helper()
	admin := *s
	admin.base = s.admin
	scrape := func() string { return string(admin.newUser().get("/metrics", http.StatusOK)) }
	// The dispatcher delivers the web chat's messages on its own time: a
	// loaded machine may not have counted the last ones yet.
	m := scrape()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); m = scrape() {
		if metricValue(m, "orderbot_outbox_deliveries_total", `channel="webchat"`, `result="delivered"`) >= 10 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	checks := []struct {
		name   string
		labels []string
		min    float64
	}{
		{"orderbot_inbound_messages_total", []string{`channel="webchat"`, `result="ok"`}, 10},
		{"orderbot_staff_actions_total", []string{`channel="webchat"`, `action="approve"`, `result="ok"`}, 1},
		{"orderbot_approval_latency_seconds_count", []string{`item="order"`}, 1},
		{"orderbot_outbox_deliveries_total", []string{`channel="webchat"`, `result="delivered"`}, 10},
		{"orderbot_outbox_delivery_lag_seconds_count", []string{`channel="webchat"`}, 10},
		{"orderbot_http_request_duration_seconds_count", []string{`route="/chat/api/send"`, `code="200"`}, 10},
		{"orderbot_http_request_duration_seconds_count", []string{`route="/staff/api/action"`, `code="200"`}, 1},
		{"orderbot_outbox_messages", []string{`state="pending"`}, 0},
	}
	for _, c := range checks {
		if v := metricValue(m, c.name, c.labels...); v < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, v, c.min)
		}
	}
	if strings.Contains(m, n) {
		t.Error("an order number is a metric label")
	}
}

func checkJourneyLog(t *testing.T, log, n string) {
	t.Helper()
	var requests, withOrder, staffLines int
	ids := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		id, _ := l["request_id"].(string)
		switch l["msg"] {
		case "http request", "inbound handled", "staff action applied":
			if id == "" {
				t.Errorf("a line of a request has no request_id: %s", line)
			}
		}
		if l["msg"] == "http request" {
			requests++
			ids[id] = true
		}
		if l["order"] == n {
			withOrder++
		}
		if l["msg"] == "staff action applied" && l["order"] == n {
			staffLines++
		}
	}
	if requests < 20 || len(ids) != requests || !ids["journey-42"] {
		t.Errorf("%d request lines with %d distinct ids (journey-42 among them: %v)", requests, len(ids), ids["journey-42"])
	}
	// The confirm that placed the order, the approval and its card refresh.
	if withOrder < 3 || staffLines != 1 {
		t.Errorf("%d lines name order %s, %d of them the staff action:\n%s", withOrder, n, staffLines, log)
	}
}

// BenchmarkInstrument is the cost of the public middleware (request id,
// deadline, metrics, a debug log line that is filtered out) around a
// trivial handler, against the handler alone.
func BenchmarkInstrument(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	log := opsConfig{LogLevel: slog.LevelInfo}.logger(io.Discard)
	for name, h := range map[string]http.Handler{"bare": mux, "instrumented": instrument(mux, newMetrics(), log, time.Second)} {
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
