package care

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// lookback bounds how old an item may be and still get its survey: a shop
// that turns care on (or a job that was down) does not survey months of
// old orders.
const lookback = 7 * 24 * time.Hour

// dueBatch is how many surveys one run queues per kind.
const dueBatch = 200

// SendDue queues the surveys that are due: orders delivered at least
// SurveyDelay ago, requests resolved since the last run. Each survey is
// created with its message in one transaction, and the item's unique key
// makes every replica's run send it once. It returns how many it queued.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	now := s.now()
	sent := 0
	for _, kind := range []string{KindOrder, KindAfterSales} {
		before := now
		if kind == KindOrder {
			before = now.Add(-s.cfg.SurveyDelay)
		}
		var due []Due
		err := s.store.InTx(ctx, func(tx bot.Repo) error {
			r, err := repoOf(tx)
			if err != nil {
				return err
			}
			due, err = r.DueSurveys(ctx, kind, before.Add(-lookback), before, dueBatch)
			return err
		})
		if err != nil {
			return sent, fmt.Errorf("due surveys: %w", err)
		}
		for _, d := range due {
			ok, err := s.send(ctx, d, now)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	if sent > 0 {
		s.kick()
	}
	return sent, nil
}

// send creates one survey and queues its question; false when another
// replica was first or the customer cannot be reached.
func (s *Service) send(ctx context.Context, d Due, now time.Time) (bool, error) {
	var queued bool
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		queued = false
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		c, err := tx.Customer(ctx, d.CustomerID)
		if err != nil {
			return fmt.Errorf("load customer %d: %w", d.CustomerID, err)
		}
		sv := Survey{
			CustomerID: c.ID, Kind: d.Kind, ItemID: d.ItemID, OrderNumber: d.OrderNumber, Request: d.Request,
			Channel: c.Channel, SentAt: now, Stage: StageAsked, Focus: true,
		}
		if c.Unreachable {
			sv.Stage, sv.Focus = StageSkipped, false
		}
		if err := r.CreateSurvey(ctx, &sv); err != nil {
			return err
		}
		if c.Unreachable {
			return nil
		}
		lang := conversation.ParseLang(c.Lang)
		q := conversation.SurveyQuestion(lang, sv.ID, sv.OrderNumber, sv.Request)
		queued = true
		return tx.Enqueue(ctx, []*bot.Message{{
			Channel: c.Channel, Recipient: c.UserID, Kind: bot.KindNotice, Text: q.Text, Options: q.Options,
			Lang: string(lang), NextAt: now, CreatedAt: now,
		}})
	})
	if errors.Is(err, bot.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("send survey for %s %d: %w", d.Kind, d.ItemID, err)
	}
	return queued, nil
}

// Run sends due surveys and cart reminders every interval until ctx ends.
// Errors are logged and the next run tries again.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.SendDue(ctx); err != nil {
			s.log.ErrorContext(ctx, "surveys not sent", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "surveys sent", "count", n)
		}
		if n, err := s.SendFollowUps(ctx); err != nil {
			s.log.ErrorContext(ctx, "follow-ups not sent", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "follow-ups sent", "count", n)
		}
		if n, err := s.SendCartReminders(ctx); err != nil {
			s.log.ErrorContext(ctx, "cart reminders not sent", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "cart reminders sent", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
