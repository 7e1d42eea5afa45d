package conversation

import (
	"reflect"
	"testing"
	"time"
)

// stateAt is a sound conversation at stage st: everything the stage needs
// is there, so showing it does not move elsewhere.
func stateAt(st Stage, lang Lang) State {
	s := State{
		Lang: lang, Stage: st, LastActive: now().Add(-time.Minute),
		Cart:     []CartLine{{"TEA-GREEN", 2}},
		Category: "Tea", SKU: "TEA-GREEN", Pick: pickChange,
		Contact: testProfile(), Order: "100023",
		AfterSales: AfterSalesDraft{Type: Refund, Reason: "Broken lid"},
		Search:     "tea",
	}
	if st == stageCancelConfirm {
		s.Order = "100025"
	}
	return s
}

func TestStateAtShowsItsStage(t *testing.T) {
	for _, st := range allStages() {
		for _, lang := range []Lang{English, Chinese} {
			r := Step(testEnv(), stateAt(st, lang), Input{})
			checkStep(t, testEnv(), r)
			if r.State.Stage != st {
				t.Errorf("%s/%s: moved to %q", st, lang, r.State.Stage)
			}
		}
	}
}

func TestGlobalWordsFromEveryStage(t *testing.T) {
	stageIs := func(want Stage) func(*testing.T, State, Result) {
		return func(t *testing.T, _ State, r Result) {
			t.Helper()
			if r.Intent != nil || r.State.Stage != want {
				t.Fatalf("stage %q intent %#v, want stage %q", r.State.Stage, r.Intent, want)
			}
		}
	}
	stays := func(lang Lang) func(*testing.T, State, Result) {
		return func(t *testing.T, before State, r Result) {
			t.Helper()
			if r.State.Stage != before.Stage || r.State.Lang != lang {
				t.Fatalf("stage %q lang %q, want %q %q", r.State.Stage, r.State.Lang, before.Stage, lang)
			}
		}
	}
	words := []struct {
		forms []string
		want  func(*testing.T, State, Result)
	}{
		{[]string{"menu", "菜单", "MENU ", "/start", "end chat", "结束人工"}, stageIs(stageMenu)},
		{[]string{"help", "帮助", "Help"}, func(t *testing.T, before State, r Result) {
			t.Helper()
			stays(before.Lang)(t, before, r)
			if !contains(r.Replies[0].Text, "100023") {
				t.Fatalf("no help in %q", r.Replies[0].Text)
			}
		}},
		{[]string{"orders", "我的订单", "My Orders"}, stageIs(stageOrders)},
		{[]string{"order 100023", "订单 100023", "order#100023", "订单１０００２３"}, func(t *testing.T, before State, r Result) {
			t.Helper()
			stageIs(stageOrder)(t, before, r)
			if r.State.Order != "100023" {
				t.Fatalf("order %q", r.State.Order)
			}
		}},
		{[]string{"after-sales", "aftersales", "after sales", "售后", "After-Sales"}, stageIs(stageASPick)},
		{[]string{"cancel", "取消", "CANCEL"}, stageIs(stageCancelPick)},
		{[]string{"human", "人工"}, func(t *testing.T, _ State, r Result) {
			t.Helper()
			if !reflect.DeepEqual(r.Intent, RequestHuman{}) {
				t.Fatalf("intent %#v", r.Intent)
			}
		}},
		{[]string{"English", "english", "EN"}, stays(English)},
		{[]string{"中文", "chinese", "zh"}, stays(Chinese)},
	}
	for _, st := range allStages() {
		for _, lang := range []Lang{English, Chinese} {
			for _, w := range words {
				for _, form := range w.forms {
					t.Run(string(st)+"/"+string(lang)+"/"+form, func(t *testing.T) {
						before := stateAt(st, lang)
						r := Step(testEnv(), before, Input{Text: form})
						checkStep(t, testEnv(), r)
						if st == stageHuman && !leavesHandoff(form) {
							// With a person, only the words that leave the chat
							// leave it; the rest is for staff.
							if !reflect.DeepEqual(r.Intent, RelayToStaff{Text: form}) {
								t.Fatalf("intent %#v, want the text relayed to staff", r.Intent)
							}
							return
						}
						w.want(t, before, r)
						if !reflect.DeepEqual(r.State.Cart, before.Cart) {
							t.Fatalf("cart %v, want %v", r.State.Cart, before.Cart)
						}
					})
				}
			}
		}
	}
}

