package conversation

import "testing"

func TestOrdersViewNamesTheCustomersTier(t *testing.T) {
	gold := func(c *chat) { c.env.Tier = Tier{NameZH: "金卡", NameEN: "Gold"} }
	runFlows(t, []flow{
		{name: "English", setup: gold, steps: []say{
			{in: txt("orders"), stage: stageOrders, has: []string{"You're a Gold member.", "Your recent orders"}},
		}},
		{name: "Chinese", lang: Chinese, setup: gold, steps: []say{
			{in: txt("我的订单"), stage: stageOrders, has: []string{"您是金卡会员。", "您最近的订单"}, hasNot: []string{"Gold"}},
		}},
		{name: "a shop without tiers says nothing of them", steps: []say{
			{in: txt("orders"), stage: stageOrders, hasNot: []string{"member"}},
		}},
	})
}
