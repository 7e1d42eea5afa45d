package wechatpay

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// Two orderbots of one merchant (staging and production) both have an
// order 100070; the prefix keeps their payments and refunds apart.
func TestTradePrefixKeepsInstallationsApart(t *testing.T) {
	e := newEnv(t, byPublicKey, func(c *Config) { c.TradePrefix = "stg" })
	ctx := context.Background()
	e.addOrder("100070", 1500)
	if _, err := e.a.Native(ctx, Order{Number: "100070", Amount: 1500}); err != nil {
		t.Fatal(err)
	}
	if e.fake.Order("stg100070").Amount != 1500 {
		t.Fatal("WeChat's out_trade_no lacks the prefix")
	}
	res := e.fake.Pay("stg100070")
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Fatalf("notification: %d", w.Code)
	}
	paid, _, _ := e.pay.recorded()
	if len(paid) != 1 || paid[0].OrderNumber != "100070" {
		t.Fatalf("payments %+v, want order 100070", paid)
	}

	// The other installation's order of the same number is not this one's.
	other := map[string]any{}
	for k, v := range res {
		other[k] = v
	}
	other["out_trade_no"], other["transaction_id"] = "100070", "4200000000000000009999"
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", other, time.Now(), e.platform)); w.Code != http.StatusBadRequest {
		t.Errorf("another installation's payment: %d, want 400", w.Code)
	}

	r, err := e.a.Refund(ctx, RefundRequest{OrderNumber: "100070", RequestNumber: "S100001", Amount: 1500, Total: 1500})
	if err != nil || r.RefundNumber != "stg100070-S100001" || r.OrderNumber != "100070" || r.RequestNumber != "S100001" {
		t.Fatalf("refund %+v, %v", r, err)
	}
	notice := e.fake.FinishRefund(r.RefundNumber)
	if w := e.serve(e.fake.Notification("REFUND.SUCCESS", notice, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Fatalf("refund notification: %d", w.Code)
	}
	if _, refunds, _ := e.pay.recorded(); len(refunds) != 1 || refunds[0].OrderNumber != "100070" || refunds[0].RequestNumber != "S100001" {
		t.Errorf("refunds %+v", refunds)
	}
	if state, err := e.a.Reconcile(ctx, "100070"); err != nil || state != TradeRefund {
		t.Errorf("reconcile: %q, %v; want REFUND", state, err)
	}
}
