package store

import "context"

// ExplainLatestAsked returns the database's plan of LatestAsked's query
// for a customer (EXPLAIN QUERY PLAN on SQLite), one line a step with its
// cells joined by " | ", after a line of the column names. TiDB runs the
// query's subqueries while it plans, so its plan shows only their results:
// there the plans of the subqueries follow.
func ExplainLatestAsked(ctx context.Context, s *Store, customerID int64) (string, error) {
	plan, err := explainPlan(ctx, s, latestAskedSQL, customerID, customerID)
	if err != nil || !s.tidb {
		return plan, err
	}
	for _, q := range []string{latestSurveyIDSQL, latestFollowUpIDSQL} {
		sub, err := explainPlan(ctx, s, q, customerID)
		if err != nil {
			return "", err
		}
		plan += sub
	}
	return plan, nil
}
