package api

import (
	"testing"

	"github.com/orderbot/orderbot/bot"
)

func TestOrderPaymentActions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		o := e.order(e.customer(bot.WebChat, "w1", "Lee", "555"), 2, t0)
		path := "/api/v1/orders/" + o.Number + "/actions"
		var got orderJSON
		e.do("GET", "/api/v1/orders/"+o.Number, e.agent, nil).ok(t, &got)
		if got.PaymentStatus != "unpaid" || got.Subtotal != 7600 || got.Total != 7600 || got.Discount != 0 || got.Shipping != 0 {
			t.Fatalf("new order: %+v", got)
		}
		before := e.snapshot()
		e.do("POST", path, e.agent, act{"action": "mark_paid", "version": 1}).fails(t, 403, "forbidden", "approver")
		if e.snapshot() != before {
			t.Fatal("a refused mark_paid changed something")
		}
		e.do("POST", path, e.sync, act{"action": "mark_paid", "version": 1, "reference": " BANK-42 "}).ok(t, &got)
		if got.PaymentStatus != "paid" || got.Version != 2 || got.History[len(got.History)-1].By != "ops-sync (api)" {
			t.Fatalf("after mark_paid: %+v", got)
		}
		e.do("POST", path, e.sync, act{"action": "mark_paid", "version": 2}).fails(t, 409, "conflict", "already paid by ops-sync (api)")
		e.do("POST", path, e.sync, act{"action": "refund", "version": 2, "amount": 7601}).fails(t, 422, "unprocessable", "76.00")
		e.do("POST", path, e.sync, act{"action": "refund", "version": 2, "amount": 600}).ok(t, &got)
		if got.PaymentStatus != "partially_refunded" || got.Version != 3 {
			t.Fatalf("after a partial refund: %+v", got)
		}
		e.do("POST", path, e.sync, act{"action": "refund", "version": 2}).fails(t, 409, "conflict", "changed")
		e.do("POST", path, e.sync, act{"action": "refund", "version": 3}).ok(t, &got)
		if got.PaymentStatus != "refunded" {
			t.Fatalf("after the full refund: %+v", got)
		}
		stored, err := e.st.OrderByNumber(t.Context(), o.Number)
		must(t, err)
		if stored.Paid != 7600 || stored.Refunded != 7600 || stored.PaymentRef != "BANK-42" {
			t.Fatalf("stored %+v", stored)
		}
	})
}
