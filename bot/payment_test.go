package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func offlinePay(flow bot.PayFlow) bot.Config {
	return bot.Config{Pay: bot.PayConfig{
		Flow:         flow,
		Methods:      []bot.PayMethod{bot.PayTransfer, bot.PayCOD},
		Instructions: "ICBC 6222 0000 1111, Tea Shop Ltd",
		QRImage:      "https://shop.example/pay.png",
		Timeout:      24 * time.Hour,
	}}
}

// orderPaying places an order of one clay pot paid the way chosen at the summary.
func (s *shop) orderPaying(user, method string) *bot.Order {
	s.t.Helper()
	s.toSummary(user, "POT", 1)
	n := orderNumber.FindString(texts(s.press(user, "pay_"+method)))
	if n == "" {
		s.t.Fatalf("no order number after paying by %s", method)
	}
	return s.orderByNumber(n)
}

// lastNotice is the newest message to the customer.
func (s *shop) lastNotice(user string) *bot.Message {
	s.t.Helper()
	feed := s.feed(user)
	return feed[len(feed)-1]
}

func (s *shop) payAct(user string, o *bot.Order, action string, amount int64, ref string) (bot.StaffResult, error) {
	return s.svc.HandleStaffAction(context.Background(), bot.StaffAction{
		Channel: bot.WebChat, UserID: user, Ref: fmt.Sprintf("order:%d", o.ID), Action: action,
		Version: o.Version, Amount: amount, Reference: ref,
	})
}

func TestTransferApproveFirstMarkPaidAndRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShopWith(t, st, offlinePay(bot.ApproveFirst))
		o := s.orderPaying("u1", "transfer")
		if o.PayMethod != bot.PayTransfer || o.PaymentStatus != bot.Unpaid || !o.PayDue.IsZero() {
			t.Fatalf("placed: method %s, %s, due %v", o.PayMethod, o.PaymentStatus, o.PayDue)
		}
		if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActApprove, o.Version); err != nil {
			t.Fatal(err)
		}
		// Approval asks for the money: amount, the shop's instructions, the
		// QR picture and the deadline in the shop's zone (the fake clock's UTC).
		n := s.lastNotice("u1")
		for _, want := range []string{"ICBC 6222 0000 1111", "CN¥168.00", "2026-11-24 10:00"} {
			if !strings.Contains(n.Text, want) {
				t.Errorf("confirmation lacks %q: %q", want, n.Text)
			}
		}
		if n.Options != nil || n.Notice == nil || n.Notice.Pay == nil || n.Notice.Pay.Image != "https://shop.example/pay.png" {
			t.Errorf("notice %+v", n.Notice)
		}
		o = s.orderByNumber(o.Number)
		if want := s.clock.Now().Add(24 * time.Hour); !o.PayDue.Equal(want) {
			t.Fatalf("pay due %v, want %v", o.PayDue, want)
		}

		if _, err := s.payAct("ann", o, bot.ActMarkPaid, 0, ""); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("agent marks paid: %v", err)
		}
		if _, err := s.payAct("alice", o, bot.ActMarkPaid, 0, "TX-778"); err != nil {
			t.Fatal(err)
		}
		var decided *bot.DecidedError
		if _, err := s.payAct("bob", o, bot.ActMarkPaid, 0, "again"); !errors.As(err, &decided) || decided.By != "alice (webchat)" {
			t.Fatalf("second mark paid: %v", err)
		}
		o = s.orderByNumber(o.Number)
		if o.PaymentStatus != bot.Paid || o.Paid != 16800 || o.PaymentRef != "TX-778" {
			t.Fatalf("after mark paid: %s %d %q", o.PaymentStatus, o.Paid, o.PaymentRef)
		}
		if n := s.lastNotice("u1"); !strings.Contains(n.Text, "received your payment of CN¥168.00") {
			t.Fatalf("payment notice %q", n.Text)
		}

		if _, err := s.payAct("alice", o, bot.ActRefund, 20000, ""); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("refund above the paid amount: %v", err)
		}
		if _, err := s.payAct("alice", o, bot.ActRefund, 5000, "broken lid"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.payAct("alice", o, bot.ActRefund, 0, ""); err == nil {
			t.Fatal("a refund on a stale version went through")
		}
		o = s.orderByNumber(o.Number)
		if o.PaymentStatus != bot.PartiallyRefunded || o.Refunded != 5000 {
			t.Fatalf("after partial refund: %s %d", o.PaymentStatus, o.Refunded)
		}
		if _, err := s.payAct("alice", o, bot.ActRefund, 0, ""); err != nil {
			t.Fatal(err)
		}
		o = s.orderByNumber(o.Number)
		if o.PaymentStatus != bot.Refunded || o.Refunded != 16800 {
			t.Fatalf("after full refund: %s %d", o.PaymentStatus, o.Refunded)
		}
		if n := s.lastNotice("u1"); !strings.Contains(n.Text, "refund of CN¥118.00") {
			t.Fatalf("refund notice %q", n.Text)
		}
		audit, err := st.Audit(context.Background(), "order", o.Number)
		if err != nil || len(audit) != 5 || audit[2].To != "paid" || audit[2].Note != "TX-778" || audit[4].To != "refunded" {
			t.Fatalf("audit %+v, %v", audit, err)
		}
		if page := texts(s.say("u1", "order "+o.Number)); !strings.Contains(page, "Payment: refunded · bank transfer") {
			t.Fatalf("order page: %q", page)
		}
	})
}

