package tier_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestPromotionAfterCompletedOrdersAndDemotionAsTheWindowMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		for i := range 2 {
			s.complete(s.order("u1", "TEA", 1).Number)
			if got := s.tierOf("u1").Tier; got != "regular" {
				t.Fatalf("after %d orders of ¥38: tier %q, want regular", i+1, got)
			}
		}
		// An order placed but not completed does not count.
		open := s.order("u1", "TEA", 1)
		if got := s.tierOf("u1").Tier; got != "regular" {
			t.Fatalf("a pending third order made the tier %q", got)
		}
		s.clock.Add(30 * 24 * time.Hour)
		card := s.complete(open.Number)
		if got := s.tierOf("u1").Tier; got != "silver" {
			t.Fatalf("after 3 completed orders: tier %q, want silver", got)
		}
		if got := field(card, "会员等级"); got != "银卡" {
			t.Fatalf("card of the completing action shows tier %q", got)
		}
		id := fmt.Sprint(s.customerID("u1"))
		if trail := s.audit("customer", id); !slices.Contains(trail, "tiers tier regular→silver") {
			t.Fatalf("promotion not audited: %q", trail)
		}
		if reply := s.say("u1", "orders"); !strings.Contains(reply, "You're a Silver member.") {
			t.Fatalf("orders view without the tier: %q", reply)
		}
		s.say("u1", "中文")
		if reply := s.say("u1", "我的订单"); !strings.Contains(reply, "您是银卡会员。") {
			t.Fatalf("Chinese orders view without the tier: %q", reply)
		}
		// A year after the first two orders they leave the window; the
		// sweep of that day drops the tier.
		s.clock.Add(340 * 24 * time.Hour)
		ran, err := s.tiers.SweepIfDue(ctx)
		if err != nil || !ran {
			t.Fatalf("sweep ran %v, %v", ran, err)
		}
		if got := s.tierOf("u1").Tier; got != "regular" {
			t.Fatalf("after the window moved: tier %q, want regular", got)
		}
		if trail := s.audit("customer", id); !slices.Contains(trail, "tiers tier silver→regular") {
			t.Fatalf("demotion not audited: %q", trail)
		}
	})
}

func TestPromotionBySpendAndLossByRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		o := s.order("u1", "POT", 6) // ¥1,008
		s.complete(o.Number)
		if got := s.tierOf("u1").Tier; got != "silver" {
			t.Fatalf("after spending ¥1,008: tier %q, want silver", got)
		}
		s.fileAfterSales("u1", o.Number, "refund")
		r := s.request(o.ID)
		ref := fmt.Sprintf("after_sales:%d", r.ID)
		if _, err := s.act(approver, ref, bot.ActApprove, r.Version); err != nil {
			t.Fatal(err)
		}
		r = s.request(o.ID)
		if _, err := s.act(agent, ref, bot.ActResolve, r.Version); err != nil {
			t.Fatal(err)
		}
		if got := s.tierOf("u1").Tier; got != "regular" {
			t.Fatalf("after the order was refunded: tier %q, want regular", got)
		}
	})
}

func TestPinnedTierStays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		s.say("u1", "hello")
		id := s.customerID("u1")
		if err := s.tiers.Pin(ctx, agent, id, "gold"); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("an agent pinned a tier: %v", err)
		}
		if err := s.tiers.Pin(ctx, approver, id, "platinum"); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("pinned an unknown tier: %v", err)
		}
		if err := s.tiers.Pin(ctx, approver, 999999, "gold"); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("pinned an unknown customer: %v", err)
		}
		if got := s.tierOf("u1"); got.Tier != "regular" || got.Pinned {
			t.Fatalf("refused pins changed the tier: %+v", got)
		}
		if err := s.tiers.Pin(ctx, approver, id, "gold"); err != nil {
			t.Fatal(err)
		}
		s.complete(s.order("u1", "TEA", 1).Number)
		s.clock.Add(400 * 24 * time.Hour)
		if _, err := s.tiers.SweepIfDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := s.tierOf("u1"); got.Tier != "gold" || !got.Pinned {
			t.Fatalf("pinned tier after an order and a sweep: %+v", got)
		}
		trail := s.audit("customer", fmt.Sprint(id))
		if !slices.Contains(trail, "alice (webchat) pin tier regular→gold") {
			t.Fatalf("pin not audited: %q", trail)
		}
		// Unpinned, the customer gets what their activity reaches at once.
		if err := s.tiers.Pin(ctx, approver, id, ""); err != nil {
			t.Fatal(err)
		}
		if got := s.tierOf("u1"); got.Tier != "regular" || got.Pinned {
			t.Fatalf("after unpinning: %+v", got)
		}
	})
}

// rules sets the approval rules as the admin.
func (s *shop) rules(rs ...tier.Rule) {
	s.t.Helper()
	if err := s.tiers.ReplaceRules(context.Background(), admin, rs); err != nil {
		s.t.Fatal(err)
	}
}

func (s *shop) pin(user, tierName string) {
	s.t.Helper()
	s.say(user, "hello")
	if err := s.tiers.Pin(context.Background(), approver, s.customerID(user), tierName); err != nil {
		s.t.Fatal(err)
	}
}

