package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
)

type tiersList struct{ Items []tierJSON }
type rulesList struct{ Items []ruleJSON }

func TestTiersAndRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		// Every staff role reads them.
		var ts tiersList
		e.do("GET", "/api/v1/tiers", e.agent, nil).ok(t, &ts)
		if fmt.Sprint(ts.Items) != fmt.Sprint(defaultTiersJSON()) {
			t.Fatalf("tiers = %+v", ts.Items)
		}
		var rs rulesList
		e.do("GET", "/api/v1/rules", e.agent, nil).ok(t, &rs)
		if rs.Items == nil || len(rs.Items) != 0 {
			t.Fatalf("rules = %#v, want []", rs.Items)
		}

		// An admin replaces them; the answer is the list as stored.
		ladder := append(defaultTiersJSON(), tierJSON{Name: "diamond", NameZH: "钻石", NameEN: "Diamond", MinSpend: 2000000, WindowDays: 365})
		e.do("PUT", "/api/v1/tiers", e.admin, act{"items": ladder}).ok(t, &ts)
		if fmt.Sprint(ts.Items) != fmt.Sprint(ladder) {
			t.Fatalf("PUT tiers = %+v", ts.Items)
		}
		rules := []ruleJSON{
			{Name: "gold-fast", Kind: "order", MinTier: "gold", MaxAmount: 200000},
			{Name: "silver-returns", Kind: "return", MinTier: "silver", MaxAmount: 10000},
		}
		e.do("PUT", "/api/v1/rules", e.admin, act{"items": rules}).ok(t, &rs)
		if fmt.Sprint(rs.Items) != fmt.Sprint(rules) {
			t.Fatalf("PUT rules = %+v", rs.Items)
		}
		e.do("GET", "/api/v1/rules", e.sync, nil).ok(t, &rs)
		if fmt.Sprint(rs.Items) != fmt.Sprint(rules) {
			t.Fatalf("GET rules = %+v", rs.Items)
		}
		for _, what := range []string{"tiers", "rules"} {
			audit, err := e.st.Audit(t.Context(), what, what)
			must(t, err)
			if len(audit) != 1 || audit[0].Actor != "ops-admin (api)" || audit[0].Action != "replace" {
				t.Fatalf("%s audit = %+v", what, audit)
			}
		}

		c := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		e.do("PATCH", fmt.Sprint("/api/v1/customers/", c.ID), e.sync, act{"pinned_tier": "diamond"}).ok(t, &customerJSON{})
		before := e.crmState(c.ID)
		withoutDiamond := act{"items": defaultTiersJSON()}
		bad := func(change func(ts []tierJSON)) act {
			ts := defaultTiersJSON()
			change(ts)
			return act{"items": ts}
		}
		for _, tc := range []struct {
			name, token, path string
			body              any
			status            int
			code, want        string
		}{
			{"agent tiers", e.agent, "/api/v1/tiers", act{"items": ladder}, 403, "forbidden", "admin"},
			{"approver tiers", e.sync, "/api/v1/tiers", act{"items": ladder}, 403, "forbidden", "admin"},
			{"agent rules", e.agent, "/api/v1/rules", act{"items": []ruleJSON{}}, 403, "forbidden", "admin"},
			{"approver rules", e.sync, "/api/v1/rules", act{"items": []ruleJSON{}}, 403, "forbidden", "admin"},
			{"negative threshold", e.admin, "/api/v1/tiers", bad(func(ts []tierJSON) { ts[1].MinSpend = -1 }), 422, "unprocessable", "negative"},
			{"first tier asks", e.admin, "/api/v1/tiers", bad(func(ts []tierJSON) { ts[0].MinOrders = 1 }), 422, "unprocessable", "first tier"},
			{"gold easier than silver", e.admin, "/api/v1/tiers", bad(func(ts []tierJSON) { ts[2].MinSpend = 100 }), 422, "unprocessable", "higher spend"},
			{"bad tier name", e.admin, "/api/v1/tiers", bad(func(ts []tierJSON) { ts[1].Name = "Silver!" }), 422, "unprocessable", "Silver!"},
			{"no window", e.admin, "/api/v1/tiers", bad(func(ts []tierJSON) { ts[1].WindowDays = 0 }), 422, "unprocessable", "window"},
			{"no tiers", e.admin, "/api/v1/tiers", act{"items": []tierJSON{}}, 422, "unprocessable", "1 to 10"},
			{"rules need a removed tier", e.admin, "/api/v1/tiers", act{"items": defaultTiersJSON()[:2]}, 422, "unprocessable", "gold"},
			{"a customer is pinned to a removed tier", e.admin, "/api/v1/tiers", withoutDiamond, 422, "unprocessable", "pinned"},
			{"rule for an unknown tier", e.admin, "/api/v1/rules", act{"items": []ruleJSON{{Name: "x", Kind: "order", MinTier: "platinum", MaxAmount: 1}}}, 422, "unprocessable", "platinum"},
			{"overlapping rules", e.admin, "/api/v1/rules", act{"items": append(rules, ruleJSON{Name: "gold-faster", Kind: "order", MinTier: "gold", MaxAmount: 1})}, 422, "unprocessable", "both approve"},
			{"unknown kind", e.admin, "/api/v1/rules", act{"items": []ruleJSON{{Name: "x", Kind: "gift", MinTier: "gold", MaxAmount: 1}}}, 422, "unprocessable", "gift"},
			{"no amount", e.admin, "/api/v1/rules", act{"items": []ruleJSON{{Name: "x", Kind: "order", MinTier: "gold"}}}, 422, "unprocessable", "amount"},
			{"tiers without items", e.admin, "/api/v1/tiers", act{}, 400, "invalid", "items"},
			{"rules without items", e.admin, "/api/v1/rules", act{}, 400, "invalid", "items"},
			{"rules items null", e.admin, "/api/v1/rules", `{"items":null}`, 400, "invalid", "items"},
			{"a bare list", e.admin, "/api/v1/rules", `[]`, 400, "invalid", "body"},
			{"unknown field in a tier", e.admin, "/api/v1/tiers", `{"items":[{"name":"regular","name_zh":"普通","name_en":"Regular","window_days":365,"colour":"red"}]}`, 400, "invalid", "colour"},
			{"unknown field", e.admin, "/api/v1/rules", act{"items": []ruleJSON{}, "dry_run": true}, 400, "invalid", "dry_run"},
			{"amount as text", e.admin, "/api/v1/rules", `{"items":[{"name":"x","kind":"order","min_tier":"gold","max_amount":"100"}]}`, 400, "invalid", "max_amount"},
			{"malformed", e.admin, "/api/v1/tiers", `{"items":[`, 400, "invalid", "body"},
			{"too large", e.admin, "/api/v1/tiers", `{"items":[` + strings.Repeat(" ", maxBody) + `]}`, 400, "invalid", "larger"},
			{"query parameter", e.admin, "/api/v1/tiers?dry=1", act{"items": ladder}, 400, "invalid", "dry"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.do("PUT", tc.path, tc.token, tc.body).fails(t, tc.status, tc.code, tc.want)
			})
		}
		for _, path := range []string{"/api/v1/tiers?x=1", "/api/v1/rules?x=1"} {
			e.do("GET", path, e.agent, nil).fails(t, 400, "invalid", "x")
		}
		e.do("DELETE", "/api/v1/rules", e.admin, nil).fails(t, 405, "invalid", "DELETE")
		if after := e.crmState(c.ID); after != before {
			t.Fatalf("a refused change changed something:\n%s\n%s", before, after)
		}

		// An empty list removes every rule.
		e.do("PUT", "/api/v1/rules", e.admin, act{"items": []ruleJSON{}}).ok(t, &rs)
		if len(rs.Items) != 0 {
			t.Fatalf("rules after [] = %+v", rs.Items)
		}
	})
}
