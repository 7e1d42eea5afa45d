package store

import (
	"context"
	"strings"
)

// ExplainLockForInbound returns the database's plan of the read every
// customer message starts with (LockForInbound) for the event dedupKey,
// without its locking clause, in explainPlan's form. TiDB runs the query's
// uncorrelated subqueries while it plans, so there the plans of the two
// that read messages follow.
func ExplainLockForInbound(ctx context.Context, s *Store, channel, userID, dedupKey, courier string) (string, error) {
	now := nowUTC()
	query := strings.TrimSuffix(s.lockCustomerQuery(true), forUpdate)
	args := []any{channel, userID, channel, userID, courier, now, dedupKey, dedupKey, channel, userID}
	plan, err := explainPlan(ctx, s, query, args...)
	if err != nil || !s.tidb {
		return plan, err
	}
	for _, sub := range []struct {
		where string
		args  []any
	}{
		{heldWhere, []any{channel, userID}},
		{waitingWhere, []any{channel, userID, courier, now}},
	} {
		p, err := explainPlan(ctx, s, "SELECT 1 FROM messages"+queueIndex+sub.where+" LIMIT 1", sub.args...)
		if err != nil {
			return "", err
		}
		plan += p
	}
	return plan, nil
}
