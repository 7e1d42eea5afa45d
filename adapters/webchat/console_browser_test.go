package webchat

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestBrowserConsoleSearchApprove drives the console in headless Chromium,
// first in Chinese (the shop's default) and then, after the staff member
// switches, in English: search an order by number, open it, approve it,
// and open its customer's page.
func TestBrowserConsoleSearchApprove(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Location: shanghai})
	b := startBrowser(t, e)
	who := e.customer(e.client())
	first, second := e.placeOrder(who), e.placeOrder(who)
	s := b.staff(e)
	// The work queue counts both new orders and links each card to its order.
	s.waitFor(`document.querySelector('[data-count="new"]').textContent === "2"`)
	s.do(chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`a.item-link[href="/staff/orders/%s"]`, first.Number))))
	s.shot("console-queue")

	for _, step := range []struct {
		lang      string
		order     *bot.Order
		confirmed string
		want      []string
	}{
		{"zh", first, "已确认", []string{"订单数", "消费总额", "平均客单价", "网页访客"}},
		{"en", second, "Confirmed", []string{"Order count", "Total spend", "Average order value", "Web chat visitor"}},
	} {
		if step.lang == "en" {
			s.do(chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`body[data-lang="en"] #lang-switch`)))
		}
		s.do(chromedp.Navigate(e.srv.URL + "/staff/orders"))
		s.do(chromedp.WaitVisible(chromedp.CSS(`form.search input[name="q"]`)))
		s.do(chromedp.SendKeys(chromedp.CSS(`form.search input[name="q"]`), step.order.Number+"\n"))
		// The results page, not the list the search form was on.
		results := fmt.Sprintf(`main[data-q="%s"]`, step.order.Number)
		link := fmt.Sprintf(`%s a.order-link[href="/staff/orders/%s"]`, results, step.order.Number)
		s.do(chromedp.WaitVisible(chromedp.CSS(link)))
		s.waitFor(fmt.Sprintf(`document.querySelectorAll(%q).length === 1`, results+" a.order-link"))
		s.shot("console-search-" + step.lang)
		s.do(chromedp.Click(chromedp.CSS(link)))
		s.do(chromedp.WaitVisible(chromedp.CSS(`.page-actions button[data-action="approve"]`)))
		s.shot("console-order-" + step.lang)
		s.do(chromedp.Click(chromedp.CSS(`.page-actions button[data-action="approve"]`)))
		s.do(chromedp.WaitVisible(chromedp.CSS(`.page-actions button[data-action="ship"]`)))
		if got := s.text(".status-word"); got != step.confirmed {
			t.Errorf("%s: status after approve %q, want %q", step.lang, got, step.confirmed)
		}
		if got := e.order(step.order.ID).Status; got != bot.Confirmed {
			t.Fatalf("%s: order is %s after the click", step.lang, got)
		}
		page := s.pageText()
		if !strings.Contains(page, "Alice") || strings.Contains(page, fmt.Sprintf("order:%d", step.order.ID)) {
			t.Errorf("%s: order page after approve:\n%s", step.lang, page)
		}
		s.do(chromedp.Click(chromedp.CSS("a.customer-link")))
		s.do(chromedp.WaitVisible(chromedp.CSS(".customer-name")))
		s.shot("console-customer-" + step.lang)
		page = s.pageText()
		for _, w := range append(step.want, first.Number, second.Number) {
			if !strings.Contains(page, w) {
				t.Errorf("%s: customer page lacks %q:\n%s", step.lang, w, page)
			}
		}
		if strings.Contains(page, who) {
			t.Errorf("%s: customer page shows the visitor's id", step.lang)
		}
	}
}
