package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

type act map[string]any

func TestOrderActions(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		o := e.order(c, 1, t0)
		path := "/api/v1/orders/" + o.Number + "/actions"

		// An agent may not approve; nothing changes.
		before := e.snapshot()
		e.do("POST", path, e.agent, act{"action": "approve", "version": 1}).fails(t, 403, "forbidden", "approver")
		if e.snapshot() != before {
			t.Fatal("a refused approve changed something")
		}

		var got orderJSON
		e.do("POST", path, e.sync, act{"action": "approve", "version": 1}).ok(t, &got)
		last := got.History[len(got.History)-1]
		if got.Status != "confirmed" || got.Version != 2 || last.By != "ops-sync (api)" || last.Status != "confirmed" {
			t.Fatalf("after approve: %+v", got)
		}
		audit, err := e.st.Audit(t.Context(), "order", o.Number)
		must(t, err)
		if len(audit) != 1 || audit[0].Actor != "ops-sync (api)" || audit[0].To != "confirmed" {
			t.Fatalf("audit = %+v", audit)
		}

		// A second decision on the old version is told who decided and when.
		before = e.snapshot()
		msg := e.do("POST", path, e.admin, act{"action": "reject", "version": 1, "reason": "no stock"}).
			fails(t, 409, "conflict", "already approved by ops-sync (api) at ")
		if !strings.Contains(msg, last.At) {
			t.Fatalf("409 %q does not say when (%s)", msg, last.At)
		}
		// Shipping with the old version: the action applies, the version is stale.
		e.do("POST", path, e.agent, act{"action": "ship", "version": 1, "carrier": "SF", "tracking": "SF1"}).
			fails(t, 409, "conflict", "confirmed by ops-sync (api) at "+last.At)
		e.do("POST", path, e.agent, act{"action": "deliver", "version": 2}).fails(t, 409, "conflict", "cannot deliver")
		e.do("POST", path, e.agent, act{"action": "ship", "version": 2}).fails(t, 422, "unprocessable", "carrier")
		if e.snapshot() != before {
			t.Fatal("a refused action changed something")
		}

		e.do("POST", path, e.agent, act{"action": "ship", "version": 2, "carrier": "SF", "tracking": "SF1"}).ok(t, &got)
		e.do("POST", path, e.agent, act{"action": "deliver", "version": 3}).ok(t, &got)
		e.do("POST", path, e.agent, act{"action": "complete", "version": 4}).ok(t, &got)
		if got.Status != "completed" || got.Carrier != "SF" || got.Tracking != "SF1" || got.Version != 5 {
			t.Fatalf("after complete: %+v", got)
		}
		// The customer was told each step, through the outbox.
		n, err := e.st.Feed(t.Context(), bot.WeChat, "oWang", 0, 100)
		must(t, err)
		if len(n) != 4 {
			t.Fatalf("customer got %d notices, want 4", len(n))
		}
	})
}

func TestOrderRejectAndCancel(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.Telegram, "77", "Lee", "555")
		rejected := e.order(c, 1, t0)
		path := "/api/v1/orders/" + rejected.Number + "/actions"
		e.do("POST", path, e.sync, act{"action": "reject", "version": 1}).fails(t, 422, "unprocessable", "reason")
		var got orderJSON
		e.do("POST", path, e.sync, act{"action": "reject", "version": 1, "reason": "sold out"}).ok(t, &got)
		if got.Status != "rejected" {
			t.Fatalf("after reject: %+v", got)
		}

		o := e.order(c, 1, t0)
		e.move(o, func(o *bot.Order) error { return o.Approve("ann (slack)", t0) })
		_, err := o.CancelByCustomer(bot.CustomerActor(c), t0.Add(time.Minute))
		must(t, err)
		must(t, e.st.UpdateOrder(t.Context(), o))
		path = "/api/v1/orders/" + o.Number + "/actions"
		e.do("GET", "/api/v1/orders/"+o.Number, e.agent, nil).ok(t, &got)
		if !got.CancelRequested || got.Version != 3 {
			t.Fatalf("order with a cancel request: %+v", got)
		}
		e.do("POST", path, e.agent, act{"action": "approve_cancel", "version": 3}).fails(t, 403, "forbidden", "")
		e.do("POST", path, e.sync, act{"action": "approve_cancel", "version": 3}).ok(t, &got)
		if got.Status != "cancelled" || got.CancelRequested {
			t.Fatalf("after approve_cancel: %+v", got)
		}
		e.do("POST", path, e.sync, act{"action": "reject_cancel", "version": 4, "reason": "x"}).
			fails(t, 409, "conflict", "ops-sync (api)")
	})
}

