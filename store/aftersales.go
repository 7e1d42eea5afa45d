package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

type afterSalesRow struct {
	ID             int64
	Number         *string // NULL only between the INSERT and the UPDATE that numbers it
	OrderID        int64
	OrderNumber    string
	CustomerID     int64
	RequestType    string
	Reason         string
	Media          *string // JSON array of channel media references
	Status         string
	OpenSlot       *int
	DecisionReason string
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (afterSalesRow) TableName() string { return "after_sales" }

type afterSalesHistoryRow struct {
	ID           int64
	AfterSalesID int64
	FromStatus   string
	ToStatus     string
	ChangedAt    time.Time
	Actor        string
	Note         string
}

func (afterSalesHistoryRow) TableName() string { return "after_sales_history" }

func afterSalesNumber(id int64) string { return "S" + strconv.FormatInt(100000+id, 10) }

// openSlot is 1 for an open request and NULL otherwise; see v1AfterSales.
func openSlot(open bool) *int {
	if !open {
		return nil
	}
	one := 1
	return &one
}

// afterSalesToRow seals the customer's reason and the staff's answer.
func (r *repo) afterSalesToRow(a *bot.AfterSales) (afterSalesRow, error) {
	media, err := jsonText(a.Media, len(a.Media) == 0)
	if err != nil {
		return afterSalesRow{}, err
	}
	return afterSalesRow{
		ID: a.ID, OrderID: a.OrderID, OrderNumber: a.OrderNumber, CustomerID: a.CustomerID,
		RequestType: string(a.Type), Reason: r.seal(a.Reason), Media: media, Status: string(a.Status),
		OpenSlot: openSlot(a.Status.Open()), DecisionReason: r.seal(a.DecisionReason), Version: a.Version,
		CreatedAt: dbTime(a.CreatedAt), UpdatedAt: dbTime(a.UpdatedAt),
	}, nil
}

func (r *repo) afterSalesFromRow(row afterSalesRow) (*bot.AfterSales, error) {
	if err := r.openAll(&row.Reason, &row.DecisionReason); err != nil {
		return nil, fmt.Errorf("open request %d: %w", row.ID, err)
	}
	return afterSalesFromOpenRow(row)
}

func afterSalesFromOpenRow(r afterSalesRow) (*bot.AfterSales, error) {
	a := &bot.AfterSales{
		ID: r.ID, OrderID: r.OrderID, OrderNumber: r.OrderNumber, CustomerID: r.CustomerID,
		Type: bot.AfterSalesType(r.RequestType), Reason: r.Reason, Status: bot.RequestStatus(r.Status),
		DecisionReason: r.DecisionReason, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Number != nil {
		a.Number = *r.Number
	}
	if err := fromJSONText(r.Media, &a.Media); err != nil {
		return nil, fmt.Errorf("media of request %d: %w", r.ID, err)
	}
	return a, nil
}

func afterSalesHistoryRows(id int64, hs []bot.StatusChange) []afterSalesHistoryRow {
	rows := make([]afterSalesHistoryRow, len(hs))
	for i, h := range hs {
		rows[i] = afterSalesHistoryRow{AfterSalesID: id, FromStatus: h.From, ToStatus: h.To, ChangedAt: dbTime(h.At), Actor: h.Actor, Note: h.Note}
	}
	return rows
}

func (r afterSalesHistoryRow) change() bot.StatusChange {
	return bot.StatusChange{From: r.FromStatus, To: r.ToStatus, At: r.ChangedAt.UTC(), Actor: r.Actor, Note: r.Note}
}

// CreateAfterSales stores and numbers the request; ErrDuplicate when the
// order already has an open one.
func (r *repo) CreateAfterSales(ctx context.Context, a *bot.AfterSales) error {
	normalizeTimes(&a.CreatedAt, &a.UpdatedAt, a.History)
	row, err := r.afterSalesToRow(a)
	if err != nil {
		return fmt.Errorf("create after-sales: %w", err)
	}
	row.ID, row.Number, row.Version = 0, nil, 1
	var number string
	err = r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		number = afterSalesNumber(row.ID)
		if err := tx.Model(&afterSalesRow{}).Where("id = ?", row.ID).UpdateColumn("number", number).Error; err != nil {
			return err
		}
		return createAll(tx, afterSalesHistoryRows(row.ID, a.History))
	})
	if err != nil {
		return fmt.Errorf("create after-sales for order %d: %w", a.OrderID, dbErr(err))
	}
	a.ID, a.Number, a.Version = row.ID, number, row.Version
	return nil
}