func TestGoldOrderApprovedByRuleAndCustomerTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.rules(tier.Rule{Name: "gold-fast", Kind: "order", MinTier: "gold", MaxAmount: 200000})
		s.pin("vip", "gold")
		s.toSummary("vip", "POT", 2) // ¥336
		placed := s.send("vip", bot.Inbound{Button: "confirm"})
		o := s.load(orderNumber.FindString(texts(placed)))
		if o.Status != bot.Confirmed || o.History[1].Actor != "rule:gold-fast" {
			t.Fatalf("order %s %s, history %+v", o.Number, o.Status, o.History)
		}
		if trail := s.audit("order", o.Number); !slices.Contains(trail, "rule:gold-fast order approve pending→confirmed") {
			t.Fatalf("audit trail %q", trail)
		}
		feed, err := s.svc.Feed(context.Background(), bot.WebChat, "vip", placed[len(placed)-1].ID)
		if err != nil || len(feed) != 1 || feed[0].Notice == nil || feed[0].Notice.Kind != "order_confirmed" ||
			feed[0].Notice.OrderNumber != o.Number {
			t.Fatalf("the customer was not told after the placing reply: %+v, %v", feed, err)
		}
		card := s.lastCard(fmt.Sprintf("order:%d", o.ID))
		// The staff language is Chinese by default.
		if field(card, "自动批准规则") != "gold-fast" || field(card, "会员等级") != "金卡（手动设定）" ||
			!strings.HasPrefix(card.Status, "由 规则「gold-fast」于") || card.Actions[0].ID != bot.ActShip {
			t.Fatalf("card %+v", card)
		}
		// Beyond the rule's amount, and for a customer below its tier,
		// orders wait for staff.
		big := s.order("vip", "POT", 12) // ¥2,016
		if big.Status != bot.Pending {
			t.Fatalf("order over the rule's amount is %s", big.Status)
		}
		plain := s.order("u2", "POT", 1)
		if plain.Status != bot.Pending {
			t.Fatalf("a regular customer's order is %s", plain.Status)
		}
		// The work queue shows every customer's tier.
		cards, err := s.svc.OpenWork(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		tiers := map[string]string{}
		for _, c := range cards {
			tiers[c.Ref] = field(c, "会员等级")
		}
		for ref, want := range map[string]string{
			fmt.Sprintf("order:%d", o.ID):     "金卡（手动设定）",
			fmt.Sprintf("order:%d", big.ID):   "金卡（手动设定）",
			fmt.Sprintf("order:%d", plain.ID): "普通",
		} {
			if tiers[ref] != want {
				t.Errorf("work queue card %s shows tier %q, want %q", ref, tiers[ref], want)
			}
		}
	})
}

func TestRuleDoesNotApproveBeyondStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		s.rules(tier.Rule{Name: "gold-fast", Kind: "order", MinTier: "gold", MaxAmount: 200000})
		s.pin("vip", "gold")
		s.toSummary("vip", "POT", 3)
		// The stock drops while the customer looks at the summary.
		err := s.svc.ImportCatalog(ctx, "test", []bot.Product{{SKU: "POT", Name: "Clay pot", NameZH: "紫砂壶", Category: "Tea", Price: 16800, Stock: 2, Active: true}})
		if err != nil {
			t.Fatal(err)
		}
		reply := s.press("vip", "confirm")
		orders, err := st.OrdersByCustomer(ctx, s.customerID("vip"), 10)
		if err != nil || len(orders) != 0 || orderNumber.MatchString(reply) {
			t.Fatalf("an order beyond the stock was placed: %+v, %v, reply %q", orders, err, reply)
		}
		if p, err := st.Product(ctx, "POT"); err != nil || p.Stock != 2 {
			t.Fatalf("stock %+v, %v", p, err)
		}
		if feed := texts(mustFeed(t, s, "vip")); strings.Contains(feed, "confirmed") {
			t.Fatalf("the customer was told of a confirmation: %q", feed)
		}
	})
}

func mustFeed(t *testing.T, s *shop, user string) []*bot.Message {
	t.Helper()
	ms, err := s.svc.Feed(context.Background(), bot.WebChat, user, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestReturnApprovedByRuleForSilverAndAbove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.rules(tier.Rule{Name: "small-returns", Kind: "return", MinTier: "silver", MaxAmount: 9999})
		s.pin("vip", "gold")              // above silver: the rule applies
		small := s.order("vip", "TEA", 2) // ¥76
		s.complete(small.Number)
		s.fileAfterSales("vip", small.Number, "return")
		r := s.request(small.ID)
		if r.Status != bot.Approved || r.History[1].Actor != "rule:small-returns" {
			t.Fatalf("request %s %s, history %+v", r.Number, r.Status, r.History)
		}
		if trail := s.audit("after_sales", r.Number); !slices.Contains(trail, "rule:small-returns approve submitted→approved") {
			t.Fatalf("audit trail %q", trail)
		}
		feed := mustFeed(t, s, "vip")
		if last := feed[len(feed)-1]; last.Notice == nil || last.Notice.Kind != "after_sales_approved" || last.Notice.RequestNumber != r.Number {
			t.Fatalf("customer not told: %+v", last)
		}
		card := s.lastCard(fmt.Sprintf("after_sales:%d", r.ID))
		if field(card, "自动批准规则") != "small-returns" || card.Actions[0].ID != bot.ActResolve {
			t.Fatalf("card %+v", card)
		}
		// Over the rule's amount, or for a customer below silver, staff decide.
		big := s.order("vip", "TEA", 3) // ¥114
		s.complete(big.Number)
		s.fileAfterSales("vip", big.Number, "return")
		plain := s.order("u2", "TEA", 1)
		s.complete(plain.Number)
		s.fileAfterSales("u2", plain.Number, "return")
		for _, o := range []*bot.Order{big, plain} {
			if r := s.request(o.ID); r.Status != bot.Submitted {
				t.Fatalf("request of order %s is %s", o.Number, r.Status)
			}
		}
	})
}
