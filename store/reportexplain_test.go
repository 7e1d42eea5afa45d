package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ExplainReport returns the database's plan of each report query for
// [from, to), and how long each took to run once, for the benchmark's log.
func ExplainReport(ctx context.Context, s *Store, from, to time.Time, refundTypes, statuses []string) (string, error) {
	var out strings.Builder
	for _, q := range []struct {
		name string
		q    query
	}{
		{"order id bounds", orderIDBoundsQuery(from, to)},
		{"order times (one chunk)", orderTimesQuery(1, 1+factsChunk)},
		{"refunded orders (one chunk)", refundedQuery(1, 1+factsChunk, refundTypes)},
		{"orders (one chunk)", ordersChunkQuery(1, 1+factsChunk, from, to)},
		{"prior orders", priorOrdersQuery(from, to)},
		{"product sales", productSalesQuery(from, to, statuses)},
		{"after-sales counts", afterSalesCountsQuery(from, to)},
		{"customer tiers", customerTiersQuery(from, to)},
		{"export of the orders' items (one chunk)", exportOrdersQuery(1, 1+factsChunk, from, to)},
	} {
		start := time.Now()
		rows, err := s.db.WithContext(ctx).Raw(q.q.sql, q.q.args...).Rows()
		if err != nil {
			return "", err
		}
		n := 0
		for rows.Next() {
			n++
		}
		rows.Close()
		fmt.Fprintf(&out, "== %s: %d rows in %v\n", q.name, n, time.Since(start).Round(time.Millisecond))
		plan, err := explainPlan(ctx, s, q.q.sql, q.q.args...)
		if err != nil {
			return "", err
		}
		out.WriteString(plan)
	}
	return out.String(), nil
}

// explainPlan is the database's plan of query (EXPLAIN QUERY PLAN on
// SQLite), one line a step with its cells joined by " | ", after a line of
// the column names.
func explainPlan(ctx context.Context, s *Store, query string, args ...any) (string, error) {
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
