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

// fakeLinks gives a WeChat user a page and everyone else a QR picture.
type fakeLinks struct{}

func (fakeLinks) PayLink(m bot.PayMethod, number, channel, user string) (string, string) {
	if m != bot.PayWeChat {
		return "", ""
	}
	if channel == bot.WeChat {
		return "https://shop.example/wechatpay/pay?o=" + number + "&u=" + user, ""
	}
	return "", "https://shop.example/wechatpay/qr?o=" + number
}

// TestOnlinePaymentNoticeCarriesTheProviderLink: a WeChat Pay order placed
// in the web chat (pay-first) is told to scan the provider's QR picture,
// which the notice carries as its image, and not the shop's transfer
// instructions; the order waits for its money.
func TestOnlinePaymentNoticeCarriesTheProviderLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = append([]bot.PayMethod{bot.PayWeChat}, cfg.Pay.Methods...)
		cfg.Pay.Links = fakeLinks{}
		s := newShopWith(t, st, cfg)
		o := s.orderPaying("u1", "wechatpay")
		if o.PayMethod != bot.PayWeChat || !o.AwaitsPayment() || o.PayDue.IsZero() {
			t.Fatalf("placed: %s, awaits payment %v, due %v", o.PayMethod, o.AwaitsPayment(), o.PayDue)
		}
		n := s.lastNotice("u1")
		if n.ImageURL != "https://shop.example/wechatpay/qr?o="+o.Number || !strings.Contains(n.Text, "Scan the QR code") || strings.Contains(n.Text, "ICBC") {
			t.Fatalf("payment notice: image %q text %q", n.ImageURL, n.Text)
		}
		// The transfer customer still gets the shop's instructions and QR.
		s.orderPaying("u2", "transfer")
		if n := s.lastNotice("u2"); n.ImageURL != "https://shop.example/pay.png" || !strings.Contains(n.Text, "ICBC") {
			t.Fatalf("transfer notice: image %q text %q", n.ImageURL, n.Text)
		}
	})
}

// settler is a provider whose sweep settlement pays one order (its lost
// notification) and fails once for another.
type settler struct {
	fakeLinks
	paid    func(number string)
	failFor string
	calls   []string
	// observe, when set, sees each order as Settle is asked about it.
	observe func(number string)

	refunds   []bot.RefundRequest
	refundErr error
}

func (s *settler) Settle(_ context.Context, m bot.PayMethod, number string) error {
	s.calls = append(s.calls, string(m)+":"+number)
	if s.observe != nil {
		s.observe(number)
	}
	if number == s.failFor {
		s.failFor = ""
		return errors.New("provider down")
	}
	if s.paid != nil {
		s.paid(number)
		s.paid = nil
	}
	return nil
}

// TestSweepSettlesWithTheProviderBeforeCancelling: at the deadline the
// sweep asks the provider first; an order it reports paid is not
// cancelled, one it cannot settle waits for the next sweep.
func TestSweepSettlesWithTheProviderBeforeCancelling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = []bot.PayMethod{bot.PayWeChat, bot.PayCOD}
		set := &settler{}
		cfg.Pay.Links = set
		s := newShopWith(t, st, cfg)
		paid, later := s.orderPaying("u1", "wechatpay"), s.orderPaying("u2", "wechatpay")
		set.failFor = later.Number
		set.paid = func(number string) {
			err := st.InTx(ctx, func(tx bot.Repo) error {
				_, err := s.svc.ApplyPayment(ctx, tx, number, "wechatpay", paid.Total, "4200001")
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}
		s.clock.Add(25 * time.Hour)
		if n, err := s.svc.SweepPayments(ctx); err != nil || n != 0 {
			t.Fatalf("first sweep changed %d: %v (calls %v)", n, err, set.calls)
		}
		if o := s.orderByNumber(paid.Number); o.Status != bot.Pending || o.PaymentStatus != bot.Paid {
			t.Fatalf("order paid at the provider: %s %s", o.Status, o.PaymentStatus)
		}
		if o := s.orderByNumber(later.Number); o.Status != bot.Pending {
			t.Fatalf("order the provider could not settle: %s", o.Status)
		}
		s.clock.Add(time.Minute)
		if n, err := s.svc.SweepPayments(ctx); err != nil || n != 1 {
			t.Fatalf("second sweep changed %d: %v", n, err)
		}
		if o := s.orderByNumber(later.Number); o.Status != bot.Cancelled {
			t.Fatalf("unsettled order after the second sweep: %s", o.Status)
		}
		if len(set.calls) != 3 || set.calls[0] != "wechatpay:"+paid.Number {
			t.Fatalf("settle calls %v", set.calls)
		}
	})
}

