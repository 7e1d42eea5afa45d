package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

// crmState is what a refused change of customers, tiers or rules must
// leave as it was: the customers as the API shows them, the tiers, the
// rules, and the audit trail of each.
func (e *testEnv) crmState(ids ...int64) string {
	e.t.Helper()
	ctx := context.Background()
	var parts []any
	for _, id := range ids {
		var c customerJSON
		e.do("GET", fmt.Sprint("/api/v1/customers/", id), e.admin, nil).ok(e.t, &c)
		a, err := e.st.Audit(ctx, "customer", fmt.Sprint(id))
		must(e.t, err)
		parts = append(parts, c, a)
	}
	for _, what := range []string{"tiers", "rules"} {
		var l struct{ Items []any }
		e.do("GET", "/api/v1/"+what, e.admin, nil).ok(e.t, &l)
		a, err := e.st.Audit(ctx, what, what)
		must(e.t, err)
		parts = append(parts, l.Items, a)
	}
	raw, err := json.Marshal(parts)
	must(e.t, err)
	return string(raw)
}

func (e *testEnv) getCustomer(id int64) customerJSON {
	e.t.Helper()
	var c customerJSON
	e.do("GET", fmt.Sprint("/api/v1/customers/", id), e.agent, nil).ok(e.t, &c)
	return c
}

func TestPatchCustomer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		path := fmt.Sprint("/api/v1/customers/", c.ID)

		// An agent sets tags and a note; the answer is the changed customer.
		var got customerJSON
		e.do("PATCH", path, e.agent, act{"tags": []string{" vip", "wholesale", "VIP", ""}, "note": " prefers SF "}).ok(t, &got)
		if strings.Join(got.Tags, ",") != "vip,wholesale" || got.Note != "prefers SF" || got.Tier != "regular" || got.PinnedTier != "" {
			t.Fatalf("after tags and note: %+v", got)
		}
		if again := e.getCustomer(c.ID); strings.Join(again.Tags, ",") != "vip,wholesale" || again.Note != "prefers SF" {
			t.Fatalf("GET after PATCH: %+v", again)
		}
		// An approver pins a tier, leaving tags and note alone; "" unpins.
		e.do("PATCH", path, e.sync, act{"pinned_tier": "gold"}).ok(t, &got)
		if got.Tier != "gold" || got.PinnedTier != "gold" || len(got.Tags) != 2 || got.Note != "prefers SF" {
			t.Fatalf("after pin: %+v", got)
		}
		e.do("PATCH", path, e.admin, act{"pinned_tier": "", "tags": []string{}}).ok(t, &got)
		if got.Tier != "regular" || got.PinnedTier != "" || got.Tags == nil || len(got.Tags) != 0 {
			t.Fatalf("after unpin and no tags: %+v", got)
		}
		audit, err := e.st.Audit(t.Context(), "customer", fmt.Sprint(c.ID))
		must(t, err)
		var trail []string
		for _, a := range audit {
			trail = append(trail, a.Action+" by "+a.Actor)
		}
		// Sorted: the tiers service dates the recomputed tier when the
		// unpin began, which can be a millisecond before the unpin's entry.
		slices.Sort(trail)
		want := "note by ops-agent (api),pin tier by ops-sync (api),tags by ops-admin (api),tags by ops-agent (api),tier by tiers,unpin tier by ops-admin (api)"
		if strings.Join(trail, ",") != want {
			t.Fatalf("audit = %s, want %s", strings.Join(trail, ","), want)
		}

		e.do("PATCH", path, e.agent, act{"tags": []string{"vip"}, "note": "kept"}).ok(t, &got)
		before := e.crmState(c.ID)
		long := strings.Repeat("长", 2001)
		for _, tc := range []struct {
			name, token, path string
			body              any
			status            int
			code, want        string
		}{
			{"agent pins", e.agent, path, act{"tags": []string{"x"}, "pinned_tier": "gold"}, 403, "forbidden", "approver"},
			{"unknown tier", e.sync, path, act{"pinned_tier": "platinum"}, 422, "unprocessable", "platinum"},
			// The pin is made before the tags and the note are refused: it is undone.
			{"pin then bad tag", e.sync, path, act{"pinned_tier": "gold", "tags": []string{"a,b"}}, 422, "unprocessable", "comma"},
			{"pin and tags then long note", e.sync, path, act{"pinned_tier": "gold", "tags": []string{"new"}, "note": long}, 422, "unprocessable", "2000"},
			{"long tag", e.agent, path, act{"tags": []string{strings.Repeat("t", 33)}}, 422, "unprocessable", "tag"},
			{"too many tags", e.agent, path, act{"tags": strings.Split("a b c d e f g h i j k l m n o p q r s t u", " ")}, 422, "unprocessable", "20"},
			{"unknown customer", e.agent, "/api/v1/customers/999999", act{"note": "x"}, 404, "not_found", "999999"},
			{"unknown customer, pin", e.sync, "/api/v1/customers/999999", act{"pinned_tier": "gold"}, 404, "not_found", "999999"},
			{"id not a number", e.agent, "/api/v1/customers/abc", act{"note": "x"}, 404, "not_found", "abc"},
			{"nothing to change", e.agent, path, act{}, 400, "invalid", "nothing to change"},
			{"only nulls", e.agent, path, `{"tags":null,"note":null}`, 400, "invalid", "nothing to change"},
			{"unknown field", e.agent, path, act{"note": "x", "vip": true}, 400, "invalid", "vip"},
			{"tags not a list", e.agent, path, act{"tags": "vip"}, 400, "invalid", "tags"},
			{"malformed", e.agent, path, `{"note":`, 400, "invalid", "body"},
			{"two objects", e.agent, path, `{"note":"a"}{"note":"b"}`, 400, "invalid", "one JSON object"},
			{"no body", e.agent, path, nil, 400, "invalid", "required"},
			{"query parameter", e.agent, path + "?force=1", act{"note": "x"}, 400, "invalid", "force"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.do("PATCH", tc.path, tc.token, tc.body).fails(t, tc.status, tc.code, tc.want)
			})
		}
		if after := e.crmState(c.ID); after != before {
			t.Fatalf("a refused PATCH changed something:\n%s\n%s", before, after)
		}
	})
}

