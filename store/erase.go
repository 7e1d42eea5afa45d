package store

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
)

var _ privacy.Repo = (*repo)(nil)

// handoffClosedByErase is who the handoff of an erased customer was closed by.
const handoffClosedByErase = "erase"

// EraseCustomerData saves e.After in place of the customer and blanks or
// deletes their personal data everywhere else. Values go through the same
// row converters as every write, so that what the store does to personal
// data on its way to a column (encryption) happens to the blanks as well.
func (r *repo) EraseCustomerData(ctx context.Context, e privacy.Erasure) (privacy.Counts, error) {
	var n privacy.Counts
	steps := []struct {
		what string
		fn   func(context.Context, *gorm.DB, privacy.Erasure, *privacy.Counts) error
	}{
		{"customer", r.eraseCustomerRow},
		{"orders", r.eraseOrderContacts},
		{"after-sales", r.eraseAfterSales},
		{"actors", eraseActors},
		{"messages", r.eraseMessages},
		{"web chat", eraseChatLines},
		{"photos", eraseMedia},
		{"notes and tags", eraseNotesAndTags},
		{"handoffs", closeHandoffs},
		{"conversations with staff", eraseHandoffLines},
		{"customer care", eraseCare},
	}
	db := r.db.WithContext(ctx)
	for _, s := range steps {
		if err := s.fn(ctx, db, e, &n); err != nil {
			return privacy.Counts{}, fmt.Errorf("erase customer %d: %s: %w", e.Before.ID, s.what, dbErr(err))
		}
	}
	return n, nil
}

func (r *repo) eraseCustomerRow(ctx context.Context, db *gorm.DB, e privacy.Erasure, _ *privacy.Counts) error {
	if err := r.UpdateCustomer(ctx, e.After); err != nil {
		return err
	}
	// The identity is what UpdateCustomer never changes.
	return mustAffect(db.Model(&customerRow{}).Where("id = ?", e.Before.ID).Update("user_id", e.After.UserID))
}

// eraseOrderContacts blanks the contact snapshot of every order; items,
// amounts and statuses stay.
func (r *repo) eraseOrderContacts(_ context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	blank := r.orderToRow(&bot.Order{})
	// The hashes go too: an erased phone must not find the orders.
	res := db.Model(&orderRow{}).Where("customer_id = ?", e.Before.ID).Updates(map[string]any{
		"contact_name": blank.ContactName, "contact_phone": blank.ContactPhone, "contact_address": blank.ContactAddress,
		"contact_name_hash": blank.ContactNameHash, "contact_phone_hash": blank.ContactPhoneHash,
	})
	n.Orders = int(res.RowsAffected)
	return res.Error
}

// eraseAfterSales blanks the reasons customers gave and their photo
// references; the photos themselves go with the customer's media.
func (r *repo) eraseAfterSales(_ context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	blank, err := r.afterSalesToRow(&bot.AfterSales{})
	if err != nil {
		return err
	}
	res := db.Model(&afterSalesRow{}).Where("customer_id = ?", e.Before.ID).Updates(map[string]any{
		"reason": blank.Reason, "media": blank.Media,
	})
	n.AfterSales = int(res.RowsAffected)
	return res.Error
}

