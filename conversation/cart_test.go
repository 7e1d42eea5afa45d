package conversation

import "testing"

func TestCartFlows(t *testing.T) {
	two := withCart(CartLine{"TEA-GREEN", 2}, CartLine{"POT-CLAY", 1})
	runFlows(t, []flow{
		{name: "lines, subtotals and total", setup: two, steps: []say{
			{in: txt("my cart"), stage: stageCart, has: []string{
				"Green tea  CN¥38.00 × 2 = CN¥76.00", "Clay pot  CN¥168.00 × 1 = CN¥168.00", "Total: CN¥244.00",
				"1. Checkout", "2. Change quantity", "3. Remove an item", "4. Continue shopping"}},
		}},
		{name: "change a quantity", setup: two, steps: []say{
			{in: btn(keyCart)},
			{in: txt("change quantity"), stage: stageCartPick, has: []string{"1. Green tea × 2", "2. Clay pot × 1", "3. Back"}},
			{in: txt("clay pot"), stage: stageCartQty, has: []string{"You have 1 now", "from 1 to 3"}},
			{in: txt("4"), stage: stageCartQty, has: []string{"only 3 are available"}},
			{in: txt("0"), stage: stageCartQty, has: []string{"whole number from 1 to 3"}},
			{in: txt("3件"), stage: stageCart, has: []string{"Updated: Clay pot × 3", "Total: CN¥580.00"},
				check: wantCart(CartLine{"TEA-GREEN", 2}, CartLine{"POT-CLAY", 3})},
		}},
		{name: "remove a line", setup: two, steps: []say{
			{in: btn(keyCart)},
			{in: btn(keyRemove), stage: stageCartPick, has: []string{"Which item would you like to remove?"}},
			{in: txt("1"), stage: stageCart, has: []string{"Removed Green tea", "Total: CN¥168.00"}, check: wantCart(CartLine{"POT-CLAY", 1})},
			{in: btn(keyRemove), stage: stageCart, has: []string{"Removed Clay pot", "Your cart is empty", "Browse products"}, check: wantCart()},
			{in: txt("1"), stage: stageCategories},
		}},
		{name: "one line needs no picking", setup: withCart(CartLine{"TEA-GREEN", 2}), steps: []say{
			{in: btn(keyCart)},
			{in: btn(keyChange), stage: stageCartQty, has: []string{"Green tea: how many"}},
			{in: txt("back"), stage: stageCart},
		}},
		{name: "products that left the catalog are dropped with a note", lang: Chinese,
			setup: func(c *chat) {
				c.s.Cart = []CartLine{{"TEA-GREEN", 1}, {"OLD-TEA", 2}}
				c.s.Names = map[string]ProductName{"OLD-TEA": {Name: "Old tea", NameZH: "陈年普洱"}}
			},
			steps: []say{
				{in: txt("购物车"), stage: stageCart, has: []string{"陈年普洱已下架，已从购物车中移除。", "绿茶  ¥38.00 × 1 = ¥38.00", "合计：¥38.00"},
					check: wantCart(CartLine{"TEA-GREEN", 1})},
				{in: txt("购物车"), stage: stageCart, hasNot: []string{"陈年普洱"}},
			}},
		{name: "continue shopping from the cart", setup: two, steps: []say{
			{in: btn(keyCart)}, {in: txt("continue shopping"), stage: stageCategories},
		}},
	})
}
