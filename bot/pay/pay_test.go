package pay_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestDiscountAndShipping(t *testing.T) {
	for _, tc := range []struct {
		c        pay.Coupon
		subtotal int64
		want     int64
	}{
		{pay.Coupon{PercentOff: 10}, 7650, 765},
		{pay.Coupon{PercentOff: 15}, 999, 149}, // rounded down
		{pay.Coupon{PercentOff: 100}, 5000, 5000},
		{pay.Coupon{AmountOff: 1000}, 7600, 1000},
		{pay.Coupon{AmountOff: 9000}, 7600, 7600}, // never below nothing
	} {
		if got := tc.c.Discount(tc.subtotal); got != tc.want {
			t.Errorf("%+v of %d = %d, want %d", tc.c, tc.subtotal, got, tc.want)
		}
	}
	rule := pay.Shipping{FlatFee: 1000, FreeAbove: 20000}
	if rule.Fee(19999) != 1000 || rule.Fee(20000) != 0 || (pay.Shipping{FlatFee: 500}).Fee(1<<40) != 500 {
		t.Fatal("shipping fee rule")
	}
}

// order places a pending order of ¥76 for a new customer.
func order(t *testing.T, st *store.Store, user string) *bot.Order {
	t.Helper()
	ctx := context.Background()
	c, err := st.LockCustomer(ctx, bot.WebChat, user)
	if err != nil {
		t.Fatal(err)
	}
	o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA", Name: "Green tea", UnitPrice: 3800, Qty: 2}}, bot.Contact{Name: "Li"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRecordPaymentOncePerTransaction: a provider's payment marks the
// order paid once; its repeat and a wrong amount change nothing.
func TestRecordPaymentOncePerTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		core := bot.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		o := order(t, st, "u1")
		p := pay.Payment{Provider: "wechatpay", TxnID: "4200001", Amount: 7600}

		wrong := p
		wrong.TxnID, wrong.Amount = "4200000", 7500
		if err := pay.RecordPayment(ctx, st, core, o.Number, wrong); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("wrong amount: %v", err)
		}
		if err := pay.RecordPayment(ctx, st, core, o.Number, p); err != nil {
			t.Fatal(err)
		}
		if err := pay.RecordPayment(ctx, st, core, o.Number, p); !errors.Is(err, pay.ErrAlreadyRecorded) {
			t.Fatalf("repeat: %v", err)
		}
		p.TxnID = "T-unknown-order"
		if err := pay.RecordPayment(ctx, st, core, "999999", p); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("payment for an unknown order: %v, want not found", err)
		}
		got, err := st.OrderByNumber(ctx, o.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.PaymentStatus != bot.Paid || got.Paid != 7600 || got.PaymentRef != "4200001" || got.Version != 2 {
			t.Fatalf("order after payment: %s %d %q v%d", got.PaymentStatus, got.Paid, got.PaymentRef, got.Version)
		}
		ms, err := st.Feed(ctx, bot.WebChat, "u1", 0, 10)
		if err != nil || len(ms) != 1 || ms[0].Notice == nil || ms[0].Notice.Amount != 7600 {
			t.Fatalf("customer told %d times: %v", len(ms), err)
		}
	})
}

// TestRecordRefundOncePerRefund: a provider's refund moves the order to
// partially_refunded and then refunded, once per refund id; more than is
// left is refused and changes nothing.
func TestRecordRefundOncePerRefund(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		core := bot.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		o := order(t, st, "u1")
		if err := pay.RecordPayment(ctx, st, core, o.Number, pay.Payment{Provider: "wechatpay", TxnID: "4200001", Amount: 7600}); err != nil {
			t.Fatal(err)
		}
		part := pay.Payment{Provider: "wechatpay", TxnID: "5000001", Amount: 3800}
		if err := pay.RecordRefund(ctx, st, core, o.Number, part); err != nil {
			t.Fatal(err)
		}
		if err := pay.RecordRefund(ctx, st, core, o.Number, part); !errors.Is(err, pay.ErrAlreadyRecorded) {
			t.Fatalf("repeat: %v", err)
		}
		over := pay.Payment{Provider: "wechatpay", TxnID: "5000002", Amount: 3801}
		if err := pay.RecordRefund(ctx, st, core, o.Number, over); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("refund above what is left: %v", err)
		}
		got, err := st.OrderByNumber(ctx, o.Number)
		if err != nil || got.PaymentStatus != bot.PartiallyRefunded || got.Refunded != 3800 {
			t.Fatalf("after a partial refund: %s %d %v", got.PaymentStatus, got.Refunded, err)
		}
		rest := pay.Payment{Provider: "wechatpay", TxnID: "5000003", Amount: 3800}
		if err := pay.RecordRefund(ctx, st, core, o.Number, rest); err != nil {
			t.Fatal(err)
		}
		if got, err = st.OrderByNumber(ctx, o.Number); err != nil || got.PaymentStatus != bot.Refunded || got.Refunded != 7600 {
			t.Fatalf("after the rest: %s %d %v", got.PaymentStatus, got.Refunded, err)
		}
		ms, err := st.Feed(ctx, bot.WebChat, "u1", 0, 10)
		if err != nil || len(ms) != 3 {
			t.Fatalf("customer told %d times (want paid + 2 refunds): %v", len(ms), err)
		}
	})
}
