package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
)

var _ handoff.Repo = (*repo)(nil)

type handoffLineRow struct {
	ID         int64
	HandoffID  int64
	CustomerID int64
	Author     string
	Actor      string
	Channel    string
	Text       string
	Photos     int
	At         time.Time
}

func (handoffLineRow) TableName() string { return "handoff_lines" }

func handoffLineFromRow(r handoffLineRow) bot.HandoffLine {
	return bot.HandoffLine{
		ID: r.ID, HandoffID: r.HandoffID, CustomerID: r.CustomerID, Author: r.Author, Actor: r.Actor,
		Channel: r.Channel, Text: r.Text, Photos: r.Photos, At: r.At.UTC(),
	}
}

// AddHandoffLine stores l and sets its ID.
func (r *repo) AddHandoffLine(ctx context.Context, l *bot.HandoffLine) error {
	row := handoffLineRow{
		HandoffID: l.HandoffID, CustomerID: l.CustomerID, Author: l.Author, Actor: l.Actor,
		Channel: l.Channel, Text: l.Text, Photos: l.Photos, At: orNow(l.At),
	}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("add handoff line: %w", dbErr(err))
	}
	l.ID, l.At = row.ID, row.At
	return nil
}

// HandoffLines returns the lines q selects, oldest first, reading the
// (handoff_id, id) or (customer_id, id) index in id order.
func (r *repo) HandoffLines(ctx context.Context, q handoff.Query) ([]bot.HandoffLine, error) {
	db := r.db.WithContext(ctx)
	if q.HandoffID > 0 {
		db = db.Where("handoff_id = ?", q.HandoffID)
	} else {
		db = db.Where("customer_id = ?", q.CustomerID)
	}
	if q.FromHandoff > 0 {
		db = db.Where("handoff_id >= ?", q.FromHandoff)
	}
	if q.Newest {
		if q.BeforeID > 0 {
			db = db.Where("id < ?", q.BeforeID)
		}
		db = db.Order("id DESC")
	} else {
		db = db.Where("id > ?", q.AfterID).Order("id")
	}
	var rows []handoffLineRow
	if err := limit(db, q.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("handoff lines: %w", dbErr(err))
	}
	out := make([]bot.HandoffLine, len(rows))
	for i, row := range rows {
		if q.Newest {
			out[len(rows)-1-i] = handoffLineFromRow(row)
		} else {
			out[i] = handoffLineFromRow(row)
		}
	}
	return out, nil
}
