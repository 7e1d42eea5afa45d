package conversation

import "strings"

// maxQty is the most of one product a cart line may hold; larger orders are
// wholesale and go through staff.
const maxQty = 99

func (t *turn) inCart(sku string) int {
	n := 0
	for _, l := range t.s.Cart {
		if l.SKU == sku {
			n += l.Qty
		}
	}
	return n
}

// addable is how many more of a product may go into the cart.
func (t *turn) addable(p Product) int {
	return max(0, min(t.stock(p), maxQty)-t.inCart(p.SKU))
}

func (t *turn) productView() view {
	p, ok := t.product(t.s.SKU)
	if !ok {
		return t.redirect(stageProducts, msgProductGone)
	}
	lines := []string{t.productName(p)}
	if d := strings.TrimSpace(t.zh(p.Description, p.DescriptionZH)); d != "" {
		lines = append(lines, d)
	}
	lines = append(lines, t.tr(msgPrice, t.money(p.Price)))
	if t.stock(p) > 0 {
		lines = append(lines, t.tr(msgInStock, itoa(t.stock(p))))
	} else {
		lines = append(lines, t.tr(msgSoldOut))
	}
	if n := t.inCart(p.SKU); n > 0 {
		lines = append(lines, t.tr(msgInCart, itoa(n)))
	}
	var choices []choice
	if t.addable(p) > 0 {
		choices = append(choices, choice{key: keyAdd, label: t.tr(msgOptAddToCart)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	return view{text: strings.Join(lines, "\n"), choices: choices, image: p.ImageURL}
}

func (t *turn) onProduct(a answer) Result {
	switch a.key {
	case keyAdd:
		return t.goTo(stageQty)
	case keyBack:
		return t.goTo(stageProducts)
	}
	return t.invalid()
}

// qtyView offers no numbered options: a typed number is a quantity here,
// and "back" returns to the product.
func (t *turn) qtyView() view {
	p, ok := t.product(t.s.SKU)
	if !ok {
		return t.redirect(stageProducts, msgProductGone)
	}
	limit := t.addable(p)
	if limit <= 0 {
		return t.redirect(stageProduct, msgNoMoreToAdd, t.productName(p))
	}
	return view{text: t.tr(msgQtyPrompt, t.productName(p), itoa(limit))}
}

func (t *turn) onQty(a answer) Result {
	if isBack(a.norm) {
		return t.goTo(stageProduct)
	}
	p, ok := t.product(t.s.SKU)
	n, valid := parseQty(a.norm)
	switch {
	case !ok:
		return t.goTo(stageProducts)
	case !valid || n > maxQty:
		// The same limit the prompt gave, not the cart's absolute maximum.
		t.say(msgQtyRange, itoa(max(1, t.addable(p))))
		return t.show()
	case n > t.addable(p):
		t.say(msgQtyOverStock, itoa(t.addable(p)))
		return t.show()
	}
	t.addToCart(p, n)
	t.say(msgAdded, itoa(n), t.productName(p))
	return t.goTo(stageAdded)
}

// isBack recognises "back" typed where no numbered options are offered.
func isBack(norm string) bool {
	return norm == "back" || norm == "返回" || norm == "上一步"
}

func (t *turn) addedView() view {
	count, total := t.cartTotals()
	return view{
		text: t.tr(plural(count, msgAddedPromptOne, msgAddedPrompt), itoa(count), t.money(total)),
		choices: []choice{
			{key: keyCart, label: t.tr(msgOptViewCart)},
			{key: keyContinue, label: t.tr(msgOptContinue)},
			{key: keyCheckout, label: t.tr(msgOptCheckout)},
		},
	}
}

func (t *turn) onAdded(a answer) Result {
	switch a.key {
	case keyCart:
		return t.goTo(stageCart)
	case keyContinue:
		return t.goTo(stageProducts)
	case keyCheckout:
		return t.checkout()
	}
	return t.invalid()
}
