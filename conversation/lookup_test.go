package conversation

import (
	"slices"
	"testing"
)

func TestOrdersNamed(t *testing.T) {
	cases := []struct {
		order string
		in    Input
		want  []string
	}{
		{"", Input{Text: "menu"}, nil},
		{"", Input{Text: "order 100014"}, []string{"100014"}},
		{"", Input{Text: "取消订单 #100014"}, []string{"100014"}},
		{"", Input{Text: "after-sales 100014"}, []string{"100014"}},
		{"100003", Input{Text: "yes"}, []string{"100003"}},
		{"100003", Input{Text: "cancel 100014"}, []string{"100003", "100014"}},
		// A button's text is not typed: only its key counts.
		{"", Input{Text: "order 100014", Button: "yes"}, nil},
		{"", Input{Text: "orders"}, nil},
		{"", Input{Text: "查询订单100014"}, []string{"100014"}},
		{"", Input{Text: "I want a refund for 100014"}, []string{"100014"}},
		{"", Input{Text: "13800138000"}, nil},
		// Request numbers keep the shop's capital S, whatever was typed.
		{"", Input{Text: "订单 s100008"}, []string{"S100008"}},
		{"", Input{Text: "order S100008"}, []string{"S100008"}},
		{"", Input{Text: "查一下售后S100008的进度"}, []string{"S100008"}},
	}
	for _, c := range cases {
		if got := OrdersNamed(State{Order: c.order}, c.in); !slices.Equal(got, c.want) {
			t.Errorf("order %q, input %+v: %q, want %q", c.order, c.in, got, c.want)
		}
	}
}

// A closed after-sales request is looked up by its number: the customer
// sees its order with what was decided and staff's note.
func TestRequestLookedUpByNumber(t *testing.T) {
	for _, c := range []struct {
		lang  Lang
		typed string
		says  []string
	}{
		{Chinese, "订单 S100008", []string{"订单 100023", "退货申请 S100008：已处理完成", "商家留言：请寄回：上海市徐汇区"}},
		{English, "order s100008", []string{"Order 100023", "Return request S100008: resolved", "Note from the shop: 请寄回：上海市徐汇区"}},
		{Chinese, "查一下售后s100008", []string{"订单 100023", "S100008"}},
	} {
		ch := newChat(t, c.lang)
		orders := testOrders()
		orders[2].Requests = []RequestView{{Number: "S100008", Type: Return, Status: "resolved", Note: "请寄回：上海市徐汇区"}}
		ch.env.Orders = orders
		ch.text(c.typed)
		ch.wantStage(stageOrder)
		ch.wantSays(c.says...)
	}

	ch := newChat(t, Chinese)
	ch.text("订单 s100009")
	ch.wantSays("售后申请中没有找到 S100009")
	ch.wantNotSays("s100009")
}