func TestCustomerFilters(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		gold := e.customer(bot.WeChat, "oGold", "Gold Gao", "13800000001")
		vip := e.customer(bot.Telegram, "77", "Vip Wu", "13800000002")
		plain := e.customer(bot.WebChat, "w1", "Plain Li", "13800000003")
		unpinned := e.customer(bot.WebChat, "w2", "Was Gold", "13800000004")
		patch := func(c bot.Customer, body act) {
			t.Helper()
			e.do("PATCH", fmt.Sprint("/api/v1/customers/", c.ID), e.admin, body).ok(t, &customerJSON{})
		}
		patch(gold, act{"pinned_tier": "gold", "tags": []string{"vip"}})
		patch(vip, act{"tags": []string{"vip", "wholesale"}})
		// Pinned and unpinned again: a member row on the first tier.
		patch(unpinned, act{"pinned_tier": "gold"})
		patch(unpinned, act{"pinned_tier": ""})

		list := func(query string) (string, string) {
			t.Helper()
			var l listJSON[customerJSON]
			e.do("GET", "/api/v1/customers?"+query, e.agent, nil).ok(t, &l)
			var ids []string
			for _, c := range l.Items {
				ids = append(ids, fmt.Sprint(c.ID))
			}
			return strings.Join(ids, ","), l.NextCursor
		}
		ids := func(cs ...bot.Customer) string {
			var out []string
			for _, c := range cs {
				out = append(out, fmt.Sprint(c.ID))
			}
			return strings.Join(out, ",")
		}
		for _, tc := range []struct{ query, want string }{
			{"tier=gold", ids(gold)},
			{"tier=regular", ids(unpinned, plain, vip)},
			{"tier=silver", ""},
			{"tag=vip", ids(vip, gold)},
			{"tag=%20vip%20", ids(vip, gold)},
			{"tag=VIP", ""},
			{"tag=wholesale", ids(vip)},
			{"tag=vip&tier=gold", ids(gold)},
			{"tag=vip&tier=regular", ids(vip)},
			{"tag=vip&q=Gold%20Gao", ids(gold)},
			{"tag=wholesale&q=Gold%20Gao", ""},
			{"tier=regular&q=13800000004", ids(unpinned)},
		} {
			if got, _ := list(tc.query); got != tc.want {
				t.Errorf("customers?%s = [%s], want [%s]", tc.query, got, tc.want)
			}
		}
		// Pages of a filtered list.
		first, next := list("tier=regular&limit=2")
		second, last := list("tier=regular&limit=2&cursor=" + next)
		if first != ids(unpinned, plain) || next == "" || second != ids(vip) || last != "" {
			t.Fatalf("pages: [%s] %q then [%s] %q", first, next, second, last)
		}
		// A tier added later filters too. A customer computed into a tier
		// since removed holds the first tier until their next recompute.
		must(t, e.st.SaveCustomerTier(t.Context(), tier.Member{CustomerID: plain.ID, Tier: "silver", Spend: 100000}))
		if got, _ := list("tier=silver"); got != ids(plain) {
			t.Fatalf("tier=silver = [%s]", got)
		}
		d := defaultTiersJSON()
		ladder := []tierJSON{d[0], d[2], {Name: "diamond", NameZH: "钻石", NameEN: "Diamond", MinSpend: 5000000, WindowDays: 365}}
		e.do("PUT", "/api/v1/tiers", e.admin, act{"items": ladder}).ok(t, &struct{}{})
		if got, _ := list("tier=diamond"); got != "" {
			t.Fatalf("tier=diamond = [%s]", got)
		}
		if got, _ := list("tier=regular"); got != ids(unpinned, plain, vip) {
			t.Fatalf("tier=regular after silver went = [%s]", got)
		}
		if c := e.getCustomer(plain.ID); c.Tier != "regular" {
			t.Fatalf("customer of a removed tier = %+v", c)
		}
		for _, q := range []string{"tier=platinum", "tier=Gold", "tier=silver", "tag=a,b", "tag=" + strings.Repeat("t", 33), "tier=gold&tier=regular"} {
			e.do("GET", "/api/v1/customers?"+q, e.agent, nil).fails(t, 400, "invalid", strings.Split(q, "=")[0])
		}
	})
}

