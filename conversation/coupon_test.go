package conversation

import "testing"

func pricedSummary(c *chat) {
	c.s.Cart = []CartLine{{SKU: "TEA-GREEN", Qty: 2}}
	c.s.Contact = Contact{Name: "Li Si", Phone: "13800138000", Address: "北京市朝阳区建国路 88 号"}
	c.s.Stage = stageSummary
	c.env.Quote = &Quote{Subtotal: 7600, Shipping: 1000, Total: 8600}
}

func wantCoupon(code string) func(*testing.T, *chat) {
	return func(t *testing.T, c *chat) {
		t.Helper()
		if c.s.Coupon != code {
			t.Fatalf("coupon = %q, want %q", c.s.Coupon, code)
		}
	}
}

func TestCouponAtSummary(t *testing.T) {
	lines := []CartLine{{SKU: "TEA-GREEN", Qty: 2}}
	applied := &Quote{Subtotal: 7600, Discount: 760, Shipping: 1000, Total: 7840, Coupon: "TEA10"}
	runFlows(t, []flow{
		{name: "refused, typed at the summary, used up at confirm", setup: pricedSummary, steps: []say{
			{in: txt("spring10"), intent: ApplyCoupon{Code: "SPRING10", Lines: lines}, out: outcome(Outcome{Problem: CouponExpired}),
				stage: stageSummary, has: []string{"Sorry, coupon SPRING10 has expired.", "Shipping: CN¥10.00", "To pay: CN¥86.00"}, check: wantCoupon("")},
			{in: txt("big"), intent: ApplyCoupon{Code: "BIG", Lines: lines}, out: outcome(Outcome{Problem: CouponMinSpend, MinSpend: 50000}),
				stage: stageSummary, has: []string{"Coupon BIG needs items worth at least CN¥500.00."}, check: wantCoupon("")},
			{in: btn(keyCoupon), stage: stageCoupon, has: []string{"Please type your coupon code:", "1. Back"}},
			{in: txt("two words"), stage: stageCoupon, has: []string{"two words isn't a valid coupon code"}},
			{in: txt("tea10"), intent: ApplyCoupon{Code: "TEA10", Lines: lines}, out: outcome(Outcome{Quote: applied}),
				stage: stageSummary, has: []string{"Coupon TEA10 applied: CN¥7.60 off.", "Items: CN¥76.00", "Coupon TEA10: -CN¥7.60", "To pay: CN¥78.40"},
				check: wantCoupon("TEA10")},
			{in: btn(keyConfirm), intent: PlaceOrder{Lines: lines, Contact: Contact{Name: "Li Si", Phone: "13800138000", Address: "北京市朝阳区建国路 88 号"}, Coupon: "TEA10"},
				out: outcome(Outcome{Problem: CouponUsedUp}), stage: stageSummary,
				has: []string{"Sorry, coupon TEA10 has been used up.", "Your order hasn't been placed."}, check: wantCoupon("")},
		}},
		{name: "removed at the coupon step", setup: func(c *chat) { pricedSummary(c); c.s.Coupon = "TEA10" }, steps: []say{
			{in: txt("use a coupon"), stage: stageCoupon, has: []string{"1. Remove the coupon", "2. Back"}},
			{in: txt("1"), stage: stageSummary, has: []string{"OK, no coupon on this order."}, check: wantCoupon("")},
		}},
		{name: "Chinese", lang: Chinese, setup: pricedSummary, steps: []say{
			{in: txt("VIP"), intent: ApplyCoupon{Code: "VIP", Lines: lines}, out: outcome(Outcome{Problem: CouponTier}),
				stage: stageSummary, has: []string{"您当前的会员等级不能使用优惠券 VIP。", "运费：¥10.00", "应付：¥86.00", "使用优惠券"}},
		}},
	})
}

func TestPayMethodAtSummary(t *testing.T) {
	lines := []CartLine{{SKU: "TEA-GREEN", Qty: 2}}
	contact := Contact{Name: "Li Si", Phone: "13800138000", Address: "北京市朝阳区建国路 88 号"}
	runFlows(t, []flow{
		{name: "one method is said, not asked", setup: func(c *chat) { pricedSummary(c); c.env.PayMethods = []PayMethod{PayCOD} }, steps: []say{
			{in: btn(keyCoupon), stage: stageCoupon},
			{in: btn(keyBack), stage: stageSummary, has: []string{"You pay by: cash on delivery", "1. Confirm"}, hasNot: []string{"pay by transfer"}},
			{in: txt("1"), intent: PlaceOrder{Lines: lines, Contact: contact, PayMethod: PayCOD}},
		}},
		{name: "transfer chosen", setup: func(c *chat) { pricedSummary(c); c.env.PayMethods = []PayMethod{PayTransfer, PayCOD} }, steps: []say{
			{in: btn(keyCoupon), stage: stageCoupon},
			{in: btn(keyBack), stage: stageSummary, has: []string{"1. Confirm, pay by transfer", "2. Confirm, pay on delivery", "3. Use a coupon"}},
			{in: txt("confirm, pay by transfer"), intent: PlaceOrder{Lines: lines, Contact: contact, PayMethod: PayTransfer}},
		}},
	})
}
