package conversation

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanSearch is searchProducts without the index: every product compared.
func scanSearch(x *CatalogIndex, norm string) []Product {
	q := strings.TrimSpace(norm)
	n := utf8.RuneCountInString(q)
	ascii := isASCII(q)
	if n == 0 || n > maxSearchRunes || ascii && n < minSearchASCII {
		return nil
	}
	compact := strings.ReplaceAll(q, " ", "")
	var hits []Product
	for i, k := range x.search {
		if k.matches(q, compact, ascii) {
			hits = append(hits, x.all[i])
			if len(hits) == maxSearchHits {
				break
			}
		}
	}
	return hits
}

// TestSearchIndexFindsWhatAScanFinds: over a catalog of a few thousand
// products with English and Chinese names, the index's search gives the
// same hits, in the same order, as comparing the query with every
// product, for pieces of names, of pinyin, initials, Chinese characters
// and queries that match nothing.
func TestSearchIndexFindsWhatAScanFinds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"green", "tea", "oolong", "clay", "pot", "glass", "cup", "jasmine", "white", "black", "spring", "gift box"}
	hanzi := []rune("绿茶乌龙紫砂壶玻璃杯白红花香礼盒春秋山水云雾普洱")
	catalog := testCatalog()
	for i := range 3000 {
		name := fmt.Sprintf("%s %s %d", words[r.IntN(len(words))], words[r.IntN(len(words))], i)
		var zh []rune
		for range 1 + r.IntN(4) {
			zh = append(zh, hanzi[r.IntN(len(hanzi))])
		}
		if i%5 == 0 {
			zh = nil // some have no Chinese name
		}
		catalog = append(catalog, Product{SKU: fmt.Sprintf("P%d", i), Name: name, NameZH: string(zh), Category: "C"})
	}
	// Names that mix Chinese and Latin letters, for queries that do.
	catalog = append(catalog, Product{SKU: "MIX-1", Name: "Tea gift 礼盒", NameZH: "茶叶礼盒 500g", Category: "C"},
		Product{SKU: "MIX-2", Name: "Pu'er 普洱 cake", Category: "C"})
	x := IndexCatalog(catalog)
	queries := []string{"coffee", "zz", "tea", "tea no", "zi sha hu", "zsh", "lvcha", "lc", "绿", "绿茶", "茶 tea", "gift box 12",
		"ox 1", " 99", "99", "礼盒 5", "盒 500g", "gift 礼", "洱 cake", "普洱"}
	for range 400 {
		p := catalog[r.IntN(len(catalog))]
		k := x.search[r.IntN(len(x.search))]
		for _, s := range []string{strings.ToLower(p.Name), p.NameZH, k.pinyin, k.initials} {
			if rs := []rune(s); len(rs) > 0 {
				lo := r.IntN(len(rs))
				hi := lo + 1 + r.IntN(len(rs)-lo)
				queries = append(queries, string(rs[lo:hi]))
			}
		}
	}
	skus := func(ps []Product) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.SKU
		}
		return out
	}
	for _, q := range queries {
		q = normalize(q)
		if got, want := searchProducts(x, q), scanSearch(x, q); !reflect.DeepEqual(got, want) {
			t.Fatalf("search %q: index found %v, a scan %v", q, skus(got), skus(want))
		}
	}
}