func TestParseGlobal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want global
		ok   bool
	}{
		{"menu", global{kind: gMenu}, true},
		{"  Menu!", global{kind: gMenu}, true},
		{"菜单。", global{kind: gMenu}, true},
		{"order 100023", global{gOrder, "100023"}, true},
		{"order#100023", global{gOrder, "100023"}, true},
		{"order no. 100023", global{gOrder, "100023"}, true},
		{"订单号：100023", global{gOrder, "100023"}, true},
		{"订单 A-77", global{gOrder, "a-77"}, true},
		{"cancel order 100023", global{gCancel, "100023"}, true},
		{"取消订单 100023", global{gCancel, "100023"}, true},
		{"售后 100023", global{gAfterSales, "100023"}, true},
		{"order", global{kind: gOrders}, true},
		{"orders 5", global{}, false},
		{"cancel this order", global{}, false},
		{"取消这笔订单", global{}, false},
		{"order tea", global{}, false},
		{"menus", global{}, false},
		{"human being", global{}, false},
		{"", global{}, false},
	} {
		got, ok := parseGlobal(normalize(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseGlobal(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	runFlows(t, []flow{
		{name: "re-shows the current options", steps: []say{
			{in: btn(keyBrowse)}, {in: txt("1")}, {in: txt("1"), stage: stageProduct, has: []string{"Price: CN¥38.00"}},
			{in: txt("中文"), stage: stageProduct, has: []string{"好的，已切换为中文。", "绿茶", "价格：¥38.00", "1. 加入购物车", "2. 返回"}, hasNot: []string{"Price"}},
			{in: txt("加入购物车"), stage: stageQty, has: []string{"请问绿茶要买几件"}},
			{in: txt("English"), stage: stageQty, has: []string{"OK, I'll speak English", "Green tea: how many"}},
		}},
		{name: "menu option toggles", steps: []say{
			{in: txt("7"), stage: stageMenu, has: []string{"已切换为中文", "7. English"}},
			{in: txt("english"), stage: stageMenu, has: []string{"7. 中文"}},
		}},
	})
}

func TestFirstContact(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		lang Lang
		has  string
		st   Stage
	}{
		{"no hint is English", Input{Text: "hi"}, English, "Hi, welcome!", stageMenu},
		{"Chinese hint", Input{Text: "你好", Lang: "zh-CN"}, Chinese, "您好，欢迎光临", stageMenu},
		{"odd hint", Input{Text: "hi", Lang: "zh-hans"}, Chinese, "1. 浏览商品", stageMenu},
		{"other language", Input{Text: "hola", Lang: "es"}, English, "1. Browse products", stageMenu},
		{"global word is carried out", Input{Text: "orders"}, English, "Your recent orders", stageOrders},
		{"language word", Input{Text: "中文"}, Chinese, "您好，欢迎光临", stageMenu},
		{"button from nowhere", Input{Button: "sku:TEA-GREEN"}, English, "Browse products", stageMenu},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Step(testEnv(), State{}, tc.in)
			checkStep(t, testEnv(), r)
			if r.State.Lang != tc.lang || r.State.Stage != tc.st || !contains(r.Replies[0].Text+r.Replies[0].Plain(), tc.has) {
				t.Fatalf("lang %q stage %q reply %q", r.State.Lang, r.State.Stage, r.Replies[0].Plain())
			}
		})
	}
}

func TestIdleRestart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		quiet time.Duration
		in    string
		stage Stage
		has   string
	}{
		{"after a day", 25 * time.Hour, "3", stageMenu, "Welcome back!"},
		{"global word still works", 25 * time.Hour, "orders", stageOrders, "Welcome back!"},
		{"not yet idle", 23 * time.Hour, "Li Si", stagePhone, "phone number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			s := stateAt(stageName, English)
			s.LastActive = now().Add(-tc.quiet)
			r := Step(env, s, txt(tc.in))
			checkStep(t, env, r)
			if r.State.Stage != tc.stage || !contains(r.Replies[0].Text, tc.has) {
				t.Fatalf("stage %q reply %q", r.State.Stage, r.Replies[0].Plain())
			}
			if !reflect.DeepEqual(r.State.Cart, s.Cart) {
				t.Fatalf("cart %v, want %v", r.State.Cart, s.Cart)
			}
		})
	}
}

func TestUnexpectedInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   Stage
		in   Input
		has  string
	}{
		{"old button", stageProduct, btn("sku:TEA-OOLONG"), "That button is no longer active"},
		{"button of another stage", stageMenu, btn(keyCheckout), "no longer active"},
		{"button wins over text", stageProduct, Input{Text: "menu", Button: "sku:TEA-OOLONG"}, "no longer active"},
		{"out of range number", stageMenu, txt("8"), "Please choose one of the options"},
		{"zero", stageCategories, txt("0"), "Please choose"},
		{"unknown text", stageCart, txt("what?"), "Please choose"},
		{"photo where none is asked", stageSummary, Input{Media: []string{"m"}}, "Please choose"},
		{"empty input", stageOrders, Input{}, "Please choose"},
		{"too long", stageMenu, txt(string(make([]rune, 501))), "too long"},
		{"too long in Chinese", stageName, txt(string([]rune(repeatRune('长', 501)))), "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := stateAt(tc.st, English)
			want := Step(testEnv(), before, Input{}).Replies[0].Options
			r := Step(testEnv(), before, tc.in)
			checkStep(t, testEnv(), r)
			if r.State.Stage != tc.st || !contains(r.Replies[0].Text, tc.has) {
				t.Fatalf("stage %q reply %q", r.State.Stage, r.Replies[0].Plain())
			}
			if !reflect.DeepEqual(r.Replies[0].Options, want) {
				t.Fatalf("options %v, want the current ones %v", r.Replies[0].Options, want)
			}
		})
	}
}

func repeatRune(r rune, n int) string {
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = r
	}
	return string(rs)
}

func TestChoosingByNumberLabelOrKey(t *testing.T) {
	for _, in := range []Input{txt("1"), txt("１"), txt(" browse PRODUCTS "), txt("1."), btn(keyBrowse)} {
		r := Step(testEnv(), stateAt(stageMenu, English), in)
		checkStep(t, testEnv(), r)
		if r.State.Stage != stageCategories {
			t.Errorf("%+v: stage %q", in, r.State.Stage)
		}
	}
	r := Step(testEnv(), stateAt(stageMenu, Chinese), txt("浏览商品"))
	if r.State.Stage != stageCategories {
		t.Errorf("Chinese label: stage %q", r.State.Stage)
	}
}

func leavesHandoff(form string) bool {
	g, _ := parseGlobal(normalize(form))
	return g.kind == gMenu || g.kind == gEndChat
}
