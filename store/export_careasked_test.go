package store

import (
	"context"
	"fmt"
	"strings"
)

// ExplainLatestAsked returns the database's plan of LatestAsked's query
// for a customer (EXPLAIN QUERY PLAN on SQLite), one line a step with its
// cells joined by " | ", after a line of the column names. TiDB runs the
// query's subqueries while it plans, so its plan shows only their results:
// there the plans of the subqueries follow.
func ExplainLatestAsked(ctx context.Context, s *Store, customerID int64) (string, error) {
	plan, err := explainAsked(ctx, s, latestAskedSQL, customerID, customerID)
	if err != nil || !s.tidb {
		return plan, err
	}
	for _, q := range []string{latestSurveyIDSQL, latestFollowUpIDSQL} {
		sub, err := explainAsked(ctx, s, q, customerID)
		if err != nil {
			return "", err
		}
		plan += sub
	}
	return plan, nil
}

func explainAsked(ctx context.Context, s *Store, query string, args ...any) (string, error) {
	explain := "EXPLAIN "
	if s.dialect == dialectSQLite {
		explain = "EXPLAIN QUERY PLAN "
	}
	rows, err := s.db.WithContext(ctx).Raw(explain+query, args...).Rows()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out strings.Builder
	fmt.Fprintln(&out, strings.Join(cols, " | "))
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			cells[i] = fmt.Sprint(v)
		}
		fmt.Fprintln(&out, strings.Join(cells, " | "))
	}
	return out.String(), rows.Err()
}
