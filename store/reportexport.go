package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
)

var _ report.ExportSource = (*repo)(nil)

// stream runs query and hands each row, scanned into dest, to emit; the
// driver streams the result, so memory does not grow with it.
func (r *repo) stream(ctx context.Context, what string, q query, dest []any, emit func() error) error {
	rows, err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Rows()
	if err != nil {
		return fmt.Errorf("%s: %w", what, dbErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("%s: %w", what, dbErr(err))
		}
		if err := emit(); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, dbErr(err))
	}
	return nil
}

func localTime(t time.Time, loc *time.Location) string { return t.In(loc).Format(report.TimeLayout) }

// exportOrdersQuery reads the items of the orders with ids in [lo, hi)
// placed in [from, to): a range of the orders' primary key, in its order,
// and each order's items in the order of idx_order_items_order. Asked for
// the whole date range at once, MariaDB scans every order the shop ever
// had and sorts the result (see BenchmarkReportPlansWithHistory).
func exportOrdersQuery(lo, hi int64, from, to time.Time) query {
	return query{`SELECT o.number, o.created_at, o.status, o.channel, o.customer_id,
	o.contact_name, o.contact_phone, o.contact_address, i.sku, i.name, i.name_zh, i.qty, i.unit_price, o.total
FROM orders o JOIN order_items i ON i.order_id = o.id
WHERE o.id >= ? AND o.id < ? AND o.created_at >= ? AND o.created_at < ? ORDER BY o.id, i.id`,
		[]any{lo, hi, dbTime(from), dbTime(to)}}
}

// ExportOrderItems streams one row per item of the orders placed in [from, to).
func (r *repo) ExportOrderItems(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error {
	var (
		number, status, channel, name, phone, address, sku, iname, inameZH string
		created                                                            time.Time
		customer, price, total                                             int64
		qty                                                                int
	)
	cells := make([]any, len(report.OrderColumns))
	dest := []any{&number, &created, &status, &channel, &customer, &name, &phone, &address, &sku, &iname, &inameZH, &qty, &price, &total}
	emit := func() error {
		if err := r.openAll(&name, &phone, &address); err != nil {
			return fmt.Errorf("open contact of order %s: %w", number, err)
		}
		cells = append(cells[:0], number, localTime(created, loc), status, channel, customer, name, phone, address,
			sku, iname, inameZH, qty, price, price*int64(qty), total)
		return fn(cells)
	}
	var lo, hi sql.NullInt64
	q := orderIDBoundsQuery(from, to)
	if err := r.db.WithContext(ctx).Raw(q.sql, q.args...).Row().Scan(&lo, &hi); err != nil {
		return fmt.Errorf("export orders: %w", dbErr(err))
	}
	if !lo.Valid {
		return nil
	}
	for c := lo.Int64; c <= hi.Int64; c += factsChunk {
		if err := r.stream(ctx, "export orders", exportOrdersQuery(c, min(c+factsChunk, hi.Int64+1), from, to), dest, emit); err != nil {
			return err
		}
	}
	return nil
}

// ExportCustomers streams the customers who ordered in [from, to) with their
// all-time order count, spend (orders confirmed and later) and first and
// last order.
func (r *repo) ExportCustomers(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error {
	var (
		id, spent, n         int64
		channel, name, phone string
		lang                 string
		first, last          any
	)
	cells := make([]any, len(report.CustomerColumns))
	return r.stream(ctx, "export customers", query{`SELECT c.id, c.channel, c.name, c.phone, c.lang, COUNT(*),
	COALESCE(SUM(CASE WHEN o.status IN ? THEN o.total ELSE 0 END), 0), MIN(o.created_at), MAX(o.created_at)
FROM customers c JOIN orders o ON o.customer_id = c.id
WHERE c.id IN (SELECT customer_id FROM orders WHERE created_at >= ? AND created_at < ?)
GROUP BY c.id, c.channel, c.name, c.phone, c.lang ORDER BY c.id`,
		[]any{[]string{string(bot.Confirmed), string(bot.Shipped), string(bot.Delivered), string(bot.Completed)}, dbTime(from), dbTime(to)}},
		[]any{&id, &channel, &name, &phone, &lang, &n, &spent, &first, &last},
		func() error {
			if err := r.openAll(&name, &phone); err != nil {
				return fmt.Errorf("open customer %d: %w", id, err)
			}
			f, err := aggregateTime(first)
			if err != nil {
				return err
			}
			l, err := aggregateTime(last)
			if err != nil {
				return err
			}
			cells = append(cells[:0], id, channel, name, phone, lang, n, spent, localTime(f, loc), localTime(l, loc))
			return fn(cells)
		})
}

// aggregateTime reads a time that came through an aggregate or a UNION:
// MySQL's driver gives a time, SQLite the text it stores (such a column has
// no declared type).
func aggregateTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string:
		return parseStoredTime(t)
	case []byte:
		return parseStoredTime(string(t))
	}
	return time.Time{}, fmt.Errorf("unexpected time value %T", v)
}

// parseStoredTime reads a time as SQLite stores it, or as a driver
// renders one it did not know to be a time.
func parseStoredTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable stored time %s", strconv.Quote(s))
}

// ExportAfterSales streams the requests filed in [from, to).
func (r *repo) ExportAfterSales(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error {
	var (
		number                                                    sql.NullString
		orderNumber, channel, typ, status, reason, decisionReason string
		created                                                   time.Time
		customer                                                  int64
	)
	cells := make([]any, len(report.AfterSalesColumns))
	return r.stream(ctx, "export after-sales", query{`SELECT a.number, a.created_at, a.order_number, o.channel, a.customer_id,
	a.request_type, a.status, a.reason, a.decision_reason
FROM after_sales a JOIN orders o ON o.id = a.order_id
WHERE a.created_at >= ? AND a.created_at < ? ORDER BY a.id`,
		[]any{dbTime(from), dbTime(to)}},
		[]any{&number, &created, &orderNumber, &channel, &customer, &typ, &status, &reason, &decisionReason},
		func() error {
			if err := r.openAll(&reason, &decisionReason); err != nil {
				return fmt.Errorf("open request %s: %w", number.String, err)
			}
			cells = append(cells[:0], number.String, localTime(created, loc), orderNumber, channel, customer, typ, status, reason, decisionReason)
			return fn(cells)
		})
}
