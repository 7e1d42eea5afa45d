package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
)

var _ crm.MergeRepo = (*repo)(nil)

// LockCustomerRecords locks the customers' rows in the order given,
// through the (channel, user id) index as LockCustomer does: a message
// and a merge then queue on the same lock first, where locking by id
// would let TiDB's message hold the index key while it waits for the row
// the merge holds, and the merge wait for that key when it updates the row.
func (r *repo) LockCustomerRecords(ctx context.Context, ids []int64) (map[int64]crm.Record, error) {
	out := map[int64]crm.Record{}
	for _, id := range ids {
		row, err := r.lockCustomerRowByID(ctx, id)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rec := crm.Record{ID: row.ID}
		if row.MergedInto != nil {
			rec.MergedInto = *row.MergedInto
		}
		out[id] = rec
	}
	return out, nil
}

// MergeCustomer moves everything of customer other to keep; the caller
// holds both rows' locks.
func (r *repo) MergeCustomer(ctx context.Context, otherID, keepID int64, by string, at time.Time) error {
	db := r.db.WithContext(ctx)
	if err := r.mergeHandoffs(db, otherID, keepID, by, at); err != nil {
		return err
	}
	for _, t := range []struct {
		model any
		what  string
	}{{&orderRow{}, "orders"}, {&afterSalesRow{}, "after-sales requests"}, {&handoffRow{}, "handoffs"}, {&handoffLineRow{}, "transcripts"}} {
		if err := db.Model(t.model).Where("customer_id = ?", otherID).Update("customer_id", keepID).Error; err != nil {
			return fmt.Errorf("move %s of customer %d: %w", t.what, otherID, dbErr(err))
		}
	}
	if err := r.mergeTagsAndNotes(ctx, otherID, keepID); err != nil {
		return err
	}
	// The kept customer's tier is recomputed over the orders it now has.
	if err := db.Where("customer_id = ?", otherID).Delete(&customerTierRow{}).Error; err != nil {
		return fmt.Errorf("drop tier of customer %d: %w", otherID, dbErr(err))
	}
	if err := r.mergeContact(db, otherID, keepID); err != nil {
		return err
	}
	// Every identity of other, its own and those merged into it before,
	// now points at keep directly.
	// Two statements, each on its own index: an OR would have TiDB scan
	// (and lock) far more.
	for _, where := range []string{"merged_into = ?", "id = ?"} {
		err := db.Model(&customerRow{}).Where(where, otherID).
			Updates(map[string]any{"merged_into": keepID, "updated_at": nowUTC()}).Error
		if err != nil {
			return fmt.Errorf("merge customer %d into %d: %w", otherID, keepID, dbErr(err))
		}
	}
	return nil
}

// mergeHandoffs ends other's open handoff when keep has one too: a customer
// has one open handoff at a time (uq_handoffs_open).
func (r *repo) mergeHandoffs(db *gorm.DB, otherID, keepID int64, by string, at time.Time) error {
	var open []handoffRow
	if err := db.Where("customer_id IN ? AND is_open = ?", []int64{otherID, keepID}, true).Find(&open).Error; err != nil {
		return fmt.Errorf("open handoffs: %w", dbErr(err))
	}
	if len(open) < 2 {
		return nil
	}
	err := db.Model(&handoffRow{}).Where("customer_id = ? AND is_open = ?", otherID, true).Updates(map[string]any{
		"is_open": false, "open_slot": nil, "closed_at": dbTime(at), "closed_by": by,
	}).Error
	if err != nil {
		return fmt.Errorf("end handoff of customer %d: %w", otherID, dbErr(err))
	}
	return nil
}

// mergeTagsAndNotes gives keep the union of both customers' tags and both
// notes, keep's first.
func (r *repo) mergeTagsAndNotes(ctx context.Context, otherID, keepID int64) error {
	keepTags, err := r.CustomerTags(ctx, keepID)
	if err != nil {
		return err
	}
	otherTags, err := r.CustomerTags(ctx, otherID)
	if err != nil {
		return err
	}
	if len(otherTags) > 0 {
		tags := keepTags
		for _, t := range otherTags {
			if !slices.ContainsFunc(tags, func(k string) bool { return strings.EqualFold(k, t) }) {
				tags = append(tags, t)
			}
		}
		slices.Sort(tags)
		if err := r.ReplaceCustomerTags(ctx, keepID, tags); err != nil {
			return err
		}
		if err := r.ReplaceCustomerTags(ctx, otherID, nil); err != nil {
			return err
		}
	}
	notes, err := r.NotesOf(ctx, []int64{keepID, otherID})
	if err != nil {
		return err
	}
	other, ok := notes[otherID]
	if !ok {
		return nil
	}
	merged := notes[keepID]
	merged.CustomerID = keepID
	if merged.Text == "" {
		merged.Text, merged.By, merged.At = other.Text, other.By, other.At
	} else if other.Text != "" {
		merged.Text += "\n\n" + other.Text
	}
	if err := r.SaveCustomerNote(ctx, merged); err != nil {
		return err
	}
	if err := r.db.WithContext(ctx).Where("customer_id = ?", otherID).Delete(&customerNoteRow{}).Error; err != nil {
		return fmt.Errorf("drop note of customer %d: %w", otherID, dbErr(err))
	}
	return nil
}

// mergeContact fills in keep's empty name, phone and address from other's.
func (r *repo) mergeContact(db *gorm.DB, otherID, keepID int64) error {
	var rows []customerRow
	if err := db.Select("id", "name", "phone", "address").Where("id IN ?", []int64{otherID, keepID}).Find(&rows).Error; err != nil {
		return fmt.Errorf("contact of customers: %w", dbErr(err))
	}
	var keep, other customerRow
	for _, row := range rows {
		if row.ID == keepID {
			keep = row
		} else {
			other = row
		}
	}
	fill := map[string]any{}
	for col, v := range map[string][2]string{"name": {keep.Name, other.Name}, "phone": {keep.Phone, other.Phone}, "address": {keep.Address, other.Address}} {
		if v[0] == "" && v[1] != "" {
			fill[col] = v[1]
		}
	}
	if len(fill) == 0 {
		return nil
	}
	if err := db.Model(&customerRow{}).Where("id = ?", keepID).Updates(fill).Error; err != nil {
		return fmt.Errorf("contact of customer %d: %w", keepID, dbErr(err))
	}
	return nil
}

// CustomerIdentities returns, for each customer, the channel identities it
// has: its own first, then those of the customers merged into it.
func (r *repo) CustomerIdentities(ctx context.Context, ids []int64) (map[int64][]bot.Identity, error) {
	out := map[int64][]bot.Identity{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []customerRow
	err := r.db.WithContext(ctx).Select("id", "channel", "user_id", "display_name", "merged_into").
		Where("id IN ? OR merged_into IN ?", ids, ids).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("identities of customers: %w", dbErr(err))
	}
	for _, own := range []bool{true, false} {
		for _, row := range rows {
			if (row.MergedInto == nil) != own {
				continue
			}
			owner := row.ID
			if row.MergedInto != nil {
				owner = *row.MergedInto
			}
			out[owner] = append(out[owner], bot.Identity{Channel: row.Channel, UserID: row.UserID, DisplayName: row.DisplayName})
		}
	}
	return out, nil
}
