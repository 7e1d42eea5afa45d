package conversation

import (
	"testing"
	"time"
)

func wantOrder(number string) func(*testing.T, *chat) {
	return func(t *testing.T, c *chat) {
		t.Helper()
		if c.s.Order != number {
			t.Fatalf("order = %q, want %q", c.s.Order, number)
		}
	}
}

func TestOrders(t *testing.T) {
	runFlows(t, []flow{
		{name: "recent orders", steps: []say{
			{in: txt("orders"), stage: stageOrders, has: []string{
				"1. 100025 · 2025-02-28 · Awaiting confirmation · CN¥76.00",
				"3. 100023 · 2025-02-20 · Shipped · CN¥168.00",
				"5. 100019 · 2025-02-09 · Delivered · CN¥38.00", "6. Main menu"}},
			{in: txt("3"), stage: stageOrder, check: wantOrder("100023")},
			{in: txt("back"), stage: stageOrders},
			{in: txt("100020"), stage: stageOrder, has: []string{"Declined by the shop", "Why the shop declined: Out of stock for the season"}},
		}},
		{name: "recent orders in Chinese", lang: Chinese, steps: []say{
			{in: txt("我的订单"), stage: stageOrders, has: []string{"100025 · 2025-02-28 · 待确认 · ¥76.00", "100020 · 2025-02-10 · 商家未接单", "已签收"}},
		}},
		{name: "order detail with tracking", steps: []say{
			{in: txt("order 100023"), stage: stageOrder, check: wantOrder("100023"), has: []string{
				"Order 100023", "Status: Shipped", "Clay pot  CN¥168.00 × 1 = CN¥168.00", "Total: CN¥168.00",
				"Shipped with SF Express, tracking number SF1234567890",
				"2025-02-20 09:00  Order placed", "2025-02-21 15:00  Shipped",
				"1. Request after-sales", "2. Back"}, hasNot: []string{"Cancel this order"}},
		}},
		{name: "order detail in Chinese", lang: Chinese, steps: []say{
			{in: txt("订单 100023"), stage: stageOrder, has: []string{"订单 100023", "状态：已发货", "紫砂壶", "物流：SF Express，运单号 SF1234567890", "2025-02-21 15:00  已发货", "申请售后"}},
			{in: txt("订单　１０００２５"), stage: stageOrder, has: []string{"状态：待确认", "1. 取消这笔订单"}, check: wantOrder("100025")},
			{in: txt("订单号：100019"), stage: stageOrder, has: []string{"售后申请 R-7 正在处理中"}},
		}},
		{name: "tolerant order numbers", steps: []say{
			{in: txt("order#100024"), stage: stageOrder, check: wantOrder("100024")},
			{in: txt("ORDER No. 100019"), stage: stageOrder, check: wantOrder("100019"), has: []string{"After-sales request R-7 is in progress"}},
			{in: txt("Order #100025"), stage: stageOrder, check: wantOrder("100025"), has: []string{"1. Cancel this order"}},
		}},
		{name: "cancel request pending", setup: func(c *chat) {
			c.env.Orders[1].CancelRequested = true
			c.env.Orders[1].CanCancel = false
		}, steps: []say{
			{in: txt("order 100024"), has: []string{"waiting for the shop's decision"}, hasNot: []string{"Cancel this order"}},
		}},
		{name: "times in the shop's zone", setup: func(c *chat) { c.env.Now = now().In(time.FixedZone("CST", 8*3600)) }, steps: []say{
			{in: txt("order 100023"), has: []string{"2025-02-20 17:00  Order placed", "2025-02-21 23:00  Shipped"}},
			{in: txt("orders"), has: []string{"100019 · 2025-02-09 · Delivered"}},
		}},
		{name: "unknown order", steps: []say{
			{in: txt("order 999999"), stage: stageOrders, has: []string{"There's no order 999999 among your orders", "100025"}},
		}},
		{name: "unknown order in Chinese", lang: Chinese, steps: []say{
			{in: txt("订单 123"), stage: stageOrders, has: []string{"在您的订单中没有找到 123"}},
		}},
		{name: "no orders yet", setup: func(c *chat) { c.env.Orders = nil }, steps: []say{
			{in: txt("orders"), stage: stageOrders, has: []string{"You haven't placed any orders yet", "1. Browse products"}},
			{in: txt("order 100023"), stage: stageOrders, has: []string{"no order 100023"}},
			{in: txt("1"), stage: stageCategories},
		}},
		{name: "at most ten orders listed", setup: func(c *chat) {
			for i := range 12 {
				c.env.Orders = append(c.env.Orders, OrderView{Number: "2000" + itoa(10+i), Status: "completed", CreatedAt: at(1, i)})
			}
		}, steps: []say{
			{in: txt("orders"), has: []string{"10. 200014"}, hasNot: []string{"200015"}, check: func(t *testing.T, c *chat) {
				if n := len(c.options()); n != maxListed+1 {
					t.Fatalf("%d options, want %d", n, maxListed+1)
				}
			}},
		}},
	})
}
