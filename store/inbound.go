package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// inboundRow is the dedup record of one inbound event. The key lives in the
// database so that a retry landing on another replica is still caught.
type inboundRow struct {
	DedupKey   string `gorm:"primaryKey"`
	ReceivedAt time.Time
	Reply      []byte
}

func (inboundRow) TableName() string { return "inbound" }

// RecordInbound stores key; ErrDuplicate when it was seen before.
func (r *repo) RecordInbound(ctx context.Context, key string, at time.Time) error {
	row := inboundRow{DedupKey: key, ReceivedAt: orNow(at)}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("record inbound: %w", dbErr(err))
	}
	return nil
}

// RecordInboundReply stores key with the reply given to the event (sealed
// like SetInboundReply's); ErrDuplicate when it was seen before.
// It runs at the end of every customer message, so past gorm (rawsql.go).
func (r *repo) RecordInboundReply(ctx context.Context, key string, at time.Time, reply []byte) error {
	_, err := r.rawExec(ctx, "inbound", "INSERT INTO inbound (dedup_key, received_at, reply) VALUES (?, ?, ?)",
		key, orNow(at), nonEmpty(r.sealBytes(reply)))
	if err != nil {
		return fmt.Errorf("record inbound: %w", dbErr(err))
	}
	return nil
}

// SetInboundReply keeps the reply given to the event, for its duplicates.
func (r *repo) SetInboundReply(ctx context.Context, key string, reply []byte) error {
	res := r.db.WithContext(ctx).Model(&inboundRow{}).Where("dedup_key = ?", key).Update("reply", nullBytes(r.sealBytes(reply)))
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("set inbound reply: %w", err)
	}
	return nil
}

// InboundReply returns the reply stored for key, nil when none was.
func (r *repo) InboundReply(ctx context.Context, key string) ([]byte, error) {
	var row inboundRow
	if err := r.db.WithContext(ctx).Where("dedup_key = ?", key).Take(&row).Error; err != nil {
		return nil, fmt.Errorf("inbound reply: %w", dbErr(err))
	}
	return r.reply(row)
}

// reply is the stored reply, nil when none was: every read of one goes
// through it.
// reply opens the stored reply of row: it holds what the bot said, so it is
// sealed like the outbox.
func (r *repo) reply(row inboundRow) ([]byte, error) {
	reply, err := r.openBytes(row.Reply)
	if err != nil {
		return nil, fmt.Errorf("open inbound reply: %w", err)
	}
	return nonEmpty(reply), nil
}

type cardRefRow struct {
	ID         int64
	Channel    string
	Ref        string
	ExternalID string
}

func (cardRefRow) TableName() string { return "card_refs" }

// SaveCardRef remembers (or replaces) the platform id of a staff card.
func (r *repo) SaveCardRef(ctx context.Context, channel, ref, externalID string) error {
	row := cardRefRow{Channel: channel, Ref: ref, ExternalID: externalID}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel"}, {Name: "ref"}},
		DoUpdates: clause.AssignmentColumns([]string{"external_id"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save card ref %s: %w", ref, dbErr(err))
	}
	return nil
}

// CardRef returns the platform id of the card ref on channel.
func (r *repo) CardRef(ctx context.Context, channel, ref string) (string, error) {
	var row cardRefRow
	if err := r.db.WithContext(ctx).Where("channel = ? AND ref = ?", channel, ref).Take(&row).Error; err != nil {
		return "", fmt.Errorf("card ref %s: %w", ref, dbErr(err))
	}
	return row.ExternalID, nil
}

// CardRefByExternal returns the ref of the card posted on channel as
// externalID: a reply in a card's thread names only the card's message.
func (r *repo) CardRefByExternal(ctx context.Context, channel, externalID string) (string, error) {
	var row cardRefRow
	if err := r.db.WithContext(ctx).Where("channel = ? AND external_id = ?", channel, externalID).Take(&row).Error; err != nil {
		return "", fmt.Errorf("card of %s: %w", externalID, dbErr(err))
	}
	return row.Ref, nil
}

type settingRow struct {
	Name  string `gorm:"primaryKey"`
	Value string `gorm:"column:setting_value"`
}

func (settingRow) TableName() string { return "settings" }

// Setting returns the named value.
func (r *repo) Setting(ctx context.Context, name string) (string, error) {
	var row settingRow
	if err := r.db.WithContext(ctx).Where("name = ?", name).Take(&row).Error; err != nil {
		return "", fmt.Errorf("setting %s: %w", name, dbErr(err))
	}
	return row.Value, nil
}

// SetSettingIfAbsent stores value unless the name exists and returns what is
// stored: replicas racing at start all end up with the first one's value.
func (r *repo) SetSettingIfAbsent(ctx context.Context, name, value string) (string, error) {
	db := r.db.WithContext(ctx)
	err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&settingRow{Name: name, Value: value}).Error
	if err != nil && !errors.Is(err, gorm.ErrDuplicatedKey) {
		return "", fmt.Errorf("set setting %s: %w", name, dbErr(err))
	}
	return r.Setting(ctx, name)
}
