package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

type promptRow struct {
	ID        int64
	Channel   string
	Message   string
	UserID    string
	Ref       string
	Action    string
	Input     string
	Version   int
	UsedBy    *string
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (promptRow) TableName() string { return "staff_prompts" }

func (r promptRow) prompt() bot.StaffPrompt {
	p := bot.StaffPrompt{
		Channel: r.Channel, Message: r.Message, UserID: r.UserID, Ref: r.Ref, Action: r.Action,
		Input: r.Input, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
	}
	if r.UsedBy != nil {
		p.UsedBy = *r.UsedBy
	}
	return p
}

// promptKeep is how long an expired prompt is kept, so that a late answer
// is told the prompt expired rather than ignored.
const promptKeep = 24 * time.Hour

// SavePrompt stores a prompt a staff channel posted, and deletes the ones
// that expired long ago.
func (r *repo) SavePrompt(ctx context.Context, p bot.StaffPrompt) error {
	row := promptRow{
		Channel: p.Channel, Message: p.Message, UserID: p.UserID, Ref: p.Ref, Action: p.Action,
		Input: p.Input, Version: p.Version, CreatedAt: orNow(p.CreatedAt), ExpiresAt: dbTime(p.ExpiresAt),
	}
	db := r.db.WithContext(ctx)
	if err := db.Create(&row).Error; err != nil {
		return fmt.Errorf("save prompt %s %s: %w", p.Channel, p.Message, dbErr(err))
	}
	if err := db.Where("expires_at < ?", row.CreatedAt.Add(-promptKeep)).Delete(&promptRow{}).Error; err != nil {
		return fmt.Errorf("prune prompts: %w", dbErr(err))
	}
	return nil
}

// Prompt returns the prompt posted as message on channel (bot.ErrNotFound
// when the message is no prompt).
func (r *repo) Prompt(ctx context.Context, channel, message string) (bot.StaffPrompt, error) {
	var row promptRow
	err := r.db.WithContext(ctx).Where("channel = ? AND message = ?", channel, message).Take(&row).Error
	if err != nil {
		return bot.StaffPrompt{}, fmt.Errorf("prompt %s %s: %w", channel, message, dbErr(err))
	}
	return row.prompt(), nil
}

// UsePrompt marks a prompt as answered by the event with dedup key key. It
// is used once: another key gets bot.ErrConflict, the same key again (a
// retried event) succeeds. An expired prompt gets bot.ErrInvalid.
func (r *repo) UsePrompt(ctx context.Context, channel, message, key string, now time.Time) error {
	db := r.db.WithContext(ctx)
	res := db.Model(&promptRow{}).
		Where("channel = ? AND message = ? AND used_by IS NULL AND expires_at > ?", channel, message, dbTime(now)).
		Update("used_by", key)
	if res.Error != nil {
		return fmt.Errorf("use prompt %s %s: %w", channel, message, dbErr(res.Error))
	}
	if res.RowsAffected == 1 {
		return nil
	}
	p, err := r.Prompt(ctx, channel, message)
	switch {
	case err != nil:
		return err
	case p.UsedBy == key:
		return nil
	case p.UsedBy != "":
		return fmt.Errorf("prompt %s %s: %w: already answered", channel, message, bot.ErrConflict)
	}
	return fmt.Errorf("prompt %s %s: %w: expired", channel, message, bot.ErrInvalid)
}
