package tier

import (
	"testing"

	"github.com/orderbot/orderbot/bot"
)

func TestMatchPicksTheRuleOfTheHighestTierHeld(t *testing.T) {
	rules := []Rule{
		{Name: "silver-orders", Kind: "order", MinTier: "silver", MaxAmount: 50000},
		{Name: "gold-orders", Kind: "order", MinTier: "gold", MaxAmount: 200000},
		{Name: "any-repairs", Kind: "repair", MinTier: "regular", MaxAmount: 1000},
	}
	l := ladder(DefaultTiers())
	cases := []struct {
		tier   string
		kind   string
		amount int64
		want   string
	}{
		{"gold", "order", 40000, "gold-orders"},     // both match: the higher tier's decides
		{"gold", "order", 200000, "gold-orders"},    // the maximum is included
		{"gold", "order", 200001, ""},               // above every maximum
		{"silver", "order", 50000, "silver-orders"}, // silver holds only its own
		{"silver", "order", 60000, ""},              // the gold rule is not silver's
		{"regular", "order", 100, ""},
		{"", "repair", 500, "any-repairs"},        // no member row: the first tier
		{"removed", "repair", 500, "any-repairs"}, // a tier since removed counts as the first
		{"gold", "return", 1, ""},                 // no rule of that kind
		{"gold", "order", -1, ""},                 // a negative amount is never approved
	}
	for _, c := range cases {
		got, ok := l.match(rules, c.tier, bot.Approvable{Kind: c.kind, Amount: c.amount})
		if got.Name != c.want || ok != (c.want != "") {
			t.Errorf("%s %s %d: got %q %v, want %q", c.tier, c.kind, c.amount, got.Name, ok, c.want)
		}
	}
}

func TestComputeTakesTheHighestTierReached(t *testing.T) {
	l := ladder(DefaultTiers())
	cases := []struct {
		a    Activity
		want string
	}{
		{Activity{}, "regular"},
		{Activity{Orders: 2, Spend: 99999}, "regular"},
		{Activity{Orders: 3}, "silver"},
		{Activity{Spend: 100000}, "silver"},
		{Activity{Orders: 9, Spend: 499999}, "silver"},
		{Activity{Orders: 10}, "gold"},
		{Activity{Spend: 500000}, "gold"},
	}
	for _, c := range cases {
		got, _, err := l.compute(func(int) (Activity, error) { return c.a, nil })
		if err != nil || got.Name != c.want {
			t.Errorf("%+v: got %q, %v, want %q", c.a, got.Name, err, c.want)
		}
	}
}
