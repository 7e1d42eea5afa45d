package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// deployedShop is the core as cmd/orderbot runs it, with tiers, customer
// care (cart reminders on), broadcasts and pricing, taking money as p
// says; x holds the services beside it.
func deployedShop(t *testing.T, st *store.Store, p bot.PayConfig) (*shop, extras) {
	t.Helper()
	log := quietLog()
	tiers := tier.New(st, log, nil, time.UTC)
	// Care reads the shop's clock, so that the survey of an order
	// delivered now is due now.
	var s *shop
	now := func() time.Time { return s.clock.Now() }
	careSvc := care.New(st, log, care.Config{StaffChannels: []string{bot.WebChat}, Membership: tiers, Clock: now, CartReminder: 24 * time.Hour}, nil)
	bcasts := broadcast.New(st, log, broadcast.Config{StaffChannels: []string{bot.WebChat}, Clock: now}, nil)
	s = newShopWith(t, st, bot.Config{Membership: tiers, Care: careSvc, Broadcasts: bcasts, Pricing: pay.New(st, log, nil, pay.Shipping{}), Pay: p})
	return s, extras{care: careSvc, broadcasts: bcasts}
}

// TestStatementsPerPaymentAsDeployed counts, as TestStatementsPerMessage
// does, the statements of paying online: the shop offers WeChat Pay first
// and cash on delivery, as cmd/orderbot does when WeChat Pay is set up.
// It is a walk of its own because a choice of methods replaces the
// summary's one "confirm", which the main walk places its orders with.
func TestStatementsPerPaymentAsDeployed(t *testing.T) {
	st := storetest.SQLite(t)
	s, _ := deployedShop(t, st, bot.PayConfig{
		Flow: bot.ApproveFirst, Methods: []bot.PayMethod{bot.PayWeChat, bot.PayCOD}, Timeout: 24 * time.Hour, Links: fakeLinks{},
	})
	countSteps(t, st, map[string]int64{
		// The choice places the order: "place order" of the main walk.
		"payment method choice": 20,
		// The order's id keys the payment row; the core's ApplyPayment
		// then reads the order whole. A repeat stops at the payment row.
		"provider checks before charging":   3,
		"provider confirms a payment":       14,
		"provider repeats the confirmation": 2,
		"provider reports a refund":         14,
	}, func(cost func(func()) int64) []statementStep {
		return paySteps(stepKit{t: t, s: s, cost: cost}, bot.PayWeChat)
	})
}

// paySteps are a customer choosing the shop's online method at the
// summary, and the provider reaching the core as cmd/orderbot hands it
// over: its check before charging (pay.Checkout.Check, Telegram's
// pre-checkout query), its confirmation (pay.Checkout.Record), once and
// repeated (providers resend a notification until it is acknowledged),
// and a refund it reports (pay.RecordRefund).
func paySteps(k stepKit, method bot.PayMethod) []statementStep {
	t, s, ctx := k.t, k.s, context.Background()
	var number string
	// callback is one counted provider notification for the order, which
	// must end in want (nil or an error it is) with the order paid and the
	// customer told of it once.
	callback := func(want error) func() int64 {
		return func() int64 {
			o := s.orderByNumber(number)
			p := pay.Payment{Provider: string(method), TxnID: "4200000001", Amount: o.Total}
			var err error
			n := k.cost(func() { err = pay.Checkout{Store: s.st, Orders: s.svc}.Record(ctx, number, p) })
			if !errors.Is(err, want) || (want == nil && err != nil) {
				t.Errorf("%s notification for %s: %v, want %v", method, number, err, want)
			}
			if o := s.orderByNumber(number); o.PaymentStatus != bot.Paid {
				t.Errorf("order %s after the notification: %s", number, o.PaymentStatus)
			}
			told := 0
			for _, m := range k.feed("u1") {
				if strings.Contains(m.Text, "we've received your payment") && strings.Contains(m.Text, number) {
					told++
				}
			}
			if told != 1 {
				t.Errorf("u1 told %d times of the payment of %s", told, number)
			}
			return n
		}
	}
	return []statementStep{
		{"payment method choice", func() int64 {
			s.toSummary("u1", "POT", 1)
			n := k.send("u1", bot.Inbound{Button: "pay_" + string(method)}, "has been placed", func(out []*bot.Message) {
				number = orderNumber.FindString(texts(out))
			})()
			if o := s.orderByNumber(number); o.PayMethod != method || !o.AwaitsPayment() {
				t.Errorf("order %s chose %s, awaits payment %v; want %s", number, o.PayMethod, o.AwaitsPayment(), method)
			}
			return n
		}},
		{"provider checks before charging", func() int64 {
			// Telegram's pre-checkout query: may the charge go ahead?
			o := s.orderByNumber(number)
			var err error
			n := k.cost(func() { err = pay.Checkout{Store: s.st, Orders: s.svc}.Check(ctx, number, o.Total) })
			if err != nil {
				t.Errorf("check of %s before charging: %v", number, err)
			}
			return n
		}},
		{"provider confirms a payment", callback(nil)},
		{"provider repeats the confirmation", callback(pay.ErrAlreadyRecorded)},
		{"provider reports a refund", func() int64 {
			o := s.orderByNumber(number)
			p := pay.Payment{Provider: string(method), TxnID: "5000000001", Amount: o.Total / 2}
			var err error
			n := k.cost(func() { err = pay.RecordRefund(ctx, s.st, s.svc, number, p) })
			if err != nil {
				t.Errorf("refund of %s: %v", number, err)
			}
			if o := s.orderByNumber(number); o.PaymentStatus != bot.PartiallyRefunded || o.Refunded != p.Amount {
				t.Errorf("order %s after a refund of %d: %s, %d refunded", number, p.Amount, o.PaymentStatus, o.Refunded)
			}
			return n
		}},
	}
}

