package conversation

import "testing"

// TestWording covers messages that used to contradict themselves or
// mislead (issue 10).
func TestWording(t *testing.T) {
	runFlows(t, []flow{
		{name: "quantity error repeats the prompt's limit", steps: []say{
			{in: btn(keyBrowse)}, {in: btn("cat:Tea")}, {in: btn("sku:TEA-OOLONG")},
			{in: btn(keyAdd), stage: stageQty, has: []string{"from 1 to 2"}},
			{in: txt("0"), stage: stageQty, has: []string{"whole number from 1 to 2"}, hasNot: []string{"99"}},
			{in: txt("500"), stage: stageQty, has: []string{"whole number from 1 to 2"}, hasNot: []string{"99"}},
			{in: txt("1"), stage: stageAdded, has: []string{"holds 1 item,"}},
		}},
		{name: "a name of digits is told it needs letters", setup: newcomer(), steps: []say{
			{in: btn(keyBrowse)}, {in: btn("cat:Tea")}, {in: btn("sku:TEA-GREEN")}, {in: btn(keyAdd)}, {in: txt("1")},
			{in: btn(keyCheckout), stage: stageName},
			{in: txt("12345"), stage: stageName, has: []string{"needs letters, not just numbers"}},
		}},
		{name: "cancelling a confirmed order is a request", steps: []say{
			{in: txt("cancel 100024"), stage: stageCancelConfirm, has: []string{"Yes, ask the shop to cancel"}, hasNot: []string{"Yes, cancel it"}},
		}},
		{name: "cancelling a pending order is immediate", steps: []say{
			{in: txt("cancel 100025"), stage: stageCancelConfirm, has: []string{"Yes, cancel it"}},
		}},
		{name: "Chinese history reads as events", lang: Chinese, steps: []say{
			{in: txt("订单 100023"), has: []string{"下单成功", "商家已确认", "已发货"}},
		}},
	})
}

func TestAfterSalesWithOnlyAnOpenRequest(t *testing.T) {
	runFlows(t, []flow{
		{name: "an order with a request in progress is named", lang: Chinese, setup: func(c *chat) {
			var keep []OrderView
			for _, o := range c.env.Orders {
				if !o.CanAfterSales {
					keep = append(keep, o)
				}
			}
			c.env.Orders = keep
		}, steps: []say{
			{in: txt("售后"), stage: stageASPick, has: []string{"订单 100019 已有一个正在处理的售后申请"}, hasNot: []string{"没有符合条件"}},
		}},
	})
}

// On a channel without buttons the menu asks for a number, not a tap.
func TestTextOnlyMenu(t *testing.T) {
	runFlows(t, []flow{
		{name: "wechat", lang: Chinese, setup: func(c *chat) { c.env.TextOnly = true }, steps: []say{
			{in: txt("菜单"), has: []string{"回复下面选项前的序号"}, hasNot: []string{"点选"}},
		}},
		{name: "buttons", lang: Chinese, steps: []say{
			{in: txt("菜单"), has: []string{"点选下方选项"}},
		}},
	})
}
