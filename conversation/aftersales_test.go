package conversation

import (
	"reflect"
	"strings"
	"testing"
)

func TestAfterSalesFlows(t *testing.T) {
	runFlows(t, []flow{
		{name: "with photos", lang: Chinese, steps: []say{
			{in: txt("售后"), stage: stageASPick, has: []string{"请选择需要售后的订单", "1. 100023 · 2025-02-20 · 已发货 · ¥168.00", "2. 主菜单"}, hasNot: []string{"100025"}},
			{in: txt("100023"), stage: stageASType, has: []string{"订单 100023 需要哪种售后服务？", "1. 退货", "2. 退款", "3. 换货", "4. 维修", "5. 投诉", "6. 返回"}},
			{in: txt("换货"), stage: stageASReason, has: []string{"申请换货：请描述遇到的问题（不超过 500 字）"}},
			{in: Input{Media: []string{"img-1"}}, stage: stageASReason, has: []string{"请用文字描述"}},
			{in: txt("壶盖有裂纹"), stage: stageASPhotos, has: []string{"最多 9 张", "1. 跳过"}},
			{in: txt("好的"), stage: stageASPhotos, has: []string{"请发送照片"}},
			{in: Input{Media: []string{"img-1"}}, stage: stageASPhotos, has: []string{"已收到 1 张照片", "1. 完成"}},
			{in: Input{Media: []string{"img-2", "img-3"}}, stage: stageASPhotos, has: []string{"已收到 3 张照片"}},
			{in: txt("完成"), stage: stageASSummary, has: []string{"订单：100023", "类型：换货", "问题描述：壶盖有裂纹", "照片：3 张", "1. 提交申请"}},
			{in: txt("提交申请"), intent: FileAfterSales{Number: "100023", Type: Exchange, Reason: "壶盖有裂纹", Media: []string{"img-1", "img-2", "img-3"}}},
		}},
		{name: "skip photos and file", steps: []say{
			{in: txt("after-sales 100023"), stage: stageASType},
			{in: txt("2"), stage: stageASReason, has: []string{"Refund: please describe the problem"}},
			{in: txt("Arrived broken"), stage: stageASPhotos},
			{in: txt("skip"), stage: stageASSummary, has: []string{"Type: Refund", "Problem: Arrived broken", "Photos: 0"}},
			{in: btn(keySubmit), intent: FileAfterSales{Number: "100023", Type: Refund, Reason: "Arrived broken"},
				out: outcome(Outcome{Number: "AS-31"}), stage: stageMenu,
				has: []string{"We've received your after-sales request AS-31 for order 100023"},
				check: func(t *testing.T, c *chat) {
					if !reflect.DeepEqual(c.s.AfterSales, AfterSalesDraft{}) {
						t.Fatalf("draft kept: %+v", c.s.AfterSales)
					}
				}},
		}},
		{name: "from the menu and the order detail", steps: []say{
			{in: txt("4"), stage: stageASPick},
			{in: txt("main menu"), stage: stageMenu},
			{in: txt("order 100023")},
			{in: btn(keyRequestAS), stage: stageASType, check: wantOrder("100023")},
			{in: txt("back"), stage: stageASPick},
		}},
		{name: "too many photos", steps: []say{
			{in: txt("aftersales 100023")}, {in: txt("1")}, {in: txt("Wrong size")},
			{in: Input{Media: strings.Fields("a b c d e f g h i j k")}, stage: stageASPhotos, has: []string{"9 photos so far", "up to 9 photos; the rest were not added"}},
		}},
		{name: "reason too long", steps: []say{
			{in: txt("after sales 100023")}, {in: txt("5")},
			{in: txt(strings.Repeat("很", 501)), stage: stageASReason, has: []string{"too long", "500 characters"}},
			{in: txt(strings.Repeat("很", 500)), stage: stageASPhotos},
		}},
		{name: "discard", steps: []say{
			{in: txt("after-sales 100023")}, {in: txt("1")}, {in: txt("Too small")}, {in: txt("skip")},
			{in: txt("discard"), stage: stageMenu, has: []string{"discarded"}},
		}},
		{name: "no eligible orders", setup: func(c *chat) { c.env.Orders = c.env.Orders[:2] }, steps: []say{
			{in: txt("after-sales"), stage: stageASPick, has: []string{"Only orders", "shipped, been delivered or completed", "1. My orders", "2. Main menu"}},
		}},
		{name: "pending order not eligible", steps: []say{
			{in: txt("after-sales 100025"), stage: stageOrder, has: []string{"Order 100025 can't get after-sales service"}},
		}},
		{name: "open request", steps: []say{
			{in: txt("售后 100019"), stage: stageOrder, has: []string{"Order 100019 already has an after-sales request in progress", "R-7"}},
		}},
		{name: "already open reported", steps: []say{
			{in: txt("after-sales 100023")}, {in: txt("1")}, {in: txt("Too small")}, {in: txt("skip")},
			{in: btn(keySubmit), out: outcome(Outcome{Problem: AlreadyOpen}), stage: stageOrder, has: []string{"already has an after-sales request"}},
		}},
		{name: "not eligible reported", steps: []say{
			{in: txt("after-sales 100023")}, {in: txt("1")}, {in: txt("Too small")}, {in: txt("skip")},
			{in: btn(keySubmit), out: outcome(Outcome{Problem: NotEligible}), stage: stageOrder, has: []string{"can't get after-sales service"}},
		}},
		{name: "not found reported", steps: []say{
			{in: txt("after-sales 100023")}, {in: txt("1")}, {in: txt("Too small")}, {in: txt("skip")},
			{in: btn(keySubmit), out: outcome(Outcome{Problem: NotFound}), stage: stageOrders, has: []string{"no order 100023"}},
		}},
		{name: "internal error keeps the draft", steps: []say{
			{in: txt("after-sales 100023")}, {in: txt("1")}, {in: txt("Too small")}, {in: txt("skip")},
			{in: btn(keySubmit), out: outcome(Outcome{Problem: Internal}), stage: stageASSummary, has: []string{"wasn't sent", "Problem: Too small"}},
			{in: btn(keySubmit), intent: FileAfterSales{Number: "100023", Type: Return, Reason: "Too small"}},
		}},
		{name: "unknown order", steps: []say{
			{in: txt("after-sales 42"), stage: stageASPick, has: []string{"no order 42"}},
		}},
	})
}