func TestPayFirstWaitsForTheMoneyBeforeApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShopWith(t, st, offlinePay(bot.PayFirst))
		o := s.orderPaying("u1", "transfer")
		if n := s.lastNotice("u1"); !strings.Contains(n.Text, "waiting for your payment") || !strings.Contains(n.Text, "ICBC") {
			t.Fatalf("no payment request after placing: %q", n.Text)
		}
		if !o.PayDue.Equal(s.clock.Now().Add(24 * time.Hour)) {
			t.Fatalf("pay due %v", o.PayDue)
		}
		cards, err := s.svc.OpenWork(context.Background())
		if err != nil || len(cards) != 1 {
			t.Fatalf("work %v %v", cards, err)
		}
		var ids []string
		for _, a := range cards[0].Actions {
			ids = append(ids, a.ID)
		}
		if strings.Join(ids, ",") != "reject,mark_paid" {
			t.Fatalf("card actions before payment: %v", ids)
		}
		var state *bot.StateError
		if _, err := s.payAct("alice", o, bot.ActApprove, 0, ""); !errors.As(err, &state) {
			t.Fatalf("approve before payment: %v", err)
		}
		if _, err := s.payAct("alice", o, bot.ActMarkPaid, 0, ""); err != nil {
			t.Fatal(err)
		}
		o = s.orderByNumber(o.Number)
		if _, err := s.payAct("alice", o, bot.ActApprove, 0, ""); err != nil {
			t.Fatal(err)
		}
		if o = s.orderByNumber(o.Number); o.Status != bot.Confirmed || o.PaymentStatus != bot.Paid {
			t.Fatalf("after payment and approval: %s %s", o.Status, o.PaymentStatus)
		}
		// Cash on delivery is never waited for.
		cod := s.orderPaying("u2", "cod")
		if _, err := s.payAct("alice", cod, bot.ActApprove, 0, ""); err != nil {
			t.Fatalf("approve a cash-on-delivery order: %v", err)
		}
	})
}

// TestUnpaidOrderRemindedThenCancelled: a transfer order placed in
// pay-first is reminded once at half its 24 h, cancelled at 24 h with its
// stock back and the customer told; two sweeps at once act once, and a
// cash-on-delivery order is never touched.
func TestUnpaidOrderRemindedThenCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShopWith(t, st, offlinePay(bot.PayFirst))
		o := s.orderPaying("u1", "transfer")
		cod := s.orderPaying("u2", "cod")
		if left := stock(t, st, "POT"); left != 8 {
			t.Fatalf("stock %d", left)
		}
		sweep := func() int {
			t.Helper()
			// A sweep holds its claim for the minute: each run here is a
			// minute later, as the loop's would be.
			s.clock.Add(time.Minute)
			var n [2]int
			var errs [2]error
			done := make(chan int)
			for i := range 2 {
				go func() { n[i], errs[i] = s.svc.SweepPayments(ctx); done <- i }()
			}
			<-done
			<-done
			if errs[0] != nil || errs[1] != nil {
				t.Fatal(errs)
			}
			return n[0] + n[1]
		}
		notices := func(user string) int {
			t.Helper()
			count := 0
			for _, m := range s.feed(user) {
				if m.Kind == bot.KindNotice {
					count++
				}
			}
			return count
		}
		before := notices("u1") // how to pay, after placing
		if n := sweep(); n != 0 {
			t.Fatalf("fresh order swept: %d", n)
		}
		s.clock.Add(12*time.Hour - time.Minute)
		if n := sweep(); n != 1 || notices("u1") != before+1 {
			t.Fatalf("reminder at half time: %d changed, %d notices", n, notices("u1"))
		}
		if last := s.lastNotice("u1"); !strings.Contains(last.Text, "hasn't been paid yet") || !strings.Contains(last.Text, "ICBC") {
			t.Fatalf("reminder %q", last.Text)
		}
		if n := sweep(); n != 0 {
			t.Fatalf("second reminder: %d", n)
		}
		s.clock.Add(12 * time.Hour)
		if n := sweep(); n != 1 {
			t.Fatalf("timeout: %d changed", n)
		}
		got := s.orderByNumber(o.Number)
		if got.Status != bot.Cancelled || got.History[len(got.History)-1].Actor != "system (payment timeout)" || stock(t, st, "POT") != 9 {
			t.Fatalf("after timeout: %s, stock %d", got.Status, stock(t, st, "POT"))
		}
		if last := s.lastNotice("u1"); !strings.Contains(last.Text, "cancelled because its payment didn't arrive in time") {
			t.Fatalf("timeout notice %q", last.Text)
		}
		if n := sweep(); n != 0 || notices("u1") != before+2 {
			t.Fatalf("swept again: %d, %d notices", n, notices("u1"))
		}
		if c := s.orderByNumber(cod.Number); c.Status != bot.Pending || c.PaymentStatus != bot.Unpaid {
			t.Fatalf("cash on delivery order touched: %s", c.Status)
		}
	})
}
