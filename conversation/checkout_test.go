package conversation

import (
	"reflect"
	"testing"
)

func wantCart(want ...CartLine) func(*testing.T, *chat) {
	return func(t *testing.T, c *chat) {
		t.Helper()
		if len(want) == 0 && len(c.s.Cart) == 0 {
			return
		}
		if !reflect.DeepEqual(c.s.Cart, want) {
			t.Fatalf("cart = %v, want %v", c.s.Cart, want)
		}
	}
}

func wantContact(want Contact) func(*testing.T, *chat) {
	return func(t *testing.T, c *chat) {
		t.Helper()
		if c.s.Contact != want {
			t.Fatalf("contact draft = %+v, want %+v", c.s.Contact, want)
		}
	}
}

func withCart(lines ...CartLine) func(*chat) {
	return func(c *chat) { c.s.Cart = lines }
}

// newcomer is a customer with no details from an earlier order, who is
// asked for each one.
func newcomer(setups ...func(*chat)) func(*chat) {
	return func(c *chat) {
		c.env.Profile = Contact{}
		for _, s := range setups {
			s(c)
		}
	}
}

func TestCheckoutFlows(t *testing.T) {
	address := "北京市朝阳区建国路 88 号"
	typed := Contact{Name: "Li Si", Phone: "13800138000", Address: address}
	runFlows(t, []flow{
		{name: "browse to order with every validation", setup: newcomer(), steps: []say{
			{in: txt("1"), stage: stageCategories, has: []string{"1. Tea", "2. Teaware", "3. Back"}},
			{in: txt("tea"), stage: stageProducts, has: []string{"Tea (page 1 of 2)", "Green tea · CN¥38.00", "Next page"}, hasNot: []string{"Tea no. 6"}},
			{in: btn(keyNext), stage: stageProducts, has: []string{"page 2 of 2", "Tea no. 6 · CN¥60.00", "Tea no. 7", "Previous page"}, hasNot: []string{"Green tea", "Next page"}},
			{in: txt("previous page"), stage: stageProducts, has: []string{"page 1 of 2", "Green tea"}},
			{in: txt("  GREEN TEA "), stage: stageProduct, has: []string{"Green tea", "Spring harvest", "Price: CN¥38.00", "In stock: 10", "1. Add to cart", "2. Back"}},
			{in: txt("add to cart"), stage: stageQty, has: []string{"from 1 to 10"}},
			{in: txt("0"), stage: stageQty, has: []string{"whole number from 1 to 10"}},
			{in: txt("100"), stage: stageQty, has: []string{"whole number from 1 to 10"}},
			{in: txt("two"), stage: stageQty, has: []string{"whole number from 1 to 10"}},
			{in: txt("1.5"), stage: stageQty, has: []string{"whole number"}},
			{in: txt("11"), stage: stageQty, has: []string{"at most 10 more"}},
			{in: txt("3"), stage: stageAdded, has: []string{"Added 3 × Green tea", "3 items, CN¥114.00", "View cart", "Checkout"},
				check: wantCart(CartLine{"TEA-GREEN", 3})},
			{in: txt("checkout"), stage: stageName, has: []string{"recipient's name", "1. Back"}, hasNot: []string{"Use"}},
			{in: txt("Li Si"), stage: stagePhone, has: []string{"phone number"}},
			{in: txt("12345"), stage: stagePhone, has: []string{"too few or too many digits"}},
			{in: txt("23800138000"), stage: stagePhone, has: []string{"too few or too many digits"}},
			{in: txt("138OO138OOO"), stage: stagePhone, has: []string{"only have digits"}},
			{in: txt("+86 138-0013-8000"), stage: stageAddress, has: []string{"delivery address", "5 to 200 characters"}},
			{in: txt("上海"), stage: stageAddress, has: []string{"full delivery address (5 to 200 characters)"}},
			{in: txt(address), stage: stageSummary, check: wantContact(typed),
				has: []string{"Please check your order", "Green tea  CN¥38.00 × 3 = CN¥114.00", "Total: CN¥114.00", "Recipient: Li Si", "Phone: 13800138000", "Address: " + address, "Confirm order"}},
			{in: txt("1"), intent: PlaceOrder{Lines: []CartLine{{"TEA-GREEN", 3}}, Contact: typed}},
		}},
		{name: "placed order empties the cart", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100026"}), stage: stageMenu,
				has: []string{"Order 100026 has been placed", "awaiting confirmation", "Browse products"}, check: wantCart()},
			{in: txt("my cart"), stage: stageCart, has: []string{"Your cart is empty", "Browse products"}},
		}},
		{name: "returning customer orders in one tap", lang: Chinese, setup: withCart(CartLine{"POT-CLAY", 1}), steps: []say{
			{in: txt("购物车"), stage: stageCart},
			{in: txt("去结算"), stage: stageSummary, has: []string{"已为您填好上次的收货信息", "收货人：张三", "确认下单"}},
			{in: txt("确认下单"), intent: PlaceOrder{Lines: []CartLine{{"POT-CLAY", 1}}, Contact: testProfile()},
				out: outcome(Outcome{Number: "100025"}), stage: stageOrder, has: []string{"100025", "待确认"}, check: wantCart()},
		}},
		{name: "remembered profile offered and used", lang: Chinese, setup: withCart(CartLine{"POT-CLAY", 1}), steps: []say{
			{in: txt("购物车"), stage: stageCart, has: []string{"紫砂壶  ¥168.00 × 1 = ¥168.00", "合计：¥168.00"}},
			{in: txt("去结算"), stage: stageSummary},
			{in: txt("修改收货信息"), stage: stageName, has: []string{"请输入收货人姓名", "1. 使用 张三"}},
			{in: txt("1"), stage: stagePhone, has: []string{"已为您选择：使用 张三", "1. 使用 13800138000"}},
			{in: btn(keyUse), stage: stageAddress, has: []string{"使用 上海市浦东新区世纪大道 100 号", "5–200 个字"}},
			{in: txt("使用 上海市浦东新区世纪大道 100 号"), stage: stageSummary, has: []string{"收货人：张三", "确认下单"}},
			{in: txt("确认下单"), intent: PlaceOrder{Lines: []CartLine{{"POT-CLAY", 1}}, Contact: testProfile()}},
		}},
		{name: "shared contact fills the phone", setup: newcomer(withCart(CartLine{"POT-CLAY", 1})), steps: []say{
			{in: btn(keyCart), stage: stageCart},
			{in: btn(keyCheckout), stage: stageName},
			{in: txt("Wang Wu"), stage: stagePhone},
			{in: Input{Phone: "+86 139 0013 9000"}, stage: stageAddress,
				check: wantContact(Contact{Name: "Wang Wu", Phone: "13900139000"})},
		}},
		{name: "international phone and back", setup: newcomer(withCart(CartLine{"POT-CLAY", 1})), steps: []say{
			{in: btn(keyCart)}, {in: btn(keyCheckout)}, {in: txt("Chan Tai Man")},
			{in: txt("+852 9123 4567"), stage: stageAddress, check: wantContact(Contact{Name: "Chan Tai Man", Phone: "+85291234567"})},
			{in: txt("back"), stage: stagePhone, has: []string{"Use +85291234567"}},
			{in: txt("back"), stage: stageName, has: []string{"Use Chan Tai Man"}, hasNot: []string{"You chose"}},
			{in: txt("back"), stage: stageCart},
		}},
		{name: "edit contact from the summary", setup: atSummary(typed), steps: []say{
			{in: txt("edit contact details"), stage: stageName, has: []string{"Use Li Si"}},
			{in: txt("Zhao Liu"), stage: stagePhone},
			{in: btn(keyUse), stage: stageAddress},
			{in: btn(keyUse), stage: stageSummary, has: []string{"Recipient: Zhao Liu", "Phone: 13800138000"}},
		}},
		{name: "quantity limited by what is already in the cart", setup: withCart(CartLine{"TEA-GREEN", 8}), steps: []say{
			{in: btn(keyBrowse), stage: stageCategories},
			{in: txt("1"), stage: stageProducts},
			{in: txt("1"), stage: stageProduct, has: []string{"Already in your cart: 8"}},
			{in: txt("1"), stage: stageQty, has: []string{"from 1 to 2"}},
			{in: txt("3"), stage: stageQty, has: []string{"at most 2 more"}},
			{in: txt("2"), stage: stageAdded, check: wantCart(CartLine{"TEA-GREEN", 10})},
			{in: btn(keyContinue), stage: stageProducts},
			{in: txt("green tea"), stage: stageProduct, hasNot: []string{"Add to cart"}},
		}},
		{name: "sold-out product cannot be added", steps: []say{
			{in: btn(keyBrowse)}, {in: txt("teaware")},
			{in: txt("1"), stage: stageProduct, has: []string{"Glass cup", "Sold out"}, hasNot: []string{"Add to cart"}},
			{in: btn(keyAdd), stage: stageProduct, has: []string{"no longer active"}},
			{in: txt("back"), stage: stageProducts, has: []string{"Glass cup · CN¥25.00 (sold out)", "Clay pot"}},
		}},
		{name: "quantity prompt back", steps: []say{
			{in: btn(keyBrowse)}, {in: txt("1")}, {in: txt("1")}, {in: txt("1"), stage: stageQty},
			{in: txt("返回"), stage: stageProduct},
		}},
		{name: "checkout with an empty cart", steps: []say{
			{in: txt("2"), stage: stageCart, has: []string{"Your cart is empty", "1. Browse products"}},
			{in: txt("1"), stage: stageCategories},
		}},
		{name: "checkout lowers lines to the stock", setup: newcomer(withCart(CartLine{"TEA-OOLONG", 5})), steps: []say{
			{in: btn(keyCart), stage: stageCart},
			{in: btn(keyCheckout), stage: stageCart, has: []string{"only 2 available"}, check: wantCart(CartLine{"TEA-OOLONG", 2})},
			{in: btn(keyCheckout), stage: stageName},
		}},
	})
}

