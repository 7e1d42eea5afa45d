package broadcast_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestBroadcastReachesOnlyOptedInCustomersOfItsSegment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		ctx := context.Background()
		s.customer(bot.WebChat, "zh-in", "zh-CN", true)
		s.customer(bot.WebChat, "en-in", "en", true)
		s.customer(bot.WebChat, "en-out", "en", false)
		s.customer(bot.Telegram, "tg-in", "en", true)
		tagged := s.customer(bot.WebChat, "vip-in", "en", true)
		if err := st.ReplaceCustomerTags(ctx, tagged, []string{"vip"}); err != nil {
			t.Fatal(err)
		}
		s.customer(bot.WebChat, "quit", "en", true)
		s.say(bot.WebChat, "quit", "en", "unsubscribe")

		b := both
		b.Coupon = ""
		b.Segment = broadcast.Segment{Channels: []string{bot.WebChat}}
		b = s.create(b)
		if b = s.act(agent, b.ID, broadcast.ActSubmit); b.Audience != 3 {
			t.Errorf("audience = %d, want the 3 opted-in web chat customers", b.Audience)
		}
		if n := s.sendDue(); n != 0 {
			t.Fatalf("queued %d before approval", n)
		}
		s.act(approver, b.ID, broadcast.ActApprove)
		if n := s.sendDue(); n != 3 {
			t.Fatalf("queued %d, want 3", n)
		}
		for user, want := range map[string]string{"zh-in": "回复“退订”即可不再接收优惠消息。", "en-in": `Reply "unsubscribe"`, "vip-in": "New season's tea"} {
			ms := s.promotions(bot.WebChat, user)
			if len(ms) != 1 || !strings.Contains(ms[0].Text, want) || ms[0].Kind != bot.KindNotice {
				t.Errorf("%s got %d promotions (%+v), want one containing %q", user, len(ms), ms, want)
			}
		}
		for _, user := range []string{"en-out", "quit"} {
			if ms := s.promotions(bot.WebChat, user); len(ms) != 0 {
				t.Errorf("%s did not opt in but got %q", user, ms[0].Text)
			}
		}
		if ms := s.promotions(bot.Telegram, "tg-in"); len(ms) != 0 {
			t.Errorf("a Telegram customer got a web-chat-only broadcast")
		}
		got, rep, err := s.bc.Get(ctx, b.ID)
		if err != nil || got.Status != broadcast.Sent {
			t.Fatalf("after sending: %v %v", got.Status, err)
		}
		if rep.Targeted != 3 || rep.Queued != 3 || rep.Sent != 0 || rep.Failed != 0 || len(rep.Skipped) != 0 {
			t.Errorf("report = %+v", rep)
		}
		if n := s.sendDue(); n != 0 {
			t.Errorf("a second run queued %d more", n)
		}

		// A segment of a tag and a language narrows it further.
		v := s.create(broadcast.Broadcast{TextEN: "For our VIPs", Segment: broadcast.Segment{Langs: []string{"en"}, Tags: []string{"vip"}}})
		if v = s.act(agent, v.ID, broadcast.ActSubmit); v.Audience != 1 {
			t.Errorf("vip audience = %d, want 1", v.Audience)
		}
		z := s.create(broadcast.Broadcast{TextZH: "只发中文", Segment: broadcast.Segment{Langs: []string{"zh"}}})
		if z = s.act(agent, z.ID, broadcast.ActSubmit); z.Audience != 1 {
			t.Errorf("Chinese audience = %d, want 1", z.Audience)
		}
	})
}

func TestBroadcastApprovalRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		ctx := context.Background()
		s.customer(bot.WebChat, "c1", "en", true)
		b := s.create(both)

		// Approving a draft, an agent approving, the creator approving.
		if _, err := s.bc.Act(ctx, approver, b.ID, broadcast.ActApprove); err == nil {
			t.Error("a draft was approved before it was submitted")
		}
		s.act(agent, b.ID, broadcast.ActSubmit)
		if _, err := s.bc.Act(ctx, agent, b.ID, broadcast.ActApprove); !errors.Is(err, bot.ErrForbidden) {
			t.Errorf("agent approving: %v, want ErrForbidden", err)
		}
		own, err := s.bc.Create(ctx, approver, both)
		if err != nil {
			t.Fatal(err)
		}
		s.act(approver, own.ID, broadcast.ActSubmit)
		if _, err := s.bc.Act(ctx, approver, own.ID, broadcast.ActApprove); !errors.Is(err, broadcast.ErrTwoPeople) {
			t.Errorf("self-approval: %v, want ErrTwoPeople", err)
		}
		if got, _, _ := s.bc.Get(ctx, own.ID); got.Status != broadcast.Pending {
			t.Errorf("after a refused self-approval the status is %s", got.Status)
		}
		s.act(approver2, own.ID, broadcast.ActApprove)

		// The card, in the staff language (Chinese by default): posted on
		// submit with approve and reject, and a button press through the
		// core decides once.
		ref := "broadcast:" + itoa(b.ID)
		card := lastCard(t, st, ref)
		if len(card.Actions) != 2 || !strings.Contains(card.Title, "发给 1 位顾客") || card.Actions[0].Label != "批准" {
			t.Fatalf("card = %+v", card)
		}
		if _, err := s.svc.HandleStaffAction(ctx, bot.StaffAction{Channel: bot.WebChat, UserID: "ann", Ref: ref, Action: bot.ActApprove}); !errors.Is(err, bot.ErrForbidden) {
			t.Errorf("agent pressing approve: %v", err)
		}
		res, err := s.svc.HandleStaffAction(ctx, bot.StaffAction{Channel: bot.WebChat, UserID: "alice", Ref: ref, Action: bot.ActReject})
		if err != nil || len(res.Card.Actions) != 0 || !strings.Contains(res.Card.Status, "alice (webchat) 于") || !strings.HasSuffix(res.Card.Status, "拒绝") {
			t.Fatalf("reject on the card: %+v %v", res.Card, err)
		}
		_, err = s.svc.HandleStaffAction(ctx, bot.StaffAction{Channel: bot.WebChat, UserID: "bob", Ref: ref, Action: bot.ActApprove})
		var decided *bot.DecidedError
		if !errors.As(err, &decided) || !strings.HasPrefix(decided.By, "alice") {
			t.Errorf("approve after reject: %v", err)
		}
		if n := s.sendDue(); n != 1 {
			t.Errorf("queued %d, want only the approved broadcast's 1", n)
		}
	})
}

func TestSelfApprovalAllowedWithOnePerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, false)
		s.customer(bot.WebChat, "c1", "en", true)
		b, err := s.bc.Create(context.Background(), approver, both)
		if err != nil {
			t.Fatal(err)
		}
		s.act(approver, b.ID, broadcast.ActSubmit)
		if b = s.act(approver, b.ID, broadcast.ActApprove); b.Status != broadcast.Approved {
			t.Errorf("status %s", b.Status)
		}
	})
}

func TestBroadcastScheduledWaitsForItsTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		s.customer(bot.WebChat, "c1", "zh-CN", true)
		must(t, st.CreateCoupon(context.Background(), &pay.Coupon{Code: "SPRING10", PercentOff: 10, CreatedBy: "test", CreatedAt: s.clock.Now()}))
		b := both
		b.SendAt = s.clock.Now().Add(2 * time.Hour)
		b.Coupon, b.ImageURL = "spring10", "https://shop.example/spring.jpg"
		b = s.create(b)
		s.act(agent, b.ID, broadcast.ActSubmit)
		s.act(approver, b.ID, broadcast.ActApprove)
		if n := s.sendDue(); n != 0 {
			t.Fatalf("queued %d two hours early", n)
		}
		s.clock.Add(2 * time.Hour)
		if n := s.sendDue(); n != 1 {
			t.Fatalf("queued %d at its time, want 1", n)
		}
		ms := s.promotions(bot.WebChat, "c1")
		if len(ms) != 1 || !strings.Contains(ms[0].Text, "优惠码 SPRING10") || ms[0].ImageURL != "https://shop.example/spring.jpg" || ms[0].Lang != string(conversation.Chinese) {
			t.Errorf("promotion %+v", *ms[0])
		}
	})
}

func TestBroadcastWeChatWindowAndReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		ctx := context.Background()
		s.customer(bot.WeChat, "wx-old", "zh-CN", true)
		s.clock.Add(90 * time.Minute)
		// wx-edge's window is open for half an hour more when the broadcast
		// is queued: too little for bulk messages behind everything else.
		s.customer(bot.WeChat, "wx-edge", "zh-CN", true)
		s.clock.Add(47*time.Hour - 90*time.Minute)
		s.customer(bot.WeChat, "wx-new", "zh-CN", true)
		s.customer(bot.Telegram, "tg", "en", true)
		s.clock.Add(2 * time.Hour) // wx-old's window closed an hour ago
		for i := range 4 {
			s.customer(bot.WebChat, "w"+itoa(int64(i)), "en", true)
		}
		b := s.create(both)
		s.act(agent, b.ID, broadcast.ActSubmit)
		s.act(approver2, b.ID, broadcast.ActApprove)
		// 8 customers in batches of 3: three transactions.
		if n := s.sendDue(); n != 6 {
			t.Fatalf("queued %d, want 6 (two skipped)", n)
		}
		for _, u := range []string{"wx-old", "wx-edge"} {
			if ms := s.promotions(bot.WeChat, u); len(ms) != 0 {
				t.Errorf("%s, outside the WeChat window, got the promotion", u)
			}
		}
		if ms := s.promotions(bot.WeChat, "wx-new"); len(ms) != 1 || !strings.HasPrefix(ms[0].Text, "新茶上市") {
			t.Errorf("wx-new got %+v", ms)
		}
		// The dispatcher sends them; the Telegram customer blocked the bot.
		d := bot.NewDispatcher(st, map[string]bot.Sender{
			bot.WebChat: sender{}, bot.WeChat: sender{}, bot.Telegram: sender{fail: bot.ErrUnreachable},
		}, quiet(), bot.DispatcherConfig{Clock: s.clock.Now})
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		s.clock.Add(time.Minute)
		s.say(bot.WebChat, "w2", "en", "unsubscribe")
		rep := s.report(b.ID)
		want := broadcast.Report{Targeted: 8, Queued: 6, Sent: 5, Failed: 1, Skipped: map[string]int{broadcast.SkipOutsideWindow: 2}, Unsubscribed: 1}
		if rep.Targeted != want.Targeted || rep.Queued != want.Queued || rep.Sent != want.Sent || rep.Failed != want.Failed ||
			rep.Skipped[broadcast.SkipOutsideWindow] != 2 || len(rep.Skipped) != 1 || rep.Unsubscribed != 1 {
			t.Errorf("report = %+v, want %+v", rep, want)
		}

		// The next broadcast leaves out who unsubscribed, and the Telegram
		// customer who blocked the bot.
		next := s.create(both)
		if next = s.act(agent, next.ID, broadcast.ActSubmit); next.Audience != 6 {
			t.Errorf("next audience = %d, want 6", next.Audience)
		}
		s.act(approver2, next.ID, broadcast.ActApprove)
		s.sendDue()
		if ms := s.promotions(bot.WebChat, "w2"); len(ms) != 1 {
			t.Errorf("w2 unsubscribed but has %d promotions", len(ms))
		}
		if _, rep, _ := s.bc.Get(ctx, next.ID); rep.Targeted != 6 || rep.Queued != 4 {
			t.Errorf("next report %+v", rep)
		}
	})
}

func TestBroadcastBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		ctx := context.Background()
		s.customer(bot.WebChat, "c1", "en", true)
		past := s.clock.Now().Add(-time.Minute)
		for name, b := range map[string]broadcast.Broadcast{
			"no Chinese text for everyone": {TextEN: "hi"},
			"no English text for English":  {TextZH: "你好", Segment: broadcast.Segment{Langs: []string{"en"}}},
			"past schedule":                {TextZH: "你好", TextEN: "hi", SendAt: past},
			"slack":                        {TextZH: "你好", TextEN: "hi", Segment: broadcast.Segment{Channels: []string{bot.Slack}}},
			"unknown tier":                 {TextZH: "你好", TextEN: "hi", Segment: broadcast.Segment{Tiers: []string{"platinum-x"}}},
			"unknown coupon":               {TextZH: "你好", TextEN: "hi", Coupon: "NOPE99"},
			"picture not a web address":    {TextZH: "你好", TextEN: "hi", ImageURL: "javascript:alert(1)"},
			"min above max":                {TextZH: "你好", TextEN: "hi", Segment: broadcast.Segment{MinSpent: ptr(500), MaxSpent: ptr(100)}},
			"unknown language in segment":  {TextZH: "你好", TextEN: "hi", Segment: broadcast.Segment{Langs: []string{"fr"}}},
		} {
			if _, err := s.bc.Create(ctx, agent, b); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", name, err)
			}
		}
		if list, _ := s.bc.List(ctx, 0, 50); len(list) != 0 {
			t.Errorf("bad input stored %d broadcasts", len(list))
		}
		// Empty segment: refused on submit, still a draft.
		b := both
		b.Segment = broadcast.Segment{Channels: []string{bot.WeChat}}
		b = s.create(b)
		if _, err := s.bc.Act(ctx, agent, b.ID, broadcast.ActSubmit); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("submit of an empty segment: %v", err)
		}
		if got, _, _ := s.bc.Get(ctx, b.ID); got.Status != broadcast.Draft {
			t.Errorf("status %s after a refused submit", got.Status)
		}
		if _, err := s.bc.Act(ctx, agent, 9999, broadcast.ActSubmit); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		if _, err := s.bc.Act(ctx, agent, b.ID, "explode"); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("unknown action: %v", err)
		}
		// A schedule that passed while it was a draft.
		later := both
		later.SendAt = s.clock.Now().Add(time.Hour)
		later = s.create(later)
		s.clock.Add(2 * time.Hour)
		if _, err := s.bc.Act(ctx, agent, later.ID, broadcast.ActSubmit); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("submit after its time: %v", err)
		}
	})
}

func TestCancelStopsSending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		s.customer(bot.WebChat, "c1", "en", true)
		b := both
		b.SendAt = s.clock.Now().Add(time.Hour)
		b = s.create(b)
		s.act(agent, b.ID, broadcast.ActSubmit)
		s.act(approver, b.ID, broadcast.ActApprove)
		s.act(agent, b.ID, broadcast.ActCancel)
		if card := lastCard(t, st, "broadcast:"+itoa(b.ID)); !strings.HasSuffix(card.Status, "取消") {
			t.Errorf("the card after cancel: %q", card.Status)
		}
		s.clock.Add(2 * time.Hour)
		if n := s.sendDue(); n != 0 {
			t.Errorf("a cancelled broadcast queued %d", n)
		}
	})
}

func TestBroadcastCardInEnglish(t *testing.T) {
	st := storetest.SQLite(t)
	s := newShop(t, st, true)
	s.customer(bot.WebChat, "c1", "en", true)
	en := broadcast.New(st, quiet(), broadcast.Config{StaffChannels: []string{bot.WebChat}, StaffLang: bot.StaffLangEN, Currency: "¥", Clock: s.clock.Now}, nil)
	b := both
	b.Segment = broadcast.Segment{MinSpent: ptr(10000), Channels: []string{bot.WebChat}}
	b, err := en.Create(context.Background(), agent, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.Act(context.Background(), agent, b.ID, broadcast.ActSubmit); !errors.Is(err, bot.ErrInvalid) {
		t.Fatalf("nobody has spent ¥100 yet: %v", err)
	}
	b.Segment.MinSpent = nil
	b, err = en.Create(context.Background(), agent, b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.Act(context.Background(), agent, b.ID, broadcast.ActSubmit); err != nil {
		t.Fatal(err)
	}
	card := lastCard(t, st, "broadcast:"+itoa(b.ID))
	if card.Title != "Broadcast #2 to 1 customers" || field(card, "Segment") != "channels: webchat" || card.Actions[1].Label != "Reject" {
		t.Errorf("card %+v", card)
	}
}
