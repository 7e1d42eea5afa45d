package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
)

var _ broadcast.Repo = (*repo)(nil)

type broadcastRow struct {
	ID          int64
	Status      string
	TextZH      string `gorm:"column:text_zh"`
	TextEN      string `gorm:"column:text_en"`
	ImageURL    string
	Coupon      string
	Segment     string
	SendAt      *time.Time
	Audience    int
	CreatedBy   string
	CreatedAt   time.Time
	SubmittedAt *time.Time
	DecidedBy   string
	DecidedAt   *time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	Cursor      int64 `gorm:"column:cursor_id"`
	LeaseOwner  string
	LeaseUntil  *time.Time
	Version     int
}

func (broadcastRow) TableName() string { return "broadcasts" }

type recipientRow struct {
	ID          int64
	BroadcastID int64
	CustomerID  int64
	Status      string
	Reason      string
	MessageID   *int64
	CreatedAt   time.Time
}

func (recipientRow) TableName() string { return "broadcast_recipients" }

// The statuses of a recipient row.
const (
	recipientQueued  = "queued"
	recipientSkipped = "skipped"
)

func broadcastToRow(b broadcast.Broadcast) (broadcastRow, error) {
	seg, err := json.Marshal(b.Segment)
	if err != nil {
		return broadcastRow{}, fmt.Errorf("segment of broadcast %d: %w", b.ID, err)
	}
	return broadcastRow{
		ID: b.ID, Status: string(b.Status), TextZH: b.TextZH, TextEN: b.TextEN, ImageURL: b.ImageURL,
		Coupon: b.Coupon, Segment: string(seg), SendAt: nullTime(b.SendAt), Audience: b.Audience,
		CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt.UTC(), SubmittedAt: nullTime(b.SubmittedAt),
		DecidedBy: b.DecidedBy, DecidedAt: nullTime(b.DecidedAt), StartedAt: nullTime(b.StartedAt),
		FinishedAt: nullTime(b.FinishedAt), Cursor: b.Cursor, LeaseOwner: b.LeaseOwner,
		LeaseUntil: nullTime(b.LeaseUntil), Version: b.Version,
	}, nil
}

func broadcastFromRow(r broadcastRow) (broadcast.Broadcast, error) {
	var seg broadcast.Segment
	if err := json.Unmarshal([]byte(r.Segment), &seg); err != nil {
		return broadcast.Broadcast{}, fmt.Errorf("segment of broadcast %d: %w", r.ID, err)
	}
	return broadcast.Broadcast{
		ID: r.ID, Status: broadcast.Status(r.Status), TextZH: r.TextZH, TextEN: r.TextEN, ImageURL: r.ImageURL,
		Coupon: r.Coupon, Segment: seg, SendAt: fromNullTime(r.SendAt), Audience: r.Audience,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), SubmittedAt: fromNullTime(r.SubmittedAt),
		DecidedBy: r.DecidedBy, DecidedAt: fromNullTime(r.DecidedAt), StartedAt: fromNullTime(r.StartedAt),
		FinishedAt: fromNullTime(r.FinishedAt), Cursor: r.Cursor, LeaseOwner: r.LeaseOwner,
		LeaseUntil: fromNullTime(r.LeaseUntil), Version: r.Version,
	}, nil
}

// CreateBroadcast stores b and sets its ID.
func (r *repo) CreateBroadcast(ctx context.Context, b *broadcast.Broadcast) error {
	row, err := broadcastToRow(*b)
	if err != nil {
		return err
	}
	row.ID = 0
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create broadcast: %w", dbErr(err))
	}
	b.ID = row.ID
	return nil
}

// Broadcast returns one broadcast; ErrNotFound when there is none.
func (r *repo) Broadcast(ctx context.Context, id int64) (broadcast.Broadcast, error) {
	var row broadcastRow
	if err := r.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return broadcast.Broadcast{}, fmt.Errorf("broadcast %d: %w", id, dbErr(err))
	}
	return broadcastFromRow(row)
}

// UpdateBroadcast saves b if nobody changed it since it was read.
func (r *repo) UpdateBroadcast(ctx context.Context, b *broadcast.Broadcast) error {
	row, err := broadcastToRow(*b)
	if err != nil {
		return err
	}
	db := r.db.WithContext(ctx)
	res := db.Model(&broadcastRow{}).Where("id = ? AND version = ?", b.ID, b.Version).Updates(map[string]any{
		"status": row.Status, "audience": row.Audience, "submitted_at": row.SubmittedAt,
		"decided_by": row.DecidedBy, "decided_at": row.DecidedAt, "started_at": row.StartedAt,
		"finished_at": row.FinishedAt, "cursor_id": row.Cursor, "lease_owner": row.LeaseOwner,
		"lease_until": row.LeaseUntil, "version": b.Version + 1,
	})
	if err := versionCheck(db, res, &broadcastRow{}, b.ID); err != nil {
		return fmt.Errorf("update broadcast %d: %w", b.ID, dbErr(err))
	}
	b.Version++
	return nil
}

