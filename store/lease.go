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
//
// A recipient's order puts the messages of a broadcast (bulk) after all
// the others: replies, notices and cards by id, then bulk ones by id. A
// reply enqueued while a promotion to the same customer waits for a retry
// goes first, and a claim takes every due non-bulk message before any bulk
// one, so that 100,000 promotions waiting never delay an answer.

// candidates lists, oldest first, the waiting messages of one kind (bulk =
// ?) that are due and free and next in line for their recipient: none
// before it in the recipient's order waits for its time or is leased (by
// anyone, so that a recipient served here is not claimed twice either). A
// reply may thus be claimed while a promotion to the same customer is being
// sent: it is not held behind it. It walks an index of the waiting
// messages of that kind in id order and stops at the limit, looking up each
// one's recipient in the index of their waiting messages: a claim costs the
// same with 100,000 broadcast messages waiting as with none. %[1]s and
// %[3]s are index hints, %[2]s narrows it to one recipient.
const candidates = `SELECT m.id FROM messages m%[1]s
	WHERE m.bulk = ? AND m.delivered_at IS NULL AND m.failed_at IS NULL AND m.held_at IS NULL
	AND (m.next_at IS NULL OR m.next_at <= ?) AND (m.owner IS NULL OR m.lease_until < ?)%[2]s
	AND NOT EXISTS (SELECT 1 FROM messages b%[3]s
		WHERE b.channel = m.channel AND b.recipient = m.recipient
		AND b.delivered_at IS NULL AND b.failed_at IS NULL AND b.held_at IS NULL
		AND (b.next_at > ? OR (b.owner IS NOT NULL AND b.lease_until >= ?))
		AND (b.bulk < m.bulk OR (b.bulk = m.bulk AND b.id < m.id)))
	ORDER BY m.id LIMIT %[4]d`

// ClaimDue leases up to n due messages to owner until leaseUntil, each
// recipient's in order, every due non-bulk one before any bulk one.
func (r *repo) ClaimDue(ctx context.Context, owner string, now, leaseUntil time.Time, n int) ([]*bot.Message, error) {
	return r.ClaimDueUpTo(ctx, owner, now, leaseUntil, n, n)
}

// ClaimDueUpTo is ClaimDue taking at most bulk bulk messages. It runs on
// every database, without SKIP LOCKED: candidates are read without locks,
// one UPDATE takes those still free, repeating the conditions (the row
// lock lets one claim win each row), and the rows carrying this claim's
// owner and lease end are ours, so no two claims of one owner may use the
// same lease end. Two claims may each win a part of one recipient's
// messages; a second look, after the claim committed, gives back whatever
// is not next in line.
func (r *repo) ClaimDueUpTo(ctx context.Context, owner string, now, leaseUntil time.Time, n, bulk int) ([]*bot.Message, error) {
	// On MySQL the optimizer, seeing many waiting rows, would rather walk
	// the primary key from the oldest delivered message (EXPLAIN with
	// 100,000 waiting); SQLite picks the index by itself.
	hint := ""
	if r.dialect == dialectMySQL {
		hint = " FORCE INDEX (idx_messages_pending)"
	}
	return r.claim(ctx, owner, dbTime(now), leaseUntil, n, bulk, func(limit int) (string, []any) {
		return fmt.Sprintf(candidates, hint, "", r.queueHint(), limit), nil
	})
}

// ClaimNext is ClaimDue for one recipient: a dispatcher that has sent what
// it held for a recipient takes the next ones without looking through
// everyone's.
func (r *repo) ClaimNext(ctx context.Context, owner, channel, recipient string, now, leaseUntil time.Time, n int) ([]*bot.Message, error) {
	return r.ClaimNextUpTo(ctx, owner, channel, recipient, now, leaseUntil, n, n)
}

// ClaimNextUpTo is ClaimNext taking at most bulk bulk messages.
func (r *repo) ClaimNextUpTo(ctx context.Context, owner, channel, recipient string, now, leaseUntil time.Time, n, bulk int) ([]*bot.Message, error) {
	return r.claim(ctx, owner, dbTime(now), leaseUntil, n, bulk, func(limit int) (string, []any) {
		return fmt.Sprintf(candidates, "", " AND m.channel = ? AND m.recipient = ?", r.queueHint(), limit),
			[]any{channel, recipient}
	})
}

// queueHint makes MySQL look up a recipient's waiting messages in
// idx_messages_queue, not in idx_messages_feed, which holds their whole
// delivered history too.
func (r *repo) queueHint() string {
	if r.dialect == dialectMySQL {
		return queueIndex
	}
	return ""
}

