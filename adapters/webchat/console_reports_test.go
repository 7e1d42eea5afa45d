package webchat

import (
	"bytes"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store/storetest"
)

// reportClock is the dashboard tests' now: 2026-03-11 10:00 in Shanghai,
// so yesterday is 2026-03-10 and the default week 2026-03-04 – 2026-03-10.
func reportClock() time.Time { return time.Date(2026, 3, 11, 10, 0, 0, 0, shanghai) }

// seedReportOrders places two web chat orders on 2026-03-10 local, one 30 s
// after midnight (UTC: still the 9th), from a gold customer, and one on the
// 9th; the first is confirmed.
func (e *testEnv) seedReportOrders() *bot.Order {
	e.t.Helper()
	ctx := e.t.Context()
	c, err := e.st.LockCustomer(ctx, bot.WebChat, "shopper")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SaveCustomerTier(ctx, tier.Member{CustomerID: c.ID, Tier: "gold"}); err != nil {
		e.t.Fatal(err)
	}
	var first *bot.Order
	for i, at := range []time.Time{
		time.Date(2026, 3, 10, 0, 0, 30, 0, shanghai), time.Date(2026, 3, 10, 20, 0, 0, 0, shanghai),
		time.Date(2026, 3, 9, 12, 0, 0, 0, shanghai),
	} {
		o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", UnitPrice: 3800, Qty: 1}},
			bot.Contact{Name: "李雷", Phone: "13800000000", Address: "茶路 1 号"}, at)
		if err != nil {
			e.t.Fatal(err)
		}
		if i == 0 {
			if err := o.Approve("alice", at.Add(10*time.Minute)); err != nil {
				e.t.Fatal(err)
			}
			first = o
		}
		if err := e.st.CreateOrder(ctx, o); err != nil {
			e.t.Fatal(err)
		}
	}
	return first
}

// TestConsoleReports: the dashboard shows the week ending yesterday by
// default, a single day against the day before and a week before, one
// channel when asked, in the daily report's words, with the chart and the
// downloads for an approver.
func TestConsoleReports(t *testing.T) {
	eachEnv(t, Options{Location: shanghai, Lang: "en", Clock: reportClock}, func(t *testing.T, e *testEnv) {
		e.seedReportOrders()
		c := e.client()
		e.login(c, "alice", alicePassword)
		week := e.get(c, "/staff/reports")
		if week.status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", week.status, week.body)
		}
		contains(t, week, `href="/staff/reports"`, "2026-03-04 – 2026-03-10", "<td>orders placed</td><td class=\"num\">3</td>",
			"<td>revenue</td><td class=\"num\">¥38.00</td>", "<td>customers · Gold</td><td class=\"num\">1</td>",
			`src="/staff/reports/chart.png?from=2026-03-04&amp;to=2026-03-10"`,
			`href="/staff/reports/exports/orders.csv?from=2026-03-04&amp;to=2026-03-10"`,
			`href="/staff/reports/exports/after-sales.xlsx?from=2026-03-04&amp;to=2026-03-10"`,
			`href="/staff/reports?from=2026-03-10&amp;to=2026-03-10"`, `href="/staff/reports?from=2026-02-09&amp;to=2026-03-10"`)
		lacks(t, week, "vs day before")

		day := e.get(c, "/staff/reports?from=2026-03-10&to=2026-03-10")
		contains(t, day, "<th>vs day before</th>", "<td>orders placed</td><td class=\"num\">2</td><td><span class=\"cmp-label\">vs day before </span>↑1</td><td><span class=\"cmp-label\">vs last week </span>↑2</td>",
			"<td>customers · Gold</td><td class=\"num\">1</td><td><span class=\"cmp-label\">vs day before </span>=</td><td><span class=\"cmp-label\">vs last week </span>↑1</td>", "Green tea")
		tg := e.get(c, "/staff/reports?from=2026-03-10&channel=telegram")
		contains(t, tg, "<td>orders placed</td><td class=\"num\">0</td>", `<option value="telegram" selected>`)
	})
}

// TestConsoleReportsChinese: the same words as the daily report in Chinese.
func TestConsoleReportsChinese(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai, Clock: reportClock})
	e.seedReportOrders()
	c := e.client()
	e.login(c, "alice", alicePassword)
	res := e.get(c, "/staff/reports?from=2026-03-10")
	if res.status != http.StatusOK {
		t.Fatalf("dashboard: %d %s", res.status, res.body)
	}
	contains(t, res, ">报表</a>", "<th>较前日</th>", "<td>下单</td><td class=\"num\">2</td>",
		"<td>下单客户·金卡</td><td class=\"num\">1</td>", "绿茶", "昨天", "近 30 天", "每日订单与收入")
}

