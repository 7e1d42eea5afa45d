package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/orderbot/orderbot/bot"
)

// workSource is where one kind of work item lives: a table, the condition
// that makes a row open work, and the column saying since when it waits.
type workSource struct {
	kind  bot.WorkKind
	table string
	at    string
	where string
	args  []any
}

func workSources() []workSource {
	return []workSource{
		{bot.WorkNew, "orders", "created_at", "status = ?", []any{string(bot.Pending)}},
		// A confirmed order with a cancel request waits on that decision,
		// not on shipping.
		{bot.WorkFulfil, "orders", "created_at", "status IN (?, ?) AND NOT (status = ? AND cancel_requested = ?)",
			[]any{string(bot.Confirmed), string(bot.Shipped), string(bot.Confirmed), true}},
		{bot.WorkCancel, "orders", "updated_at", "status = ? AND cancel_requested = ?", []any{string(bot.Confirmed), true}},
		{bot.WorkAfterSales, "after_sales", "created_at", "status IN (?, ?)", []any{string(bot.Submitted), string(bot.Approved)}},
		{bot.WorkHandoff, "handoffs", "created_at", "is_open = ?", []any{true}},
		// An unhappy customer's card (bot/care) waits from the answer
		// that opened it until staff close it; idx_care_surveys_card.
		{bot.WorkSurvey, "care_surveys", "answered_at", "card_open = ?", []any{true}},
	}
}

// after is the keyset condition of a source's rows that come after the
// cursor c in the queue's order (at, kind rank, id).
func (s workSource) after(c *bot.WorkItem) (string, []any) {
	at := dbTime(c.At)
	switch rank, cr := s.kind.Rank(), c.Kind.Rank(); {
	case rank > cr:
		return s.at + " >= ?", []any{at}
	case rank < cr:
		return s.at + " > ?", []any{at}
	}
	return "(" + s.at + " > ? OR (" + s.at + " = ? AND id > ?))", []any{at, at, c.ID}
}

// WorkQueue returns a page of the open work, oldest first. Each kind is its
// own subquery, limited on its own, and the database merges them in one
// round trip.
func (r *repo) WorkQueue(ctx context.Context, q bot.WorkQuery) ([]bot.WorkItem, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("work queue: %w: a page needs a limit", bot.ErrInvalid)
	}
	var parts []string
	var args []any
	for _, s := range workSources() {
		if q.Kind != "" && q.Kind != s.kind {
			continue
		}
		where, wargs := s.where, s.args
		if q.After != nil {
			cond, cargs := s.after(q.After)
			where += " AND " + cond
			wargs = append(append([]any{}, wargs...), cargs...)
		}
		parts = append(parts, fmt.Sprintf("SELECT k, id, at FROM (SELECT %d AS k, id, %s AS at FROM %s WHERE %s ORDER BY %s, id LIMIT %d) AS q%d",
			s.kind.Rank(), s.at, s.table, where, s.at, q.Limit, len(parts)))
		args = append(args, wargs...)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("work queue: %w: unknown kind %q", bot.ErrInvalid, q.Kind)
	}
	sql := strings.Join(parts, " UNION ALL ") + fmt.Sprintf(" ORDER BY at, k, id LIMIT %d", q.Limit)
	rows, err := r.db.WithContext(ctx).Raw(sql, args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("work queue: %w", dbErr(err))
	}
	defer rows.Close()
	kinds := bot.WorkKinds()
	var items []bot.WorkItem
	for rows.Next() {
		var k int
		var id int64
		var at any
		if err := rows.Scan(&k, &id, &at); err != nil {
			return nil, fmt.Errorf("work queue: %w", dbErr(err))
		}
		t, err := aggregateTime(at)
		if err != nil || k < 1 || k > len(kinds) {
			return nil, fmt.Errorf("work queue: row %d of kind %d: %v", id, k, err)
		}
		items = append(items, bot.WorkItem{Kind: kinds[k-1], ID: id, At: t})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("work queue: %w", dbErr(err))
	}
	return items, nil
}

// WorkCounts counts the open work of each kind in one round trip.
func (r *repo) WorkCounts(ctx context.Context) (map[bot.WorkKind]int, error) {
	var parts []string
	var args []any
	for _, s := range workSources() {
		parts = append(parts, fmt.Sprintf("SELECT %d AS k, COUNT(*) AS n FROM %s WHERE %s", s.kind.Rank(), s.table, s.where))
		args = append(args, s.args...)
	}
	var rows []struct{ K, N int }
	if err := r.db.WithContext(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("work counts: %w", dbErr(err))
	}
	kinds := bot.WorkKinds()
	out := make(map[bot.WorkKind]int, len(kinds))
	for _, row := range rows {
		if row.K >= 1 && row.K <= len(kinds) {
			out[kinds[row.K-1]] = row.N
		}
	}
	return out, nil
}

// AfterSalesOfCustomer returns the customer's requests, newest first.
func (r *repo) AfterSalesOfCustomer(ctx context.Context, customerID int64, n int) ([]*bot.AfterSales, error) {
	as, err := r.findAfterSales(limit(r.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id DESC"), n))
	if err != nil {
		return nil, fmt.Errorf("after-sales of customer %d: %w", customerID, err)
	}
	return as, nil
}

// HandoffsOfCustomer returns the customer's handoffs, newest first.
func (r *repo) HandoffsOfCustomer(ctx context.Context, customerID int64, n int) ([]*bot.Handoff, error) {
	var rows []handoffRow
	if err := limit(r.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id DESC"), n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("handoffs of customer %d: %w", customerID, dbErr(err))
	}
	hs := make([]*bot.Handoff, len(rows))
	for i, row := range rows {
		hs[i] = handoffFromRow(row)
	}
	return hs, nil
}

// OrdersByID returns the orders with these ids, with items and history,
// in one query each.
func (r *repo) OrdersByID(ctx context.Context, ids []int64) ([]*bot.Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	os, err := r.findOrders(r.db.WithContext(ctx).Where("id IN ?", ids))
	if err != nil {
		return nil, fmt.Errorf("orders by id: %w", err)
	}
	return os, nil
}

// AfterSalesByID returns the requests with these ids, with their history.
func (r *repo) AfterSalesByID(ctx context.Context, ids []int64) ([]*bot.AfterSales, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("id IN ?", ids))
	if err != nil {
		return nil, fmt.Errorf("after-sales by id: %w", err)
	}
	return as, nil
}

// HandoffsByID returns the handoffs with these ids.
func (r *repo) HandoffsByID(ctx context.Context, ids []int64) ([]*bot.Handoff, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []handoffRow
	if err := r.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("handoffs by id: %w", dbErr(err))
	}
	hs := make([]*bot.Handoff, len(rows))
	for i, row := range rows {
		hs[i] = handoffFromRow(row)
	}
	return hs, nil
}