// TestCancelledUnpaidOrderClosedAtTheProvider: an unpaid WeChat Pay order
// cancelled by the customer or rejected by staff is closed at the provider
// once the cancel is committed (the provider sees it cancelled), so it can
// no longer be paid there; an order paid already, or paid by transfer, is
// left alone.
func TestCancelledUnpaidOrderClosedAtTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = []bot.PayMethod{bot.PayWeChat, bot.PayTransfer}
		set := &settler{}
		cfg.Pay.Links = set
		s := newShopWith(t, st, cfg)
		seen := map[string]bot.OrderStatus{}
		set.observe = func(number string) {
			o, err := st.OrderByNumber(ctx, number)
			if err != nil {
				t.Error(err)
				return
			}
			seen[number] = o.Status
		}
		byCustomer, byStaff := s.orderPaying("u1", "wechatpay"), s.orderPaying("u2", "wechatpay")
		paid, transfer := s.orderPaying("u3", "wechatpay"), s.orderPaying("u4", "transfer")

		s.say("u1", "cancel "+byCustomer.Number)
		s.press("u1", "yes")
		if _, err := s.act("alice", fmt.Sprintf("order:%d", byStaff.ID), bot.ActReject, byStaff.Version, "out of stock"); err != nil {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx bot.Repo) error {
			_, err := s.svc.ApplyPayment(ctx, tx, paid.Number, "wechatpay", paid.Total, "4200001")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		s.say("u3", "cancel "+paid.Number)
		s.press("u3", "yes")
		s.say("u4", "cancel "+transfer.Number)
		s.press("u4", "yes")
		for _, o := range []*bot.Order{paid, transfer} {
			if got := s.orderByNumber(o.Number); got.Status != bot.Cancelled {
				t.Fatalf("order %s not cancelled: %s", o.Number, got.Status)
			}
		}
		want := []string{"wechatpay:" + byCustomer.Number, "wechatpay:" + byStaff.Number}
		if fmt.Sprint(set.calls) != fmt.Sprint(want) {
			t.Fatalf("closed at the provider: %v, want %v", set.calls, want)
		}
		if seen[byCustomer.Number] != bot.Cancelled || seen[byStaff.Number] != bot.Rejected {
			t.Fatalf("the provider was asked before the cancel was committed: %v", seen)
		}
	})
}

func (s *settler) Refund(_ context.Context, r bot.RefundRequest) error {
	s.refunds = append(s.refunds, r)
	return s.refundErr
}

// TestApprovedRefundGoesBackThroughTheProvider: approving a refund request
// on an order paid with WeChat Pay asks the provider, after the commit,
// for all that was paid; a failure is told to the approver.
func TestApprovedRefundGoesBackThroughTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = []bot.PayMethod{bot.PayWeChat, bot.PayCOD}
		set := &settler{}
		cfg.Pay.Links = set
		s := newShopWith(t, st, cfg)
		request := func(user string) (*bot.Order, *bot.AfterSales) { return s.paidRequest(st, user) }
		o, r := request("u1")
		if len(set.refunds) != 0 {
			t.Fatalf("refund before approval: %+v", set.refunds)
		}
		res, err := s.act("bob", fmt.Sprintf("after_sales:%d", r.ID), bot.ActApprove, r.Version)
		want := bot.RefundRequest{Method: bot.PayWeChat, OrderNumber: o.Number, RequestNumber: r.Number, Amount: o.Total, Total: o.Total}
		if err != nil || len(set.refunds) != 1 || set.refunds[0] != want || !strings.Contains(res.Note, "Refund of") {
			t.Fatalf("approve: %v, refunds %+v, note %q", err, set.refunds, res.Note)
		}
		set.refundErr = errors.New("NOT_ENOUGH")
		_, r2 := request("u2")
		res, err = s.act("bob", fmt.Sprintf("after_sales:%d", r2.ID), bot.ActApprove, r2.Version)
		if err != nil || len(set.refunds) != 2 || !strings.Contains(res.Note, "could not be requested") || strings.Contains(res.Note, "retried") {
			t.Fatalf("failed refund: %v, note %q", err, res.Note)
		}
		// A refund the provider's side keeps for a retry: the approver is
		// told so rather than to refund by hand.
		set.refundErr = fmt.Errorf("%w: SYSTEM_ERROR", bot.ErrRefundRetrying)
		_, r3 := request("u3")
		res, err = s.act("bob", fmt.Sprintf("after_sales:%d", r3.ID), bot.ActApprove, r3.Version)
		if err != nil || !strings.Contains(res.Note, "it will be retried") || strings.Contains(res.Note, "refund it in the payment provider") {
			t.Fatalf("refund kept for a retry: %v, note %q", err, res.Note)
		}
	})
}

