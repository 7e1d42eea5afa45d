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

// handoffLineFromRow opens the sealed text of a line: what customers and
// staff write to each other is personal data like the rest.
func (r *repo) handoffLineFromRow(row handoffLineRow) (bot.HandoffLine, error) {
	text, err := r.open(row.Text)
	if err != nil {
		return bot.HandoffLine{}, fmt.Errorf("open handoff line %d: %w", row.ID, err)
	}
	return bot.HandoffLine{
		ID: row.ID, HandoffID: row.HandoffID, CustomerID: row.CustomerID, Author: row.Author, Actor: row.Actor,
		Channel: row.Channel, Text: text, Photos: row.Photos, At: row.At.UTC(),
	}, nil
}

// AddHandoffLine stores l and sets its ID.
func (r *repo) AddHandoffLine(ctx context.Context, l *bot.HandoffLine) error {
	row := handoffLineRow{
		HandoffID: l.HandoffID, CustomerID: l.CustomerID, Author: l.Author, Actor: l.Actor,
		Channel: l.Channel, Text: r.seal(l.Text), Photos: l.Photos, At: orNow(l.At),
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
		l, err := r.handoffLineFromRow(row)
		if err != nil {
			return nil, err
		}
		if q.Newest {
			out[len(rows)-1-i] = l
		} else {
			out[i] = l
		}
	}
	return out, nil
}