// defaultTiersJSON is the ladder a shop starts with.
func defaultTiersJSON() []tierJSON {
	return []tierJSON{
		{Name: "regular", NameZH: "普通", NameEN: "Regular", WindowDays: 365},
		{Name: "silver", NameZH: "银卡", NameEN: "Silver", MinSpend: 100000, MinOrders: 3, WindowDays: 365},
		{Name: "gold", NameZH: "金卡", NameEN: "Gold", MinSpend: 500000, MinOrders: 10, WindowDays: 365},
	}
}

func TestOrderNamesCustomerTier(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		o, a := e.request(c, bot.Return)
		other := e.customer(bot.Telegram, "77", "王丽", "13800000002")
		e.order(other, 1, t0)
		e.do("PATCH", fmt.Sprint("/api/v1/customers/", c.ID), e.sync, act{"pinned_tier": "silver"}).ok(t, &customerJSON{})

		var got orderJSON
		e.do("GET", "/api/v1/orders/"+o.Number, e.agent, nil).ok(t, &got)
		if got.Customer.Tier != "silver" {
			t.Fatalf("order's customer = %+v", got.Customer)
		}
		var l listJSON[orderJSON]
		e.do("GET", "/api/v1/orders", e.agent, nil).ok(t, &l)
		tiers := map[int64]string{}
		for _, o := range l.Items {
			tiers[o.Customer.ID] = o.Customer.Tier
		}
		if tiers[c.ID] != "silver" || tiers[other.ID] != "regular" {
			t.Fatalf("tiers in the order list = %v", tiers)
		}
		var as afterSalesJSON
		e.do("GET", "/api/v1/after-sales/"+a.Number, e.agent, nil).ok(t, &as)
		if as.Customer.Tier != "silver" {
			t.Fatalf("request's customer = %+v", as.Customer)
		}
	})
}
