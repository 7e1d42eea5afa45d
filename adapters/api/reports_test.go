package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// shanghai is the shop's zone in the report tests: 8 hours ahead of UTC,
// so an order late in a UTC day falls on the next local day.
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	must(t, err)
	return loc
}

// reportEnv is an API on st whose export of orders comes from reports
// when it is not nil, in Shanghai, on the morning after t0's local day, served
// by a server that config may adjust before it starts.
func reportEnv(t *testing.T, st *store.Store, reports Reports, opts Options, config func(*http.Server)) *testEnv {
	t.Helper()
	logBuf := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logBuf, nil))
	svc := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
	opts.Location = shanghai(t)
	opts.Clock = func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, opts.Location) }
	var apiStore Store = st
	if reports != nil {
		apiStore = reportStore{st, reports}
	}
	h := New(apiStore, svc, NewCRM(st, log, nil, nil), log, opts)
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewUnstartedServer(mux)
	if config != nil {
		config(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, st: st, svc: svc, srv: srv, logBuf: logBuf}
	e.admin = e.token("ops-admin", bot.Admin)
	e.sync = e.token("ops-sync", bot.Approver)
	e.agent = e.token("ops-agent", bot.Agent)
	must(t, st.UpsertProducts(t.Context(), []bot.Product{
		{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Price: 3800, Stock: 100, Active: true},
	}))
	return e
}

// reportStore is the store with its export of orders taken from reports.
type reportStore struct {
	*store.Store
	reports Reports
}

func (s reportStore) ExportOrderItems(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error {
	return s.reports.ExportOrderItems(ctx, from, to, loc, fn)
}

// eachReportEnv runs fn on SQLite and MySQL with the report fixture: on
// 2026-11-20 (Shanghai) Li on the web chat ordered two teas (approved
// after 5 minutes) and Wang on Telegram one (rejected after 10); Li's
// order at 01:00 on the 21st is 17:00 on the 20th in UTC, and must not
// count for the 20th.
func eachReportEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := reportEnv(t, st, nil, Options{}, nil)
		li := e.customer(bot.WebChat, "u-li", "Li", "13800000001")
		wang := e.customer(bot.Telegram, "u-wang", "Wang", "13800000002")
		o := e.order(li, 2, t0)
		e.move(o, func(o *bot.Order) error { return o.Approve("ann (slack)", t0.Add(5*time.Minute)) })
		o = e.order(wang, 1, t0)
		e.move(o, func(o *bot.Order) error { return o.Reject("ann (slack)", "no stock", t0.Add(10*time.Minute)) })
		e.order(li, 1, time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC))
		fn(t, e)
	})
}

func TestReportSummary(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		// No dates: yesterday in the shop's zone, 2026-11-20.
		var s report.Summary
		e.do("GET", "/api/v1/reports/summary", e.agent, nil).ok(t, &s)
		if s.From != "2026-11-20" || s.To != "2026-11-20" || s.Timezone != "Asia/Shanghai" || s.Channel != "" {
			t.Fatalf("range %s..%s %s channel %q", s.From, s.To, s.Timezone, s.Channel)
		}
		got := [...]int64{int64(s.OrdersPlaced), int64(s.OrdersConfirmed), int64(s.OrdersRejected), int64(s.OrdersCancelled),
			s.Revenue, s.AverageOrderValue, int64(s.NewCustomers), int64(s.ReturningCustomers)}
		if want := [...]int64{2, 1, 1, 0, 7600, 7600, 2, 0}; got != want {
			t.Fatalf("overall placed, confirmed, rejected, cancelled, revenue, aov, new, returning = %v, want %v", got, want)
		}
		if len(s.TopProducts) != 1 || s.TopProducts[0].SKU != "TEA-1" || s.TopProducts[0].Qty != 2 {
			t.Fatalf("top products %+v", s.TopProducts)
		}
		if want := map[string]int{"regular": 2, "silver": 0, "gold": 0}; !maps.Equal(s.CustomersByTier, want) {
			t.Fatalf("customers by tier %v, want %v", s.CustomersByTier, want)
		}

		var tg report.Summary
		e.do("GET", "/api/v1/reports/summary?from=2026-11-20&to=2026-11-20&channel=telegram", e.sync, nil).ok(t, &tg)
		if tg.Channel != "telegram" || tg.OrdersPlaced != 1 || tg.OrdersRejected != 1 || tg.Revenue != 0 {
			t.Fatalf("telegram: %+v", tg)
		}

		// The next local day has Li's late order only; a channel without
		// orders and a range without any are zeros, not errors.
		var next report.Summary
		e.do("GET", "/api/v1/reports/summary?from=2026-11-21", e.admin, nil).ok(t, &next)
		if next.OrdersPlaced != 1 || next.ReturningCustomers != 1 {
			t.Fatalf("2026-11-21: placed %d returning %d, want 1 and 1", next.OrdersPlaced, next.ReturningCustomers)
		}
		var wc report.Summary
		e.do("GET", "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30&channel=wechat", e.agent, nil).ok(t, &wc)
		if wc.Channel != "wechat" || wc.OrdersPlaced != 0 || wc.Revenue != 0 || len(wc.CustomersByTier) != 3 {
			t.Fatalf("wechat: %+v", wc)
		}
		var empty report.Summary
		e.do("GET", "/api/v1/reports/summary?from=2025-01-01&to=2025-12-31", e.agent, nil).ok(t, &empty)
		if empty.OrdersPlaced != 0 || empty.Revenue != 0 || empty.From != "2025-01-01" || empty.To != "2025-12-31" {
			t.Fatalf("empty year: %+v", empty)
		}
	})
}