// paidRequest places an order paid by WeChat Pay, has it approved and
// shipped, and files a refund request on it.
func (s *shop) paidRequest(st *store.Store, user string) (*bot.Order, *bot.AfterSales) {
	s.t.Helper()
	ctx := context.Background()
	o := s.orderPaying(user, "wechatpay")
	err := st.InTx(ctx, func(tx bot.Repo) error {
		_, err := s.svc.ApplyPayment(ctx, tx, o.Number, "wechatpay", o.Total, "42"+o.Number)
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	o = s.orderByNumber(o.Number)
	if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActApprove, o.Version); err != nil {
		s.t.Fatal(err)
	}
	o = s.orderByNumber(o.Number)
	if _, err := s.act("ann", fmt.Sprintf("order:%d", o.ID), bot.ActShip, o.Version, "SF", "SF1"); err != nil {
		s.t.Fatal(err)
	}
	s.say(user, "menu")
	s.press(user, "aftersales")
	s.press(user, "order:"+o.Number)
	s.press(user, "type:refund")
	s.say(user, "Not what I ordered.")
	s.press(user, "done")
	s.press(user, "submit")
	reqs, err := st.AfterSalesByOrder(ctx, o.ID)
	if err != nil || len(reqs) != 1 {
		s.t.Fatalf("after-sales %+v %v", reqs, err)
	}
	return o, reqs[0]
}

// refundRule is a shop's approval rule that approves every refund request
// at once.
type refundRule struct{}

func (refundRule) Standing(context.Context, bot.Repo, int64) (bot.Standing, error) {
	return bot.Standing{}, nil
}
func (refundRule) Standings(context.Context, bot.Repo, []int64) (map[int64]bot.Standing, error) {
	return nil, nil
}
func (refundRule) Recompute(context.Context, bot.Repo, int64, time.Time) error { return nil }
func (refundRule) ApprovingRule(_ context.Context, _ bot.Repo, it bot.Approvable) (string, error) {
	if it.Kind == string(bot.Refund) {
		return "refunds", nil
	}
	return "", nil
}

// TestRuleApprovedRefundGoesBackThroughTheProvider: a refund request an
// approval rule approves at once asks the provider for the money as a
// staff member's approval does, after the commit; a refusal nobody was
// there to see is raised to the staff channels.
func TestRuleApprovedRefundGoesBackThroughTheProvider(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = []bot.PayMethod{bot.PayWeChat, bot.PayCOD}
		cfg.Membership = refundRule{}
		set := &settler{}
		cfg.Pay.Links = set
		s := newShopWith(t, st, cfg)
		requestRefund := func(user string) *bot.Order {
			o, r := s.paidRequest(st, user)
			if r.Status != bot.Approved {
				t.Fatalf("request %s not approved by the rule: %s", r.Number, r.Status)
			}
			return o
		}
		o := requestRefund("u1")
		if len(set.refunds) != 1 || set.refunds[0].OrderNumber != o.Number || set.refunds[0].Amount != o.Total {
			t.Fatalf("refunds after a rule's approval: %+v", set.refunds)
		}

		set.refundErr = errors.New("NOT_ENOUGH")
		o2 := requestRefund("u2")
		staff, err := st.Feed(ctx, bot.WebChat, bot.StaffRecipient, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.refunds) != 2 || !strings.Contains(texts(staff), "NOT_ENOUGH") || !strings.Contains(texts(staff), "refund it in the payment provider") {
			t.Fatalf("refusal of %s not raised to staff: refunds %+v, staff %q", o2.Number, set.refunds, texts(staff))
		}
	})
}
