package conversation

import (
	"strings"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// Bounds of a product search typed in chat.
const (
	maxSearchRunes = 40 // longer text is a sentence for staff, not a product name
	minSearchASCII = 3  // "tea" finds the teas; "ok" or "no" find nothing
	maxSearchHits  = 10
)

// searchProducts finds the products a customer named: part of the English
// or Chinese name, the Chinese name's pinyin ("longjing") or its initials
// ("xhlj"). Sold-out products are found too; their page says so.
func searchProducts(catalog []Product, norm string) []Product {
	q := strings.TrimSpace(norm)
	n := utf8.RuneCountInString(q)
	ascii := isASCII(q)
	if n == 0 || n > maxSearchRunes || ascii && n < minSearchASCII {
		return nil
	}
	compact := strings.ReplaceAll(q, " ", "")
	var hits []Product
	for _, p := range catalog {
		if productMatches(p, q, compact, ascii) {
			hits = append(hits, p)
			if len(hits) == maxSearchHits {
				break
			}
		}
	}
	return hits
}

func productMatches(p Product, q, compact string, ascii bool) bool {
	if strings.Contains(strings.ToLower(p.Name), q) || p.NameZH != "" && strings.Contains(p.NameZH, q) {
		return true
	}
	if !ascii || p.NameZH == "" {
		return false
	}
	syllables := pinyin.LazyConvert(p.NameZH, nil)
	if strings.Contains(strings.Join(syllables, ""), compact) {
		return true
	}
	var initials strings.Builder
	for _, s := range syllables {
		initials.WriteByte(s[0])
	}
	return initials.Len() >= minSearchASCII && initials.String() == compact
}

// showSearch shows what a search found: the product itself when it is the
// only one, otherwise a list to choose from.
func (t *turn) showSearch(q string, hits []Product) Result {
	t.s = t.s.restart()
	if len(hits) == 1 {
		t.s.Category, t.s.SKU = hits[0].Category, hits[0].SKU
		return t.goTo(stageProduct)
	}
	t.s.Search = q
	return t.goTo(stageSearch)
}

func (t *turn) searchView() view {
	hits := searchProducts(t.catalog(), t.s.Search)
	if len(hits) == 0 {
		return t.redirect(stageCategories, msgSearchNone, t.s.Search)
	}
	choices := make([]choice, 0, len(hits)+1)
	for _, p := range hits {
		choices = append(choices, t.productChoice(p))
	}
	choices = append(choices, choice{key: keyMenu, label: t.tr(msgOptMenu)})
	return view{text: t.tr(msgSearchFound, itoa(len(hits)), t.s.Search), choices: choices}
}

func (t *turn) onSearch(a answer) Result {
	if a.key == keyMenu {
		return t.goTo(stageMenu)
	}
	for _, p := range searchProducts(t.catalog(), t.s.Search) {
		if a.key == itemKey("sku:", p.SKU) {
			t.s.Category, t.s.SKU, t.s.Search = p.Category, p.SKU, ""
			return t.goTo(stageProduct)
		}
	}
	return t.invalid()
}
