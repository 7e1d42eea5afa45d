package conversation

import (
	"fmt"
	"testing"
)

// TestBrowseCostIsFlat: with the index a core keeps (Env.Index), showing
// the categories, a category's page and a product allocates as much with
// 10,000 products as with 400: nothing in a step walks the catalog.
func TestBrowseCostIsFlat(t *testing.T) {
	if raceDetector {
		t.Skip("allocation counts differ from run to run under the race detector")
	}
	allocs := func(size int) map[string]float64 {
		catalog := make([]Product, size)
		for i := range catalog {
			catalog[i] = Product{SKU: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("Tea %d", i),
				Category: fmt.Sprintf("C%02d", i%20), CategoryZH: fmt.Sprintf("类%02d", i%20), Price: 100, Stock: 5}
		}
		env := testEnv()
		env.Catalog, env.Index = catalog, IndexCatalog(catalog)
		at := func(st Stage) State {
			s := stateAt(st, English)
			s.Cart, s.Category, s.SKU = nil, "C07", "P00007"
			return s
		}
		got := map[string]float64{}
		for name, step := range map[string]struct {
			s  State
			in Input
		}{
			"categories": {at(stageMenu), Input{Button: keyBrowse}},
			"category":   {at(stageCategories), Input{Button: "cat:C07"}},
			"product":    {at(stageProducts), Input{Button: "sku:P00007"}},
		} {
			got[name] = testing.AllocsPerRun(20, func() { Step(env, step.s, step.in) })
		}
		return got
	}
	small, large := allocs(400), allocs(10000)
	for name, n := range small {
		// A page number of three digits is one allocation more.
		if large[name] > n+2 {
			t.Errorf("%s: %.0f allocations with 10,000 products, %.0f with 400", name, large[name], n)
		}
	}
}
