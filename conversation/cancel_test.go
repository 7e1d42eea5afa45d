package conversation

import "testing"

func TestCancelFlows(t *testing.T) {
	onlyShipped := func(c *chat) { c.env.Orders = c.env.Orders[2:3] }
	runFlows(t, []flow{
		{name: "pick, confirm, cancelled", steps: []say{
			{in: txt("cancel"), stage: stageCancelPick, has: []string{"Which order would you like to cancel?", "1. 100025", "2. 100024", "3. Main menu"}, hasNot: []string{"100023"}},
			{in: txt("1"), stage: stageCancelConfirm, has: []string{"Cancel order 100025 (CN¥76.00)?", "1. Yes, cancel it", "2. No, keep it"}, hasNot: []string{"approval"}},
			{in: txt("yes, cancel it"), intent: CancelOrder{Number: "100025"}},
		}},
		{name: "cancelled at once", steps: []say{
			{in: txt("cancel 100025"), stage: stageCancelConfirm},
			{in: btn(keyYes), out: outcome(Outcome{Number: "100025", Status: "cancelled"}), stage: stageMenu, has: []string{"Order 100025 has been cancelled."}},
		}},
		{name: "confirmed order needs approval", lang: Chinese, steps: []say{
			{in: txt("取消 100024"), stage: stageCancelConfirm, has: []string{"确定要取消订单 100024（¥76.00）吗？", "需要商家同意"}},
			{in: txt("1"), out: outcome(Outcome{Number: "100024", Status: "cancel_requested"}), stage: stageMenu, has: []string{"已将订单 100024 的取消申请提交给商家"}},
		}},
		{name: "keep the order", steps: []say{
			{in: txt("cancel order #100025"), stage: stageCancelConfirm},
			{in: txt("no, keep it"), stage: stageOrder, has: []string{"stays as it is", "Order 100025"}},
		}},
		{name: "from the order detail", steps: []say{
			{in: txt("order 100025")},
			{in: txt("cancel this order"), stage: stageCancelConfirm, check: wantOrder("100025")},
		}},
		{name: "shipped order cannot be cancelled", steps: []say{
			{in: txt("cancel 100023"), stage: stageOrder, has: []string{"already shipped, so it can no longer be cancelled", "Request after-sales"}},
			{in: txt("request after-sales"), stage: stageASType, check: wantOrder("100023")},
		}},
		{name: "closed order cannot be cancelled", steps: []say{
			{in: txt("cancel 100020"), stage: stageOrder, has: []string{"Order 100020 can't be cancelled (status: Declined by the shop)"}},
		}},
		{name: "unknown order", steps: []say{
			{in: txt("cancel 5"), stage: stageCancelPick, has: []string{"no order 5 among your orders", "Which order"}},
		}},
		{name: "nothing to cancel suggests after-sales", setup: onlyShipped, steps: []say{
			{in: txt("取消"), stage: stageCancelPick, has: []string{"None of your orders can be cancelled", "after-sales", "1. Returns & refunds", "2. Main menu"}},
			{in: txt("1"), stage: stageASPick, has: []string{"100023"}},
		}},
		{name: "not cancellable after all", steps: []say{
			{in: txt("cancel 100024")},
			{in: btn(keyYes), out: outcome(Outcome{Problem: NotCancellable}), stage: stageOrder, has: []string{"Order 100024 has already shipped", "after-sales"}},
		}},
		{name: "already pending", steps: []say{
			{in: txt("cancel 100024")},
			{in: btn(keyYes), out: outcome(Outcome{Problem: AlreadyPending}), stage: stageOrder, has: []string{"already waiting for the shop's decision"}},
		}},
		{name: "pending request shown before asking", setup: func(c *chat) {
			c.env.Orders[1].CancelRequested, c.env.Orders[1].CanCancel = true, false
		}, steps: []say{
			{in: txt("cancel 100024"), stage: stageOrder, has: []string{"A request to cancel order 100024 is already waiting"}},
		}},
		{name: "not found", steps: []say{
			{in: txt("cancel 100025")},
			{in: btn(keyYes), out: outcome(Outcome{Problem: NotFound}), stage: stageOrders, has: []string{"no order 100025"}},
		}},
		{name: "internal error", steps: []say{
			{in: txt("cancel 100025")},
			{in: btn(keyYes), out: outcome(Outcome{Problem: Internal}), stage: stageOrder, has: []string{"wasn't cancelled", "Cancel this order"}},
		}},
	})
}
