package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// numbers lists the order numbers of a page.
func numbers(items []orderJSON) string {
	var ns []string
	for _, o := range items {
		ns = append(ns, o.Number)
	}
	return strings.Join(ns, ",")
}

func TestSearchOrders(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		wang := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		wangli := e.customer(bot.Telegram, "77", "王丽", "13800000002")
		lee := e.customer(bot.WebChat, "w1", "Lee", "+1 555 0100")
		o1 := e.order(wang, 1, t0)
		o2 := e.order(wangli, 2, t0.Add(24*time.Hour))
		o3 := e.order(lee, 3, t0.Add(48*time.Hour))
		o4 := e.order(wang, 4, t0.Add(72*time.Hour))
		e.move(o2, func(o *bot.Order) error { return o.Approve("ann (slack)", t0.Add(25*time.Hour)) })
		get := func(query string) string {
			t.Helper()
			var l listJSON[orderJSON]
			e.do("GET", "/api/v1/orders?"+query, e.agent, nil).ok(t, &l)
			return numbers(l.Items)
		}
		for _, tc := range []struct{ query, want string }{
			{"", strings.Join([]string{o4.Number, o3.Number, o2.Number, o1.Number}, ",")},
			{"q=" + o3.Number, o3.Number},
			{"q=13800000001", o4.Number + "," + o1.Number},
			// Names are sealed at rest: they match whole, through a keyed
			// hash, with case and runs of spaces ignored.
			{"q=" + url.QueryEscape("王小明"), o4.Number + "," + o1.Number},
			{"q=" + url.QueryEscape("王"), ""},
			{"q=" + url.QueryEscape(" lee "), o3.Number},
			{"q=le", ""},
			{"q=1380000000", ""},
			{"q=%25", ""}, // no wildcards
			{"status=confirmed", o2.Number},
			{"channel=wechat", o4.Number + "," + o1.Number},
			{fmt.Sprintf("customer=%d", wang.ID), o4.Number + "," + o1.Number},
			{"from=2026-11-21&to=2026-11-22", o3.Number + "," + o2.Number},
			{"from=2026-11-21T10:00:00Z&to=2026-11-22T10:00:00%2B00:00", o2.Number},
			{"to=2026-11-20", o1.Number},
			{"q=" + url.QueryEscape("王小明") + "&status=pending&channel=wechat&from=2026-11-23", o4.Number},
			{"q=100000099", ""},
		} {
			if got := get(tc.query); got != tc.want {
				t.Errorf("orders?%s = [%s], want [%s]", tc.query, got, tc.want)
			}
		}

		// The order's JSON.
		var l listJSON[orderJSON]
		e.do("GET", "/api/v1/orders?q="+o2.Number, e.agent, nil).ok(t, &l)
		got := l.Items[0]
		created, err := time.Parse(time.RFC3339, got.CreatedAt)
		must(t, err)
		if got.Status != "confirmed" || got.PaymentStatus != "unpaid" || got.Channel != bot.Telegram ||
			got.Customer != (customerRef{ID: wangli.ID, Name: "王丽", Tier: "regular"}) || got.Subtotal != 7600 || got.Total != 7600 ||
			got.Discount != 0 || got.Shipping != 0 || got.Currency != "CNY" || got.Version != 2 ||
			got.Contact.Phone != "13800000002" || !created.Equal(t0.Add(24*time.Hour)) ||
			len(got.Items) != 1 || got.Items[0] != (itemJSON{SKU: "TEA-1", Name: "Green tea", Qty: 2, UnitPrice: 3800}) ||
			len(got.History) != 2 || got.History[1].Status != "confirmed" || got.History[1].By != "ann (slack)" ||
			got.History[0].By != "customer telegram:77" {
			t.Fatalf("order JSON = %+v", got)
		}
	})
}

func TestOrderPaging(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer(bot.WebChat, "w1", "Lee", "555")
		var want []string
		for i := range 5 {
			want = append([]string{e.order(c, 1, t0.Add(time.Duration(i)*time.Hour)).Number}, want...)
		}
		var seen []string
		cursor := ""
		for page := 0; ; page++ {
			var l listJSON[orderJSON]
			e.do("GET", "/api/v1/orders?limit=2&q=Lee&cursor="+cursor, e.agent, nil).ok(t, &l)
			if len(l.Items) > 2 {
				t.Fatalf("page of %d with limit=2", len(l.Items))
			}
			for _, o := range l.Items {
				seen = append(seen, o.Number)
			}
			if page == 0 {
				// A new order between pages neither shifts nor repeats anything.
				e.order(c, 1, t0.Add(time.Hour*24))
			}
			if l.NextCursor == "" {
				break
			}
			cursor = url.QueryEscape(l.NextCursor)
		}
		if strings.Join(seen, ",") != strings.Join(want, ",") {
			t.Fatalf("pages gave %v, want %v", seen, want)
		}
		var all listJSON[orderJSON]
		e.do("GET", "/api/v1/orders?limit=6", e.agent, nil).ok(t, &all)
		if len(all.Items) != 6 || all.NextCursor != "" {
			t.Fatalf("limit=6 over 6 orders: %d items, cursor %q", len(all.Items), all.NextCursor)
		}
		e.do("GET", "/api/v1/orders?limit=200", e.agent, nil).ok(t, &all)
	})
}

func TestOrderListBadParameters(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.order(e.customer(bot.WebChat, "w1", "Lee", "555"), 1, t0)
		before := e.snapshot()
		for _, tc := range []struct{ query, names string }{
			{"limit=0", "limit"},
			{"limit=201", "limit"},
			{"limit=ten", "limit"},
			{"limit=-1", "limit"},
			{"cursor=abc", "cursor"},
			{"cursor=" + encodeCursor(-5), "cursor"},
			{"from=2026-13-01", "from"},
			{"from=yesterday", "from"},
			{"to=2026-11-20T10:00:00", "to"},
			{"to=20261120", "to"},
			{"from=2026-11-22&to=2026-11-21", "from"},
			{"status=lost", "status"},
			{"channel=fax", "channel"},
			{"customer=abc", "customer"},
			{"customer=0", "customer"},
			{"q=" + strings.Repeat("x", 201), "q"},
			{"q=%FF", "q"},
			{"stauts=pending", "stauts"},
			{"status=pending&status=confirmed", "status"},
			{"q=%zz", "query"},
		} {
			res := e.do("GET", "/api/v1/orders?"+tc.query, e.admin, nil)
			res.fails(t, 400, "invalid", tc.names)
		}
		e.do("GET", "/api/v1/orders/100001?x=1", e.admin, nil).fails(t, 400, "invalid", "x")
		if e.snapshot() != before {
			t.Fatal("a refused request changed something")
		}
	})
}

func TestGetOrder(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		o := e.order(e.customer(bot.WebChat, "w1", "Lee", "555"), 2, t0)
		var got orderJSON
		e.do("GET", "/api/v1/orders/"+o.Number, e.agent, nil).ok(t, &got)
		if got.Number != o.Number || got.Status != "pending" || got.Version != 1 || len(got.History) != 1 {
			t.Fatalf("order = %+v", got)
		}
		for _, n := range []string{"999999", "abc", strings.Repeat("9", 40), url.PathEscape("1 OR 1=1"), "%FF", "%00"} {
			e.do("GET", "/api/v1/orders/"+n, e.agent, nil).fails(t, 404, "not_found", "no order")
		}
	})
}