// noOrdersPixels counts the pixels in the colour of the chart's "no
// orders" label (report's noOrdersColor, which nothing else uses).
func noOrdersPixels(img image.Image) int {
	want := color.RGBA{R: 0x8b, G: 0x5c, B: 0xf6, A: 0xff}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)) == want {
				n++
			}
		}
	}
	return n
}

func TestReportChart(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		chart := func(query string) image.Image {
			t.Helper()
			res := e.do("GET", "/api/v1/reports/chart.png"+query, e.agent, nil)
			if res.status != http.StatusOK || res.header.Get("Content-Type") != "image/png" {
				t.Fatalf("chart%s: %d %s %.200s", query, res.status, res.header.Get("Content-Type"), res.body)
			}
			img, err := png.Decode(bytes.NewReader(res.body))
			must(t, err)
			if b := img.Bounds(); b.Dx() != report.ChartWidth || b.Dy() != report.ChartHeight {
				t.Fatalf("chart%s is %dx%d, want %dx%d", query, b.Dx(), b.Dy(), report.ChartWidth, report.ChartHeight)
			}
			return img
		}
		if n := noOrdersPixels(chart("")); n != 0 {
			t.Fatalf("the chart of a month with orders has %d pixels of the no-orders label", n)
		}
		if n := noOrdersPixels(chart("?from=2025-03-01&to=2025-03-31")); n == 0 {
			t.Fatal("the chart of an empty month does not say there were no orders")
		}
	})
}

func TestExports(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		res := e.do("GET", "/api/v1/exports/orders.csv?from=2026-11-20", e.sync, nil)
		if res.status != http.StatusOK {
			t.Fatalf("orders.csv: %d %s", res.status, res.body)
		}
		if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
		if cd := res.header.Get("Content-Disposition"); cd != `attachment; filename="orders-2026-11-20-2026-11-20.csv"` {
			t.Fatalf("Content-Disposition %q", cd)
		}
		body, ok := strings.CutPrefix(string(res.body), "\uFEFF")
		if !ok {
			t.Fatalf("no byte-order mark: %q", res.body[:10])
		}
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if lines[0] != strings.Join(report.OrderColumns, ",") || len(lines) != 3 {
			t.Fatalf("orders.csv: header %q, %d lines, want the columns and 2 items", lines[0], len(lines))
		}

		res = e.do("GET", "/api/v1/exports/after-sales.csv", e.admin, nil)
		if lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(string(res.body), "\uFEFF")), "\n"); res.status != http.StatusOK || lines[0] != strings.Join(report.AfterSalesColumns, ",") || len(lines) != 1 {
			t.Fatalf("after-sales.csv: %d %q", res.status, res.body)
		}

		res = e.do("GET", "/api/v1/exports/customers.xlsx?from=2026-11-20&to=2026-11-21", e.admin, nil)
		if res.status != http.StatusOK || res.header.Get("Content-Type") != exportType("xlsx") ||
			res.header.Get("Content-Disposition") != `attachment; filename="customers-2026-11-20-2026-11-21.xlsx"` {
			t.Fatalf("customers.xlsx: %d %v %.200s", res.status, res.header, res.body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(res.body))
		must(t, err)
		defer f.Close()
		rows, err := f.GetRows("customers")
		must(t, err)
		if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(report.CustomerColumns, ",") {
			t.Fatalf("customers.xlsx rows %q, want the columns and Li and Wang", rows)
		}
	})
}

