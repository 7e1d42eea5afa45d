package conversation

import (
	"slices"
	"strings"
)

// KeySharePhone is the option a channel with a share-contact button (Telegram)
// renders as that button; it is offered only when Env.ContactButton is set.
const KeySharePhone = "share_phone"

const (
	keyUse       = "use"
	keyConfirm   = "confirm"
	keyEdit      = "edit"
	keyBackCart  = "cart"
	keyPayPrefix = "pay_" // + the PayMethod: confirm and pay that way
)

// checkout starts the contact questions, unless the cart is empty or no
// longer fits the stock: then the customer sees the cart first. A returning
// customer goes straight to the summary with last time's details, which
// it offers to edit: one tap to order again.
func (t *turn) checkout() Result {
	t.s.Stage = stageCart
	t.pruneCart()
	if len(t.s.Cart) == 0 || t.fitStock() {
		return t.show()
	}
	if !contactComplete(t.s.Contact) && contactComplete(t.env.Profile) {
		t.s.Contact = t.env.Profile
		t.say(msgUsingSaved)
		return t.goTo(stageSummary)
	}
	return t.goTo(stageName)
}

// contactField describes one contact question.
type contactField struct {
	prompt, invalid msgKey
	promptArgs      []any // the limits the texts mention
	invalidArgs     []any
	clean           func(string) (string, bool)
	get             func(Contact) string
	set             func(*Contact, string)
	prev, next      Stage
}

func (t *turn) field() contactField {
	switch t.s.Stage {
	case stagePhone:
		return contactField{msgPhonePrompt, msgPhoneInvalid, nil, nil, cleanPhone,
			func(c Contact) string { return c.Phone }, func(c *Contact, v string) { c.Phone = v },
			stageName, stageAddress}
	case stageAddress:
		limits := []any{itoa(minAddress), itoa(maxAddress)}
		return contactField{msgAddressPrompt, msgAddressInvalid, limits, limits, cleanAddress,
			func(c Contact) string { return c.Address }, func(c *Contact, v string) { c.Address = v },
			stagePhone, stageSummary}
	}
	return contactField{msgNamePrompt, msgNameInvalid, nil, []any{itoa(maxName)}, cleanName,
		func(c Contact) string { return c.Name }, func(c *Contact, v string) { c.Name = v },
		stageCart, stagePhone}
}

// offered is the value to offer with one tap: what this checkout already
// has, else what the last order used. Only a valid value is offered.
func (t *turn) offered(f contactField) string {
	for _, c := range []Contact{t.s.Contact, t.env.Profile} {
		if v, ok := f.clean(f.get(c)); ok {
			return v
		}
	}
	return ""
}

