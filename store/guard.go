package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// The state behind the web chat's limits and staff sessions. It lives in
// the database because several replicas serve the same visitors.

type rateEventRow struct {
	ID     int64
	Name   string
	Amount int64
	At     time.Time
}

func (rateEventRow) TableName() string { return "rate_events" }

type pollSlotRow struct {
	Name      string `gorm:"primaryKey"`
	Slot      int    `gorm:"primaryKey;autoIncrement:false"`
	Holder    string
	ExpiresAt time.Time
}

func (pollSlotRow) TableName() string { return "poll_slots" }

type staffSessionRow struct {
	ID        string `gorm:"primaryKey"`
	Channel   string
	UserID    string
	Grant     string `gorm:"column:grant_hash"`
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (staffSessionRow) TableName() string { return "staff_sessions" }

// AddRateEvent records one use of something limited and returns its id.
func (r *repo) AddRateEvent(ctx context.Context, e bot.RateEvent) (int64, error) {
	row := rateEventRow{Name: e.Key, Amount: e.Amount, At: orNow(e.At)}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return 0, fmt.Errorf("add rate event %s: %w", e.Key, dbErr(err))
	}
	return row.ID, nil
}

// RateEvents returns at most n uses under key after since, newest first.
func (r *repo) RateEvents(ctx context.Context, key string, since time.Time, n int) ([]bot.RateEvent, error) {
	var rows []rateEventRow
	q := r.db.WithContext(ctx).Where("name = ? AND at > ?", key, dbTime(since)).Order("at DESC").Order("id DESC")
	if err := limit(q, n).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("rate events %s: %w", key, dbErr(err))
	}
	es := make([]bot.RateEvent, len(rows))
	for i, row := range rows {
		es[i] = bot.RateEvent{ID: row.ID, Key: row.Name, Amount: row.Amount, At: row.At.UTC()}
	}
	return es, nil
}

// DeleteRateEvent forgets a use (one that was refused, or a login that
// turned out right); a missing one is no error.
func (r *repo) DeleteRateEvent(ctx context.Context, id int64) error {
	if err := r.db.WithContext(ctx).Delete(&rateEventRow{}, id).Error; err != nil {
		return fmt.Errorf("delete rate event %d: %w", id, dbErr(err))
	}
	return nil
}

// TakePollSlot takes one of slots numbered places under name for holder
// until a time, and reports which; ok is false when every place is held by
// someone else and has not expired. A unique key per place makes two
// replicas taking the last place at once get one each, never both. The
// places are tried from a random one on, so that with many held a free one
// is found in a few tries.
func (r *repo) TakePollSlot(ctx context.Context, name string, slots int, holder string, now, until time.Time) (slot int, ok bool, err error) {
	db := r.db.WithContext(ctx)
	start := rand.IntN(max(slots, 1))
	for j := range slots {
		i := (start + j) % slots
		row := pollSlotRow{Name: name, Slot: i, Holder: holder, ExpiresAt: dbTime(until)}
		err := db.Create(&row).Error
		if err == nil {
			return i, true, nil
		}
		if !errors.Is(dbErr(err), bot.ErrDuplicate) {
			return 0, false, fmt.Errorf("take poll slot %s: %w", name, dbErr(err))
		}
		// The place is held: take it over only when its holder is gone.
		res := db.Model(&pollSlotRow{}).Where("name = ? AND slot = ? AND expires_at < ?", name, i, dbTime(now)).
			Updates(map[string]any{"holder": holder, "expires_at": dbTime(until)})
		if res.Error != nil {
			return 0, false, fmt.Errorf("take poll slot %s: %w", name, dbErr(res.Error))
		}
		if res.RowsAffected == 1 {
			return i, true, nil
		}
	}
	return 0, false, nil
}

// ReleasePollSlot gives a place back, if holder still has it.
func (r *repo) ReleasePollSlot(ctx context.Context, name string, slot int, holder string) error {
	err := r.db.WithContext(ctx).Where("name = ? AND slot = ? AND holder = ?", name, slot, holder).Delete(&pollSlotRow{}).Error
	if err != nil {
		return fmt.Errorf("release poll slot %s: %w", name, dbErr(err))
	}
	return nil
}

// CreateStaffSession stores a new staff session.
func (r *repo) CreateStaffSession(ctx context.Context, s bot.StaffSession) error {
	row := staffSessionRow{ID: s.ID, Channel: s.Channel, UserID: s.UserID, Grant: s.Grant,
		CreatedAt: orNow(s.CreatedAt), ExpiresAt: dbTime(s.ExpiresAt)}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create staff session: %w", dbErr(err))
	}
	return nil
}

// StaffSession returns a session that has not expired at now; ErrNotFound
// otherwise.
func (r *repo) StaffSession(ctx context.Context, id string, now time.Time) (bot.StaffSession, error) {
	var row staffSessionRow
	err := r.db.WithContext(ctx).Where("id = ? AND expires_at > ?", id, dbTime(now)).Take(&row).Error
	if err != nil {
		return bot.StaffSession{}, fmt.Errorf("staff session: %w", dbErr(err))
	}
	return bot.StaffSession{ID: row.ID, Channel: row.Channel, UserID: row.UserID, Grant: row.Grant,
		CreatedAt: row.CreatedAt.UTC(), ExpiresAt: row.ExpiresAt.UTC()}, nil
}

// DeleteStaffSession ends a session; a missing one is no error.
func (r *repo) DeleteStaffSession(ctx context.Context, id string) error {
	if err := r.db.WithContext(ctx).Where("id = ?", id).Delete(&staffSessionRow{}).Error; err != nil {
		return fmt.Errorf("delete staff session: %w", dbErr(err))
	}
	return nil
}

// PruneGuard deletes rate events from before rateBefore and poll slots and
// staff sessions expired at now, and returns how many rows went.
func (r *repo) PruneGuard(ctx context.Context, now, rateBefore time.Time) (int, error) {
	db := r.db.WithContext(ctx)
	var n int64
	for _, q := range []struct {
		model any
		where string
		at    time.Time
	}{
		{&rateEventRow{}, "at < ?", rateBefore},
		{&pollSlotRow{}, "expires_at < ?", now},
		{&staffSessionRow{}, "expires_at < ?", now},
	} {
		res := db.Where(q.where, dbTime(q.at)).Delete(q.model)
		if res.Error != nil {
			return int(n), fmt.Errorf("prune web chat limits: %w", dbErr(res.Error))
		}
		n += res.RowsAffected
	}
	return int(n), nil
}

// PruneUnattachedMedia deletes photos uploaded before a time that no
// after-sales request of their owner refers to, and returns how many. A
// request keeps its media references as a JSON array of strings, so the
// quoted reference matches it exactly ("media:1" is not in "media:12").
func (r *repo) PruneUnattachedMedia(ctx context.Context, before time.Time) (int, error) {
	ref := `CONCAT('%"media:', media.id, '"%')`
	if r.dialect == dialectSQLite {
		ref = `'%"media:' || media.id || '"%'`
	}
	res := r.db.WithContext(ctx).Exec(`DELETE FROM media WHERE created_at < ? AND NOT EXISTS (
		SELECT 1 FROM customers c JOIN after_sales a ON a.customer_id = c.id
		WHERE c.channel = media.channel AND c.user_id = media.owner AND a.media LIKE `+ref+`)`, dbTime(before))
	if res.Error != nil {
		return 0, fmt.Errorf("prune media: %w", dbErr(res.Error))
	}
	return int(res.RowsAffected), nil
}