func TestReportRoles(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		for _, path := range []string{"/api/v1/reports/summary", "/api/v1/reports/chart.png", "/api/v1/exports/orders.csv"} {
			e.do("GET", path, "", nil).fails(t, http.StatusUnauthorized, codeUnauthorized, "Bearer")
		}
		for _, path := range []string{"/api/v1/exports/orders.csv", "/api/v1/exports/customers.xlsx", "/api/v1/exports/after-sales.csv?from=2026-11-20"} {
			e.do("GET", path, e.agent, nil).fails(t, http.StatusForbidden, codeForbidden, "personal data")
			if res := e.do("GET", path, e.sync, nil); res.status != http.StatusOK {
				t.Fatalf("approver %s: %d %s", path, res.status, res.body)
			}
		}
		if res := e.do("GET", "/api/v1/reports/chart.png", e.agent, nil); res.status != http.StatusOK {
			t.Fatalf("agent chart: %d", res.status)
		}
	})
}

func TestReportsRefuseBadInput(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		cases := []struct{ path, want string }{
			{"/api/v1/reports/summary?from=2026-11-21&to=2026-11-20", "from: 2026-11-21 is after to"},
			{"/api/v1/reports/summary?from=2025-01-01&to=2026-01-02", "to: the range has 367 days"},
			{"/api/v1/reports/summary?from=2026-13-01", "from: "},
			{"/api/v1/reports/summary?to=20261120", "to: "},
			{"/api/v1/reports/summary?from=2026-11-20T00:00:00Z", "from: "},
			{"/api/v1/reports/summary?channel=slack", `channel: unknown channel "slack"`},
			{"/api/v1/reports/summary?channel=api", `channel: unknown channel "api"`},
			{"/api/v1/reports/summary?channel=webchat&channel=telegram", "channel is given more than once"},
			{"/api/v1/reports/summary?day=2026-11-20", `unknown parameter "day"`},
			{"/api/v1/reports/chart.png?from=2026-11-21&to=2026-11-20", "from: "},
			{"/api/v1/reports/chart.png?channel=webchat", `unknown parameter "channel"`},
			{"/api/v1/exports/orders.csv?from=2024-01-01&to=2026-01-01", "to: the range has"},
			{"/api/v1/exports/orders.csv?to=yesterday", "to: "},
			{"/api/v1/exports/orders.csv?channel=webchat", `unknown parameter "channel"`},
			{"/api/v1/exports/invoices.csv", `export: unknown kind "invoices"`},
			{"/api/v1/exports/orders.pdf", `format: unknown format "pdf"`},
			{"/api/v1/exports/orders.csv.xlsx", `export: unknown kind "orders.csv"`},
			{"/api/v1/exports/orders", `export: "orders" is not KIND.FORMAT`},
		}
		for _, c := range cases {
			e.do("GET", c.path, e.admin, nil).fails(t, http.StatusBadRequest, codeInvalid, c.want)
		}
	})
}

// slowExports is the store's export of orders after a wait (or, with
// started set, one that waits until its request is cancelled and reports
// why on stopped).
type slowExports struct {
	*store.Store
	wait    time.Duration
	started chan struct{}
	stopped chan error
	// failAfter, when not zero, makes the export fail after that many rows
	// of its own.
	failAfter int
}

