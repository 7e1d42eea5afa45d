package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// match is one way a search text can match rows: a condition that one
// index answers.
type match struct {
	sql  string
	args []any
}

func exactMatch(column, value string) match {
	return match{sql: column + " = ?", args: []any{value}}
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// searchIDs returns up to n ids of model's table below beforeID (when
// set), newest first, that pass filter and any one of the matches (all
// rows when there are none). Each match is its own subquery, on its own
// index, and the database merges them in one round trip: one OR across
// columns of different indexes would leave it to scan the table.
func (r *repo) searchIDs(ctx context.Context, model any, matches []match, filter func(*gorm.DB) *gorm.DB, beforeID int64, n int) ([]int64, error) {
	var ids []int64
	if err := idsQuery(r.db.WithContext(ctx), model, matches, filter, beforeID, n).Scan(&ids).Error; err != nil {
		return nil, dbErr(err)
	}
	return ids, nil
}

// idsQuery is the query of searchIDs.
func idsQuery(db *gorm.DB, model any, matches []match, filter func(*gorm.DB) *gorm.DB, beforeID int64, n int) *gorm.DB {
	if len(matches) == 0 {
		matches = []match{{}}
	}
	if len(matches) == 1 {
		return idQuery(db, model, matches[0], filter, beforeID, n)
	}
	parts := make([]string, len(matches))
	args := make([]any, len(matches))
	for i, m := range matches {
		parts[i] = fmt.Sprintf("SELECT id FROM (?) AS m%d", i)
		args[i] = idQuery(db.Session(&gorm.Session{NewDB: true}), model, m, filter, beforeID, n)
	}
	sql := strings.Join(parts, " UNION ") + " ORDER BY id DESC"
	if n > 0 {
		sql += fmt.Sprintf(" LIMIT %d", n)
	}
	return db.Raw(sql, args...)
}

// idQuery selects the ids of one match, newest first.
func idQuery(db *gorm.DB, model any, m match, filter func(*gorm.DB) *gorm.DB, beforeID int64, n int) *gorm.DB {
	q := filter(db.Model(model).Select("id"))
	if m.sql != "" {
		q = q.Where(m.sql, m.args...)
	}
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	return limit(q.Order("id DESC"), n)
}

// orderSearch is how an order filter becomes queries. Contact names and
// phones are sealed, so they match whole, through their keyed hashes.
func (r *repo) orderSearch(f bot.OrderFilter) ([]match, func(*gorm.DB) *gorm.DB) {
	var matches []match
	if q := f.Query; q != "" {
		// Order numbers are digits and phones have some: a name spares
		// the database two lookups.
		if allDigits(q) {
			matches = append(matches, exactMatch("number", q))
		}
		if hasDigit(q) {
			matches = append(matches, exactMatch("contact_phone_hash", r.phoneHash(q)))
		}
		matches = append(matches, exactMatch("contact_name_hash", r.nameHash(q)))
	}
	return matches, func(q *gorm.DB) *gorm.DB {
		if f.Status != "" {
			q = q.Where("status = ?", string(f.Status))
		}
		if f.Channel != "" {
			q = q.Where("channel = ?", f.Channel)
		}
		if f.CustomerID > 0 {
			q = q.Where("customer_id = ?", f.CustomerID)
		}
		if !f.From.IsZero() {
			q = q.Where("created_at >= ?", dbTime(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("created_at < ?", dbTime(f.To))
		}
		return q
	}
}

// SearchOrders returns the orders the filter selects, newest first, with
// their items and history.
func (r *repo) SearchOrders(ctx context.Context, f bot.OrderFilter) ([]*bot.Order, error) {
	matches, filter := r.orderSearch(f)
	ids, err := r.searchIDs(ctx, &orderRow{}, matches, filter, f.BeforeID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("search orders: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	os, err := r.findOrders(r.db.WithContext(ctx).Where("id IN ?", ids).Order("id DESC"))
	if err != nil {
		return nil, fmt.Errorf("search orders: %w", err)
	}
	return os, nil
}

// SearchAfterSales returns the requests the filter selects, newest first.
func (r *repo) SearchAfterSales(ctx context.Context, f bot.AfterSalesFilter) ([]*bot.AfterSales, error) {
	var matches []match
	if f.Query != "" {
		matches = []match{exactMatch("number", f.Query), exactMatch("order_number", f.Query)}
	}
	filter := func(q *gorm.DB) *gorm.DB {
		if f.Status != "" {
			q = q.Where("status = ?", string(f.Status))
		}
		if f.Type != "" {
			q = q.Where("request_type = ?", string(f.Type))
		}
		return q
	}
	ids, err := r.searchIDs(ctx, &afterSalesRow{}, matches, filter, f.BeforeID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("search after-sales: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("id IN ?", ids).Order("id DESC"))
	if err != nil {
		return nil, fmt.Errorf("search after-sales: %w", err)
	}
	return as, nil
}

// AfterSalesByNumber returns the request with its history.
func (r *repo) AfterSalesByNumber(ctx context.Context, number string) (*bot.AfterSales, error) {
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("number = ?", number))
	if err == nil && len(as) == 0 {
		err = bot.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("after-sales %s: %w", number, err)
	}
	return as[0], nil
}

// SearchCustomers returns the customers the filter selects, newest first.
func (r *repo) SearchCustomers(ctx context.Context, f bot.CustomerFilter) ([]bot.Customer, error) {
	var matches []match
	if f.Query != "" {
		name := r.nameHash(f.Query)
		matches = []match{exactMatch("name_hash", name), exactMatch("display_name_hash", name), exactMatch("user_id", f.Query)}
		if hasDigit(f.Query) {
			matches = append(matches, exactMatch("phone_hash", r.phoneHash(f.Query)))
		}
	}
	filter, err := r.customerFilter(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	ids, err := r.searchIDs(ctx, &customerRow{}, matches, filter, f.BeforeID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	if ids, err = r.keptIDs(ctx, ids); err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	return r.CustomersByID(ctx, ids)
}

// keptIDs replaces the ids of customers merged into others by those
// others': a search that finds a merged identity finds its customer.
func (r *repo) keptIDs(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	var rows []customerRow
	err := r.db.WithContext(ctx).Select("id", "merged_into").Where("id IN ? AND merged_into IS NOT NULL", ids).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return ids, dbErr(err)
	}
	out := slices.Clone(ids)
	for _, row := range rows {
		for i, id := range out {
			if id == row.ID {
				out[i] = *row.MergedInto
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// CustomersByID returns the customers with these ids, newest first,
// without their conversation state, which staff tools have no use for;
// ids that do not exist, or were merged into another customer, are left
// out.
func (r *repo) CustomersByID(ctx context.Context, ids []int64) ([]bot.Customer, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []customerRow
	q := r.db.WithContext(ctx).Omit("conversation").Where("id IN ? AND merged_into IS NULL", ids)
	if err := q.Order("id DESC").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("customers by id: %w", dbErr(err))
	}
	cs := make([]bot.Customer, len(rows))
	for i, row := range rows {
		c, err := r.customerFromRow(row)
		if err != nil {
			return nil, fmt.Errorf("customers by id: %w", err)
		}
		cs[i] = c
	}
	return cs, nil
}

// CustomerStats sums up the orders of each customer that were not rejected
// or cancelled. Customers without such orders are left out.
func (r *repo) CustomerStats(ctx context.Context, ids []int64) (map[int64]bot.CustomerStats, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []struct {
		CustomerID      int64
		N               int
		Spent           int64
		FirstID, LastID int64
	}
	// The first and last order are found by id and dated in a second
	// query: SQLite returns MIN(created_at) as untyped text.
	err := r.db.WithContext(ctx).Model(&orderRow{}).
		Select("customer_id, COUNT(*) AS n, SUM(total) AS spent, MIN(id) AS first_id, MAX(id) AS last_id").
		Where("customer_id IN ? AND status NOT IN ?", ids, []string{string(bot.Rejected), string(bot.Cancelled)}).
		Group("customer_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("customer stats: %w", dbErr(err))
	}
	var dated []int64
	for _, row := range rows {
		dated = append(dated, row.FirstID, row.LastID)
	}
	var times []struct {
		ID        int64
		CreatedAt time.Time
	}
	if len(dated) > 0 {
		if err := r.db.WithContext(ctx).Model(&orderRow{}).Select("id, created_at").Where("id IN ?", dated).Scan(&times).Error; err != nil {
			return nil, fmt.Errorf("customer stats: %w", dbErr(err))
		}
	}
	at := make(map[int64]time.Time, len(times))
	for _, t := range times {
		at[t.ID] = t.CreatedAt.UTC()
	}
	out := make(map[int64]bot.CustomerStats, len(rows))
	for _, row := range rows {
		out[row.CustomerID] = bot.CustomerStats{OrderCount: row.N, TotalSpent: row.Spent, FirstOrderAt: at[row.FirstID], LastOrderAt: at[row.LastID]}
	}
	return out, nil
}
