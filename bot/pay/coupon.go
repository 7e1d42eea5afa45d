package pay

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// Coupon is a discount code: a percentage or a fixed amount off the items,
// with optional conditions. Zero limits mean "no limit".
type Coupon struct {
	ID                 int64
	Code               string // upper case
	PercentOff         int    // 1-100, or 0 with AmountOff
	AmountOff          int64  // minor units, or 0 with PercentOff
	MinSpend           int64  // the items must cost at least this
	Tier               string // only customers of this tier; "" for all
	StartsAt, EndsAt   time.Time
	MaxUses            int
	MaxUsesPerCustomer int
	Uses               int
	Disabled           bool
	CreatedBy          string
	CreatedAt          time.Time
}

var codeShape = regexp.MustCompile(`^[A-Z0-9_-]{3,32}$`)

// NormalizeCode is how codes are stored and compared: trimmed, upper case.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// Validate checks a new coupon; the error wraps bot.ErrInvalid and says
// what is wrong.
func (c Coupon) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{bot.ErrInvalid}, args...)...)
	}
	switch {
	case !codeShape.MatchString(c.Code):
		return bad("code must be 3-32 letters, digits, '-' or '_'")
	case (c.PercentOff == 0) == (c.AmountOff == 0):
		return bad("give one of percent_off or amount_off")
	case c.PercentOff < 0 || c.PercentOff > 100:
		return bad("percent_off must be 1-100")
	case c.AmountOff < 0:
		return bad("amount_off must be positive (minor units)")
	case c.MinSpend < 0:
		return bad("min_spend must not be negative")
	case c.MaxUses < 0 || c.MaxUsesPerCustomer < 0:
		return bad("max_uses and max_uses_per_customer must not be negative")
	case !c.StartsAt.IsZero() && !c.EndsAt.IsZero() && !c.StartsAt.Before(c.EndsAt):
		return bad("starts_at must be before ends_at")
	}
	return nil
}

// Discount is what the coupon takes off items costing subtotal: never more
// than the items cost; a percentage is rounded down to the minor unit.
func (c Coupon) Discount(subtotal int64) int64 {
	if c.PercentOff > 0 {
		return subtotal * int64(c.PercentOff) / 100
	}
	return min(c.AmountOff, subtotal)
}

// check says why the coupon does not apply to an order of subtotal by a
// customer of tier who used it `used` times; nil when it applies.
func (c Coupon) check(subtotal int64, tier string, used int, now time.Time) *bot.CouponError {
	refuse := func(p conversation.Problem) *bot.CouponError {
		return &bot.CouponError{Code: c.Code, Problem: p, MinSpend: c.MinSpend}
	}
	switch {
	case c.Disabled:
		return refuse(conversation.CouponUnknown)
	case !c.StartsAt.IsZero() && now.Before(c.StartsAt):
		return refuse(conversation.CouponNotStarted)
	case !c.EndsAt.IsZero() && !now.Before(c.EndsAt):
		return refuse(conversation.CouponExpired)
	case c.Tier != "" && c.Tier != tier:
		return refuse(conversation.CouponTier)
	case c.MaxUses > 0 && c.Uses >= c.MaxUses:
		return refuse(conversation.CouponUsedUp)
	case c.MaxUsesPerCustomer > 0 && used >= c.MaxUsesPerCustomer:
		return refuse(conversation.CouponUsedByYou)
	case subtotal < c.MinSpend:
		return refuse(conversation.CouponMinSpend)
	}
	return nil
}
