package conversation

import (
	"reflect"
	"testing"
)

// TestUnderstand covers every phrase family in both languages, as the
// reading of the text alone.
func TestUnderstand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want understood
	}{
		{"你好", understood{means: mGreeting}},
		{"在吗？", understood{means: mGreeting}},
		{"您好，在不在", understood{means: mGreeting}},
		{"hi", understood{means: mGreeting}},
		{"Hello there!", understood{means: mGreeting}},
		{"谢谢", understood{means: mThanks}},
		{"好的，多谢！", understood{means: mThanks}},
		{"Thank you so much", understood{means: mThanks}},
		{"thanks!", understood{means: mThanks}},
		{"客服", understood{means: mHuman}},
		{"我要找客服", understood{means: mHuman}},
		{"customer service please", understood{means: mHuman}},
		{"can I talk to an agent", understood{means: mHuman}},
		{"我要退货", understood{means: mAfterSales, as: Return}},
		{"退货退款", understood{means: mAfterSales, as: Return}},
		{"退款", understood{means: mAfterSales, as: Refund}},
		{"仅退款", understood{means: mAfterSales, as: Refund}},
		{"我想换货", understood{means: mAfterSales, as: Exchange}},
		{"壶坏了要维修", understood{means: mAfterSales, as: Repair}},
		{"我要投诉", understood{means: mAfterSales, as: Complaint}},
		{"I want a refund", understood{means: mAfterSales, as: Refund}},
		{"i'd like to return it", understood{means: mAfterSales, as: Return}},
		{"exchange please", understood{means: mAfterSales, as: Exchange}},
		{"I want to complain", understood{means: mAfterSales, as: Complaint}},
		{"退货 100023", understood{means: mAfterSales, as: Return, number: "100023"}},
		{"查物流", understood{means: mTrack}},
		{"查快递", understood{means: mTrack}},
		{"我的快递到哪了", understood{means: mTrack}},
		{"track my order", understood{means: mTrack}},
		{"where is my order 100023?", understood{means: mTrack, number: "100023"}},
		{"下单", understood{means: mBuy}},
		{"我要买茶", understood{means: mBuy}},
		{"I want to buy", understood{means: mBuy}},
		{"购物车", understood{means: mCart}},
		{"my cart", understood{means: mCart}},
		{"返回", understood{means: mBack}},
		{"back", understood{means: mBack}},
		{"查询订单100001", understood{means: mOrders, number: "100001"}},
		{"订单状态", understood{means: mOrders}},
		{"100023 到了吗", understood{means: mOrders, number: "100023"}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := understand(normalize(tc.in))
			if !ok || got != tc.want {
				t.Fatalf("understand(%q) = %+v, %v; want %+v", tc.in, got, ok, tc.want)
			}
		})
	}
}

// TestNotUnderstood keeps words inside other words, and numbers that are
// not order numbers, from being read as phrases.
func TestNotUnderstood(t *testing.T) {
	for _, in := range []string{
		"shopping list", "this", "history", "abc", "3", "12345", "backpack", "returned?x",
		"13800138000", "+85291234567", "shopping", "a returner",
	} {
		if got, ok := understand(normalize(in)); ok {
			t.Errorf("understand(%q) = %+v, want nothing", in, got)
		}
	}
}

