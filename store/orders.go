package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

type orderRow struct {
	ID              int64
	Number          *string // NULL only between the INSERT and the UPDATE that numbers it
	CustomerID      int64
	Channel         string
	Status          string
	Subtotal        int64
	Discount        int64
	Shipping        int64
	Coupon          string
	Total           int64
	PaymentStatus   string
	PayMethod       string
	Paid            int64
	Refunded        int64
	PaymentRef      string
	PayDue          *time.Time
	PayReminded     bool
	ContactName     string
	ContactPhone    string
	ContactAddress  string
	RejectReason    string
	Carrier         string
	Tracking        string
	CancelRequested bool
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Keyed hashes of the sealed contact name and phone, for exact search.
	ContactNameHash  string
	ContactPhoneHash string
}

func (orderRow) TableName() string { return "orders" }

type orderItemRow struct {
	ID        int64
	OrderID   int64
	SKU       string
	Name      string
	NameZH    string
	UnitPrice int64
	Qty       int
}

func (orderItemRow) TableName() string { return "order_items" }

type orderHistoryRow struct {
	ID         int64
	OrderID    int64
	FromStatus string
	ToStatus   string
	ChangedAt  time.Time
	Actor      string
	Note       string
}

func (orderHistoryRow) TableName() string { return "order_history" }

// orderNumber is the number customers see: short, and not revealing how few
// orders the shop has had.
func orderNumber(id int64) string { return strconv.FormatInt(100000+id, 10) }

// orderToRow seals the contact snapshot.
func (r *repo) orderToRow(o *bot.Order) orderRow {
	return orderRow{
		ID: o.ID, CustomerID: o.CustomerID, Channel: o.Channel, Status: string(o.Status), Total: o.Total,
		ContactName: r.seal(o.Contact.Name), ContactPhone: r.seal(o.Contact.Phone), ContactAddress: r.seal(o.Contact.Address),
		ContactNameHash: r.nameHash(o.Contact.Name), ContactPhoneHash: r.phoneHash(o.Contact.Phone),
		RejectReason: o.RejectReason, Carrier: o.Carrier, Tracking: o.Tracking,
		CancelRequested: o.CancelRequested, Version: o.Version,
		CreatedAt: dbTime(o.CreatedAt), UpdatedAt: dbTime(o.UpdatedAt),
		Subtotal: o.Subtotal, Discount: o.Discount, Shipping: o.Shipping, Coupon: o.Coupon,
		PaymentStatus: string(o.PaymentStatus), PayMethod: string(o.PayMethod), Paid: o.Paid,
		Refunded: o.Refunded, PaymentRef: o.PaymentRef, PayDue: nullTime(o.PayDue), PayReminded: o.PayReminded,
	}
}

// orderFromRow opens the contact snapshot.
func (r *repo) orderFromRow(row orderRow) (*bot.Order, error) {
	if err := r.openAll(&row.ContactName, &row.ContactPhone, &row.ContactAddress); err != nil {
		return nil, fmt.Errorf("open contact of order %d: %w", row.ID, err)
	}
	return orderFromOpenRow(row), nil
}

func orderFromOpenRow(r orderRow) *bot.Order {
	o := &bot.Order{
		ID: r.ID, CustomerID: r.CustomerID, Channel: r.Channel, Status: bot.OrderStatus(r.Status), Total: r.Total,
		Contact:      bot.Contact{Name: r.ContactName, Phone: r.ContactPhone, Address: r.ContactAddress},
		RejectReason: r.RejectReason, Carrier: r.Carrier, Tracking: r.Tracking,
		CancelRequested: r.CancelRequested, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Subtotal: r.Subtotal, Discount: r.Discount, Shipping: r.Shipping, Coupon: r.Coupon,
		PaymentStatus: bot.PaymentStatus(r.PaymentStatus), PayMethod: bot.PayMethod(r.PayMethod), Paid: r.Paid,
		Refunded: r.Refunded, PaymentRef: r.PaymentRef, PayReminded: r.PayReminded,
	}
	if r.PayDue != nil {
		o.PayDue = r.PayDue.UTC()
	}
	if r.Number != nil {
		o.Number = *r.Number
	}
	return o
}

func orderItemRows(orderID int64, items []bot.OrderItem) []orderItemRow {
	rows := make([]orderItemRow, len(items))
	for i, it := range items {
		rows[i] = orderItemRow{OrderID: orderID, SKU: it.SKU, Name: it.Name, NameZH: it.NameZH, UnitPrice: it.UnitPrice, Qty: it.Qty}
	}
	return rows
}

