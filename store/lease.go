package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// How the dispatchers of several replicas share the outbox: a message is
// sent by whoever holds its lease (owner, lease_until), the lease is
// renewed while the work goes on, every result is recorded only by the
// lease's holder, and one recipient's messages are taken in order, never
// while an earlier one of theirs is still waiting elsewhere.

// candidates lists, oldest first, the waiting messages ahead of the first
// one of their recipient that holds the others back at ? (now): one not yet
// due, or leased with the lease not run out (by anyone, so that a recipient
// served here is not claimed twice either). They are due and free, and
// taking them keeps each recipient's order. %[1]s narrows it to one
// recipient. One pass over the waiting messages, not one look-up each.
const candidates = `SELECT m.id FROM messages m
	LEFT JOIN (SELECT channel, recipient, MIN(id) AS first_blocked FROM messages
		WHERE delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL
		AND (next_at > ? OR (owner IS NOT NULL AND lease_until >= ?))%[1]s
		GROUP BY channel, recipient) b ON b.channel = m.channel AND b.recipient = m.recipient
	WHERE m.delivered_at IS NULL AND m.failed_at IS NULL AND m.held_at IS NULL
	AND (b.first_blocked IS NULL OR m.id < b.first_blocked)%[2]s
	ORDER BY m.id LIMIT %[3]d`

// ClaimDue leases due messages to owner until leaseUntil, oldest first,
// each recipient's in order. It runs on every database, without SKIP
// LOCKED: candidates are read without locks, one UPDATE takes those still
// free, repeating the conditions (the row lock lets one claim win each
// row), and the rows carrying this claim's owner and lease end are ours, so
// no two claims of one owner may use the same lease end. Two claims may
// each win a part of one recipient's messages; a second look, after the
// claim committed, gives back whatever is not next in line.
func (r *repo) ClaimDue(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*bot.Message, error) {
	now = dbTime(now)
	return r.claim(ctx, owner, now, leaseUntil, fmt.Sprintf(candidates, "", "", max(n, 1)), now, now)
}

// ClaimNext is ClaimDue for one recipient: a dispatcher that has sent what
// it held for a recipient takes the next ones without looking through
// everyone's.
func (r *repo) ClaimNext(ctx context.Context, owner, channel, recipient string, now, leaseUntil time.Time, n int) ([]*bot.Message, error) {
	now = dbTime(now)
	q := fmt.Sprintf(candidates, " AND channel = ? AND recipient = ?", " AND m.channel = ? AND m.recipient = ?", max(n, 1))
	return r.claim(ctx, owner, now, leaseUntil, q, now, now, channel, recipient, channel, recipient)
}

