package webchat

import (
	"fmt"
	"net/http"
	"testing"
)

// TestConsoleMarkPaidAndRefund marks an order paid with a transfer
// reference and refunds part of it from its page; an agent sees neither
// button, and an amount that is not money changes nothing.
func TestConsoleMarkPaidAndRefund(t *testing.T) {
	eachEnv(t, Options{Location: shanghai, Lang: "en"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		token := e.login(c, "alice", alicePassword)
		o := e.placeOrder(e.customer(e.client()))
		path := "/staff/orders/" + o.Number
		contains(t, e.get(c, path), `data-action="mark_paid"`, "Unpaid · cash on delivery")
		bob := e.client()
		e.login(bob, "bob", bobPassword)
		lacks(t, e.get(bob, path), `data-action="mark_paid"`)

		act := func(body map[string]any) response {
			body["ref"] = fmt.Sprintf("order:%d", o.ID)
			return e.postJSON(c, "/staff/api/action", body, map[string]string{csrfHeader: token})
		}
		if res := act(map[string]any{"action": "mark_paid", "version": o.Version, "reference": " TX-9 "}); res.status != http.StatusOK {
			t.Fatalf("mark paid: %d %s", res.status, res.body)
		}
		page := e.get(c, path)
		contains(t, page, "Paid · cash on delivery · Reference TX-9", `data-action="refund"`)
		lacks(t, page, `data-action="mark_paid"`)
		lacks(t, e.get(bob, path), `data-action="refund"`)

		if res := act(map[string]any{"action": "refund", "version": o.Version + 1, "amount": "twelve"}); res.status != http.StatusBadRequest {
			t.Fatalf("refund of no amount: %d %s", res.status, res.body)
		}
		if res := act(map[string]any{"action": "refund", "version": o.Version + 1, "amount": "12.50"}); res.status != http.StatusOK {
			t.Fatalf("refund: %d %s", res.status, res.body)
		}
		contains(t, e.get(c, path), "Partly refunded · cash on delivery", "Refunded ¥12.50")
	})
}