// Broadcasts returns a page of broadcasts, newest first.
func (r *repo) Broadcasts(ctx context.Context, beforeID int64, limit int) ([]broadcast.Broadcast, error) {
	q := r.db.WithContext(ctx).Order("id DESC").Limit(limit)
	if beforeID > 0 {
		q = q.Where("id < ?", beforeID)
	}
	var rows []broadcastRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("broadcasts: %w", dbErr(err))
	}
	out := make([]broadcast.Broadcast, len(rows))
	for i, row := range rows {
		b, err := broadcastFromRow(row)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// DueBroadcasts lists the broadcasts to send now whose lease is free.
func (r *repo) DueBroadcasts(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := r.db.WithContext(ctx).Model(&broadcastRow{}).
		Where("((status = ? AND (send_at IS NULL OR send_at <= ?)) OR status = ?)", string(broadcast.Approved), now.UTC(), string(broadcast.Sending)).
		Where("(lease_until IS NULL OR lease_until < ?)", now.UTC()).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("due broadcasts: %w", dbErr(err))
	}
	return ids, nil
}

// ClaimBroadcast takes the broadcast's sending job for owner unless
// another owner's lease runs.
func (r *repo) ClaimBroadcast(ctx context.Context, id int64, owner string, now, leaseUntil time.Time) (bool, error) {
	due := []string{string(broadcast.Approved), string(broadcast.Sending)}
	db := r.db.WithContext(ctx)
	res := db.Model(&broadcastRow{}).
		Where("id = ? AND status IN ? AND (lease_owner = ? OR lease_until IS NULL OR lease_until < ?)", id, due, owner, now.UTC()).
		Updates(map[string]any{"lease_owner": owner, "lease_until": leaseUntil.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("claim broadcast %d: %w", id, dbErr(res.Error))
	}
	if res.RowsAffected > 0 {
		return true, nil
	}
	// MySQL counts changed rows: the owner renewing to the same time
	// changed none and still holds it.
	var n int64
	err := db.Model(&broadcastRow{}).Where("id = ? AND status IN ? AND lease_owner = ?", id, due, owner).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("claim broadcast %d: %w", id, dbErr(err))
	}
	return n > 0, nil
}

// AddRecipients records a batch of recipients in one statement per 500.
func (r *repo) AddRecipients(ctx context.Context, rs []broadcast.Recipient) error {
	if len(rs) == 0 {
		return nil
	}
	rows := make([]recipientRow, len(rs))
	for i, rc := range rs {
		row := recipientRow{BroadcastID: rc.BroadcastID, CustomerID: rc.CustomerID, Status: recipientQueued, CreatedAt: rc.At.UTC()}
		if rc.Reason != "" {
			row.Status, row.Reason = recipientSkipped, rc.Reason
		} else {
			id := rc.MessageID
			row.MessageID = &id
		}
		rows[i] = row
	}
	if err := r.db.WithContext(ctx).CreateInBatches(rows, 500).Error; err != nil {
		return fmt.Errorf("add %d recipients: %w", len(rows), dbErr(err))
	}
	return nil
}

// BroadcastReport counts the recipients by what became of them: the
// message's delivery and failure come from the outbox.
func (r *repo) BroadcastReport(ctx context.Context, id int64) (broadcast.Report, error) {
	var rows []struct {
		Status    string
		Reason    string
		Delivered int
		Failed    int
		N         int
	}
	db := r.db.WithContext(ctx)
	err := db.Table("broadcast_recipients r").Joins("LEFT JOIN messages m ON m.id = r.message_id").
		Select("r.status, r.reason, "+
			"CASE WHEN m.delivered_at IS NOT NULL THEN 1 ELSE 0 END AS delivered, "+
			"CASE WHEN m.failed_at IS NOT NULL THEN 1 ELSE 0 END AS failed, COUNT(*) AS n").
		Where("r.broadcast_id = ?", id).Group("r.status, r.reason, delivered, failed").Scan(&rows).Error
	if err != nil {
		return broadcast.Report{}, fmt.Errorf("report of broadcast %d: %w", id, dbErr(err))
	}
	rep := broadcast.Report{Skipped: map[string]int{}}
	for _, row := range rows {
		rep.Targeted += row.N
		if row.Status == recipientSkipped {
			rep.Skipped[row.Reason] += row.N
			continue
		}
		rep.Queued += row.N
		if row.Delivered == 1 {
			rep.Sent += row.N
		}
		if row.Failed == 1 {
			rep.Failed += row.N
		}
	}
	var unsub int64
	err = db.Table("broadcast_recipients r").
		Joins("JOIN care_consents k ON k.customer_id = r.customer_id AND k.granted = ? AND k.changed_at >= r.created_at", false).
		Where("r.broadcast_id = ?", id).Count(&unsub).Error
	if err != nil {
		return broadcast.Report{}, fmt.Errorf("unsubscribed after broadcast %d: %w", id, dbErr(err))
	}
	rep.Unsubscribed = int(unsub)
	return rep, nil
}

