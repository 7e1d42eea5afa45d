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
	// The keyed hashes of the sealed name, display name and phone, for
	// exact search.
	NameHash        string
	DisplayNameHash string
	PhoneHash       string
}

func (customerRow) TableName() string { return "customers" }

// customerFromRow opens the sealed columns of row.
func (r *repo) customerFromRow(row customerRow) (bot.Customer, error) {
	if err := r.openAll(&row.DisplayName, &row.Name, &row.Phone, &row.Address); err != nil {
		return bot.Customer{}, fmt.Errorf("open customer %d: %w", row.ID, err)
	}
	conv, err := r.openBytes(row.Conversation)
	if err != nil {
		return bot.Customer{}, fmt.Errorf("open conversation of customer %d: %w", row.ID, err)
	}
	return bot.Customer{
		ID: row.ID, Channel: row.Channel, UserID: row.UserID, DisplayName: row.DisplayName,
		Name: row.Name, Phone: row.Phone, Address: row.Address, Lang: row.Lang, Unreachable: row.Unreachable,
		LastInboundAt: fromNullTime(row.LastInboundAt), Conversation: nonEmpty(conv),
		CreatedAt: row.CreatedAt.UTC(),
	}, nil
}

// customerColumns are the sealed columns of c, with their hashes.
func (r *repo) customerColumns(c bot.Customer) map[string]any {
	return map[string]any{
		"display_name":      r.seal(c.DisplayName),
		"name":              r.seal(c.Name),
		"phone":             r.seal(c.Phone),
		"address":           r.seal(c.Address),
		"conversation":      nullBytes(r.sealBytes(c.Conversation)),
		"display_name_hash": r.nameHash(c.DisplayName),
		"name_hash":         r.nameHash(c.Name),
		"phone_hash":        r.phoneHash(c.Phone),
	}
}

// LockCustomer finds or creates the customer and locks its row until the
// transaction ends. The first read takes no lock: a locking read of a
// missing row would take a gap lock on MySQL, and two new users' first
// messages would then deadlock on each other's inserts.
func (r *repo) LockCustomer(ctx context.Context, channel, userID string) (bot.Customer, error) {
	db := r.db.WithContext(ctx)
	var found customerRow
	err := db.Select("id").Where("channel = ? AND user_id = ?", channel, userID).Take(&found).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		err = r.insertCustomer(db, channel, userID)
	}
	if err != nil {
		return bot.Customer{}, fmt.Errorf("lock customer %s: %w", channel, dbErr(err))
	}
	var row customerRow
	err = db.Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	if err != nil {
		return bot.Customer{}, fmt.Errorf("lock customer %s: %w", channel, dbErr(err))
	}
	return r.customerFromRow(row)
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
	return r.customerFromRow(row)
}

// CustomerByUser returns the customer of (channel, userID) without creating it.
func (r *repo) CustomerByUser(ctx context.Context, channel, userID string) (bot.Customer, error) {
	var row customerRow
	err := r.db.WithContext(ctx).Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	if err != nil {
		return bot.Customer{}, fmt.Errorf("customer on %s: %w", channel, dbErr(err))
	}
	return r.customerFromRow(row)
}

// UpdateCustomer saves everything but the identity and creation time.
func (r *repo) UpdateCustomer(ctx context.Context, c bot.Customer) error {
	cols := r.customerColumns(c)
	cols["lang"] = c.Lang
	cols["unreachable"] = c.Unreachable
	cols["last_inbound_at"] = nullTime(c.LastInboundAt)
	cols["updated_at"] = nowUTC()
	res := r.db.WithContext(ctx).Model(&customerRow{}).Where("id = ?", c.ID).Updates(cols)
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	return nil
}
