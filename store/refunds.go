package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/refundretry"
)

var _ refundretry.Repo = (*repo)(nil)

type pendingRefundRow struct {
	ID            int64
	RequestNumber string
	OrderNumber   string
	Method        string
	Amount        int64
	Total         int64
	Attempts      int
	State         string
	NextAt        time.Time
	LastError     string
	ClaimedBy     string
	ClaimedUntil  *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (pendingRefundRow) TableName() string { return "pending_refunds" }

func pendingRefundFromRow(r pendingRefundRow) refundretry.Refund {
	return refundretry.Refund{
		ID: r.ID, Attempts: r.Attempts, NextAt: r.NextAt.UTC(), LastError: r.LastError, State: r.State,
		Request: bot.RefundRequest{Method: bot.PayMethod(r.Method), OrderNumber: r.OrderNumber,
			RequestNumber: r.RequestNumber, Amount: r.Amount, Total: r.Total},
	}
}

// AddPendingRefund stores a refund to retry.
func (r *repo) AddPendingRefund(ctx context.Context, p *refundretry.Refund) error {
	now := time.Now().UTC()
	row := pendingRefundRow{
		RequestNumber: p.Request.RequestNumber, OrderNumber: p.Request.OrderNumber, Method: string(p.Request.Method),
		Amount: p.Request.Amount, Total: p.Request.Total, Attempts: p.Attempts, State: p.State,
		NextAt: p.NextAt.UTC(), LastError: truncateRunes(p.LastError, 500), CreatedAt: now, UpdatedAt: now,
	}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("keep refund %s: %w", p.Request.RequestNumber, dbErr(err))
	}
	p.ID = row.ID
	return nil
}

// DuePendingRefunds lists the pending refunds due at now, by the due index.
func (r *repo) DuePendingRefunds(ctx context.Context, now time.Time, limit int) ([]refundretry.Refund, error) {
	var rows []pendingRefundRow
	err := r.db.WithContext(ctx).Where("state = ? AND next_at <= ?", refundretry.Pending, now.UTC()).
		Order("next_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("due refunds: %w", dbErr(err))
	}
	out := make([]refundretry.Refund, len(rows))
	for i, row := range rows {
		out[i] = pendingRefundFromRow(row)
	}
	return out, nil
}

// ClaimPendingRefund takes a due refund for owner: the WHERE of the
// UPDATE is the check, so of two replicas only one changes the row.
func (r *repo) ClaimPendingRefund(ctx context.Context, id int64, owner string, now, until time.Time) (bool, error) {
	res := r.db.WithContext(ctx).Model(&pendingRefundRow{}).
		Where("id = ? AND state = ? AND next_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)", id, refundretry.Pending, now.UTC(), now.UTC()).
		Updates(map[string]any{"claimed_by": owner, "claimed_until": until.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("claim refund %d: %w", id, dbErr(res.Error))
	}
	return res.RowsAffected == 1, nil
}

// SavePendingRefund writes the outcome of a retry and drops the claim.
func (r *repo) SavePendingRefund(ctx context.Context, p refundretry.Refund, owner string) error {
	res := r.db.WithContext(ctx).Model(&pendingRefundRow{}).Where("id = ? AND claimed_by = ?", p.ID, owner).
		Updates(map[string]any{
			"attempts": p.Attempts, "state": p.State, "next_at": p.NextAt.UTC(), "last_error": truncateRunes(p.LastError, 500),
			"claimed_by": "", "claimed_until": nil, "updated_at": time.Now().UTC(),
		})
	if res.Error != nil {
		return fmt.Errorf("save refund %d: %w", p.ID, dbErr(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save refund %d: %w", p.ID, bot.ErrConflict)
	}
	return nil
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
