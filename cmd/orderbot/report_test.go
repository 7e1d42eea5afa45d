package main

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// seedOrders stores one order of 38.00 placed at each of the times.
func seedOrders(t *testing.T, dsn string, at ...time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.LockCustomer(ctx, bot.Telegram, "42")
	if err != nil {
		t.Fatal(err)
	}
	for _, when := range at {
		o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "T1", Name: "Tea", NameZH: "茶", UnitPrice: 3800, Qty: 1}}, bot.Contact{Name: "N"}, when)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Approve("staff", when.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReportCommandBadInput(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"--from", "2026-03-02", "--to", "2026-03-01"}, "--from"},
		{[]string{"--from", "2025-01-01", "--to", "2026-03-01"}, "--to"},
		{[]string{"--from", "03/01/2026"}, "--from"},
		{[]string{"--to", "2026-13-01"}, "--to"},
	} {
		_, err := cli(t, dsn, "", append([]string{"report"}, tc.args...)...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.flag+":") {
			t.Errorf("report %v: err = %v, want one naming %s", tc.args, err, tc.flag)
		}
	}
}

func TestReportCommand(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// Two orders on 2026-03-10 local (one 30 s after midnight, 16:00:30 UTC
	// the day before), one the day before, none a week before.
	seedOrders(t, dsn, time.Date(2026, 3, 10, 0, 0, 30, 0, sh), time.Date(2026, 3, 10, 23, 0, 0, 0, sh),
		time.Date(2026, 3, 9, 12, 0, 0, 0, sh))
	pngPath := filepath.Join(t.TempDir(), "chart.png")
	out, err := cli(t, dsn, "", "report", "--from", "2026-03-10", "--json", "--png", pngPath)
	if err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if got.From != "2026-03-10" || got.OrdersPlaced != 2 || got.Revenue != 7600 || got.Timezone != "Asia/Shanghai" ||
		got.CustomersByTier["regular"] != 1 || got.CustomersByTier["gold"] != 0 || len(got.CustomersByTier) != 3 {
		t.Errorf("json report: %s", out)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != report.ChartWidth || cfg.Height != report.ChartHeight {
		t.Errorf("chart: %+v, %v", cfg, err)
	}

	text, err := cli(t, dsn, "", "report", "--from", "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2026-03-10", "下单: 2  较前日 ↑1  较上周同日 ↑2", "收入: ¥76.00  较前日 ↑¥38.00",
		"下单客户·普通: 1  较前日 =  较上周同日 ↑1", "下单客户·金卡: 0  较前日 =  较上周同日 ="} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	en, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_STAFF_LANG": "en"}, "", "report", "--from", "2026-03-09")
	if err != nil || !strings.Contains(en, "orders placed: 1  vs day before ↑1") ||
		!strings.Contains(en, "customers · Regular: 1  vs day before ↑1") {
		t.Errorf("english report: %v\n%s", err, en)
	}
}

func TestReportCommandDefaultsToYesterday(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	y := report.DateOf(time.Now(), sh).AddDays(-1)
	seedOrders(t, dsn, time.Date(y.Year, y.Month, y.Day, 12, 0, 0, 0, sh))
	out, err := cli(t, dsn, "", "report", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got report.Report
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.From != y.String() || got.OrdersPlaced != 1 {
		t.Errorf("default report = %s, %v; want yesterday %s with 1 order", out, err, y)
	}
}

func TestExportCommand(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	sh, _ := time.LoadLocation("Asia/Shanghai")
	seedOrders(t, dsn, time.Date(2026, 3, 10, 0, 0, 30, 0, sh), time.Date(2026, 3, 11, 0, 0, 30, 0, sh))
	out, err := cli(t, dsn, "", "export", "orders", "--from", "2026-03-10", "--to", "2026-03-10")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(out, "\uFEFForder_number,") || len(lines) != 2 || !strings.Contains(lines[1], ",2026-03-10 00:00:30,confirmed,telegram,") {
		t.Errorf("export orders:\n%s", out)
	}
	if all, err := cli(t, dsn, "", "export", "orders"); err != nil || strings.Count(all, "\n") != 3 {
		t.Errorf("export without dates should give both orders: %v\n%s", err, all)
	}
	xlsx, err := cli(t, dsn, "", "export", "customers", "--format", "xlsx")
	if err != nil || !strings.HasPrefix(xlsx, "PK") {
		t.Errorf("xlsx export is not a zip: %v", err)
	}
	for _, tc := range []struct{ args, want string }{
		{"export orders --format pdf", "--format"},
		{"export orders --from 2026-03-12 --to 2026-03-01", "--from"},
		{"export refunds", "unknown export"},
		{"export", "usage"},
	} {
		if _, err := cli(t, dsn, "", strings.Fields(tc.args)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestReportTimeSetting(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  reportConfig
		fails bool
	}{
		{"", reportConfig{On: true, Hour: 9}, false},
		{"off", reportConfig{}, false},
		{"18:45", reportConfig{On: true, Hour: 18, Minute: 45}, false},
		{"noon", reportConfig{}, true},
	} {
		cfg, err := loadConfig(func(k string) string {
			if k == "ORDERBOT_REPORT_TIME" {
				return tc.value
			}
			return ""
		})
		if tc.fails {
			if err == nil || !strings.Contains(err.Error(), "ORDERBOT_REPORT_TIME") {
				t.Errorf("%q: err = %v, want one naming ORDERBOT_REPORT_TIME", tc.value, err)
			}
			continue
		}
		if err != nil || cfg.Report != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.value, cfg.Report, err, tc.want)
		}
	}
}