// AfterSales returns the request with its history.
func (r *repo) AfterSales(ctx context.Context, id int64) (*bot.AfterSales, error) {
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("id = ?", id))
	if err == nil && len(as) == 0 {
		err = bot.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("after-sales %d: %w", id, err)
	}
	return as[0], nil
}

// AfterSalesByOrder returns the order's requests, oldest first.
func (r *repo) AfterSalesByOrder(ctx context.Context, orderID int64) ([]*bot.AfterSales, error) {
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("order_id = ?", orderID).Order("id"))
	if err != nil {
		return nil, fmt.Errorf("after-sales of order %d: %w", orderID, err)
	}
	return as, nil
}

// AfterSalesByOrders returns the requests of the orders, oldest first.
func (r *repo) AfterSalesByOrders(ctx context.Context, orderIDs []int64) ([]*bot.AfterSales, error) {
	if len(orderIDs) == 0 {
		return nil, nil
	}
	as, err := r.findAfterSales(r.db.WithContext(ctx).Where("order_id IN ?", orderIDs).Order("id"))
	if err != nil {
		return nil, fmt.Errorf("after-sales of %d orders: %w", len(orderIDs), err)
	}
	return as, nil
}

// AfterSalesByStatus returns requests in any of the statuses, oldest first.
func (r *repo) AfterSalesByStatus(ctx context.Context, statuses []bot.RequestStatus, n int) ([]*bot.AfterSales, error) {
	if len(statuses) == 0 {
		return nil, nil
	}
	q := r.db.WithContext(ctx).Where("status IN ?", statuses).Order("id")
	as, err := r.findAfterSales(limit(q, n))
	if err != nil {
		return nil, fmt.Errorf("after-sales by status: %w", err)
	}
	return as, nil
}

func (r *repo) findAfterSales(q *gorm.DB) ([]*bot.AfterSales, error) {
	var rows []afterSalesRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, dbErr(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	as := make([]*bot.AfterSales, len(rows))
	byID := make(map[int64]*bot.AfterSales, len(rows))
	ids := make([]int64, len(rows))
	for i, row := range rows {
		a, err := r.afterSalesFromRow(row)
		if err != nil {
			return nil, err
		}
		as[i], byID[row.ID], ids[i] = a, a, row.ID
	}
	var hist []afterSalesHistoryRow
	err := q.Session(&gorm.Session{NewDB: true}).Where("after_sales_id IN ?", ids).
		Order("changed_at").Order("id").Find(&hist).Error
	if err != nil {
		return nil, dbErr(err)
	}
	for _, h := range hist {
		byID[h.AfterSalesID].History = append(byID[h.AfterSalesID].History, h.change())
	}
	return as, nil
}

// UpdateAfterSales saves a when its version is current (ErrConflict
// otherwise) and appends the new history entries, as UpdateOrder does.
func (r *repo) UpdateAfterSales(ctx context.Context, a *bot.AfterSales) error {
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = nowUTC()
	}
	normalizeTimes(&a.CreatedAt, &a.UpdatedAt, a.History)
	row, err := r.afterSalesToRow(a)
	if err != nil {
		return fmt.Errorf("update after-sales %s: %w", a.Number, err)
	}
	err = r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&afterSalesRow{}).Where("id = ? AND version = ?", a.ID, a.Version).Updates(map[string]any{
			"request_type":    row.RequestType,
			"reason":          row.Reason,
			"media":           row.Media,
			"status":          row.Status,
			"open_slot":       row.OpenSlot,
			"decision_reason": row.DecisionReason,
			"updated_at":      row.UpdatedAt,
			"version":         gorm.Expr("version + 1"),
		})
		if err := versionCheck(tx, res, &afterSalesRow{}, a.ID); err != nil {
			return err
		}
		var stored int64
		if err := tx.Model(&afterSalesHistoryRow{}).Where("after_sales_id = ?", a.ID).Count(&stored).Error; err != nil {
			return err
		}
		if int(stored) >= len(a.History) {
			return nil
		}
		return createAll(tx, afterSalesHistoryRows(a.ID, a.History[stored:]))
	})
	if err != nil {
		return fmt.Errorf("update after-sales %s: %w", a.Number, dbErr(err))
	}
	a.Version++
	return nil
}

// jsonText encodes v as JSON text, or NULL when empty says there is nothing.
func jsonText(v any, empty bool) (*string, error) {
	if empty {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// fromJSONText decodes JSON text into v, leaving v alone for NULL.
func fromJSONText(s *string, v any) error {
	if s == nil || *s == "" {
		return nil
	}
	return json.Unmarshal([]byte(*s), v)
}
