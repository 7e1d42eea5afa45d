package conversation

import (
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
	for omit := Needs(1); omit <= NeedCatalog|NeedOrders; omit++ {
		partial := env
		partial.Omitted = omit
		partial.Catalog, partial.Orders = nil, nil
		if omit&NeedCatalog == 0 {
			partial.Catalog = env.Catalog
		}
		if omit&NeedOrders == 0 {
			partial.Orders = env.Orders
		}
		got := run(partial)
		for rounds := 0; got.Needs != 0; rounds++ {
			if got.Needs&^partial.Omitted != 0 || rounds == 2 {
				t.Fatalf("omitted %b: needs %b after %d rounds", omit, got.Needs, rounds)
			}
			if got.Needs&NeedCatalog != 0 {
				partial.Catalog = env.Catalog
			}
			if got.Needs&NeedOrders != 0 {
				partial.Orders = env.Orders
			}
			partial.Omitted &^= got.Needs
			got = run(partial)
		}
		if !reflect.DeepEqual(got, full) {
			t.Fatalf("omitted %b: the step's result differs from the one on the whole Env:\n%+v\n%+v", omit, got, full)
		}
	}
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
