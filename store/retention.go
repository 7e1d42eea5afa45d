package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
)

// HandoffsOf returns the customer's handoffs, oldest first.
func (r *repo) HandoffsOf(ctx context.Context, customerID int64) ([]*bot.Handoff, error) {
	var rows []handoffRow
	if err := r.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("handoffs of customer %d: %w", customerID, dbErr(err))
	}
	out := make([]*bot.Handoff, len(rows))
	for i, row := range rows {
		out[i] = handoffFromRow(row)
	}
	return out, nil
}

// SilentCustomers returns, in id order after afterID, up to n customers
// without orders whose last message (or creation, without one) was before
// the time.
func (r *repo) SilentCustomers(ctx context.Context, before time.Time, afterID int64, n int) ([]int64, error) {
	var ids []int64
	err := r.db.WithContext(ctx).Model(&customerRow{}).
		Where("id > ? AND COALESCE(last_inbound_at, created_at) < ?", afterID, dbTime(before)).
		Where("NOT EXISTS (SELECT 1 FROM orders WHERE orders.customer_id = customers.id)").
		Order("id").Limit(n).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("silent customers: %w", dbErr(err))
	}
	return ids, nil
}

// DeleteCustomer deletes a customer without orders and the rows that only
// refer to them; bot.ErrConflict when they have orders.
func (r *repo) DeleteCustomer(ctx context.Context, id int64) error {
	db := r.db.WithContext(ctx)
	var orders int64
	if err := db.Model(&orderRow{}).Where("customer_id = ?", id).Count(&orders).Error; err != nil {
		return fmt.Errorf("delete customer %d: %w", id, dbErr(err))
	}
	if orders > 0 {
		return fmt.Errorf("delete customer %d: %w: they have orders", id, bot.ErrConflict)
	}
	for _, model := range []any{&handoffLineRow{}, &handoffRow{}, &customerTierRow{}, &customerTagRow{}, &customerNoteRow{},
		&consentRow{}, &consentEventRow{}, &followUpRow{}, &reminderRow{}, &recipientRow{}} {
		if err := db.Where("customer_id = ?", id).Delete(model).Error; err != nil {
			return fmt.Errorf("delete customer %d: %w", id, dbErr(err))
		}
	}
	// Identities merged into the customer are the same person.
	if err := db.Where("merged_into = ?", id).Delete(&customerRow{}).Error; err != nil {
		return fmt.Errorf("delete customer %d: %w", id, dbErr(err))
	}
	if err := mustAffect(db.Where("id = ?", id).Delete(&customerRow{})); err != nil {
		return fmt.Errorf("delete customer %d: %w", id, err)
	}
	return nil
}

// LockCustomerByID returns the customer and locks their row until the
// transaction ends; bot.ErrNotFound when there is none. It locks through
// the (channel, user id) index as LockCustomer does, so that it and a
// message of the customer's take their locks in the same order and wait
// for each other instead of deadlocking.
func (r *repo) LockCustomerByID(ctx context.Context, id int64) (bot.Customer, error) {
	row, err := r.lockCustomerRowByID(ctx, id)
	if err != nil {
		return bot.Customer{}, err
	}
	return r.customerFromRow(row)
}

// lockCustomerRowByID is LockCustomerByID's locking read, the row as stored.
func (r *repo) lockCustomerRowByID(ctx context.Context, id int64) (customerRow, error) {
	db := r.db.WithContext(ctx)
	var ident, row customerRow
	err := db.Select("channel", "user_id").Where("id = ?", id).Take(&ident).Error
	if err == nil {
		err = db.Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("channel = ? AND user_id = ?", ident.Channel, ident.UserID).Take(&row).Error
	}
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && row.ID != id) {
		// Their identity changed in between (an erase): by id, then.
		err = db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&row).Error
	}
	if err != nil {
		return customerRow{}, fmt.Errorf("lock customer %d: %w", id, dbErr(err))
	}
	return row, nil
}
