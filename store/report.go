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

// orderFactsSQL reads each order with the times of its staff decision,
// confirmation and shipment. The lifecycle never returns to pending, so each
// join matches at most one history row and no order is counted twice.
const orderFactsSQL = `SELECT o.id, o.customer_id, o.channel, o.status, o.total, o.created_at,
	d.changed_at, c.changed_at, s.changed_at,
	EXISTS (SELECT 1 FROM after_sales a WHERE a.order_id = o.id AND a.status = ? AND a.request_type IN ?) AS refunded
FROM orders o
LEFT JOIN order_history d ON d.order_id = o.id AND d.from_status = ? AND d.to_status IN ?
LEFT JOIN order_history c ON c.order_id = o.id AND c.to_status = ?
LEFT JOIN order_history s ON s.order_id = o.id AND s.to_status = ?
WHERE o.created_at >= ? AND o.created_at < ?
ORDER BY o.id`

// OrderFacts streams the facts of the orders placed in [from, to).
func (r *repo) OrderFacts(ctx context.Context, from, to time.Time, refundTypes []string, fn func(report.OrderFact) error) error {
	rows, err := r.db.WithContext(ctx).Raw(orderFactsSQL,
		string(bot.Resolved), refundTypes,
		string(bot.Pending), []string{string(bot.Confirmed), string(bot.Rejected)},
		string(bot.Confirmed), string(bot.Shipped), dbTime(from), dbTime(to)).Rows()
	if err != nil {
		return fmt.Errorf("order facts: %w", dbErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var f report.OrderFact
		var decided, confirmed, shipped sql.NullTime
		if err := rows.Scan(&f.ID, &f.CustomerID, &f.Channel, &f.Status, &f.Total, &f.CreatedAt,
			&decided, &confirmed, &shipped, &f.Refunded); err != nil {
			return fmt.Errorf("order facts: %w", dbErr(err))
		}
		f.CreatedAt = f.CreatedAt.UTC()
		f.DecidedAt, f.ConfirmedAt, f.ShippedAt = nullUTC(decided), nullUTC(confirmed), nullUTC(shipped)
		if err := fn(f); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("order facts: %w", dbErr(err))
	}
	return nil
}

func nullUTC(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// PriorOrders counts, for each customer who ordered in [from, to), the
// orders they placed before from.
func (r *repo) PriorOrders(ctx context.Context, from, to time.Time) (map[int64]int, error) {
	rows, err := r.db.WithContext(ctx).Raw(`SELECT c.customer_id,
	(SELECT COUNT(*) FROM orders p WHERE p.customer_id = c.customer_id AND p.created_at < ?)
FROM (SELECT DISTINCT customer_id FROM orders WHERE created_at >= ? AND created_at < ?) c`,
		dbTime(from), dbTime(from), dbTime(to)).Rows()
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

// ProductSales sums quantity and revenue per channel and SKU over the
// items of the orders placed in [from, to) with one of statuses.
func (r *repo) ProductSales(ctx context.Context, from, to time.Time, statuses []string) ([]report.ProductSale, error) {
	var out []report.ProductSale
	err := r.db.WithContext(ctx).Raw(`SELECT o.channel, i.sku, MAX(i.name) AS name, MAX(i.name_zh) AS name_zh,
	SUM(i.qty) AS qty, SUM(i.qty * i.unit_price) AS revenue
FROM orders o JOIN order_items i ON i.order_id = o.id
WHERE o.created_at >= ? AND o.created_at < ? AND o.status IN ?
GROUP BY o.channel, i.sku`, dbTime(from), dbTime(to), statuses).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("product sales: %w", dbErr(err))
	}
	return out, nil
}

// AfterSalesCounts counts requests filed in [from, to) per channel and type.
func (r *repo) AfterSalesCounts(ctx context.Context, from, to time.Time) ([]report.AfterSalesCount, error) {
	var out []report.AfterSalesCount
	err := r.db.WithContext(ctx).Raw(`SELECT o.channel, a.request_type AS type, COUNT(*) AS n
FROM after_sales a JOIN orders o ON o.id = a.order_id
WHERE a.created_at >= ? AND a.created_at < ?
GROUP BY o.channel, a.request_type`, dbTime(from), dbTime(to)).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("after-sales counts: %w", dbErr(err))
	}
	return out, nil
}
