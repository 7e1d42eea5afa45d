package conversation

import (
	"maps"
	"slices"
	"strings"
)

const (
	keyChange = "change"
	keyRemove = "remove"
)

// cartTotals counts the items and sums the prices of the lines still in
// the catalog.
func (t *turn) cartTotals() (count int, total int64) {
	for _, l := range t.s.Cart {
		if p, ok := t.product(l.SKU); ok {
			count += l.Qty
			total += int64(l.Qty) * p.Price
		}
	}
	return count, total
}

// addToCart adds to the line of the product or starts one. The cart is
// copied first: the State handed to Step belongs to the caller.
func (t *turn) addToCart(p Product, n int) {
	cart := slices.Clone(t.s.Cart)
	i := slices.IndexFunc(cart, func(l CartLine) bool { return l.SKU == p.SKU })
	if i < 0 {
		cart = append(cart, CartLine{SKU: p.SKU, Qty: n})
	} else {
		cart[i].Qty += n
	}
	t.s.Cart = cart
	names := maps.Clone(t.s.Names)
	if names == nil {
		names = make(map[string]ProductName)
	}
	names[p.SKU] = ProductName{Name: p.Name, NameZH: p.NameZH}
	t.s.Names = names
}

func (t *turn) hasLine(sku string) bool {
	return slices.ContainsFunc(t.s.Cart, func(l CartLine) bool { return l.SKU == sku })
}

// setQty sets a line's quantity; zero removes the line.
func (t *turn) setQty(sku string, n int) {
	var cart []CartLine
	for _, l := range t.s.Cart {
		if l.SKU != sku {
			cart = append(cart, l)
		} else if n > 0 {
			cart = append(cart, CartLine{SKU: sku, Qty: n})
		}
	}
	t.s.Cart = cart
	if n <= 0 && t.s.Names != nil {
		names := maps.Clone(t.s.Names)
		delete(names, sku)
		t.s.Names = names
	}
}

// pruneCart drops lines whose product left the catalog (saying so), merges
// repeated products and keeps quantities in range, so that every screen
// and the order itself see a sound cart.
func (t *turn) pruneCart() {
	for _, l := range slices.Clone(t.s.Cart) {
		if _, ok := t.product(l.SKU); !ok && t.hasLine(l.SKU) {
			t.say(msgCartDropped, t.skuName(l.SKU))
			t.setQty(l.SKU, 0)
		}
	}
	var cart []CartLine
	for _, l := range t.s.Cart {
		i := slices.IndexFunc(cart, func(c CartLine) bool { return c.SKU == l.SKU })
		switch {
		case l.Qty <= 0:
		case i >= 0:
			cart[i].Qty = min(cart[i].Qty+l.Qty, maxQty)
		default:
			cart = append(cart, CartLine{SKU: l.SKU, Qty: min(l.Qty, maxQty)})
		}
	}
	t.s.Cart = cart
}

// fitStock lowers lines to what is in stock, saying so; it reports whether
// anything changed.
func (t *turn) fitStock() bool {
	changed := false
	for _, l := range slices.Clone(t.s.Cart) {
		p, ok := t.product(l.SKU)
		if !ok || l.Qty <= t.stock(p) {
			continue
		}
		changed = true
		if t.stock(p) <= 0 {
			t.say(msgSoldOutDropped, t.productName(p))
		} else {
			t.say(msgStockReduced, t.productName(p), itoa(t.stock(p)))
		}
		t.setQty(l.SKU, max(t.stock(p), 0))
	}
	return changed
}

// cartLines lists the cart, one line per product with its subtotal, and
// the total.
func (t *turn) cartLines() string {
	lines, total := t.cartItems()
	return bullet(lines) + "\n" + t.tr(msgTotal, t.money(total))
}

// cartItems are the cart's lines as text and what they cost together.
func (t *turn) cartItems() (lines []string, total int64) {
	lines = make([]string, 0, len(t.s.Cart))
	for _, l := range t.s.Cart {
		p, ok := t.product(l.SKU)
		if !ok {
			continue
		}
		sub := int64(l.Qty) * p.Price
		total += sub
		lines = append(lines, t.tr(msgCartLine, t.productName(p), t.money(p.Price), itoa(l.Qty), t.money(sub)))
	}
	return lines, total
}

func (t *turn) cartView() view {
	t.pruneCart()
	if len(t.s.Cart) == 0 {
		return view{text: t.tr(msgCartEmpty), choices: []choice{
			{key: keyBrowse, label: t.tr(msgOptBrowse)},
			{key: keyMenu, label: t.tr(msgOptMenu)},
		}}
	}
	return view{
		text: strings.Join([]string{t.tr(msgCartHeading), t.cartLines()}, "\n"),
		choices: []choice{
			{key: keyCheckout, label: t.tr(msgOptCheckout)},
			{key: keyChange, label: t.tr(msgOptChangeQty)},
			{key: keyRemove, label: t.tr(msgOptRemove)},
			{key: keyContinue, label: t.tr(msgOptContinue)},
			{key: keyMenu, label: t.tr(msgOptMenu)},
		},
	}
}

func (t *turn) onCart(a answer) Result {
	switch a.key {
	case keyCheckout:
		return t.checkout()
	case keyChange:
		return t.pickLine(pickChange)
	case keyRemove:
		return t.pickLine(pickRemove)
	case keyBrowse, keyContinue:
		return t.goTo(stageCategories)
	case keyMenu:
		return t.goTo(stageMenu)
	}
	return t.invalid()
}
