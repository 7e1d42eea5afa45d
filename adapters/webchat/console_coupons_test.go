package webchat

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestConsoleCoupons lists, creates and disables coupons from the console;
// an agent has no coupon page, a refused form says why and adds nothing.
func TestConsoleCoupons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st, Options{Location: shanghai, Lang: "en", Coupons: pay.New(st, nil, nil, pay.Shipping{})})
		c := e.client()
		token := e.login(c, "alice", alicePassword)
		contains(t, e.get(c, "/staff/coupons"), "No coupons.", `href="/staff/coupons"`)
		bob := e.client()
		bobToken := e.login(bob, "bob", bobPassword)
		if res := e.get(bob, "/staff/coupons"); res.status != http.StatusNotFound {
			t.Fatalf("agent's coupon page: %d", res.status)
		}
		lacks(t, e.get(bob, "/staff/orders"), `href="/staff/coupons"`)

		form := url.Values{"csrf": {token}, "code": {"spring-10"}, "kind": {"percent"}, "value": {"10"},
			"min_spend": {"50.00"}, "ends": {"2026-12-31"}, "max_uses": {"100"}}
		if res := e.postForm(c, "/staff/coupons", form); res.status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		page := e.get(c, "/staff/coupons")
		contains(t, page, "SPRING-10", "10%", "¥50.00", "2027-01-01 00:00", "0 / 100", "Active")
		for _, bad := range []url.Values{
			{"csrf": {token}, "code": {"SPRING-10"}, "kind": {"amount"}, "value": {"5"}},
			{"csrf": {token}, "code": {"X"}, "kind": {"amount"}, "value": {"5"}},
			{"csrf": {token}, "code": {"FIVE"}, "kind": {"amount"}, "value": {"five"}},
		} {
			res := e.postForm(c, "/staff/coupons", bad)
			if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || len(loc) < len("/staff/coupons?problem=") {
				t.Fatalf("refused form: %d to %q", res.status, loc)
			}
		}
		if res := e.postForm(c, "/staff/coupons", url.Values{"code": {"NOCSRF"}, "kind": {"amount"}, "value": {"5"}}); res.status != http.StatusForbidden {
			t.Fatalf("form without CSRF: %d", res.status)
		}
		if res := e.postForm(bob, "/staff/coupons/SPRING-10/disable", url.Values{"csrf": {bobToken}}); res.status != http.StatusForbidden {
			t.Fatalf("agent disables: %d", res.status)
		}
		if res := e.postForm(c, "/staff/coupons/SPRING-10/disable", url.Values{"csrf": {token}}); res.status != http.StatusSeeOther {
			t.Fatalf("disable: %d %s", res.status, res.body)
		}
		page = e.get(c, "/staff/coupons")
		contains(t, page, "Disabled", "/staff/coupons/SPRING-10/enable")
		lacks(t, page, "FIVE", "NOCSRF")
	})
}
