package store

import (
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
)

// customerFilter is the tier and tag part of a customer search. Each is a
// subquery on its table's index (tier, customer_id) or (tag, customer_id),
// which the database reads in id order beside the customers' primary key.
func (r *repo) customerFilter(ctx context.Context, f bot.CustomerFilter) (func(*gorm.DB) *gorm.DB, error) {
	var others []string
	if f.Tier != "" {
		ts, err := r.TierList(ctx)
		if err != nil {
			return nil, err
		}
		others = make([]string, 0, len(ts))
		for _, t := range ts {
			others = append(others, t.Name)
		}
	}
	return func(q *gorm.DB) *gorm.DB {
		if f.Tag != "" {
			q = q.Where("id IN (SELECT customer_id FROM customer_tags WHERE tag = ?)", f.Tag)
		}
		switch {
		case f.Tier == "":
		case len(others) > 0 && others[0] == f.Tier:
			// The first tier is held by everyone holding no other: those
			// without a member row and those whose tier was removed.
			if rest := others[1:]; len(rest) > 0 {
				q = q.Where("id NOT IN (SELECT customer_id FROM customer_tiers WHERE tier IN ?)", rest)
			}
		case slices.Contains(others, f.Tier):
			q = q.Where("id IN (SELECT customer_id FROM customer_tiers WHERE tier = ?)", f.Tier)
		default:
			q = q.Where("1 = 0")
		}
		return q
	}, nil
}

// TagsOf returns the tags of each of the customers that have some, sorted:
// one statement for a page of customers.
func (r *repo) TagsOf(ctx context.Context, customerIDs []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []customerTagRow
	err := r.db.WithContext(ctx).Where("customer_id IN ?", customerIDs).Order("customer_id, tag").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("tags of %d customers: %w", len(customerIDs), dbErr(err))
	}
	for _, row := range rows {
		out[row.CustomerID] = append(out[row.CustomerID], row.Tag)
	}
	return out, nil
}

// NotesOf returns the staff's notes on those of the customers that have one.
func (r *repo) NotesOf(ctx context.Context, customerIDs []int64) (map[int64]crm.Note, error) {
	out := make(map[int64]crm.Note, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []customerNoteRow
	if err := r.db.WithContext(ctx).Where("customer_id IN ?", customerIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("notes on %d customers: %w", len(customerIDs), dbErr(err))
	}
	for _, row := range rows {
		out[row.CustomerID] = crm.Note{CustomerID: row.CustomerID, Text: row.Text, By: row.UpdatedBy, At: row.UpdatedAt.UTC()}
	}
	return out, nil
}