// careJobSteps are care's scheduled jobs, each run once with one item due
// (a follow-up visit by a rule, an abandoned cart), and the customer's
// answer to the visit, which takes the visit's path and not the survey's.
// They move the shop's clock on by days, so they come last of care's.
func careJobSteps(k stepKit, careSvc *care.Service) []statementStep {
	t, s, ctx := k.t, k.s, context.Background()
	admin := bot.Staff{Channel: bot.WebChat, UserID: "ada", Name: "ada", Role: bot.Admin}
	const visit = "How is your tea?"
	visits := func(user string) int {
		n := 0
		for _, m := range k.feed(user) {
			if strings.Contains(m.Text, visit) {
				n++
			}
		}
		return n
	}
	sendVisits := func() int {
		t.Helper()
		n, err := careSvc.SendFollowUps(ctx)
		if err != nil {
			t.Fatalf("follow-ups: %v", err)
		}
		return n
	}
	return []statementStep{
		{"follow-up visit sent", func() int64 {
			rule := care.FollowUpRule{Name: "day-after", Days: 1, TextZH: "您的茶叶喝着还好吗？", TextEN: visit}
			if err := careSvc.SetFollowUpRules(ctx, admin, []care.FollowUpRule{rule}, nil); err != nil {
				t.Fatal(err)
			}
			// The orders completed earlier in the walk get their visits
			// first, uncounted, so that the counted run has one due.
			s.clock.Add(25 * time.Hour)
			sendVisits()
			number := s.order("u4", "TEA", 1)
			s.press("u4", "consent_no")
			k.advance(number, bot.ActApprove, bot.ActShip, bot.ActDeliver, bot.ActComplete)
			s.clock.Add(25 * time.Hour)
			var sent int
			n := k.cost(func() { sent = sendVisits() })
			if sent != 1 || visits("u4") != 1 {
				t.Errorf("follow-up run sent %d, u4 has %d visits; want 1", sent, visits("u4"))
			}
			return n
		}},
		{"follow-up answer", k.send("u4", bot.Inbound{Text: "Lovely, thank you."}, "passed it on to the team")},
		{"cart reminder sent", func() int64 {
			s.toSummary("u3", "TEA", 2) // u3 consented to promotions
			s.clock.Add(25 * time.Hour)
			var sent int
			var err error
			n := k.cost(func() { sent, err = careSvc.SendCartReminders(ctx) })
			if err != nil || sent != 1 {
				t.Errorf("cart reminder run sent %d: %v; want 1", sent, err)
			}
			if ms := k.feed("u3"); !strings.Contains(ms[len(ms)-1].Text, "left 2 items in your cart") {
				t.Errorf("u3 last told %q, want the cart reminder", ms[len(ms)-1].Text)
			}
			return n
		}},
	}
}
