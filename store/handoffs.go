package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

type handoffRow struct {
	ID         int64
	CustomerID int64
	IsOpen     bool
	OpenSlot   *int // 1 while open: one open handoff per customer
	CreatedAt  time.Time
	ClosedAt   *time.Time
	ClosedBy   string
	// ThreadRef is a column of migration 1 that nothing uses any more: a
	// handoff's thread is found through its card's ref. It is written empty.
	ThreadRef string
}

func (handoffRow) TableName() string { return "handoffs" }

func handoffToRow(h *bot.Handoff) handoffRow {
	return handoffRow{
		ID: h.ID, CustomerID: h.CustomerID, IsOpen: h.Open, OpenSlot: openSlot(h.Open),
		CreatedAt: orNow(h.CreatedAt), ClosedAt: nullTime(h.ClosedAt), ClosedBy: h.ClosedBy,
	}
}

func handoffFromRow(r handoffRow) *bot.Handoff {
	return &bot.Handoff{
		ID: r.ID, CustomerID: r.CustomerID, Open: r.IsOpen, CreatedAt: r.CreatedAt.UTC(),
		ClosedAt: fromNullTime(r.ClosedAt), ClosedBy: r.ClosedBy,
	}
}

// CreateHandoff stores h and sets its ID; ErrDuplicate when the customer
// already has an open one.
func (r *repo) CreateHandoff(ctx context.Context, h *bot.Handoff) error {
	row := handoffToRow(h)
	row.ID = 0
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create handoff for customer %d: %w", h.CustomerID, dbErr(err))
	}
	h.ID, h.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// OpenHandoff returns the customer's open handoff; ErrNotFound when none is.
func (r *repo) OpenHandoff(ctx context.Context, customerID int64) (*bot.Handoff, error) {
	var row handoffRow
	err := r.db.WithContext(ctx).Where("customer_id = ? AND is_open = ?", customerID, true).Take(&row).Error
	if err != nil {
		return nil, fmt.Errorf("open handoff of customer %d: %w", customerID, dbErr(err))
	}
	return handoffFromRow(row), nil
}

// Handoff returns the handoff by id.
func (r *repo) Handoff(ctx context.Context, id int64) (*bot.Handoff, error) {
	var row handoffRow
	if err := r.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return nil, fmt.Errorf("handoff %d: %w", id, dbErr(err))
	}
	return handoffFromRow(row), nil
}

// UpdateHandoff saves the handoff's state.
func (r *repo) UpdateHandoff(ctx context.Context, h *bot.Handoff) error {
	row := handoffToRow(h)
	res := r.db.WithContext(ctx).Model(&handoffRow{}).Where("id = ?", h.ID).Updates(map[string]any{
		"is_open":   row.IsOpen,
		"open_slot": row.OpenSlot,
		"closed_at": row.ClosedAt,
		"closed_by": row.ClosedBy,
	})
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("update handoff %d: %w", h.ID, err)
	}
	return nil
}

// OpenHandoffs returns open handoffs, oldest first.
func (r *repo) OpenHandoffs(ctx context.Context, n int) ([]*bot.Handoff, error) {
	var rows []handoffRow
	q := r.db.WithContext(ctx).Where("is_open = ?", true).Order("id")
	if err := limit(q, n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("open handoffs: %w", dbErr(err))
	}
	hs := make([]*bot.Handoff, len(rows))
	for i, row := range rows {
		hs[i] = handoffFromRow(row)
	}
	return hs, nil
}
