package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// couponShop is a shop with a ¥10 shipping fee waived from ¥200 and the
// coupons given.
func couponShop(t *testing.T, st *store.Store, coupons ...pay.Coupon) (*shop, *pay.Service) {
	t.Helper()
	p := pay.New(st, quietLog(), nil, pay.Shipping{FlatFee: 1000, FreeAbove: 20000})
	s := newShopWith(t, st, bot.Config{Pricing: p})
	admin := bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
	for _, c := range coupons {
		if _, err := p.CreateCoupon(context.Background(), admin, c); err != nil {
			t.Fatal(err)
		}
	}
	return s, p
}

func TestCouponAtTheSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := newClock().Now()
		s, _ := couponShop(t, st,
			pay.Coupon{Code: "TEA10", PercentOff: 10},
			pay.Coupon{Code: "OLD", AmountOff: 500, EndsAt: now.Add(-time.Hour)},
			pay.Coupon{Code: "GOLD", AmountOff: 500, Tier: "gold"},
			pay.Coupon{Code: "BIG", AmountOff: 5000, MinSpend: 50000},
		)
		s.toSummary("u1", "TEA", 2)
		s.press("u1", "coupon")
		// The summary of ¥76 of tea adds ¥10 shipping.
		if summary := texts(s.press("u1", "back")); !strings.Contains(summary, "Shipping: CN¥10.00") || !strings.Contains(summary, "To pay: CN¥86.00") {
			t.Fatalf("summary without coupon: %q", summary)
		}
		for code, want := range map[string]string{
			"old":   "coupon OLD has expired",
			"GOLD":  "isn't available for your membership tier",
			"BIG":   "needs items worth at least CN¥500.00",
			"NOPE1": "NOPE1 isn't a valid coupon code",
		} {
			if got := texts(s.say("u1", code)); !strings.Contains(got, want) || strings.Contains(got, "Coupon ") && strings.Contains(got, "applied") {
				t.Errorf("coupon %s: %q lacks %q", code, got, want)
			}
		}
		got := texts(s.say("u1", "tea10"))
		for _, want := range []string{"Coupon TEA10 applied: CN¥7.60 off", "Coupon TEA10: -CN¥7.60", "To pay: CN¥78.40"} {
			if !strings.Contains(got, want) {
				t.Errorf("applied: %q lacks %q", got, want)
			}
		}
		n := orderNumber.FindString(texts(s.press("u1", "confirm")))
		o := s.orderByNumber(n)
		if o.Subtotal != 7600 || o.Discount != 760 || o.Shipping != 1000 || o.Total != 7840 || o.Coupon != "TEA10" {
			t.Fatalf("order %+v", o)
		}
		if page := texts(s.say("u1", "order "+n)); !strings.Contains(page, "Coupon TEA10: -CN¥7.60") || !strings.Contains(page, "To pay: CN¥78.40") {
			t.Fatalf("order page %q", page)
		}
	})
}

// TestCouponLimitUnderConcurrency: 50 customers confirm at once with a
// coupon of 10 uses; exactly 10 orders get it, the others are told and
// placed nothing.
func TestCouponLimitUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, p := couponShop(t, st, pay.Coupon{Code: "FIRST10", AmountOff: 1000, MaxUses: 10})
		const n = 50
		users := make([]string, n)
		for i := range users {
			users[i] = "c" + string(rune('A'+i/26)) + string(rune('a'+i%26))
			s.toSummary(users[i], "TEA", 1)
			if got := texts(s.say(users[i], "FIRST10")); !strings.Contains(got, "applied") {
				t.Fatalf("%s: %q", users[i], got)
			}
		}
		var wg sync.WaitGroup
		replies := make([]string, n)
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i] = texts(s.press(u, "confirm"))
			}()
		}
		wg.Wait()
		placed, refused := 0, 0
		for _, r := range replies {
			switch {
			case orderNumber.MatchString(r):
				placed++
			case strings.Contains(r, "FIRST10 has been used up") && strings.Contains(r, "hasn't been placed"):
				refused++
			}
		}
		cs, err := p.Coupons(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if placed != 10 || refused != n-10 || cs[0].Uses != 10 {
			t.Fatalf("placed %d, refused %d, uses %d", placed, refused, cs[0].Uses)
		}
		if left := stock(t, st, "TEA"); left != 90 {
			t.Fatalf("stock %d after 10 orders of one", left)
		}
	})
}

// TestCouponGivenBackWhenCancelledUnpaid: an order cancelled before it
// was paid gives its coupon use back in the cancel's transaction, however
// it is cancelled (the customer, staff rejecting it, the payment
// timeout), so the coupon's limit and the customer's own count it no
// more; an order cancelled after it was paid keeps the use.
func TestCouponGivenBackWhenCancelledUnpaid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		p := pay.New(st, quietLog(), nil, pay.Shipping{})
		cfg := offlinePay(bot.PayFirst)
		cfg.Pricing = p
		s := newShopWith(t, st, cfg)
		admin := bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
		if _, err := p.CreateCoupon(ctx, admin, pay.Coupon{Code: "ONCE", AmountOff: 500, MaxUses: 1, MaxUsesPerCustomer: 1}); err != nil {
			t.Fatal(err)
		}
		uses := func() int {
			t.Helper()
			cs, err := p.Coupons(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return cs[0].Uses
		}
		withCoupon := func(user string) *bot.Order {
			t.Helper()
			s.toSummary(user, "TEA", 1)
			if got := texts(s.say(user, "ONCE")); !strings.Contains(got, "applied") {
				t.Fatalf("coupon refused to %s: %q", user, got)
			}
			n := orderNumber.FindString(texts(s.press(user, "pay_transfer")))
			if n == "" || uses() != 1 {
				t.Fatalf("order %q with the coupon, uses %d", n, uses())
			}
			return s.orderByNumber(n)
		}

		o := withCoupon("u1")
		s.say("u1", "cancel "+o.Number)
		if reply := texts(s.press("u1", "yes")); !strings.Contains(reply, "cancelled") || uses() != 0 {
			t.Fatalf("cancelled by the customer: %q, uses %d", reply, uses())
		}

		o = withCoupon("u1")
		if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActReject, o.Version, "out of stock"); err != nil || uses() != 0 {
			t.Fatalf("rejected: %v, uses %d", err, uses())
		}

		o = withCoupon("u1")
		s.clock.Add(25 * time.Hour)
		if n, err := s.svc.SweepPayments(ctx); err != nil || n != 1 || uses() != 0 {
			t.Fatalf("timed out: %d swept, %v, uses %d", n, err, uses())
		}
		if got := s.orderByNumber(o.Number); got.Status != bot.Cancelled {
			t.Fatalf("order %s after the timeout", got.Status)
		}

		o = withCoupon("u1")
		if _, err := s.payAct("alice", o, bot.ActMarkPaid, 0, "T-1"); err != nil {
			t.Fatal(err)
		}
		s.say("u1", "cancel "+o.Number)
		s.press("u1", "yes")
		if got := s.orderByNumber(o.Number); got.Status != bot.Cancelled || uses() != 1 {
			t.Fatalf("paid, then cancelled: %s, uses %d", got.Status, uses())
		}
		s.toSummary("u2", "TEA", 1)
		if got := texts(s.say("u2", "ONCE")); !strings.Contains(got, "used up") {
			t.Fatalf("the use of a paid order was given back: %q", got)
		}
	})
}
