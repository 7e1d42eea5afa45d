package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// MarkHeld keeps a message back until the customer writes again; the
// dispatcher does not claim it meanwhile. Only the lease's holder may.
func (r *repo) MarkHeld(ctx context.Context, owner string, id int64, at time.Time, reason string) error {
	return r.settle(ctx, "mark held", owner, id, map[string]any{
		"held_at": orNow(at), "path": "held", "last_error": reason,
	})
}

// ReleaseHeld makes the recipient's held messages due at nextAt again and
// returns them, oldest first.
func (r *repo) ReleaseHeld(ctx context.Context, channel, recipient string, nextAt time.Time) ([]*bot.Message, error) {
	db := r.db.WithContext(ctx)
	var rows []messageRow
	err := db.Table("messages"+r.queueHint()).
		Where("channel = ? AND recipient = ? AND held_at IS NOT NULL AND delivered_at IS NULL AND failed_at IS NULL", channel, recipient).
		Order("id").Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, dbErrf("release held", err)
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
		rows[i].HeldAt, rows[i].NextAt = nil, nullTime(dbTime(nextAt))
	}
	err = db.Model(&messageRow{}).Where("id IN ?", ids).
		Updates(map[string]any{"held_at": nil, "next_at": dbTime(nextAt), "path": ""}).Error
	if err != nil {
		return nil, dbErrf("release held", err)
	}
	r.noteForClaim()
	return r.messagesFromRows(rows)
}

// MarkReplied records messages as delivered in the answer to the platform's
// own request (a passive reply) and returns how many are so delivered: all
// of them or none. Messages already delivered by the same path count, so a
// duplicate of the request (the platform retrying) learns that the answer
// is its to give again. When a dispatcher holds one, or sent one another
// way, none is marked and 0 is returned: the caller answers with none and
// the dispatcher sends them all.
func (r *repo) MarkReplied(ctx context.Context, ids []int64, at time.Time, path string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	marked := 0
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		marked, err = markReplied(tx, ids, dbTime(at), path)
		return err
	})
	if err != nil && !errors.Is(err, errPartial) {
		return 0, dbErrf("mark replied", err)
	}
	return marked, nil
}

// markReplied is MarkReplied's one statement. It matches the messages that
// are free and those already delivered by path (the store counts matched
// rows, not changed ones), and it locks them: a request racing with another
// that is marking the same messages waits for it and then sees its outcome.
func markReplied(tx *gorm.DB, ids []int64, now time.Time, path string) (int, error) {
	res := tx.Model(&messageRow{}).
		Where("id IN ? AND failed_at IS NULL AND held_at IS NULL AND "+
			"(delivered_at IS NULL AND (owner IS NULL OR lease_until < ?) OR delivered_at IS NOT NULL AND path = ?)", ids, now, path).
		Updates(map[string]any{"delivered_at": gorm.Expr("COALESCE(delivered_at, ?)", now), "path": path, "owner": nil, "lease_until": nil})
	if res.Error != nil {
		return 0, res.Error
	}
	if int(res.RowsAffected) != len(ids) {
		return 0, errPartial
	}
	return len(ids), nil
}

// errPartial rolls back a MarkReplied that could not take every message.
var errPartial = errors.New("not every message was free")

// CountDelivered counts what went to a recipient by one path since a time:
// how many of a platform's per-window messages are used up.
func (r *repo) CountDelivered(ctx context.Context, channel, recipient, path string, since time.Time) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&messageRow{}).
		Where("channel = ? AND recipient = ? AND path = ? AND delivered_at >= ?", channel, recipient, path, dbTime(since)).
		Count(&n).Error
	if err != nil {
		return 0, dbErrf("count delivered", err)
	}
	return int(n), nil
}

// dbErrf wraps a database error with what was being done; nil stays nil.
func dbErrf(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, dbErr(err))
}

// OutboxCounts counts the messages not yet delivered: due or waiting for a
// retry, held for the recipient's next message, and given up.
func (r *repo) OutboxCounts(ctx context.Context) (bot.OutboxCounts, error) {
	var row struct{ Pending, Held, Failed int64 }
	err := r.db.WithContext(ctx).Model(&messageRow{}).Select(
		`SUM(CASE WHEN delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL THEN 1 ELSE 0 END) AS pending,
		 SUM(CASE WHEN delivered_at IS NULL AND failed_at IS NULL AND held_at IS NOT NULL THEN 1 ELSE 0 END) AS held,
		 SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END) AS failed`).
		Where("delivered_at IS NULL").Scan(&row).Error
	if err != nil {
		return bot.OutboxCounts{}, dbErrf("outbox counts", err)
	}
	return bot.OutboxCounts{Pending: int(row.Pending), Held: int(row.Held), Failed: int(row.Failed)}, nil
}

// Prune deletes what is only kept for a while: dedup keys of events
// received before the time, and messages delivered or given up before it.
// Messages still waiting are kept whatever their age.
func (r *repo) Prune(ctx context.Context, before time.Time) (int, error) {
	before = dbTime(before)
	db := r.db.WithContext(ctx)
	keys, err := pruneInSlices(db, "inbound", "dedup_key", "received_at < ?", before)
	if err != nil {
		return keys, err
	}
	msgs, err := pruneInSlices(db, "messages", "id", "(delivered_at < ? OR failed_at < ?)", before, before)
	return keys + msgs, err
}

// pruneInSlices deletes the matching rows a thousand at a time, so that a
// large backlog never holds locks for long.
func pruneInSlices(db *gorm.DB, table, key, where string, args ...any) (int, error) {
	total := 0
	for {
		var keys []string
		if err := db.Table(table).Where(where, args...).Limit(1000).Pluck(key, &keys).Error; err != nil {
			return total, dbErrf("prune "+table, err)
		}
		if len(keys) == 0 {
			return total, nil
		}
		res := db.Exec("DELETE FROM "+table+" WHERE "+key+" IN ?", keys)
		if res.Error != nil {
			return total, dbErrf("prune "+table, res.Error)
		}
		total += int(res.RowsAffected)
	}
}

// PruneCache deletes cached values that have expired.
func (r *repo) PruneCache(ctx context.Context, now time.Time) (int, error) {
	res := r.db.WithContext(ctx).Where("expires_at < ?", dbTime(now)).Delete(&cacheRow{})
	if res.Error != nil {
		return 0, dbErrf("prune cache", res.Error)
	}
	return int(res.RowsAffected), nil
}
