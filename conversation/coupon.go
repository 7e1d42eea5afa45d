package conversation

import (
	"regexp"
	"slices"
	"strings"
)

const (
	keyCoupon       = "coupon"
	keyRemoveCoupon = "no_coupon"
)

// couponCode is what may be a coupon code typed at the summary: one word
// of letters, digits, '-' or '_'. Anything else typed there is not one.
var couponCode = regexp.MustCompile(`^[A-Za-z0-9_-]{3,32}$`)

// quote is the core's price of the cart, when it is for the cart as it is now.
func (t *turn) quote() (*Quote, bool) {
	_, subtotal := t.cartItems()
	q := t.env.Quote
	return q, q != nil && q.Subtotal == subtotal
}

// summaryPrice lists the cart with what the order would cost: the
// coupon's discount and shipping when the core priced them.
func (t *turn) summaryPrice() string {
	lines, subtotal := t.cartItems()
	q, ok := t.quote()
	if !ok {
		return bullet(lines) + "\n" + t.tr(msgTotal, t.money(subtotal))
	}
	return bullet(lines) + "\n" + t.priceLines(q.Subtotal, q.Discount, q.Shipping, q.Coupon, q.Total)
}

func (t *turn) couponView() view {
	if len(t.s.Cart) == 0 {
		return t.redirect(stageCart, "")
	}
	var choices []choice
	if t.s.Coupon != "" {
		choices = append(choices, choice{key: keyRemoveCoupon, label: t.tr(msgOptRemoveCoupon)})
	}
	return view{text: t.tr(msgCouponPrompt), choices: append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})}
}

func (t *turn) onCoupon(a answer) Result {
	switch {
	case a.key == keyBack:
		return t.goTo(stageSummary)
	case a.key == keyRemoveCoupon:
		t.s.Coupon = ""
		t.say(msgCouponRemoved)
		return t.goTo(stageSummary)
	case a.typed() && couponCode.MatchString(strings.TrimSpace(a.text)):
		return t.applyCoupon(a.text)
	case a.typed():
		t.say(msgCouponUnknown, strings.TrimSpace(a.text))
		return t.show()
	}
	return t.invalid()
}

func (t *turn) applyCoupon(code string) Result {
	return t.intend(ApplyCoupon{Code: strings.ToUpper(strings.TrimSpace(code)), Lines: slices.Clone(t.s.Cart)})
}

// resolveCoupon keeps a coupon that applies and says why one does not;
// either way the customer is back at the summary.
func (t *turn) resolveCoupon(it ApplyCoupon, out Outcome) Result {
	if out.Problem == OK && out.Quote != nil {
		t.s.Coupon = it.Code
		t.env.Quote = out.Quote
		t.say(msgCouponApplied, it.Code, t.money(out.Quote.Discount))
		return t.goTo(stageSummary)
	}
	t.sayCouponProblem(it.Code, out)
	return t.goTo(stageSummary)
}

// sayCouponProblem explains a coupon that does not apply; it reports
// whether the problem was one.
func (t *turn) sayCouponProblem(code string, out Outcome) bool {
	key, ok := map[Problem]msgKey{
		CouponUnknown: msgCouponUnknown, CouponNotStarted: msgCouponNotStarted, CouponExpired: msgCouponExpired,
		CouponUsedUp: msgCouponUsedUp, CouponUsedByYou: msgCouponUsedByYou, CouponTier: msgCouponTier,
	}[out.Problem]
	switch {
	case out.Problem == CouponMinSpend:
		t.say(msgCouponMinSpend, code, t.money(out.MinSpend))
	case ok:
		t.say(key, code)
	default:
		return false
	}
	return true
}
