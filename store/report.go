package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
)

var _ report.Source = (*repo)(nil)

// factsChunk is how many order ids OrderFacts reads at a time: each chunk
// is three range scans (orders by primary key, history and after-sales by
// their order_id indexes), and only one chunk's history is held in memory,
// however long the range.
const factsChunk = 20_000

// orderIDBounds is the lowest and highest id of the orders placed in
// [from, to), read from the created_at index alone (InnoDB keeps the
// primary key in every secondary index).
func orderIDBoundsQuery(from, to time.Time) query {
	return query{"SELECT MIN(id), MAX(id) FROM orders WHERE created_at >= ? AND created_at < ?", []any{dbTime(from), dbTime(to)}}
}

// orderTimesQuery reads the history steps that date a staff decision, a
// confirmation and a shipment, for the orders with ids in [lo, hi).
func orderTimesQuery(lo, hi int64) query {
	return query{`SELECT order_id, from_status, to_status, changed_at FROM order_history
WHERE order_id >= ? AND order_id < ? AND to_status IN ?`,
		[]any{lo, hi, []string{string(bot.Confirmed), string(bot.Rejected), string(bot.Shipped)}}}
}

func refundedQuery(lo, hi int64, refundTypes []string) query {
	return query{`SELECT DISTINCT order_id FROM after_sales
WHERE order_id >= ? AND order_id < ? AND status = ? AND request_type IN ?`,
		[]any{lo, hi, string(bot.Resolved), refundTypes}}
}

func ordersChunkQuery(lo, hi int64, from, to time.Time) query {
	return query{`SELECT id, customer_id, channel, status, total, created_at FROM orders
WHERE id >= ? AND id < ? AND created_at >= ? AND created_at < ?`, []any{lo, hi, dbTime(from), dbTime(to)}}
}

// query is one statement with its arguments.
type query struct {
	sql  string
	args []any
}

// OrderFacts streams the facts of the orders placed in [from, to), chunk
// by chunk of ids.
func (r *repo) OrderFacts(ctx context.Context, from, to time.Time, refundTypes []string, fn func(report.OrderFact) error) error {
	var lo, hi sql.NullInt64
	q := orderIDBoundsQuery(from, to)
	if err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Row().Scan(&lo, &hi); err != nil {
		return fmt.Errorf("order facts: %w", dbErr(err))
	}
	if !lo.Valid {
		return nil
	}
	for c := lo.Int64; c <= hi.Int64; c += factsChunk {
		if err := r.orderFactsChunk(ctx, c, min(c+factsChunk, hi.Int64+1), from, to, refundTypes, fn); err != nil {
			return fmt.Errorf("order facts: %w", err)
		}
	}
	return nil
}

// orderFactsChunk streams the facts of the orders with ids in [lo, hi).
// A report reads some hundred thousand orders and twice as many history
// steps, so the rows cost no allocation each: the steps' times go to a
// slice indexed by order id (ids in a chunk are dense), statuses are read
// as raw bytes, and the orders' channel and status strings are made once
// per chunk.
func (r *repo) orderFactsChunk(ctx context.Context, lo, hi int64, from, to time.Time, refundTypes []string, fn func(report.OrderFact) error) error {
	times := make([]orderTimes, hi-lo)
	var id int64
	var fromStatus, toStatus sql.RawBytes
	var at time.Time
	err := r.stream(ctx, "order times", orderTimesQuery(lo, hi), []any{&id, &fromStatus, &toStatus, &at}, func() error {
		if id >= lo && id < hi {
			times[id-lo].set(fromStatus, toStatus, at.UTC())
		}
		return nil
	})
	if err != nil {
		return err
	}
	refunded := map[int64]bool{}
	if err := r.stream(ctx, "refunds", refundedQuery(lo, hi, refundTypes), []any{&id}, func() error {
		refunded[id] = true
		return nil
	}); err != nil {
		return err
	}
	words := map[string]string{}
	word := func(b []byte) string {
		w, ok := words[string(b)]
		if !ok {
			w = string(b)
			words[w] = w
		}
		return w
	}
	var f report.OrderFact
	var channel, status sql.RawBytes
	return r.stream(ctx, "orders", ordersChunkQuery(lo, hi, from, to),
		[]any{&f.ID, &f.CustomerID, &channel, &status, &f.Total, &f.CreatedAt}, func() error {
			out := f
			if f.ID >= lo && f.ID < hi {
				t := times[f.ID-lo]
				out.DecidedAt, out.ConfirmedAt, out.ShippedAt = t.decided, t.confirmed, t.shipped
			}
			out.Channel, out.Status = word(channel), word(status)
			out.CreatedAt, out.Refunded = f.CreatedAt.UTC(), refunded[f.ID]
			return fn(out)
		})
}

// orderTimes is when an order was decided, confirmed and shipped.
type orderTimes struct{ decided, confirmed, shipped time.Time }

