package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
)

type chatLineRow struct {
	ID       int64
	UserID   string
	ClientID string
	Kind     string
	Text     string
	At       time.Time
	BeforeID int64
}

func (chatLineRow) TableName() string { return "chat_lines" }

type chatImageRow struct {
	MessageID int64 `gorm:"primaryKey;autoIncrement:false"`
	URL       string
}

func (chatImageRow) TableName() string { return "chat_images" }

// SaveChatLine keeps a web chat customer's message; a second one with the
// same client id (a retried request) is ignored.
func (r *repo) SaveChatLine(ctx context.Context, l bot.ChatLine) error {
	row := chatLineRow{UserID: l.UserID, ClientID: l.ClientID, Kind: l.Kind, Text: r.seal(l.Text), At: l.At.UTC(), BeforeID: l.BeforeID}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save chat line: %w", dbErr(err))
	}
	return nil
}

// ChatLines returns the customer's last n messages, oldest first.
func (r *repo) ChatLines(ctx context.Context, userID string, n int) ([]bot.ChatLine, error) {
	var rows []chatLineRow
	err := r.db.WithContext(ctx).Where("user_id = ?", userID).Order("at DESC, id DESC").Limit(n).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("chat lines: %w", dbErr(err))
	}
	out := make([]bot.ChatLine, len(rows))
	for i, row := range rows {
		if row.Text, err = r.open(row.Text); err != nil {
			return nil, fmt.Errorf("open chat line %d: %w", row.ID, err)
		}
		out[len(rows)-1-i] = bot.ChatLine{ID: row.ID, UserID: row.UserID, ClientID: row.ClientID,
			Kind: row.Kind, Text: row.Text, At: row.At.UTC(), BeforeID: row.BeforeID}
	}
	return out, nil
}

// SaveChatImages keeps the pictures shown with outbox messages, by message
// id; one already kept is left as it is.
func (r *repo) SaveChatImages(ctx context.Context, images map[int64]string) error {
	if len(images) == 0 {
		return nil
	}
	rows := make([]chatImageRow, 0, len(images))
	for id, url := range images {
		rows = append(rows, chatImageRow{MessageID: id, URL: url})
	}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error
	if err != nil {
		return fmt.Errorf("save chat images: %w", dbErr(err))
	}
	return nil
}

// ChatImages returns the pictures kept for the given message ids.
func (r *repo) ChatImages(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []chatImageRow
	if err := r.db.WithContext(ctx).Where("message_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("chat images: %w", dbErr(err))
	}
	for _, row := range rows {
		out[row.MessageID] = row.URL
	}
	return out, nil
}

// PruneChatHistory deletes customer messages from before a time, and the
// pictures of outbox messages that are gone.
func (r *repo) PruneChatHistory(ctx context.Context, before time.Time) (int, error) {
	db := r.db.WithContext(ctx)
	lines := db.Where("at < ?", before.UTC()).Delete(&chatLineRow{})
	if lines.Error != nil {
		return 0, fmt.Errorf("prune chat lines: %w", dbErr(lines.Error))
	}
	images := db.Exec("DELETE FROM chat_images WHERE NOT EXISTS (SELECT 1 FROM messages WHERE messages.id = chat_images.message_id)")
	if images.Error != nil {
		return 0, fmt.Errorf("prune chat images: %w", dbErr(images.Error))
	}
	return int(lines.RowsAffected + images.RowsAffected), nil
}
