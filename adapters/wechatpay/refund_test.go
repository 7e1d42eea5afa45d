package wechatpay

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestRefundFromAnAfterSalesRequestWithItsNotification(t *testing.T) {
	e := newEnv(t, byPublicKey)
	ctx := context.Background()
	res := e.paidOrder("100030", 8800)
	if w := e.serve(e.fake.Notification("TRANSACTION.SUCCESS", res, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Fatalf("payment notification: %d", w.Code)
	}
	req := RefundRequest{OrderNumber: "100030", RequestNumber: "S100007", Amount: 3000, Total: 8800, Reason: "退货：茶叶受潮"}
	r, err := e.a.Refund(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != RefundProcessing || r.RefundNumber != "100030-S100007" || r.RequestNumber != "S100007" ||
		r.OrderNumber != "100030" || r.Amount != 3000 || r.RefundID == "" {
		t.Fatalf("refund = %+v", r)
	}
	// The staff's approval is retried (a crash, a timeout): the same refund.
	again, err := e.a.Refund(ctx, req)
	if err != nil || again.RefundID != r.RefundID {
		t.Fatalf("retry: %+v, %v; want refund %s again", again, err, r.RefundID)
	}
	if n := e.fake.Calls("POST /v3/refund/domestic/refunds"); n != 2 {
		t.Errorf("%d refund calls, want 2", n)
	}
	if _, refunds, _ := e.pay.recorded(); len(refunds) != 0 {
		t.Fatalf("a processing refund was recorded as done: %+v", refunds)
	}

	notice := e.fake.FinishRefund(r.RefundNumber)
	for i := 0; i < 2; i++ { // WeChat repeats it, too
		if w := e.serve(e.fake.Notification("REFUND.SUCCESS", notice, time.Now(), e.platform)); w.Code != http.StatusNoContent {
			t.Fatalf("refund notification %d: %d %s", i, w.Code, w.Body)
		}
	}
	_, refunds, _ := e.pay.recorded()
	if len(refunds) != 1 {
		t.Fatalf("refunds recorded: %+v, want 1", refunds)
	}
	got := refunds[0]
	if got.Status != RefundSuccess || got.Amount != 3000 || got.RefundID != r.RefundID || got.OrderNumber != "100030" ||
		got.RequestNumber != "S100007" || got.TransactionID != res["transaction_id"] || got.At.IsZero() {
		t.Errorf("refund recorded %+v", got)
	}

	// A refund WeChat could not pay out (the card was closed) comes as
	// REFUND.ABNORMAL: recorded with its status, for staff to handle.
	second, err := e.a.Refund(ctx, RefundRequest{OrderNumber: "100030", RequestNumber: "S100009", Amount: 800, Total: 8800})
	if err != nil {
		t.Fatal(err)
	}
	abnormal := e.fake.FinishRefund(second.RefundNumber)
	abnormal["refund_status"] = RefundAbnormal
	delete(abnormal, "success_time")
	if w := e.serve(e.fake.Notification("REFUND.ABNORMAL", abnormal, time.Now(), e.platform)); w.Code != http.StatusNoContent {
		t.Fatalf("abnormal refund notification: %d", w.Code)
	}
	if _, refunds, _ = e.pay.recorded(); len(refunds) != 2 || refunds[1].Status != RefundAbnormal ||
		refunds[1].RequestNumber != "S100009" || refunds[1].At.IsZero() {
		t.Errorf("abnormal refund recorded as %+v", refunds[len(refunds)-1])
	}

	// More than was paid is WeChat's refusal, and nothing is recorded.
	_, err = e.a.Refund(ctx, RefundRequest{OrderNumber: "100030", RequestNumber: "S100008", Amount: 8000, Total: 8800})
	if !IsAPIError(err, "INVALID_REQUEST") {
		t.Errorf("over-refund: %v, want INVALID_REQUEST", err)
	}
}

func TestRefundBadInputIsRefusedBeforeWeChat(t *testing.T) {
	e := newEnv(t, byPublicKey)
	for name, req := range map[string]RefundRequest{
		"no request":        {OrderNumber: "100031", Amount: 100, Total: 100},
		"dash in request":   {OrderNumber: "100031", RequestNumber: "S-1", Amount: 100, Total: 100},
		"zero amount":       {OrderNumber: "100031", RequestNumber: "S1", Amount: 0, Total: 100},
		"more than total":   {OrderNumber: "100031", RequestNumber: "S1", Amount: 101, Total: 100},
		"negative amount":   {OrderNumber: "100031", RequestNumber: "S1", Amount: -5, Total: 100},
		"order with spaces": {OrderNumber: "1000 31", RequestNumber: "S1", Amount: 1, Total: 100},
	} {
		if _, err := e.a.Refund(context.Background(), req); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := e.fake.Calls("POST /v3/refund/domestic/refunds"); n != 0 {
		t.Errorf("bad refunds reached WeChat %d times", n)
	}
}

func TestReconcileRefundRecordsAFinishedRefund(t *testing.T) {
	e := newEnv(t, byPublicKey)
	ctx := context.Background()
	e.paidOrder("100032", 500)
	if _, err := e.a.Refund(ctx, RefundRequest{OrderNumber: "100032", RequestNumber: "S9", Amount: 500, Total: 500}); err != nil {
		t.Fatal(err)
	}
	r, err := e.a.ReconcileRefund(ctx, "100032", "S9")
	if err != nil || r.Status != RefundProcessing {
		t.Fatalf("before WeChat finishes: %+v, %v", r, err)
	}
	e.fake.FinishRefund("100032-S9") // its notification is lost
	if r, err = e.a.ReconcileRefund(ctx, "100032", "S9"); err != nil || r.Status != RefundSuccess {
		t.Fatalf("after: %+v, %v", r, err)
	}
	if _, refunds, _ := e.pay.recorded(); len(refunds) != 1 || refunds[0].Amount != 500 || refunds[0].RequestNumber != "S9" {
		t.Errorf("refunds recorded %+v", refunds)
	}
}

func TestReconcileRecordsAPaymentWhoseNotificationWasLost(t *testing.T) {
	e := newEnv(t, byPublicKey)
	ctx := context.Background()
	if state, err := e.a.Reconcile(ctx, "100040"); err != nil || state != TradeNotPay {
		t.Fatalf("order WeChat never saw: %q, %v; want NOTPAY", state, err)
	}
	e.addOrder("100040", 2600)
	if _, err := e.a.Native(ctx, Order{Number: "100040", Amount: 2600}); err != nil {
		t.Fatal(err)
	}
	if state, err := e.a.Reconcile(ctx, "100040"); err != nil || state != TradeNotPay {
		t.Fatalf("unpaid: %q, %v", state, err)
	}
	e.fake.Pay("100040") // and the notification never arrives
	for i := 0; i < 2; i++ {
		if state, err := e.a.Reconcile(ctx, "100040"); err != nil || state != TradeSuccess {
			t.Fatalf("paid: %q, %v", state, err)
		}
	}
	paid, _, _ := e.pay.recorded()
	if len(paid) != 1 || paid[0].Amount != 2600 || paid[0].OrderNumber != "100040" {
		t.Errorf("payments %+v, want one of 2600", paid)
	}
}

func TestCloseStopsAnUnpaidOrder(t *testing.T) {
	e := newEnv(t, byPublicKey)
	ctx := context.Background()
	if err := e.a.Close(ctx, "100050"); err != nil {
		t.Errorf("closing an order WeChat never saw: %v", err)
	}
	e.addOrder("100050", 700)
	if _, err := e.a.Native(ctx, Order{Number: "100050", Amount: 700}); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Close(ctx, "100050"); err != nil {
		t.Fatal(err)
	}
	if state, err := e.a.Reconcile(ctx, "100050"); err != nil || state != TradeClosed {
		t.Errorf("after close: %q, %v; want CLOSED", state, err)
	}
}

func TestPrepayAnswersAreVerified(t *testing.T) {
	e := newEnv(t, byPublicKey)
	// WeChat's answer signed by someone else is not believed.
	e.fake.SignWith(e.forger)
	if _, err := e.a.Native(context.Background(), Order{Number: "100060", Amount: 100}); err == nil {
		t.Fatal("an answer with a forged signature was accepted")
	}
}
