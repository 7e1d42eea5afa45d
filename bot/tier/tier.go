// Package tier gives customers membership tiers and lets the shop's
// approval rules decide orders and after-sales requests by tier. The shop
// edits both: a tier is reached by spend or by completed orders within a
// rolling window; a rule approves at once what a customer of a tier or above
// asks, up to an amount. The core asks through bot.Membership inside its own
// transactions; staff tools call the Service's methods.
package tier

import (
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Tier is one step of the shop's ladder. A customer holds the highest tier
// whose threshold they meet: MinSpend (minor units) or MinOrders completed
// orders within the last WindowDays days; a threshold of 0 is not asked.
// The first tier asks nothing: it is everyone's.
type Tier struct {
	Name       string `json:"name"` // key used by rules and pins: "gold"
	NameZH     string `json:"name_zh"`
	NameEN     string `json:"name_en"`
	MinSpend   int64  `json:"min_spend"`
	MinOrders  int    `json:"min_orders"`
	WindowDays int    `json:"window_days"`
}

// Rule approves at once what a customer of MinTier or above asks for, of one
// Kind ("order" or an after-sales type such as "return"), when the amount at
// stake (the order's total) is at most MaxAmount. Of several matching
// rules the one for the highest tier decides.
type Rule struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	MinTier   string `json:"min_tier"`
	MaxAmount int64  `json:"max_amount"`
}

// Member is the tier a customer holds, with the figures it was computed from.
type Member struct {
	CustomerID int64
	Tier       string
	Pinned     bool
	Spend      int64 // within the window of the tier, when computed
	Orders     int
	UpdatedAt  time.Time
}

// Activity is what counts toward a tier within a window: completed orders
// that were not refunded, and their totals.
type Activity struct {
	Orders int
	Spend  int64
}

// DefaultTiers are the tiers a new shop starts with.
func DefaultTiers() []Tier {
	return []Tier{
		{Name: "regular", NameZH: "普通", NameEN: "Regular", WindowDays: 365},
		{Name: "silver", NameZH: "银卡", NameEN: "Silver", MinSpend: 100000, MinOrders: 3, WindowDays: 365},
		{Name: "gold", NameZH: "金卡", NameEN: "Gold", MinSpend: 500000, MinOrders: 10, WindowDays: 365},
	}
}

// met reports whether the activity reaches the tier.
func (t Tier) met(a Activity) bool {
	if t.MinSpend == 0 && t.MinOrders == 0 {
		return true
	}
	return (t.MinSpend > 0 && a.Spend >= t.MinSpend) || (t.MinOrders > 0 && a.Orders >= t.MinOrders)
}

// ladder is the shop's tiers, lowest first.
type ladder []Tier

// rank is a tier's place on the ladder; an unknown name (a tier since
// removed) counts as the first.
func (l ladder) rank(name string) int {
	for i, t := range l {
		if t.Name == name {
			return i
		}
	}
	return 0
}

// standing is how the core shows the tier a member holds.
func (l ladder) standing(m Member) bot.Standing {
	if len(l) == 0 {
		return bot.Standing{}
	}
	t := l[l.rank(m.Tier)]
	return bot.Standing{Tier: t.Name, NameZH: t.NameZH, NameEN: t.NameEN, Pinned: m.Pinned}
}

// compute returns the highest tier the activity reaches, asking activity
// for each window the ladder uses.
func (l ladder) compute(activity func(days int) (Activity, error)) (Tier, Activity, error) {
	seen := map[int]Activity{}
	best, bestAct := l[0], Activity{}
	for _, t := range l {
		a, ok := seen[t.WindowDays]
		if !ok {
			var err error
			if a, err = activity(t.WindowDays); err != nil {
				return Tier{}, Activity{}, err
			}
			seen[t.WindowDays] = a
		}
		if t.met(a) {
			best, bestAct = t, a
		}
	}
	return best, bestAct, nil
}

// match returns the rule that approves an item of a customer holding tier,
// or false: among the rules of the item's kind that reach the amount and
// whose tier the customer holds, the one for the highest tier.
func (l ladder) match(rules []Rule, tier string, it bot.Approvable) (Rule, bool) {
	held := l.rank(tier)
	var found Rule
	best := -1
	for _, r := range rules {
		need := l.rank(r.MinTier)
		if r.Kind != it.Kind || it.Amount > r.MaxAmount || it.Amount < 0 || need > held || need <= best {
			continue
		}
		found, best = r, need
	}
	return found, best >= 0
}
