package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/adapters/wechatpay"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/refundretry"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestLoadWeChatPay(t *testing.T) {
	full := map[string]string{
		"ORDERBOT_WECHATPAY_MCH_ID": "1900000001", "ORDERBOT_WECHATPAY_MCH_SERIAL": "5157F09E",
		"ORDERBOT_WECHATPAY_PRIVATE_KEY_FILE": "/k/apiclient_key.pem", "ORDERBOT_WECHATPAY_API_V3_KEY": strings.Repeat("k", 32),
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_01", "ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE": "/k/pub_key.pem",
		"ORDERBOT_WECHAT_APP_ID": "wx123",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range full {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name, public string
		env          map[string]string
		err          string
	}{
		{"complete", "https://shop.example", full, ""},
		{"needs https", "http://shop.example", full, "ORDERBOT_PUBLIC_URL over https"},
		{"no serial", "https://shop.example", with("ORDERBOT_WECHATPAY_MCH_SERIAL", ""), "ORDERBOT_WECHATPAY_MCH_SERIAL"},
		{"short key", "https://shop.example", with("ORDERBOT_WECHATPAY_API_V3_KEY", "short"), "ORDERBOT_WECHATPAY_API_V3_KEY"},
		{"no app id", "https://shop.example", with("ORDERBOT_WECHAT_APP_ID", ""), "ORDERBOT_WECHATPAY_APP_ID"},
		{"key id without file", "https://shop.example", with("ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE", ""), "both ORDERBOT_WECHATPAY_PUBLIC_KEY_ID"},
		{"bad ttl", "https://shop.example", with("ORDERBOT_WECHATPAY_LINK_TTL", "soon"), "ORDERBOT_WECHATPAY_LINK_TTL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := loadWeChatPay(func(k string) string { return tc.env[k] }, tc.public)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || c.AppID != "wx123" || c.MchID != "1900000001" || c.PublicURL != "https://shop.example" {
				t.Fatalf("%+v %v", c, err)
			}
		})
	}
	if c, err := loadWeChatPay(func(string) string { return "" }, ""); c != nil || err != nil {
		t.Fatalf("unset: %v %v", c, err)
	}
	env := with("ORDERBOT_WECHAT_APP_ID", "")
	env["ORDERBOT_WECHATPAY_APP_ID"], env["ORDERBOT_PUBLIC_URL"], env["ORDERBOT_ENV_FILE"] = "wx123", "https://shop.example", "/nonexistent"
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.WeChatPay == nil || cfg.Pay.Methods[0] != bot.PayWeChat {
		t.Fatalf("configured: methods %v, %v", cfg.Pay.Methods, err)
	}
}