func TestOrderActionBadInput(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		o := e.order(e.customer(bot.WebChat, "w1", "Lee", "555"), 1, t0)
		path := "/api/v1/orders/" + o.Number + "/actions"
		before := e.snapshot()
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			status int
			code   string
			want   string
		}{
			{"unknown order", "/api/v1/orders/999999/actions", act{"action": "approve", "version": 1}, 404, "not_found", "999999"},
			{"unknown action", path, act{"action": "destroy", "version": 1}, 400, "invalid", "action"},
			{"card action by another name", path, act{"action": "resolve", "version": 1}, 400, "invalid", "action"},
			{"no version", path, act{"action": "approve"}, 400, "invalid", "version"},
			{"version zero", path, act{"action": "approve", "version": 0}, 400, "invalid", "version"},
			{"version as text", path, `{"action":"approve","version":"1"}`, 400, "invalid", "version"},
			{"unknown field", path, act{"action": "approve", "version": 1, "force": true}, 400, "invalid", "force"},
			{"not JSON", path, "action=approve", 400, "invalid", "body"},
			{"empty body", path, "", 400, "invalid", "body"},
			{"two objects", path, `{"action":"approve","version":1}{}`, 400, "invalid", "body"},
			{"too large", path, `{"action":"approve","version":1,"reason":"` + strings.Repeat("x", 70<<10) + `"}`, 400, "invalid", "64 KiB"},
			{"reason too long", path, act{"action": "reject", "version": 1, "reason": strings.Repeat("长", 1001)}, 400, "invalid", "reason"},
			{"tracking too long", path, act{"action": "ship", "version": 1, "carrier": "SF", "tracking": strings.Repeat("1", 101)}, 400, "invalid", "tracking"},
			{"refund of an unpaid order", path, act{"action": "refund", "version": 1}, 409, "conflict", "unpaid"},
			{"negative refund", path, act{"action": "refund", "version": 1, "amount": -5}, 400, "invalid", "amount"},
			{"amount to mark paid", path, act{"action": "mark_paid", "version": 1, "amount": 100}, 400, "invalid", "amount"},
			{"reference too long", path, act{"action": "mark_paid", "version": 1, "reference": strings.Repeat("r", 101)}, 400, "invalid", "reference"},
			{"mark paid on a stale version", path, act{"action": "mark_paid", "version": 7}, 409, "conflict", "changed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.do("POST", tc.path, e.admin, tc.body).fails(t, tc.status, tc.code, tc.want)
			})
		}
		if e.snapshot() != before {
			t.Fatal("a refused action changed something")
		}
		if res := e.do("GET", path, e.admin, nil); res.status != http.StatusMethodNotAllowed {
			t.Fatalf("GET on actions: %d", res.status)
		}
	})
}