func (r orderItemRow) item() bot.OrderItem {
	return bot.OrderItem{SKU: r.SKU, Name: r.Name, NameZH: r.NameZH, UnitPrice: r.UnitPrice, Qty: r.Qty}
}

func orderHistoryRows(orderID int64, hs []bot.StatusChange) []orderHistoryRow {
	rows := make([]orderHistoryRow, len(hs))
	for i, h := range hs {
		rows[i] = orderHistoryRow{OrderID: orderID, FromStatus: h.From, ToStatus: h.To, ChangedAt: dbTime(h.At), Actor: h.Actor, Note: h.Note}
	}
	return rows
}

func (r orderHistoryRow) change() bot.StatusChange {
	return bot.StatusChange{From: r.FromStatus, To: r.ToStatus, At: r.ChangedAt.UTC(), Actor: r.Actor, Note: r.Note}
}

// normalizeTimes gives the caller's times the precision they are stored
// with, so that the order in memory equals the order read back.
func normalizeTimes(created, updated *time.Time, hs []bot.StatusChange) {
	*created = orNow(*created)
	if updated.IsZero() {
		*updated = *created
	}
	*updated = dbTime(*updated)
	for i := range hs {
		hs[i].At = orNow(hs[i].At)
	}
}

// CreateOrder stores the order with its items and history and numbers it.
func (r *repo) CreateOrder(ctx context.Context, o *bot.Order) error {
	normalizeTimes(&o.CreatedAt, &o.UpdatedAt, o.History)
	if !o.PayDue.IsZero() {
		o.PayDue = dbTime(o.PayDue)
	}
	row := r.orderToRow(o)
	row.ID, row.Number, row.Version = 0, nil, 1
	var number string
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		number = orderNumber(row.ID)
		if err := tx.Model(&orderRow{}).Where("id = ?", row.ID).UpdateColumn("number", number).Error; err != nil {
			return err
		}
		if err := createAll(tx, orderItemRows(row.ID, o.Items)); err != nil {
			return err
		}
		return createAll(tx, orderHistoryRows(row.ID, o.History))
	})
	if err != nil {
		return fmt.Errorf("create order: %w", dbErr(err))
	}
	o.ID, o.Number, o.Version = row.ID, number, row.Version
	return nil
}

