package conversation

import "strings"

// CatalogIndex is a catalog arranged for browsing: its categories in the
// order they first appear, each with its products and its Chinese name, and
// its products by sku, and what a search compares with each product's
// names. Built once per catalog (IndexCatalog), it makes a step's look at
// a category or a product cost the same with 10,000 products as with 10,
// and a search a pass over ready-made strings.
type CatalogIndex struct {
	categories []string
	zh         map[string]string // a category's Chinese name, that of its first product that has one
	products   map[string][]Product
	bySKU      map[string]Product
	all        []Product   // in the catalog's order
	search     []searchKey // all's, in the same order
	found      *searchIndex
}

// IndexCatalog indexes catalog, which must not change afterwards.
func IndexCatalog(catalog []Product) *CatalogIndex {
	x := &CatalogIndex{
		zh:       make(map[string]string),
		products: make(map[string][]Product),
		bySKU:    make(map[string]Product, len(catalog)),
		all:      catalog,
		search:   make([]searchKey, len(catalog)),
	}
	for i, p := range catalog {
		x.search[i] = searchKeyOf(p)
		if _, seen := x.products[p.Category]; !seen {
			x.categories = append(x.categories, p.Category)
		}
		x.products[p.Category] = append(x.products[p.Category], p)
		if _, named := x.zh[p.Category]; !named && strings.TrimSpace(p.CategoryZH) != "" {
			x.zh[p.Category] = p.CategoryZH
		}
		if _, dup := x.bySKU[p.SKU]; !dup {
			x.bySKU[p.SKU] = p
		}
	}
	x.found = newSearchIndex(x.search)
	return x
}

// Product finds a product by its SKU.
func (x *CatalogIndex) Product(sku string) (Product, bool) {
	p, ok := x.bySKU[sku]
	return p, ok
}

// index is the index of Env.Catalog: Env.Index when the core keeps one,
// else built for the turn. Like catalog, it says the step needs the catalog.
func (t *turn) index() *CatalogIndex {
	catalog := t.catalog()
	if t.env.Index != nil && t.needs&NeedCatalog == 0 {
		return t.env.Index
	}
	if t.idx == nil {
		t.idx = IndexCatalog(catalog)
	}
	return t.idx
}