// atSummary puts the conversation at the order summary with three green
// teas in the cart.
func atSummary(ct Contact) func(*chat) {
	return func(c *chat) {
		c.s.Cart = []CartLine{{"TEA-GREEN", 3}}
		c.s.Contact = ct
		c.s.Stage = stageSummary
	}
}

func TestPlaceOrderProblems(t *testing.T) {
	ct := testProfile()
	twoLines := func(c *chat) {
		atSummary(ct)(c)
		c.s.Cart = []CartLine{{"TEA-OOLONG", 2}, {"TEA-GREEN", 1}}
		c.s.Names = map[string]ProductName{"TEA-OOLONG": {Name: "Oolong", NameZH: "乌龙茶"}}
	}
	lowStock := func(c *chat) {
		twoLines(c)
		c.env.Catalog[1].Stock = 1
	}
	retired := func(c *chat) {
		twoLines(c)
		c.env.Catalog = c.env.Catalog[:1] // the oolong left the catalog
	}
	runFlows(t, []flow{
		{name: "out of stock reported", setup: lowStock, steps: []say{
			{in: txt("confirm order"), stage: stageCart, has: []string{"only 1 available"}, check: wantCart(CartLine{"TEA-OOLONG", 1}, CartLine{"TEA-GREEN", 1})},
		}},
		{name: "out of stock from the core", lang: Chinese, setup: twoLines, steps: []say{
			{in: txt("确认下单"), out: outcome(Outcome{Problem: OutOfStock, SKU: "TEA-OOLONG"}), stage: stageCart,
				has: []string{"乌龙茶库存不足，仅剩 2 件"}, check: wantCart(CartLine{"TEA-OOLONG", 2}, CartLine{"TEA-GREEN", 1})},
		}},
		{name: "unavailable product named and dropped", lang: Chinese, setup: retired, steps: []say{
			{in: btn(keyConfirm), stage: stageCart, has: []string{"乌龙茶已下架"}, check: wantCart(CartLine{"TEA-GREEN", 1})},
		}},
		{name: "internal error keeps the cart", setup: twoLines, steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Problem: Internal}), stage: stageSummary,
				has: []string{"something went wrong", "Confirm order"}, check: wantCart(CartLine{"TEA-OOLONG", 2}, CartLine{"TEA-GREEN", 1})},
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100030"}), stage: stageMenu, has: []string{"Order 100030"}},
		}},
	})
}

