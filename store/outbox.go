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
	ImageURL    *string `gorm:"column:image_url"` // NULL: no picture
	Bulk        bool
}

func (messageRow) TableName() string { return "messages" }

// messageToRow seals the message's text, options, card and notice: any of
// them may quote a customer's name, phone or address.
func (r *repo) messageToRow(m *bot.Message) (messageRow, error) {
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
		Channel: m.Channel, Recipient: m.Recipient, Kind: string(m.Kind), Text: r.seal(m.Text),
		Options: r.sealText(options), Card: r.sealText(card), Notice: r.sealText(notice), Lang: m.Lang, Attempts: m.Attempts,
		NextAt: nullTime(m.NextAt), DeliveredAt: nullTime(m.DeliveredAt), FailedAt: nullTime(m.FailedAt),
		LastError: m.LastError, ExternalID: m.ExternalID, Path: m.Path, CreatedAt: orNow(m.CreatedAt),
		ImageURL: nullString(m.ImageURL), Bulk: m.Bulk,
		Owner: nullString(m.LeasedTo), LeaseUntil: nullTime(m.LeaseUntil),
	}, nil
}

// sealText seals a nullable text column.
func (r *repo) sealText(s *string) *string {
	if s == nil {
		return nil
	}
	v := r.seal(*s)
	return &v
}

// openText opens a nullable text column.
func (r *repo) openText(s *string) (*string, error) {
	if s == nil {
		return nil, nil
	}
	v, err := r.open(*s)
	return &v, err
}

func (r *repo) messageFromRow(row messageRow) (*bot.Message, error) {
	if err := r.openMessageRow(&row); err != nil {
		return nil, fmt.Errorf("open message %d: %w", row.ID, err)
	}
	return messageFromOpenRow(row)
}

func (r *repo) openMessageRow(row *messageRow) error {
	var err error
	if row.Text, err = r.open(row.Text); err != nil {
		return err
	}
	for _, col := range []**string{&row.Options, &row.Card, &row.Notice} {
		if *col, err = r.openText(*col); err != nil {
			return err
		}
	}
	return nil
}

func messageFromOpenRow(r messageRow) (*bot.Message, error) {
	m := &bot.Message{
		ID: r.ID, Channel: r.Channel, Recipient: r.Recipient, Kind: bot.MessageKind(r.Kind), Text: r.Text,
		Lang: r.Lang, Attempts: r.Attempts, NextAt: fromNullTime(r.NextAt),
		DeliveredAt: fromNullTime(r.DeliveredAt), FailedAt: fromNullTime(r.FailedAt),
		LastError: r.LastError, ExternalID: r.ExternalID, Path: r.Path, CreatedAt: r.CreatedAt.UTC(),
		Bulk: r.Bulk,
	}
	if r.ImageURL != nil {
		m.ImageURL = *r.ImageURL
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

func (r *repo) messagesFromRows(rows []messageRow) ([]*bot.Message, error) {
	ms := make([]*bot.Message, len(rows))
	for i, row := range rows {
		m, err := r.messageFromRow(row)
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
	if len(ms) == 1 {
		// One insert is atomic by itself: no savepoint round trip for the
		// usual single reply.
		return r.enqueue(ctx, ms)
	}
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return r.on(tx).enqueue(ctx, ms) })
}

// insertMessageSQL stores a messageRow, every column of it but the id. A
// reply costs one per message, so it runs past gorm (rawsql.go).
const insertMessageSQL = "INSERT INTO messages (channel, recipient, kind, text, options, card, notice, lang, attempts," +
	" next_at, delivered_at, failed_at, last_error, external_id, path, owner, lease_until, held_at, created_at, image_url, bulk)" +
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

func (r *repo) enqueue(ctx context.Context, ms []*bot.Message) error {
	for _, m := range ms {
		row, err := r.messageToRow(m)
		if err != nil {
			return fmt.Errorf("enqueue message: %w", err)
		}
		res, err := r.rawExec(ctx, "messages", insertMessageSQL,
			row.Channel, row.Recipient, row.Kind, row.Text, row.Options, row.Card, row.Notice, row.Lang, row.Attempts,
			row.NextAt, row.DeliveredAt, row.FailedAt, row.LastError, row.ExternalID, row.Path, row.Owner, row.LeaseUntil,
			row.HeldAt, row.CreatedAt, row.ImageURL, row.Bulk)
		if err != nil {
			return fmt.Errorf("enqueue message: %w", dbErr(err))
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("enqueue message: id: %w", err)
		}
		m.CreatedAt = row.CreatedAt
		if row.Owner == nil {
			r.noteForClaim()
		}
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
	return r.messagesFromRows(rows)
}