func TestSearchProducts(t *testing.T) {
	skus := func(ps []Product) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.SKU)
		}
		return out
	}
	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"exact Chinese", "乌龙茶", []string{"TEA-OOLONG"}},
		{"partial Chinese", "乌龙", []string{"TEA-OOLONG"}},
		{"exact English", "oolong", []string{"TEA-OOLONG"}},
		{"partial English", "glass", []string{"CUP-GLASS"}},
		{"pinyin", "wulong", []string{"TEA-OOLONG"}},
		{"pinyin with spaces", "zi sha hu", []string{"POT-CLAY"}},
		{"initials", "zsh", []string{"POT-CLAY"}},
		{"ambiguous", "green", []string{"TEA-GREEN"}},
		{"many", "tea no", []string{"TEA-3", "TEA-4", "TEA-5", "TEA-6", "TEA-7"}},
		{"no match", "coffee", nil},
		{"too short", "ta", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := skus(searchProducts(IndexCatalog(testCatalog()), normalize(tc.q))); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("search %q = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

// TestFreeTextFlows drives whole turns: what the customer sees after free
// text, from stages where choices are expected.
func TestFreeTextFlows(t *testing.T) {
	runFlows(t, []flow{
		{name: "greeting keeps the place", lang: Chinese, steps: []say{
			{in: btn(keyBrowse), stage: stageCategories},
			{in: txt("你好"), stage: stageCategories, has: []string{"请问有什么可以帮您", "想看看哪一类商品"}},
			{in: txt("谢谢"), stage: stageCategories, has: []string{"不客气"}},
		}},
		{name: "customer service", steps: []say{
			{in: txt("customer service"), intent: RequestHuman{}},
		}},
		{name: "return with the kind chosen", lang: Chinese, steps: []say{
			{in: txt("我要退货"), stage: stageASReason, has: []string{"退货"}, check: func(t *testing.T, c *chat) {
				if c.s.Order != "100023" || c.s.AfterSales.Type != Return {
					t.Fatalf("order %q type %q", c.s.Order, c.s.AfterSales.Type)
				}
			}},
		}},
		{name: "refund of a named order", steps: []say{
			{in: txt("I want a refund for 100023"), stage: stageASReason, check: func(t *testing.T, c *chat) {
				if c.s.AfterSales.Type != Refund {
					t.Fatalf("type %q", c.s.AfterSales.Type)
				}
			}},
		}},
		{name: "tracking shows the latest order", lang: Chinese, steps: []say{
			{in: txt("查物流"), stage: stageOrder, check: func(t *testing.T, c *chat) {
				if c.s.Order != "100025" {
					t.Fatalf("order %q", c.s.Order)
				}
			}},
			{in: txt("查快递 100023"), stage: stageOrder, has: []string{"SF1234567890"}},
		}},
		{name: "order number in a sentence", lang: Chinese, steps: []say{
			{in: txt("查询订单100023"), stage: stageOrder, has: []string{"100023"}},
		}},
		{name: "buy and cart", steps: []say{
			{in: txt("I want to buy"), stage: stageCategories},
			{in: txt("my cart"), stage: stageCart},
		}},
		{name: "back typed", steps: []say{
			{in: btn(keyBrowse), stage: stageCategories},
			{in: btn("cat:Tea"), stage: stageProducts},
			{in: txt("back"), stage: stageCategories},
		}},
		{name: "product by name", lang: Chinese, steps: []say{
			{in: txt("乌龙"), stage: stageProduct, has: []string{"乌龙茶", "45.00"}},
			{in: txt("返回"), stage: stageProducts},
		}},
		{name: "product by pinyin", steps: []say{
			{in: txt("zishahu"), stage: stageProduct, has: []string{"Clay pot"}},
		}},
		{name: "ambiguous product offers a choice", steps: []say{
			{in: txt("tea no"), stage: stageSearch, has: []string{"Found 5 products", "Tea no. 3"}},
			{in: txt("2"), stage: stageProduct, has: []string{"Tea no. 4"}},
		}},
		{name: "no match still says so", steps: []say{
			{in: txt("coffee"), stage: stageMenu, has: []string{"didn't catch that"}},
		}},
		{name: "typed text at a text step is not interpreted", lang: Chinese, steps: []say{
			{in: txt("我要退货"), stage: stageASReason},
			{in: txt("壶盖坏了，想退货"), stage: stageASPhotos, check: func(t *testing.T, c *chat) {
				if c.s.AfterSales.Reason != "壶盖坏了，想退货" || c.s.AfterSales.Type != Return {
					t.Fatalf("draft %+v", c.s.AfterSales)
				}
			}},
		}},
	})
}
