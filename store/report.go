package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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

func (r *repo) orderFactsChunk(ctx context.Context, lo, hi int64, from, to time.Time, refundTypes []string, fn func(report.OrderFact) error) error {
	times := map[int64]*report.OrderFact{}
	var id int64
	var fromStatus, toStatus string
	var at time.Time
	err := r.stream(ctx, "order times", orderTimesQuery(lo, hi), []any{&id, &fromStatus, &toStatus, &at}, func() error {
		f := times[id]
		if f == nil {
			f = &report.OrderFact{}
			times[id] = f
		}
		setOrderTime(f, fromStatus, toStatus, at.UTC())
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
	var f report.OrderFact
	return r.stream(ctx, "orders", ordersChunkQuery(lo, hi, from, to),
		[]any{&f.ID, &f.CustomerID, &f.Channel, &f.Status, &f.Total, &f.CreatedAt}, func() error {
			out := f
			if t := times[f.ID]; t != nil {
				out.DecidedAt, out.ConfirmedAt, out.ShippedAt = t.DecidedAt, t.ConfirmedAt, t.ShippedAt
			}
			out.CreatedAt, out.Refunded = f.CreatedAt.UTC(), refunded[f.ID]
			return fn(out)
		})
}

// setOrderTime notes one history step. The lifecycle never returns to
// pending, so each of these steps happens at most once.
func setOrderTime(f *report.OrderFact, from, to string, at time.Time) {
	if from == string(bot.Pending) && (to == string(bot.Confirmed) || to == string(bot.Rejected)) {
		f.DecidedAt = at
	}
	switch to {
	case string(bot.Confirmed):
		f.ConfirmedAt = at
	case string(bot.Shipped):
		f.ShippedAt = at
	}
}

func nullUTC(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func priorOrdersQuery(from, to time.Time) query {
	return query{`SELECT c.customer_id,
	(SELECT COUNT(*) FROM orders p WHERE p.customer_id = c.customer_id AND p.created_at < ?)
FROM (SELECT DISTINCT customer_id FROM orders WHERE created_at >= ? AND created_at < ?) c`,
		[]any{dbTime(from), dbTime(from), dbTime(to)}}
}

// PriorOrders counts, for each customer who ordered in [from, to), the
// orders they placed before from.
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

// saleOrdersQuery reads the channel of each order with an id in [lo, hi)
// placed in [from, to) with one of statuses: a range of idx_orders_report
// (or of the primary key, whichever is narrower), never the orders' rows
// in full.
func saleOrdersQuery(lo, hi int64, from, to time.Time, statuses []string) query {
	return query{`SELECT id, channel FROM orders
WHERE created_at >= ? AND created_at < ? AND status IN ? AND id >= ? AND id < ?`,
		[]any{dbTime(from), dbTime(to), statuses, lo, hi}}
}

// saleItemsQuery reads the items of the orders with ids in [lo, hi): a
// range of the covering index idx_order_items_report.
func saleItemsQuery(lo, hi int64) query {
	return query{`SELECT order_id, sku, qty, unit_price FROM order_items WHERE order_id >= ? AND order_id < ?`, []any{lo, hi}}
}

func productNamesQuery(skus []string) query {
	return query{`SELECT sku, name, name_zh FROM products WHERE sku IN ?`, []any{skus}}
}

// saleKey is one SKU on one channel.
type saleKey struct{ channel, sku string }

// ProductSales sums quantity and revenue per channel and SKU over the
// items of the orders placed in [from, to) with one of statuses. The sums
// are made here, chunk by chunk of order ids, from two index ranges per
// chunk: joining the tables in the database costs one lookup in
// order_items per order and a temporary table, several times the work
// (see BenchmarkReportPlans). The names come from the catalog; the SKU
// stands in for one it lacks.
func (r *repo) ProductSales(ctx context.Context, from, to time.Time, statuses []string) ([]report.ProductSale, error) {
	var lo, hi sql.NullInt64
	q := orderIDBoundsQuery(from, to)
	if err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Row().Scan(&lo, &hi); err != nil {
		return nil, fmt.Errorf("product sales: %w", dbErr(err))
	}
	if !lo.Valid {
		return nil, nil
	}
	sums := map[saleKey]*report.ProductSale{}
	for c := lo.Int64; c <= hi.Int64; c += factsChunk {
		if err := r.saleChunk(ctx, c, min(c+factsChunk, hi.Int64+1), from, to, statuses, sums); err != nil {
			return nil, fmt.Errorf("product sales: %w", err)
		}
	}
	if err := r.nameSales(ctx, sums); err != nil {
		return nil, fmt.Errorf("product sales: %w", err)
	}
	out := make([]report.ProductSale, 0, len(sums))
	for _, p := range sums {
		out = append(out, *p)
	}
	return out, nil
}

// saleChunk adds the items of the chunk's orders that count to sums.
func (r *repo) saleChunk(ctx context.Context, lo, hi int64, from, to time.Time, statuses []string, sums map[saleKey]*report.ProductSale) error {
	channels := map[int64]string{}
	var id int64
	var channel string
	err := r.stream(ctx, "sale orders", saleOrdersQuery(lo, hi, from, to, statuses), []any{&id, &channel}, func() error {
		channels[id] = channel
		return nil
	})
	if err != nil || len(channels) == 0 {
		return err
	}
	var sku string
	var qty, price int64
	return r.stream(ctx, "sale items", saleItemsQuery(lo, hi), []any{&id, &sku, &qty, &price}, func() error {
		ch, ok := channels[id]
		if !ok {
			return nil
		}
		k := saleKey{ch, sku}
		p := sums[k]
		if p == nil {
			p = &report.ProductSale{Channel: ch, SKU: sku}
			sums[k] = p
		}
		p.Qty += qty
		p.Revenue += qty * price
		return nil
	})
}

// nameSales gives each sum its catalog names.
func (r *repo) nameSales(ctx context.Context, sums map[saleKey]*report.ProductSale) error {
	if len(sums) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var skus []string
	for k := range sums {
		if !seen[k.sku] {
			seen[k.sku] = true
			skus = append(skus, k.sku)
		}
	}
	names := map[string][2]string{}
	var sku, name, nameZH string
	// A few hundred SKUs to a statement keeps within the placeholders a
	// statement may have however large the catalog.
	for part := range slices.Chunk(skus, 500) {
		err := r.stream(ctx, "product names", productNamesQuery(part), []any{&sku, &name, &nameZH}, func() error {
			names[sku] = [2]string{name, nameZH}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for k, p := range sums {
		p.Name, p.NameZH = k.sku, ""
		if n, ok := names[k.sku]; ok {
			p.Name, p.NameZH = n[0], n[1]
		}
	}
	return nil
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
