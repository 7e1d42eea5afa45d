package broadcast

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// lease is how long a replica holds a broadcast's sending job without
// finishing a batch; another replica takes it over after.
const lease = 2 * time.Minute

// wechatWindow is WeChat's customer-service window (48 hours after the
// customer's last message, when free-form messages may reach them) less an
// hour: bulk messages wait behind every other, and one that finds the
// window closed is held for the customer's next message, when the offer
// may be long over.
const wechatWindow = 47 * time.Hour

// SendDue sends the broadcasts that are due, batch after batch, each
// batch in its own transaction, and returns how many messages it queued.
// A broadcast is sent by the one replica holding its lease; the unique
// recipient rows make a repeated batch fail instead of messaging anyone
// twice.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	var ids []int64
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		ids, err = r.DueBroadcasts(ctx, s.now(), 20)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("due broadcasts: %w", err)
	}
	total := 0
	for _, id := range ids {
		n, err := s.sendOne(ctx, id)
		total += n
		if err != nil {
			return total, fmt.Errorf("send broadcast %d: %w", id, err)
		}
	}
	return total, nil
}

func (s *Service) sendOne(ctx context.Context, id int64) (int, error) {
	var claimed bool
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		now := s.now()
		var err error
		claimed, err = r.ClaimBroadcast(ctx, id, s.owner, now, now.Add(lease))
		return err
	})
	if err != nil || !claimed {
		return 0, err
	}
	total := 0
	for ctx.Err() == nil {
		n, done, err := s.batch(ctx, id)
		if errors.Is(err, bot.ErrConflict) || errors.Is(err, bot.ErrDuplicate) {
			// Cancelled, or taken over, meanwhile: the batch rolled back and
			// the next look decides what is left to do.
			s.log.InfoContext(ctx, "broadcast batch given up", "broadcast", id, "err", err)
			return total, nil
		}
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 {
			s.kick()
		}
		if done {
			break
		}
	}
	return total, nil
}

// batch queues the messages of the next customers after the broadcast's
// cursor and moves the cursor, in one transaction; done when there is
// nobody left or the broadcast is no longer this replica's to send.
func (s *Service) batch(ctx context.Context, id int64) (queued int, done bool, err error) {
	err = s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		queued, done = 0, false
		now := s.now()
		b, err := r.Broadcast(ctx, id)
		if err != nil {
			return fmt.Errorf("load broadcast %d: %w", id, err)
		}
		if b.LeaseOwner != s.owner || !b.due(now) {
			done = true
			return nil
		}
		if b.Status == Approved {
			b.Status, b.StartedAt = Sending, now
		}
		ts, err := r.Audience(ctx, b.Segment, b.Cursor, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("audience of broadcast %d: %w", id, err)
		}
		msgs, rs := s.messages(b, ts, now)
		if err := tx.Enqueue(ctx, msgs); err != nil {
			return fmt.Errorf("queue broadcast %d: %w", id, err)
		}
		for i, m := range msgs {
			rs[i].MessageID = m.ID // the queued come first, in order
		}
		if err := r.AddRecipients(ctx, rs); err != nil {
			return fmt.Errorf("recipients of broadcast %d: %w", id, err)
		}
		if len(ts) > 0 {
			b.Cursor = ts[len(ts)-1].CustomerID
		}
		if len(ts) < s.cfg.Batch {
			b.Status, b.FinishedAt, done = Sent, now, true
		}
		b.LeaseUntil = now.Add(lease)
		queued = len(msgs)
		return r.UpdateBroadcast(ctx, &b)
	})
	return queued, done, err
}

// messages writes the broadcast for each target in their language, and
// the recipient rows: the queued ones first, in the order of the
// messages, then the skipped.
func (s *Service) messages(b Broadcast, ts []Target, now time.Time) ([]*bot.Message, []Recipient) {
	msgs := make([]*bot.Message, 0, len(ts))
	rs := make([]Recipient, 0, len(ts))
	var skipped []Recipient
	for _, t := range ts {
		rc := Recipient{BroadcastID: b.ID, CustomerID: t.CustomerID, At: now}
		if t.Channel == bot.WeChat && (t.LastInboundAt.IsZero() || now.Sub(t.LastInboundAt) > wechatWindow) {
			rc.Reason = SkipOutsideWindow
			skipped = append(skipped, rc)
			continue
		}
		lang := conversation.ParseLang(t.Lang)
		text := b.TextEN
		if lang == conversation.Chinese {
			text = b.TextZH
		}
		msgs = append(msgs, &bot.Message{
			Channel: t.Channel, Recipient: t.UserID, Kind: bot.KindNotice,
			Text: conversation.Promotion(lang, text, b.Coupon), ImageURL: b.ImageURL,
			Lang: string(lang), NextAt: now, CreatedAt: now, Bulk: true,
		})
		rs = append(rs, rc)
	}
	return msgs, append(rs, skipped...)
}

// Run sends due broadcasts every interval, and at once after an approval,
// until ctx ends. Errors are logged and the next run tries again.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SendDue(ctx); err != nil {
			s.log.ErrorContext(ctx, "broadcasts not sent", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "broadcast messages queued", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}