// createAll inserts rows, if there are any (gorm refuses an empty slice).
func createAll[T any](tx *gorm.DB, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// Order returns the order with its items and history.
func (r *repo) Order(ctx context.Context, id int64) (*bot.Order, error) {
	return r.oneOrder(ctx, fmt.Sprintf("order id %d", id), "id = ?", id)
}

// OrderByNumber returns the order with its items and history.
func (r *repo) OrderByNumber(ctx context.Context, number string) (*bot.Order, error) {
	return r.oneOrder(ctx, "order "+number, "number = ?", number)
}

func (r *repo) oneOrder(ctx context.Context, what, cond string, arg any) (*bot.Order, error) {
	os, err := r.findOrders(r.db.WithContext(ctx).Where(cond, arg))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(os) == 0 {
		return nil, fmt.Errorf("%s: %w", what, bot.ErrNotFound)
	}
	return os[0], nil
}

// OrdersByCustomer returns the customer's orders, newest first.
func (r *repo) OrdersByCustomer(ctx context.Context, customerID int64, n int) ([]*bot.Order, error) {
	q := r.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id DESC")
	os, err := r.findOrders(limit(q, n))
	if err != nil {
		return nil, fmt.Errorf("orders of customer %d: %w", customerID, err)
	}
	return os, nil
}

// OrdersByStatus returns orders in any of the statuses, oldest first.
func (r *repo) OrdersByStatus(ctx context.Context, statuses []bot.OrderStatus, n int) ([]*bot.Order, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	q := r.db.WithContext(ctx).Where("status IN ?", statuses).Order("id")
	os, err := r.findOrders(limit(q, n))
	if err != nil {
		return nil, fmt.Errorf("orders by status: %w", err)
	}
	return os, nil
}

// OrdersWithCancelRequest returns confirmed orders whose cancel request
// awaits staff, oldest first.
func (r *repo) OrdersWithCancelRequest(ctx context.Context, n int) ([]*bot.Order, error) {
	q := r.db.WithContext(ctx).Where("status = ? AND cancel_requested = ?", bot.Confirmed, true).Order("id")
	os, err := r.findOrders(limit(q, n))
	if err != nil {
		return nil, fmt.Errorf("orders with cancel request: %w", err)
	}
	return os, nil
}

// findOrders runs q and loads the items and history of every order found
// with one query each, not one per order.
func (r *repo) findOrders(q *gorm.DB) ([]*bot.Order, error) {
	var rows []orderRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	os := make([]*bot.Order, len(rows))
	byID := make(map[int64]*bot.Order, len(rows))
	ids := make([]int64, len(rows))
	for i, row := range rows {
		o, err := r.orderFromRow(row)
		if err != nil {
			return nil, err
		}
		os[i], byID[row.ID], ids[i] = o, o, row.ID
	}
	db := q.Session(&gorm.Session{NewDB: true})
	var items []orderItemRow
	if err := db.Where("order_id IN ?", ids).Order("id").Find(&items).Error; err != nil {
		return nil, dbErr(err)
	}
	for _, it := range items {
		byID[it.OrderID].Items = append(byID[it.OrderID].Items, it.item())
	}
	var hist []orderHistoryRow
	if err := db.Where("order_id IN ?", ids).Order("changed_at").Order("id").Find(&hist).Error; err != nil {
		return nil, dbErr(err)
	}
	for _, h := range hist {
		byID[h.OrderID].History = append(byID[h.OrderID].History, h.change())
	}
	return os, nil
}

// UpdateOrder saves o when its version is still the stored one, then appends
// the history entries beyond those stored. The version UPDATE locks the row,
// so no one else appends in between.
func (r *repo) UpdateOrder(ctx context.Context, o *bot.Order) error {
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = nowUTC()
	}
	normalizeTimes(&o.CreatedAt, &o.UpdatedAt, o.History)
	if !o.PayDue.IsZero() {
		o.PayDue = dbTime(o.PayDue)
	}
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&orderRow{}).Where("id = ? AND version = ?", o.ID, o.Version).Updates(map[string]any{
			"status":             string(o.Status),
			"total":              o.Total,
			"contact_name":       r.seal(o.Contact.Name),
			"contact_phone":      r.seal(o.Contact.Phone),
			"contact_address":    r.seal(o.Contact.Address),
			"contact_name_hash":  r.nameHash(o.Contact.Name),
			"contact_phone_hash": r.phoneHash(o.Contact.Phone),
			"reject_reason":      o.RejectReason,
			"carrier":            o.Carrier,
			"tracking":           o.Tracking,
			"cancel_requested":   o.CancelRequested,
			"payment_status":     string(o.PaymentStatus),
			"paid":               o.Paid,
			"refunded":           o.Refunded,
			"payment_ref":        o.PaymentRef,
			"pay_due":            nullTime(o.PayDue),
			"pay_reminded":       o.PayReminded,
			"updated_at":         o.UpdatedAt,
			"version":            gorm.Expr("version + 1"),
		})
		if err := versionCheck(tx, res, &orderRow{}, o.ID); err != nil {
			return err
		}
		var stored int64
		if err := tx.Model(&orderHistoryRow{}).Where("order_id = ?", o.ID).Count(&stored).Error; err != nil {
			return err
		}
		if int(stored) >= len(o.History) {
			return nil
		}
		return createAll(tx, orderHistoryRows(o.ID, o.History[stored:]))
	})
	if err != nil {
		return fmt.Errorf("update order %s: %w", o.Number, dbErr(err))
	}
	o.Version++
	return nil
}

// versionCheck tells a stale version (ErrConflict) from a missing row
// (ErrNotFound) after an UPDATE ... WHERE id = ? AND version = ?.
func versionCheck(tx *gorm.DB, res *gorm.DB, model any, id int64) error {
	if res.Error != nil || res.RowsAffected > 0 {
		return res.Error
	}
	var n int64
	if err := tx.Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		return bot.ErrNotFound
	}
	return bot.ErrConflict
}

// OrderStats counts the orders created in [from, to) and sums the totals of
// those not rejected or cancelled.
func (r *repo) OrderStats(ctx context.Context, from, to time.Time) (count int, revenue int64, err error) {
	var res struct {
		N       int
		Revenue int64
	}
	err = r.db.WithContext(ctx).Model(&orderRow{}).
		Select("COUNT(*) AS n, COALESCE(SUM(CASE WHEN status IN ? THEN 0 ELSE total END), 0) AS revenue",
			[]string{string(bot.Rejected), string(bot.Cancelled)}).
		Where("created_at >= ? AND created_at < ?", dbTime(from), dbTime(to)).
		Scan(&res).Error
	if err != nil {
		return 0, 0, fmt.Errorf("order stats: %w", dbErr(err))
	}
	return res.N, res.Revenue, nil
}
