package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// TestMergeCustomers merges one person's two channel identities: the kept
// customer has both identities, both customers' orders, requests, tags and
// notes, a tier over all of them, and later messages of the merged identity
// land on it; the other customer is gone.
func TestMergeCustomers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		keep := e.customer(bot.Telegram, "1001", "Li Lei", "13800000001")
		other := e.customer(bot.WeChat, "oLi", "", "")
		var got customerJSON
		ko := e.order(keep, 1, t0)
		_, req := e.request(other, bot.Return)
		// Completed on the other channel: enough for Silver only together.
		for range 2 {
			o := e.order(other, 15, t0.Add(time.Hour))
			e.move(o, func(o *bot.Order) error { return o.Approve("ann (slack)", t0.Add(2*time.Hour)) })
			e.move(o, func(o *bot.Order) error { return o.Ship("ann (slack)", "SF", "SF2", t0.Add(3*time.Hour)) })
			e.move(o, func(o *bot.Order) error { return o.Deliver("ann (slack)", t0.Add(4*time.Hour)) })
			e.move(o, func(o *bot.Order) error { return o.Complete("ann (slack)", t0.Add(5*time.Hour)) })
		}
		e.do("PATCH", fmt.Sprint("/api/v1/customers/", keep.ID), e.agent, act{"tags": []string{"vip"}, "note": "Telegram first"}).ok(t, &got)
		e.do("PATCH", fmt.Sprint("/api/v1/customers/", other.ID), e.agent, act{"tags": []string{"VIP", "wholesale"}, "note": "Also on WeChat"}).ok(t, &got)
		path := fmt.Sprint("/api/v1/customers/", keep.ID, "/merge")
		before := e.crmState(keep.ID, other.ID)

		// Refused, changing nothing: an agent, itself, unknown ids, no id.
		e.do("POST", path, e.agent, act{"other_id": other.ID}).fails(t, http.StatusForbidden, "forbidden", "approver")
		e.do("POST", path, e.sync, act{"other_id": keep.ID}).fails(t, http.StatusUnprocessableEntity, "unprocessable", "itself")
		e.do("POST", path, e.sync, act{"other_id": other.ID + 1000}).fails(t, http.StatusNotFound, "not_found", "")
		e.do("POST", "/api/v1/customers/99999/merge", e.sync, act{"other_id": other.ID}).fails(t, http.StatusNotFound, "not_found", "")
		e.do("POST", path, e.sync, act{}).fails(t, http.StatusBadRequest, "invalid", "other_id")
		if after := e.crmState(keep.ID, other.ID); after != before {
			t.Fatalf("a refused merge changed something:\n%s\n%s", before, after)
		}

		e.do("POST", path, e.sync, act{"other_id": other.ID}).ok(t, &got)
		ids := fmt.Sprint(got.Identities)
		if ids != "[{telegram 1001} {wechat oLi}]" || got.OrderCount != 4 || strings.Join(got.Tags, ",") != "vip,wholesale" ||
			got.Note != "Telegram first\n\nAlso on WeChat" || got.Name != "Li Lei" || got.Tier != "silver" {
			t.Fatalf("merged customer: %+v", got)
		}
		e.do("GET", fmt.Sprint("/api/v1/customers/", other.ID), e.agent, nil).fails(t, http.StatusNotFound, "not_found", "")
		var list listJSON[customerJSON]
		e.do("GET", "/api/v1/customers?q=oLi", e.agent, nil).ok(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != keep.ID {
			t.Fatalf("search by the merged identity: %+v", list.Items)
		}
		if r, err := e.st.AfterSalesByNumber(ctx, req.Number); err != nil || r.CustomerID != keep.ID {
			t.Fatalf("request after merge: %+v, %v", r, err)
		}
		a, err := e.st.Audit(ctx, "customer", fmt.Sprint(other.ID))
		must(t, err)
		if last := a[len(a)-1]; last.Action != "merge" || last.Actor != "ops-sync (api)" || last.From != fmt.Sprint(other.ID) || last.To != fmt.Sprint(keep.ID) {
			t.Fatalf("audit: %+v", last)
		}

		// A retry is answered alike and changes nothing; merging the other
		// into a third customer is a conflict; the gone one cannot keep.
		e.do("POST", path, e.sync, act{"other_id": other.ID}).ok(t, &got)
		if a2, _ := e.st.Audit(ctx, "customer", fmt.Sprint(other.ID)); len(a2) != len(a) {
			t.Fatalf("a repeated merge was audited again: %d entries, was %d", len(a2), len(a))
		}
		third := e.customer(bot.WebChat, "w1", "", "")
		e.do("POST", fmt.Sprint("/api/v1/customers/", third.ID, "/merge"), e.sync, act{"other_id": other.ID}).fails(t, http.StatusConflict, "conflict", "already")
		e.do("POST", fmt.Sprint("/api/v1/customers/", other.ID, "/merge"), e.sync, act{"other_id": third.ID}).fails(t, http.StatusNotFound, "not_found", "")

		// The merged identity's next message is the kept customer's, and
		// its reply still goes to that identity.
		c, err := e.st.LockCustomer(ctx, bot.WeChat, "oLi")
		must(t, err)
		if c.ID != keep.ID || c.Channel != bot.WeChat || c.UserID != "oLi" || c.Phone != "13800000001" {
			t.Fatalf("merged identity locks as %+v", c)
		}
		c.Lang, c.Phone = "en", "13900000009"
		must(t, e.st.UpdateCustomer(ctx, c))
		k, err := e.st.Customer(ctx, keep.ID)
		must(t, err)
		if k.Phone != "13900000009" || k.Lang != "zh" || k.Channel != bot.Telegram {
			t.Fatalf("kept customer after the identity's update: %+v", k)
		}
		if o := e.order(c, 1, t0.Add(2*time.Hour)); o.CustomerID != keep.ID || ko.CustomerID != keep.ID {
			t.Fatalf("new order of the merged identity belongs to %d", o.CustomerID)
		}

		// Merged again into a third customer, every identity follows.
		e.do("POST", fmt.Sprint("/api/v1/customers/", third.ID, "/merge"), e.sync, act{"other_id": keep.ID}).ok(t, &got)
		if fmt.Sprint(got.Identities) != "[{webchat w1} {telegram 1001} {wechat oLi}]" || got.OrderCount != 5 {
			t.Fatalf("merged twice: %+v", got)
		}
		if c, _ := e.st.LockCustomer(ctx, bot.WeChat, "oLi"); c.ID != third.ID {
			t.Fatalf("oLi locks as customer %d", c.ID)
		}
	})
}
