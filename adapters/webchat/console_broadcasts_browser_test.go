package webchat

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestBrowserConsoleBroadcast writes a broadcast in a phone-sized headless
// Chromium, in Chinese (the shop's default): from the menu to the form to
// its page, which fits the screen; submitted, its writer's own approval is
// refused with the reason, since the shop requires two people. The card of
// one an agent submits arrives in the open work queue and leads to its
// page, where it is approved.
func TestBrowserConsoleBroadcast(t *testing.T) {
	e, _ := broadcastEnv(t, storetest.SQLite(t), "zh")
	s := startBrowser(t, e).staff(e)
	s.do(chromedp.Click(chromedp.CSS(`.console-nav a[href="/staff/broadcasts"]`)))
	s.do(chromedp.Click(chromedp.ID("new-broadcast")))
	s.do(chromedp.WaitVisible(chromedp.CSS(`form.broadcast-form`)))
	s.do(
		chromedp.SendKeys(chromedp.CSS(`textarea[name="text_zh"]`), "新茶上市，全场九折"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="text_en"]`), "New tea: 10% off"),
		chromedp.Click(chromedp.CSS(`input[name="channel"][value="webchat"]`)),
	)
	if !s.check(`document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Errorf("the form is wider than a phone's screen")
	}
	s.shot("console-broadcast-form")
	s.do(chromedp.Click(chromedp.CSS(`form.broadcast-form button[type="submit"]`)))
	s.do(chromedp.WaitVisible(chromedp.CSS(`main[data-page="broadcast"] button[data-broadcast-action="submit"]`)))
	s.do(chromedp.Click(chromedp.CSS(`button[data-broadcast-action="submit"]`)))
	s.do(chromedp.WaitVisible(chromedp.CSS(`button[data-broadcast-action="approve"]`)))
	s.do(chromedp.Click(chromedp.CSS(`button[data-broadcast-action="approve"]`)))
	s.do(chromedp.WaitVisible(chromedp.CSS(`p.msg.error`)))
	if !s.check(`document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Errorf("the broadcast's page is wider than a phone's screen")
	}
	s.shot("console-broadcast-refused")
	page := s.pageText()
	for _, w := range []string{"本店要求两人审核", "等待审批", "回复“退订”即可不再接收优惠消息。", "渠道：网页聊天", "1 位同意接收优惠消息的顾客"} {
		if !strings.Contains(page, w) {
			t.Errorf("broadcast page lacks %q:\n%s", w, page)
		}
	}

	// An agent submits one while the work queue is open: its approval card
	// arrives there and leads to its page, where it is approved.
	bob := e.client()
	token := e.login(bob, "bob", bobPassword)
	id := createdID(t, e.postForm(bob, "/staff/broadcasts", url.Values{"csrf": {token}, "text_zh": {"周末特价"}, "text_en": {"Weekend offer"}}))
	s.do(chromedp.Click(chromedp.CSS(`.console-nav a[href="/staff"]`)))
	s.do(chromedp.WaitReady(chromedp.CSS(`body.staff-body[data-ready="1"]`)))
	e.postForm(bob, "/staff/broadcasts/"+id+"/submit", url.Values{"csrf": {token}})
	s.do(chromedp.Click(chromedp.CSS(`article.card[data-ref="broadcast:` + id + `"] a.item-link[href="/staff/broadcasts/` + id + `"]`)))
	s.do(chromedp.Click(chromedp.CSS(`button[data-broadcast-action="approve"]`)))
	s.do(chromedp.WaitVisible(chromedp.CSS(`dd.decided-by`)))
	if got := s.text(".status-word"); got != "已批准，等待发送" {
		t.Errorf("status after approval: %q", got)
	}
}
