package conversation

import "testing"

func TestHumanFlows(t *testing.T) {
	runFlows(t, []flow{
		{name: "relay until menu", steps: []say{
			{in: txt("human"), intent: RequestHuman{}, out: outcome(Outcome{}), stage: stageHuman,
				has: []string{"A staff member will reply here soon", "type menu to go back"},
				check: func(t *testing.T, c *chat) {
					if len(c.options()) != 0 || !c.s.WithStaff() {
						t.Fatalf("options %v, with staff %v", c.options(), c.s.WithStaff())
					}
				}},
			{in: txt("Where is my parcel?"), intent: RelayToStaff{Text: "Where is my parcel?"}, out: outcome(Outcome{}), stage: stageHuman,
				has: []string{"Sent to our staff", "end chat"},
				check: func(t *testing.T, c *chat) {
					if len(c.options()) != 0 {
						t.Fatalf("acknowledgement offers options: %v", c.options())
					}
				}},
			{in: txt("1"), intent: RelayToStaff{Text: "1"}},
			{in: Input{Media: []string{"photo-9"}}, intent: RelayToStaff{Media: []string{"photo-9"}}, out: outcome(Outcome{}), stage: stageHuman},
			{in: btn(keyBrowse), stage: stageHuman, has: []string{"no longer active"}},
			// Words that work everywhere else are for staff here.
			{in: txt("help"), intent: RelayToStaff{Text: "help"}},
			{in: txt("order 100023"), intent: RelayToStaff{Text: "order 100023"}},
			{in: txt("cancel"), intent: RelayToStaff{Text: "cancel"}},
			{in: txt("my orders"), intent: RelayToStaff{Text: "my orders"}, out: outcome(Outcome{}), stage: stageHuman},
			{in: txt("menu"), stage: stageMenu, has: []string{"left the chat with our staff", "Browse products"}},
			{in: txt("hello"), stage: stageMenu, has: []string{"How can I help"}},
		}},
		{name: "from the menu in Chinese", lang: Chinese, steps: []say{
			{in: txt("人工客服"), intent: RequestHuman{}, out: outcome(Outcome{}), stage: stageHuman, has: []string{"已为您转接人工客服"}},
			{in: txt("你好"), intent: RelayToStaff{Text: "你好"}, out: outcome(Outcome{}), has: []string{"已转给客服"}},
			{in: txt("取消"), intent: RelayToStaff{Text: "取消"}, out: outcome(Outcome{}), stage: stageHuman},
			{in: txt("结束人工"), stage: stageMenu, has: []string{"您已结束与人工客服的对话", "浏览商品"}},
		}},
		{name: "menu option", steps: []say{
			{in: txt("talk to a human"), intent: RequestHuman{}},
		}},
		{name: "staff closed the chat", steps: []say{
			{in: txt("human"), out: outcome(Outcome{}), stage: stageHuman},
			{in: txt("still there?"), out: outcome(Outcome{Problem: NotFound}), stage: stageMenu, has: []string{"ended this chat", "Browse products"}},
		}},
		{name: "relay failed", steps: []say{
			{in: txt("human"), out: outcome(Outcome{}), stage: stageHuman},
			{in: txt("hello"), out: outcome(Outcome{Problem: Internal}), stage: stageHuman, has: []string{"didn't get through"}},
		}},
		{name: "handoff failed", steps: []say{
			{in: txt("human"), out: outcome(Outcome{Problem: Internal}), stage: stageMenu, has: []string{"couldn't reach our staff"}},
		}},
	})
}
