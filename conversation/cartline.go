package conversation

// pickLine asks which line to change or remove; with one line there is
// nothing to ask.
func (t *turn) pickLine(mode string) Result {
	if len(t.s.Cart) == 1 {
		return t.lineChosen(mode, t.s.Cart[0].SKU)
	}
	t.s.Pick = mode
	return t.goTo(stageCartPick)
}

func (t *turn) lineChosen(mode, sku string) Result {
	if mode == pickRemove {
		t.say(msgRemoved, t.skuName(sku))
		t.setQty(sku, 0)
		return t.goTo(stageCart)
	}
	t.s.SKU = sku
	return t.goTo(stageCartQty)
}

func (t *turn) cartPickView() view {
	t.pruneCart()
	if len(t.s.Cart) == 0 {
		return t.redirect(stageCart, "")
	}
	choices := make([]choice, 0, len(t.s.Cart)+1)
	for _, l := range t.s.Cart {
		name := t.skuName(l.SKU)
		choices = append(choices, choice{
			key:   itemKey("line:", l.SKU),
			label: t.tr(msgLineLabel, name, itoa(l.Qty)),
			alias: []string{name},
		})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	prompt := msgPickChange
	if t.s.Pick == pickRemove {
		prompt = msgPickRemove
	}
	return view{text: t.tr(prompt), choices: choices}
}

func (t *turn) onCartPick(a answer) Result {
	if a.key == keyBack {
		return t.goTo(stageCart)
	}
	for _, l := range t.s.Cart {
		if a.key == itemKey("line:", l.SKU) {
			return t.lineChosen(t.s.Pick, l.SKU)
		}
	}
	return t.invalid()
}

// cartQtyView, like qtyView, offers no numbered options: a number typed
// here is the new quantity.
func (t *turn) cartQtyView() view {
	p, ok := t.product(t.s.SKU)
	if !ok || t.inCart(t.s.SKU) == 0 {
		return t.redirect(stageCart, "")
	}
	limit := min(t.stock(p), maxQty)
	if limit <= 0 {
		return t.redirect(stageCart, msgSoldOutRemove, t.productName(p))
	}
	return view{text: t.tr(msgCartQtyPrompt, t.productName(p), itoa(t.inCart(p.SKU)), itoa(limit))}
}

func (t *turn) onCartQty(a answer) Result {
	if isBack(a.norm) {
		return t.goTo(stageCart)
	}
	p, ok := t.product(t.s.SKU)
	n, valid := parseQty(a.norm)
	switch {
	case !ok:
		return t.goTo(stageCart)
	case !valid:
		t.say(msgQtyRange, itoa(max(1, min(t.stock(p), maxQty))))
		return t.show()
	case n > t.stock(p):
		t.say(msgQtyOverStockChange, itoa(min(t.stock(p), maxQty)))
		return t.show()
	}
	t.setQty(p.SKU, n)
	t.say(msgQtyChanged, t.productName(p), itoa(n))
	return t.goTo(stageCart)
}