// set notes one history step. The lifecycle never returns to pending, so
// each of these steps happens at most once.
func (t *orderTimes) set(from, to []byte, at time.Time) {
	if string(from) == string(bot.Pending) && (string(to) == string(bot.Confirmed) || string(to) == string(bot.Rejected)) {
		t.decided = at
	}
	switch string(to) {
	case string(bot.Confirmed):
		t.confirmed = at
	case string(bot.Shipped):
		t.shipped = at
	}
}

func nullUTC(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// priorOrdersQuery: the range's customers from a range of
// idx_orders_report, and for each whether they ordered before, from the
// first entry of idx_orders_customer_created that says so (EXISTS stops
// there; counting would read every earlier order of every regular).
func priorOrdersQuery(from, to time.Time) query {
	return query{`SELECT c.customer_id,
	CASE WHEN EXISTS (SELECT 1 FROM orders p WHERE p.customer_id = c.customer_id AND p.created_at < ?) THEN 1 ELSE 0 END
FROM (SELECT DISTINCT customer_id FROM orders WHERE created_at >= ? AND created_at < ?) c`,
		[]any{dbTime(from), dbTime(from), dbTime(to)}}
}

// PriorOrders tells, for each customer who ordered in [from, to), whether
// they placed an order before from (1) or not (0).
func (r *repo) PriorOrders(ctx context.Context, from, to time.Time) (map[int64]int, error) {
	q := priorOrdersQuery(from, to)
	rows, err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Rows()
	if err != nil {
		return nil, fmt.Errorf("prior orders: %w", dbErr(err))
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("prior orders: %w", dbErr(err))
		}
		out[id] = n
	}
	return out, dbErr(rows.Err())
}

func productSalesQuery(from, to time.Time, statuses []string) query {
	// A range of idx_orders_report (the orders of the range, covered)
	// joined to the covering index idx_order_items_report: no row of
	// either table is read. Summing the items here instead was measured:
	// the database's CPU halves, ours grows by more than that saves. The
	// names come from the catalog (the SKU stands in for one it lacks).
	return query{`SELECT s.channel, s.sku, COALESCE(p.name, s.sku) AS name, COALESCE(p.name_zh, '') AS name_zh, s.qty, s.revenue
FROM (SELECT o.channel, i.sku, SUM(i.qty) AS qty, SUM(i.qty * i.unit_price) AS revenue
	FROM orders o JOIN order_items i ON i.order_id = o.id
	WHERE o.created_at >= ? AND o.created_at < ? AND o.status IN ?
	GROUP BY o.channel, i.sku) s
LEFT JOIN products p ON p.sku = s.sku`, []any{dbTime(from), dbTime(to), statuses}}
}

// ProductSales sums quantity and revenue per channel and SKU over the
// items of the orders placed in [from, to) with one of statuses.
func (r *repo) ProductSales(ctx context.Context, from, to time.Time, statuses []string) ([]report.ProductSale, error) {
	var out []report.ProductSale
	q := productSalesQuery(from, to, statuses)
	err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("product sales: %w", dbErr(err))
	}
	return out, nil
}

func afterSalesCountsQuery(from, to time.Time) query {
	return query{`SELECT o.channel, a.request_type AS type, COUNT(*) AS n
FROM after_sales a JOIN orders o ON o.id = a.order_id
WHERE a.created_at >= ? AND a.created_at < ?
GROUP BY o.channel, a.request_type`, []any{dbTime(from), dbTime(to)}}
}

// AfterSalesCounts counts requests filed in [from, to) per channel and type.
func (r *repo) AfterSalesCounts(ctx context.Context, from, to time.Time) ([]report.AfterSalesCount, error) {
	var out []report.AfterSalesCount
	q := afterSalesCountsQuery(from, to)
	err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("after-sales counts: %w", dbErr(err))
	}
	return out, nil
}

func customerTiersQuery(from, to time.Time) query {
	// A semi-join: each tier row is checked against the customer's orders
	// in idx_orders_customer_created, or the range's customers are
	// materialised from it; either way no order row is read.
	return query{`SELECT ct.customer_id, ct.tier FROM customer_tiers ct
WHERE ct.customer_id IN (SELECT customer_id FROM orders WHERE created_at >= ? AND created_at < ?)`,
		[]any{dbTime(from), dbTime(to)}}
}

// OrderingCustomerTiers maps the customers who ordered in [from, to) and have a
// tier row to their stored tier.
func (r *repo) OrderingCustomerTiers(ctx context.Context, from, to time.Time) (map[int64]string, error) {
	out := map[int64]string{}
	var id int64
	var name string
	err := r.stream(ctx, "customer tiers", customerTiersQuery(from, to), []any{&id, &name}, func() error {
		out[id] = name
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TierLadder lists the tiers' names, lowest first.
func (r *repo) TierLadder(ctx context.Context) ([]report.TierName, error) {
	ts, err := r.TierList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]report.TierName, len(ts))
	for i, t := range ts {
		out[i] = report.TierName{Name: t.Name, NameZH: t.NameZH, NameEN: t.NameEN}
	}
	return out, nil
}