// TestConsoleReportsBadInput: every bad range is said on the page, in the
// viewer's language, with the form kept, as a 400; nothing is computed.
func TestConsoleReportsBadInput(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai, Lang: "en", Clock: reportClock})
	c := e.client()
	e.login(c, "alice", alicePassword)
	for _, tc := range []struct{ query, want string }{
		{"from=2026-03-11&to=2026-03-10", "“From” must not be after “To”."},
		{"from=2025-01-01&to=2026-01-02", "A range may have at most 366 days."},
		{"from=2026-13-01", "“From” must be a date like 2026-01-31."},
		{"to=yesterday", "“To” must be a date like 2026-01-31."},
		{"channel=fax", "Channel must be one of the list."},
		{"from=%ff", "from is not valid text or too long"},
	} {
		res := e.get(c, "/staff/reports?"+tc.query)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", tc.query, res.status)
		}
		contains(t, res, `id="report-problem">`+tc.want, `name="from"`)
		lacks(t, res, "orders placed", "report-chart")
		if chart := e.get(c, "/staff/reports/chart.png?"+tc.query); tc.query != "channel=fax" && tc.query != "from=%ff" && chart.status != http.StatusBadRequest {
			t.Errorf("chart %s: %d, want 400", tc.query, chart.status)
		}
	}
	e.setCookie(c, "/staff", langCookie, "zh")
	contains(t, e.get(c, "/staff/reports?from=2026-03-11&to=2026-03-10"), "“从”不能晚于“到”。")
}

// TestConsoleReportsRoles: an agent reads the numbers and the chart but
// neither sees nor fetches the downloads; without a session nothing shows.
func TestConsoleReportsRoles(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai, Lang: "en", Clock: reportClock})
	e.seedReportOrders()
	bob := e.client()
	e.login(bob, "bob", bobPassword)
	page := e.get(bob, "/staff/reports")
	contains(t, page, "orders placed", "they take the approver role")
	lacks(t, page, "/staff/reports/exports/")
	if res := e.get(bob, "/staff/reports/exports/orders.csv"); res.status != http.StatusForbidden {
		t.Errorf("agent export: %d, want 403", res.status)
	}
	if res := e.get(bob, "/staff/reports/chart.png"); res.status != http.StatusOK {
		t.Errorf("agent chart: %d", res.status)
	}
	anon := e.client()
	for _, p := range []string{"/staff/reports", "/staff/reports/chart.png", "/staff/reports/exports/orders.csv"} {
		if res := e.get(anon, p); res.status == http.StatusOK || bytes.Contains(res.body, []byte("Green tea")) {
			t.Errorf("%s without a session: %d", p, res.status)
		}
	}
}

// TestConsoleReportChartAndExports: the chart is the report's PNG; the
// downloads stream the API's files, CSV with the byte-order mark.
func TestConsoleReportChartAndExports(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai, Lang: "en", Clock: reportClock})
	o := e.seedReportOrders()
	c := e.client()
	e.login(c, "alice", alicePassword)
	chart := e.get(c, "/staff/reports/chart.png?from=2026-03-10")
	cfg, err := png.DecodeConfig(bytes.NewReader(chart.body))
	if chart.status != http.StatusOK || chart.header.Get("Content-Type") != "image/png" || err != nil ||
		cfg.Width != report.ChartWidth || cfg.Height != report.ChartHeight {
		t.Fatalf("chart: %d %s %+v %v", chart.status, chart.header.Get("Content-Type"), cfg, err)
	}

	csv := e.get(c, "/staff/reports/exports/orders.csv?from=2026-03-10")
	if csv.status != http.StatusOK || !bytes.HasPrefix(csv.body, []byte("\uFEFForder_number,")) ||
		!strings.Contains(csv.header.Get("Content-Disposition"), `filename="orders-2026-03-10-2026-03-10.csv"`) {
		t.Fatalf("csv: %d %q %.80q", csv.status, csv.header.Get("Content-Disposition"), csv.body)
	}
	if lines := strings.Count(string(csv.body), "\n"); lines != 3 || !strings.Contains(string(csv.body), o.Number+",") ||
		!strings.Contains(string(csv.body), "李雷") {
		t.Errorf("csv has %d lines, want a header and the day's 2 items:\n%s", lines, csv.body)
	}
	xlsx := e.get(c, "/staff/reports/exports/customers.xlsx?from=2026-03-04&to=2026-03-10")
	if xlsx.status != http.StatusOK || !bytes.HasPrefix(xlsx.body, []byte("PK")) ||
		!strings.HasPrefix(xlsx.header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Errorf("xlsx: %d %s", xlsx.status, xlsx.header.Get("Content-Type"))
	}
	for _, p := range []string{"/staff/reports/exports/payments.csv", "/staff/reports/exports/orders.pdf", "/staff/reports/exports/orders"} {
		if res := e.get(c, p); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.status)
		}
	}
	if res := e.get(c, "/staff/reports/exports/orders.csv?from=2026-03-11&to=2026-03-10"); res.status != http.StatusBadRequest ||
		!bytes.Contains(res.body, []byte("must not be after")) {
		t.Errorf("bad export range: %d %s", res.status, res.body)
	}
}
