package api

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

func TestProducts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		var list struct{ Items []productJSON }
		e.do("GET", "/api/v1/products", e.agent, nil).ok(t, &list)
		if len(list.Items) != 1 || list.Items[0].SKU != "TEA-1" || list.Items[0].Price != 3800 {
			t.Fatalf("products = %+v", list.Items)
		}
		var p productJSON
		e.do("GET", "/api/v1/products/TEA-1", e.agent, nil).ok(t, &p)
		if p.Name != "Green tea" || p.NameZH != "绿茶" || p.Stock != 100 || !p.Active {
			t.Fatalf("TEA-1 = %+v", p)
		}
		e.do("GET", "/api/v1/products/NOPE", e.agent, nil).fails(t, 404, "not_found", "NOPE")
		e.do("GET", "/api/v1/products/%FF", e.agent, nil).fails(t, 404, "not_found", "")

		mug := act{"name": "Clay mug", "name_zh": "陶杯", "category": "Cups", "category_zh": "杯子",
			"description": "Hand-made", "description_zh": "手工制作", "price": 5600, "stock": 5}
		before := e.snapshot()
		for _, tc := range []struct {
			name, token, sku string
			body             any
			status           int
			code, want       string
		}{
			{"agent", e.agent, "MUG-1", mug, 403, "forbidden", "admin"},
			{"approver", e.sync, "MUG-1", mug, 403, "forbidden", "admin"},
			{"negative price", e.admin, "MUG-1", act{"name": "Mug", "price": -1, "stock": 1}, 422, "unprocessable", "price"},
			{"negative stock", e.admin, "MUG-1", act{"name": "Mug", "price": 1, "stock": -1}, 422, "unprocessable", "stock"},
			{"no name", e.admin, "MUG-1", act{"name": " ", "price": 1, "stock": 1}, 422, "unprocessable", "name"},
			{"missing stock", e.admin, "MUG-1", act{"name": "Mug", "price": 1}, 422, "unprocessable", "stock"},
			{"long sku", e.admin, strings.Repeat("S", 65), act{"name": "Mug", "price": 1, "stock": 1}, 422, "unprocessable", "sku"},
			{"other sku", e.admin, "MUG-1", act{"sku": "MUG-2", "name": "Mug", "price": 1, "stock": 1}, 422, "unprocessable", "sku"},
			{"long category", e.admin, "MUG-1", act{"name": "Mug", "price": 1, "stock": 1, "category": strings.Repeat("c", 101)}, 422, "unprocessable", "category"},
			{"huge price", e.admin, "MUG-1", act{"name": "Mug", "price": int64(1) << 50, "stock": 1}, 422, "unprocessable", "price"},
			{"sku not UTF-8", e.admin, "%FF", act{"name": "Mug", "price": 1, "stock": 1}, 422, "unprocessable", "printable"},
			{"sku with NUL", e.admin, "A%00B", act{"name": "Mug", "price": 1, "stock": 1}, 422, "unprocessable", "printable"},
			{"name with a newline", e.admin, "MUG-1", act{"name": "Mug\nBig", "price": 1, "stock": 1}, 422, "unprocessable", "printable"},
			{"price as decimal", e.admin, "MUG-1", `{"name":"Mug","price":56.5,"stock":1}`, 400, "invalid", "price"},
			{"unknown field", e.admin, "MUG-1", act{"name": "Mug", "price": 1, "stock": 1, "colour": "red"}, 400, "invalid", "colour"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.do("PUT", "/api/v1/products/"+tc.sku, tc.token, tc.body).fails(t, tc.status, tc.code, tc.want)
			})
		}
		if e.snapshot() != before {
			t.Fatal("a refused product change changed something")
		}

		e.do("PUT", "/api/v1/products/MUG-1", e.admin, mug).ok(t, &p)
		if p != (productJSON{SKU: "MUG-1", Name: "Clay mug", NameZH: "陶杯", Category: "Cups", CategoryZH: "杯子",
			Description: "Hand-made", DescriptionZH: "手工制作", Price: 5600, Stock: 5, Active: true}) {
			t.Fatalf("created = %+v", p)
		}
		e.do("PUT", "/api/v1/products/TEA-1", e.admin, act{"sku": "TEA-1", "name": "Green tea", "price": 4000, "stock": 7, "active": false}).ok(t, &p)
		if p.Price != 4000 || p.Stock != 7 || p.Active || p.NameZH != "" {
			t.Fatalf("replaced = %+v", p)
		}
		audit, err := e.st.Audit(t.Context(), "catalog", "")
		must(t, err)
		if len(audit) != 2 || audit[1].Actor != "ops-admin (api)" {
			t.Fatalf("catalog audit = %+v", audit)
		}
	})
}