func TestResolveOutOfStockGoesBackToCart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stock int
		out   Outcome
		want  []CartLine
		says  string
	}{
		{"lowered", 1, Outcome{Problem: OutOfStock, SKU: "TEA-OOLONG"}, []CartLine{{"TEA-OOLONG", 1}, {"TEA-GREEN", 1}}, "only 1 available"},
		{"sold out", 0, Outcome{Problem: OutOfStock, SKU: "TEA-OOLONG"}, []CartLine{{"TEA-GREEN", 1}}, "Oolong has sold out"},
		{"unavailable", 2, Outcome{Problem: Unavailable, SKU: "TEA-OOLONG"}, []CartLine{{"TEA-GREEN", 1}}, "Oolong is no longer available"},
		{"unknown sku", 2, Outcome{Problem: OutOfStock, SKU: "NOPE"}, []CartLine{{"TEA-OOLONG", 2}, {"TEA-GREEN", 1}}, "check your cart"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			s := State{Lang: English, Stage: stageSummary, LastActive: now(), Contact: testProfile(),
				Cart: []CartLine{{"TEA-OOLONG", 2}, {"TEA-GREEN", 1}}}
			step := Step(env, s, Input{Button: keyConfirm})
			if _, ok := step.Intent.(PlaceOrder); !ok {
				t.Fatalf("intent = %#v", step.Intent)
			}
			env.Catalog[1].Stock = tc.stock
			r := Resolve(env, step.State, step.Intent, tc.out)
			checkResolve(t, env, step.Intent, tc.out, r)
			if r.State.Stage != stageCart || !reflect.DeepEqual(r.State.Cart, tc.want) {
				t.Fatalf("stage %q cart %v, want cart %v", r.State.Stage, r.State.Cart, tc.want)
			}
			if got := r.Replies[0].Text; !contains(got, tc.says) {
				t.Fatalf("reply %q lacks %q", got, tc.says)
			}
		})
	}
}
