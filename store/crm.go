package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot/crm"
)

var _ crm.Repo = (*repo)(nil)

type customerTagRow struct {
	CustomerID int64  `gorm:"primaryKey;autoIncrement:false"`
	Tag        string `gorm:"primaryKey"`
}

func (customerTagRow) TableName() string { return "customer_tags" }

type customerNoteRow struct {
	CustomerID int64  `gorm:"primaryKey;autoIncrement:false"`
	Text       string `gorm:"column:note_text"`
	UpdatedBy  string
	UpdatedAt  time.Time
}

func (customerNoteRow) TableName() string { return "customer_notes" }

// CustomerTags returns the customer's tags, sorted.
func (r *repo) CustomerTags(ctx context.Context, customerID int64) ([]string, error) {
	tags := []string{}
	err := r.db.WithContext(ctx).Model(&customerTagRow{}).Where("customer_id = ?", customerID).
		Order("tag").Pluck("tag", &tags).Error
	if err != nil {
		return nil, fmt.Errorf("tags of customer %d: %w", customerID, dbErr(err))
	}
	return tags, nil
}

// ReplaceCustomerTags stores tags in place of the customer's tags.
func (r *repo) ReplaceCustomerTags(ctx context.Context, customerID int64, tags []string) error {
	db := r.db.WithContext(ctx)
	if err := db.Where("customer_id = ?", customerID).Delete(&customerTagRow{}).Error; err != nil {
		return fmt.Errorf("replace tags of customer %d: %w", customerID, dbErr(err))
	}
	if len(tags) == 0 {
		return nil
	}
	rows := make([]customerTagRow, len(tags))
	for i, t := range tags {
		rows[i] = customerTagRow{CustomerID: customerID, Tag: t}
	}
	if err := db.Create(&rows).Error; err != nil {
		return fmt.Errorf("replace tags of customer %d: %w", customerID, dbErr(err))
	}
	return nil
}

// CustomerNote returns the staff's note on the customer (bot.ErrNotFound when none).
func (r *repo) CustomerNote(ctx context.Context, customerID int64) (crm.Note, error) {
	var row customerNoteRow
	if err := r.db.WithContext(ctx).Take(&row, customerID).Error; err != nil {
		return crm.Note{}, fmt.Errorf("note on customer %d: %w", customerID, dbErr(err))
	}
	return crm.Note{CustomerID: row.CustomerID, Text: row.Text, By: row.UpdatedBy, At: row.UpdatedAt.UTC()}, nil
}

// SaveCustomerNote inserts or replaces the note on the customer.
func (r *repo) SaveCustomerNote(ctx context.Context, n crm.Note) error {
	row := customerNoteRow{CustomerID: n.CustomerID, Text: n.Text, UpdatedBy: n.By, UpdatedAt: orNow(n.At)}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"note_text", "updated_by", "updated_at"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save note on customer %d: %w", n.CustomerID, dbErr(err))
	}
	return nil
}
