package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// internalRef is how the core names items among its own parts; staff must
// never read it.
var internalRef = regexp.MustCompile(`\b(order|cancel|after_sales|handoff):\d+`)

// cardText is everything a staff member reads on a card.
func cardText(c bot.Card) string {
	parts := []string{c.Title, c.Status}
	for _, f := range c.Fields {
		parts = append(parts, f.Label, f.Value)
	}
	for _, a := range c.Actions {
		parts = append(parts, a.Label)
	}
	return strings.Join(parts, "\n")
}

// staffShop is a Shanghai shop whose staff read the given language; its
// clock stands at 2026-11-23 10:00 UTC, 18:00 in Shanghai.
func staffShop(t *testing.T, st *store.Store, lang string) *shop {
	t.Helper()
	s := newShop(t, st)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s.svc = bot.NewService(st, quietLog(), bot.Config{
		StaffChannels: []string{bot.WebChat}, Clock: s.clock.Now, Location: shanghai, StaffLang: lang,
	}, nil)
	return s
}

func TestStaffCardsInStaffLanguage(t *testing.T) {
	cases := []struct {
		lang                          string
		placed, approved, note, items string
		decided                       string
		actions                       []string
	}{
		{
			lang: bot.StaffLangZH, placed: "客户于 11月23日 18:00（UTC+8）下单",
			approved: "由 alice（网页后台）于 11月23日 18:00（UTC+8）批准", note: "已批准",
			items: "紫砂壶（POT）× 2，单价 ¥168.00", decided: "已处理：由 alice（网页后台）于 11月23日 18:00（UTC+8）批准。",
			actions: []string{"批准", "拒绝"},
		},
		{
			lang: bot.StaffLangEN, placed: "Placed by the customer at 23 Nov 18:00 (UTC+8)",
			approved: "Approved by alice (staff console) at 23 Nov 18:00 (UTC+8)", note: "approved",
			items: "2 × Clay pot (POT) @ CN¥168.00", decided: "Already decided: Approved by alice (staff console) at 23 Nov 18:00 (UTC+8).",
			actions: []string{"Approve", "Reject"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.lang, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				s := staffShop(t, st, tc.lang)
				n := s.order("u1", "POT", 2)
				cards, err := s.svc.OpenWork(context.Background())
				if err != nil || len(cards) != 1 {
					t.Fatalf("open work %+v, %v", cards, err)
				}
				c := cards[0]
				text := cardText(c)
				if !strings.Contains(c.Title, n) || c.Status != tc.placed || !strings.Contains(text, tc.items) ||
					!strings.Contains(text, "Li Lei") || internalRef.MatchString(text) {
					t.Fatalf("new order card:\n%s", text)
				}
				if c.Actions[0].Label != tc.actions[0] || c.Actions[1].Label != tc.actions[1] {
					t.Fatalf("actions %+v", c.Actions)
				}
				res, err := s.act("alice", c.Ref, bot.ActApprove, c.Version)
				if err != nil || !strings.Contains(res.Note, n) || !strings.Contains(res.Note, tc.note) ||
					res.Card.Status != tc.approved || internalRef.MatchString(cardText(res.Card)+res.Note) {
					t.Fatalf("approve: %v, note %q, card:\n%s", err, res.Note, cardText(res.Card))
				}
				// A second approver pressing the same card is told who was first, and when.
				res, err = s.act("bob", c.Ref, bot.ActApprove, c.Version)
				if err == nil || res.Note != tc.decided {
					t.Fatalf("second approval: %v, note %q", err, res.Note)
				}
			})
		})
	}
}

// Every kind of card and every note after an action names items by their
// numbers and customers by name, in the staff language.
func TestStaffTextHasNoInternalRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := staffShop(t, st, bot.StaffLangZH)
		ctx := context.Background()
		n := s.order("u1", "TEA", 1)
		o := s.orderByNumber(n)
		ref := fmt.Sprintf("order:%d", o.ID)
		var notes []string
		for _, step := range []struct{ action string }{{bot.ActApprove}, {bot.ActShip}, {bot.ActDeliver}} {
			o = s.orderByNumber(n)
			res, err := s.act("alice", ref, step.action, o.Version, "顺丰", "SF1234567890")
			if err != nil {
				t.Fatalf("%s: %v", step.action, err)
			}
			notes = append(notes, res.Note)
		}
		s.say("u1", "售后")
		s.say("u2", "人工")
		s.say("u2", "在吗，我的快递还没到")
		cards, err := s.svc.OpenWork(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			if strings.HasPrefix(c.Ref, "handoff:") {
				res, err := s.svc.HandleStaffAction(ctx, bot.StaffAction{Channel: bot.WebChat, UserID: "ann", Ref: c.Ref, Action: bot.ActReply, Text: "马上帮您查"})
				if err != nil {
					t.Fatal(err)
				}
				notes = append(notes, res.Note)
				cards = append(cards, res.Card)
			}
		}
		var all []string
		for _, c := range cards {
			all = append(all, cardText(c))
		}
		for _, m := range s.feed(bot.StaffRecipient) {
			all = append(all, m.Text)
			if m.Card != nil {
				all = append(all, cardText(*m.Card))
			}
		}
		text := strings.Join(append(all, notes...), "\n")
		for _, want := range []string{"订单 " + n + " · 已发货", "已标记为已发货", "客户请求人工客服", "顺丰 SF1234567890",
			"（UTC+8）起等待人工回复", "已发送给客户。"} {
			if !strings.Contains(text, want) {
				t.Errorf("staff text lacks %q", want)
			}
		}
		if m := internalRef.FindString(text); m != "" || strings.Contains(text, "webchat") || strings.Contains(text, "shipped") {
			t.Fatalf("staff text shows internal words (%q):\n%s", m, text)
		}
	})
}
