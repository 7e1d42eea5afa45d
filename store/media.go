package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

type mediaRow struct {
	ID          int64
	Channel     string
	Owner       string
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

func (mediaRow) TableName() string { return "media" }

// SaveMedia stores an uploaded file and sets its ID.
func (r *repo) SaveMedia(ctx context.Context, m *bot.Media) error {
	row := mediaRow{Channel: m.Channel, Owner: m.Owner, ContentType: m.ContentType, Data: r.sealBytes(m.Data), CreatedAt: orNow(m.CreatedAt)}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("save media: %w", dbErr(err))
	}
	m.ID, m.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// Media returns a stored file.
func (r *repo) Media(ctx context.Context, id int64) (bot.Media, error) {
	var row mediaRow
	if err := r.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return bot.Media{}, fmt.Errorf("media %d: %w", id, dbErr(err))
	}
	data, err := r.openBytes(row.Data)
	if err != nil {
		return bot.Media{}, fmt.Errorf("open media %d: %w", id, err)
	}
	return bot.Media{ID: row.ID, Channel: row.Channel, Owner: row.Owner, ContentType: row.ContentType, Data: data, CreatedAt: row.CreatedAt.UTC()}, nil
}

// CountMedia counts the files one owner uploaded on a channel since a time.
func (r *repo) CountMedia(ctx context.Context, channel, owner string, since time.Time) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&mediaRow{}).
		Where("channel = ? AND owner = ? AND created_at >= ?", channel, owner, dbTime(since)).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count media: %w", dbErr(err))
	}
	return int(n), nil
}
