package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
)

// erasePage is how many rows an erase reads at a time while it looks
// through the outbox and the inbound records.
const erasePage = 500

// eraseMessages deletes every message to the customer, the pictures kept
// with them, and the inbound records that hold replies to them or name the
// customer's platform id in their key.
func (r *repo) eraseMessages(ctx context.Context, db *gorm.DB, e privacy.Erasure, n *privacy.Counts) error {
	var ids []int64
	err := db.Model(&messageRow{}).Where("channel = ? AND recipient = ?", e.Before.Channel, e.Before.UserID).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return err
	}
	for _, part := range chunks(ids, erasePage) {
		if err := db.Where("message_id IN ?", part).Delete(&chatImageRow{}).Error; err != nil {
			return err
		}
		res := db.Where("id IN ?", part).Delete(&messageRow{})
		if res.Error != nil {
			return res.Error
		}
		n.Messages += int(res.RowsAffected)
	}
	cleared, err := r.clearInboundReplies(ctx, db, ids, e.Before.CreatedAt)
	if err != nil {
		return err
	}
	keyed, err := deleteKeyedInbound(db, e.Before)
	n.Inbound = cleared + keyed
	return err
}

// clearInboundReplies drops the stored replies that were messages to the
// customer (ids, sorted). The records stay, as dedup keys without a reply.
func (r *repo) clearInboundReplies(ctx context.Context, db *gorm.DB, ids []int64, since time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	cleared, after := 0, ""
	for {
		var rows []inboundRow
		err := db.Where("dedup_key > ? AND received_at >= ? AND reply IS NOT NULL", after, dbTime(since.Add(-time.Minute))).
			Order("dedup_key").Limit(erasePage).Find(&rows).Error
		if err != nil || len(rows) == 0 {
			return cleared, err
		}
		for _, row := range rows {
			reply, err := r.reply(row)
			if err != nil {
				return cleared, fmt.Errorf("inbound %q: %w", row.DedupKey, err)
			}
			replied, err := bot.RepliedMessageIDs(reply)
			if err != nil {
				return cleared, fmt.Errorf("inbound %q: %w", row.DedupKey, err)
			}
			if !slices.ContainsFunc(replied, func(id int64) bool { _, ok := slices.BinarySearch(ids, id); return ok }) {
				continue
			}
			if err := r.SetInboundReply(ctx, row.DedupKey, nil); err != nil {
				return cleared, err
			}
			cleared++
		}
		after = rows[len(rows)-1].DedupKey
	}
}

// deleteKeyedInbound deletes the dedup records whose key holds the
// customer's platform id: the web chat's and WeChat's keys do
// ("webchat:<user>:…", "wechat:msg:<openid>:…"). A key range rather than
// LIKE, so that no character of the id is a wildcard: every key that
// starts with the prefix sorts between it and the prefix with its last
// byte (':') raised by one (';'), in binary collation.
func deleteKeyedInbound(db *gorm.DB, c bot.Customer) (int, error) {
	var prefixes []string
	switch c.Channel {
	case bot.WebChat:
		prefixes = []string{"webchat:" + c.UserID + ":"}
	case bot.WeChat:
		prefixes = []string{"wechat:msg:" + c.UserID + ":", "wechat:event:" + c.UserID + ":"}
	}
	n := 0
	for _, p := range prefixes {
		end := p[:len(p)-1] + ";"
		res := db.Where("dedup_key >= ? AND dedup_key < ?", p, end).Delete(&inboundRow{})
		if res.Error != nil {
			return n, res.Error
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}

// RedactStaffMessages puts the given cards in place of the text and card of
// every staff message about their items, so that neither what is still to
// be posted nor what the outbox keeps of what was shows the customer; a
// thread message (the customer's words in a handoff, a staff answer) not
// yet sent is given up.
func (r *repo) RedactStaffMessages(ctx context.Context, cards []bot.Card, now time.Time) (int, error) {
	if len(cards) == 0 {
		return 0, nil
	}
	byRef := make(map[string]bot.Card, len(cards))
	for _, c := range cards {
		byRef[c.Ref] = c
	}
	db := r.db.WithContext(ctx)
	changed := 0
	for after := int64(0); ; {
		var rows []messageRow
		err := db.Where("id > ? AND recipient = ? AND card IS NOT NULL", after, bot.StaffRecipient).
			Order("id").Limit(erasePage).Find(&rows).Error
		if err != nil {
			return changed, dbErrf("redact staff messages", err)
		}
		if len(rows) == 0 {
			return changed, nil
		}
		after = rows[len(rows)-1].ID
		ms, err := r.messagesFromRows(rows)
		if err != nil {
			return changed, err
		}
		for _, m := range ms {
			if m.Card == nil {
				continue
			}
			card, ok := byRef[m.Card.Ref]
			if !ok {
				continue
			}
			if err := r.redactStaffMessage(db, m, card, now); err != nil {
				return changed, err
			}
			changed++
		}
	}
}

func (r *repo) redactStaffMessage(db *gorm.DB, m *bot.Message, card bot.Card, now time.Time) error {
	m.Text, m.Card = "", &card
	if m.Kind == bot.KindThread && m.DeliveredAt.IsZero() && m.FailedAt.IsZero() {
		m.FailedAt, m.LastError = now, "customer erased"
	}
	row, err := r.messageToRow(m)
	if err != nil {
		return fmt.Errorf("redact message %d: %w", m.ID, err)
	}
	res := db.Model(&messageRow{}).Where("id = ?", m.ID).Updates(map[string]any{
		"text": row.Text, "card": row.Card, "failed_at": row.FailedAt, "last_error": row.LastError,
	})
	return dbErrf("redact message", res.Error)
}