func TestAfterSales(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.WeChat, "oWang", "王小明", "138")
		o1, r1 := e.request(c, bot.Return)
		_, r2 := e.request(c, bot.Repair)
		list := func(query string) string {
			t.Helper()
			var l listJSON[afterSalesJSON]
			e.do("GET", "/api/v1/after-sales?"+query, e.agent, nil).ok(t, &l)
			var ns []string
			for _, a := range l.Items {
				ns = append(ns, a.Number)
			}
			return strings.Join(ns, ",")
		}
		for _, tc := range []struct{ query, want string }{
			{"", r2.Number + "," + r1.Number},
			{"q=" + r1.Number, r1.Number},
			{"q=" + o1.Number, r1.Number},
			{"type=repair", r2.Number},
			{"status=submitted&limit=1", r2.Number},
			{"status=approved", ""},
		} {
			if got := list(tc.query); got != tc.want {
				t.Errorf("after-sales?%s = [%s], want [%s]", tc.query, got, tc.want)
			}
		}
		for _, q := range []string{"status=open", "type=gift", "limit=500", "cursor=!", "order=1"} {
			e.do("GET", "/api/v1/after-sales?"+q, e.agent, nil).fails(t, 400, "invalid", strings.Split(q, "=")[0])
		}

		var got afterSalesJSON
		e.do("GET", "/api/v1/after-sales/"+r1.Number, e.agent, nil).ok(t, &got)
		if got.OrderNumber != o1.Number || got.Type != "return" || got.Status != "submitted" || got.Reason != "broken lid" ||
			got.Customer.Name != "王小明" || got.Version != 1 || len(got.History) != 1 {
			t.Fatalf("request = %+v", got)
		}
		e.do("GET", "/api/v1/after-sales/S999999", e.agent, nil).fails(t, 404, "not_found", "S999999")

		path := "/api/v1/after-sales/" + r1.Number + "/actions"
		before := e.snapshot()
		e.do("POST", path, e.agent, act{"action": "approve", "version": 1}).fails(t, 403, "forbidden", "")
		e.do("POST", path, e.sync, act{"action": "reject", "version": 1}).fails(t, 422, "unprocessable", "reason")
		e.do("POST", path, e.sync, act{"action": "ship", "version": 1}).fails(t, 400, "invalid", "action")
		e.do("POST", "/api/v1/after-sales/S999999/actions", e.sync, act{"action": "approve", "version": 1}).fails(t, 404, "not_found", "")
		if e.snapshot() != before {
			t.Fatal("a refused action changed something")
		}
		e.do("POST", path, e.sync, act{"action": "approve", "version": 1}).ok(t, &got)
		if got.Status != "approved" || got.History[1].By != "ops-sync (api)" {
			t.Fatalf("after approve: %+v", got)
		}
		e.do("POST", path, e.admin, act{"action": "reject", "version": 1, "reason": "late"}).
			fails(t, 409, "conflict", "already approved by ops-sync (api) at "+got.History[1].At)
		e.do("POST", path, e.agent, act{"action": "resolve", "version": 2}).ok(t, &got)
		if got.Status != "resolved" {
			t.Fatalf("after resolve: %+v", got)
		}
		e.do("POST", "/api/v1/after-sales/"+r2.Number+"/actions", e.sync, act{"action": "reject", "version": 1, "reason": "no warranty"}).ok(t, &got)
		audit, err := e.st.Audit(t.Context(), "after_sales", r1.Number)
		must(t, err)
		if len(audit) != 2 || audit[0].Actor != "ops-sync (api)" || audit[1].Actor != "ops-agent (api)" {
			t.Fatalf("audit = %+v", audit)
		}
	})
}

func TestTwoApproversAtOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		o := e.order(e.customer(bot.WebChat, "w1", "Lee", "555"), 1, t0)
		path := "/api/v1/orders/" + o.Number + "/actions"
		results := make(chan response, 2)
		errs := make(chan error, 2)
		for _, tok := range []string{e.sync, e.admin} {
			go func() {
				res, err := e.send("POST", path, tok, act{"action": "approve", "version": 1})
				results <- res
				errs <- err
			}()
		}
		a, b := <-results, <-results
		must(t, <-errs)
		must(t, <-errs)
		if a.status == http.StatusConflict {
			a, b = b, a
		}
		var won orderJSON
		a.ok(t, &won)
		winner := won.History[1].By
		b.fails(t, 409, "conflict", "already approved by "+winner)
		audit, err := e.st.Audit(t.Context(), "order", o.Number)
		must(t, err)
		if len(audit) != 1 || audit[0].Actor != winner {
			t.Fatalf("audit after two approvals at once: %+v", audit)
		}
	})
}
