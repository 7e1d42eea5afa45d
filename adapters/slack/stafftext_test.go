package slack

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// internalRef is how the core names items among its own parts; staff must
// never read it.
var internalRef = regexp.MustCompile(`\b(order|cancel|after_sales|handoff):\d+`)

// A shop whose staff read Chinese gets cards, forms, private answers and
// command replies in Chinese, with Shanghai times labelled and the order
// number, never a ref.
func TestStaffTextInChinese(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	e := newSQLiteEnv(t, func(c *Config) { c.StaffLang, c.Location = "zh", shanghai })
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	if card.header() != "订单 "+n+" · 待确认" || !strings.Contains(card.allText(), "（UTC+8）下单") ||
		!strings.Contains(card.allText(), "绿茶（TEA）× 1，单价 ¥38.00") {
		t.Fatalf("card:\n%s", card.allText())
	}
	if b := card.buttons(t); b["approve"].Text.Text != "批准" || b["reject"].Text.Text != "拒绝" {
		t.Fatalf("buttons %+v", b)
	}
	e.press("U1", card, "reject")
	e.a.Wait()
	form := e.slack.last(t, "views.open")
	if form.View.Title == nil || form.View.Title.Text != "拒绝" || form.View.Close == nil || form.View.Close.Text != "取消" {
		t.Fatalf("form %+v", form.View)
	}
	e.submit("U1", map[string]string{"reason": "暂时缺货"})
	e.deliver()
	e.press("U2", card, "approve") // the card at the version before the reject
	e.a.Wait()
	if eph := e.ephemerals("U2"); len(eph) != 1 || !strings.HasPrefix(eph[0].Text, "已处理：由 alice（Slack）于 ") ||
		!strings.HasSuffix(eph[0].Text, "（UTC+8）拒绝。") {
		t.Fatalf("second staff member told %+v", eph)
	}
	if c := e.orders("U1", "pending"); c.Text != "没有待处理的事项。" {
		t.Fatalf("pending: %q", c.Text)
	}
	if c := e.orders("U1", "help"); !strings.HasPrefix(c.Text, "用法：") {
		t.Fatalf("usage: %q", c.Text)
	}
	var seen []string
	for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open"} {
		for _, c := range e.slack.called(m) {
			seen = append(seen, c.allText())
		}
	}
	if all := strings.Join(seen, "\n"); internalRef.MatchString(all) || !strings.Contains(all, "由 alice（Slack）于") {
		t.Fatalf("staff read:\n%s", all)
	}
}