// wechatOrder places an unpaid WeChat Pay order of ¥76 due in an hour.
func wechatOrder(t *testing.T, st *store.Store, user string) *bot.Order {
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
	o.PayMethod, o.PayDue = bot.PayWeChat, time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := st.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestWeChatPayDomain: what the WeChat Pay adapter asks of the pay domain.
// An awaiting order is payable for its total; a payment is recorded once
// (a repeat is no error, a wrong amount or unknown order is rejected);
// refunds are recorded once each and move the order to refunded.
func TestWeChatPayDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		core := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		d := &wechatPayDomain{st: st, core: core, shop: "茶叶小铺", log: log}
		o := wechatOrder(t, st, "u1")

		got, err := d.Payable(ctx, o.Number)
		if err != nil || got.Amount != 7600 || got.Description != "茶叶小铺-订单"+o.Number || !got.PayBy.Equal(o.PayDue) {
			t.Fatalf("payable: %+v %v", got, err)
		}
		if _, err := d.Payable(ctx, "999999"); !errors.Is(err, wechatpay.ErrNotPayable) {
			t.Fatalf("unknown order payable: %v", err)
		}
		p := wechatpay.Payment{OrderNumber: o.Number, TransactionID: "4200001", Amount: 7600, PaidAt: time.Now()}
		wrong := p
		wrong.TransactionID, wrong.Amount = "4200002", 1
		if err := d.Paid(ctx, wrong); !errors.Is(err, wechatpay.ErrRejected) {
			t.Fatalf("wrong amount: %v", err)
		}
		unknown := p
		unknown.OrderNumber = "999999"
		if err := d.Paid(ctx, unknown); !errors.Is(err, wechatpay.ErrRejected) {
			t.Fatalf("unknown order: %v", err)
		}
		for range 2 {
			if err := d.Paid(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Payable(ctx, o.Number); !errors.Is(err, wechatpay.ErrNotPayable) {
			t.Fatalf("paid order payable: %v", err)
		}
		// Paid twice (QR and pay page): the second payment is kept for a
		// refund, once, and the order is unchanged.
		twice := p
		twice.TransactionID = "4200003"
		for range 2 {
			if err := d.Paid(ctx, twice); err != nil {
				t.Fatalf("second payment: %v", err)
			}
		}
		if err := st.InTx(ctx, func(tx bot.Repo) error {
			es, err := tx.(interface {
				Audit(context.Context, string, string) ([]bot.AuditEntry, error)
			}).Audit(ctx, "order", o.Number)
			extra := 0
			for _, e := range es {
				if e.Action == "order extra_payment" && strings.HasPrefix(e.Note, "4200003 ") {
					extra++
				}
			}
			if err == nil && extra != 1 {
				err = fmt.Errorf("%d extra payment entries in %+v", extra, es)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if n := staffTold(t, st, "4200003"); n != 1 {
			t.Fatalf("staff told %d times of the second payment", n)
		}
		r := wechatpay.Refund{OrderNumber: o.Number, RefundNumber: o.Number + "-S1", RefundID: "5030001", Amount: 7600, Status: wechatpay.RefundSuccess, At: time.Now()}
		if err := d.Refunded(ctx, wechatpay.Refund{OrderNumber: o.Number, RefundNumber: o.Number + "-S1", Status: wechatpay.RefundProcessing}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := d.Refunded(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		after, err := st.OrderByNumber(ctx, o.Number)
		if err != nil || after.PaymentStatus != bot.Refunded || after.Paid != 7600 || after.Refunded != 7600 || after.PaymentRef != "4200001" {
			t.Fatalf("after payment and refund: %s paid %d refunded %d %v", after.PaymentStatus, after.Paid, after.Refunded, err)
		}
	})
}

// staffTold counts the staff thread messages that mention text.
func staffTold(t *testing.T, st *store.Store, text string) int {
	t.Helper()
	ms, err := st.Feed(context.Background(), bot.WebChat, bot.StaffRecipient, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == bot.KindThread && strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// TestWeChatPayLateForCancelledOrder: WeChat money for an order cancelled
// meanwhile (its payment timed out) follows the one policy of every
// provider: recorded on the order once, however often WeChat repeats it,
// and raised to staff for a refund; the order stays cancelled.
func TestWeChatPayLateForCancelledOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		core := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		d := &wechatPayDomain{st: st, core: core, shop: "茶叶小铺", log: log}
		o := wechatOrder(t, st, "u1")
		if err := st.InTx(ctx, func(tx bot.Repo) error {
			late, err := tx.Order(ctx, o.ID)
			if err != nil {
				return err
			}
			if err := late.Expire("test", late.PayDue.Add(time.Second)); err != nil {
				return err
			}
			return tx.UpdateOrder(ctx, late)
		}); err != nil {
			t.Fatal(err)
		}
		p := wechatpay.Payment{OrderNumber: o.Number, TransactionID: "4200009", Amount: 7600, PaidAt: time.Now()}
		for range 2 {
			if err := d.Paid(ctx, p); err != nil {
				t.Fatalf("late payment: %v", err)
			}
		}
		got, err := st.OrderByNumber(ctx, o.Number)
		if err != nil || got.Status != bot.Cancelled || got.PaymentStatus != bot.Paid || got.Paid != 7600 || got.PaymentRef != "4200009" {
			t.Fatalf("after the late payment: %s %s paid %d %q %v", got.Status, got.PaymentStatus, got.Paid, got.PaymentRef, err)
		}
		if n := staffTold(t, st, "4200009"); n != 1 {
			t.Fatalf("staff told %d times of the late payment", n)
		}
	})
}

// TestWeChatRefundRetriedAfterRefusal: through the real adapter and the
// fake WeChat Pay, a refund WeChat refuses (SYSTEM_ERROR) when staff
// approve it is kept and asked for again by the sweep once due; WeChat
// then accepts it, and its notification records the refund on the order.
func TestWeChatRefundRetriedAfterRefusal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		env, fake := wechatPayShop(t, "sqlite")
		cfg, err := loadWeChatPay(func(k string) string { return env[k] }, env["ORDERBOT_PUBLIC_URL"])
		if err != nil {
			t.Fatal(err)
		}
		clk := &shiftClock{}
		cfg.Clock = clk.Now
		dom := &wechatPayDomain{st: st, shop: "茶叶小铺", log: log}
		a, err := wechatpay.New(dom, dom, log, *cfg)
		if err != nil {
			t.Fatal(err)
		}
		dom.core = bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		q, err := refundretry.New(st, wechatRefunder{a}, dom, log, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		links := wechatPayLinks{a: a, refunds: q}
		mux := http.NewServeMux()
		a.Register(mux)
		serve := func(r *http.Request) int {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, r)
			return w.Code
		}

		o := wechatOrder(t, st, "u1")
		qr := strings.TrimPrefix(a.QRURL(o.Number), env["ORDERBOT_PUBLIC_URL"])
		if code := serve(httptest.NewRequest(http.MethodGet, qr, nil)); code != http.StatusOK {
			t.Fatalf("QR: %d", code)
		}
		platform := e2eKeys()[1]
		if code := serve(fake.Notification("TRANSACTION.SUCCESS", fake.Pay(o.Number), clk.Now(), platform)); code/100 != 2 {
			t.Fatalf("payment notification: %d", code)
		}

		fake.RefuseRefunds(1, http.StatusInternalServerError, "SYSTEM_ERROR")
		rq := bot.RefundRequest{Method: bot.PayWeChat, OrderNumber: o.Number, RequestNumber: "S100001", Amount: 7600, Total: 7600}
		if err := links.Refund(ctx, rq); !errors.Is(err, bot.ErrRefundRetrying) {
			t.Fatalf("refused refund: %v", err)
		}
		if n := len(fake.Refunds(o.Number)); n != 0 {
			t.Fatalf("WeChat has %d refunds after refusing", n)
		}
		if n, err := q.Sweep(ctx); err != nil || n != 0 || fake.Calls("POST /v3/refund/domestic/refunds") != 1 {
			t.Fatalf("retried before due: %d, %v", n, err)
		}
		clk.advance(time.Minute)
		if n, err := q.Sweep(ctx); err != nil || n != 1 {
			t.Fatalf("retry: %d settled, %v", n, err)
		}
		refunds := fake.Refunds(o.Number)
		if len(refunds) != 1 || refunds[0].Amount != 7600 {
			t.Fatalf("WeChat's refunds after the retry: %+v", refunds)
		}
		if code := serve(fake.Notification("REFUND.SUCCESS", fake.FinishRefund(refunds[0].OutRefundNo), clk.Now(), platform)); code/100 != 2 {
			t.Fatalf("refund notification: %d", code)
		}
		got, err := st.OrderByNumber(ctx, o.Number)
		if err != nil || got.PaymentStatus != bot.Refunded || got.Refunded != 7600 {
			t.Fatalf("after the retried refund: %s refunded %d %v", got.PaymentStatus, got.Refunded, err)
		}
	})
}
