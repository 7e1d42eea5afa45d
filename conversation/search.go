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
func searchProducts(catalog *CatalogIndex, norm string) []Product {
	q := strings.TrimSpace(norm)
	n := utf8.RuneCountInString(q)
	ascii := isASCII(q)
	if n == 0 || n > maxSearchRunes || ascii && n < minSearchASCII {
		return nil
	}
	compact := strings.ReplaceAll(q, " ", "")
	var hits []Product
	try := func(i int) bool {
		if catalog.search[i].matches(q, compact, ascii) {
			hits = append(hits, catalog.all[i])
		}
		return len(hits) < maxSearchHits
	}
	if ids, ok := catalog.found.candidates(q, compact, ascii); ok {
		for _, i := range ids {
			if !try(int(i)) {
				break
			}
		}
		return hits
	}
	for i := range catalog.search {
		if !try(i) {
			break
		}
	}
	return hits
}

// searchKey is what a search compares with one product, worked out once
// per catalog: the pinyin of a Chinese name costs far more than comparing.
type searchKey struct {
	name     string // lower case
	nameZH   string
	pinyin   string // the Chinese name's syllables run together
	initials string // their first letters
}

func searchKeyOf(p Product) searchKey {
	k := searchKey{name: strings.ToLower(p.Name), nameZH: p.NameZH}
	if p.NameZH == "" {
		return k
	}
	syllables := pinyin.LazyConvert(p.NameZH, nil)
	k.pinyin = strings.Join(syllables, "")
	var initials strings.Builder
	for _, s := range syllables {
		initials.WriteByte(s[0])
	}
	k.initials = initials.String()
	return k
}

func (k searchKey) matches(q, compact string, ascii bool) bool {
	if strings.Contains(k.name, q) || k.nameZH != "" && strings.Contains(k.nameZH, q) {
		return true
	}
	if !ascii || k.nameZH == "" {
		return false
	}
	if strings.Contains(k.pinyin, compact) {
		return true
	}
	return len(k.initials) >= minSearchASCII && k.initials == compact
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
	hits := searchProducts(t.index(), t.s.Search)
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
	for _, p := range searchProducts(t.index(), t.s.Search) {
		if a.key == itemKey("sku:", p.SKU) {
			t.s.Category, t.s.SKU, t.s.Search = p.Category, p.SKU, ""
			return t.goTo(stageProduct)
		}
	}
	return t.invalid()
}
