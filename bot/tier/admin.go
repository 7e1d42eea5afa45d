package tier

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// allowed refuses a staff member below the role an action needs.
func allowed(staff bot.Staff, need bot.Role, what string) error {
	if !staff.Role.AtLeast(need) {
		return fmt.Errorf("%w: %s needs the %s role", bot.ErrForbidden, what, need)
	}
	return nil
}

// Tiers returns the shop's tiers, lowest first.
func (s *Service) Tiers(ctx context.Context) ([]Tier, error) {
	var ts []Tier
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		ts, err = r.TierList(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tiers: %w", err)
	}
	return ts, nil
}

// Rules returns the shop's approval rules.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	var rs []Rule
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		rs, err = r.ApprovalRules(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	return rs, nil
}

// ReplaceTiers sets the whole ladder (admin role), lowest tier first. It is
// refused with bot.ErrInvalid, changing nothing, when the ladder is not
// valid, or a current rule or a pinned customer names a tier it lacks. Customers move to the new
// thresholds when their tier is next recomputed: an order of theirs
// completing, or the daily sweep.
func (s *Service) ReplaceTiers(ctx context.Context, staff bot.Staff, ts []Tier) error {
	if err := allowed(staff, bot.Admin, "changing tiers"); err != nil {
		return err
	}
	if err := ValidateTiers(ts); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		old, err := r.TierList(ctx)
		if err != nil {
			return err
		}
		rules, err := r.ApprovalRules(ctx)
		if err != nil {
			return err
		}
		if err := ValidateRules(rules, ts); err != nil {
			return fmt.Errorf("the current rules do not fit these tiers: %w", err)
		}
		if err := keepsPins(ctx, r, ts); err != nil {
			return err
		}
		if err := r.ReplaceTierList(ctx, ts); err != nil {
			return err
		}
		return s.auditReplace(ctx, tx, staff, "tiers", old, ts)
	})
	if err != nil {
		return fmt.Errorf("replace tiers: %w", err)
	}
	return nil
}

// keepsPins refuses a ladder without a tier some customer is pinned to:
// staff chose that tier for them, so it goes only once they are unpinned.
func keepsPins(ctx context.Context, r Repo, ts []Tier) error {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	gone, n, err := r.PinnedOutside(ctx, names)
	if err != nil || n == 0 {
		return err
	}
	return invalid("%d customers are pinned to tier %q, which these tiers lack: unpin them first", n, gone)
}

// ReplaceRules sets every approval rule (admin role); refused with
// bot.ErrInvalid, changing nothing, when a rule is not valid or two would
// decide the same items.
func (s *Service) ReplaceRules(ctx context.Context, staff bot.Staff, rules []Rule) error {
	if err := allowed(staff, bot.Admin, "changing approval rules"); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		ts, err := r.TierList(ctx)
		if err != nil {
			return err
		}
		if err := ValidateRules(rules, ts); err != nil {
			return err
		}
		old, err := r.ApprovalRules(ctx)
		if err != nil {
			return err
		}
		if err := r.ReplaceApprovalRules(ctx, rules); err != nil {
			return err
		}
		return s.auditReplace(ctx, tx, staff, "rules", old, rules)
	})
	if err != nil {
		return fmt.Errorf("replace rules: %w", err)
	}
	return nil
}

// auditReplace records a replaced list, old and new, in the audit trail.
func (s *Service) auditReplace(ctx context.Context, tx bot.Repo, staff bot.Staff, what string, old, fresh any) error {
	note, err := json.Marshal(map[string]any{"from": old, "to": fresh})
	if err != nil {
		return fmt.Errorf("audit %s: %w", what, err)
	}
	return tx.AddAudit(ctx, bot.AuditEntry{
		Actor: staff.Actor(), Entity: what, Ref: what, Action: "replace", Note: string(note), At: s.now(),
	})
}

// CustomerTier returns the customer's tier as shown and whether it is pinned.
func (s *Service) CustomerTier(ctx context.Context, customerID int64) (bot.Standing, error) {
	var st bot.Standing
	err := s.inTx(ctx, func(tx bot.Repo, _ Repo) error {
		var err error
		st, err = s.Standing(ctx, tx, customerID)
		return err
	})
	if err != nil {
		return bot.Standing{}, fmt.Errorf("tier of customer %d: %w", customerID, err)
	}
	return st, nil
}

// Pin gives a customer a tier by hand (approver role); recomputing leaves
// it alone. An empty tier unpins: the customer gets the tier their
// activity reaches at once.
func (s *Service) Pin(ctx context.Context, staff bot.Staff, customerID int64, tier string) error {
	if err := allowed(staff, bot.Approver, "pinning a tier"); err != nil {
		return err
	}
	now := s.now()
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			return err
		}
		ts, err := r.TierList(ctx)
		if err != nil {
			return err
		}
		m, err := member(ctx, r, customerID)
		if err != nil {
			return err
		}
		from := ladder(ts).standing(m)
		if err := pin(&m, ts, tier, now); err != nil {
			return err
		}
		if err := r.SaveCustomerTier(ctx, m); err != nil {
			return err
		}
		if err := s.auditPin(ctx, tx, staff, customerID, from, tier); err != nil {
			return err
		}
		if tier == "" {
			return s.Recompute(ctx, tx, customerID, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pin tier of customer %d: %w", customerID, err)
	}
	return nil
}

// pin sets or clears the pin on m; the tier must exist.
func pin(m *Member, ts []Tier, tier string, now time.Time) error {
	m.Pinned, m.UpdatedAt = tier != "", now
	if tier == "" {
		return nil
	}
	for _, t := range ts {
		if t.Name == tier {
			m.Tier = tier
			return nil
		}
	}
	return invalid("there is no tier %q", tier)
}

func (s *Service) auditPin(ctx context.Context, tx bot.Repo, staff bot.Staff, customerID int64, from bot.Standing, tier string) error {
	action, to := "pin tier", tier
	if tier == "" {
		action, to = "unpin tier", ""
	}
	return tx.AddAudit(ctx, bot.AuditEntry{
		Actor: staff.Actor(), Entity: "customer", Ref: strconv.FormatInt(customerID, 10), Action: action,
		From: from.Tier, To: to, At: s.now(),
	})
}
