package api

import (
	"testing"

	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func eachMoneyEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		m := pay.New(st, nil, nil, pay.Shipping{FlatFee: 800})
		fn(t, newEnvWith(t, st, Options{Currency: "CNY", Money: m}))
	})
}

func TestCoupons(t *testing.T) {
	eachMoneyEnv(t, func(t *testing.T, e *testEnv) {
		body := act{"code": "spring-10", "percent_off": 10, "min_spend": 5000, "tier": "gold",
			"starts_at": "2026-12-01T00:00:00+08:00", "max_uses": 100, "max_uses_per_customer": 1}
		e.do("POST", "/api/v1/coupons", e.agent, body).fails(t, 403, "forbidden", "approver")
		var got couponOut
		res := e.do("POST", "/api/v1/coupons", e.sync, body)
		res.status = map[int]int{201: 200}[res.status] // ok reads a 200
		res.ok(t, &got)
		if got.Code != "SPRING-10" || got.PercentOff != 10 || got.StartsAt != "2026-11-30T16:00:00Z" || got.CreatedBy != "ops-sync (api)" {
			t.Fatalf("created %+v", got)
		}
		for _, tc := range []struct {
			body act
			code int
			want string
		}{
			{body, 409, "SPRING-10 exists"},
			{act{"code": "X1", "percent_off": 10}, 422, "code"},
			{act{"code": "BOTH", "percent_off": 10, "amount_off": 100}, 422, "one of"},
			{act{"code": "NONE"}, 422, "one of"},
			{act{"code": "PCT", "percent_off": 101}, 422, "1-100"},
			{act{"code": "WHEN", "amount_off": 100, "ends_at": "tomorrow"}, 400, "ends_at"},
			{act{"code": "BACK", "amount_off": 100, "starts_at": "2026-12-02T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z"}, 422, "before"},
			{act{"code": "EXTRA", "amount_off": 100, "free": true}, 400, "free"},
		} {
			e.do("POST", "/api/v1/coupons", e.sync, tc.body).fails(t, tc.code, map[int]string{400: "invalid", 409: "conflict", 422: "unprocessable"}[tc.code], tc.want)
		}
		e.do("GET", "/api/v1/coupons", e.agent, nil).fails(t, 403, "forbidden", "approver")
		var l listJSON[couponOut]
		e.do("GET", "/api/v1/coupons", e.sync, nil).ok(t, &l)
		if len(l.Items) != 1 || // the refused ones added nothing
			l.Items[0].Code != "SPRING-10" || l.Items[0].Uses != 0 {
			t.Fatalf("list %+v", l)
		}
	})
}

func TestShippingRule(t *testing.T) {
	eachMoneyEnv(t, func(t *testing.T, e *testEnv) {
		var got shippingOut
		e.do("GET", "/api/v1/shipping", e.agent, nil).ok(t, &got)
		if got.FlatFee != 800 || got.FreeAbove != 0 {
			t.Fatalf("the environment's rule: %+v", got)
		}
		e.do("PUT", "/api/v1/shipping", e.sync, act{"flat_fee": 1000, "free_above": 9900}).fails(t, 403, "forbidden", "admin")
		e.do("PUT", "/api/v1/shipping", e.admin, act{"flat_fee": 1000}).fails(t, 400, "invalid", "free_above")
		e.do("PUT", "/api/v1/shipping", e.admin, act{"flat_fee": -1, "free_above": 0}).fails(t, 422, "unprocessable", "negative")
		e.do("PUT", "/api/v1/shipping", e.admin, act{"flat_fee": 1000, "free_above": 9900}).ok(t, &got)
		e.do("GET", "/api/v1/shipping", e.agent, nil).ok(t, &got)
		if got.FlatFee != 1000 || got.FreeAbove != 9900 || got.UpdatedBy != "ops-admin (api)" {
			t.Fatalf("saved rule: %+v", got)
		}
	})
}
