package tier

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// Limits on what the shop may set; beyond them the input is a mistake.
const (
	maxTiers      = 10
	maxRules      = 50
	maxLabel      = 20    // runes of a tier's display name
	maxWindowDays = 3650  // ten years
	maxAmount     = 1e12  // minor units: ten billion in the shop's currency
	maxOrderCount = 10000 // completed orders a threshold may ask
)

// key reports whether s may name a tier or a rule: the name appears in
// actors ("rule:gold-fast"), URLs and filters, so 1-32 characters of
// lowercase ASCII letters, digits, "-" and "_", starting with a letter or digit.
func key(s string) bool {
	if len(s) == 0 || len(s) > 32 || s[0] == '-' || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{bot.ErrInvalid}, args...)...)
}

// ValidateTiers checks a whole ladder, lowest tier first: names unique and
// well formed, thresholds not negative, the first tier asking nothing and
// each later one asking something, and more than the tier below.
func ValidateTiers(ts []Tier) error {
	if len(ts) == 0 || len(ts) > maxTiers {
		return invalid("there must be 1 to %d tiers", maxTiers)
	}
	seen := map[string]string{}
	for i, t := range ts {
		if err := validateTier(t); err != nil {
			return err
		}
		for _, name := range []string{t.Name, "zh:" + t.NameZH, "en:" + t.NameEN} {
			if other, dup := seen[name]; dup {
				return invalid("tiers %q and %q have the same name", other, t.Name)
			}
			seen[name] = t.Name
		}
		asks := t.MinSpend > 0 || t.MinOrders > 0
		switch {
		case i == 0 && asks:
			return invalid("the first tier %q is everyone's and cannot ask for spend or orders", t.Name)
		case i > 0 && !asks:
			return invalid("tier %q needs a minimum spend or number of orders", t.Name)
		case i > 0:
			if err := above(ts[i-1], t); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateTier(t Tier) error {
	switch {
	case !key(t.Name):
		return invalid("tier name %q must be 1-32 lowercase letters, digits, - or _", t.Name)
	case !label(t.NameZH) || !label(t.NameEN):
		return invalid("tier %q needs a Chinese and an English name of 1-%d characters", t.Name, maxLabel)
	case t.MinSpend < 0 || t.MinOrders < 0:
		return invalid("tier %q has a negative threshold", t.Name)
	case t.MinSpend > maxAmount || t.MinOrders > maxOrderCount:
		return invalid("tier %q has a threshold beyond any customer", t.Name)
	case t.WindowDays < 1 || t.WindowDays > maxWindowDays:
		return invalid("tier %q needs a window of 1-%d days", t.Name, maxWindowDays)
	}
	return nil
}

// above checks that t asks more than the tier below it on every threshold
// both ask, so that the higher tier is never the easier one.
func above(below, t Tier) error {
	if below.MinSpend > 0 && t.MinSpend > 0 && t.MinSpend <= below.MinSpend {
		return invalid("tier %q must ask a higher spend than %q below it", t.Name, below.Name)
	}
	if below.MinOrders > 0 && t.MinOrders > 0 && t.MinOrders <= below.MinOrders {
		return invalid("tier %q must ask more orders than %q below it", t.Name, below.Name)
	}
	return nil
}

// label reports whether s can be shown as a tier's name.
func label(s string) bool {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > maxLabel || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// ValidateRules checks rules against the ladder they use: names unique and
// well formed, a known kind and tier, a positive amount, and no two rules
// for the same kind and tier, which would leave unclear which one decides.
func ValidateRules(rules []Rule, ts []Tier) error {
	if len(rules) > maxRules {
		return invalid("at most %d rules", maxRules)
	}
	tiers := map[string]bool{}
	for _, t := range ts {
		tiers[t.Name] = true
	}
	names := map[string]bool{}
	scopes := map[string]string{}
	for _, r := range rules {
		switch {
		case !key(r.Name):
			return invalid("rule name %q must be 1-32 lowercase letters, digits, - or _", r.Name)
		case names[r.Name]:
			return invalid("two rules are named %q", r.Name)
		case r.Kind != bot.ApprovableOrder && !bot.AfterSalesType(r.Kind).Valid():
			return invalid("rule %q: unknown kind %q (order, return, refund, exchange, repair, complaint)", r.Name, r.Kind)
		case !tiers[r.MinTier]:
			return invalid("rule %q names tier %q, which does not exist", r.Name, r.MinTier)
		case r.MaxAmount <= 0 || r.MaxAmount > maxAmount:
			return invalid("rule %q needs a maximum amount above 0", r.Name)
		}
		scope := r.Kind + "/" + r.MinTier
		if other, dup := scopes[scope]; dup {
			return invalid("rules %q and %q both approve %s for tier %q and above: keep one", other, r.Name, r.Kind, r.MinTier)
		}
		names[r.Name], scopes[scope] = true, r.Name
	}
	return nil
}