// claim leases the messages the query finds.
func (r *repo) claim(ctx context.Context, owner string, now, leaseUntil time.Time, query string, args ...any) ([]*bot.Message, error) {
	leaseUntil = dbTime(leaseUntil)
	db := r.db.WithContext(ctx)
	var candidates []int64
	if err := db.Raw(query, args...).Scan(&candidates).Error; err != nil {
		return nil, dbErrf("claim messages", err)
	}
	if len(candidates) == 0 {
		return nil, nil
	}
	res := db.Exec(`UPDATE messages SET owner = ?, lease_until = ?
		WHERE id IN ? AND delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL
		AND (next_at IS NULL OR next_at <= ?) AND (owner IS NULL OR lease_until < ?)`,
		owner, leaseUntil, candidates, now, now)
	if res.Error != nil {
		return nil, dbErrf("claim messages", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var rows []messageRow
	err := db.Where("id IN ? AND owner = ? AND lease_until = ? AND delivered_at IS NULL", candidates, owner, leaseUntil).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, dbErrf("load claimed messages", err)
	}
	if rows, err = r.giveBackOutOfTurn(ctx, owner, leaseUntil, rows); err != nil {
		return nil, err
	}
	return r.messagesFromRows(rows)
}

// giveBackOutOfTurn frees the messages just claimed that wait behind one
// this claim did not take, and returns the others. It reads after the
// claim committed, so of two claims that split a recipient's messages (two
// replicas, or a replica's loop and one of its workers), the one holding
// the later ones sees the other's lease on the earlier one and backs off.
func (r *repo) giveBackOutOfTurn(ctx context.Context, owner string, leaseUntil time.Time, rows []messageRow) ([]messageRow, error) {
	first, err := r.firstOutside(ctx, owner, leaseUntil, rows)
	if err != nil || len(first) == 0 {
		return rows, err
	}
	var keep []messageRow
	var behind []int64
	for _, row := range rows {
		if f, ok := first[queueOf(row)]; ok && row.ID > f {
			behind = append(behind, row.ID)
			continue
		}
		keep = append(keep, row)
	}
	err = r.db.WithContext(ctx).Exec("UPDATE messages SET owner = NULL, lease_until = NULL WHERE id IN ? AND owner = ? AND lease_until = ?",
		behind, owner, leaseUntil).Error
	return keep, dbErrf("give back out of turn", err)
}

// queue is one recipient's messages.
type queue struct{ channel, recipient string }

func queueOf(row messageRow) queue { return queue{row.Channel, row.Recipient} }

// firstOutside finds, for each recipient of a claim, the first waiting
// message before its last claimed one that the claim did not take: one
// range of an index each, in one statement.
func (r *repo) firstOutside(ctx context.Context, owner string, leaseUntil time.Time, rows []messageRow) (map[queue]int64, error) {
	var order []queue
	last := map[queue]int64{}
	for _, row := range rows {
		if _, ok := last[queueOf(row)]; !ok {
			order = append(order, queueOf(row))
		}
		last[queueOf(row)] = row.ID // rows are in id order
	}
	terms := make([]string, len(order))
	args := []any{owner, leaseUntil}
	for i, q := range order {
		terms[i] = "(channel = ? AND recipient = ? AND delivered_at IS NULL AND id < ?)"
		args = append(args, q.channel, q.recipient, last[q])
	}
	var found []struct {
		Channel, Recipient string
		FirstOther         int64
	}
	err := r.db.WithContext(ctx).Raw(`SELECT channel, recipient, MIN(id) AS first_other FROM messages
		WHERE failed_at IS NULL AND held_at IS NULL AND (owner IS NULL OR owner <> ? OR lease_until <> ?)
		AND (`+strings.Join(terms, " OR ")+`) GROUP BY channel, recipient`, args...).Scan(&found).Error
	if err != nil {
		return nil, dbErrf("check claim order", err)
	}
	first := make(map[queue]int64, len(found))
	for _, f := range found {
		first[queue{f.Channel, f.Recipient}] = f.FirstOther
	}
	return first, nil
}

// MarkDelivered records the delivery and frees the lease, if owner still
// holds it (bot.ErrLeaseLost otherwise).
func (r *repo) MarkDelivered(ctx context.Context, owner string, id int64, at time.Time, externalID, path string) error {
	return r.settle(ctx, "mark delivered", owner, id, map[string]any{
		"delivered_at": orNow(at), "external_id": externalID, "path": path,
	})
}

// MarkRetry records a failed attempt and frees the lease until next.
func (r *repo) MarkRetry(ctx context.Context, owner string, id int64, attempts int, next time.Time, lastErr string) error {
	return r.settle(ctx, "mark retry", owner, id, map[string]any{
		"attempts": attempts, "next_at": nullTime(next), "last_error": lastErr,
	})
}

// MarkFailed gives the message up for good.
func (r *repo) MarkFailed(ctx context.Context, owner string, id int64, at time.Time, lastErr string) error {
	return r.settle(ctx, "mark failed", owner, id, map[string]any{"failed_at": orNow(at), "last_error": lastErr})
}

// settle records the result of a send and frees the lease. Only the
// lease's holder may: a dispatcher whose lease ran out and was taken over
// must not overwrite what the new holder records.
func (r *repo) settle(ctx context.Context, what, owner string, id int64, set map[string]any) error {
	set["owner"], set["lease_until"] = nil, nil
	res := r.db.WithContext(ctx).Model(&messageRow{}).
		Where("id = ? AND owner = ? AND delivered_at IS NULL AND failed_at IS NULL", id, owner).Updates(set)
	if res.Error != nil {
		return fmt.Errorf("%s %d: %w", what, id, dbErr(res.Error))
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s %d: %w", what, id, bot.ErrLeaseLost)
	}
	return nil
}

// Postpone makes every waiting message to a recipient wait until at least
// until, and frees the leases owner holds on them: after a platform's "slow
// down" for a chat, its other messages wait too, on every replica.
func (r *repo) Postpone(ctx context.Context, owner, channel, recipient string, now, until time.Time) error {
	now, until = dbTime(now), dbTime(until)
	res := r.db.WithContext(ctx).Exec(`UPDATE messages
		SET next_at = CASE WHEN next_at IS NULL OR next_at < ? THEN ? ELSE next_at END, owner = NULL, lease_until = NULL
		WHERE channel = ? AND recipient = ? AND delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL
		AND (owner IS NULL OR owner = ? OR lease_until < ?)`,
		until, until, channel, recipient, owner, now)
	return dbErrf("postpone "+channel+" recipient", res.Error)
}

// RenewLeases extends owner's unexpired leases on the messages ids to
// until. A lease that ran out is not renewed: another dispatcher may have
// taken the message.
func (r *repo) RenewLeases(ctx context.Context, owner string, ids []int64, now, until time.Time) (int, error) {
	now, until = dbTime(now), dbTime(until)
	total := 0
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		res := r.db.WithContext(ctx).Exec(`UPDATE messages SET lease_until = ?
			WHERE id IN ? AND owner = ? AND lease_until >= ? AND delivered_at IS NULL AND failed_at IS NULL`,
			until, chunk, owner, now)
		if res.Error != nil {
			return total, dbErrf("renew leases", res.Error)
		}
		total += int(res.RowsAffected)
	}
	return total, nil
}

// ReleaseLeases frees every lease owner holds, so that the messages go out
// at once from another dispatcher instead of when the leases run out. It
// returns how many messages it freed.
func (r *repo) ReleaseLeases(ctx context.Context, owner string) (int, error) {
	res := r.db.WithContext(ctx).Exec(
		"UPDATE messages SET owner = NULL, lease_until = NULL WHERE owner = ? AND delivered_at IS NULL", owner)
	if res.Error != nil {
		return 0, dbErrf("release leases", res.Error)
	}
	return int(res.RowsAffected), nil
}

// NextDue returns when the next waiting message becomes due after now,
// zero when none is waiting for a time.
func (r *repo) NextDue(ctx context.Context, now time.Time) (time.Time, error) {
	var at []time.Time
	err := r.db.WithContext(ctx).Model(&messageRow{}).
		Where("delivered_at IS NULL AND failed_at IS NULL AND held_at IS NULL AND next_at > ?", dbTime(now)).
		Order("next_at").Limit(1).Pluck("next_at", &at).Error
	if err != nil || len(at) == 0 {
		return time.Time{}, dbErrf("next due", err)
	}
	return at[0].UTC(), nil
}

var _ bot.DispatchStore = (*Store)(nil)
