package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

type messageRow struct {
	ID          int64
	Channel     string
	Recipient   string
	Kind        string
	Text        string
	Options     *string // JSON
	Card        *string // JSON
	Notice      *string // JSON
	Lang        string
	Attempts    int
	NextAt      *time.Time // NULL: due at once
	DeliveredAt *time.Time
	FailedAt    *time.Time
	LastError   string
	ExternalID  string
	Path        string
	Owner       *string // the dispatcher holding the lease
	LeaseUntil  *time.Time
	HeldAt      *time.Time // kept for the customer's next message
	CreatedAt   time.Time
}

func (messageRow) TableName() string { return "messages" }

func messageToRow(m *bot.Message) (messageRow, error) {
	options, err := jsonText(m.Options, len(m.Options) == 0)
	if err != nil {
		return messageRow{}, fmt.Errorf("options: %w", err)
	}
	card, err := jsonText(m.Card, m.Card == nil)
	if err != nil {
		return messageRow{}, fmt.Errorf("card: %w", err)
	}
	notice, err := jsonText(m.Notice, m.Notice == nil)
	if err != nil {
		return messageRow{}, fmt.Errorf("notice: %w", err)
	}
	return messageRow{
		Channel: m.Channel, Recipient: m.Recipient, Kind: string(m.Kind), Text: m.Text,
		Options: options, Card: card, Notice: notice, Lang: m.Lang, Attempts: m.Attempts,
		NextAt: nullTime(m.NextAt), DeliveredAt: nullTime(m.DeliveredAt), FailedAt: nullTime(m.FailedAt),
		LastError: m.LastError, ExternalID: m.ExternalID, Path: m.Path, CreatedAt: orNow(m.CreatedAt),
	}, nil
}

func messageFromRow(r messageRow) (*bot.Message, error) {
	m := &bot.Message{
		ID: r.ID, Channel: r.Channel, Recipient: r.Recipient, Kind: bot.MessageKind(r.Kind), Text: r.Text,
		Lang: r.Lang, Attempts: r.Attempts, NextAt: fromNullTime(r.NextAt),
		DeliveredAt: fromNullTime(r.DeliveredAt), FailedAt: fromNullTime(r.FailedAt),
		LastError: r.LastError, ExternalID: r.ExternalID, Path: r.Path, CreatedAt: r.CreatedAt.UTC(),
	}
	var notice conversation.Notice
	var card bot.Card
	if err := fromJSONText(r.Options, &m.Options); err != nil {
		return nil, fmt.Errorf("options of message %d: %w", r.ID, err)
	}
	if r.Card != nil {
		if err := fromJSONText(r.Card, &card); err != nil {
			return nil, fmt.Errorf("card of message %d: %w", r.ID, err)
		}
		m.Card = &card
	}
	if r.Notice != nil {
		if err := fromJSONText(r.Notice, &notice); err != nil {
			return nil, fmt.Errorf("notice of message %d: %w", r.ID, err)
		}
		m.Notice = &notice
	}
	return m, nil
}

func messagesFromRows(rows []messageRow) ([]*bot.Message, error) {
	ms := make([]*bot.Message, len(rows))
	for i, row := range rows {
		m, err := messageFromRow(row)
		if err != nil {
			return nil, err
		}
		ms[i] = m
	}
	return ms, nil
}

// Enqueue stores the messages and sets their IDs and creation times. They
// are inserted one by one: the id of each row of a multi-row INSERT is not
// reliably known on MySQL.
func (r *repo) Enqueue(ctx context.Context, ms []*bot.Message) error {
	if len(ms) == 0 {
		return nil
	}
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, m := range ms {
			row, err := messageToRow(m)
			if err != nil {
				return fmt.Errorf("enqueue message: %w", err)
			}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("enqueue message: %w", dbErr(err))
			}
			m.ID, m.CreatedAt = row.ID, row.CreatedAt
		}
		return nil
	})
}

// ClaimDue leases due messages to owner. It runs on every database, without
// SKIP LOCKED: candidates are read without locks, then one UPDATE takes
// those still free, repeating the conditions, and the rows carrying this
// claim's owner and lease are ours. Two dispatchers may read the same
// candidates; the row lock lets one UPDATE win each row.
func (r *repo) ClaimDue(ctx context.Context, owner string, now, leaseUntil time.Time, n int, ids ...int64) ([]*bot.Message, error) {
	now, leaseUntil = dbTime(now), dbTime(leaseUntil)
	db := r.db.WithContext(ctx)
	q := db.Model(&messageRow{}).
		Where("delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL").
		Where("(next_at IS NULL OR next_at <= ?)", now).
		Where("(owner IS NULL OR lease_until < ?)", now)
	if len(ids) > 0 {
		q = q.Where("id IN ?", ids)
	}
	var candidates []int64
	if err := limit(q.Order("id"), n).Pluck("id", &candidates).Error; err != nil {
		return nil, fmt.Errorf("claim messages: %w", dbErr(err))
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	res := db.Exec(`UPDATE messages SET owner = ?, lease_until = ?
		WHERE id IN ? AND delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL
		AND (next_at IS NULL OR next_at <= ?) AND (owner IS NULL OR lease_until < ?)`,
		owner, leaseUntil, candidates, now, now)
	if res.Error != nil {
		return nil, fmt.Errorf("claim messages: %w", dbErr(res.Error))
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var rows []messageRow
	err := db.Where("id IN ? AND owner = ? AND lease_until = ? AND delivered_at IS NULL", candidates, owner, leaseUntil).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load claimed messages: %w", dbErr(err))
	}
	return messagesFromRows(rows)
}

// MarkDelivered records the delivery and frees the lease.
func (r *repo) MarkDelivered(ctx context.Context, id int64, at time.Time, externalID, path string) error {
	return r.updateMessage(ctx, "mark delivered", id, map[string]any{
		"delivered_at": orNow(at), "external_id": externalID, "path": path,
		"owner": nil, "lease_until": nil,
	})
}

// MarkRetry records a failed attempt and frees the lease until next.
func (r *repo) MarkRetry(ctx context.Context, id int64, attempts int, next time.Time, lastErr string) error {
	return r.updateMessage(ctx, "mark retry", id, map[string]any{
		"attempts": attempts, "next_at": nullTime(next), "last_error": lastErr,
		"owner": nil, "lease_until": nil,
	})
}

// MarkFailed gives the message up for good.
func (r *repo) MarkFailed(ctx context.Context, id int64, at time.Time, lastErr string) error {
	return r.updateMessage(ctx, "mark failed", id, map[string]any{
		"failed_at": orNow(at), "last_error": lastErr,
		"owner": nil, "lease_until": nil,
	})
}

func (r *repo) updateMessage(ctx context.Context, what string, id int64, set map[string]any) error {
	res := r.db.WithContext(ctx).Model(&messageRow{}).Where("id = ?", id).Updates(set)
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	return nil
}

// Feed returns the messages to one recipient after afterID, delivered or
// not, oldest first: the web chat shows them from here.
func (r *repo) Feed(ctx context.Context, channel, recipient string, afterID int64, n int) ([]*bot.Message, error) {
	q := r.db.WithContext(ctx).Where("channel = ? AND recipient = ? AND id > ?", channel, recipient, afterID).Order("id")
	var rows []messageRow
	if err := limit(q, n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("feed: %w", dbErr(err))
	}
	return messagesFromRows(rows)
}