func TestCustomers(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		wang := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		lee := e.customer(bot.Telegram, "4242", "Lee", "555")
		quiet, err := e.st.LockCustomer(t.Context(), bot.WebChat, "w-quiet")
		must(t, err)
		quiet.DisplayName = "Quiet Visitor"
		must(t, e.st.UpdateCustomer(t.Context(), quiet))
		e.order(wang, 1, t0)                   // 3800
		e.order(wang, 2, t0.Add(48*time.Hour)) // 7600
		late := e.order(wang, 5, t0.Add(96*time.Hour))
		e.move(late, func(o *bot.Order) error { return o.Reject("ann (slack)", "sold out", t0.Add(97*time.Hour)) })

		list := func(query string) string {
			t.Helper()
			var l listJSON[customerJSON]
			e.do("GET", "/api/v1/customers?"+query, e.agent, nil).ok(t, &l)
			var ids []string
			for _, c := range l.Items {
				ids = append(ids, fmt.Sprint(c.ID))
			}
			return strings.Join(ids, ",")
		}
		for _, tc := range []struct{ query, want string }{
			{"", fmt.Sprintf("%d,%d,%d", quiet.ID, lee.ID, wang.ID)},
			{"q=" + url.QueryEscape("王小明"), fmt.Sprint(wang.ID)},
			{"q=%E7%8E%8B", ""}, // 王: sealed names match whole
			{"q=quiet%20visitor", fmt.Sprint(quiet.ID)},
			{"q=Quiet", ""},
			{"q=13800000001", fmt.Sprint(wang.ID)},
			{"q=4242", fmt.Sprint(lee.ID)},
			{"q=oWang", fmt.Sprint(wang.ID)},
			{"q=owang", ""},
			{"limit=1", fmt.Sprint(quiet.ID)},
		} {
			if got := list(tc.query); got != tc.want {
				t.Errorf("customers?%s = [%s], want [%s]", tc.query, got, tc.want)
			}
		}
		var page listJSON[customerJSON]
		e.do("GET", "/api/v1/customers?limit=2", e.agent, nil).ok(t, &page)
		var rest listJSON[customerJSON]
		e.do("GET", "/api/v1/customers?limit=2&cursor="+page.NextCursor, e.agent, nil).ok(t, &rest)
		if len(page.Items) != 2 || len(rest.Items) != 1 || rest.Items[0].ID != wang.ID || rest.NextCursor != "" {
			t.Fatalf("pages: %+v then %+v", page, rest)
		}
		for _, q := range []string{"limit=201", "cursor=xyz", "tier=platinum", "tag=a,b", "q=" + strings.Repeat("q", 201)} {
			e.do("GET", "/api/v1/customers?"+q, e.agent, nil).fails(t, 400, "invalid", strings.Split(q, "=")[0])
		}

		var got customerJSON
		e.do("GET", fmt.Sprint("/api/v1/customers/", wang.ID), e.agent, nil).ok(t, &got)
		if got.Name != "王小明" || got.Phone != "13800000001" || got.Lang != "zh" ||
			len(got.Identities) != 1 || got.Identities[0] != (identityJSON{Channel: bot.WeChat, UserID: "oWang"}) ||
			got.OrderCount != 2 || got.TotalSpent != 11400 || got.AverageOrderValue != 5700 ||
			got.FirstOrderAt == nil || *got.FirstOrderAt != t0.Format(time.RFC3339) ||
			got.LastOrderAt == nil || *got.LastOrderAt != t0.Add(48*time.Hour).Format(time.RFC3339) ||
			got.Tier != "regular" || got.PinnedTier != "" || got.Note != "" || got.Tags == nil || len(got.Tags) != 0 || got.PromotionsConsent.Granted {
			t.Fatalf("customer = %+v", got)
		}
		e.do("GET", fmt.Sprint("/api/v1/customers/", quiet.ID), e.agent, nil).ok(t, &got)
		if got.Name != "Quiet Visitor" || got.OrderCount != 0 || got.FirstOrderAt != nil || got.AverageOrderValue != 0 {
			t.Fatalf("customer without orders = %+v", got)
		}
		for _, id := range []string{"999999", "abc", "-1", "0"} {
			e.do("GET", "/api/v1/customers/"+id, e.agent, nil).fails(t, 404, "not_found", "no customer")
		}
	})
}
