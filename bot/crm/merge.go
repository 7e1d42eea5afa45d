package crm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Record is the part of a customer row a merge decides on: whether it was
// merged into another customer already, and into which.
type Record struct {
	ID         int64
	MergedInto int64 // 0 while the customer stands on its own
}

// MergeRepo is the storage merging needs; the store's transaction Repo
// implements it beside bot.Repo.
type MergeRepo interface {
	// LockCustomerRecords locks the rows of the customers in the order
	// given, and returns those that exist.
	LockCustomerRecords(ctx context.Context, ids []int64) (map[int64]Record, error)
	// MergeCustomer moves every identity, order, after-sales request,
	// handoff and its transcript, tag and note of customer other to keep,
	// fills in keep's empty contact details from other's, drops other's
	// tier (keep's is recomputed), and leaves other pointing at keep.
	MergeCustomer(ctx context.Context, otherID, keepID int64, by string, at time.Time) error
}

// Merge makes customer other part of customer keep: one person who wrote on
// two channels. Approver role. Merging a customer into one it was merged
// into already changes nothing and succeeds, so that a retried request is
// harmless; bot.ErrNotFound when either is unknown or keep was itself
// merged away; bot.ErrConflict when other went into a third customer.
func (s *Service) Merge(ctx context.Context, staff bot.Staff, keepID, otherID int64) error {
	if !staff.Role.AtLeast(bot.Approver) {
		return fmt.Errorf("%w: merging customers needs the approver role", bot.ErrForbidden)
	}
	if keepID == otherID {
		return fmt.Errorf("%w: a customer cannot be merged into itself", bot.ErrInvalid)
	}
	now := s.clock().UTC()
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, ok := tx.(MergeRepo)
		if !ok {
			return fmt.Errorf("crm: storage %T cannot merge customers", tx)
		}
		// The merged-away customer first: a message through one of its
		// identities locks it and then, once merged, the kept one, and
		// taking them in the same order keeps the two from deadlocking.
		recs, err := r.LockCustomerRecords(ctx, []int64{otherID, keepID})
		if err != nil {
			return err
		}
		keep, okKeep := recs[keepID]
		other, okOther := recs[otherID]
		switch {
		case !okKeep || keep.MergedInto != 0:
			return fmt.Errorf("customer %d: %w", keepID, bot.ErrNotFound)
		case !okOther:
			return fmt.Errorf("customer %d: %w", otherID, bot.ErrNotFound)
		case other.MergedInto == keepID:
			return nil
		case other.MergedInto != 0:
			return fmt.Errorf("%w: customer %d was merged into customer %d already", bot.ErrConflict, otherID, other.MergedInto)
		}
		if err := r.MergeCustomer(ctx, otherID, keepID, staff.Actor(), now); err != nil {
			return err
		}
		// Under both ids, so that either customer's trail tells it.
		for _, ref := range []int64{keepID, otherID} {
			err := tx.AddAudit(ctx, bot.AuditEntry{
				Actor: staff.Actor(), Entity: "customer", Ref: strconv.FormatInt(ref, 10), Action: "merge",
				From: strconv.FormatInt(otherID, 10), To: strconv.FormatInt(keepID, 10),
				Note: fmt.Sprintf("customer %d merged into customer %d", otherID, keepID), At: now,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("merge customer %d into %d: %w", otherID, keepID, err)
	}
	return nil
}
