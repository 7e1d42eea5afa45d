package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
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
	Workers     int // recipients served at once
	MaxAttempts int
	// Retention is how long delivered messages and dedup keys are kept;
	// Run prunes older ones every hour. Platforms retry within hours, and
	// the web chat shows a customer's recent history from the outbox.
	Retention time.Duration
	Clock     func() time.Time
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
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
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
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("outbox delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-t.C:
		case <-prune.C:
			d.Prune(ctx)
		}
	}
}

// DeliverDue claims the messages that are due and sends them, until none
// are left. It returns how many were delivered. Recipients are served
// concurrently, each one's messages in order, so one slow chat does not
// hold up the others.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	delivered := 0
	for {
		now := d.cfg.Clock().UTC()
		batch, err := d.store.ClaimDue(ctx, d.cfg.Owner, now, now.Add(d.cfg.Lease), d.cfg.Batch)
		if err != nil {
			return delivered, fmt.Errorf("claim outbox: %w", err)
		}
		n, err := d.deliverBatch(ctx, batch)
		delivered += n
		if err != nil || len(batch) < d.cfg.Batch {
			return delivered, err
		}
	}
}

func (d *Dispatcher) deliverBatch(ctx context.Context, batch []*Message) (int, error) {
	var (
		mu        sync.Mutex
		delivered int
		firstErr  error
		wg        sync.WaitGroup
		slots     = make(chan struct{}, d.cfg.Workers)
	)
	for _, queue := range byRecipient(batch) {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			n, err := d.deliverQueue(ctx, queue)
			mu.Lock()
			defer mu.Unlock()
			delivered += n
			if firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	return delivered, firstErr
}

// byRecipient splits a batch into one queue per recipient, keeping the
// order messages were written in.
func byRecipient(batch []*Message) [][]*Message {
	index := map[[2]string]int{}
	var queues [][]*Message
	for _, m := range batch {
		k := [2]string{m.Channel, m.Recipient}
		i, ok := index[k]
		if !ok {
			i = len(queues)
			index[k] = i
			queues = append(queues, nil)
		}
		queues[i] = append(queues[i], m)
	}
	return queues
}

// deliverQueue sends one recipient's messages in order. When one must wait
// for a retry, the ones after it wait until then too, so the recipient
// does not get them out of order.
func (d *Dispatcher) deliverQueue(ctx context.Context, queue []*Message) (int, error) {
	delivered := 0
	for i, m := range queue {
		ok, retryAt, err := d.deliver(ctx, m)
		if err != nil {
			return delivered, err
		}
		if ok {
			delivered++
		}
		if retryAt.IsZero() {
			continue
		}
		for _, later := range queue[i+1:] {
			if err := d.store.MarkRetry(ctx, later.ID, later.Attempts, retryAt, "waits for an earlier message"); err != nil {
				return delivered, fmt.Errorf("postpone %d: %w", later.ID, err)
			}
		}
		return delivered, nil
	}
	return delivered, nil
}

// deliver sends one claimed message and records the result: delivered, or
// when it is to be tried again.
func (d *Dispatcher) deliver(ctx context.Context, m *Message) (bool, time.Time, error) {
	sender, ok := d.senders[m.Channel]
	if !ok {
		return false, time.Time{}, d.store.MarkFailed(ctx, m.ID, d.cfg.Clock().UTC(), "no sender for channel "+m.Channel)
	}
	if (m.Kind == KindCard || m.Kind == KindThread) && m.Card != nil {
		ext, err := d.store.CardRef(ctx, m.Channel, m.Card.Ref)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return false, time.Time{}, fmt.Errorf("card ref %s: %w", m.Card.Ref, err)
		}
		m.ExternalID = ext
	}
	ext, err := sender.Send(ctx, m)
	now := d.cfg.Clock().UTC()
	if err != nil {
		retryAt, err := d.failed(ctx, m, err, now)
		return false, retryAt, err
	}
	if m.Kind == KindCard && m.Card != nil && ext != "" {
		if err := d.store.SaveCardRef(ctx, m.Channel, m.Card.Ref, ext); err != nil {
			return false, time.Time{}, fmt.Errorf("save card ref %s: %w", m.Card.Ref, err)
		}
	}
	if err := d.store.MarkDelivered(ctx, m.ID, now, ext, m.Path); err != nil {
		return false, time.Time{}, fmt.Errorf("mark delivered %d: %w", m.ID, err)
	}
	return true, time.Time{}, nil
}

// failed decides what a failed send means: wait as long as the platform
// asked, give up on an unreachable recipient, or back off and retry. It
// returns when the message is to be tried again, zero when it will not be.
func (d *Dispatcher) failed(ctx context.Context, m *Message, sendErr error, now time.Time) (time.Time, error) {
	var rl *RateLimitError
	switch {
	case errors.As(sendErr, &rl):
		at := now.Add(rl.RetryAfter)
		return at, d.store.MarkRetry(ctx, m.ID, m.Attempts, at, sendErr.Error())
	case errors.Is(sendErr, ErrHold):
		return time.Time{}, d.store.MarkHeld(ctx, m.ID, now, sendErr.Error())
	case errors.Is(sendErr, ErrUnreachable):
		d.log.Info("recipient unreachable", "channel", m.Channel, "message", m.ID)
		if err := d.markUnreachable(ctx, m); err != nil {
			return time.Time{}, err
		}
		return time.Time{}, d.store.MarkFailed(ctx, m.ID, now, sendErr.Error())
	case m.Attempts+1 >= d.cfg.MaxAttempts:
		d.log.Error("outbox message given up", "channel", m.Channel, "message", m.ID, "err", sendErr)
		return time.Time{}, d.store.MarkFailed(ctx, m.ID, now, sendErr.Error())
	}
	d.log.Warn("outbox send failed, will retry", "channel", m.Channel, "message", m.ID, "attempt", m.Attempts+1, "err", sendErr)
	at := now.Add(Backoff(m.Attempts + 1))
	return at, d.store.MarkRetry(ctx, m.ID, m.Attempts+1, at, sendErr.Error())
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

// Prune deletes delivered messages and dedup keys older than the
// retention, and expired cache values.
func (d *Dispatcher) Prune(ctx context.Context) {
	now := d.cfg.Clock()
	n, err := d.store.Prune(ctx, now.Add(-d.cfg.Retention))
	if err != nil {
		d.log.Error("outbox prune", "err", err)
		return
	}
	c, err := d.store.PruneCache(ctx, now)
	if err != nil {
		d.log.Error("cache prune", "err", err)
		return
	}
	if n+c > 0 {
		d.log.Info("pruned", "rows", n+c)
	}
}

// Backoff is the wait before attempt n+1: exponential from 2 s, capped at
// 10 minutes, with jitter so that retries from many messages spread out.
func Backoff(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt-1, 9)
	d = min(d, 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}
