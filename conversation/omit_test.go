package conversation

import (
	"maps"
	"reflect"
	"testing"
)

// checkOmitted runs a step (run) with every combination of Env's costly
// parts left out, the way the core does: it loads what the result says it
// needs and runs again until nothing is missing. The result must be the
// one the step gives on the whole Env, else a look at the catalog or the
// orders went around turn.catalog or turn.orders.
func checkOmitted(t testing.TB, env Env, run func(Env) Result) {
	t.Helper()
	env.Omitted = 0
	full := run(env)
	if full.Needs != 0 {
		t.Fatalf("a step on the whole Env says it needs %b", full.Needs)
	}
	// With NeedStock omitted the catalog's stock is stale (here: wrong)
	// and only what Env.Stock says counts.
	stale := make([]Product, len(env.Catalog))
	for i, p := range env.Catalog {
		p.Stock = 1000 - p.Stock
		stale[i] = p
	}
	all := NeedCatalog | NeedOrders | NeedTier | NeedStock
	for omit := Needs(1); omit <= all; omit++ {
		partial := env
		partial.Omitted = omit
		partial.Catalog, partial.Orders, partial.Tier, partial.Stock = nil, nil, Tier{}, nil
		catalog := env.Catalog
		if omit&NeedStock != 0 {
			catalog = stale
		}
		if omit&NeedCatalog == 0 {
			partial.Catalog = catalog
		}
		if omit&NeedOrders == 0 {
			partial.Orders = env.Orders
		}
		if omit&NeedTier == 0 {
			partial.Tier = env.Tier
		}
		got := run(partial)
		for rounds := 0; got.Needs != 0; rounds++ {
			if got.Needs&^partial.Omitted != 0 || rounds == len(env.Catalog)+3 {
				t.Fatalf("omitted %b: needs %b after %d rounds", omit, got.Needs, rounds)
			}
			if got.Needs&NeedCatalog != 0 {
				partial.Catalog = catalog
			}
			if got.Needs&NeedOrders != 0 {
				partial.Orders = env.Orders
			}
			if got.Needs&NeedTier != 0 {
				partial.Tier = env.Tier
			}
			if got.Needs&NeedStock != 0 {
				if len(got.StockOf) == 0 {
					t.Fatalf("omitted %b: needs stock of no product", omit)
				}
				partial.Stock = maps.Clone(partial.Stock)
				if partial.Stock == nil {
					partial.Stock = map[string]int{}
				}
				for _, sku := range got.StockOf {
					if _, ok := partial.Stock[sku]; ok {
						t.Fatalf("omitted %b: needs the stock of %s again", omit, sku)
					}
					partial.Stock[sku] = stockOf(env.Catalog, sku)
				}
			}
			partial.Omitted &^= got.Needs &^ NeedStock
			got = run(partial)
		}
		if !reflect.DeepEqual(got, full) {
			t.Fatalf("omitted %b: the step's result differs from the one on the whole Env:\n%+v\n%+v", omit, got, full)
		}
	}
}

func stockOf(catalog []Product, sku string) int {
	for _, p := range catalog {
		if p.SKU == sku {
			return p.Stock
		}
	}
	return 0
}

// TestStepSaysWhatItNeeds: a step that shows products or orders asks for
// them, and one that shows neither runs without them, which is what spares
// the core its queries.
func TestStepSaysWhatItNeeds(t *testing.T) {
	omitted := testEnv()
	omitted.Omitted, omitted.Catalog, omitted.Orders = NeedCatalog|NeedOrders, nil, nil
	at := func(st Stage) State { return stateAt(st, English) }
	for _, tc := range []struct {
		name string
		s    State
		in   Input
		want Needs
	}{
		{"menu", at(stageMenu), Input{Text: "menu"}, 0},
		{"browse", at(stageMenu), Input{Button: keyBrowse}, NeedCatalog},
		{"search", at(stageMenu), Input{Text: "green tea"}, NeedCatalog},
		{"orders", at(stageMenu), Input{Text: "orders"}, NeedOrders},
		{"a name at checkout", at(stageName), Input{Text: "Li Lei"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Step(omitted, tc.s, tc.in).Needs; got != tc.want {
				t.Errorf("needs %b, want %b", got, tc.want)
			}
			checkOmitted(t, testEnv(), func(env Env) Result { return Step(env, tc.s, tc.in) })
		})
	}
}
