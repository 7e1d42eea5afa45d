package conversation

// pageSize is how many products one page lists: few enough to read on a
// phone and to fit a chat's button limits.
const pageSize = 5

const (
	keyNext     = "next"
	keyPrev     = "prev"
	keyAdd      = "add"
	keyContinue = "continue"
	keyCheckout = "checkout"
)

func (t *turn) product(sku string) (Product, bool) {
	p, ok := t.index().bySKU[sku]
	return p, ok
}

// categoryLabel names a category in the customer's language: the Chinese
// name is that of the first product in it that has one.
func (t *turn) categoryLabel(c string) string {
	if c == "" {
		return t.tr(msgOtherCategory)
	}
	if zh, ok := t.index().zh[c]; ok {
		return t.zh(c, zh)
	}
	return c
}

func (t *turn) categoriesView() view {
	cats := t.index().categories
	if len(cats) == 0 {
		return t.redirect(stageMenu, msgNoProducts)
	}
	choices := make([]choice, 0, len(cats)+1)
	for _, c := range cats {
		choices = append(choices, choice{key: itemKey("cat:", c), label: t.categoryLabel(c)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	return view{text: t.tr(msgCategoriesPrompt), choices: choices}
}

func (t *turn) onCategories(a answer) Result {
	if a.key == keyBack {
		return t.goTo(stageMenu)
	}
	for _, c := range t.index().categories {
		if a.key == itemKey("cat:", c) {
			t.s.Category, t.s.Page = c, 0
			return t.goTo(stageProducts)
		}
	}
	return t.invalid()
}

func (t *turn) productsView() view {
	ps := t.index().products[t.s.Category]
	if len(ps) == 0 {
		return t.redirect(stageCategories, "")
	}
	pages := (len(ps) + pageSize - 1) / pageSize
	t.s.Page = max(0, min(t.s.Page, pages-1))
	start := t.s.Page * pageSize
	choices := make([]choice, 0, pageSize+3)
	for _, p := range ps[start:min(start+pageSize, len(ps))] {
		choices = append(choices, t.productChoice(p))
	}
	if t.s.Page < pages-1 {
		choices = append(choices, choice{key: keyNext, label: t.tr(msgOptNextPage)})
	}
	if t.s.Page > 0 {
		choices = append(choices, choice{key: keyPrev, label: t.tr(msgOptPrevPage)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	text := t.tr(msgProductsHeading, t.categoryLabel(t.s.Category))
	if pages > 1 {
		text = t.tr(msgProductsHeadingPaged, t.categoryLabel(t.s.Category), itoa(t.s.Page+1), itoa(pages))
	}
	return view{text: text, choices: choices}
}

// productChoice labels a product with its price, and lets the bare name
// choose it as well.
func (t *turn) productChoice(p Product) choice {
	name := t.productName(p)
	k := msgProductLabel
	if t.stock(p) <= 0 {
		k = msgProductLabelSoldOut
	}
	return choice{key: itemKey("sku:", p.SKU), label: t.tr(k, name, t.money(p.Price)), alias: []string{name}}
}

func (t *turn) onProducts(a answer) Result {
	switch a.key {
	case keyBack:
		return t.goTo(stageCategories)
	case keyNext:
		t.s.Page++
		return t.show()
	case keyPrev:
		t.s.Page--
		return t.show()
	}
	for _, p := range t.index().products[t.s.Category] {
		if a.key == itemKey("sku:", p.SKU) {
			t.s.SKU = p.SKU
			return t.goTo(stageProduct)
		}
	}
	return t.invalid()
}