func (t *turn) contactView() view {
	if len(t.s.Cart) == 0 {
		return t.redirect(stageCart, "")
	}
	f := t.field()
	var choices []choice
	if v := t.offered(f); v != "" {
		choices = append(choices, choice{key: keyUse, label: t.tr(msgOptUse, v)})
	}
	if t.s.Stage == stagePhone && t.env.ContactButton {
		// The channel turns this option into its own share-contact button;
		// the number then arrives as Input.Phone.
		choices = append(choices, choice{key: KeySharePhone, label: t.tr(msgOptSharePhone)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	return view{text: t.tr(f.prompt, f.promptArgs...), choices: choices}
}

func (t *turn) onContact(a answer) Result {
	f := t.field()
	var value string
	switch {
	case a.key == keyBack:
		return t.goTo(f.prev)
	case a.key == keyUse:
		value = t.offered(f)
	case t.s.Stage == stagePhone && a.phone != "":
		value = a.phone
	case a.key == KeySharePhone:
		// Chosen by typing its number or label: only the channel's button
		// can share the number, so ask for it to be typed.
		t.say(msgTypePhone)
		return t.show()
	case a.typed():
		value = a.text
	}
	v, ok := f.clean(value)
	if !ok {
		invalid := f.invalid
		switch t.s.Stage {
		case stageName:
			invalid = nameProblem(value)
		case stagePhone:
			invalid = phoneProblem(value)
		}
		t.say(invalid, f.invalidArgs...)
		return t.show()
	}
	f.set(&t.s.Contact, v)
	return t.goTo(f.next)
}

// contactComplete reports whether every contact answer is there and valid.
func contactComplete(c Contact) bool {
	_, n := cleanName(c.Name)
	_, p := cleanPhone(c.Phone)
	_, a := cleanAddress(c.Address)
	return n && p && a
}

func (t *turn) summaryView() view {
	t.pruneCart()
	switch {
	case len(t.s.Cart) == 0:
		return t.redirect(stageCart, "")
	case !contactComplete(t.s.Contact):
		return t.redirect(stageName, "")
	}
	c := t.s.Contact
	parts := []string{
		t.tr(msgSummaryHeading),
		t.summaryPrice(),
		t.tr(msgSummaryContact, c.Name, c.Phone, c.Address),
	}
	confirm := []choice{{key: keyConfirm, label: t.tr(msgOptConfirmOrder)}}
	switch ms := t.env.PayMethods; {
	case len(ms) == 1:
		parts = append(parts, t.tr(msgPayMethodLine, t.payMethodWord(ms[0])))
	case len(ms) > 1:
		// One tap confirms and chooses how to pay.
		confirm = confirm[:0]
		for _, m := range ms {
			confirm = append(confirm, choice{key: keyPayPrefix + string(m), label: t.payOption(m)})
		}
	}
	return view{text: strings.Join(parts, "\n\n"), choices: append(confirm,
		choice{key: keyCoupon, label: t.tr(msgOptCoupon)},
		choice{key: keyEdit, label: t.tr(msgOptEditContact)},
		choice{key: keyBackCart, label: t.tr(msgOptBackToCart)},
	)}
}

// payOption is the label of "confirm and pay this way".
func (t *turn) payOption(m PayMethod) string {
	switch m {
	case PayCOD:
		return t.tr(msgOptConfirmCOD)
	case PayTransfer:
		return t.tr(msgOptConfirmXfer)
	case PayWeChat:
		return t.tr(msgOptConfirmWeChat)
	case PayTelegram:
		return t.tr(msgOptConfirmTG)
	}
	return t.tr(msgOptConfirmOrder) + " · " + string(m)
}

func (t *turn) onSummary(a answer) Result {
	switch m := PayMethod(strings.TrimPrefix(a.key, keyPayPrefix)); {
	case a.key == keyConfirm && len(t.env.PayMethods) == 1:
		return t.confirmOrder(t.env.PayMethods[0])
	case a.key == keyConfirm:
		return t.confirmOrder("")
	case strings.HasPrefix(a.key, keyPayPrefix) && slices.Contains(t.env.PayMethods, m):
		return t.confirmOrder(m)
	}
	switch {
	case a.key == keyCoupon:
		return t.goTo(stageCoupon)
	case a.key == keyEdit:
		return t.goTo(stageName)
	case a.key == keyBackCart:
		return t.goTo(stageCart)
	case a.typed() && couponCode.MatchString(strings.TrimSpace(a.text)):
		// A code typed at the summary is a coupon: no need to find the option.
		return t.applyCoupon(a.text)
	}
	return t.invalid()
}

// confirmOrder asks the core to place the order. A note means the summary
// changed under the customer (a product left the catalog) or the stock no
// longer covers the cart: they see the new state before anything is placed.
func (t *turn) confirmOrder(pay PayMethod) Result {
	if len(t.notes) > 0 || t.fitStock() {
		t.s.Stage = stageCart
		return t.show()
	}
	return t.intend(PlaceOrder{Lines: slices.Clone(t.s.Cart), Contact: t.s.Contact, PayMethod: pay, Coupon: t.s.Coupon})
}

// resolvePlaceOrder reports a placed order, or takes the customer back to
// the cart with the product that stood in the way adjusted.
func (t *turn) resolvePlaceOrder(out Outcome) Result {
	switch out.Problem {
	case OK:
		t.s.Cart, t.s.Names, t.s.Contact, t.s.Coupon = nil, nil, Contact{}, ""
		t.say(msgOrderPlaced, out.Number)
		// The new order's page, so the customer sees what they bought and
		// can find it again; the menu is one "back" away.
		t.s.Order = out.Number
		if out.AskConsent {
			return t.goTo(stageConsent)
		}
		if _, ok := t.order(out.Number); !ok {
			return t.goTo(stageMenu)
		}
		return t.goTo(stageOrder)
	case OutOfStock, Unavailable:
		t.dropBlocked(out)
		return t.goTo(stageCart)
	}
	if t.sayCouponProblem(t.s.Coupon, out) {
		// The coupon stopped applying since it was accepted (used up,
		// expired): the order goes without it only if they confirm again.
		t.s.Coupon = ""
		t.say(msgCouponNotPlaced)
		return t.goTo(stageSummary)
	}
	t.say(msgOrderFailed)
	return t.goTo(stageSummary)
}

// dropBlocked lowers the line the core could not fill to the stock left,
// or drops it.
func (t *turn) dropBlocked(out Outcome) {
	name := t.skuName(out.SKU)
	p, ok := t.product(out.SKU)
	switch {
	case !t.hasLine(out.SKU):
		t.say(msgCartCheck)
	case out.Problem == Unavailable || !ok:
		t.say(msgUnavailable, name)
		t.setQty(out.SKU, 0)
	case t.stock(p) <= 0:
		t.say(msgSoldOutDropped, name)
		t.setQty(out.SKU, 0)
	default:
		t.say(msgStockReduced, name, itoa(t.stock(p)))
		t.setQty(out.SKU, min(t.inCart(out.SKU), t.stock(p)))
	}
}
