package tier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Repo is the storage tiers need. The store's transaction Repo implements
// it beside bot.Repo, so that tiers change in the transaction of the order
// that moves them.
type Repo interface {
	TierList(ctx context.Context) ([]Tier, error)
	// ReplaceTierList stores ts, lowest first, in place of every tier.
	ReplaceTierList(ctx context.Context, ts []Tier) error
	ApprovalRules(ctx context.Context) ([]Rule, error)
	ReplaceApprovalRules(ctx context.Context, rs []Rule) error
	// CustomerTier returns the customer's member row (bot.ErrNotFound when
	// the customer never had one: they hold the first tier).
	CustomerTier(ctx context.Context, customerID int64) (Member, error)
	// CustomerTiers returns the member rows of those customers that have one.
	CustomerTiers(ctx context.Context, customerIDs []int64) (map[int64]Member, error)
	// TierStanding returns the tier the customer holds (their member row's
	// when that tier exists, the first otherwise) and whether it is pinned;
	// bot.ErrNotFound when the shop has no tiers.
	TierStanding(ctx context.Context, customerID int64) (Tier, bool, error)
	SaveCustomerTier(ctx context.Context, m Member) error
	// PinnedOutside counts the customers pinned to a tier not among names,
	// and names one such tier.
	PinnedOutside(ctx context.Context, names []string) (tier string, customers int, err error)
	// TierActivity sums the customer's orders completed at or after since,
	// leaving out refunded ones.
	TierActivity(ctx context.Context, customerID int64, since time.Time) (Activity, error)
	// TierSweepPage returns up to limit ids above afterID, ascending, of
	// customers whose tier may need a new look: those holding a member row
	// and those with a completed order.
	TierSweepPage(ctx context.Context, afterID int64, limit int) ([]int64, error)
}

// Store is what the Service needs around its Repo: transactions, and the
// shared cache through which replicas agree who runs the daily sweep.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
	CacheAdd(ctx context.Context, name, value string, expires, now time.Time) (string, error)
	CacheDelete(ctx context.Context, name string) error
}

// Service keeps the tiers and rules and implements bot.Membership.
type Service struct {
	store Store
	log   *slog.Logger
	clock func() time.Time
	loc   *time.Location
}

var _ bot.Membership = (*Service)(nil)

// New returns the tiers service. clock is time.Now when nil; loc is the
// shop's time zone, which says when a day (and its sweep) begins.
func New(store Store, log *slog.Logger, clock func() time.Time, loc *time.Location) *Service {
	if clock == nil {
		clock = time.Now
	}
	if loc == nil {
		loc = time.UTC
	}
	return &Service{store: store, log: log, clock: clock, loc: loc}
}

func (s *Service) now() time.Time { return s.clock().UTC() }

// repoOf is the tiers' side of a core transaction.
func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("tiers: storage %T keeps no tiers", tx)
	}
	return r, nil
}

// inTx runs fn in one transaction with the tiers' Repo.
func (s *Service) inTx(ctx context.Context, fn func(tx bot.Repo, r Repo) error) error {
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
}

// member returns the customer's member row, or the first tier's when there is none.
func member(ctx context.Context, r Repo, customerID int64) (Member, error) {
	m, err := r.CustomerTier(ctx, customerID)
	if errors.Is(err, bot.ErrNotFound) {
		return Member{CustomerID: customerID}, nil
	}
	return m, err
}

// Standing returns the customer's tier as the core shows it. It runs for
// every message a customer sends, so it costs one statement.
func (s *Service) Standing(ctx context.Context, tx bot.Repo, customerID int64) (bot.Standing, error) {
	r, err := repoOf(tx)
	if err != nil {
		return bot.Standing{}, err
	}
	t, pinned, err := r.TierStanding(ctx, customerID)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Standing{}, nil
	}
	if err != nil {
		return bot.Standing{}, err
	}
	return bot.Standing{Tier: t.Name, NameZH: t.NameZH, NameEN: t.NameEN, Pinned: pinned}, nil
}

// Standings returns the tiers of many customers in two statements.
func (s *Service) Standings(ctx context.Context, tx bot.Repo, customerIDs []int64) (map[int64]bot.Standing, error) {
	r, err := repoOf(tx)
	if err != nil {
		return nil, err
	}
	ts, err := r.TierList(ctx)
	if err != nil {
		return nil, err
	}
	members, err := r.CustomerTiers(ctx, customerIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bot.Standing, len(customerIDs))
	for _, id := range customerIDs {
		m, ok := members[id]
		if !ok {
			m = Member{CustomerID: id}
		}
		out[id] = ladder(ts).standing(m)
	}
	return out, nil
}

// Recompute gives the customer the tier their activity reaches now, unless
// staff pinned one, and audits a change.
func (s *Service) Recompute(ctx context.Context, tx bot.Repo, customerID int64, now time.Time) error {
	r, err := repoOf(tx)
	if err != nil {
		return err
	}
	ts, err := r.TierList(ctx)
	if err != nil || len(ts) == 0 {
		return err
	}
	m, err := member(ctx, r, customerID)
	if err != nil || m.Pinned {
		return err
	}
	t, a, err := ladder(ts).compute(func(days int) (Activity, error) {
		return r.TierActivity(ctx, customerID, now.AddDate(0, 0, -days))
	})
	if err != nil {
		return fmt.Errorf("activity of customer %d: %w", customerID, err)
	}
	from := ladder(ts).standing(m).Tier
	if m.Tier == t.Name && m.Spend == a.Spend && m.Orders == a.Orders {
		return nil
	}
	m.Tier, m.Spend, m.Orders, m.UpdatedAt = t.Name, a.Spend, a.Orders, now
	if err := r.SaveCustomerTier(ctx, m); err != nil {
		return err
	}
	if from == t.Name {
		return nil
	}
	return tx.AddAudit(ctx, bot.AuditEntry{
		Actor: "tiers", Entity: "customer", Ref: fmt.Sprint(customerID), Action: "tier",
		From: from, To: t.Name, Note: fmt.Sprintf("%d orders, spend %d", a.Orders, a.Spend), At: now,
	})
}

// ApprovingRule names the rule that approves the item now, or "".
func (s *Service) ApprovingRule(ctx context.Context, tx bot.Repo, it bot.Approvable) (string, error) {
	r, err := repoOf(tx)
	if err != nil {
		return "", err
	}
	rules, err := r.ApprovalRules(ctx)
	if err != nil || len(rules) == 0 {
		return "", err
	}
	ts, err := r.TierList(ctx)
	if err != nil {
		return "", err
	}
	m, err := member(ctx, r, it.CustomerID)
	if err != nil {
		return "", err
	}
	rule, ok := ladder(ts).match(rules, m.Tier, it)
	if !ok {
		return "", nil
	}
	return rule.Name, nil
}
