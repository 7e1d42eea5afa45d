package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"
)

// Sender delivers outgoing messages on one channel. A staff card whose
// ExternalID is set was posted before and is to be edited in place; for a
// KindThread message ExternalID is the card it is about. Send returns the
// platform's id of what it posted. Return ErrHold (wrapped) to keep a
// message until the recipient writes again. Return *RateLimitError when
// the platform asks to slow down and ErrUnreachable (wrapped) when the
// recipient can never be reached (blocked the bot, unfollowed).
type Sender interface {
	Send(ctx context.Context, m *Message) (externalID string, err error)
}

// DispatcherConfig tunes delivery. Zero values get sensible defaults.
type DispatcherConfig struct {
	Owner       string        // this replica's name on the leases it takes
	Lease       time.Duration // how long a claimed message is ours
	Poll        time.Duration // how often to look for due messages without a kick
	Batch       int
	MaxAttempts int
	Clock       func() time.Time
}

// Dispatcher delivers the outbox. Several replicas may run one each: a
// message is claimed under a lease before it is sent, so only one of them
// sends it, and a replica that dies mid-send leaves it to be claimed again
// when its lease runs out.
type Dispatcher struct {
	store   Store
	senders map[string]Sender
	log     *slog.Logger
	cfg     DispatcherConfig
	wake    chan struct{}
}

// NewDispatcher returns a dispatcher delivering through the given senders,
// keyed by channel.
func NewDispatcher(store Store, senders map[string]Sender, log *slog.Logger, cfg DispatcherConfig) *Dispatcher {
	if cfg.Owner == "" {
		cfg.Owner = fmt.Sprintf("orderbot-%d", rand.Int64())
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Dispatcher{store: store, senders: senders, log: log, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Kick asks for a delivery round now; it never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("outbox delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-t.C:
		}
	}
}

// DeliverDue claims the messages that are due and sends them, until none
// are left. It returns how many were delivered.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	delivered := 0
	for {
		now := d.cfg.Clock().UTC()
		batch, err := d.store.ClaimDue(ctx, d.cfg.Owner, now, now.Add(d.cfg.Lease), d.cfg.Batch)
		if err != nil {
			return delivered, fmt.Errorf("claim outbox: %w", err)
		}
		for _, m := range batch {
			ok, err := d.deliver(ctx, m)
			if err != nil {
				return delivered, err
			}
			if ok {
				delivered++
			}
		}
		if len(batch) < d.cfg.Batch {
			return delivered, nil
		}
	}
}

// deliver sends one claimed message and records the result.
func (d *Dispatcher) deliver(ctx context.Context, m *Message) (bool, error) {
	sender, ok := d.senders[m.Channel]
	if !ok {
		return false, d.store.MarkFailed(ctx, m.ID, d.cfg.Clock().UTC(), "no sender for channel "+m.Channel)
	}
	if (m.Kind == KindCard || m.Kind == KindThread) && m.Card != nil {
		ext, err := d.store.CardRef(ctx, m.Channel, m.Card.Ref)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return false, fmt.Errorf("card ref %s: %w", m.Card.Ref, err)
		}
		m.ExternalID = ext
	}
	ext, err := sender.Send(ctx, m)
	now := d.cfg.Clock().UTC()
	if err != nil {
		return false, d.failed(ctx, m, err, now)
	}
	if m.Kind == KindCard && m.Card != nil && ext != "" {
		if err := d.store.SaveCardRef(ctx, m.Channel, m.Card.Ref, ext); err != nil {
			return false, fmt.Errorf("save card ref %s: %w", m.Card.Ref, err)
		}
	}
	if err := d.store.MarkDelivered(ctx, m.ID, now, ext, m.Path); err != nil {
		return false, fmt.Errorf("mark delivered %d: %w", m.ID, err)
	}
	return true, nil
}

// failed decides what a failed send means: wait as long as the platform
// asked, give up on an unreachable recipient, or back off and retry.
func (d *Dispatcher) failed(ctx context.Context, m *Message, sendErr error, now time.Time) error {
	var rl *RateLimitError
	switch {
	case errors.As(sendErr, &rl):
		return d.store.MarkRetry(ctx, m.ID, m.Attempts, now.Add(rl.RetryAfter), sendErr.Error())
	case errors.Is(sendErr, ErrHold):
		return d.store.MarkHeld(ctx, m.ID, now, sendErr.Error())
	case errors.Is(sendErr, ErrUnreachable):
		d.log.Info("recipient unreachable", "channel", m.Channel, "message", m.ID)
		if err := d.markUnreachable(ctx, m); err != nil {
			return err
		}
		return d.store.MarkFailed(ctx, m.ID, now, sendErr.Error())
	case m.Attempts+1 >= d.cfg.MaxAttempts:
		d.log.Error("outbox message given up", "channel", m.Channel, "message", m.ID, "err", sendErr)
		return d.store.MarkFailed(ctx, m.ID, now, sendErr.Error())
	}
	d.log.Warn("outbox send failed, will retry", "channel", m.Channel, "message", m.ID, "attempt", m.Attempts+1, "err", sendErr)
	return d.store.MarkRetry(ctx, m.ID, m.Attempts+1, now.Add(Backoff(m.Attempts+1)), sendErr.Error())
}

// markUnreachable flags the customer under their row lock, so that it
// cannot overwrite a conversation saved at the same moment.
func (d *Dispatcher) markUnreachable(ctx context.Context, m *Message) error {
	if m.Recipient == StaffRecipient {
		return nil
	}
	err := d.store.InTx(ctx, func(tx Repo) error {
		c, err := tx.LockCustomer(ctx, m.Channel, m.Recipient)
		if err != nil {
			return err
		}
		c.Unreachable = true
		return tx.UpdateCustomer(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("mark customer unreachable: %w", err)
	}
	return nil
}

// Backoff is the wait before attempt n+1: exponential from 2 s, capped at
// 10 minutes, with jitter so that retries from many messages spread out.
func Backoff(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt-1, 9)
	d = min(d, 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}