func (s *slowExports) ExportOrderItems(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error {
	if s.failAfter > 0 {
		row := make([]any, len(report.OrderColumns))
		for i := range row {
			row[i] = "cell"
		}
		for range s.failAfter {
			if err := fn(row); err != nil {
				return err
			}
		}
		return errors.New("the database went away")
	}
	if s.started != nil {
		close(s.started)
		<-ctx.Done()
		s.stopped <- ctx.Err()
		return ctx.Err()
	}
	select {
	case <-time.After(s.wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.ExportOrderItems(ctx, from, to, loc, fn)
}

// An export outlives the ordinary request timeout and the server's read
// and write timeouts: it has its own bound.
func TestExportOutlivesRequestTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		slow := &slowExports{Store: st, wait: 600 * time.Millisecond}
		short := 150 * time.Millisecond
		e := reportEnv(t, st, slow, Options{Timeout: short}, func(s *http.Server) { s.ReadTimeout, s.WriteTimeout = short, short })
		c := e.customer(bot.WebChat, "u-li", "Li", "13800000001")
		e.order(c, 2, t0)
		res := e.do("GET", "/api/v1/exports/orders.csv?from=2026-11-20", e.sync, nil)
		lines := strings.Split(strings.TrimSpace(string(res.body)), "\n")
		if res.status != http.StatusOK || len(lines) != 2 {
			t.Fatalf("slow export: %d, %d lines: %s", res.status, len(lines), res.body)
		}
		// The summary keeps the ordinary bound.
		if res := e.do("GET", "/api/v1/reports/summary", e.sync, nil); res.status != http.StatusOK {
			t.Fatalf("summary: %d", res.status)
		}
	})
}

// A client hanging up stops the export's reads.
func TestExportStopsWhenClientLeaves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		slow := &slowExports{Store: st, started: make(chan struct{}), stopped: make(chan error, 1)}
		e := reportEnv(t, st, slow, Options{}, nil)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/v1/exports/orders.xlsx", nil)
			if err != nil {
				done <- err
				return
			}
			req.Header.Set("Authorization", "Bearer "+e.sync)
			res, err := http.DefaultClient.Do(req)
			if err == nil {
				res.Body.Close()
				err = fmt.Errorf("got %d", res.StatusCode)
			}
			done <- err
		}()
		select {
		case <-slow.started:
		case err := <-done:
			t.Fatalf("the export ended before it started: %v", err)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("client: %v", err)
		}
		select {
		case err := <-slow.stopped:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the export stopped with %v, want the cancellation", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the export went on after the client left")
		}
	})
}

// A failure before the first byte is the API's JSON error; one after it
// cuts the download short, so that it cannot pass for a complete file.
func TestExportFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		failing := &slowExports{Store: st, failAfter: 5000}
		e := reportEnv(t, st, failing, Options{}, nil)
		// XLSX rows wait in a temporary file: nothing has been sent yet.
		e.do("GET", "/api/v1/exports/orders.xlsx", e.sync, nil).fails(t, http.StatusInternalServerError, codeInternal, "try again")
		if !strings.Contains(e.logBuf.String(), "the database went away") {
			t.Fatalf("the failure is not logged:\n%s", e.logBuf)
		}
		req, err := http.NewRequestWithContext(t.Context(), "GET", e.srv.URL+"/api/v1/exports/orders.csv", nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+e.sync)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("CSV failing after %d bytes: status %d, read error %v; want 200 cut short", len(body), res.StatusCode, err)
		}
		if !strings.Contains(e.logBuf.String(), "export cut short") {
			t.Fatalf("the cut is not logged:\n%s", e.logBuf)
		}
	})
}

// The chart is labelled in Options.StaffLang.
func TestReportChartSpeaksTheStaffLanguage(t *testing.T) {
	eachReportEnv(t, func(t *testing.T, e *testEnv) {
		zh := e.do("GET", "/api/v1/reports/chart.png", e.agent, nil)
		opts := Options{StaffLang: "en", Location: shanghai(t), Clock: func() time.Time { return time.Date(2026, 11, 21, 9, 0, 0, 0, shanghai(t)) }}
		en := New(e.st, e.svc, nil, slog.New(slog.DiscardHandler), opts)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/api/v1/reports/chart.png", nil)
		req.Header.Set("Authorization", "Bearer "+e.agent)
		en.ServeHTTP(rec, req)
		if zh.status != http.StatusOK || rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("zh %d, en %d %s", zh.status, rec.Code, rec.Body)
		}
		if bytes.Equal(zh.body, rec.Body.Bytes()) {
			t.Fatal("the English chart is the Chinese one")
		}
	})
}
