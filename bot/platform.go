package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What channel adapters need beyond inbound events and staff actions: the
// limits some platforms put on sending, a cache for their tokens, and the
// views staff ask for by command.

// MarkReplied records replies as delivered in the answer to the platform's
// own request. It reports whether all of them are the answer's to give,
// taken now or by an earlier copy of the request; when not, a dispatcher
// holds or sent some, and the adapter must not answer with them.
func (s *Service) MarkReplied(ctx context.Context, ids []int64, path string) (bool, error) {
	n, err := s.store.MarkReplied(ctx, ids, s.now(), path)
	if err != nil {
		return false, fmt.Errorf("mark replied: %w", err)
	}
	return n == len(ids), nil
}

// Window tells a channel with a reply window (WeChat's 48 hours) when the
// customer last wrote and how many messages went out by path since then.
func (s *Service) Window(ctx context.Context, channel, userID, path string) (lastInbound time.Time, sent int, err error) {
	c, err := s.store.CustomerByUser(ctx, channel, userID)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("window of %s: %w", userID, err)
	}
	if c.LastInboundAt.IsZero() {
		return time.Time{}, 0, nil
	}
	sent, err = s.store.CountDelivered(ctx, channel, userID, path, c.LastInboundAt)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("window of %s: %w", userID, err)
	}
	return c.LastInboundAt, sent, nil
}

// SetUnreachable records that a customer can no longer be messaged (they
// blocked the bot or unfollowed); their next message clears it.
func (s *Service) SetUnreachable(ctx context.Context, channel, userID string) error {
	err := s.store.InTx(ctx, func(tx Repo) error {
		c, err := tx.CustomerByUser(ctx, channel, userID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if c, err = tx.LockCustomer(ctx, channel, userID); err != nil {
			return err
		}
		c.Unreachable = true
		return tx.UpdateCustomer(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("set %s unreachable: %w", userID, err)
	}
	return nil
}

// CacheGet returns an unexpired cached value (ErrNotFound otherwise).
func (s *Service) CacheGet(ctx context.Context, name string) (string, error) {
	return s.store.CacheGet(ctx, name, s.now())
}

// CachePut caches value for ttl, for every replica.
func (s *Service) CachePut(ctx context.Context, name, value string, ttl time.Duration) error {
	return s.store.CachePut(ctx, name, value, s.now().Add(ttl))
}

// CacheAdd caches value for ttl unless an unexpired value is cached under
// name, and returns the value cached now; of callers racing on any replica,
// one wins and all get its value.
func (s *Service) CacheAdd(ctx context.Context, name, value string, ttl time.Duration) (string, error) {
	now := s.now()
	return s.store.CacheAdd(ctx, name, value, now.Add(ttl), now)
}

// CacheDelete drops a cached value.
func (s *Service) CacheDelete(ctx context.Context, name string) error {
	return s.store.CacheDelete(ctx, name)
}

// CardRefByExternal returns the ref of the card a platform message is.
func (s *Service) CardRefByExternal(ctx context.Context, channel, externalID string) (string, error) {
	return s.store.CardRefByExternal(ctx, channel, externalID)
}

// OrderDetails returns an order's card with its whole timeline, for staff
// who look an order up by number.
func (s *Service) OrderDetails(ctx context.Context, number string) (Card, error) {
	o, err := s.store.OrderByNumber(ctx, number)
	if err != nil {
		return Card{}, fmt.Errorf("order %s: %w", number, err)
	}
	c, err := s.customerWithStanding(ctx, s.store, o.CustomerID)
	if err != nil {
		return Card{}, fmt.Errorf("customer of order %s: %w", number, err)
	}
	card := s.orderCard(o, c)
	w := s.words()
	var timeline string
	for _, h := range o.History {
		timeline += w.byAt(h.To, h.Actor, h.At) + "\n"
	}
	card.Fields = append(card.Fields, CardField{Label: w.Say("Timeline", "时间线"), Value: timeline})
	return card, nil
}

// Stats counts the orders placed in [from, to) and their revenue, leaving
// rejected and cancelled orders out of the revenue.
func (s *Service) Stats(ctx context.Context, from, to time.Time) (orders int, revenue int64, err error) {
	orders, revenue, err = s.store.OrderStats(ctx, from, to)
	if err != nil {
		return 0, 0, fmt.Errorf("stats: %w", err)
	}
	return orders, revenue, nil
}

// OutboxCounts reports the undelivered messages, for monitoring.
func (s *Service) OutboxCounts(ctx context.Context) (OutboxCounts, error) {
	return s.store.OutboxCounts(ctx)
}
