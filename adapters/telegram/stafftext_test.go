package telegram

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// internalRef is how the core names items among its own parts; staff must
// never read it.
var internalRef = regexp.MustCompile(`\b(order|cancel|after_sales|handoff):\d+`)

// The staff group reads cards, prompts and notes in the shop's staff
// language, with the order number and the local time, never a ref.
func TestStaffGroupInStaffLanguage(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang                           string
		card, zone, reject, note, ship string
	}{
		{"zh", "订单 %s · 待确认", "（UTC+8）", "拒绝订单 %s 的原因是什么？", "订单 %s 已拒绝。", "快递公司和运单号"},
		{"en", "Order %s · Awaiting approval", " (UTC+8)", "Why reject order %s?", "Order %s rejected.", "Carrier and tracking number"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			e := newEnvCore(t, storetest.SQLite(t), false, bot.Config{StaffLang: tc.lang, Location: shanghai},
				func(c *Config) { c.StaffLang = tc.lang })
			alice, _ := staffUsers(e)
			o := e.customer(4040, "Lin").order(1)
			card := e.staffCard(o.Number).Params.Get("text")
			if !strings.Contains(card, fmt.Sprintf(tc.card, o.Number)) || !strings.Contains(card, tc.zone) {
				t.Fatalf("card %q", card)
			}
			e.answered(alice.press(staffChat, fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version)))
			p := e.prompt(fmt.Sprintf(tc.reject, o.Number))
			if note := e.groupReply(alice.reply(p, "Sold out")); note != fmt.Sprintf(tc.note, o.Number) {
				t.Fatalf("note %q", note)
			}
			o2 := e.customer(4141, "Ma").order(1)
			approve := bot.StaffAction{Channel: bot.Telegram, UserID: "777", Ref: fmt.Sprintf("order:%d", o2.ID), Action: bot.ActApprove, Version: o2.Version}
			if _, err := e.svc.HandleStaffAction(t.Context(), approve); err != nil {
				t.Fatal(err)
			}
			e.settle()
			e.answered(alice.press(staffChat, fmt.Sprintf("s:ship:order:%d:%d", o2.ID, o2.Version+1)))
			e.prompt(tc.ship)
			for _, c := range e.api.sentTo(staffChat) {
				if m := internalRef.FindString(c.Params.Get("text")); m != "" {
					t.Fatalf("the staff group reads %q in %q", m, c.Params.Get("text"))
				}
			}
		})
	}
}