// errNoTiers never happens: the shop always has its first tier.
var errNoTiers = errors.New("the shop has no tiers")

// audience is the query of the consenting, reachable customers of a
// segment, as "customers c".
func (r *repo) audience(ctx context.Context, s broadcast.Segment) (*gorm.DB, error) {
	chans := s.Channels
	if len(chans) == 0 {
		chans = broadcast.CustomerChannels()
	}
	q := r.db.WithContext(ctx).Table("customers c").
		Joins("JOIN care_consents k ON k.customer_id = c.id AND k.granted = ?", true).
		Where("c.merged_into IS NULL AND c.unreachable = ? AND c.channel IN ?", false, chans)
	if len(s.Langs) == 1 {
		// The language is conversation.ParseLang's: every Chinese variant
		// reads Chinese, anything else English.
		const lang = "LOWER(TRIM(COALESCE(c.lang, '')))"
		const zh = "(" + lang + " IN ('zh', 'chinese', '中文', 'cn') OR SUBSTR(" + lang + ", 1, 3) IN ('zh-', 'zh_'))"
		if s.Langs[0] == broadcast.LangZH {
			q = q.Where(zh)
		} else {
			q = q.Where("NOT " + zh)
		}
	}
	if len(s.Tiers) > 0 {
		cond, err := r.tiersCondition(ctx, s.Tiers)
		if err != nil {
			return nil, err
		}
		q = q.Where(cond)
	}
	if len(s.Tags) > 0 {
		q = q.Where("c.id IN (SELECT customer_id FROM customer_tags WHERE tag IN ?)", s.Tags)
	}
	counted := []string{string(bot.Rejected), string(bot.Cancelled)}
	const last = "(SELECT MAX(o.created_at) FROM orders o WHERE o.customer_id = c.id AND o.status NOT IN ?)"
	if !s.LastOrderBefore.IsZero() {
		q = q.Where(last+" < ?", counted, s.LastOrderBefore.UTC())
	}
	if !s.LastOrderAfter.IsZero() {
		q = q.Where(last+" > ?", counted, s.LastOrderAfter.UTC())
	}
	const spent = "COALESCE((SELECT SUM(o.total) FROM orders o WHERE o.customer_id = c.id AND o.status NOT IN ?), 0)"
	if s.MinSpent != nil {
		q = q.Where(spent+" >= ?", counted, *s.MinSpent)
	}
	if s.MaxSpent != nil {
		q = q.Where(spent+" <= ?", counted, *s.MaxSpent)
	}
	return q, nil
}

// tiersCondition selects the customers holding any of the tiers. The
// first tier is held by everyone holding no other, as in customer search.
func (r *repo) tiersCondition(ctx context.Context, tiers []string) (*gorm.DB, error) {
	ts, err := r.TierList(ctx)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, errNoTiers
	}
	var others []string
	for _, t := range ts[1:] {
		others = append(others, t.Name)
	}
	cond := r.db.Session(&gorm.Session{NewDB: true}).Where("1 = 0")
	for _, name := range tiers {
		switch {
		case name == ts[0].Name && len(others) == 0:
			cond = cond.Or("1 = 1")
		case name == ts[0].Name:
			cond = cond.Or("c.id NOT IN (SELECT customer_id FROM customer_tiers WHERE tier IN ?)", others)
		default:
			cond = cond.Or("c.id IN (SELECT customer_id FROM customer_tiers WHERE tier = ?)", name)
		}
	}
	return cond, nil
}

type targetRow struct {
	ID            int64
	Channel       string
	UserID        string
	Lang          string
	LastInboundAt *time.Time
}

// Audience returns the next customers of the segment after afterID.
func (r *repo) Audience(ctx context.Context, s broadcast.Segment, afterID int64, limit int) ([]broadcast.Target, error) {
	q, err := r.audience(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
	}
	var rows []targetRow
	err = q.Select("c.id, c.channel, c.user_id, c.lang, c.last_inbound_at").
		Where("c.id > ?", afterID).Order("c.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("audience: %w", dbErr(err))
	}
	out := make([]broadcast.Target, len(rows))
	for i, row := range rows {
		out[i] = broadcast.Target{
			CustomerID: row.ID, Channel: row.Channel, UserID: row.UserID, Lang: row.Lang,
			LastInboundAt: fromNullTime(row.LastInboundAt),
		}
	}
	return out, nil
}

// AudienceSize counts the consenting customers of the segment.
func (r *repo) AudienceSize(ctx context.Context, s broadcast.Segment) (int, error) {
	q, err := r.audience(ctx, s)
	if err != nil {
		return 0, fmt.Errorf("audience size: %w", err)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, fmt.Errorf("audience size: %w", dbErr(err))
	}
	return int(n), nil
}