// claim leases the messages the queries find: first the non-bulk ones, up
// to n, then, with room left, up to bulk bulk ones. query returns the
// candidates query with room for limit, and its arguments after the kind
// and the times.
func (r *repo) claim(ctx context.Context, owner string, now, leaseUntil time.Time, n, bulk int,
	query func(limit int) (string, []any)) ([]*bot.Message, error) {
	leaseUntil = dbTime(leaseUntil)
	db := r.db.WithContext(ctx)
	var candidates []int64
	for _, isBulk := range []bool{false, true} {
		limit := max(n, 1) - len(candidates)
		if isBulk {
			limit = min(limit, bulk)
		}
		if limit <= 0 {
			break
		}
		q, extra := query(limit)
		args := append(append([]any{isBulk, now, now}, extra...), now, now) // m's conditions, b's
		var ids []int64
		if err := db.Raw(q, args...).Scan(&ids).Error; err != nil {
			return nil, dbErrf("claim messages", err)
		}
		candidates = append(candidates, ids...)
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
		Order("bulk, id").Find(&rows).Error
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
// rows are in the recipients' order: non-bulk by id, then bulk by id.
func (r *repo) giveBackOutOfTurn(ctx context.Context, owner string, leaseUntil time.Time, rows []messageRow) ([]messageRow, error) {
	first, err := r.firstOutside(ctx, owner, leaseUntil, rows)
	if err != nil || len(first) == 0 {
		return rows, err
	}
	var keep []messageRow
	var behind []int64
	for _, row := range rows {
		if f, ok := first[queueOf(row)]; ok && f.before(placeOf(row)) {
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

// place is a message's place in its recipient's order.
type place struct {
	bulk bool
	id   int64
}

func placeOf(row messageRow) place { return place{row.Bulk, row.ID} }

func (p place) before(q place) bool {
	if p.bulk != q.bulk {
		return !p.bulk
	}
	return p.id < q.id
}

// firstOutside finds, for each recipient of a claim, the first waiting
// message before its last claimed one that the claim did not take: one
// range of an index each, in one statement.
func (r *repo) firstOutside(ctx context.Context, owner string, leaseUntil time.Time, rows []messageRow) (map[queue]place, error) {
	var order []queue
	last := map[queue]place{}
	for _, row := range rows {
		q := queueOf(row)
		if l, ok := last[q]; !ok {
			order = append(order, q)
		} else if placeOf(row).before(l) {
			continue
		}
		last[q] = placeOf(row)
	}
	terms := make([]string, len(order))
	args := []any{owner, leaseUntil}
	for i, q := range order {
		if last[q].bulk {
			// Every non-bulk message is before a bulk one.
			terms[i] = "(channel = ? AND recipient = ? AND delivered_at IS NULL AND (bulk = ? OR id < ?))"
		} else {
			terms[i] = "(channel = ? AND recipient = ? AND delivered_at IS NULL AND bulk = ? AND id < ?)"
		}
		args = append(args, q.channel, q.recipient, false, last[q].id)
	}
	var found []struct {
		Channel, Recipient string
		Bulk               bool
		FirstOther         int64
	}
	err := r.db.WithContext(ctx).Raw(`SELECT channel, recipient, bulk, MIN(id) AS first_other FROM messages
		WHERE failed_at IS NULL AND held_at IS NULL AND (owner IS NULL OR owner <> ? OR lease_until <> ?)
		AND (`+strings.Join(terms, " OR ")+`) GROUP BY channel, recipient, bulk`, args...).Scan(&found).Error
	if err != nil {
		return nil, dbErrf("check claim order", err)
	}
	first := make(map[queue]place, len(found))
	for _, f := range found {
		q, p := queue{f.Channel, f.Recipient}, place{f.Bulk, f.FirstOther}
		if have, ok := first[q]; !ok || p.before(have) {
			first[q] = p
		}
	}
	return first, nil
}

// The settlements of a send, one fixed statement each. Only the lease's
// holder may settle: a dispatcher whose lease ran out and was taken over
// must not overwrite what the new holder records. Each frees the lease.
const (
	settleWhere = " owner = NULL, lease_until = NULL" +
		" WHERE id = ? AND owner = ? AND delivered_at IS NULL AND failed_at IS NULL"
	markDeliveredSQL = "UPDATE messages SET delivered_at = ?, external_id = ?, path = ?," + settleWhere
	markRetrySQL     = "UPDATE messages SET attempts = ?, next_at = ?, last_error = ?," + settleWhere
	markFailedSQL    = "UPDATE messages SET failed_at = ?, last_error = ?," + settleWhere
)

// MarkDelivered records the delivery and frees the lease, if owner still
// holds it (bot.ErrLeaseLost otherwise).
func (r *repo) MarkDelivered(ctx context.Context, owner string, id int64, at time.Time, externalID, path string) error {
	return r.settleRaw(ctx, "mark delivered", id, markDeliveredSQL, orNow(at), externalID, path, id, owner)
}

// MarkRetry records a failed attempt and frees the lease until next.
func (r *repo) MarkRetry(ctx context.Context, owner string, id int64, attempts int, next time.Time, lastErr string) error {
	return r.settleRaw(ctx, "mark retry", id, markRetrySQL, attempts, nullTime(next), lastErr, id, owner)
}

// MarkFailed gives the message up for good.
func (r *repo) MarkFailed(ctx context.Context, owner string, id int64, at time.Time, lastErr string) error {
	return r.settleRaw(ctx, "mark failed", id, markFailedSQL, orNow(at), lastErr, id, owner)
}

// settleRaw runs one of the settlements of message id with its arguments;
// bot.ErrLeaseLost when the lease is no longer the caller's.
func (r *repo) settleRaw(ctx context.Context, what string, id int64, query string, args ...any) error {
	res, err := r.rawExec(ctx, "messages", query, args...)
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, dbErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %d: %w", what, id, bot.ErrLeaseLost)
	}
	return nil
}

// settle is settleRaw through gorm, for the settlements off the hot path
// (MarkHeld): it records the columns of set and frees the lease.
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
