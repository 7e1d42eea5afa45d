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

type customerRow struct {
	ID            int64
	Channel       string
	UserID        string
	DisplayName   string
	Name          string
	Phone         string
	Address       string
	Lang          string
	Unreachable   bool
	LastInboundAt *time.Time
	Conversation  []byte
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (customerRow) TableName() string { return "customers" }

func customerFromRow(r customerRow) bot.Customer {
	return bot.Customer{
		ID: r.ID, Channel: r.Channel, UserID: r.UserID, DisplayName: r.DisplayName,
		Name: r.Name, Phone: r.Phone, Address: r.Address, Lang: r.Lang, Unreachable: r.Unreachable,
		LastInboundAt: fromNullTime(r.LastInboundAt), Conversation: nonEmpty(r.Conversation),
		CreatedAt: r.CreatedAt.UTC(),
	}
}

// LockCustomer finds or creates the customer and locks its row until the
// transaction ends. The first read takes no lock: a locking read of a
// missing row would take a gap lock on MySQL, and two new users' first
// messages would then deadlock on each other's inserts.
//
// A customer erased or deleted between the two reads no longer holds the
// platform id; the second round then creates the new customer it belongs to.
func (r *repo) LockCustomer(ctx context.Context, channel, userID string) (bot.Customer, error) {
	db := r.db.WithContext(ctx)
	for round := 0; ; round++ {
		row, err := r.lockCustomerRow(db, channel, userID)
		if errors.Is(err, gorm.ErrRecordNotFound) && round == 0 {
			continue
		}
		if err != nil {
			return bot.Customer{}, fmt.Errorf("lock customer %s: %w", channel, dbErr(err))
		}
		return customerFromRow(row), nil
	}
}

func (r *repo) lockCustomerRow(db *gorm.DB, channel, userID string) (customerRow, error) {
	var found customerRow
	err := db.Select("id").Where("channel = ? AND user_id = ?", channel, userID).Take(&found).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = r.insertCustomer(db, channel, userID)
	}
	if err != nil {
		return customerRow{}, err
	}
	var row customerRow
	err = db.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	return row, err
}

// insertCustomer creates the customer unless a concurrent transaction just
// did: that one's insert holds the key, and ours waits for it and then
// does nothing.
func (r *repo) insertCustomer(db *gorm.DB, channel, userID string) error {
	now := nowUTC()
	row := customerRow{Channel: channel, UserID: userID, CreatedAt: now, UpdatedAt: now}
	return db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel"}, {Name: "user_id"}},
		DoNothing: true,
	}).Create(&row).Error
}

// Customer returns the customer by id.
func (r *repo) Customer(ctx context.Context, id int64) (bot.Customer, error) {
	var row customerRow
	if err := r.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return bot.Customer{}, fmt.Errorf("customer %d: %w", id, dbErr(err))
	}
	return customerFromRow(row), nil
}

// CustomerByUser returns the customer of (channel, userID) without creating it.
func (r *repo) CustomerByUser(ctx context.Context, channel, userID string) (bot.Customer, error) {
	var row customerRow
	err := r.db.WithContext(ctx).Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	if err != nil {
		return bot.Customer{}, fmt.Errorf("customer on %s: %w", channel, dbErr(err))
	}
	return customerFromRow(row), nil
}

// UpdateCustomer saves everything but the identity and creation time.
func (r *repo) UpdateCustomer(ctx context.Context, c bot.Customer) error {
	res := r.db.WithContext(ctx).Model(&customerRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"display_name":    c.DisplayName,
		"name":            c.Name,
		"phone":           c.Phone,
		"address":         c.Address,
		"lang":            c.Lang,
		"unreachable":     c.Unreachable,
		"last_inbound_at": nullTime(c.LastInboundAt),
		"conversation":    nullBytes(c.Conversation),
		"updated_at":      nowUTC(),
	})
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	return nil
}