// eraseActors renames the customer in the history of their orders and
// requests and in the audit trail of their items, where they are named by
// their platform id.
func eraseActors(_ context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	from, to := bot.CustomerActor(e.Before), bot.CustomerActor(e.After)
	id := e.Before.ID
	orders := db.Model(&orderRow{}).Select("id").Where("customer_id = ?", id)
	requests := db.Model(&afterSalesRow{}).Select("id").Where("customer_id = ?", id)
	res := db.Model(&orderHistoryRow{}).Where("order_id IN (?) AND actor = ?", orders, from).Update("actor", to)
	if res.Error != nil {
		return res.Error
	}
	n.History += int(res.RowsAffected)
	res = db.Model(&afterSalesHistoryRow{}).Where("after_sales_id IN (?) AND actor = ?", requests, from).Update("actor", to)
	if res.Error != nil {
		return res.Error
	}
	n.History += int(res.RowsAffected)
	var numbers, requestNumbers []string
	var handoffs []int64
	if err := db.Model(&orderRow{}).Where("customer_id = ? AND number IS NOT NULL", id).Pluck("number", &numbers).Error; err != nil {
		return err
	}
	if err := db.Model(&afterSalesRow{}).Where("customer_id = ? AND number IS NOT NULL", id).Pluck("number", &requestNumbers).Error; err != nil {
		return err
	}
	if err := db.Model(&handoffRow{}).Where("customer_id = ?", id).Pluck("id", &handoffs).Error; err != nil {
		return err
	}
	refs := map[string][]string{"order": numbers, "after_sales": requestNumbers, "handoff": int64Texts(handoffs)}
	for entity, list := range refs {
		for _, part := range chunks(list, 500) {
			res := db.Model(&auditRow{}).Where("entity = ? AND ref IN ? AND actor = ?", entity, part, from).Update("actor", to)
			if res.Error != nil {
				return res.Error
			}
			n.History += int(res.RowsAffected)
		}
	}
	if err := db.Model(&handoffRow{}).Where("customer_id = ? AND closed_by = ?", id, from).Update("closed_by", to).Error; err != nil {
		return err
	}
	// Staff notes and tags are about the person; the trail keeps that they
	// changed, by whom and when, not what they said.
	return db.Model(&auditRow{}).Where("entity = ? AND ref = ? AND action IN ?", "customer", strconv.FormatInt(id, 10), []string{"note", "tags"}).
		Updates(map[string]any{"from_value": "", "to_value": "", "note": ""}).Error
}

// eraseNotesAndTags deletes what staff wrote about the customer.
func eraseNotesAndTags(_ context.Context, db *gorm.DB, e privacy.Erasure, _ *privacy.Counts) error {
	if err := db.Where("customer_id = ?", e.Before.ID).Delete(&customerTagRow{}).Error; err != nil {
		return err
	}
	return db.Where("customer_id = ?", e.Before.ID).Delete(&customerNoteRow{}).Error
}

// closeHandoffs ends an open handoff: nobody is left to talk to.
func closeHandoffs(_ context.Context, db *gorm.DB, e privacy.Erasure, _ *privacy.Counts) error {
	return db.Model(&handoffRow{}).Where("customer_id = ? AND is_open = ?", e.Before.ID, true).Updates(map[string]any{
		"is_open": false, "open_slot": nil, "closed_at": dbTime(e.At), "closed_by": handoffClosedByErase,
	}).Error
}

// eraseMedia deletes every file the customer uploaded, attached to a
// request or not.
func eraseMedia(_ context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	res := db.Where("channel = ? AND owner = ?", e.Before.Channel, e.Before.UserID).Delete(&mediaRow{})
	n.Media = int(res.RowsAffected)
	return res.Error
}

// eraseChatLines deletes what a web chat customer typed.
func eraseChatLines(_ context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	if e.Before.Channel != bot.WebChat {
		return nil
	}
	res := db.Where("user_id = ?", e.Before.UserID).Delete(&chatLineRow{})
	n.ChatLines = int(res.RowsAffected)
	return res.Error
}

func int64Texts(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

// chunks cuts a list into parts of at most size, for IN lists.
func chunks[T any](list []T, size int) [][]T {
	var out [][]T
	for len(list) > size {
		out = append(out, list[:size])
		list = list[size:]
	}
	if len(list) > 0 {
		out = append(out, list)
	}
	return out
}

// eraseHandoffLines deletes what the customer and staff wrote to each
// other during handoffs; the handoffs themselves (when, who closed them)
// stay.
func eraseHandoffLines(_ context.Context, db *gorm.DB, e privacy.Erasure, _ *privacy.Counts) error {
	return db.Where("customer_id = ?", e.Before.ID).Delete(&handoffLineRow{}).Error
}

// eraseCare deletes the customer's consent records and blanks what they
// wrote in surveys and follow-up visits; scores stay, as the orders'
// amounts do, for the shop's figures.
func eraseCare(_ context.Context, db *gorm.DB, e privacy.Erasure, _ *privacy.Counts) error {
	for _, model := range []any{&consentRow{}, &consentEventRow{}, &reminderRow{}} {
		if err := db.Where("customer_id = ?", e.Before.ID).Delete(model).Error; err != nil {
			return err
		}
	}
	if err := db.Model(&surveyRow{}).Where("customer_id = ?", e.Before.ID).Update("comment", "").Error; err != nil {
		return err
	}
	return db.Model(&followUpRow{}).Where("customer_id = ?", e.Before.ID).Update("answer", "").Error
}
