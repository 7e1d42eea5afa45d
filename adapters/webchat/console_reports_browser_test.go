package webchat

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestBrowserConsoleReports opens the dashboard from the console's
// navigation in a phone-sized headless Chromium, sees the chart image load
// (decoded, naturalWidth > 0) and fit the screen, and picks a preset range.
func TestBrowserConsoleReports(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai, Clock: reportClock})
	e.seedReportOrders()
	b := startBrowser(t, e)
	s := b.staff(e)
	s.do(chromedp.Click(chromedp.CSS(`.console-nav a[href="/staff/reports"]`)))
	s.do(chromedp.WaitVisible(chromedp.CSS(`main[data-page="reports"] table.kpis`)))
	s.waitFor(`(() => { const i = document.getElementById("report-chart"); return i.complete && i.naturalWidth > 0; })()`)
	if !s.check(`document.getElementById("report-chart").naturalWidth === 960`) {
		t.Errorf("the chart is not the report's 960 px PNG")
	}
	if !s.check(`document.getElementById("report-chart").getBoundingClientRect().right <= window.innerWidth`) {
		t.Errorf("the chart overflows a phone's screen")
	}
	s.shot("console-reports-zh")
	page := s.pageText()
	for _, w := range []string{"下单", "下单客户·金卡", "2026-03-04 – 2026-03-10", "订单 · CSV"} {
		if !strings.Contains(page, w) {
			t.Errorf("dashboard lacks %q:\n%s", w, page)
		}
	}
	s.do(chromedp.Click(chromedp.CSS(`nav.tabs a.tab`))) // 昨天
	s.do(chromedp.WaitVisible(chromedp.CSS(`input#report-from[value="2026-03-10"]`)))
	s.waitFor(`document.querySelector("table.kpis thead").textContent.includes("较前日")`)
	s.waitFor(`(() => { const i = document.getElementById("report-chart"); return i.complete && i.naturalWidth > 0; })()`)
}
